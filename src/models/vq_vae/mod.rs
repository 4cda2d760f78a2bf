//! VQ-VAE (van den Oord et al. 2017) on grey-level images, "a VAE with a discrete z and an
//! autoregressive model running in the latent space": a convolutional encoder maps an 8×8 digit
//! to a 4×4 grid of vectors, each replaced by its nearest entry of a learned codebook (the
//! straight-through estimator carries the gradient past the rounding), and a decoder gives every
//! pixel's softmax over the grey levels. Loss: reconstruction NLL + ‖sg[z_e] − e‖² (moves the
//! codebook) + β‖z_e − sg[e]‖² (commits the encoder). A prior over the code grid, the
//! causal transformer of [`image_gpt`](crate::models::image_gpt), trains alongside on the codes
//! of each batch, so that samples exist: codes drawn from the prior, decoded, pixels drawn.
//!
//! With the deterministic encoder `q(z | x) = δ(z*(x))` the ELBO is
//! `log p(x | z*) + log p(z*)` (the KL is `−log p(z*)`), a lower bound of `log p(x)`: the
//! held-out bits/dim it gives are an upper bound, stated as such.

mod net;
mod views;

use burn::prelude::*;
use serde_json::{Map, Value, json};

use crate::data::DatasetSpec;
use crate::data::digits::{ImageSet, LEVELS};
use crate::family::{Family, FamilyConfig, FamilyInput, StepStats, ViewInfo};
use crate::models::grey_levels::{cell_centres, gumbel_max, levels_of, log_likelihood, one_hot};
use crate::models::image_gpt::ImageGptNet;
use crate::models::trained::Trained;
use crate::settings::{Setting, settings_object};
use crate::training::{Batches, TrainingConfig};
pub use net::{Quantised, VqAutoencoder, straight_through};

/// VQ-VAE settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct VqVaeConfig {
    /// Codebook entries.
    #[config(default = 16)]
    pub codes: usize,
    /// Length of each codebook vector.
    #[config(default = 8)]
    pub code_dim: usize,
    /// Feature channels of the encoder and decoder.
    #[config(default = 32)]
    pub channels: usize,
    /// β, the weight of the commitment loss.
    #[config(default = 0.25)]
    pub commitment: f64,
    /// Transformer blocks of the prior over the code grid.
    #[config(default = 2)]
    pub prior_layers: usize,
}

impl FamilyConfig for VqVaeConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        vec![
            Setting::integer(
                "codes",
                2,
                128,
                "Codebook entries: the symbols of the code grid",
            ),
            Setting::integer("code_dim", 1, 64, "Length of each codebook vector"),
            Setting::integer(
                "channels",
                1,
                128,
                "Feature channels of the encoder and decoder",
            ),
            Setting::number(
                "commitment",
                0.0,
                10.0,
                "β: how strongly the encoder's outputs are pulled to their codebook entries",
            ),
            Setting::integer(
                "prior_layers",
                1,
                6,
                "Transformer blocks of the prior over the 4×4 code grid",
            ),
        ]
    }

    fn default_dataset() -> DatasetSpec {
        DatasetSpec::Images(ImageSet::Digits)
    }

    fn image_defaults() -> Map<String, Value> {
        settings_object(json!({"learning_rate": 3e-3, "batch_size": 128}))
    }
}

/// Width and heads of the prior's transformer.
const PRIOR_WIDTH: usize = 32;
const PRIOR_HEADS: usize = 2;

/// The autoencoder (with its codebook) and the prior over its codes.
#[derive(Module, Debug)]
pub struct VqVaeNetworks {
    /// Encoder, codebook, decoder.
    pub autoencoder: VqAutoencoder,
    /// The causal transformer over the code grid in raster order.
    pub prior: ImageGptNet,
}

/// See the module documentation.
#[derive(Clone)]
pub struct VqVae {
    net: Trained<VqVaeNetworks>,
    commitment: f32,
    pixels: usize,
    device: Device,
}

/// The terms of one batch, each `[1]`.
struct Losses {
    reconstruction: Tensor<1>,
    codebook: Tensor<1>,
    commitment: Tensor<1>,
    prior: Tensor<1>,
    codes: Tensor<2>,
}

impl VqVae {
    /// The loss terms of grey levels `v: [n, P]` under `networks` (per image, averaged).
    fn losses(networks: &VqVaeNetworks, v: Tensor<2>) -> Losses {
        let n = v.dims()[0] as f32;
        let ae = &networks.autoencoder;
        let q = ae.quantise(ae.encode(v.clone(), LEVELS));
        let logits = ae.decode(straight_through(q.encoded.clone(), q.quantised.clone()));
        let squared = |d: Tensor<2>| d.powi_scalar(2).sum() / n; // [1]
        Losses {
            reconstruction: log_likelihood(logits, v).mean().neg(),
            codebook: squared(q.encoded.clone().detach() - q.quantised.clone()),
            commitment: squared(q.encoded - q.quantised.detach()),
            prior: log_likelihood(networks.prior.logits(q.codes.clone()), q.codes.clone())
                .mean()
                .neg(),
            codes: q.codes,
        }
    }

