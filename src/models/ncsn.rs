//! A noise-conditional score network (NCSN, Song & Ermon 2019): `s_θ(x, σ) ≈ ∇log p_σ(x)`, the
//! score of the data convolved with `N(0, σ²I)`, for a geometric ladder
//! `σ_max = σ_1 > … > σ_L = σ_min`, trained by denoising score matching: for `x̃ = x + σz` the
//! target `∇log q(x̃|x) = −(x̃ − x)/σ²` has the data score as its regression function, and the
//! loss `E σ²‖s_θ(x̃, σ) + (x̃ − x)/σ²‖²` weights every level alike. Sampling is annealed
//! Langevin dynamics down the ladder with steps `α_i = ε σ_i²/σ_L²`, then one Tweedie
//! denoising step `x + σ_L² s_θ(x, σ_L)`.

use burn::prelude::*;
use burn::tensor::Distribution;

use crate::family::{
    Family, FamilyConfig, NoiseLevel, StepStats, ViewInfo, ViewInput, ViewKind, ViewParameter,
    ViewTruth, ViewUnits,
};
use crate::models::conditional::ConditionalMlp;
use crate::models::math::langevin;
use crate::models::trained::Trained;
use crate::settings::{OptionError, Setting, below, network_settings};
use crate::training::{Batches, TrainingConfig};

/// NCSN settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct NcsnConfig {
    /// Width of each hidden layer of the score network.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of the score network.
    #[config(default = 3)]
    pub depth: usize,
    /// Largest noise level σ_max.
    #[config(default = 3.0)]
    pub sigma_max: f64,
    /// Smallest noise level σ_min.
    #[config(default = 0.05)]
    pub sigma_min: f64,
    /// Levels L of the geometric ladder.
    #[config(default = 10)]
    pub levels: usize,
    /// Langevin steps per level when sampling.
    #[config(default = 20)]
    pub steps_per_level: usize,
    /// Langevin step size ε at the smallest level.
    #[config(default = 5e-4)]
    pub step_size: f64,
}

impl FamilyConfig for NcsnConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of the score network",
            "Hidden layers of the score network",
        );
        vec![
            Setting::number("sigma_max", 1e-4, 100.0, "Largest noise level σ_max"),
            Setting::number(
                "sigma_min",
                1e-4,
                100.0,
                "Smallest noise level σ_min (below σ_max)",
            ),
            Setting::integer("levels", 2, 100, "Noise levels of the geometric ladder"),
            Setting::integer("steps_per_level", 1, 1000, "Langevin steps per noise level")
                .for_sampling(),
            Setting::number(
                "step_size",
                1e-8,
                1.0,
                "Langevin step size ε at the smallest level",
            )
            .for_sampling(),
            width,
            depth,
        ]
    }

    fn check_relations(&self) -> Result<(), OptionError> {
        below("sigma_min", self.sigma_min, "sigma_max", self.sigma_max)
    }
}

/// The ladder `σ_1 = σ_max > … > σ_L = σ_min`, geometric.
pub fn noise_ladder(sigma_max: f64, sigma_min: f64, levels: usize) -> Vec<f32> {
    let ratio = (sigma_min / sigma_max).powf(1.0 / (levels - 1) as f64);
    (0..levels)
        .map(|i| (sigma_max * ratio.powi(i as i32)) as f32)
        .collect()
}

/// The denoising score matching target `∇_x̃ log N(x̃; x, σ²I) = −(x̃ − x)/σ²`, `[n, dim]`
/// (`sigma: [n, 1]`).
pub fn dsm_target(x: Tensor<2>, noisy: Tensor<2>, sigma: Tensor<2>) -> Tensor<2> {
    (noisy - x) / sigma.powi_scalar(2).neg()
}

