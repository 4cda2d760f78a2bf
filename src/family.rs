//! The contract every model family implements.
//!
//! A family holds a network (or several) and its optimizer(s) and knows its probabilistic logic:
//! how to take one training step, how to sample, and, where they are tractable, its log-density
//! and score. Data, step counting, statistics readback and snapshots belong to the
//! [`Session`](crate::session::Session) that drives it, so a family file contains only what
//! makes that family what it is.

use burn::config::Config;
use burn::tensor::{Device, Tensor};

use crate::options::OptionError;
use crate::session::{Batches, TrainingConfig};

/// Named scalar statistics of one training step (losses, ELBO terms, ...), still on the device:
/// the session averages them over a slice of steps and reads them back once.
pub struct StepStats(pub Vec<(&'static str, Tensor<1>)>);

/// The settings of one family: a Burn [`Config`] with documented defaults, checked before use.
pub trait FamilyConfig: Config + Clone {
    /// The documented defaults, which JavaScript options override field by field.
    fn defaults() -> Self;

    /// Rejects out-of-range values with a message that names the field and its range.
    fn validate(&self) -> Result<(), OptionError>;
}

/// A generative model family: trained on batches of `[batch, dim]` points, sampled as `[n, dim]`.
///
/// `Clone` must be cheap (Burn tensors are reference-counted): the session keeps the last
/// finite clone to restore after a numerical fault.
pub trait Family: Clone {
    /// The family's settings.
    type Config: FamilyConfig;

    /// The snake_case name used in options, URLs and JavaScript.
    const NAME: &'static str;

    /// A freshly initialised model for data of dimension `dim` on `device` (a plain device; the
    /// family enables autodiff where it trains).
    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self;

    /// One optimisation step (a family that alternates, like a GAN, does all of one round here),
    /// drawing as many batches from `data` as it needs.
    fn train_step(&mut self, data: &mut Batches) -> StepStats;

    /// `n` model samples, `[n, dim]`, on the plain device.
    fn sample(&self, n: usize) -> Tensor<2>;

    /// `log p_model(x)` for `x: [n, dim]`, `[n]`, where the family has a tractable density.
    fn log_density(&self, _x: Tensor<2>) -> Option<Tensor<1>> {
        None
    }

    /// The model's score `∇ₓ log p_t(x)` at time or noise level `t`, `[n, dim]`, where the family
    /// defines one.
    fn score(&self, _x: Tensor<2>, _t: f32) -> Option<Tensor<2>> {
        None
    }
}
