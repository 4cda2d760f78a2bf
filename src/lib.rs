//! GenLab: deep generative models trained live in the browser.
//!
//! The crate is compiled twice: natively (tests, benchmarks) on Burn's `flex` CPU backend, and to
//! `wasm32` for the page, where [`web`] exposes one JavaScript handle per model family and the
//! device is WebGPU when a usable adapter exists, `flex` otherwise (see [`device`]).
//!
//! Layers, from the bottom: [`data`] (seeded datasets, pure), [`metrics`] (divergence estimators,
//! pure), [`evaluation`] (the divergence panel), [`models`] (one file per family behind the [`family::Family`] contract), [`session`]
//! (data on the device, the training loop, stats and snapshots), [`web`] (type conversion only);
//! [`diagnostics`] holds what the benchmark measures (the matrix-product roof).

pub mod data;
pub mod device;
pub mod diagnostics;
pub mod evaluation;
pub mod family;
pub mod metrics;
pub mod models;
pub mod options;
#[cfg(not(target_arch = "wasm32"))]
pub mod quality;
pub mod schema;
pub mod session;
pub mod settings;
pub mod training;
#[cfg(target_arch = "wasm32")]
pub mod web;
