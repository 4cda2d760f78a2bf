//! Score-based generative modelling with SDEs (Song et al. 2021). A forward SDE
//! `dx = f(x, t)dt + g(t)dW` (an [`Sde`] hook: variance preserving or variance exploding) turns
//! data into noise; a network learns `s_θ(x, t) ≈ ∇log p_t(x)` by denoising score matching; and
//! data come back either by the reverse SDE `dx = [f − g²s]dt + g dW̄` (Euler–Maruyama) or by the
//! probability-flow ODE `dx/dt = f − ½g²s`, which has the same marginals and an exact
//! likelihood: `log p_0(x) = log p_1(x(1)) + ∫ ∇·(f − ½g²s)(x(t), t) dt` along its path, the
//! divergence computed exactly in 2-D from one input gradient per coordinate.

mod sde;

pub use sde::{
    Sde, T_MIN, VeSde, VpSde, probability_flow_log_likelihood, probability_flow_path,
    reverse_sde_path,
};

use burn::prelude::*;
use burn::tensor::Distribution;
use serde::{Deserialize, Serialize};

use crate::family::{
    DensityBudget, Family, FamilyConfig, NoiseLevel, StepStats, ViewInfo, ViewInput, ViewKind,
    ViewParameter, ViewTruth, ViewUnits,
};
use crate::models::conditional::ConditionalMlp;
use crate::models::trained::Trained;
use crate::settings::{Choice, OptionError, Setting, below, network_settings};
use crate::training::{Batches, TrainingConfig};

/// The forward SDE, named in options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdeKind {
    /// [`VpSde`].
    Vp,
    /// [`VeSde`].
    Ve,
}

impl Choice for SdeKind {
    const ALL: &'static [Self] = &[SdeKind::Vp, SdeKind::Ve];
}

/// How `sample` integrates back from noise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdeSampler {
    /// Euler–Maruyama on the reverse SDE.
    ReverseSde,
    /// The midpoint rule on the probability-flow ODE.
    ProbabilityFlow,
}

impl Choice for SdeSampler {
    const ALL: &'static [Self] = &[SdeSampler::ReverseSde, SdeSampler::ProbabilityFlow];
}

/// Score SDE settings. Ranges are enforced by [`FamilyConfig::validate`].
#[derive(Config, Debug)]
pub struct ScoreSdeConfig {
    /// Width of each hidden layer of the score network.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of the score network.
    #[config(default = 3)]
    pub depth: usize,
    /// The forward SDE.
    #[config(default = "SdeKind::Vp")]
    pub sde: SdeKind,
    /// VP: β(0).
    #[config(default = 0.1)]
    pub beta_min: f64,
    /// VP: β(1).
    #[config(default = 20.0)]
    pub beta_max: f64,
    /// VE: σ(0).
    #[config(default = 0.01)]
    pub sigma_min: f64,
    /// VE: σ(1).
    #[config(default = 5.0)]
    pub sigma_max: f64,
    /// The sampler.
    #[config(default = "SdeSampler::ReverseSde")]
    pub sampler: SdeSampler,
    /// Steps of the sampler.
    #[config(default = 200)]
    pub sample_steps: usize,
    /// Midpoint steps of the likelihood ODE.
    #[config(default = 16)]
    pub likelihood_steps: usize,
}

