//! Adding a family, proved with one that lives only here: a Gaussian fitted by maximum
//! likelihood (its mean and log-variance the outputs of a small MLP on a constant input). Written
//! against the contract alone — its config's `settings()`, `Family` — it gets validation, the
//! schema (and so the page's controls and the generated TypeScript), a training session, the
//! divergence panel with its exact-density rows and weights files, with no edit anywhere else.
//! In the crate, the same family would add its file, one `pub mod` and one line of
//! `for_each_family!` (ARCHITECTURE.md, "Adding a family").
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::config::Config;
use burn::prelude::*;
use burn::tensor::Distribution;
use genlab::family::{Family, FamilyConfig, StepStats};
use genlab::models::math::diagonal_gaussian_log_density;
use genlab::models::mlp::{Mlp, MlpConfig};
use genlab::models::trained::Trained;
use genlab::options::LabOptions;
use genlab::schema::{FamilySchema, LabSchema};
use genlab::settings::{Setting, network_settings};
use genlab::training::{Batches, TrainingConfig};
use serde_json::json;

use common::{find, panel, session, train};

/// The example family's settings.
#[derive(Config, Debug)]
pub struct GaussianConfig {
    /// Units per hidden layer of the parameter network.
    #[config(default = 8)]
    pub width: usize,
    /// Hidden layers of the parameter network.
    #[config(default = 1)]
    pub depth: usize,
}

impl FamilyConfig for GaussianConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of the parameter network",
            "Hidden layers of the parameter network",
        );
        vec![width, depth]
    }
}

/// A diagonal Gaussian `N(μ, diag σ²)` whose `(μ, log σ²)` a network outputs from the input 1.
#[derive(Clone)]
pub struct Gaussian {
    net: Trained<Mlp>,
    dim: usize,
    device: Device,
}

impl Gaussian {
    /// `(μ, log σ²)`, `[1, dim]` each.
    fn parameters(&self, net: &Mlp) -> (Tensor<2>, Tensor<2>) {
        let one = Tensor::<2>::ones([1, 1], &net_device(net, &self.device));
        let out = net.forward(one); // [1, 2·dim]
        (
            out.clone().slice([0..1, 0..self.dim]),
            out.slice([0..1, self.dim..2 * self.dim]),
        )
    }
}

/// The device a network's parameters live on (autodiff for training, plain for the rest).
fn net_device(net: &Mlp, fallback: &Device) -> Device {
    net.devices().into_iter().next().unwrap_or(fallback.clone())
}

impl Family for Gaussian {
    type Config = GaussianConfig;
    type Networks = Mlp;
    const NAME: &'static str = "gaussian";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        Self {
            net: Trained::new(
                MlpConfig::new(1, 2 * dim, config.width, config.depth)
                    .init(&device.clone().autodiff()),
                training.learning_rate,
            ),
            dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let x = data.next(); // [batch, dim]
        let n = x.dims()[0];
        let (mean, log_var) = self.parameters(&self.net.module);
        let log_p =
            diagonal_gaussian_log_density(x, mean.repeat_dim(0, n), log_var.repeat_dim(0, n)); // [batch]
        let loss = -log_p.mean(); // [1]
        self.net.step(&loss);
        StepStats(vec![("nll", loss.without_autodiff())])
    }

    fn networks(&self) -> Mlp {
        self.net.module.clone()
    }

    fn set_networks(&mut self, networks: Mlp) {
        self.net.module = networks;
    }

    fn sample(&self, n: usize) -> Tensor<2> {
        let (mean, log_var) = self.parameters(&self.net.module.valid());
        let z = Tensor::random([n, self.dim], Distribution::Normal(0.0, 1.0), &self.device);
        z * (log_var * 0.5).exp().repeat_dim(0, n) + mean.repeat_dim(0, n)
    }

    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let n = x.dims()[0];
        let (mean, log_var) = self.parameters(&self.net.module.valid());
        Some(diagonal_gaussian_log_density(
            x,
            mean.repeat_dim(0, n),
            log_var.repeat_dim(0, n),
        ))
    }

    fn log_density_method(&self) -> &'static str {
        "exact, a diagonal Gaussian"
    }
}

#[test]
fn a_new_family_gets_validation_and_a_schema_from_its_settings_alone() {
    let error = LabOptions::<GaussianConfig>::parse(&json!({"width": 0})).unwrap_err();
    assert_eq!(error.field, "width");
    assert!(error.message.contains("between 1 and 1024"), "{error}");
    let mut families = genlab::models::schema().families;
    families.push(FamilySchema::of::<Gaussian>("Gaussian"));
    let schema = LabSchema::new(families);
    let json = serde_json::to_value(&schema).unwrap();
    let gaussian = json["families"].as_array().unwrap().last().unwrap();
    assert_eq!(gaussian["name"], "gaussian");
    assert_eq!(gaussian["data"], json!(["points"]));
    assert_eq!(gaussian["settings"][0]["default"], 8);
    // The page's controls and chooser are drawn from this; the generated types name it.
    let api = schema.api_typescript();
    assert!(api.contains(" | \"gaussian\";\n"), "FamilyName");
    assert!(api.contains(" | \"Gaussian\";\n"), "FamilyClassName");
    assert!(api.contains("export interface GaussianOptions extends TrainingOptions {"));
    assert!(
        api.contains("  Gaussian: GaussianOptions;\n"),
        "OptionsByClass, and so GenLab"
    );
}

#[test]
fn a_new_family_trains_in_a_session_with_the_whole_panel_and_weights_files() {
    let mixture = json!({"kind": "mixture", "weights": [1],
        "means": [[40, -25]], "covariances": [[9, 0, 0, 4]]});
    let mut s = session::<Gaussian>(
        json!({"dataset": mixture, "learning_rate": 0.02, "batch_size": 256, "seed": 3}),
    );
    let before = panel(&mut s, 1000);
    let stats = train(&mut s, 600);
    assert_eq!(stats[0].0, "nll");
    let after = panel(&mut s, 1000);
    let (kl_before, kl_after) = (
        find(&before, "KL(data‖model), Monte Carlo"),
        find(&after, "KL(data‖model), Monte Carlo"),
    );
    eprintln!("Monte Carlo KL: {} → {}", kl_before.value, kl_after.value);
    // Data N((40, −25), diag(9, 4)) is a diagonal Gaussian: the exact KL goes to 0. Measured
    // (seed 3, 600 steps, 2026-12-02): 0.427 → 0.0036; the bounds are half the start and
    // about 14× the end.
    assert!(
        kl_before.value > 0.2,
        "the untrained model is not the data: {kl_before:?}"
    );
    assert!(kl_after.value < 0.05, "{kl_before:?} → {kl_after:?}");
    let weights = pollster::block_on(s.export_weights().read()).unwrap();
    assert_eq!(weights.header.family, "gaussian");
    let mut fresh = session::<Gaussian>(json!({"dataset": mixture, "seed": 4}));
    fresh
        .import_weights(&weights)
        .expect("its own weights load");
}
