//! An energy-based model `p(x) = exp(−E(x))/Z` with an MLP energy, trained by contrastive
//! divergence against persistent Langevin chains (Tieleman 2008; Du & Mordatch 2019).
//!
//! The log-likelihood gradient is `−E_data ∇E + E_model ∇E`; the model expectation uses
//! negatives from a replay buffer of chains, each training step continuing one slice of them by
//! `langevin_steps` of `x ← x − (ε/2)∇E + noise·√ε·z` (a few restart from uniform noise). A small
//! penalty `α(E_data² + E_chains²)` keeps energies near zero. In 2-D the normaliser is computed
//! by quadrature on a grid over the data's window, so the density, and every divergence from it,
//! is exact up to that grid (and restricted to that window).
//!
//! Short-run chains do not mix between distant modes, so the training chains are not samples of
//! the model (they lag it). [`Family::sample`] therefore draws exactly from the model's own
//! density on the quadrature grid (a cell by its mass, a point uniformly within it) and then runs
//! `sample_steps` Langevin steps from there, which keep the law (up to Langevin's O(ε) bias) and
//! smooth away the cells: samples agree with the density the panel measures. Only in low
//! dimension can the normaliser, and so this warm start, be computed; the chains view shows what
//! Langevin alone achieves.

use burn::prelude::*;
use burn::tensor::Distribution;

use crate::data::Bounds;
use crate::evaluation::cell_centres;
use crate::family::{
    ActionInfo, Family, FamilyConfig, NoiseLevel, StepStats, ViewInfo, ViewInput, ViewKind,
    ViewUnits,
};
use crate::models::math::{input_gradient, langevin, log_sum_exp};
use crate::models::mlp::{Mlp, MlpConfig};
use crate::models::trained::Trained;
use crate::settings::{Setting, network_settings};
use crate::training::{Batches, TrainingConfig};

/// EBM settings; their ranges and help texts are declared once, in [`FamilyConfig::settings`].
#[derive(Config, Debug)]
pub struct EbmConfig {
    /// Width of each hidden layer of the energy network.
    #[config(default = 128)]
    pub width: usize,
    /// Hidden layers of the energy network.
    #[config(default = 3)]
    pub depth: usize,
    /// Langevin steps per training step on the persistent chains.
    #[config(default = 20)]
    pub langevin_steps: usize,
    /// Langevin step size ε.
    #[config(default = 0.01)]
    pub step_size: f64,
    /// Multiplier of the Langevin noise √ε·z.
    #[config(default = 1.0)]
    pub noise: f64,
    /// Langevin steps from exact draws of the grid density when sampling.
    #[config(default = 20)]
    pub sample_steps: usize,
    /// Weight α of the energy-magnitude penalty.
    #[config(default = 0.1)]
    pub energy_penalty: f64,
}

impl FamilyConfig for EbmConfig {
    fn defaults() -> Self {
        Self::new()
    }

    fn settings() -> Vec<Setting> {
        let [width, depth] = network_settings(
            "Units per hidden layer of the energy network",
            "Hidden layers of the energy network",
        );
        vec![
            Setting::integer("langevin_steps", 1, 200, "Langevin steps per training step"),
            Setting::number("step_size", 1e-5, 1.0, "Langevin step size ε"),
            Setting::number(
                "noise",
                0.0,
                1.0,
                "Langevin noise multiplier (1 is exact Langevin)",
            ),
            Setting::integer(
                "sample_steps",
                0,
                1000,
                "Langevin steps from exact grid draws when sampling",
            )
            .for_sampling(),
            Setting::number(
                "energy_penalty",
                0.0,
                10.0,
                "Weight α of the energy-magnitude penalty",
            ),
            width,
            depth,
        ]
    }
}

/// Training batches' worth of persistent chains.
const CHAIN_SLICES: usize = 16;
/// Fraction of a slice restarted from uniform noise at each step.
const RESTART: f64 = 0.05;
/// Cells per axis of the quadrature grid of the normaliser.
pub const QUADRATURE_RESOLUTION: usize = 128;
/// Chains shown by the chains view.
const SHOWN_CHAINS: usize = 2048;

