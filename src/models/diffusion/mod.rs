//! Denoising diffusion (Ho et al. 2020) with DDIM sampling (Song et al. 2021).
//!
//! The forward chain adds Gaussian noise with variances `β_1 … β_T` (a [`BetaSchedule`] hook);
//! in closed form `q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I)`, `ᾱ_t = Π_{s≤t}(1 − β_s)`. A network
//! `ε_θ(x_t, t)` predicts the noise (`L = E‖ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t)‖²`), so
//! `−ε_θ/√(1 − ᾱ_t)` estimates the score of `q(x_t)`. DDPM samples ancestrally through all T
//! steps; DDIM takes a subsequence of S steps, deterministic at η = 0 (a discretised
//! probability-flow ODE) and as stochastic as DDPM at η = 1.

mod bound;
mod images;
mod process;

pub use bound::variational_bound;
pub use process::{
    BetaSchedule, CosineSchedule, DiffusionTables, LinearSchedule, ddim_chain, ddpm_chain, noised,
    noising_examples,
};

use burn::prelude::*;
use burn::tensor::Distribution;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::evaluation::HELD_OUT_NLL;
use crate::family::{
    Family, FamilyConfig, FamilyInput, LikelihoodBound, NoiseLevel, StepStats, ViewInfo, ViewInput,
    ViewKind, ViewParameter, ViewTruth, ViewUnits,
};
use crate::models::conditional::ConditionalMlp;
use crate::models::trained::Trained;
use crate::settings::{Choice, OptionError, Setting, below, network_settings, settings_object};
use crate::training::{Batches, TrainingConfig};

/// The schedule, named in options as a snake_case string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// [`LinearSchedule`] from `beta_start` to `beta_end`.
    Linear,
    /// [`CosineSchedule`] with s = 0.008.
    Cosine,
}

impl Choice for Schedule {
    const ALL: &'static [Self] = &[Schedule::Linear, Schedule::Cosine];
}

impl DiffusionConfig {
    /// The configured schedule hook.
    pub fn schedule(&self) -> Box<dyn BetaSchedule> {
        match self.schedule {
            Schedule::Linear => Box::new(LinearSchedule {
                start: self.beta_start,
                end: self.beta_end,
            }),
            Schedule::Cosine => Box::new(CosineSchedule { offset: 0.008 }),
        }
    }
}

/// The sampler used by `sample`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffusionSampler {
    /// Ancestral sampling through all T steps.
    Ddpm,
    /// DDIM on `ddim_steps` evenly spaced steps with stochasticity `eta`.
    Ddim,
}

impl Choice for DiffusionSampler {
    const ALL: &'static [Self] = &[DiffusionSampler::Ddpm, DiffusionSampler::Ddim];
}

/// Diffusion settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct DiffusionConfig {
    /// Width of each hidden layer of the noise predictor.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of the noise predictor.
    #[config(default = 3)]
    pub depth: usize,
    /// Diffusion steps T.
    #[config(default = 100)]
    pub diffusion_steps: usize,
    /// The β schedule.
    #[config(default = "Schedule::Linear")]
    pub schedule: Schedule,
    /// Linear schedule: β₁ as for 1 000 steps, in (0, 1) and below beta_end.
    #[config(default = 1e-4)]
    pub beta_start: f64,
    /// Linear schedule: β_T as for 1 000 steps, in (0, 1).
    #[config(default = 0.02)]
    pub beta_end: f64,
    /// The sampler of `sample`.
    #[config(default = "DiffusionSampler::Ddpm")]
    pub sampler: DiffusionSampler,
    /// DDIM steps.
    #[config(default = 20)]
    pub ddim_steps: usize,
    /// DDIM stochasticity η.
    #[config(default = 0.0)]
    pub eta: f64,
}

