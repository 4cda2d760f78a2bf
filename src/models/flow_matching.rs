//! Flow matching with the linear (rectified-flow) probability path.
//!
//! Source `x₀ ~ N(0, I)`, data `x₁ ~ p_data`, `x_t = (1 − t)x₀ + t x₁` with `t ~ U[0, 1]`. The
//! network `v_θ(x, t)` regresses the conditional velocity `x₁ − x₀`:
//! `L(θ) = E ‖v_θ(x_t, t) − (x₁ − x₀)‖²` (Lipman et al. 2023, eq. 9 with σ_min = 0; Liu et al.
//! 2023). Its minimiser is the marginal velocity `E[x₁ − x₀ | x_t]`, whose flow carries
//! `N(0, I)` at t = 0 to the data at t = 1; sampling integrates that ODE.
//!
//! Two variants change the pairs `(x₀, x₁)`: **OT-CFM** pairs each batch's noise and data by a
//! minibatch optimal-transport plan (see [`coupling`](crate::models::coupling)), and **reflow**
//! (rectified flow) retrains on the model's own couplings `(z, ODE(z))`, which straightens the
//! paths: the straightness `∫E‖(x₁ − x₀) − v(x_t, t)‖² dt` along the ODE falls.

use burn::prelude::*;
use burn::tensor::Distribution;
use serde::{Deserialize, Serialize};

use crate::family::{
    ActionInfo, Family, FamilyConfig, NoiseLevel, StepStats, ViewInfo, ViewInput, ViewKind,
    ViewParameter, ViewTruth, ViewUnits,
};
use crate::models::coupling::sinkhorn_pairing;
use crate::models::mlp::{Mlp, MlpConfig};
use crate::models::ode::OdeSolver;
use crate::models::trained::Trained;
use crate::settings::{Choice, Setting, network_settings};
use crate::training::{Batches, TrainingConfig};

/// Flow-matching settings. Ranges are enforced by [`FamilyConfig::validate`].
#[derive(Config, Debug)]
pub struct FlowMatchingConfig {
    /// Width of each hidden layer of the velocity network.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of the velocity network.
    #[config(default = 3)]
    pub depth: usize,
    /// ODE solver used for sampling.
    #[config(default = "OdeSolver::Midpoint")]
    pub solver: OdeSolver,
    /// Solver steps from t = 0 to t = 1 when sampling.
    #[config(default = 16)]
    pub sample_steps: usize,
    /// How noise and data are paired in a batch.
    #[config(default = "Coupling::Independent")]
    pub coupling: Coupling,
}

/// The pairing of noise and data in a training batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coupling {
    /// Independent draws (plain conditional flow matching).
    Independent,
    /// The batch's entropic OT plan, rounded by row argmax (OT-CFM).
    MinibatchOt,
}

impl Choice for Coupling {
    const ALL: &'static [Self] = &[Coupling::Independent, Coupling::MinibatchOt];
}

/// ε of the minibatch OT plan, as a fraction of the batch's mean cost.
pub const OT_EPSILON: f32 = 0.05;
/// Sinkhorn sweeps of the minibatch OT plan.
pub const OT_ITERATIONS: usize = 50;
/// Pairs `(z, ODE(z))` drawn once per reflow.
pub const REFLOW_PAIRS: usize = 8192;
/// Noise points behind one straightness measurement.
pub const STRAIGHTNESS_PATHS: usize = 2000;
/// Chains shown by the paths view.
const PATH_POINTS: usize = 512;

impl FamilyConfig for FlowMatchingConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of the velocity network",
            "Hidden layers of the velocity network",
        );
        vec![
            Setting::choice::<Coupling>(
                "coupling",
                "How noise and data are paired: independently, or by the batch's optimal transport plan",
            ),
            Setting::choice::<OdeSolver>("solver", "ODE solver used to sample").for_sampling(),
            Setting::integer("sample_steps", 1, 1000, "Solver steps from t = 0 to t = 1")
                .for_sampling(),
            width,
            depth,
        ]
    }
}

/// A velocity network, its optimizer and its sampler.
#[derive(Clone)]
pub struct FlowMatching {
    velocity: Trained<Mlp>,
    config: FlowMatchingConfig,
    /// After a reflow: the fixed couplings `(x₀, x₁)`, `[REFLOW_PAIRS, dim]` each.
    reflow_pairs: Option<(Tensor<2>, Tensor<2>)>,
    reflows: usize,
    device: Device,
}