/// See the module documentation.
#[derive(Clone)]
pub struct Ebm {
    energy: Trained<Mlp>,
    /// Persistent chains, `[CHAIN_SLICES · batch, dim]`, on the plain device.
    chains: Tensor<2>,
    slice: usize,
    bounds: Bounds,
    config: EbmConfig,
    device: Device,
}

impl Ebm {
    /// `E(x)`: `[n, dim]` → `[n, 1]`.
    pub fn energy(&self, x: Tensor<2>) -> Tensor<2> {
        self.energy.module.valid().forward(x)
    }

    /// `∇ₓE(x)`: `[n, dim]` → `[n, dim]`.
    pub fn energy_gradient(&self, x: Tensor<2>) -> Tensor<2> {
        let net = self.energy.module.valid();
        input_gradient(x, |x| net.forward(x))
    }

    /// `log Z` over the window by the midpoint rule on a
    /// [`QUADRATURE_RESOLUTION`]² grid, `[1]`.
    pub fn log_partition(&self) -> Tensor<1> {
        let centres = cell_centres(self.bounds, QUADRATURE_RESOLUTION);
        let cells = centres.len() / 2;
        let grid = Tensor::<1>::from_floats(centres.as_slice(), &self.device).reshape([cells, 2]);
        let b = self.bounds;
        let cell_area = (b.x_max - b.x_min) * (b.y_max - b.y_min) / cells as f32;
        let neg_energy = self.energy(grid).neg().reshape([1, cells]); // [1, cells]
        log_sum_exp(neg_energy, 1).reshape([1]) + cell_area.ln()
    }

    fn uniform_in_window(&self, n: usize) -> Tensor<2> {
        let b = self.bounds;
        let x = Tensor::<2>::random(
            [n, 1],
            Distribution::Uniform(b.x_min as f64, b.x_max as f64),
            &self.device,
        );
        let y = Tensor::<2>::random(
            [n, 1],
            Distribution::Uniform(b.y_min as f64, b.y_max as f64),
            &self.device,
        );
        Tensor::cat(vec![x, y], 1) // [n, 2]
    }

    /// `n` exact draws from `exp(−E)/Z` on the quadrature grid: a row by its mass, a cell of it
    /// by its share of the row (inverse CDFs; the cumulative sums as products with a triangle of
    /// ones, which every backend has), then a uniform point within the cell. `[n, 2]`.
    fn draw_from_grid(&self, n: usize) -> Tensor<2> {
        let side = QUADRATURE_RESOLUTION;
        let centres = cell_centres(self.bounds, side);
        let grid =
            Tensor::<1>::from_floats(centres.as_slice(), &self.device).reshape([side * side, 2]);
        let logits = self.energy(grid).neg().reshape([1, side * side]); // [1, cells]
        let mass = (logits.clone() - log_sum_exp(logits, 1))
            .exp()
            .reshape([side, side]); // [rows (y), columns (x)]
        let ones = Tensor::<2>::ones([side, side], &self.device);
        let upper = ones.triu(0); // [side, side]: upper[k, m] = 1 for k ≤ m
        let uniform = |columns| {
            Tensor::<2>::random([n, columns], Distribution::Uniform(0.0, 1.0), &self.device)
        };
        let pick = |cdf: Tensor<2>| {
            // cdf: [1 or n, side]; the index is the count of cumulative masses below u.
            let u = uniform(1).expand([n, side]); // [n, side]
            let below = u.greater(cdf.expand([n, side])).float(); // [n, side]
            below.sum_dim(1).int().clamp(0, side as i64 - 1) // [n, 1]
        };
        let rows = mass.clone().sum_dim(1).reshape([1, side]); // [1, side]
        let row = pick(rows.matmul(upper.clone())).reshape([n]); // [n]
        let within = mass.select(0, row.clone()); // [n, side]
        let within = within.clone() / within.sum_dim(1).clamp_min(f32::MIN_POSITIVE);
        let column = pick(within.matmul(upper)).reshape([n]); // [n]
        let b = self.bounds;
        let (dx, dy) = (
            (b.x_max - b.x_min) / side as f32,
            (b.y_max - b.y_min) / side as f32,
        );
        let cell = Tensor::stack::<2>(vec![column.float(), row.float()], 1); // [n, 2]
        let step = Tensor::<1>::from_floats([dx, dy], &self.device).reshape([1, 2]);
        let origin = Tensor::<1>::from_floats([b.x_min, b.y_min], &self.device).reshape([1, 2]);
        (cell + uniform(2)) * step + origin // [n, 2]
    }

