//! Divergence estimators between the data distribution and the model's, pure Rust on the host.
//!
//! Every estimator returns an [`Estimate`] that says what was measured, in which units, by
//! which estimator, from how many samples, and how large the same estimate is between two
//! independent samples of the data itself (its noise floor).

mod bandwidth;
mod estimators;
mod floor;
mod grid;
mod kde;
mod mmd;
mod nearest;
mod sinkhorn;
mod sliced_wasserstein;

pub use bandwidth::{Bandwidth, CROSS_VALIDATION_POINTS, cross_validated_bandwidth};
pub use estimators::{MonteCarlo, fisher_divergence, monte_carlo_kl};
pub use floor::{FLOOR_DRAWS, FLOOR_QUANTILE, NoiseFloor};
pub use grid::{
    SMOOTHING, cell_masses, jensen_shannon, kl, optimal_discriminator, total_variation,
};
pub use kde::{kde_grid, scott_bandwidth, smooth_grid};
pub use mmd::{
    BANDWIDTH_MULTIPLES, MmdAgainst, median_distance, median_distance_in, mmd2_unbiased,
};
pub use nearest::nearest_distances;
pub use sinkhorn::{
    MARGINAL_TOLERANCE as SINKHORN_TOLERANCE, MAX_ITERATIONS as SINKHORN_MAX_ITERATIONS, Sinkhorn,
    sinkhorn_divergence,
};
pub use sliced_wasserstein::{sliced_w2, sliced_w2_gaussians, wasserstein2_1d};

use std::fmt;

use serde::Serialize;

/// Invalid input to an estimator (empty sets, NaN, mismatched shapes, ...), named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricError(pub String);

impl MetricError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for MetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MetricError {}

/// A panel row's stable id, which code looks it up by (e.g. `"sliced_w2"`), and its display
/// name, which people read (e.g. `"sliced W2(data, model)"`) and which may be reworded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowName {
    /// The stable snake_case id.
    pub id: &'static str,
    /// The display name.
    pub name: &'static str,
}

impl RowName {
    /// The row `id`, shown as `name`.
    pub const fn new(id: &'static str, name: &'static str) -> Self {
        Self { id, name }
    }
}

/// One labelled value of a divergence or distance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Its stable id (see [`RowName`]), e.g. `"sliced_w2"`.
    pub id: &'static str,
    /// What is measured, e.g. `"sliced W2(data, model)"`.
    pub name: &'static str,
    /// The value.
    pub value: f64,
    /// Units of `value`, e.g. `"data units"` or `"nats"`.
    pub units: &'static str,
    /// Which distributions, in which order (`"symmetric"` when the order does not matter).
    pub direction: &'static str,
    /// How it was estimated.
    pub estimator: String,
    /// Samples drawn from the model.
    pub model_samples: usize,
    /// Samples drawn from the data.
    pub data_samples: usize,
    /// The same estimate between two independent data samples of these sizes, over
    /// [`FLOOR_DRAWS`] draws: values at or below its upper quantile cannot be told apart from a
    /// perfect model. `None` for estimators that use exact quantities only (their uncertainty
    /// is stated in `estimator`).
    pub noise_floor: Option<NoiseFloor>,
}
