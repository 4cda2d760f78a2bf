//! image-GPT (Chen et al. 2020) on grey-level images: the image read as a 1-D sequence of
//! tokens in raster order, a small causal transformer predicting each next token from all before
//! it, `p(v) = Πᵢ p(vᵢ | v₍<ᵢ₎)`. The likelihood is exact (one pass scores every token, as
//! PixelCNN's); sampling predicts a token, appends it and runs again, so the picture appears row
//! by row. Unlike PixelCNN's fixed receptive field, attention lets pixel `i` read any pixel
//! before it, with weights that depend on the image.
//!
//! With `conditional`, a label token starts the sequence (the "no label" token for a tenth of
//! the training images, so one network learns `p(v | y)` and `p(v)`): every pixel's conditional
//! reads the digit asked for, and the likelihood stays exact for both.
//!
//! As a [`Family`] it reads images as `[n, P]` points in `[0, 1]`, grey level `v` at
//! `(v + u)/levels`, so its continuous density is `P(v)·levels^P`, exact.

mod net;

use burn::prelude::*;
use serde_json::{Map, Value, json};

use crate::data::DatasetSpec;
use crate::data::digits::{ImageSet, LEVELS};
use crate::family::{
    Family, FamilyConfig, FamilyInput, StepStats, ViewInfo, ViewInput, ViewKind, ViewParameter,
    ViewUnits,
};
use crate::models::grey_levels::{cell_centres, levels_of, log_likelihood};
use crate::models::labels::{DIGIT_CLASSES, Digit, LABEL_DROPOUT, dropped};
use crate::models::tiles::{erased_from, first_rows, tiles};
use crate::models::trained::Trained;
use crate::settings::{OptionError, Setting, settings_object};
use crate::training::{Batches, TrainingConfig};
pub use net::ImageGptNet;

/// image-GPT settings; their ranges and help texts are declared once, in
/// [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct ImageGptConfig {
    /// Width of the token, position and residual vectors.
    #[config(default = 32)]
    pub width: usize,
    /// Attention heads per block (they split the width).
    #[config(default = 2)]
    pub heads: usize,
    /// Transformer blocks.
    #[config(default = 2)]
    pub layers: usize,
    /// Whether a label token starts each sequence.
    #[config(default = false)]
    pub conditional: bool,
    /// The digit samples are asked for (conditional models only).
    #[config(default = "Digit::Any")]
    pub digit: Digit,
}

impl FamilyConfig for ImageGptConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        vec![
            Setting::integer(
                "width",
                4,
                128,
                "Width of the token and position embeddings and of every block",
            ),
            Setting::integer(
                "heads",
                1,
                8,
                "Attention heads per block; each reads a width/heads slice",
            ),
            Setting::integer(
                "layers",
                1,
                6,
                "Transformer blocks (causal self-attention, then an MLP)",
            ),
            Setting::boolean(
                "conditional",
                "Start each sequence with its digit's label token (dropped for a tenth of the \
                 images), so samples can be asked for a digit",
            ),
            Setting::choice::<Digit>(
                "digit",
                "The digit samples are asked for (any: the unconditional model)",
            )
            .for_sampling(),
        ]
    }

    fn check_relations(&self) -> Result<(), OptionError> {
        if self.width % self.heads != 0 {
            let why = format!(
                "must divide width ({}) into equal slices, got {}",
                self.width, self.heads
            );
            return Err(OptionError::new("heads", why));
        }
        if !self.conditional && self.digit != Digit::Any {
            let why = "needs conditional: true to ask for a digit".to_string();
            return Err(OptionError::new("digit", why));
        }
        Ok(())
    }

    fn default_dataset() -> DatasetSpec {
        DatasetSpec::Images(ImageSet::Digits)
    }

    fn image_defaults() -> Map<String, Value> {
        settings_object(json!({"learning_rate": 3e-3, "batch_size": 128}))
    }
}

/// Images drawn by the token-by-token view.
const PROGRESSIVE_IMAGES: usize = 16;
/// Images whose attention the attention view shows.
const ATTENDED_IMAGES: usize = 8;

/// See the module documentation.
#[derive(Clone)]
pub struct ImageGpt {
    net: Trained<ImageGptNet>,
    conditional: bool,
    digit: Digit,
    pixels: usize,
    device: Device,
}

impl ImageGpt {
    /// The start tokens of `n` samples of the requested digit (no label: any digit), `[n, 1]`.
    fn requested_start(&self, net: &ImageGptNet, n: usize) -> Tensor<2> {
        net.start_tokens(self.digit.labels(n, &self.device))
    }

    /// 16 samples after each token drawn, `[(pixels + 1) · 16, pixels]`.
    fn token_by_token(&self) -> Tensor<2> {
        let net = self.net.module.valid();
        let start = self.requested_start(&net, PROGRESSIVE_IMAGES);
        let chain = net.sample_chain_from(start, self.pixels);
        let stages: Vec<Tensor<2>> = chain
            .into_iter()
            .enumerate()
            .map(|(drawn, v)| erased_from(v, LEVELS, drawn))
            .collect();
        Tensor::cat(stages, 0)
    }

