//! The generative adversarial network (Goodfellow et al. 2014): a generator `G(z)`, `z ~ N(0, I)`,
//! against a discriminator `D(x)` whose raw output is a logit (or a critic value).
//!
//! For a fixed generator with density `q`, the discriminator maximising
//! `V(D, G) = E_data log D(x) + E_model log(1 − D(x))` is `D*(x) = p(x)/(p(x) + q(x))`, and then
//! `V(D*, G) = 2·JS(p‖q) − log 4`: the minimax game minimises the Jensen–Shannon divergence.
//! The loss is a hook ([`GanLoss`]) chosen once from the options, never by string comparison
//! inside the step.

use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::{log_sigmoid, relu, sigmoid};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::family::{
    ActionInfo, Family, FamilyConfig, FamilyInput, StepStats, ViewInfo, ViewInput, ViewKind,
    ViewTruth, ViewUnits,
};
use crate::models::adam::Adam;
use crate::models::mlp::{Mlp, MlpConfig};
use crate::models::trained::Trained;
use crate::settings::{Choice, Setting, network_settings, settings_object};
use crate::training::{Batches, TrainingConfig};

/// A GAN objective: the discriminator's and the generator's losses from discriminator outputs
/// `[n, 1]`, both to be minimised, and the weight of a gradient penalty.
pub trait GanLoss: Sync {
    /// The discriminator's loss on outputs at data (`real`) and at generator samples (`fake`).
    fn discriminator(&self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1>;
    /// The generator's loss on the discriminator's outputs at its samples.
    fn generator(&self, fake: Tensor<2>) -> Tensor<1>;
    /// Weight λ of `E(‖∇D(x̂)‖ − 1)²` at interpolates `x̂` (WGAN-GP); 0 for none.
    fn gradient_penalty(&self) -> f32 {
        0.0
    }
    /// Whether `σ(output)` is a probability "data, not model" (the output is a logit).
    fn is_logit(&self) -> bool {
        true
    }
}

/// `−softplus(−l) = log σ(l)`: the log-probability a logit assigns to "data".
fn log_d(logits: Tensor<2>) -> Tensor<2> {
    log_sigmoid(logits)
}

/// `log(1 − σ(l)) = log σ(−l)`.
fn log_one_minus_d(logits: Tensor<2>) -> Tensor<2> {
    log_sigmoid(logits.neg())
}

/// The original minimax game: D maximises V, G minimises `E log(1 − D(G(z)))` (saturates when
/// D wins early).
pub struct Minimax;
/// The same D, with G maximising `E log D(G(z))` instead (Goodfellow's practical variant).
pub struct NonSaturating;
/// Least squares (Mao et al. 2017): D regresses data to 1 and samples to 0; G pulls to 1.
pub struct LeastSquares;
/// Wasserstein critic with gradient penalty λ = 10 (Gulrajani et al. 2017).
pub struct WassersteinGp;
/// Hinge loss (Lim & Ye 2017; Miyato et al. 2018).
pub struct Hinge;

fn bce_discriminator(real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
    (log_d(real).mean() + log_one_minus_d(fake).mean()).neg()
}

impl GanLoss for Minimax {
    fn discriminator(&self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        bce_discriminator(real, fake)
    }
    fn generator(&self, fake: Tensor<2>) -> Tensor<1> {
        log_one_minus_d(fake).mean()
    }
}

impl GanLoss for NonSaturating {
    fn discriminator(&self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        bce_discriminator(real, fake)
    }
    fn generator(&self, fake: Tensor<2>) -> Tensor<1> {
        log_d(fake).mean().neg()
    }
}

impl GanLoss for LeastSquares {
    fn discriminator(&self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        ((real - 1.0).powi_scalar(2).mean() + fake.powi_scalar(2).mean()) * 0.5
    }
    fn generator(&self, fake: Tensor<2>) -> Tensor<1> {
        (fake - 1.0).powi_scalar(2).mean() * 0.5
    }
    fn is_logit(&self) -> bool {
        false
    }
}

impl GanLoss for WassersteinGp {
    fn discriminator(&self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        fake.mean() - real.mean()
    }
    fn generator(&self, fake: Tensor<2>) -> Tensor<1> {
        fake.mean().neg()
    }
    fn gradient_penalty(&self) -> f32 {
        10.0
    }
    fn is_logit(&self) -> bool {
        false
    }
}

impl GanLoss for Hinge {
    fn discriminator(&self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        relu(real.neg() + 1.0).mean() + relu(fake + 1.0).mean()
    }
    fn generator(&self, fake: Tensor<2>) -> Tensor<1> {
        fake.mean().neg()
    }
    fn is_logit(&self) -> bool {
        false
    }
}

/// The GAN objective, named in options as a snake_case string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GanObjective {
    /// [`Minimax`].
    Minimax,
    /// [`NonSaturating`].
    NonSaturating,
    /// [`LeastSquares`].
    LeastSquares,
    /// [`WassersteinGp`].
    WganGp,
    /// [`Hinge`].
    Hinge,
}

