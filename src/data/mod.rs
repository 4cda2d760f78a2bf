//! Datasets: seeded samplers of reference distributions, pure Rust on the host.
//!
//! Samples are produced as flat row-major `Vec<f32>` of shape `[n, dim]`; the session uploads
//! them to the device once (see [`crate::session`]).

mod toy;

pub use toy::{Bounds, Dataset};

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// The seeded random number generator behind every sampler: portable, so the same seed gives the
/// same samples natively and in the browser.
pub type SeededRng = Xoshiro256PlusPlus;

/// A generator seeded with `seed`.
pub fn seeded_rng(seed: u64) -> SeededRng {
    SeededRng::seed_from_u64(seed)
}
