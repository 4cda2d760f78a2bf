//! Datasets: seeded samplers of reference distributions, their reference densities on a grid and,
//! where it is exact, their score. Pure Rust on the host.
//!
//! Samples are produced as flat row-major `Vec<f32>` of shape `[n, dim]`; the session uploads
//! them to the device once (see [`crate::session`]).

pub mod digits;
mod empirical;
mod grid;
mod mixture;
mod reference;
mod source;
mod spec;
mod standardise;
mod toy;

pub use empirical::{EmpiricalSet, MAX_CSV_BYTES, MAX_CSV_ROWS, parse_points_csv};
pub use grid::{Grid, MAX_RESOLUTION};
pub use mixture::{GaussianMixture, MAX_COMPONENTS};
pub use reference::{Exactness, Reference};
pub use source::{CustomDataset, DataSource, DatasetSpec};
pub use standardise::{MAX_COORDINATE, MODEL_SPREAD, Standardisation};
pub use toy::{Bounds, Dataset};

use std::fmt;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// The seeded random number generator behind every sampler: portable, so the same seed gives the
/// same samples natively and in the browser.
pub type SeededRng = Xoshiro256PlusPlus;

/// A generator seeded with `seed`.
pub fn seeded_rng(seed: u64) -> SeededRng {
    SeededRng::seed_from_u64(seed)
}

/// Invalid data or data settings, with a message naming the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError(String);

impl DataError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}
