//! Class-conditional DDPM with classifier-free guidance (Ho & Salimans 2021) on the digits: one
//! network `ε_θ(x_t, t, y)` learns the noise given the label `y`, and, with the label dropped
//! for a tenth of the training images, given no label (`y = ∅`): the conditional and the
//! unconditional model at once. Sampling for a requested digit uses
//! `ε̃ = (1 + w)·ε_θ(x_t, t, y) − w·ε_θ(x_t, t, ∅)`: at `w = 0` the conditional model, and a
//! larger guidance scale `w` pushes samples towards what tells digit `y` apart from the others,
//! trading diversity for fidelity. The scale and the digit are sampling settings: changing them
//! needs no retraining.
//!
//! The held-out bound is the DDPM variational bound of the unconditional model (`y = ∅`).

use burn::prelude::*;
use burn::tensor::Distribution;
use serde_json::{Map, Value, json};

use crate::data::DatasetSpec;
use crate::data::digits::ImageSet;
use crate::evaluation::HELD_OUT_NLL;
use crate::family::{
    Family, FamilyConfig, FamilyInput, LikelihoodBound, StepStats, ViewInfo, ViewInput, ViewKind,
    ViewUnits,
};
use crate::models::conditional::ConditionalMlp;
use crate::models::diffusion::{
    DiffusionSampler, DiffusionTables, LinearSchedule, ddim_chain, ddpm_chain, noising_examples,
    variational_bound,
};
use crate::models::labels::{
    DIGIT_CLASSES, Digit, LABEL_DROPOUT, NO_LABEL, dropped, label_features,
};
use crate::models::tiles::tiles;
use crate::models::trained::Trained;
use crate::settings::{OptionError, Setting, network_settings, settings_object};
use crate::training::{Batches, TrainingConfig};

/// Class-conditional diffusion settings; their ranges and help texts are declared once, in
/// [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct ConditionalDiffusionConfig {
    /// Width of each hidden layer of the noise predictor.
    #[config(default = 256)]
    pub width: usize,
    /// Hidden layers of the noise predictor.
    #[config(default = 3)]
    pub depth: usize,
    /// Diffusion steps T.
    #[config(default = 100)]
    pub diffusion_steps: usize,
    /// The digit samples are asked for.
    #[config(default = "Digit::Any")]
    pub digit: Digit,
    /// The classifier-free guidance scale w.
    #[config(default = 1.0)]
    pub guidance: f64,
    /// The sampler of `sample`.
    #[config(default = "DiffusionSampler::Ddim")]
    pub sampler: DiffusionSampler,
    /// DDIM steps.
    #[config(default = 20)]
    pub ddim_steps: usize,
}

impl FamilyConfig for ConditionalDiffusionConfig {
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
            Setting::choice::<Digit>(
                "digit",
                "The digit samples are asked for (any: the unconditional model)",
            )
            .for_sampling(),
            Setting::number(
                "guidance",
                0.0,
                20.0,
                "Classifier-free guidance scale w: 0 is the conditional model; larger w, \
                 clearer digits and less variety",
            )
            .for_sampling(),
            Setting::choice::<DiffusionSampler>("sampler", "How samples are drawn").for_sampling(),
            Setting::integer("ddim_steps", 1, 1000, "DDIM steps (at most T)").for_sampling(),
            width,
            depth,
        ]
    }

    fn check_relations(&self) -> Result<(), OptionError> {
        if self.ddim_steps > self.diffusion_steps {
            let why = format!(
                "must be at most diffusion_steps ({}), got {}",
                self.diffusion_steps, self.ddim_steps
            );
            return Err(OptionError::new("ddim_steps", why));
        }
        Ok(())
    }

    fn default_dataset() -> DatasetSpec {
        DatasetSpec::Images(ImageSet::Digits)
    }

    fn image_defaults() -> Map<String, Value> {
        settings_object(json!({"learning_rate": 2e-3, "batch_size": 128}))
    }
}

/// The guidance scales of the guidance view.
const SWEEP: [f32; 4] = [0.0, 1.0, 3.0, 8.0];
/// Samples per row of the views.
const PER_ROW: usize = 8;

