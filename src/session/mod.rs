//! A training session: one family, its data on the device, the step counter, averaged step
//! statistics read back in one transaction, and the last finite snapshot to fall back to.
//!
//! The loop in the page is: `train(k)` (k steps, nothing read back) → `read()` (one async
//! readback of the averaged stats) → `accept(report)` (snapshot, or restore on NaN/Inf); and at
//! a lower rate `sample(n)` → readback → `evaluate(samples)` (divergences on the host).

mod images;
mod pace;
mod probes;
mod training;
mod units;
mod weights;

pub use pace::{Pace, SLICE_MS};
pub use probes::{DensityProbe, Evaluation, EvaluationError, ProbeValues, Probes, ScoreTruth};
pub use training::{PendingStats, StatsReport, TrainingFault};
pub use weights::{
    MAX_WEIGHTS_BYTES, PendingWeights, WeightsFile, WeightsHeader, parameter_shapes,
};

use std::sync::{Mutex, MutexGuard, PoisonError};

use burn::tensor::{Device, Tensor, TensorData};
use rand::RngExt;
use rand_distr::StandardNormal;

use crate::data::{DataSource, SeededRng, Standardisation, seeded_rng};
use crate::evaluation::{
    NoiseFloors, OPTIMAL_DISCRIMINATOR_SAMPLES, PanelInputs, ReferenceGrid, ScoreComparison,
    cell_centres, density_maps, divergence_panel, optimal_discriminator_at,
};
use crate::family::{
    ActionInfo, Family, NoiseLevel, StepStats, ViewInfo, ViewInput, ViewTruth, ViewUnits,
};
use crate::options::LabOptions;
use crate::settings::OptionError;
use crate::training::Batches;

/// Points uploaded to the device once per session; batches are random rows of this atlas.
pub const ATLAS_POINTS: usize = 1 << 15;
/// Images uploaded to the device once per image session (each a freshly dequantised training
/// image; 2 MiB of pixels).
pub const ATLAS_IMAGES: usize = 1 << 13;

/// Random stream of training steps (see [`Session::reseed`]).
const TRAIN_STREAM: u64 = 1;
/// Random stream of sampling.
const SAMPLE_STREAM: u64 = 2;
/// Random stream of the host-side data samples used by metrics.
const METRIC_STREAM: u64 = 3;
/// Random stream of actions on the family (e.g. reflow).
const ACTION_STREAM: u64 = 4;

/// SplitMix64's finaliser over `a + b·golden`: distinct inputs give unrelated seeds.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a.wrapping_add(b.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Burn's device generator is one per process (a global behind a mutex in each backend), so
/// two sessions on two threads (native tests) could draw between each other's reseed and use.
/// Holding this lock from a reseed to the end of the random work it seeds makes every session's
/// randomness depend on its own seed only. In the browser there is one thread and no contention.
static DEVICE_RNG: Mutex<()> = Mutex::new(());

/// Holds the device generator for one seeded piece of random work (a session's step, a unit
/// test that seeds the device and draws): nobody else reseeds or draws from it meanwhile.
pub fn device_rng() -> MutexGuard<'static, ()> {
    DEVICE_RNG.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One family being trained on one dataset.
pub struct Session<F: Family> {
    options: LabOptions<F::Config>,
    family: F,
    last_finite: (F, u64),
    batches: Batches,
    step: u64,
    metric_rng: SeededRng,
    source: DataSource,
    /// The map between the user's coordinates and the ones the family trains in.
    map: Standardisation,
    /// Coordinates per data point (2, or the pixels of an image).
    dim: usize,
    reference: Option<ReferenceGrid>,
    /// Actions taken so far (each seeds its randomness differently).
    actions: u64,
}