    /// Langevin from `x` with the configured step size and noise, kept within a margin of the
    /// window so a chain cannot run away while the energy is still flat.
    fn run_chains(&self, x: Tensor<2>, steps: usize) -> Tensor<2> {
        let (eps, noise) = (self.config.step_size as f32, self.config.noise as f32);
        let b = self.bounds;
        let (lo, hi) = (b.x_min.min(b.y_min) - 1.0, b.x_max.max(b.y_max) + 1.0);
        langevin(x, steps, eps, noise, |x| self.energy_gradient(x)).clamp(lo, hi)
    }
}

impl Family for Ebm {
    type Config = EbmConfig;
    type Networks = Mlp;
    const NAME: &'static str = "ebm";

    fn init(config: &Self::Config, training: &TrainingConfig, dim: usize, device: &Device) -> Self {
        let bounds = training
            .dataset
            .build()
            .and_then(|source| source.model_window())
            .unwrap_or(Bounds {
                x_min: -4.0,
                x_max: 4.0,
                y_min: -4.0,
                y_max: 4.0,
            });
        let mut ebm = Self {
            energy: Trained::new(
                MlpConfig::new(dim, 1, config.width, config.depth).init(&device.clone().autodiff()),
                training.learning_rate,
            ),
            chains: Tensor::zeros([1, dim], device),
            slice: 0,
            bounds,
            config: config.clone(),
            device: device.clone(),
        };
        ebm.chains = ebm.uniform_in_window(CHAIN_SLICES * training.batch_size);
        ebm
    }

    fn train_step(&mut self, data: &mut Batches) -> StepStats {
        let x = data.next(); // [batch, 2]
        let [batch, dim] = x.dims();
        let rows = self.slice * batch..(self.slice + 1) * batch;
        self.slice = (self.slice + 1) % CHAIN_SLICES;
        let chains = self.chains.clone().slice([rows.clone(), 0..dim]); // [batch, 2]
        let restart =
            Tensor::<2>::random([batch, 1], Distribution::Uniform(0.0, 1.0), &self.device)
                .lower_elem(RESTART)
                .float();
        let start =
            chains * (restart.clone().neg() + 1.0) + self.uniform_in_window(batch) * restart;
        let negatives = self.run_chains(start, self.config.langevin_steps);
        self.chains = self
            .chains
            .clone()
            .slice_assign([rows, 0..dim], negatives.clone());
        let (e_data, e_chains) = (
            self.energy.module.forward(x),
            self.energy.module.forward(negatives),
        ); // [batch, 1]
        let penalty = (e_data.clone().powi_scalar(2) + e_chains.clone().powi_scalar(2)).mean();
        let (e_data, e_chains) = (e_data.mean(), e_chains.mean());
        let loss = e_data.clone() - e_chains.clone() + penalty * self.config.energy_penalty;
        self.energy.step(&loss);
        StepStats(vec![
            ("loss", loss.without_autodiff()),
            ("energy_data", e_data.without_autodiff()),
            ("energy_chains", e_chains.without_autodiff()),
        ])
    }

    fn actions(&self) -> Vec<ActionInfo> {
        vec![ActionInfo {
            name: "langevin_step",
            title: "Langevin step",
            description: "moves every persistent chain one Langevin step x ← x − (ε/2)∇E(x) + \
                          noise·√ε·z down the current energy; the weights are untouched (see the \
                          chains view)",
            trains: false,
        }]
    }

    fn act(&mut self, name: &str, _data: &mut Batches) -> Option<StepStats> {
        (name == "langevin_step").then(|| {
            self.chains = self.run_chains(self.chains.clone(), 1);
            let energy = self.energy(self.chains.clone()).mean(); // [1]
            StepStats(vec![("chain_energy", energy)])
        })
    }

