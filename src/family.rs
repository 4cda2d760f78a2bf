//! The contract every model family implements.
//!
//! A family holds a network (or several) and its optimizer(s) and knows its probabilistic logic:
//! how to take one training step, how to sample, and, where they are tractable, its log-density
//! and score. Data, step counting, statistics readback and snapshots belong to the
//! [`Session`](crate::session::Session) that drives it, so a family file contains only what
//! makes that family what it is.

use burn::config::Config;
use burn::module::{Module, ModuleMapper, ModuleVisitor};
use burn::tensor::{Device, Tensor};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::data::DatasetSpec;
use crate::evaluation::HELD_OUT_NLL;
use crate::metrics::RowName;
use crate::settings::{OptionError, Setting, check_settings};
use crate::training::{Batches, TrainingConfig};

/// Named scalar statistics of one training step (losses, ELBO terms, ...), still on the device:
/// the session averages them over a slice of steps and reads them back once.
pub struct StepStats(pub Vec<(&'static str, Tensor<1>)>);

/// The settings of one family: a Burn [`Config`] with documented defaults, and the schema of its
/// fields ([`FamilyConfig::settings`]) from which validation, the page's controls and the
/// generated TypeScript types all follow. `Send`, as is [`Family`]: the threaded CPU module
/// trains a lab's session on a worker of its thread pool (`models::parallel::on_pool`).
pub trait FamilyConfig: Config + Clone + Send {
    /// The documented defaults, which JavaScript options override field by field.
    fn defaults() -> Self;

    /// Every field, in display order: its kind, range or choices, help text and whether it only
    /// changes sampling. The one place a range is stated.
    fn settings() -> Vec<Setting>;

    /// Rules between fields that no single range states (e.g. `ddim_steps ≤ diffusion_steps`),
    /// naming the field to change.
    fn check_relations(&self) -> Result<(), OptionError> {
        Ok(())
    }

    /// The dataset a lab learns when its options name none.
    fn default_dataset() -> DatasetSpec {
        DatasetSpec::default()
    }

    /// Where the family's defaults on images differ from its defaults on points: its own
    /// fields and the shared ones (e.g. `{"learning_rate": 0.002, "batch_size": 128}`).
    fn image_defaults() -> Map<String, Value> {
        Map::new()
    }

    /// Rejects out-of-range values with a message that names the field and its range.
    fn validate(&self) -> Result<(), OptionError> {
        check_settings(&Self::settings(), self)?;
        self.check_relations()
    }

    /// Fields that only change how samples are drawn, which a trained model can take without
    /// retraining (see [`Family::set_sampling`]).
    fn sampling_fields() -> Vec<&'static str> {
        Self::settings()
            .into_iter()
            .filter(|setting| setting.sampling)
            .map(|setting| setting.name)
            .collect()
    }
}

/// A generative model family: trained on batches of `[batch, dim]` points, sampled as `[n, dim]`.
///
/// `Clone` must be cheap (Burn tensors are reference-counted): the session keeps the last
/// finite clone to restore after a numerical fault. `Send`: the threaded CPU module trains the
/// session on a worker of its thread pool.
pub trait Family: Clone + Send {
    /// The family's settings.
    type Config: FamilyConfig;

    /// Its networks (see [`Family::networks`]).
    type Networks: Module;

    /// The snake_case name used in options, URLs and JavaScript.
    const NAME: &'static str;

    /// The data the family learns: 2-D points, images, or both.
    const INPUT: FamilyInput = FamilyInput::Points;

    /// A freshly initialised model for data of dimension `dim` on `device` (a plain device; the
    /// family enables autodiff where it trains).
    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self;

    /// One optimisation step (a family that alternates, like a GAN, does all of one round here),
    /// drawing as many batches from `data` as it needs.
    fn train_step(&mut self, data: &mut Batches) -> StepStats;

    /// Every network of the family, as one `#[derive(Module)]` value (a network, or a struct
    /// of them): a weights file holds exactly its parameters, so none can be left out.
    fn networks(&self) -> Self::Networks;

    /// Replaces the family's networks (weights loaded from a file; the optimizer states stay).
    fn set_networks(&mut self, networks: Self::Networks);

    /// Visits every network parameter, always in the same order (the weights file's order:
    /// [`Family::networks`]' fields in declaration order).
    fn visit_parameters<V: ModuleVisitor>(&self, visitor: &mut V) {
        self.networks().visit(visitor);
    }

    /// Replaces every network parameter through `mapper`, in [`Family::visit_parameters`]'s
    /// order.
    fn map_parameters<M: ModuleMapper>(&mut self, mapper: &mut M) {
        let networks = self.networks().map(mapper);
        self.set_networks(networks);
    }

    /// The family's fine-grained steps (e.g. one discriminator step), for teaching controls.
    fn actions(&self) -> Vec<ActionInfo> {
        Vec::new()
    }

    /// Runs fine-grained step `name` once; `None` for a name [`Family::actions`] does not list.
    fn act(&mut self, _name: &str, _data: &mut Batches) -> Option<StepStats> {
        None
    }

    /// Takes new sampling settings (only [`FamilyConfig::sampling_fields`] differ from the
    /// current config).
    fn set_sampling(&mut self, _config: &Self::Config) {}

    /// `n` model samples, `[n, dim]`, on the plain device.
    fn sample(&self, n: usize) -> Tensor<2>;

    /// `log p_model(x)` for `x: [n, dim]`, `[n]`, where the family has a tractable density.
    fn log_density(&self, _x: Tensor<2>) -> Option<Tensor<1>> {
        None
    }

    /// How many points an evaluation may ask [`Family::log_density`] for.
    fn log_density_budget(&self) -> DensityBudget {
        DensityBudget::default()
    }

    /// How [`Family::log_density`] is computed, e.g. `"exact, change of variables"`.
    fn log_density_method(&self) -> &'static str {
        "none"
    }

    /// Whether [`Family::log_density`] is a lower bound of `log p_model` rather than its value
    /// (the VAE's IWAE), so that estimates built on it are bounds too and say so.
    fn log_density_is_lower_bound(&self) -> bool {
        false
    }

    /// Lower bounds of (or equal to) `log p_model(x)` for held-out likelihoods, each `[n]`,
    /// tightest first: the log-density itself by default; a family whose density is
    /// intractable but bounded gives its bounds (a diffusion model's variational bound; the
    /// VAE's IWAE and ELBO).
    fn log_likelihood_bounds(&self, x: Tensor<2>) -> Vec<LikelihoodBound> {
        self.log_density(x)
            .map(|values| LikelihoodBound {
                row: HELD_OUT_NLL,
                values,
                method: self.log_density_method(),
            })
            .into_iter()
            .collect()
    }

    /// The model's score `∇ₓ log p_t(x)` at time or noise level `t`, `[n, dim]`, where the family
    /// defines one.
    fn score(&self, _x: Tensor<2>, _t: f32) -> Option<Tensor<2>> {
        None
    }

    /// The noise level at which the Fisher divergence compares [`Family::score`] (at
    /// `level.t`) with the exact score of the noised data `scale·x + sigma·z`. `None` when the
    /// family has no score.
    fn score_probe(&self) -> Option<NoiseLevel> {
        None
    }

    /// The digit a class-conditional family's samples are asked for (`None`: no label asked
    /// for, or not a conditional family): the image panel then reports how often the samples
    /// show it and how varied they are.
    fn requested_digit(&self) -> Option<usize> {
        None
    }

    /// The family's own views (beyond samples and divergences), for the page to draw.
    fn views(&self) -> Vec<ViewInfo> {
        Vec::new()
    }

    /// Computes view `name` at `points: [n, 2]` (chosen as its [`ViewInput`] says) with the
    /// view's parameter; `[rows, columns]` on the plain device, or `None` for an unknown name.
    fn view(&self, _name: &str, _points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        None
    }

    /// The exact quantity view `name` estimates (drawn beside it), where there is one; `None`
    /// for other views.
    fn view_truth(&self, _name: &str, _parameter: f32) -> Option<ViewTruth> {
        None
    }
}