impl FlowMatching {
    /// `v_θ(x, t)` for `x: [n, dim]`, `t: [n, 1]` → `[n, dim]`.
    pub fn velocity(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        self.velocity.module.forward(Tensor::cat(vec![x, t], 1)) // [n, dim + 1]
    }

    /// The training pairs for a data batch `x1: [batch, dim]`: fresh noise and the batch (OT
    /// paired if so configured), or, after a reflow, random rows of the reflow couplings.
    fn pairs(&self, x1: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [batch, dim] = x1.dims();
        if let Some((z, target)) = &self.reflow_pairs {
            let rows = Tensor::<1>::random(
                [batch],
                Distribution::Uniform(0.0, REFLOW_PAIRS as f64),
                &self.device,
            )
            .int()
            .clamp(0, REFLOW_PAIRS as i64 - 1);
            return (
                z.clone().select(0, rows.clone()),
                target.clone().select(0, rows),
            );
        }
        let x0 = Tensor::random([batch, dim], Distribution::Normal(0.0, 1.0), &self.device);
        match self.config.coupling {
            Coupling::Independent => (x0, x1),
            Coupling::MinibatchOt => (
                x0.clone(),
                sinkhorn_pairing(x0, x1, OT_EPSILON, OT_ITERATIONS),
            ),
        }
    }

    /// The conditional flow-matching loss on a data batch `x1: [batch, dim]`, shape `[1]`.
    pub fn loss(&self, x1: Tensor<2>) -> Tensor<1> {
        let batch = x1.dims()[0];
        let (x0, x1) = self.pairs(x1);
        let t = Tensor::<2>::random([batch, 1], Distribution::Uniform(0.0, 1.0), &self.device);
        let xt = x0.clone() * (t.clone().neg() + 1.0) + x1.clone() * t.clone(); // [batch, dim]
        let error = self.velocity(xt, t) - (x1 - x0); // [batch, dim]
        error.powi_scalar(2).sum_dim(1).mean() // [1]
    }

    /// Integrates the learned ODE from `x0: [n, dim]` at t = 0 to t = 1 with the configured
    /// solver and step count.
    pub fn transport(&self, x0: Tensor<2>) -> Tensor<2> {
        let net = self.velocity.module.valid();
        let n = x0.dims()[0];
        let device = self.device.clone();
        let v = |x: Tensor<2>, t: f32| {
            let t = Tensor::full([n, 1], t, &device); // [n, 1]
            net.forward(Tensor::cat(vec![x, t], 1))
        };
        self.config
            .solver
            .integrate(x0, 0.0, 1.0, self.config.sample_steps, v)
    }

    /// Rectified flow's reflow: draws [`REFLOW_PAIRS`] couplings `(z, ODE(z))` from the current
    /// model and trains on them from now on.
    pub fn reflow(&mut self) {
        let dim = self.velocity_dim();
        let z = Tensor::random(
            [REFLOW_PAIRS, dim],
            Distribution::Normal(0.0, 1.0),
            &self.device,
        );
        let x1 = self.transport(z.clone());
        self.reflow_pairs = Some((z, x1));
        self.reflows += 1;
    }

    /// How many reflows this model has had.
    pub fn reflows(&self) -> usize {
        self.reflows
    }

    /// Euler paths of the learned ODE from `x0` with `sample_steps` steps: the states, `x0`
    /// first, and the velocities used at each step.
    fn euler_path(&self, x0: Tensor<2>) -> (Vec<Tensor<2>>, Vec<Tensor<2>>) {
        let net = self.velocity.module.valid();
        let steps = self.config.sample_steps;
        let h = 1.0 / steps as f32;
        let n = x0.dims()[0];
        let mut states = vec![x0];
        let mut velocities = Vec::with_capacity(steps);
        for k in 0..steps {
            let x = states.last().expect("x0").clone();
            let t = Tensor::full([n, 1], k as f32 * h, &self.device); // [n, 1]
            let v = net.forward(Tensor::cat(vec![x.clone(), t], 1)); // [n, dim]
            states.push(x + v.clone() * h);
            velocities.push(v);
        }
        (states, velocities)
    }