impl<F: Family> Session<F> {
    /// Seeds the device, uploads the data atlas and initialises the family.
    /// Fails if the data source is invalid (options validated by [`LabOptions::parse`] never
    /// are) or is not the kind of data the family learns (field `dataset`).
    pub fn new(options: LabOptions<F::Config>, device: &Device) -> Result<Self, OptionError> {
        let training = &options.training;
        let source = training
            .dataset
            .build()
            .map_err(|e| OptionError::new("dataset", e.to_string()))?;
        let images = source.images().is_some();
        if !F::INPUT.accepts(images) {
            let why = if images {
                format!(
                    "{} learns 2-D points, not images: choose a 2-D dataset",
                    F::NAME
                )
            } else {
                format!("{} learns images: choose the dataset \"digits\"", F::NAME)
            };
            return Err(OptionError::new("dataset", why));
        }
        let dim = source.dim();
        let map = source
            .standardisation()
            .map_err(|e| OptionError::new("dataset", e.to_string()))?;
        let mut rng = seeded_rng(training.seed);
        let batches = match source.images() {
            Some(digits) => {
                let (atlas, labels) = digits.sample_labelled(ATLAS_IMAGES, &mut rng);
                Batches::upload(atlas, dim, training.batch_size, device).with_labels(labels)
            }
            None => {
                let atlas = map.to_model(&source.sample(ATLAS_POINTS, &mut rng));
                Batches::upload(atlas, dim, training.batch_size, device)
            }
        };
        let family = {
            let _rng = device_rng();
            device.seed(training.seed);
            F::init(&options.model, training, dim, device)
        };
        let reference = if images {
            None
        } else {
            let resolution = family.log_density_budget().grid_resolution;
            Some(
                ReferenceGrid::new(&source, resolution)
                    .map_err(|e| OptionError::new("dataset", e.to_string()))?,
            )
        };
        Ok(Self {
            last_finite: (family.clone(), 0),
            family,
            batches,
            step: 0,
            metric_rng: seeded_rng(mix(training.seed, METRIC_STREAM)),
            reference,
            source,
            map,
            dim,
            options,
            actions: 0,
        })
    }

    /// The map between the user's coordinates and the family's.
    pub fn standardisation(&self) -> Standardisation {
        self.map
    }

    /// The data source being learned.
    pub fn source(&self) -> &DataSource {
        &self.source
    }

    /// The options this session was built from.
    pub fn options(&self) -> &LabOptions<F::Config> {
        &self.options
    }

    /// The family being trained.
    pub fn family(&self) -> &F {
        &self.family
    }

    /// Steps trained so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Runs `steps` training steps without reading anything back; returns their statistics'
    /// sums on the device.
    pub fn train(&mut self, steps: u32) -> PendingStats {
        let _rng = device_rng();
        let mut names = Vec::new();
        let mut sums: Vec<Tensor<1>> = Vec::new();
        for _ in 0..steps {
            self.reseed(TRAIN_STREAM);
            let StepStats(stats) = self.family.train_step(&mut self.batches);
            if sums.is_empty() {
                names = stats.iter().map(|(name, _)| *name).collect();
                sums = stats.into_iter().map(|(_, value)| value).collect();
            } else {
                for (sum, (_, value)) in sums.iter_mut().zip(stats) {
                    *sum = sum.clone() + value;
                }
            }
            self.step += 1;
        }
        PendingStats {
            names,
            sums,
            steps: steps.max(1),
            last_step: self.step,
        }
    }

    /// The family's fine-grained steps.
    pub fn actions(&self) -> Vec<ActionInfo> {
        self.family.actions()
    }

    /// Runs the family's fine-grained step `name` once (a training one counts as a step);
    /// returns its statistics on the device like [`Session::train`], or `None` for an unknown
    /// name.
    pub fn act(&mut self, name: &str) -> Option<PendingStats> {
        let trains = self
            .family
            .actions()
            .iter()
            .find(|a| a.name == name)?
            .trains;
        let _rng = device_rng();
        self.actions += 1;
        self.reseed(mix(ACTION_STREAM, self.actions));
        let StepStats(stats) = self.family.act(name, &mut self.batches)?;
        if trains {
            self.step += 1;
        }
        let (names, sums) = stats.into_iter().unzip();
        Some(PendingStats {
            names,
            sums,
            steps: 1,
            last_step: self.step,
        })
    }