/// Classifier-free guidance: `(1 + w)·ε(x, t, y) − w·ε(x, t, ∅)` from the conditional and the
/// unconditional noise predictions (`[n, dim]` each).
pub fn guided(conditional: Tensor<2>, unconditional: Tensor<2>, w: f32) -> Tensor<2> {
    conditional * (1.0 + w) - unconditional * w
}

/// See the module documentation.
#[derive(Clone)]
pub struct ConditionalDiffusion {
    net: Trained<ConditionalMlp>,
    tables: DiffusionTables,
    /// `ᾱ_t` on the device, `[T]`.
    alpha_bars: Tensor<1>,
    config: ConditionalDiffusionConfig,
    dim: usize,
    device: Device,
}

impl ConditionalDiffusion {
    /// `n` samples with labels `labels: [n]` at guidance scale `w` (from the same noise shape).
    fn sample_with(&self, labels: Tensor<1>, w: f32) -> Tensor<2> {
        let n = labels.dims()[0];
        let noise = Tensor::random([n, self.dim], Distribution::Normal(0.0, 1.0), &self.device);
        self.denoise(noise, labels, w)
    }

    /// The sampler's chain from `noise: [n, dim]` for labels `labels: [n]` at guidance scale
    /// `w`; its end, `[n, dim]`.
    fn denoise(&self, noise: Tensor<2>, labels: Tensor<1>, w: f32) -> Tensor<2> {
        let n = labels.dims()[0];
        let net = self.net.module.valid();
        let big_t = self.tables.steps() as f32;
        let given = label_features(labels); // [n, 11]
        let none = label_features(Tensor::full([n], NO_LABEL as f32, &self.device));
        let eps = |x: Tensor<2>, t: usize| {
            let at = |features: Tensor<2>| {
                net.forward_at(Tensor::cat(vec![x.clone(), features], 1), t as f32 / big_t)
            };
            let conditional = at(given.clone());
            if w == 0.0 {
                conditional
            } else {
                guided(conditional, at(none.clone()), w)
            }
        };
        let chain = match self.config.sampler {
            DiffusionSampler::Ddpm => ddpm_chain(noise, &self.tables, eps),
            DiffusionSampler::Ddim => {
                ddim_chain(noise, &self.tables, self.config.ddim_steps, 0.0, eps)
            }
        };
        chain.into_iter().last().expect("x_0")
    }

    /// 8 samples of every digit at the current guidance, one row per digit, `[10, 8 · dim]`.
    fn by_digit(&self) -> Tensor<2> {
        let labels: Vec<f32> = (0..DIGIT_CLASSES * PER_ROW)
            .map(|k| (k / PER_ROW) as f32)
            .collect();
        let labels = Tensor::<1>::from_floats(labels.as_slice(), &self.device);
        tiles(
            self.sample_with(labels, self.config.guidance as f32),
            PER_ROW,
        )
    }

    /// 8 samples of the requested digit (0 for any) at each guidance scale of [`SWEEP`], one row
    /// per scale, `[4, 8 · dim]`.
    fn guidance_sweep(&self) -> Tensor<2> {
        let digit = self.config.digit.label().unwrap_or(0) as f32;
        let rows: Vec<Tensor<2>> = SWEEP
            .iter()
            .map(|w| self.sample_with(Tensor::full([PER_ROW], digit, &self.device), *w))
            .collect();
        tiles(Tensor::cat(rows, 0), PER_ROW)
    }
}