    /// The straightness `∫₀¹ E‖(x₁ − x₀) − v(x_t, t)‖² dt` of the learned ODE's paths from `n`
    /// noise points, by the Euler rule with `sample_steps` steps: 0 for straight paths. `[1]`.
    pub fn straightness(&self, n: usize) -> Tensor<1> {
        let dim = self.velocity_dim();
        let x0 = Tensor::random([n, dim], Distribution::Normal(0.0, 1.0), &self.device);
        let (states, velocities) = self.euler_path(x0);
        let chord = states.last().expect("x1").clone() - states[0].clone(); // [n, dim]
        let steps = velocities.len() as f32;
        velocities
            .into_iter()
            .map(|v| (chord.clone() - v).powi_scalar(2).sum_dim(1).mean())
            .reduce(|a, b| a + b)
            .expect("sample_steps ≥ 1")
            / steps
    }
}

impl Family for FlowMatching {
    type Config = FlowMatchingConfig;
    type Networks = Mlp;
    const NAME: &'static str = "flow_matching";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let velocity = MlpConfig::new(dim + 1, dim, config.width, config.depth)
            .init(&device.clone().autodiff());
        Self {
            velocity: Trained::new(velocity, training.learning_rate),
            config: config.clone(),
            reflow_pairs: None,
            reflows: 0,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let loss = self.loss(data.next());
        self.velocity.step(&loss);
        StepStats(vec![("loss", loss.without_autodiff())])
    }

    fn networks(&self) -> Mlp {
        self.velocity.module.clone()
    }

    fn set_networks(&mut self, networks: Mlp) {
        self.velocity.module = networks;
    }

    fn set_sampling(&mut self, config: &Self::Config) {
        self.config = config.clone();
    }

    fn sample(&self, n: usize) -> Tensor<2> {
        let dim = self.velocity_dim();
        let x0 = Tensor::random([n, dim], Distribution::Normal(0.0, 1.0), &self.device);
        self.transport(x0)
    }

    /// The score of the model's marginal at time `t ∈ (0, 1)`: with `x_t = (1 − t)x₀ + t x₁` and
    /// `x₀ ~ N(0, I)`, Tweedie's formula gives `∇log p_t(x) = −E[x₀ | x_t = x]/(1 − t)` and
    /// `E[x₀ | x_t] = x_t − t v(x_t, t)`, so `s(x, t) = (t v(x, t) − x)/(1 − t)`.
    fn score(&self, x: Tensor<2>, t: f32) -> Option<Tensor<2>> {
        if !(0.0..1.0).contains(&t) {
            return None;
        }
        let n = x.dims()[0];
        let time = Tensor::full([n, 1], t, &self.device); // [n, 1]
        let v = self
            .velocity
            .module
            .valid()
            .forward(Tensor::cat(vec![x.clone(), time], 1)); // [n, dim]
        Some(score_from_velocity(x, v, t))
    }

    fn score_probe(&self) -> Option<NoiseLevel> {
        let t = SCORE_PROBE_TIME;
        Some(NoiseLevel {
            t,
            scale: t,
            sigma: 1.0 - t,
        })
    }

    /// Reflow and the straightness measurement, which change or read the model without a
    /// training step.
    fn actions(&self) -> Vec<ActionInfo> {
        vec![
            ActionInfo {
                name: "reflow",
                title: "Reflow",
                description: "rectified flow: from now on trains on 8 192 couplings (z, ODE(z)) \
                              of the current model, which straightens its paths; reports the \
                              reflows so far and the paths' straightness",
                trains: false,
            },
            ActionInfo {
                name: "measure_straightness",
                title: "Measure straightness",
                description: "∫E‖(x₁ − x₀) − v(x_t, t)‖² dt over 2 000 paths of the learned ODE \
                              (0 for straight paths); the model is unchanged",
                trains: false,
            },
        ]
    }

    fn act(&mut self, name: &str, _data: &mut Batches) -> Option<StepStats> {
        match name {
            "reflow" => {
                self.reflow();
                let reflows = Tensor::from_floats([self.reflows as f32], &self.device);
                Some(StepStats(vec![
                    ("reflows", reflows),
                    ("straightness", self.straightness(STRAIGHTNESS_PATHS)),
                ]))
            }
            "measure_straightness" => Some(StepStats(vec![(
                "straightness",
                self.straightness(STRAIGHTNESS_PATHS),
            )])),
            _ => None,
        }
    }