    /// Accepts a slice's statistics: snapshots the weights when all are finite, otherwise
    /// restores the last finite weights and reports what diverged.
    pub fn accept(&mut self, report: &StatsReport) -> Result<(), TrainingFault> {
        match report.values.iter().find(|(_, value)| !value.is_finite()) {
            None => {
                self.last_finite = (self.family.clone(), self.step);
                Ok(())
            }
            Some((name, _)) => Err(self.restore(name, report.step)),
        }
    }

    fn restore(&mut self, what: &str, step: u64) -> TrainingFault {
        let (family, restored_step) = self.last_finite.clone();
        self.family = family;
        self.step = restored_step;
        TrainingFault {
            what: what.to_string(),
            step,
            restored_step,
        }
    }

    /// `n` model samples, `[n, dim]` in the user's units, on the device.
    pub fn sample(&self, n: usize) -> Tensor<2> {
        let _rng = device_rng();
        self.reseed(SAMPLE_STREAM);
        units::points_to_user(&self.map, self.family.sample(n))
    }

    /// The family's views, a line view's parameter range in the user's units.
    pub fn views(&self) -> Vec<ViewInfo> {
        let mut views = self.family.views();
        if self.dim == 2 {
            for view in views.iter_mut().filter(|v| v.input == ViewInput::Line) {
                if let Some(p) = view.parameter.as_mut() {
                    let user = |z: f32| self.map.axis_to_user(0, z as f64) as f32;
                    (p.default, p.min, p.max) = (user(p.default), user(p.min), user(p.max));
                }
            }
        }
        views
    }

    /// What the family says of its view `name`: its input and how its output maps to the
    /// user's units (an unknown view takes its points as they are and maps nothing).
    fn view_info(&self, name: &str) -> (ViewInput, ViewUnits) {
        self.family
            .views()
            .into_iter()
            .find(|v| v.name == name)
            .map_or((ViewInput::Grid, ViewUnits::Unitless), |v| {
                (v.input, v.units)
            })
    }

    /// Coordinates per data point (2, or the pixels of an image).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The family's view `name` at `points` (row-major `[n, dim]` in the user's units; empty
    /// for views of the family's state), still on the device and in the user's units; `None`
    /// for an unknown view. A line view's parameter is a user x coordinate.
    pub fn view(&self, name: &str, points: &[f32], parameter: f32) -> Option<Tensor<2>> {
        let device = self.batches.device();
        let dim = self.dim;
        let (input, units) = self.view_info(name);
        let (points, parameter) = if dim == 2 {
            let parameter = if input == ViewInput::Line {
                self.map.axis_to_model(0, parameter as f64) as f32
            } else {
                parameter
            };
            (self.map.to_model(points), parameter)
        } else {
            (points.to_vec(), parameter)
        };
        let x = if points.is_empty() {
            Tensor::zeros([1, dim], &device)
        } else {
            Tensor::from_data(
                TensorData::new(points.to_vec(), [points.len() / dim, dim]),
                &device,
            )
        };
        let _rng = device_rng();
        self.reseed(SAMPLE_STREAM);
        let output = self.family.view(name, x, parameter)?;
        Some(units::view_to_user(&self.map, units, output))
    }

    /// The model samples the truth of view `name` needs (user units, on the device), to be
    /// read with the view: [`OPTIMAL_DISCRIMINATOR_SAMPLES`] for an optimal discriminator,
    /// `None` for every other view.
    pub fn truth_samples(&self, name: &str) -> Option<Tensor<2>> {
        match self.family.view_truth(name, 0.0)? {
            ViewTruth::OptimalDiscriminator => Some(self.sample(OPTIMAL_DISCRIMINATOR_SAMPLES)),
            ViewTruth::Score(_) | ViewTruth::LinearPathVelocity(_) => None,
        }
    }