/// Annealed Langevin dynamics from `x` down `sigmas` with `steps` steps per level and
/// `α_i = ε σ_i²/σ_L²`, then the Tweedie step at σ_L: the state before the first level and
/// after each (the last one denoised), `levels + 1` tensors.
pub fn annealed_langevin(
    x: Tensor<2>,
    sigmas: &[f32],
    steps: usize,
    step_size: f32,
    score: impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> Vec<Tensor<2>> {
    let last = *sigmas.last().expect("at least one level");
    let mut states = vec![x];
    for &sigma in sigmas {
        let alpha = step_size * (sigma / last).powi(2);
        let x = states.last().expect("a start").clone();
        states.push(langevin(x, steps, alpha, 1.0, |x| score(x, sigma).neg()));
    }
    let x = states.pop().expect("a final state");
    states.push(x.clone() + score(x, last) * (last * last));
    states
}

/// Chains shown by the chains view.
const SHOWN_CHAINS: usize = 512;

/// See the module documentation.
#[derive(Clone)]
pub struct Ncsn {
    net: Trained<ConditionalMlp>,
    sigmas: Vec<f32>,
    /// The ladder on the device, `[L]`.
    sigma_tensor: Tensor<1>,
    config: NcsnConfig,
    dim: usize,
    device: Device,
}

impl Ncsn {
    /// The conditioning input of level σ: `log σ` rescaled to `[0, 1]` over the ladder.
    fn condition(&self, log_sigma: Tensor<2>) -> Tensor<2> {
        let (low, high) = (
            self.config.sigma_min.ln() as f32,
            self.config.sigma_max.ln() as f32,
        );
        (log_sigma - low) / (high - low)
    }

    fn score_with(&self, net: &ConditionalMlp, x: Tensor<2>, sigma: Tensor<2>) -> Tensor<2> {
        net.forward(x, self.condition(sigma.clone().log())) / sigma
    }

    /// `s_θ(x, σ)` with the evaluation network, one σ for every row.
    pub fn score_at(&self, x: Tensor<2>, sigma: f32) -> Tensor<2> {
        let n = x.dims()[0];
        let sigma = Tensor::full([n, 1], sigma, &self.device);
        self.score_with(&self.net.module.valid(), x, sigma)
    }

    /// Annealed Langevin from `N(0, σ_max² I)`: the state before and after each level.
    pub fn chains(&self, n: usize) -> Vec<Tensor<2>> {
        let start = Tensor::random(
            [n, self.dim],
            Distribution::Normal(0.0, self.config.sigma_max),
            &self.device,
        );
        let steps = self.config.steps_per_level;
        annealed_langevin(
            start,
            &self.sigmas,
            steps,
            self.config.step_size as f32,
            |x, s| self.score_at(x, s),
        )
    }
}

impl Family for Ncsn {
    type Config = NcsnConfig;
    type Networks = ConditionalMlp;
    const NAME: &'static str = "ncsn";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let sigmas = noise_ladder(config.sigma_max, config.sigma_min, config.levels);
        Self {
            net: ConditionalMlp::trained_field(
                dim,
                config.width,
                config.depth,
                training.learning_rate,
                device,
            ),
            sigma_tensor: Tensor::<1>::from_floats(sigmas.as_slice(), device),
            sigmas,
            config: config.clone(),
            dim,
            device: device.clone(),
        }
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let x = data.next(); // [batch, dim]
        let n = x.dims()[0];
        let levels = self.sigmas.len();
        let level =
            Tensor::<1>::random([n], Distribution::Uniform(0.0, levels as f64), &self.device)
                .int()
                .clamp(0, levels as i64 - 1);
        let sigma = self.sigma_tensor.clone().select(0, level).reshape([n, 1]); // [batch, 1]
        let noisy = x.clone()
            + Tensor::random([n, self.dim], Distribution::Normal(0.0, 1.0), &self.device)
                * sigma.clone();
        let target = dsm_target(x, noisy.clone(), sigma.clone());
        let error = self.score_with(&self.net.module, noisy, sigma.clone()) - target; // [batch, dim]
        let loss = (error * sigma).powi_scalar(2).sum_dim(1).mean();
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
        self.chains(n).pop().expect("a final state")
    }

    /// `s_θ(x, σ)` at noise level `σ = t` within the ladder's range.
    fn score(&self, x: Tensor<2>, t: f32) -> Option<Tensor<2>> {
        let (low, high) = (self.config.sigma_min as f32, self.config.sigma_max as f32);
        (low..=high).contains(&t).then(|| self.score_at(x, t))
    }

    fn score_probe(&self) -> Option<NoiseLevel> {
        let sigma = self.sigmas[self.sigmas.len() / 2];
        Some(NoiseLevel {
            t: sigma,
            scale: 1.0,
            sigma,
        })
    }

    fn views(&self) -> Vec<ViewInfo> {
        let (low, high) = (self.config.sigma_min as f32, self.config.sigma_max as f32);
        let levels = self.sigmas.len() as f32;
        vec![
            ViewInfo {
                name: "score",
                units: ViewUnits::Score,
                title: "Learned score vs the true score",
                description: "s_θ(x, σ) (dark) beside the exact score of the data noised by N(0, σ²I) (green, mixtures)",
                input: ViewInput::Grid,
                kind: ViewKind::Field,
                parameter: Some(ViewParameter {
                    name: "σ",
                    default: self.sigmas[self.sigmas.len() / 2],
                    min: low,
                    max: high,
                }),
            },
            ViewInfo {
                name: "chains",
                units: ViewUnits::Position,
                title: "Annealed Langevin chains",
                description: "512 chains from N(0, σ_max²I) after each noise level, the last one denoised",
                input: ViewInput::State,
                kind: ViewKind::Stages,
                parameter: Some(ViewParameter {
                    name: "level",
                    default: levels,
                    min: 0.0,
                    max: levels,
                }),
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, parameter: f32) -> Option<Tensor<2>> {
        match name {
            "score" => Some(self.score_at(points, parameter)),
            "chains" => Some(Tensor::cat(self.chains(SHOWN_CHAINS), 0)),
            _ => None,
        }
    }

    fn view_truth(&self, name: &str, parameter: f32) -> Option<ViewTruth> {
        (name == "score").then_some(ViewTruth::Score(NoiseLevel {
            t: parameter,
            scale: 1.0,
            sigma: parameter,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::GaussianMixture;
    use burn::tensor::TensorData;

    #[test]
    fn the_dsm_target_is_minus_the_noise_over_sigma_squared() {
        let device = Device::flex();
        let x = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 2.0], [1, 2]), &device);
        let noisy = Tensor::<2>::from_data(TensorData::new(vec![1.5f32, 1.0], [1, 2]), &device);
        let sigma = Tensor::<2>::from_data(TensorData::new(vec![0.5f32], [1, 1]), &device);
        let got = dsm_target(x, noisy, sigma)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        assert_eq!(got, vec![-0.5 / 0.25, 1.0 / 0.25]);
    }

    #[test]
    fn the_ladder_is_geometric_from_sigma_max_to_sigma_min() {
        let ladder = noise_ladder(3.0, 0.03, 5);
        assert!((ladder[0] - 3.0).abs() < 1e-6 && (ladder[4] - 0.03).abs() < 1e-6);
        for w in ladder.windows(2) {
            assert!((w[1] / w[0] - 0.316_227_8).abs() < 1e-5, "{ladder:?}");
        }
    }

    #[test]
    fn annealed_langevin_with_the_exact_score_samples_the_mixture() {
        // Weights 0.3 / 0.7 at (∓2, 0), covariance 0.1 I; the exact score of each noised law
        // drives the chains. The weights are settled while the modes separate, so every level
        // must equilibrate: 20 levels of 200 steps (with 8 levels of 30 steps the right-mode
        // fraction was 0.54, with 8 of 100 0.64).
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(31);
        let mixture = GaussianMixture::new(
            vec![0.3, 0.7],
            vec![[-2.0, 0.0], [2.0, 0.0]],
            vec![[0.1, 0.0, 0.0, 0.1]; 2],
        )
        .unwrap();
        let exact = |x: Tensor<2>, sigma: f32| {
            let points = x.clone().into_data().try_into_vec_as::<f32>().unwrap();
            let noised = mixture.noised(sigma as f64);
            let scores: Vec<f32> = points
                .chunks(2)
                .flat_map(|p| noised.score([p[0] as f64, p[1] as f64]).map(|v| v as f32))
                .collect();
            Tensor::<2>::from_data(TensorData::new(scores, x.dims()), &x.device())
        };
        let sigmas = noise_ladder(4.0, 0.05, 20);
        let start = Tensor::random([3000, 2], Distribution::Normal(0.0, 4.0), &device);
        let samples = annealed_langevin(start, &sigmas, 200, 1e-4, exact)
            .pop()
            .unwrap();
        let samples = samples.into_data().try_into_vec_as::<f32>().unwrap();
        let right = samples.chunks(2).filter(|p| p[0] > 0.0).count() as f32 / 3000.0;
        eprintln!("right-mode fraction {right}");
        assert!((right - 0.7).abs() < 0.05, "right-mode fraction {right}");
        let spread = samples
            .chunks(2)
            .map(|p| (p[0].abs() - 2.0).powi(2) + p[1] * p[1])
            .sum::<f32>()
            / 3000.0;
        assert!(
            (spread / 0.2 - 1.0).abs() < 0.25,
            "within-mode variance {spread} vs 0.2"
        );
    }
}