    /// Up to 8 `images` with the pixels from `pixel` on erased (what its conditional reads), and
    /// below them the first head's attention from `pixel` in the last block over the pixels
    /// before it, each map scaled so its largest weight is 1: `[2, k · pixels]`.
    fn attention(&self, images: Tensor<2>, pixel: usize) -> Tensor<2> {
        let v = levels_of(first_rows(images, ATTENDED_IMAGES), LEVELS); // [k, P]
        let [k, pixels] = v.dims();
        let pixel = pixel.min(pixels - 1);
        let weights = self.net.module.valid().last_attention(v.clone()); // [k, heads, P, P]
        // Position j holds pixel j − 1: the weights on positions 1 ..= P − 1 are pixels'.
        let row = weights
            .narrow(1, 0, 1)
            .narrow(2, pixel, 1)
            .reshape([k, pixels])
            .narrow(1, 1, pixels - 1); // [k, P − 1], pixel p at column p
        let row = Tensor::cat(vec![row, Tensor::zeros([k, 1], &self.device)], 1); // [k, P]
        let largest = row.clone().max_dim(1).clamp_min(1e-12); // [k, 1]
        let map = (row / largest).mask_fill(after(k, pixels, pixel, &self.device), f32::NAN);
        let context = erased_from(v, LEVELS, pixel);
        tiles(Tensor::cat(vec![context, map], 0), k)
    }
}

/// `[n, pixels]` true at the pixels from `from` on.
fn after(n: usize, pixels: usize, from: usize, device: &Device) -> Tensor<2, Bool> {
    Tensor::<1, Int>::arange(0..pixels as i64, device)
        .greater_equal_elem(from as i64)
        .unsqueeze::<2>()
        .repeat_dim(0, n)
}

impl Family for ImageGpt {
    type Config = ImageGptConfig;
    type Networks = ImageGptNet;
    const NAME: &'static str = "image_gpt";
    const INPUT: FamilyInput = FamilyInput::Images;

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let net = ImageGptNet::new(
            LEVELS,
            if config.conditional { DIGIT_CLASSES } else { 0 },
            dim,
            config.width,
            config.heads,
            config.layers,
            &device.clone().autodiff(),
        );
        Self {
            net: Trained::new(net, training.learning_rate),
            conditional: config.conditional,
            digit: config.digit,
            pixels: dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let net = &self.net.module;
        let (v, logits) = if self.conditional {
            let (x, labels) = data.next_labelled();
            let v = levels_of(x, LEVELS); // [batch, P]
            let start = net.start_tokens(dropped(labels, LABEL_DROPOUT)); // [batch, 1]
            (v.clone(), net.logits_from(start, v))
        } else {
            let v = levels_of(data.next(), LEVELS); // [batch, P]
            (v.clone(), net.logits(v))
        };
        let nll = log_likelihood(logits, v).mean().neg(); // [1]
        self.net.step(&nll);
        let nll = nll.without_autodiff();
        let bits = nll.clone() / (self.pixels as f32 * std::f32::consts::LN_2);
        StepStats(vec![("nll", nll), ("bits_per_dim", bits)])
    }

    fn networks(&self) -> ImageGptNet {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: ImageGptNet) {
        self.net.module = networks;
    }

    fn set_sampling(&mut self, config: &Self::Config) {
        self.digit = config.digit;
    }

    /// Images of the requested digit (any: the unconditional model) at the centres of their
    /// grey-level cells, `(v + ½)/levels`.
    fn sample(&self, n: usize) -> Tensor<2> {
        let net = self.net.module.valid();
        let start = self.requested_start(&net, n);
        let v = net
            .sample_chain_from(start, self.pixels)
            .pop()
            .expect("the chain holds its end");
        cell_centres(v, LEVELS)
    }

    fn requested_digit(&self) -> Option<usize> {
        self.digit.label()
    }

    /// `log P(v) + P·ln(levels)`: the exact density of the dequantised points.
    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let v = levels_of(x, LEVELS);
        let log_p = log_likelihood(self.net.module.valid().logits(v.clone()), v);
        Some(log_p + self.pixels as f32 * (LEVELS as f32).ln())
    }

    fn log_density_method(&self) -> &'static str {
        if self.conditional {
            "exact, of the unconditional model (the no-label start token): the product of the \
             transformer's per-token softmax conditionals, times levels per pixel for the \
             dequantised points"
        } else {
            "exact: the product of the transformer's per-token softmax conditionals, times \
             levels per pixel for the dequantised points"
        }
    }

    fn views(&self) -> Vec<ViewInfo> {
        let pixels = self.pixels as f32;
        vec![
            ViewInfo {
                name: "token_by_token",
                units: ViewUnits::Unitless,
                title: "Sampling token by token",
                description: "16 images generated as sequences: each token predicted from all \
                              before it and appended, so the picture appears row by row; stage \
                              k shows the first k tokens (not yet drawn: marked)",
                input: ViewInput::State,
                kind: ViewKind::Stages,
                parameter: Some(ViewParameter {
                    name: "token",
                    default: pixels,
                    min: 0.0,
                    max: pixels,
                }),
            },
            ViewInfo {
                name: "attention",
                units: ViewUnits::Unitless,
                title: "Where one pixel looks",
                description: "top: training digits up to the chosen pixel (the rest is what its \
                              conditional may not read); bottom: the attention of the last \
                              block's first head from that pixel over the pixels before it, \
                              each map scaled so its largest weight is white (the weight on the \
                              start token is left out)",
                input: ViewInput::Data,
                kind: ViewKind::Images,
                parameter: Some(ViewParameter {
                    name: "pixel",
                    default: (self.pixels / 2 + 4).min(self.pixels - 1) as f32,
                    min: 1.0,
                    max: pixels - 1.0,
                }),
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, parameter: f32) -> Option<Tensor<2>> {
        match name {
            "token_by_token" => Some(self.token_by_token()),
            "attention" => Some(self.attention(points, parameter.round().max(1.0) as usize)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