impl Choice for GanObjective {
    const ALL: &'static [Self] = &[
        GanObjective::NonSaturating,
        GanObjective::Minimax,
        GanObjective::LeastSquares,
        GanObjective::WganGp,
        GanObjective::Hinge,
    ];
}

impl GanObjective {
    /// The loss hook.
    pub fn hook(self) -> &'static dyn GanLoss {
        match self {
            GanObjective::Minimax => &Minimax,
            GanObjective::NonSaturating => &NonSaturating,
            GanObjective::LeastSquares => &LeastSquares,
            GanObjective::WganGp => &WassersteinGp,
            GanObjective::Hinge => &Hinge,
        }
    }
}

/// GAN settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct GanConfig {
    /// Width of each hidden layer of both networks.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of both networks.
    #[config(default = 3)]
    pub depth: usize,
    /// Dimension of the generator's input noise.
    #[config(default = 2)]
    pub latent_dim: usize,
    /// The objective.
    #[config(default = "GanObjective::NonSaturating")]
    pub loss: GanObjective,
    /// Discriminator steps per generator step.
    #[config(default = 1)]
    pub d_steps: usize,
}

impl FamilyConfig for GanConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of both networks",
            "Hidden layers of both networks",
        );
        vec![
            Setting::choice::<GanObjective>("loss", "The GAN objective"),
            Setting::integer("d_steps", 1, 10, "Discriminator steps per generator step"),
            Setting::integer(
                "latent_dim",
                1,
                16,
                "Dimension of the generator's input noise",
            ),
            width,
            depth,
        ]
    }

    fn image_defaults() -> Map<String, Value> {
        settings_object(json!({"learning_rate": 2e-3, "batch_size": 128}))
    }
}

/// Half-width of the central differences of the gradient penalty, in data units.
const PENALTY_STEP: f32 = 1e-2;

/// The GAN's two networks, generator first (the weights file's order).
#[derive(Module, Debug)]
pub struct GanNetworks {
    /// Noise → samples.
    pub generator: Mlp,
    /// Samples → a logit (or a critic's score).
    pub discriminator: Mlp,
}

/// See the module documentation.
#[derive(Clone)]
pub struct Gan {
    generator: Trained<Mlp>,
    discriminator: Trained<Mlp>,
    loss: &'static dyn GanLoss,
    config: GanConfig,
    device: Device,
    /// Coordinates per data point (2, or the pixels of an image).
    dim: usize,
}

impl Gan {
    /// Generator samples with gradients to the generator: `[n, dim]`.
    fn generate(&self, n: usize) -> Tensor<2> {
        let z = Tensor::random(
            [n, self.config.latent_dim],
            Distribution::Normal(0.0, 1.0),
            &self.device,
        );
        self.generator.module.forward(z)
    }