    /// Codes of grey levels `v: [n, P]`, `[n, cells]`, and `log p(v | z*) + log p(z*)`, `[n]`.
    fn elbo(&self, v: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let networks = self.net.module.valid();
        let ae = &networks.autoencoder;
        let q = ae.quantise(ae.encode(v.clone(), LEVELS));
        let reconstruction = log_likelihood(ae.decode(q.quantised), v);
        let prior = log_likelihood(networks.prior.logits(q.codes.clone()), q.codes.clone());
        (q.codes, reconstruction + prior)
    }

    /// `n` code grids drawn from the prior, `[n, cells]`.
    fn prior_codes(&self, n: usize) -> Tensor<2> {
        let networks = self.net.module.valid();
        let cells = networks.autoencoder.cells();
        networks
            .prior
            .sample_chain(n, cells, &self.device)
            .pop()
            .expect("the chain holds its end")
    }

    /// Every pixel's logits decoded from code grids `codes: [n, cells]`, `[n, P, levels]`.
    fn decode_codes(&self, codes: Tensor<2>) -> Tensor<3> {
        let [n, cells] = codes.dims();
        let ae = self.net.module.valid().autoencoder;
        ae.decode(ae.entries(codes.int().reshape([n * cells])))
    }
}

/// How many of `codes` entries the grids `codes: [n, cells]` use, and the perplexity
/// `exp(H)` of their usage (both `[1]`).
fn usage(codes: Tensor<2>, entries: usize) -> (Tensor<1>, Tensor<1>) {
    let [n, cells] = codes.dims();
    let counts = one_hot(codes, entries)
        .reshape([n * cells, entries])
        .sum_dim(0); // [1, K]
    let share = counts.clone() / (n * cells) as f32;
    let entropy = (share.clone() * share.clamp_min(1e-12).log()).sum().neg();
    (counts.greater_elem(0.0).float().sum(), entropy.exp())
}

impl Family for VqVae {
    type Config = VqVaeConfig;
    type Networks = VqVaeNetworks;
    const NAME: &'static str = "vq_vae";
    const INPUT: FamilyInput = FamilyInput::Images;

    /// `dim` must be an even square (`side²` pixels, `side` even).
    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let side = (dim as f64).sqrt().round() as usize;
        assert!(
            side * side == dim && side % 2 == 0,
            "VQ-VAE needs even square images"
        );
        let autodiff = device.clone().autodiff();
        let autoencoder = VqAutoencoder::new(
            side,
            LEVELS,
            config.channels,
            config.codes,
            config.code_dim,
            &autodiff,
        );
        let prior = ImageGptNet::new(
            config.codes,
            0,
            autoencoder.cells(),
            PRIOR_WIDTH,
            PRIOR_HEADS,
            config.prior_layers,
            &autodiff,
        );
        Self {
            net: Trained::new(VqVaeNetworks { autoencoder, prior }, training.learning_rate),
            commitment: config.commitment as f32,
            pixels: dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let v = levels_of(data.next(), LEVELS); // [batch, P]
        let losses = Self::losses(&self.net.module, v);
        let loss = losses.reconstruction.clone()
            + losses.codebook.clone()
            + losses.commitment.clone() * self.commitment
            + losses.prior.clone();
        self.net.step(&loss);
        let (used, perplexity) = usage(losses.codes.without_autodiff(), self.codes());
        let reconstruction = losses.reconstruction.without_autodiff();
        let prior = losses.prior.without_autodiff();
        let bits = (reconstruction.clone() + prior.clone())
            / (self.pixels as f32 * std::f32::consts::LN_2);
        StepStats(vec![
            ("reconstruction", reconstruction),
            ("commitment", losses.commitment.without_autodiff()),
            ("prior_nll", prior),
            ("bits_per_dim_bound", bits),
            ("codes_used", used),
            ("perplexity", perplexity),
        ])
    }

    fn networks(&self) -> VqVaeNetworks {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: VqVaeNetworks) {
        self.net.module = networks;
    }

    /// Code grids drawn from the prior, decoded, and every pixel drawn from its softmax; at the
    /// centres of their grey-level cells.
    fn sample(&self, n: usize) -> Tensor<2> {
        let logits = self.decode_codes(self.prior_codes(n)); // [n, P, levels]
        let v = gumbel_max(logits.reshape([n * self.pixels, LEVELS])).reshape([n, self.pixels]);
        cell_centres(v, LEVELS)
    }

    /// `log p(v | z*) + log p(z*) + P·ln(levels)`: the ELBO of the deterministic encoder, a
    /// lower bound of the dequantised points' log-density.
    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let (_, elbo) = self.elbo(levels_of(x, LEVELS));
        Some(elbo + self.pixels as f32 * (LEVELS as f32).ln())
    }

    fn log_density_method(&self) -> &'static str {
        "ELBO of the deterministic encoder, log p(x | z*) + log p(z*) (the decoder's softmax at \
         the image's own codes z*, the transformer prior at z*): a lower bound"
    }

    fn log_density_is_lower_bound(&self) -> bool {
        true
    }

    fn views(&self) -> Vec<ViewInfo> {
        views::views()
    }

    fn view(&self, name: &str, points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        match name {
            "reconstruction" => Some(self.reconstructions(points)),
            "codebook" => Some(self.codebook_usage(points)),
            "prior_samples" => Some(self.prior_samples()),
            _ => None,
        }
    }
}

impl VqVae {
    /// Codebook entries.
    fn codes(&self) -> usize {
        self.net.module.autoencoder.codes()
    }
}

#[cfg(test)]
mod tests;