/// A lower bound of `log p_model(x)` at held-out points, still on the device.
pub struct LikelihoodBound {
    /// The held-out estimate it gives, e.g. [`HELD_OUT_NLL`].
    pub row: RowName,
    /// The bound at each point, `[n]`.
    pub values: Tensor<1>,
    /// How it is computed.
    pub method: &'static str,
}

/// The data a family learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyInput {
    /// 2-D points only.
    Points,
    /// Images only (e.g. PixelCNN's convolutions).
    Images,
    /// Both: the network's input width follows the data.
    Both,
}

impl FamilyInput {
    /// Whether data of this kind (`images` or 2-D points) can be learned.
    pub fn accepts(self, images: bool) -> bool {
        match self {
            FamilyInput::Points => !images,
            FamilyInput::Images => images,
            FamilyInput::Both => true,
        }
    }
}

/// How much log-density an evaluation computes: a family whose density costs an ODE solve
/// per point asks for a coarser grid and fewer Monte Carlo points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DensityBudget {
    /// Cells per axis of the grid divergences.
    pub grid_resolution: usize,
    /// Largest number of data points of the Monte Carlo KL.
    pub points: usize,
}

impl Default for DensityBudget {
    fn default() -> Self {
        Self {
            grid_resolution: crate::evaluation::DENSITY_RESOLUTION,
            points: usize::MAX,
        }
    }
}