    /// `E(‖∇ₓD(x̂)‖ − 1)²` at random interpolates of `real` and `fake`, with the input gradient
    /// by central differences (exact to O(h²); plain backpropagation then reaches D's weights
    /// without second derivatives).
    fn gradient_penalty(&self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        let [n, dim] = real.dims();
        let alpha = Tensor::<2>::random([n, 1], Distribution::Uniform(0.0, 1.0), &self.device);
        let mixed = real * alpha.clone() + fake * (alpha.neg() + 1.0); // [n, dim]
        let partials: Vec<Tensor<2>> = (0..dim)
            .map(|i| {
                let mut step = vec![0.0f32; dim];
                step[i] = PENALTY_STEP;
                let h = Tensor::<1>::from_floats(step.as_slice(), &self.device).unsqueeze::<2>(); // [1, dim]
                let up = self.discriminator.module.forward(mixed.clone() + h.clone());
                let down = self.discriminator.module.forward(mixed.clone() - h);
                (up - down) / (2.0 * PENALTY_STEP) // [n, 1]
            })
            .collect();
        let norm = Tensor::cat(partials, 1).powi_scalar(2).sum_dim(1).sqrt(); // [n, 1]
        (norm - 1.0).powi_scalar(2).mean()
    }

    /// `V(D, G)` as a statistic where it is the game's value: only when D's output is a logit
    /// (minimax, non-saturating), where `V(D*, G) = 2·JS − log 4`; for least squares, WGAN-GP
    /// and hinge, `E log σ(D) + E log(1 − σ(D))` means nothing and is not reported.
    fn game_value(&self, value: Tensor<1>) -> Option<(&'static str, Tensor<1>)> {
        self.loss.is_logit().then_some(("value", value))
    }

    /// One discriminator step on explicit data and model samples (`[n, dim]` each); returns
    /// the loss and `V(D, G)` before the step, `[1]` each.
    pub fn discriminator_step(
        &mut self,
        real: Tensor<2>,
        fake: Tensor<2>,
    ) -> (Tensor<1>, Tensor<1>) {
        let fake = fake.detach();
        let real_out = self.discriminator.module.forward(real.clone()); // [n, 1]
        let fake_out = self.discriminator.module.forward(fake.clone());
        let value = (log_d(real_out.clone()).mean() + log_one_minus_d(fake_out.clone()).mean())
            .without_autodiff();
        let mut loss = self.loss.discriminator(real_out, fake_out);
        let lambda = self.loss.gradient_penalty();
        if lambda > 0.0 {
            loss = loss + self.gradient_penalty(real, fake) * lambda;
        }
        self.discriminator.step(&loss);
        (loss.without_autodiff(), value)
    }

    /// One discriminator step on a data batch and a fresh generator batch of the same size.
    /// The generator's batch is drawn without autodiff: D's step never reaches G's weights.
    fn discriminator_batch_step(&mut self, data: &mut Batches) -> (Tensor<1>, Tensor<1>) {
        let real = data.next();
        let fake = self.sample(real.dims()[0]).autodiff(); // [n, dim]
        self.discriminator_step(real, fake)
    }

    /// D with its weights held constant: backpropagation through it reaches its input (G's
    /// samples) but computes no gradients for its weights.
    fn frozen_critic(&self) -> Mlp {
        self.discriminator.module.clone().no_grad()
    }

    /// One generator step against the current discriminator, through [`Self::frozen_critic`];
    /// returns its loss, `[1]`.
    fn generator_step(&mut self, data: &mut Batches) -> Tensor<1> {
        let fake = self.generate(data.batch_size());
        let g_loss = self.loss.generator(self.frozen_critic().forward(fake));
        self.generator.step(&g_loss);
        g_loss.without_autodiff()
    }

    /// `σ(D(x))` (the probability of "data") for logit losses, the raw critic otherwise:
    /// `[n, dim]` → `[n, 1]`.
    pub fn discriminate(&self, x: Tensor<2>) -> Tensor<2> {
        let out = self.discriminator.module.valid().forward(x);
        if self.loss.is_logit() {
            sigmoid(out)
        } else {
            out
        }
    }
}