impl FamilyConfig for DiffusionConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of the noise predictor",
            "Hidden layers of the noise predictor",
        );
        vec![
            Setting::integer("diffusion_steps", 2, 1000, "Diffusion steps T"),
            Setting::choice::<Schedule>("schedule", "The β schedule"),
            Setting::number(
                "beta_start",
                1e-8,
                0.999,
                "Linear schedule: β₁ as for 1000 steps (below beta_end)",
            ),
            Setting::number(
                "beta_end",
                1e-8,
                0.999,
                "Linear schedule: β_T as for 1000 steps",
            ),
            Setting::choice::<DiffusionSampler>(
                "sampler",
                "How samples are drawn (changing it keeps the trained model)",
            )
            .for_sampling(),
            Setting::integer("ddim_steps", 1, 1000, "DDIM steps (at most T)").for_sampling(),
            Setting::number("eta", 0.0, 1.0, "DDIM stochasticity η (0 is deterministic)")
                .for_sampling(),
            width,
            depth,
        ]
    }

    fn check_relations(&self) -> Result<(), OptionError> {
        below("beta_start", self.beta_start, "beta_end", self.beta_end)?;
        if self.ddim_steps > self.diffusion_steps {
            let why = format!(
                "must be at most diffusion_steps ({}), got {}",
                self.diffusion_steps, self.ddim_steps
            );
            return Err(OptionError::new("ddim_steps", why));
        }
        Ok(())
    }

    fn image_defaults() -> Map<String, Value> {
        settings_object(json!({"learning_rate": 2e-3, "batch_size": 128}))
    }
}

/// Points of each reverse trajectory shown by the reverse view.
const TRAJECTORY_POINTS: usize = 512;
/// Diffusion time at which the score is compared with the exact noised-data score.
const SCORE_PROBE_FRACTION: f32 = 0.1;

/// See the module documentation.
#[derive(Clone)]
pub struct Diffusion {
    net: Trained<ConditionalMlp>,
    tables: DiffusionTables,
    /// `ᾱ_t` on the device, `[T]`.
    alpha_bars: Tensor<1>,
    config: DiffusionConfig,
    dim: usize,
    device: Device,
}

impl Diffusion {
    /// The schedule's tables.
    pub fn tables(&self) -> &DiffusionTables {
        &self.tables
    }

    /// `ε_θ(x, t)` with the evaluation network, one step `t ∈ 1 … T` for every row.
    pub fn predict_noise(&self, x: Tensor<2>, t: usize) -> Tensor<2> {
        self.net
            .module
            .valid()
            .forward_at(x, t as f32 / self.tables.steps() as f32)
    }

    /// The configured sampler's chain from `x_T`.
    pub fn chain(&self, x: Tensor<2>) -> Vec<Tensor<2>> {
        let net = self.net.module.valid();
        let big_t = self.tables.steps() as f32;
        let eps = |x: Tensor<2>, t: usize| net.forward_at(x, t as f32 / big_t);
        match self.config.sampler {
            DiffusionSampler::Ddpm => ddpm_chain(x, &self.tables, eps),
            DiffusionSampler::Ddim => ddim_chain(
                x,
                &self.tables,
                self.config.ddim_steps,
                self.config.eta as f32,
                eps,
            ),
        }
    }

    /// The reverse-chain view: the sampler's states from noise (stage 0) to samples, one stage
    /// per sampler step.
    fn reverse_view(&self, title: &'static str, description: &'static str) -> ViewInfo {
        let stages = self.sampler_steps() as f32;
        ViewInfo {
            name: "reverse",
            units: ViewUnits::Position,
            title,
            description,
            input: ViewInput::State,
            kind: ViewKind::Stages,
            parameter: Some(ViewParameter {
                name: "step",
                default: stages,
                min: 0.0,
                max: stages,
            }),
        }
    }

    fn sampler_steps(&self) -> usize {
        match self.config.sampler {
            DiffusionSampler::Ddpm => self.tables.steps(),
            DiffusionSampler::Ddim => self.config.ddim_steps,
        }
    }
}

impl Family for Diffusion {
    type Config = DiffusionConfig;
    type Networks = ConditionalMlp;
    const NAME: &'static str = "diffusion";
    const INPUT: FamilyInput = FamilyInput::Both;

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let tables = DiffusionTables::new(config.schedule().as_ref(), config.diffusion_steps);
        let alpha_bars: Vec<f32> = tables.alpha_bars.iter().map(|a| *a as f32).collect();
        Self {
            net: ConditionalMlp::trained_field(
                dim,
                config.width,
                config.depth,
                training.learning_rate,
                device,
            ),
            alpha_bars: Tensor::<1>::from_floats(alpha_bars.as_slice(), device),
            tables,
            config: config.clone(),
            dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let (xt, time, eps) = noising_examples(&self.alpha_bars, data.next()); // [batch, ·]
        let loss = (self.net.module.forward(xt, time) - eps)
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
        let noise = Tensor::random([n, self.dim], Distribution::Normal(0.0, 1.0), &self.device);
        self.chain(noise).pop().expect("x_0")
    }