    /// The exact quantity that view `name` estimates at `points` (row-major `[n, 2]`, user
    /// units), when the family declares one: an exact field when the data are a Gaussian
    /// mixture (computed where the family works, for the data in the model's coordinates, and
    /// mapped back like the view), or the optimal discriminator against `samples` (those of
    /// [`Session::truth_samples`]).
    pub fn view_truth(
        &self,
        name: &str,
        points: &[f32],
        parameter: f32,
        samples: Option<&[f32]>,
    ) -> Option<Vec<f32>> {
        let (level, velocity_at) = match self.family.view_truth(name, parameter)? {
            ViewTruth::Score(level) => (level, None),
            ViewTruth::LinearPathVelocity(t) => (
                NoiseLevel {
                    t,
                    scale: t,
                    sigma: 1.0 - t,
                },
                Some(t),
            ),
            ViewTruth::OptimalDiscriminator => {
                let d_star = optimal_discriminator_at(&self.source, samples?, points).ok()?;
                return Some(d_star.into_iter().map(|d| d as f32).collect());
            }
        };
        let mixture = self.map.mixture_to_model(&self.source.mixture()?);
        let points = self.map.to_model(points);
        let noised = mixture.affine(level.scale as f64, level.sigma as f64);
        let truth = points
            .chunks_exact(2)
            .flat_map(|p| {
                let x = [p[0] as f64, p[1] as f64];
                let s = noised.score(x);
                match velocity_at {
                    None => s,
                    Some(t) => {
                        let t = t as f64;
                        [(x[0] + (1.0 - t) * s[0]) / t, (x[1] + (1.0 - t) * s[1]) / t]
                    }
                }
            })
            .map(|v| v as f32)
            .collect();
        Some(units::field_to_user(
            &self.map,
            self.view_info(name).1,
            truth,
        ))
    }

    /// Changes sampling settings of the trained model (fields of
    /// [`FamilyConfig::sampling_fields`](crate::family::FamilyConfig::sampling_fields)).
    pub fn set_sampling(&mut self, patch: &serde_json::Value) -> Result<(), OptionError> {
        let options = self.options.with_sampling(patch)?;
        self.family.set_sampling(&options.model);
        self.last_finite.0.set_sampling(&options.model);
        self.options = options;
        Ok(())
    }

    /// Burn's device generators are global: reseeding from (seed, step, stream) before each
    /// step makes a session's randomness its own, however sessions and slices interleave (the
    /// caller holds [`device_rng`] from the reseed to the end of the work it seeds).
    fn reseed(&self, stream: u64) {
        let seed = self.options.training.seed;
        self.batches
            .device()
            .seed(mix(mix(seed, self.step), stream));
    }

    /// Everything an evaluation reads from the device, still on it: `n` model samples, the
    /// model's score at probe points (see [`Session::score_probe`]) and its log-density on the
    /// panel grid and at data samples, where the family has them.
    pub fn probe(&mut self, n: usize) -> Probes {
        let _rng = device_rng();
        self.reseed(SAMPLE_STREAM);
        Probes {
            samples: units::points_to_user(&self.map, self.family.sample(n)),
            score: self.score_probe(n),
            density: self.density_probe(n),
            held_out: self.held_out_probe(),
        }
    }

    /// Points at which to compare the model's score with the exact data score, and the model's
    /// score there (still on the device): `None` unless the family has a score and the data an
    /// exact one. The points are `scale·x + sigma·z` at the family's probe level, `x` fresh data
    /// in the model's coordinates (where the family's noise is added); both scores are returned
    /// per user unit.
    fn score_probe(&mut self, n: usize) -> Option<(ScoreTruth, Tensor<2>)> {
        let mixture = self.map.mixture_to_model(&self.source.mixture()?);
        let level = self.family.score_probe()?;
        let data = self
            .map
            .to_model(&self.source.sample(n, &mut self.metric_rng));
        let noise: Vec<f32> = (0..2 * n)
            .map(|_| self.metric_rng.sample(StandardNormal))
            .collect();
        let points: Vec<f32> = data
            .iter()
            .zip(&noise)
            .map(|(x, z)| level.scale * x + level.sigma * z)
            .collect();
        let device = self.batches.device();
        let x = Tensor::from_data(TensorData::new(points.clone(), [n, 2]), &device); // [n, 2]
        let model = self.family.score(x, level.t)? / self.map.scale as f32;
        let noised = mixture.affine(level.scale as f64, level.sigma as f64);
        let truth = points
            .chunks_exact(2)
            .flat_map(|p| noised.score([p[0] as f64, p[1] as f64]))
            .map(|v| v / self.map.scale)
            .collect();
        let label = if level.sigma == 0.0 {
            "the data density".to_string()
        } else if self.map.is_identity() {
            format!(
                "the law of {:.3}·x + {:.3}·z (x data, z ~ N(0, I)) at the model's t = {}",
                level.scale, level.sigma, level.t
            )
        } else {
            format!(
                "the law of {:.3}·x + {:.3}·z (x data in the model's standardised coordinates, \
                 z ~ N(0, I)) at the model's t = {}, per unit of your data",
                level.scale, level.sigma, level.t
            )
        };
        Some((ScoreTruth { label, truth }, model))
    }

