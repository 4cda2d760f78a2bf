//! Score-based generative modelling with SDEs (Song et al. 2021). A forward SDE
//! `dx = f(x, t)dt + g(t)dW` (an [`Sde`] hook: variance preserving or variance exploding) turns
//! data into noise; a network learns `s_θ(x, t) ≈ ∇log p_t(x)` by denoising score matching; and
//! data come back either by the reverse SDE `dx = [f − g²s]dt + g dW̄` (Euler–Maruyama) or by the
//! probability-flow ODE `dx/dt = f − ½g²s`, which has the same marginals and an exact
//! likelihood: `log p_0(x) = log p_1(x(1)) + ∫ ∇·(f − ½g²s)(x(t), t) dt` along its path, the
//! divergence computed exactly in 2-D from one input gradient per coordinate.

use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::Distribution;
use serde::{Deserialize, Serialize};

use crate::family::{
    DensityBudget, Family, FamilyConfig, FieldTruth, NoiseLevel, StepStats, ViewInfo, ViewInput,
    ViewKind, ViewParameter,
};
use crate::models::conditional::ConditionalMlp;
use crate::models::math::{LOG_TWO_PI, descend, input_gradient};
use crate::options::{OptionError, check_network, check_range};
use crate::session::{Batches, TrainingConfig};

/// Smallest time used: the score is singular at t = 0.
pub const T_MIN: f32 = 1e-3;

/// A forward SDE with linear drift `f(x, t) = a(t)·x`.
pub trait Sde: Send + Sync {
    /// `(m(t), σ(t))` with `x_t | x_0 ~ N(m x_0, σ² I)`.
    fn marginal(&self, t: f32) -> (f32, f32);
    /// `a(t)` in `f(x, t) = a(t)·x`.
    fn drift_rate(&self, t: f32) -> f32;
    /// `g(t)²`.
    fn diffusion_squared(&self, t: f32) -> f32;
    /// `(m(t), σ(t))` for a column of times `t: [n, 1]`, on the device.
    fn marginal_tensor(&self, t: Tensor<2>) -> (Tensor<2>, Tensor<2>);
}

/// Variance preserving: `dx = −½β(t)x dt + √β(t) dW`, `β(t) = β_min + t(β_max − β_min)`, so
/// `m = exp(−½∫₀ᵗβ)` and `σ² = 1 − m²`; the prior is `N(0, I)`.
pub struct VpSde {
    /// β(0).
    pub beta_min: f32,
    /// β(1).
    pub beta_max: f32,
}

/// Variance exploding: `dx = √(dσ²/dt) dW` with `σ(t) = σ_min (σ_max/σ_min)^t`, so `m = 1` and
/// the added variance is `σ(t)² − σ_min²`; the prior is `N(0, (σ_max² − σ_min²) I)`.
pub struct VeSde {
    /// σ(0).
    pub sigma_min: f32,
    /// σ(1).
    pub sigma_max: f32,
}

impl Sde for VpSde {
    fn marginal(&self, t: f32) -> (f32, f32) {
        let integral = self.beta_min * t + 0.5 * t * t * (self.beta_max - self.beta_min);
        let m = (-0.5 * integral).exp();
        (m, (1.0 - m * m).max(0.0).sqrt())
    }
    fn drift_rate(&self, t: f32) -> f32 {
        -0.5 * (self.beta_min + t * (self.beta_max - self.beta_min))
    }
    fn diffusion_squared(&self, t: f32) -> f32 {
        self.beta_min + t * (self.beta_max - self.beta_min)
    }
    fn marginal_tensor(&self, t: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let integral =
            t.clone() * self.beta_min + t.powi_scalar(2) * (0.5 * (self.beta_max - self.beta_min));
        let m = (integral * -0.5).exp();
        (
            m.clone(),
            (m.powi_scalar(2).neg() + 1.0).clamp_min(0.0).sqrt(),
        )
    }
}

impl VeSde {
    fn sigma(&self, t: f32) -> f32 {
        self.sigma_min * (self.sigma_max / self.sigma_min).powf(t)
    }
}