/// The law of noised data `x_t = scale·x + sigma·z`, `x` data, `z ~ N(0, I)`, at the family's
/// time or noise level `t`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NoiseLevel {
    /// The family's own time or noise level (passed to [`Family::score`]).
    pub t: f32,
    /// Factor on the data.
    pub scale: f32,
    /// Standard deviation of the added noise.
    pub sigma: f32,
}

/// The exact quantity a view estimates, which the page draws beside it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ViewTruth {
    /// The score `∇log p` of the noised data (data a Gaussian mixture).
    Score(NoiseLevel),
    /// The marginal velocity of the linear path `t·x + (1 − t)·z` at `t`:
    /// `v = (x + (1 − t)·∇log p_t(x))/t` (data a Gaussian mixture).
    LinearPathVelocity(f32),
    /// The optimal discriminator `D* = p/(p + q)` against the model's samples (any 2-D data:
    /// the session draws the samples, see
    /// [`optimal_discriminator_at`](crate::evaluation::optimal_discriminator_at)).
    OptimalDiscriminator,
}

/// Which points the page passes to a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewInput {
    /// The centres of a grid over the data bounds.
    Grid,
    /// Fresh data samples.
    Data,
    /// Points `(parameter, y)` on a vertical line across the data bounds.
    Line,
    /// Nothing: the view returns the family's own state (e.g. live Langevin chains).
    State,
}

/// How the page draws a view's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewKind {
    /// One value per grid cell: `[cells, 1]`.
    Heatmap,
    /// One probability per grid cell: `[cells, 1]` in `[0, 1]`, drawn on that fixed scale.
    Probability,
    /// One vector per grid point: `[points, 2]`, arrows.
    Field,
    /// A point cloud: `[points, 2]` (or `[points, 1]`, drawn against zero).
    Points,
    /// One value per line point: `[points, 1]` against the line's `y`.
    Curve,
    /// The input points after each stage, stacked: `[stages · points, dim]`; the view's
    /// parameter runs over the stages `0 ..= max` and picks the one drawn.
    Stages,
    /// A grid of images: `[tile rows, tiles per row · pixels]`, each output row holding one row
    /// of images side by side (NaN pixels are "not given", e.g. an erased half).
    Images,
}

/// How a 2-D view's output changes between the model's coordinates and the user's (see
/// [`Standardisation`](crate::data::Standardisation): `x = centre + scale·z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewUnits {
    /// Unchanged: probabilities, energies (defined up to a constant), latent codes, images.
    Unitless,
    /// Points in data space: `centre + scale·z`.
    Position,
    /// A score `∇log p`: `∇ₓ = ∇_z / scale`.
    Score,
    /// A velocity `dx/dt`: `scale·dz/dt`.
    Velocity,
    /// A log-density: `log p(x) = log p(z) − 2·log scale`.
    LogDensity,
    /// A density of one coordinate (a conditional `p(x₂ | x₁)`): `p(z₂ | z₁)/scale`.
    LineDensity,
}

/// A family view: what it shows and how to ask for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ViewInfo {
    /// Identifier passed to [`Family::view`].
    pub name: &'static str,
    /// How its output maps to the user's units (for the session, not the page).
    #[serde(skip)]
    pub units: ViewUnits,
    /// Title in the page.
    pub title: &'static str,
    /// One sentence on what it shows and how it is computed.
    pub description: &'static str,
    /// Which points to pass.
    pub input: ViewInput,
    /// How to draw the output.
    pub kind: ViewKind,
    /// What the parameter means (`None` when the view has none), its default and range (for a
    /// [`ViewInput::Line`] view, an x coordinate: in the model's units here, the user's in
    /// [`Session::views`](crate::session::Session::views)).
    pub parameter: Option<ViewParameter>,
}

/// A view's scalar parameter (a time, an `x₁`, a layer, a noise level).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ViewParameter {
    /// Its name in the page, e.g. `"t"`.
    pub name: &'static str,
    /// Default value.
    pub default: f32,
    /// Smallest value.
    pub min: f32,
    /// Largest value.
    pub max: f32,
}

/// A fine-grained step of a family (one discriminator step, one Langevin step, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    /// Identifier passed to [`Family::act`].
    pub name: &'static str,
    /// Button label in the page.
    pub title: &'static str,
    /// One sentence on what it does and what changes.
    pub description: &'static str,
    /// Whether it counts as a training step (it updates weights) rather than only moving the
    /// family's sampler state.
    pub trains: bool,
}