impl Family for ConditionalDiffusion {
    type Config = ConditionalDiffusionConfig;
    type Networks = ConditionalMlp;
    const NAME: &'static str = "conditional_diffusion";
    const INPUT: FamilyInput = FamilyInput::Images;

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let schedule = LinearSchedule {
            start: 1e-4,
            end: 0.02,
        };
        let tables = DiffusionTables::new(&schedule, config.diffusion_steps);
        let alpha_bars: Vec<f32> = tables.alpha_bars.iter().map(|a| *a as f32).collect();
        let net = ConditionalMlp::new(
            dim + DIGIT_CLASSES + 1,
            dim,
            config.width,
            config.depth,
            &device.clone().autodiff(),
        );
        Self {
            net: Trained::new(net, training.learning_rate),
            alpha_bars: Tensor::<1>::from_floats(alpha_bars.as_slice(), device),
            tables,
            config: config.clone(),
            dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let (x0, labels) = data.next_labelled(); // [batch, dim], [batch]
        let (xt, time, eps) = noising_examples(&self.alpha_bars, x0);
        let input = Tensor::cat(vec![xt, label_features(dropped(labels, LABEL_DROPOUT))], 1);
        let loss = (self.net.module.forward(input, time) - eps)
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

    /// Samples of the requested digit at the guidance scale (any: the unconditional model).
    fn sample(&self, n: usize) -> Tensor<2> {
        let w = match self.config.digit.label() {
            Some(_) => self.config.guidance as f32,
            None => 0.0,
        };
        self.sample_with(self.config.digit.labels(n, &self.device), w)
    }

    fn requested_digit(&self) -> Option<usize> {
        self.config.digit.label()
    }

    /// The variational bound of the unconditional model, every step summed.
    fn log_likelihood_bounds(&self, x: Tensor<2>) -> Vec<LikelihoodBound> {
        let net = self.net.module.valid();
        let big_t = self.tables.steps() as f32;
        let n = x.dims()[0];
        let none = label_features(Tensor::full([n], NO_LABEL as f32, &self.device));
        let eps = |x: Tensor<2>, t: usize| {
            net.forward_at(Tensor::cat(vec![x, none.clone()], 1), t as f32 / big_t)
        };
        vec![LikelihoodBound {
            row: HELD_OUT_NLL,
            values: variational_bound(x, &self.tables, eps),
            method: "DDPM variational bound of the unconditional model (no label), summed over \
                     all T steps, Gaussian decoder of variance β₁",
        }]
    }

    fn views(&self) -> Vec<ViewInfo> {
        vec![
            ViewInfo {
                name: "by_digit",
                units: ViewUnits::Unitless,
                title: "Asking for each digit",
                description: "8 samples for each requested digit 0 … 9 (one row each) at the \
                              current guidance scale",
                input: ViewInput::State,
                kind: ViewKind::Images,
                parameter: None,
            },
            ViewInfo {
                name: "guidance",
                units: ViewUnits::Unitless,
                title: "Guidance against variety",
                description: "8 samples of the requested digit (0 when any) at guidance w = 0, \
                              1, 3 and 8, one row each: larger w, clearer and more alike",
                input: ViewInput::State,
                kind: ViewKind::Images,
                parameter: None,
            },
        ]
    }

    fn view(&self, name: &str, _points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        match name {
            "by_digit" => Some(self.by_digit()),
            "guidance" => Some(self.guidance_sweep()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::device_rng;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn guidance_extrapolates_from_the_unconditional_prediction() {
        let device = Device::flex();
        let c = Tensor::<2>::from_floats([[1.0, -2.0]], &device);
        let u = Tensor::<2>::from_floats([[0.5, 1.0]], &device);
        assert_eq!(values(guided(c.clone(), u.clone(), 0.0)), values(c.clone()));
        // w = 2: 3·c − 2·u, by hand.
        assert_eq!(values(guided(c.clone(), u, 2.0)), vec![2.0, -8.0]);
        assert_eq!(
            values(guided(c.clone(), c.clone(), 7.0)),
            values(c),
            "no label: no push"
        );
    }

    #[test]
    fn asking_for_no_digit_is_the_unconditional_model_at_any_guidance() {
        let _rng = device_rng();
        let device = Device::flex();
        let config = ConditionalDiffusionConfig::new()
            .with_width(16)
            .with_depth(1)
            .with_ddim_steps(5);
        device.seed(6);
        let model = ConditionalDiffusion::init(&config, &TrainingConfig::new(), 4, &device);
        let none = || Tensor::full([3], NO_LABEL as f32, &device);
        let noise = Tensor::<2>::random([3, 4], Distribution::Normal(0.0, 1.0), &device);
        let plain = values(model.denoise(noise.clone(), none(), 0.0));
        let pushed = values(model.denoise(noise.clone(), none(), 5.0));
        for (a, b) in plain.iter().zip(&pushed) {
            assert!((a - b).abs() < 1e-3 * (1.0 + a.abs()), "{a} vs {b}");
        }
        assert_eq!(model.requested_digit(), None);
        let three = values(model.denoise(noise, Tensor::full([3], 3.0, &device), 5.0));
        assert!(
            three.iter().zip(&plain).any(|(a, b)| (a - b).abs() > 1e-4),
            "a label moves samples"
        );
    }
}