    /// The implied score `−ε_θ(x, t)/√(1 − ᾱ_t)` at diffusion time `t ∈ (0, 1]` (step `tT`).
    fn score(&self, x: Tensor<2>, t: f32) -> Option<Tensor<2>> {
        let step = self.tables.step_at(t);
        (step >= 1).then(|| {
            self.predict_noise(x, step) / -(1.0 - self.tables.alpha_bar(step)).sqrt() as f32
        })
    }

    fn score_probe(&self) -> Option<NoiseLevel> {
        Some(
            self.tables
                .noise_level(self.tables.step_at(SCORE_PROBE_FRACTION).max(1)),
        )
    }

    /// The variational bound, every step summed (see [`variational_bound`]).
    fn log_likelihood_bounds(&self, x: Tensor<2>) -> Vec<LikelihoodBound> {
        let net = self.net.module.valid();
        let big_t = self.tables.steps() as f32;
        vec![LikelihoodBound {
            row: HELD_OUT_NLL,
            values: variational_bound(x, &self.tables, |x, t| net.forward_at(x, t as f32 / big_t)),
            method: "DDPM variational bound summed over all T steps, Gaussian decoder of \
                     variance β₁",
        }]
    }

    fn views(&self) -> Vec<ViewInfo> {
        if self.dim != 2 {
            return self.image_views();
        }
        vec![
            ViewInfo {
                name: "forward",
                units: ViewUnits::Position,
                title: "Forward noising",
                description: "data x₀ noised to x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε at the chosen t",
                input: ViewInput::Data,
                kind: ViewKind::Points,
                parameter: Some(ViewParameter {
                    name: "t",
                    default: 0.3,
                    min: 0.0,
                    max: 1.0,
                }),
            },
            self.reverse_view(
                "Reverse chain, step by step",
                "512 chains of the sampler from noise (step 0) to samples; slide through the steps",
            ),
            ViewInfo {
                name: "score",
                units: ViewUnits::Score,
                title: "Implied score vs the true score",
                description: "−ε_θ(x, t)/√(1 − ᾱ_t) (dark) beside the exact score of the noised data (green, mixtures)",
                input: ViewInput::Grid,
                kind: ViewKind::Field,
                parameter: Some(ViewParameter {
                    name: "t",
                    default: 0.1,
                    min: 0.01,
                    max: 1.0,
                }),
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, parameter: f32) -> Option<Tensor<2>> {
        if self.dim != 2 {
            return self.image_view(name, points, parameter);
        }
        match name {
            "forward" => {
                let step = self.tables.step_at(parameter);
                let level = self.tables.noise_level(step);
                let eps =
                    Tensor::random(points.dims(), Distribution::Normal(0.0, 1.0), &self.device);
                Some(points * level.scale + eps * level.sigma)
            }
            "reverse" => {
                let noise = Tensor::random(
                    [TRAJECTORY_POINTS, self.dim],
                    Distribution::Normal(0.0, 1.0),
                    &self.device,
                );
                Some(Tensor::cat(self.chain(noise), 0))
            }
            "score" => self.score(points, parameter.max(1.0 / self.tables.steps() as f32)),
            _ => None,
        }
    }

    fn view_truth(&self, name: &str, parameter: f32) -> Option<ViewTruth> {
        let step = self.tables.step_at(parameter).max(1);
        (name == "score").then(|| ViewTruth::Score(self.tables.noise_level(step)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_schedules_and_step_counts_are_rejected_by_name() {
        let base = DiffusionConfig::new();
        for (config, field) in [
            (base.clone().with_beta_end(1.5), "beta_end"),
            (base.clone().with_beta_start(0.0), "beta_start"),
            (base.clone().with_beta_start(0.03), "beta_start"),
            (base.clone().with_diffusion_steps(0), "diffusion_steps"),
            (base.clone().with_ddim_steps(0), "ddim_steps"),
            (base.clone().with_ddim_steps(101), "ddim_steps"),
            (base.clone().with_eta(2.0), "eta"),
        ] {
            assert_eq!(config.validate().unwrap_err().field, field);
        }
        assert!(base.validate().is_ok());
    }
}