impl Family for Gan {
    type Config = GanConfig;
    type Networks = GanNetworks;
    const NAME: &'static str = "gan";
    const INPUT: FamilyInput = FamilyInput::Both;

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let autodiff = device.clone().autodiff();
        let adam = |net: Mlp| {
            let optim = Adam::new(0.5).init();
            Trained::with_optimizer(net, optim, training.learning_rate)
        };
        Self {
            generator: adam(
                MlpConfig::new(config.latent_dim, dim, config.width, config.depth).init(&autodiff),
            ),
            discriminator: adam(MlpConfig::new(dim, 1, config.width, config.depth).init(&autodiff)),
            loss: config.loss.hook(),
            config: config.clone(),
            device: device.clone(),
            dim,
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let mut d_stats = None;
        for _ in 0..self.config.d_steps {
            d_stats = Some(self.discriminator_batch_step(data));
        }
        let (d_loss, value) = d_stats.expect("d_steps ≥ 1");
        let g_loss = self.generator_step(data);
        let mut stats = vec![("d_loss", d_loss), ("g_loss", g_loss)];
        stats.extend(self.game_value(value));
        StepStats(stats)
    }

    fn actions(&self) -> Vec<ActionInfo> {
        vec![
            ActionInfo {
                name: "discriminator_step",
                title: "D step",
                description: "one discriminator step on a data batch and a generator batch; the \
                              generator is untouched (watch D move toward D*)",
                trains: true,
            },
            ActionInfo {
                name: "generator_step",
                title: "G step",
                description: "one generator step against the current discriminator; D is \
                              untouched (watch the samples climb D)",
                trains: true,
            },
        ]
    }

    fn act(&mut self, name: &str, data: &mut Batches) -> Option<StepStats> {
        match name {
            "discriminator_step" => {
                let (d_loss, value) = self.discriminator_batch_step(data);
                let mut stats = vec![("d_loss", d_loss)];
                stats.extend(self.game_value(value));
                Some(StepStats(stats))
            }
            "generator_step" => Some(StepStats(vec![("g_loss", self.generator_step(data))])),
            _ => None,
        }
    }

    fn networks(&self) -> GanNetworks {
        GanNetworks {
            generator: self.generator.module.clone(),
            discriminator: self.discriminator.module.clone(),
        }
    }

    fn set_networks(&mut self, networks: GanNetworks) {
        self.generator.module = networks.generator;
        self.discriminator.module = networks.discriminator;
    }

    fn sample(&self, n: usize) -> Tensor<2> {
        let z = Tensor::random(
            [n, self.config.latent_dim],
            Distribution::Normal(0.0, 1.0),
            &self.device,
        );
        self.generator.module.valid().forward(z)
    }

    /// The discriminator map on 2-D data; on images the samples themselves are the view.
    fn views(&self) -> Vec<ViewInfo> {
        if self.dim != 2 {
            return Vec::new();
        }
        let description = if self.loss.is_logit() {
            "D(x) = σ(logit): the discriminator's probability that x is data, beside the optimal \
             D*(x) = p(x)/(p(x) + q(x)) against this generator (p the data density and q a KDE \
             of 2000 generator samples, both smoothed by one kernel)"
        } else {
            "the critic's raw output (this loss has no probability): higher means more data-like"
        };
        vec![ViewInfo {
            name: "discriminator",
            units: ViewUnits::Unitless,
            title: "Discriminator",
            description,
            input: ViewInput::Grid,
            kind: if self.loss.is_logit() {
                ViewKind::Probability
            } else {
                ViewKind::Heatmap
            },
            parameter: None,
        }]
    }

    fn view(&self, name: &str, points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        (name == "discriminator" && self.dim == 2).then(|| self.discriminate(points))
    }

    /// A probability-valued discriminator is compared with the optimal one, `D* = p/(p + q)`
    /// against this generator; a critic's raw output has no such truth.
    fn view_truth(&self, name: &str, _parameter: f32) -> Option<ViewTruth> {
        (name == "discriminator" && self.dim == 2 && self.loss.is_logit())
            .then_some(ViewTruth::OptimalDiscriminator)
    }
}

#[cfg(test)]
mod tests {
    use burn::optim::GradientsParams;

    use super::*;