impl Sde for VeSde {
    fn marginal(&self, t: f32) -> (f32, f32) {
        (
            1.0,
            (self.sigma(t).powi(2) - self.sigma_min.powi(2))
                .max(0.0)
                .sqrt(),
        )
    }
    fn drift_rate(&self, _t: f32) -> f32 {
        0.0
    }
    fn diffusion_squared(&self, t: f32) -> f32 {
        2.0 * self.sigma(t).powi(2) * (self.sigma_max / self.sigma_min).ln()
    }
    fn marginal_tensor(&self, t: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let log_ratio = (self.sigma_max / self.sigma_min).ln();
        let variance = (t.clone() * (2.0 * log_ratio) + 2.0 * self.sigma_min.ln()).exp()
            - self.sigma_min.powi(2);
        (t.ones_like(), variance.clamp_min(0.0).sqrt())
    }
}

/// `log N(x; 0, std² I)` per row, `[n, 2]` → `[n]`.
fn prior_log_density(x: Tensor<2>, std: f32) -> Tensor<1> {
    let d = x.dims()[1] as f32;
    (x.powi_scalar(2).sum_dim(1) * (-0.5 / (std * std)) - d * (std.ln() + 0.5 * LOG_TWO_PI))
        .squeeze_dim(1)
}

/// The probability-flow velocity `f − ½g²s` for a score `s(x, t)`.
fn flow_velocity<'a>(
    sde: &'a dyn Sde,
    score: &'a impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> impl Fn(Tensor<2>, f32) -> Tensor<2> + 'a {
    move |x: Tensor<2>, t: f32| {
        x.clone() * sde.drift_rate(t) - score(x, t) * (0.5 * sde.diffusion_squared(t))
    }
}

/// The exact divergence of `v` at `x: [n, 2]` (one input gradient per coordinate), `[n]`.
fn divergence(x: Tensor<2>, t: f32, v: &impl Fn(Tensor<2>, f32) -> Tensor<2>) -> Tensor<1> {
    let [n, dim] = x.dims();
    (0..dim)
        .map(|i| input_gradient(x.clone(), |x| v(x, t).narrow(1, i, 1)).narrow(1, i, 1))
        .reduce(|a, b| a + b)
        .expect("dim ≥ 1")
        .reshape([n])
}

