//! A deterministic autoencoder: `x → z = e(x) → x̂ = d(z)`, trained on the squared
//! reconstruction error `E‖x − d(e(x))‖²`.
//!
//! It is here to show why a plain autoencoder is *not* a generative model: nothing makes the
//! codes `e(x)` follow any known law, so decoding `z ~ N(0, I)` (what [`Family::sample`] does)
//! lands wherever the decoder happens to send the prior, not on the data. The VAE fixes exactly
//! this with its KL term.

use burn::prelude::*;
use burn::tensor::Distribution;

use crate::family::{Family, FamilyConfig, StepStats, ViewInfo, ViewInput, ViewKind, ViewUnits};
use crate::models::mlp::{Mlp, MlpConfig};
use crate::models::trained::Trained;
use crate::settings::{Setting, network_settings};
use crate::training::{Batches, TrainingConfig};

/// Autoencoder settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct AutoencoderConfig {
    /// Width of each hidden layer of the encoder and of the decoder.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of the encoder and of the decoder.
    #[config(default = 3)]
    pub depth: usize,
    /// Dimension of the code `z`.
    #[config(default = 2)]
    pub latent_dim: usize,
}

impl FamilyConfig for AutoencoderConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of the encoder and of the decoder",
            "Hidden layers of the encoder and of the decoder",
        );
        vec![
            Setting::integer("latent_dim", 1, 8, "Dimension of the code z"),
            width,
            depth,
        ]
    }
}

/// Encoder and decoder, trained together.
#[derive(Module, Debug)]
pub struct EncoderDecoder {
    /// `[n, dim]` → `[n, latent_dim]` (the VAE's encoder outputs twice that: mean, log-variance).
    pub encoder: Mlp,
    /// `[n, latent_dim]` → `[n, dim]`.
    pub decoder: Mlp,
}

/// See the module documentation.
#[derive(Clone)]
pub struct Autoencoder {
    net: Trained<EncoderDecoder>,
    latent_dim: usize,
    device: Device,
}

impl Autoencoder {
    /// The codes `e(x)`: `[n, dim]` → `[n, latent_dim]`.
    pub fn encode(&self, x: Tensor<2>) -> Tensor<2> {
        self.net.module.encoder.valid().forward(x)
    }

    /// The decodings `d(z)`: `[n, latent_dim]` → `[n, dim]`.
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        self.net.module.decoder.valid().forward(z)
    }

    /// Mean squared reconstruction error `E‖x − d(e(x))‖²` of a batch `[batch, dim]` → `[1]`.
    pub fn reconstruction_error(&self, x: Tensor<2>) -> Tensor<1> {
        let reconstructed = self.decode(self.encode(x.clone()));
        (reconstructed - x).powi_scalar(2).sum_dim(1).mean()
    }
}

impl Family for Autoencoder {
    type Config = AutoencoderConfig;
    type Networks = EncoderDecoder;
    const NAME: &'static str = "autoencoder";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let autodiff = device.clone().autodiff();
        let (width, depth, latent) = (config.width, config.depth, config.latent_dim);
        Self {
            net: Trained::new(
                EncoderDecoder {
                    encoder: MlpConfig::new(dim, latent, width, depth).init(&autodiff),
                    decoder: MlpConfig::new(latent, dim, width, depth).init(&autodiff),
                },
                training.learning_rate,
            ),
            latent_dim: latent,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let x = data.next(); // [batch, dim]
        let reconstructed = self
            .net
            .module
            .decoder
            .forward(self.net.module.encoder.forward(x.clone()));
        let loss = (reconstructed - x).powi_scalar(2).sum_dim(1).mean(); // [1]
        self.net.step(&loss);
        StepStats(vec![("reconstruction", loss.without_autodiff())])
    }

    fn networks(&self) -> EncoderDecoder {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: EncoderDecoder) {
        self.net.module = networks;
    }

    /// Decodes `z ~ N(0, I)`: *not* samples of the data, which is the lesson.
    fn sample(&self, n: usize) -> Tensor<2> {
        let z = Tensor::random(
            [n, self.latent_dim],
            Distribution::Normal(0.0, 1.0),
            &self.device,
        );
        self.decode(z)
    }

    fn views(&self) -> Vec<ViewInfo> {
        vec![
            ViewInfo {
                name: "codes",
                units: ViewUnits::Unitless,
                title: "Codes of the data",
                description: "e(x) for data x: where the encoder puts the data in latent space \
                              (first two coordinates), nothing like N(0, I)",
                input: ViewInput::Data,
                kind: ViewKind::Points,
                parameter: None,
            },
            ViewInfo {
                name: "reconstruction",
                units: ViewUnits::Position,
                title: "Reconstructions",
                description: "d(e(x)) for data x: a good autoencoder reconstructs the data well \
                              and still samples badly",
                input: ViewInput::Data,
                kind: ViewKind::Points,
                parameter: None,
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        match name {
            "codes" => Some(self.encode(points)),
            "reconstruction" => Some(self.decode(self.encode(points))),
            _ => None,
        }
    }
}
