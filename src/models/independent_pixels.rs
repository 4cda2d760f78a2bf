//! One-shot generation, the notes' foil for autoregression: every pixel drawn at once and
//! independently, `p(v) = Πᵢ pᵢ(vᵢ)`, each pixel its own softmax over the grey levels. The
//! likelihood is exact and the best such model is the product of the data's per-pixel
//! marginals; but a pixel cannot know what its neighbours drew, so where the digits disagree
//! each pixel "draws a different digit" and a sample is a blend of several (compare the
//! autoregressive families, whose pixel `i` reads every pixel before it).
//!
//! As a [`Family`] it reads images as `[n, P]` points in `[0, 1]`, grey level `v` at
//! `(v + u)/levels`, so its continuous density is `P(v)·levels^P`, exact.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, softmax};
use serde_json::{Map, Value, json};

use crate::data::DatasetSpec;
use crate::data::digits::{ImageSet, LEVELS};
use crate::family::{
    Family, FamilyConfig, FamilyInput, StepStats, ViewInfo, ViewInput, ViewKind, ViewUnits,
};
use crate::models::grey_levels::{cell_centres, gumbel_max, levels_of, log_likelihood};
use crate::models::tiles::tiles;
use crate::models::trained::Trained;
use crate::settings::{Setting, settings_object};
use crate::training::{Batches, TrainingConfig};

/// One-shot settings: none of its own (its only parameters are the per-pixel logits).
#[derive(Config, Debug)]
pub struct IndependentPixelsConfig {}

impl FamilyConfig for IndependentPixelsConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        Vec::new()
    }

    fn default_dataset() -> DatasetSpec {
        DatasetSpec::Images(ImageSet::Digits)
    }

    fn image_defaults() -> Map<String, Value> {
        settings_object(json!({"learning_rate": 3e-2, "batch_size": 128}))
    }
}

/// Every pixel's logits over the grey levels.
#[derive(Module, Debug)]
pub struct PixelLogits {
    /// `[P, levels]`, zero at the start (uniform pixels).
    logits: Param<Tensor<2>>,
}

impl PixelLogits {
    /// The logits for `n` images, `[n, P, levels]`.
    fn batch(&self, n: usize) -> Tensor<3> {
        self.logits.val().unsqueeze::<3>().repeat_dim(0, n)
    }
}

/// See the module documentation.
#[derive(Clone)]
pub struct IndependentPixels {
    net: Trained<PixelLogits>,
    pixels: usize,
}

impl IndependentPixels {
    /// The mean image `E[v]` and the per-pixel entropy over its maximum `ln levels` (white: a
    /// pixel the model cannot predict at all), as points in `[0, 1]`: `[1, 2 · P]`.
    fn marginals(&self) -> Tensor<2> {
        let logits = self.net.module.valid().logits.val(); // [P, levels]
        let p = softmax(logits.clone(), 1);
        let levels: Vec<f32> = (0..LEVELS).map(|l| l as f32).collect();
        let levels = Tensor::<1>::from_floats(levels.as_slice(), &p.device()).unsqueeze::<2>();
        let mean = (p.clone() * levels).sum_dim(1).reshape([1, self.pixels]); // [1, P]
        let entropy = (p * log_softmax(logits, 1)).sum_dim(1).neg(); // [P, 1]
        let entropy = entropy.reshape([1, self.pixels]) / (LEVELS as f32).ln();
        tiles(Tensor::cat(vec![cell_centres(mean, LEVELS), entropy], 0), 2)
    }
}

impl Family for IndependentPixels {
    type Config = IndependentPixelsConfig;
    type Networks = PixelLogits;
    const NAME: &'static str = "independent_pixels";
    const INPUT: FamilyInput = FamilyInput::Images;

    fn init(
        _config: &Self::Config,
        training: &TrainingConfig,
        dim: usize,
        device: &Device,
    ) -> Self {
        let autodiff = device.clone().autodiff();
        let logits = Param::from_tensor(Tensor::<2>::zeros([dim, LEVELS], &autodiff));
        Self {
            net: Trained::new(PixelLogits { logits }, training.learning_rate),
            pixels: dim,
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let v = levels_of(data.next(), LEVELS); // [batch, P]
        let n = v.dims()[0];
        let nll = log_likelihood(self.net.module.batch(n), v).mean().neg(); // [1]
        self.net.step(&nll);
        let nll = nll.without_autodiff();
        let bits = nll.clone() / (self.pixels as f32 * std::f32::consts::LN_2);
        StepStats(vec![("nll", nll), ("bits_per_dim", bits)])
    }

    fn networks(&self) -> PixelLogits {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: PixelLogits) {
        self.net.module = networks;
    }

    /// Every pixel of `n` images drawn at once from its own softmax (one step, no order),
    /// at the centres of their grey-level cells.
    fn sample(&self, n: usize) -> Tensor<2> {
        let logits = self
            .net
            .module
            .valid()
            .batch(n)
            .reshape([n * self.pixels, LEVELS]);
        let v = gumbel_max(logits).reshape([n, self.pixels]); // [n, P]
        cell_centres(v, LEVELS)
    }

    /// `Σᵢ log pᵢ(vᵢ) + P·ln(levels)`: the exact density of the dequantised points.
    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let v = levels_of(x, LEVELS);
        let n = v.dims()[0];
        let log_p = log_likelihood(self.net.module.valid().batch(n), v);
        Some(log_p + self.pixels as f32 * (LEVELS as f32).ln())
    }