impl FamilyConfig for ScoreSdeConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of the score network",
            "Hidden layers of the score network",
        );
        vec![
            Setting::choice::<SdeKind>("sde", "Variance preserving or variance exploding SDE"),
            Setting::choice::<SdeSampler>(
                "sampler",
                "How samples are drawn (changing it keeps the trained model)",
            )
            .for_sampling(),
            Setting::integer("sample_steps", 1, 2000, "Steps of the sampler").for_sampling(),
            Setting::integer(
                "likelihood_steps",
                1,
                1000,
                "Midpoint steps of the likelihood ODE",
            )
            .for_sampling(),
            Setting::number("beta_min", 1e-3, 100.0, "VP SDE: β(0) (below β(1))"),
            Setting::number("beta_max", 1e-3, 100.0, "VP SDE: β(1)"),
            Setting::number("sigma_min", 1e-4, 100.0, "VE SDE: σ(0) (below σ(1))"),
            Setting::number("sigma_max", 1e-4, 100.0, "VE SDE: σ(1)"),
            width,
            depth,
        ]
    }

    fn check_relations(&self) -> Result<(), OptionError> {
        below("sigma_min", self.sigma_min, "sigma_max", self.sigma_max)?;
        below("beta_min", self.beta_min, "beta_max", self.beta_max)
    }
}

/// Chains and recorded states of the paths view.
const PATH_POINTS: usize = 512;
const PATH_STAGES: usize = 20;
/// Time at which the Fisher divergence compares scores.
const SCORE_PROBE_TIME: f32 = 0.1;

/// See the module documentation.
#[derive(Clone)]
pub struct ScoreSde {
    net: Trained<ConditionalMlp>,
    sde: std::sync::Arc<dyn Sde>,
    config: ScoreSdeConfig,
    dim: usize,
    device: Device,
}

impl ScoreSde {
    /// `s(x, t) = net(x, t)/σ(t)` with `net` (autodiff or not).
    fn score_with(&self, net: &ConditionalMlp, x: Tensor<2>, t: f32) -> Tensor<2> {
        let (_, std) = self.sde.marginal(t);
        net.forward_at(x, t) / std
    }

    /// Standard deviation of the prior: `p_1 ≈ N(0, σ(1)² I)`, which neglects `m(1)·x_0` (VP:
    /// m(1) = e^{−5}) and the data's own variance beside σ(1)² (VE).
    fn prior_std(&self) -> f32 {
        self.sde.marginal(1.0).1
    }

    /// The sampler's path from prior samples: `stages + 1` states.
    pub fn path(&self, n: usize, stages: usize) -> Vec<Tensor<2>> {
        let start = Tensor::random(
            [n, self.dim],
            Distribution::Normal(0.0, self.prior_std() as f64),
            &self.device,
        );
        let net = self.net.module.valid();
        let score = |x: Tensor<2>, t: f32| self.score_with(&net, x, t);
        let steps = self.config.sample_steps;
        match self.config.sampler {
            SdeSampler::ReverseSde => {
                reverse_sde_path(start, self.sde.as_ref(), steps, stages, score)
            }
            SdeSampler::ProbabilityFlow => {
                probability_flow_path(start, self.sde.as_ref(), steps, stages, score)
            }
        }
    }

    fn noise_level(&self, t: f32) -> NoiseLevel {
        let (scale, sigma) = self.sde.marginal(t);
        NoiseLevel { t, scale, sigma }
    }
}