    fn views(&self) -> Vec<ViewInfo> {
        let steps = self.config.sample_steps as f32;
        vec![
            ViewInfo {
                name: "velocity",
                units: ViewUnits::Velocity,
                title: "Learned velocity vs the exact field",
                description: "v_θ(x, t) (dark) beside the exact marginal velocity of the linear path (green, mixtures)",
                input: ViewInput::Grid,
                kind: ViewKind::Field,
                parameter: Some(ViewParameter {
                    name: "t",
                    default: 0.5,
                    min: 0.05,
                    max: 1.0,
                }),
            },
            ViewInfo {
                name: "paths",
                units: ViewUnits::Position,
                title: "ODE paths",
                description: "512 points carried by the learned ODE (Euler steps) from noise to samples; \
                              straighter after a reflow or with OT pairing",
                input: ViewInput::State,
                kind: ViewKind::Stages,
                parameter: Some(ViewParameter {
                    name: "step",
                    default: steps,
                    min: 0.0,
                    max: steps,
                }),
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, parameter: f32) -> Option<Tensor<2>> {
        match name {
            "velocity" => {
                let n = points.dims()[0];
                let t = Tensor::full([n, 1], parameter, &self.device); // [n, 1]
                Some(
                    self.velocity
                        .module
                        .valid()
                        .forward(Tensor::cat(vec![points, t], 1)),
                ) // [n, 2]
            }
            "paths" => {
                let dim = self.velocity_dim();
                let x0 = Tensor::random(
                    [PATH_POINTS, dim],
                    Distribution::Normal(0.0, 1.0),
                    &self.device,
                );
                Some(Tensor::cat(self.euler_path(x0).0, 0))
            }
            _ => None,
        }
    }

    fn view_truth(&self, name: &str, parameter: f32) -> Option<ViewTruth> {
        (name == "velocity").then_some(ViewTruth::LinearPathVelocity(parameter.max(0.05)))
    }
}

/// Time at which the Fisher divergence compares the model's score with the exact score of the
/// correspondingly noised data (the score is singular at t = 1 and uninformative near 0).
pub const SCORE_PROBE_TIME: f32 = 0.9;

/// `s(x, t) = (t v − x)/(1 − t)`: the marginal score implied by the marginal velocity `v` of the
/// linear path from `N(0, I)` (see [`FlowMatching`]'s `score`).
pub fn score_from_velocity(x: Tensor<2>, v: Tensor<2>, t: f32) -> Tensor<2> {
    (v * t - x) / (1.0 - t)
}

impl FlowMatching {
    fn velocity_dim(&self) -> usize {
        // The network maps [x, t] (dim + 1 features) to a velocity of dim features.
        self.velocity.module.output_features()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    #[test]
    fn the_score_implied_by_the_exact_gaussian_velocity_is_the_gaussian_score() {
        // Target N(μ, s²I): p_t = N(tμ, σ_t²I), σ_t² = (1−t)² + t²s², whose velocity is
        // v = μ + ((t s² − (1 − t))/σ_t²)(x − tμ) and whose score is −(x − tμ)/σ_t².
        let device = Device::flex();
        let (mu, s, t) = ([2.0f32, -1.0], 0.5f32, 0.7f32);
        let points = vec![0.3f32, 0.1, -1.0, 2.0, 1.5, -0.5];
        let x = Tensor::<2>::from_data(TensorData::new(points.clone(), [3, 2]), &device);
        let var = (1.0 - t).powi(2) + t * t * s * s;
        let rate = (t * s * s - (1.0 - t)) / var;
        let centre = Tensor::<1>::from_floats([t * mu[0], t * mu[1]], &device).unsqueeze::<2>();
        let mu_t = Tensor::<1>::from_floats(mu, &device).unsqueeze::<2>();
        let v = mu_t + (x.clone() - centre.clone()) * rate;
        let got = score_from_velocity(x.clone(), v, t)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        let want = ((x - centre) / -var)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-5, "{got:?} vs {want:?}");
        }
    }
}