    fn log_density_method(&self) -> &'static str {
        "exact: the product of every pixel's own softmax, times levels per pixel for the \
         dequantised points"
    }

    fn views(&self) -> Vec<ViewInfo> {
        vec![ViewInfo {
            name: "marginals",
            units: ViewUnits::Unitless,
            title: "What each pixel knows alone",
            description: "left: the mean image E[v] (a blur of every digit: all the model can \
                          say about a pixel without its neighbours); right: each pixel's \
                          entropy over ln 17 (white: unpredictable alone), where independent \
                          draws mix strokes of different digits",
            input: ViewInput::State,
            kind: ViewKind::Images,
            parameter: None,
        }]
    }

    fn view(&self, name: &str, _points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        (name == "marginals").then(|| self.marginals())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::device_rng;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    /// A one-shot model of 4 pixels whose logits are `logits` (`[4, 17]`).
    fn with_logits(logits: Vec<f32>) -> IndependentPixels {
        let device = Device::flex();
        let mut model = IndependentPixels::init(
            &IndependentPixelsConfig::new(),
            &TrainingConfig::new(),
            4,
            &device,
        );
        let tensor = Tensor::<1>::from_floats(logits.as_slice(), &device.autodiff());
        model.set_networks(PixelLogits {
            logits: Param::from_tensor(tensor.reshape([4, LEVELS])),
        });
        model
    }

    #[test]
    fn the_density_is_the_product_of_the_pixels_own_probabilities() {
        // Pixel k puts weight e^k on level k (and 1 elsewhere): p_k(v) by hand.
        let mut logits = vec![0.0f32; 4 * LEVELS];
        for k in 0..4 {
            logits[k * LEVELS + k] = k as f32;
        }
        let model = with_logits(logits);
        let v = [0.0f32, 1.0, 5.0, 3.0];
        let by_hand: f64 = (0..4)
            .map(|k| {
                let z = (LEVELS - 1) as f64 + (k as f64).exp();
                let weight = if v[k] as usize == k {
                    (k as f64).exp()
                } else {
                    1.0
                };
                (weight / z).ln() + (LEVELS as f64).ln()
            })
            .sum();
        let x: Vec<f32> = v.iter().map(|l| (l + 0.5) / LEVELS as f32).collect();
        let x = Tensor::<1>::from_floats(x.as_slice(), &Device::flex()).reshape([1, 4]);
        let got = values(model.log_density(x).expect("exact"))[0] as f64;
        assert!((got - by_hand).abs() < 1e-4, "{got} vs {by_hand}");
    }

    #[test]
    fn pixels_are_drawn_independently_from_their_own_softmax() {
        let _rng = device_rng();
        Device::flex().seed(4);
        // Pixel 0 certain of level 2, pixel 1 certain of level 9, pixels 2 and 3 uniform.
        let mut logits = vec![0.0f32; 4 * LEVELS];
        logits[2] = 40.0;
        logits[LEVELS + 9] = 40.0;
        let model = with_logits(logits);
        let n = 4000;
        let v: Vec<f32> = values(model.sample(n))
            .iter()
            .map(|x| (x * LEVELS as f32).floor())
            .collect();
        assert!(v.chunks(4).all(|image| image[0] == 2.0 && image[1] == 9.0));
        let same = v.chunks(4).filter(|image| image[2] == image[3]).count() as f64 / n as f64;
        // Independent uniform pixels agree with probability 1/17 ≈ 0.059 (sd 0.0037 at n = 4000).
        assert!((same - 1.0 / 17.0).abs() < 0.02, "{same}");
    }

    #[test]
    fn the_marginals_view_shows_the_mean_and_the_relative_entropy() {
        let mut logits = vec![0.0f32; 4 * LEVELS];
        logits[16] = 40.0; // pixel 0: level 16 for sure
        let model = with_logits(logits);
        let view = values(model.marginals()); // [1, 2 · 4]
        assert!(
            (view[0] - 16.5 / 17.0).abs() < 1e-4,
            "mean of a sure level 16"
        );
        assert!(
            (view[1] - 8.5 / 17.0).abs() < 1e-4,
            "mean of a uniform pixel"
        );
        assert!(view[4].abs() < 1e-4, "a sure pixel has no entropy");
        assert!((view[5] - 1.0).abs() < 1e-4, "a uniform pixel has the most");
    }
}