impl Family for ScoreSde {
    type Config = ScoreSdeConfig;
    type Networks = ConditionalMlp;
    const NAME: &'static str = "score_sde";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let sde: std::sync::Arc<dyn Sde> = match config.sde {
            SdeKind::Vp => std::sync::Arc::new(VpSde {
                beta_min: config.beta_min as f32,
                beta_max: config.beta_max as f32,
            }),
            SdeKind::Ve => std::sync::Arc::new(VeSde {
                sigma_min: config.sigma_min as f32,
                sigma_max: config.sigma_max as f32,
            }),
        };
        Self {
            net: ConditionalMlp::trained_field(
                dim,
                config.width,
                config.depth,
                training.learning_rate,
                device,
            ),
            sde,
            config: config.clone(),
            dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let x0 = data.next(); // [batch, dim]
        let n = x0.dims()[0];
        let t = Tensor::<2>::random(
            [n, 1],
            Distribution::Uniform(T_MIN as f64, 1.0),
            &self.device,
        ); // [batch, 1]
        let (scale, std) = self.sde.marginal_tensor(t.clone()); // [batch, 1] each
        let z = Tensor::random([n, self.dim], Distribution::Normal(0.0, 1.0), &self.device);
        let xt = x0 * scale + z.clone() * std;
        // s = net/σ, so σ²‖s − (−z/σ)‖² = ‖net + z‖².
        let loss = (self.net.module.forward(xt, t) + z)
            .powi_scalar(2)
            .sum_dim(1)
            .mean();
        self.net.step(&loss);
        StepStats(vec![("loss", loss.without_autodiff())])
    }

    fn networks(&self) -> ConditionalMlp {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: ConditionalMlp) {
        self.net.module = networks;
    }

    fn set_sampling(&mut self, config: &Self::Config) {
        self.config = config.clone();
    }

    fn sample(&self, n: usize) -> Tensor<2> {
        self.path(n, 1).pop().expect("an end state")
    }

    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let net = self.net.module.valid();
        let score = |x: Tensor<2>, t: f32| self.score_with(&net, x, t);
        Some(probability_flow_log_likelihood(
            x,
            self.sde.as_ref(),
            self.prior_std(),
            self.config.likelihood_steps,
            score,
        ))
    }

    fn log_density_method(&self) -> &'static str {
        "probability-flow ODE, exact divergence, midpoint rule with likelihood_steps steps"
    }

    /// An ODE solve with two input gradients per step per point: a 24² grid and at most 256
    /// Monte Carlo points keep an evaluation near a second in the browser.
    fn log_density_budget(&self) -> DensityBudget {
        DensityBudget {
            grid_resolution: 24,
            points: 256,
        }
    }

    fn score(&self, x: Tensor<2>, t: f32) -> Option<Tensor<2>> {
        (T_MIN..=1.0)
            .contains(&t)
            .then(|| self.score_with(&self.net.module.valid(), x, t))
    }

    fn score_probe(&self) -> Option<NoiseLevel> {
        Some(self.noise_level(SCORE_PROBE_TIME))
    }

    fn views(&self) -> Vec<ViewInfo> {
        vec![
            ViewInfo {
                name: "score",
                units: ViewUnits::Score,
                title: "Learned score vs the true score",
                description: "s_θ(x, t) (dark) beside the exact score of the noised data p_t (green, mixtures)",
                input: ViewInput::Grid,
                kind: ViewKind::Field,
                parameter: Some(ViewParameter {
                    name: "t",
                    default: 0.1,
                    min: 0.01,
                    max: 1.0,
                }),
            },
            ViewInfo {
                name: "paths",
                units: ViewUnits::Position,
                title: "Sampling paths",
                description: "512 chains of the chosen sampler from the prior (stage 0) to samples",
                input: ViewInput::State,
                kind: ViewKind::Stages,
                parameter: Some(ViewParameter {
                    name: "stage",
                    default: PATH_STAGES as f32,
                    min: 0.0,
                    max: PATH_STAGES as f32,
                }),
            },
            ViewInfo {
                name: "log_density",
                units: ViewUnits::LogDensity,
                title: "Model log-density (probability flow)",
                description: "log p_0(x) through the probability-flow ODE with the exact divergence",
                input: ViewInput::Grid,
                kind: ViewKind::Heatmap,
                parameter: None,
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, parameter: f32) -> Option<Tensor<2>> {
        match name {
            "score" => {
                Some(self.score_with(&self.net.module.valid(), points, parameter.max(T_MIN)))
            }
            "paths" => Some(Tensor::cat(self.path(PATH_POINTS, PATH_STAGES), 0)),
            "log_density" => self.log_density(points).map(|l| l.unsqueeze_dim(1)),
            _ => None,
        }
    }

    fn view_truth(&self, name: &str, parameter: f32) -> Option<ViewTruth> {
        (name == "score").then(|| ViewTruth::Score(self.noise_level(parameter.max(T_MIN))))
    }
}