    /// The model's log-density at the panel's grid cell centres and, when the data density is
    /// exact, at `n` fresh data samples beside the exact `log p` there; per user unit² (the
    /// family's, less the map's log-Jacobian).
    fn density_probe(&mut self, n: usize) -> Option<DensityProbe> {
        let device = self.batches.device();
        let reference = self.reference.as_ref()?;
        let centres = cell_centres(reference.bounds(), reference.density_resolution());
        let n = n.min(self.family.log_density_budget().points);
        let cells = centres.len() / 2;
        let log_det = self.map.log_det() as f32;
        let centres = self.map.to_model(&centres);
        let grid = Tensor::from_data(TensorData::new(centres, [cells, 2]), &device);
        let grid = self.family.log_density(grid)? - log_det; // [cells]
        let at_data = self.source.mixture().and_then(|mixture| {
            let data = self.source.sample(n, &mut self.metric_rng);
            let log_p = data
                .chunks_exact(2)
                .map(|p| mixture.log_density([p[0] as f64, p[1] as f64]))
                .collect();
            let x = TensorData::new(self.map.to_model(&data), [n, 2]);
            let x = Tensor::from_data(x, &device); // [n, 2]
            Some((log_p, self.family.log_density(x)? - log_det))
        });
        Some(DensityProbe {
            grid,
            at_data,
            method: self.family.log_density_method(),
            lower_bound: self.family.log_density_is_lower_bound(),
        })
    }

    /// The divergence panel between the probed model quantities (read back) and fresh data
    /// samples, with noise floors; a non-finite sample or score restores the last finite
    /// weights.
    pub fn evaluate(&mut self, probed: &ProbeValues) -> Result<Evaluation, EvaluationError> {
        let model_samples = &probed.samples;
        if model_samples.iter().any(|v| !v.is_finite()) {
            return Err(EvaluationError::Fault(self.restore("samples", self.step)));
        }
        if let Some((_, model)) = &probed.score
            && model.iter().any(|v| !v.is_finite())
        {
            return Err(EvaluationError::Fault(self.restore("score", self.step)));
        }
        if let Some(density) = &probed.density
            && density.grid.iter().any(|v| v.is_nan())
        {
            return Err(EvaluationError::Fault(
                self.restore("log-density", self.step),
            ));
        }
        if self.source.images().is_some() {
            return self.evaluate_images(probed);
        }
        let n = model_samples.len() / 2;
        let data = self.source.sample(n, &mut self.metric_rng);
        let reference = self.reference.as_ref().ok_or_else(|| {
            EvaluationError::Invalid(format!("{} has no reference density", self.source.name()))
        })?;
        let floors = NoiseFloors::cached(&self.source, reference, n)
            .map_err(|e| EvaluationError::Invalid(e.to_string()))?;
        let score = probed.score.as_ref().map(|(truth, model)| ScoreComparison {
            label: truth.label.clone(),
            truth: truth.truth.clone(),
            model: model.iter().map(|v| f64::from(*v)).collect(),
        });
        let inputs = PanelInputs {
            reference,
            model: model_samples,
            data: &data,
            floors: &floors,
            score,
            density: probed.density.clone(),
        };
        let divergences =
            divergence_panel(&inputs).map_err(|e| EvaluationError::Invalid(e.to_string()))?;
        let densities = density_maps(
            reference,
            model_samples,
            probed.density.as_ref(),
            self.source.reference().method,
        )
        .ok();
        Ok(Evaluation {
            bounds: self.source.bounds(),
            data,
            divergences,
            densities,
            images: None,
            memorisation: None,
        })
    }
}