/// `log p_0(x)` by the probability-flow ODE from `T_MIN` to 1 (midpoint rule, `steps` steps):
/// the prior's log-density at the end plus the integrated divergence. `score` must accept
/// autodiff inputs.
pub fn probability_flow_log_likelihood(
    x: Tensor<2>,
    sde: &dyn Sde,
    prior_std: f32,
    steps: usize,
    score: impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> Tensor<1> {
    let v = flow_velocity(sde, &score);
    let h = (1.0 - T_MIN) / steps as f32;
    let mut integral = Tensor::<1>::zeros([x.dims()[0]], &x.device());
    let mut x = x;
    for i in 0..steps {
        let t = T_MIN + i as f32 * h;
        let half = x.clone() + v(x.clone(), t).without_autodiff() * (h / 2.0);
        integral = integral + divergence(half.clone(), t + h / 2.0, &v) * h;
        x = x + v(half, t + h / 2.0).without_autodiff() * h;
    }
    prior_log_density(x, prior_std) + integral
}

/// Euler–Maruyama on the reverse SDE from `x` at t = 1 down to `T_MIN` in `steps` steps: the
/// state every `steps / stages` steps (`stages + 1` tensors, the start first).
pub fn reverse_sde_path(
    x: Tensor<2>,
    sde: &dyn Sde,
    steps: usize,
    stages: usize,
    score: impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> Vec<Tensor<2>> {
    let h = (1.0 - T_MIN) / steps as f32;
    let mut path = vec![x];
    let mut x = path[0].clone();
    for i in 0..steps {
        let t = 1.0 - i as f32 * h;
        let g2 = sde.diffusion_squared(t);
        let drift = x.clone() * sde.drift_rate(t) - score(x.clone(), t) * g2;
        let z = Tensor::random(x.dims(), Distribution::Normal(0.0, 1.0), &x.device());
        x = x - drift * h + z * (g2 * h).sqrt();
        if (i + 1) * stages % steps < stages {
            path.push(x.clone());
        }
    }
    path
}

/// The probability-flow ODE from `x` at t = 1 down to `T_MIN` (midpoint, `steps` steps): the
/// state every `steps / stages` steps.
pub fn probability_flow_path(
    x: Tensor<2>,
    sde: &dyn Sde,
    steps: usize,
    stages: usize,
    score: impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> Vec<Tensor<2>> {
    let v = flow_velocity(sde, &score);
    let h = -(1.0 - T_MIN) / steps as f32;
    let mut path = vec![x];
    let mut x = path[0].clone();
    for i in 0..steps {
        let t = 1.0 + i as f32 * h;
        let half = x.clone() + v(x.clone(), t) * (h / 2.0);
        x = x + v(half, t + h / 2.0) * h;
        if (i + 1) * stages % steps < stages {
            path.push(x.clone());
        }
    }
    path
}

/// The forward SDE, named in options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdeKind {
    /// [`VpSde`].
    Vp,
    /// [`VeSde`].
    Ve,
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

/// Score SDE settings. Ranges are enforced by [`FamilyConfig::validate`].
#[derive(Config, Debug)]
pub struct ScoreSdeConfig {
    /// Width of each hidden layer of the score network (1 ..= 1024).
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of the score network (1 ..= 8).
    #[config(default = 3)]
    pub depth: usize,
    /// The forward SDE.
    #[config(default = "SdeKind::Vp")]
    pub sde: SdeKind,
    /// VP: β(0) (1e-3 ..< beta_max).
    #[config(default = 0.1)]
    pub beta_min: f64,
    /// VP: β(1) (≤ 100).
    #[config(default = 20.0)]
    pub beta_max: f64,
    /// VE: σ(0) (1e-4 ..< sigma_max).
    #[config(default = 0.01)]
    pub sigma_min: f64,
    /// VE: σ(1) (≤ 100).
    #[config(default = 5.0)]
    pub sigma_max: f64,
    /// The sampler.
    #[config(default = "SdeSampler::ReverseSde")]
    pub sampler: SdeSampler,
    /// Steps of the sampler (1 ..= 2000).
    #[config(default = 200)]
    pub sample_steps: usize,
    /// Midpoint steps of the likelihood ODE (1 ..= 1000).
    #[config(default = 16)]
    pub likelihood_steps: usize,
}

impl FamilyConfig for ScoreSdeConfig {
    const SAMPLING_FIELDS: &'static [&'static str] =
        &["sampler", "sample_steps", "likelihood_steps"];

    fn defaults() -> Self {
        Self::new()
    }

    fn validate(&self) -> Result<(), OptionError> {
        check_network(self.width, self.depth)?;
        check_range("beta_max", self.beta_max, 1e-3, 100.0)?;
        check_range("beta_min", self.beta_min, 1e-3, self.beta_max)?;
        check_range("sigma_max", self.sigma_max, 1e-4, 100.0)?;
        check_range("sigma_min", self.sigma_min, 1e-4, 100.0)?;
        if self.sigma_min >= self.sigma_max {
            let why = format!(
                "must be below sigma_max ({}), got {}",
                self.sigma_max, self.sigma_min
            );
            return Err(OptionError::new("sigma_min", why));
        }
        if self.beta_min >= self.beta_max {
            let why = format!(
                "must be below beta_max ({}), got {}",
                self.beta_max, self.beta_min
            );
            return Err(OptionError::new("beta_min", why));
        }
        check_range("sample_steps", self.sample_steps, 1, 2000)?;
        check_range("likelihood_steps", self.likelihood_steps, 1, 1000)
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
    net: ConditionalMlp,
    optim: ModuleOptimizer,
    sde: std::sync::Arc<dyn Sde>,
    config: ScoreSdeConfig,
    dim: usize,
    learning_rate: f64,
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
        let net = self.net.valid();
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
            net: ConditionalMlp::new(
                dim,
                dim,
                config.width,
                config.depth,
                &device.clone().autodiff(),
            ),
            optim: AdamConfig::new().init(),
            sde,
            config: config.clone(),
            dim,
            learning_rate: training.learning_rate,
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
        let loss = (self.net.forward(xt, t) + z)
            .powi_scalar(2)
            .sum_dim(1)
            .mean();
        self.net = descend(&mut self.optim, self.learning_rate, self.net.clone(), &loss);
        StepStats(vec![("loss", loss.without_autodiff())])
    }

    fn set_sampling(&mut self, config: &Self::Config) {
        self.config = config.clone();
    }

    fn sample(&self, n: usize) -> Tensor<2> {
        self.path(n, 1).pop().expect("an end state")
    }

    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let net = self.net.valid();
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
            .then(|| self.score_with(&self.net.valid(), x, t))
    }

    fn score_probe(&self) -> Option<NoiseLevel> {
        Some(self.noise_level(SCORE_PROBE_TIME))
    }

    fn views(&self) -> Vec<ViewInfo> {
        vec![
            ViewInfo {
                name: "score",
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
            "score" => Some(self.score_with(&self.net.valid(), points, parameter.max(T_MIN))),
            "paths" => Some(Tensor::cat(self.path(PATH_POINTS, PATH_STAGES), 0)),
            "log_density" => self.log_density(points).map(|l| l.unsqueeze_dim(1)),
            _ => None,
        }
    }

    fn view_truth(&self, name: &str, parameter: f32) -> Option<FieldTruth> {
        (name == "score").then(|| FieldTruth::Score(self.noise_level(parameter.max(T_MIN))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    /// Euler–Maruyama on the forward SDE from the point `x0` for 20 000 paths: mean and
    /// variance of the first coordinate at `t`.
    fn simulate(sde: &dyn Sde, x0: f32, t: f32) -> (f32, f32) {
        let device = Device::flex();
        let steps = 400;
        let h = t / steps as f32;
        let mut x = Tensor::<2>::full([20_000, 1], x0, &device);
        for i in 0..steps {
            let s = i as f32 * h;
            let z = Tensor::random(x.dims(), Distribution::Normal(0.0, 1.0), &device);
            x = x.clone() + x * (sde.drift_rate(s) * h) + z * (sde.diffusion_squared(s) * h).sqrt();
        }
        (values(x.clone().mean())[0], values(x.var(0))[0])
    }

    #[test]
    fn vp_and_ve_marginals_match_their_formulas() {
        Device::flex().seed(41);
        let vp = VpSde {
            beta_min: 0.1,
            beta_max: 20.0,
        };
        let ve = VeSde {
            sigma_min: 0.01,
            sigma_max: 5.0,
        };
        for (sde, t) in [
            (&vp as &dyn Sde, 0.2f32),
            (&vp, 0.6),
            (&ve, 0.5),
            (&ve, 0.9),
        ] {
            let (m, std) = sde.marginal(t);
            let (mean, var) = simulate(sde, 1.5, t);
            assert!(
                (mean - 1.5 * m).abs() < 0.03 * (1.0 + std),
                "t = {t}: mean {mean} vs {}",
                1.5 * m
            );
            assert!(
                (var / (std * std) - 1.0).abs() < 0.05,
                "t = {t}: variance {var} vs {}",
                std * std
            );
            let (mt, st) = sde.marginal_tensor(Tensor::full([1, 1], t, &Device::flex()));
            assert!((values(mt)[0] - m).abs() < 1e-5 && (values(st)[0] - std).abs() < 1e-4);
        }
    }

    #[test]
    fn the_probability_flow_likelihood_of_gaussian_data_with_the_exact_score_is_exact() {
        // Data N(μ, s²I) under VP: p_t = N(mμ, (m²s² + σ²)I), score −(x − mμ)/(m²s² + σ²).
        let device = Device::flex();
        let sde = VpSde {
            beta_min: 0.1,
            beta_max: 20.0,
        };
        let (mu, s) = ([1.0f32, -0.5], 0.6f32);
        let score = |x: Tensor<2>, t: f32| {
            let (m, std) = sde.marginal(t);
            let centre =
                Tensor::<1>::from_floats([m * mu[0], m * mu[1]], &x.device()).unsqueeze::<2>();
            (x - centre) / -(m * m * s * s + std * std)
        };
        let points = vec![1.0f32, -0.5, 0.2, 0.3, 1.8, -1.2, 2.5, 0.5];
        let x = Tensor::<2>::from_data(TensorData::new(points.clone(), [4, 2]), &device);
        let got = values(probability_flow_log_likelihood(x, &sde, 1.0, 200, score));
        for (k, p) in points.chunks(2).enumerate() {
            let q = ((p[0] - mu[0]).powi(2) + (p[1] - mu[1]).powi(2)) / (s * s);
            let exact = -0.5 * q - 2.0 * s.ln() - LOG_TWO_PI;
            assert!(
                (got[k] - exact).abs() < 0.02,
                "point {k}: {} vs {exact}",
                got[k]
            );
        }
    }
}