    #[test]
    fn the_trained_discriminator_approaches_the_optimal_one() {
        // Data N((1, 0), I) against a frozen "generator" N((−1, 0), I): D*(x) = σ(2x₁) exactly.
        // Measured: mean |D − D*| ≈ 0.02 after 600 steps (≈ 0.25 untrained).
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(7);
        let config = GanConfig::new().with_width(32).with_depth(2);
        let training = TrainingConfig::new().with_learning_rate(3e-3);
        let mut gan = Gan::init(&config, &training, 2, &device);
        let shift = Tensor::<1>::from_floats([1.0, 0.0], &device).unsqueeze::<2>(); // [1, 2]
        let normal = Distribution::Normal(0.0, 1.0);
        for _ in 0..600 {
            let real = Tensor::<2>::random([256, 2], normal, &device) + shift.clone();
            let fake = Tensor::<2>::random([256, 2], normal, &device) - shift.clone();
            gan.discriminator_step(real, fake);
        }
        let probe = Tensor::<2>::random([2000, 2], normal, &device) * 1.2; // covers both laws
        let optimal = sigmoid(probe.clone().narrow(1, 0, 1) * 2.0); // [n, 1]
        let error = (gan.discriminate(probe) - optimal).abs().mean();
        let error = error.into_data().try_into_vec_as::<f32>().unwrap()[0];
        assert!(error < 0.06, "mean |D − D*| = {error}");
    }

    #[test]
    fn the_generator_step_backpropagates_through_the_discriminator_without_its_gradients() {
        // G's step holds D's weights constant: what reaches G (the gradient at D's input) is
        // bit for bit the one through a tracked D, and no gradient is computed for D's weights
        // (3 layers: a weight and a bias each, when tracked).
        let device = Device::flex();
        let config = GanConfig::new().with_width(16).with_depth(2);
        let gan = Gan::init(&config, &TrainingConfig::new(), 2, &device);
        let input = || {
            let x = Tensor::<2>::from_floats([[0.3, -1.2], [2.0, 0.5], [-0.7, 0.1]], &gan.device);
            x.autodiff().require_grad() // [3, 2]
        };
        let (x_tracked, x_frozen) = (input(), input());
        let critic = &gan.discriminator.module;
        let tracked = gan
            .loss
            .generator(critic.forward(x_tracked.clone()))
            .backward();
        let frozen = gan.frozen_critic().forward(x_frozen.clone());
        let frozen = gan.loss.generator(frozen).backward();
        let at_input = |x: &Tensor<2>, grads| {
            let grad = x.grad(grads).expect("a gradient at D's input");
            grad.into_data().try_into_vec_as::<f32>().unwrap()
        };
        assert_eq!(at_input(&x_tracked, &tracked), at_input(&x_frozen, &frozen));
        assert_eq!(GradientsParams::from_grads(frozen, critic).len(), 0);
        assert_eq!(GradientsParams::from_grads(tracked, critic).len(), 6);
    }

    #[test]
    fn the_game_value_is_reported_only_where_the_output_is_a_logit() {
        let device = Device::flex();
        let points = crate::data::Dataset::Moons.sample(256, &mut crate::data::seeded_rng(1));
        let mut batches = Batches::upload(points, 2, 64, &device);
        for (loss, reported) in [
            (GanObjective::Minimax, true),
            (GanObjective::NonSaturating, true),
            (GanObjective::LeastSquares, false),
            (GanObjective::WganGp, false),
            (GanObjective::Hinge, false),
        ] {
            let config = GanConfig::new().with_width(8).with_depth(1).with_loss(loss);
            let mut gan = Gan::init(&config, &TrainingConfig::new(), 2, &device);
            let StepStats(step) = gan.train_step(&mut batches);
            let StepStats(act) = gan.act("discriminator_step", &mut batches).unwrap();
            for stats in [step, act] {
                let names: Vec<&str> = stats.iter().map(|(name, _)| *name).collect();
                assert_eq!(names.contains(&"value"), reported, "{loss:?}: {names:?}");
            }
        }
    }
}