    fn networks(&self) -> Mlp {
        self.energy.module.clone()
    }

    fn set_networks(&mut self, networks: Mlp) {
        self.energy.module = networks;
    }

    fn set_sampling(&mut self, config: &Self::Config) {
        self.config.sample_steps = config.sample_steps;
    }

    /// `n` exact draws from the model's density on the quadrature grid, each moved by
    /// `sample_steps` Langevin steps (see the module documentation).
    fn sample(&self, n: usize) -> Tensor<2> {
        self.run_chains(self.draw_from_grid(n), self.config.sample_steps)
    }

    /// `−E(x) − log Z`, with `Z` by quadrature over the window.
    fn log_density(&self, x: Tensor<2>) -> Option<Tensor<1>> {
        let n = x.dims()[0];
        Some(self.energy(x).neg().reshape([n]) - self.log_partition())
    }

    fn log_density_method(&self) -> &'static str {
        "−E(x) − log Z with Z by midpoint quadrature on a 128² grid over the window"
    }

    /// `−∇E(x)`: the score of the model itself (`t = 1`).
    fn score(&self, x: Tensor<2>, t: f32) -> Option<Tensor<2>> {
        (t == 1.0).then(|| self.energy_gradient(x).neg())
    }

    fn score_probe(&self) -> Option<NoiseLevel> {
        Some(NoiseLevel {
            t: 1.0,
            scale: 1.0,
            sigma: 0.0,
        })
    }

    fn views(&self) -> Vec<ViewInfo> {
        let grid = |name, title, description, kind, units| ViewInfo {
            name,
            units,
            title,
            description,
            input: ViewInput::Grid,
            kind,
            parameter: None,
        };
        vec![
            grid(
                "energy",
                "Energy landscape",
                "E(x) on a grid: low energy is likely",
                ViewKind::Heatmap,
                ViewUnits::Unitless,
            ),
            grid(
                "log_density",
                "Model log-density",
                "−E(x) − log Z, Z by grid quadrature",
                ViewKind::Heatmap,
                ViewUnits::LogDensity,
            ),
            grid(
                "score",
                "Score −∇E",
                "the drift of Langevin dynamics on a grid",
                ViewKind::Field,
                ViewUnits::Score,
            ),
            ViewInfo {
                name: "chains",
                units: ViewUnits::Position,
                title: "Persistent Langevin chains",
                description: "the replay buffer of chains that supplies the negatives, live: \
                              short-run Langevin, which lags the density between distant \
                              modes (samples start from exact draws of the grid density \
                              instead, then take sample_steps Langevin steps)",
                input: ViewInput::State,
                kind: ViewKind::Points,
                parameter: None,
            },
        ]
    }

    fn view(&self, name: &str, points: Tensor<2>, _parameter: f32) -> Option<Tensor<2>> {
        match name {
            "energy" => Some(self.energy(points)),
            "log_density" => self.log_density(points).map(|l| l.unsqueeze_dim(1)),
            "score" => self.score(points, 1.0),
            "chains" => {
                let [total, dim] = self.chains.dims();
                Some(
                    self.chains
                        .clone()
                        .slice([0..total.min(SHOWN_CHAINS), 0..dim]),
                )
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_normalisation_integrates_to_one_on_a_finer_grid() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(5);
        let ebm = Ebm::init(
            &EbmConfig::new().with_width(32),
            &TrainingConfig::new().with_batch_size(8),
            2,
            &device,
        );
        let fine = 3 * QUADRATURE_RESOLUTION + 1;
        let centres = cell_centres(ebm.bounds, fine);
        let cells = centres.len() / 2;
        let x = Tensor::<1>::from_floats(centres.as_slice(), &device).reshape([cells, 2]);
        let b = ebm.bounds;
        let area = (b.x_max - b.x_min) * (b.y_max - b.y_min) / cells as f32;
        let mass = (ebm.log_density(x).unwrap().exp().sum() * area)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap()[0];
        assert!((mass - 1.0).abs() < 2e-3, "∫p = {mass}");
    }
}
