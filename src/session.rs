//! A training session: one family, its data on the device, the step counter, averaged step
//! statistics read back in one transaction, and the last finite snapshot to fall back to.
//!
//! The loop in the page is: `train(k)` (k steps, nothing read back) → `read()` (one async
//! readback of the averaged stats) → `accept(report)` (snapshot, or restore on NaN/Inf); and at
//! a lower rate `sample(n)` → readback → `evaluate(samples)` (divergences on the host).

use std::sync::{Mutex, MutexGuard, PoisonError};

use burn::config::Config;
use burn::tensor::{Device, Distribution, Tensor, TensorData, Transaction};
use rand::RngExt;
use rand_distr::StandardNormal;
use serde::Serialize;

use crate::data::{Bounds, DataSource, DatasetSpec, SeededRng, seeded_rng};
use crate::evaluation::{
    DENSITY_RESOLUTION, ModelDensity, PanelInputs, ReferenceGrid, ScoreComparison, cell_centres,
    divergence_panel, reference_density,
};
use crate::family::{Family, StepStats};
use crate::metrics::{Estimate, kde_grid, scott_bandwidth};
use crate::models::gan::optimal_discriminator;
use crate::options::{LabOptions, OptionError, check_range};

/// Dimension of the data (the 2-D sets).
const DIM: usize = 2;

/// Points uploaded to the device once per session; batches are random rows of this atlas.
pub const ATLAS_POINTS: usize = 1 << 15;

/// Random stream of training steps (see [`Session::reseed`]).
const TRAIN_STREAM: u64 = 1;
/// Random stream of sampling.
const SAMPLE_STREAM: u64 = 2;
/// Random stream of the host-side data samples used by metrics.
const METRIC_STREAM: u64 = 3;

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

fn device_rng() -> MutexGuard<'static, ()> {
    DEVICE_RNG.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Settings every family shares. Field ranges are enforced by [`TrainingConfig::validate`].
#[derive(Config, Debug)]
pub struct TrainingConfig {
    /// The data distribution to learn: a dataset name, or a custom set (see [`DatasetSpec`]).
    #[config(default = "DatasetSpec::default()")]
    pub dataset: DatasetSpec,
    /// Seed of the data, the initial weights and all training noise (0 ..= 2⁵³).
    #[config(default = 0)]
    pub seed: u64,
    /// Points per training batch (1 ..= 8192).
    #[config(default = 512)]
    pub batch_size: usize,
    /// Adam learning rate (1e-6 ..= 1).
    #[config(default = 1e-3)]
    pub learning_rate: f64,
}

impl TrainingConfig {
    /// Rejects out-of-range values, naming the field and its range.
    pub fn validate(&self) -> Result<(), OptionError> {
        check_range("seed", self.seed, 0, 1 << 53)?;
        check_range("batch_size", self.batch_size, 1, 8192)?;
        check_range("learning_rate", self.learning_rate, 1e-6, 1.0)?;
        self.dataset
            .build()
            .map(|_| ())
            .map_err(|e| OptionError::new("dataset", e.to_string()))
    }
}

/// Data on the device: an atlas of points uploaded once, sliced into random batches.
pub struct Batches {
    atlas: Tensor<2>,
    rows: usize,
    batch_size: usize,
}

impl Batches {
    /// Uploads `points` (row-major `[rows, dim]`) to `device`.
    pub fn upload(points: Vec<f32>, dim: usize, batch_size: usize, device: &Device) -> Self {
        let rows = points.len() / dim;
        let atlas = Tensor::from_data(TensorData::new(points, [rows, dim]), device); // [rows, dim]
        Self {
            atlas,
            rows,
            batch_size,
        }
    }

    /// The device the atlas lives on.
    pub fn device(&self) -> Device {
        self.atlas.device()
    }

    /// A batch of rows drawn uniformly with replacement: `[batch_size, dim]`.
    pub fn next(&mut self) -> Tensor<2> {
        let device = self.atlas.device();
        let uniform = Distribution::Uniform(0.0, self.rows as f64);
        let rows = Tensor::<1>::random([self.batch_size], uniform, &device) // [batch]
            .int()
            .clamp(0, self.rows as i64 - 1);
        self.atlas.clone().select(0, rows)
    }
}

/// Averaged step statistics still on the device, waiting for one readback.
pub struct PendingStats {
    names: Vec<&'static str>,
    sums: Vec<Tensor<1>>,
    steps: u32,
    last_step: u64,
}

impl PendingStats {
    /// Reads every statistic in one transaction (never a synchronous GPU read).
    pub async fn read(self) -> Result<StatsReport, String> {
        let transaction = self
            .sums
            .into_iter()
            .fold(Transaction::default(), |t, sum| t.register(sum));
        let data = transaction
            .execute_async()
            .await
            .map_err(|error| format!("reading the training statistics failed: {error:?}"))?;
        let mut values = Vec::with_capacity(data.len());
        for (name, datum) in self.names.into_iter().zip(data) {
            let sum = datum
                .try_into_vec_as::<f32>()
                .map_err(|error| format!("statistic {name} is unreadable: {error:?}"))?;
            values.push((
                name,
                sum.first().copied().unwrap_or(f32::NAN) as f64 / self.steps as f64,
            ));
        }
        Ok(StatsReport {
            step: self.last_step,
            steps: self.steps,
            values,
        })
    }
}

/// Statistics averaged over a slice of training steps.
#[derive(Clone, Debug, Serialize)]
pub struct StatsReport {
    /// Total steps trained after this slice.
    pub step: u64,
    /// Steps in the slice.
    pub steps: u32,
    /// Each statistic's mean over the slice, in the family's order.
    pub values: Vec<(&'static str, f64)>,
}

/// A numerical fault: a statistic or sample stopped being finite. The session has already
/// restored the last finite weights when this is returned.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingFault {
    /// What diverged, e.g. `"loss"` or `"samples"`.
    pub what: String,
    /// The step at which it was seen.
    pub step: u64,
    /// The step of the weights now restored.
    pub restored_step: u64,
}

impl std::fmt::Display for TrainingFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} became NaN or infinite by step {}; training paused and the weights of step {} \
             were restored. Try a smaller learning_rate.",
            self.what, self.step, self.restored_step
        )
    }
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
    reference: Option<ReferenceGrid>,
}

impl<F: Family> Session<F> {
    /// Seeds the device, uploads the data atlas and initialises the family.
    /// Fails only if the data source is invalid (options validated by [`LabOptions::parse`]
    /// never are).
    pub fn new(options: LabOptions<F::Config>, device: &Device) -> Result<Self, OptionError> {
        let training = &options.training;
        let source = training
            .dataset
            .build()
            .map_err(|e| OptionError::new("dataset", e.to_string()))?;
        let mut rng = seeded_rng(training.seed);
        let atlas = source.sample(ATLAS_POINTS, &mut rng);
        let batches = Batches::upload(atlas, DIM, training.batch_size, device);
        let family = {
            let _rng = device_rng();
            device.seed(training.seed);
            F::init(&options.model, training, DIM, device)
        };
        Ok(Self {
            last_finite: (family.clone(), 0),
            family,
            batches,
            step: 0,
            metric_rng: seeded_rng(mix(training.seed, METRIC_STREAM)),
            reference: ReferenceGrid::new(&source).ok(),
            source,
            options,
        })
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

    /// `n` model samples, `[n, dim]`, on the device.
    pub fn sample(&self, n: usize) -> Tensor<2> {
        let _rng = device_rng();
        self.reseed(SAMPLE_STREAM);
        self.family.sample(n)
    }

    /// The family's view `name` at `points` (row-major `[n, 2]`; empty for views of the
    /// family's state), still on the device; `None` for an unknown view.
    pub fn view(&self, name: &str, points: &[f32], parameter: f32) -> Option<Tensor<2>> {
        let device = self.batches.device();
        let x = if points.is_empty() {
            Tensor::zeros([1, DIM], &device)
        } else {
            Tensor::from_data(
                TensorData::new(points.to_vec(), [points.len() / DIM, DIM]),
                &device,
            )
        };
        let _rng = device_rng();
        self.reseed(SAMPLE_STREAM);
        self.family.view(name, x, parameter)
    }

    /// The optimal discriminator `D*(x) = p(x)/(p(x) + q(x))` against this model at the cell
    /// centres of a `resolution²` grid over the data bounds: `p` the data's reference density,
    /// `q` a Gaussian KDE (Scott's rule) of `model_samples` (row-major `[n, 2]`).
    pub fn optimal_discriminator(
        &self,
        model_samples: &[f32],
        resolution: usize,
    ) -> Result<Vec<f64>, String> {
        let bounds = self.source.bounds();
        let p = reference_density(&self.source, bounds, resolution).map_err(|e| e.to_string())?;
        let bandwidth = scott_bandwidth(model_samples).map_err(|e| e.to_string())?;
        let q =
            kde_grid(model_samples, bounds, resolution, bandwidth).map_err(|e| e.to_string())?;
        Ok(optimal_discriminator(&p, &q))
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
            samples: self.family.sample(n),
            score: self.score_probe(n),
            density: self.density_probe(n),
        }
    }

    /// Points at which to compare the model's score with the exact data score, and the model's
    /// score there (still on the device): `None` unless the family has a score and the data an
    /// exact one. The points are `x_t = t x₁ + (1 − t) z` at the family's probe time `t`, `x₁`
    /// fresh data.
    fn score_probe(&mut self, n: usize) -> Option<(ScoreTruth, Tensor<2>)> {
        let mixture = self.source.mixture()?;
        let t = self.family.score_probe_time()?;
        let data = self.source.sample(n, &mut self.metric_rng);
        let noise: Vec<f32> = (0..2 * n)
            .map(|_| self.metric_rng.sample(StandardNormal))
            .collect();
        let points: Vec<f32> = data
            .iter()
            .zip(&noise)
            .map(|(x, z)| t * x + (1.0 - t) * z)
            .collect();
        let device = self.batches.device();
        let x = Tensor::from_data(TensorData::new(points.clone(), [n, 2]), &device); // [n, 2]
        let model = self.family.score(x, t)?;
        let noised = mixture.affine(t as f64, 1.0 - t as f64);
        let truth = points
            .chunks_exact(2)
            .flat_map(|p| noised.score([p[0] as f64, p[1] as f64]))
            .collect();
        let label = if t == 1.0 {
            "the data density".to_string()
        } else {
            format!("p_t = law of t·x + (1 − t)·N(0, I), x ~ data, at t = {t}")
        };
        Some((ScoreTruth { label, truth }, model))
    }

    /// The model's log-density at the panel's grid cell centres and, when the data density is
    /// exact, at `n` fresh data samples beside the exact `log p` there.
    fn density_probe(&mut self, n: usize) -> Option<DensityProbe> {
        let device = self.batches.device();
        let reference = self.reference.as_ref()?;
        let centres = cell_centres(reference.bounds(), DENSITY_RESOLUTION);
        let cells = centres.len() / DIM;
        let grid = Tensor::from_data(TensorData::new(centres, [cells, DIM]), &device);
        let grid = self.family.log_density(grid)?; // [cells]
        let at_data = self.source.mixture().and_then(|mixture| {
            let data = self.source.sample(n, &mut self.metric_rng);
            let log_p = data
                .chunks_exact(2)
                .map(|p| mixture.log_density([p[0] as f64, p[1] as f64]))
                .collect();
            let x = Tensor::from_data(TensorData::new(data, [n, DIM]), &device); // [n, 2]
            Some((log_p, self.family.log_density(x)?))
        });
        Some(DensityProbe {
            grid,
            at_data,
            method: self.family.log_density_method(),
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
        let n = model_samples.len() / DIM;
        let data = self.source.sample(n, &mut self.metric_rng);
        let other = self.source.sample(n, &mut self.metric_rng);
        let reference = self.reference.as_ref().ok_or_else(|| {
            EvaluationError::Invalid(format!("{} has no reference density", self.source.name()))
        })?;
        let score = probed.score.as_ref().map(|(truth, model)| ScoreComparison {
            label: truth.label.clone(),
            truth: truth.truth.clone(),
            model: model.iter().map(|v| f64::from(*v)).collect(),
        });
        let inputs = PanelInputs {
            reference,
            model: model_samples,
            data: &data,
            other: &other,
            score,
            density: probed.density.clone(),
        };
        let divergences =
            divergence_panel(&inputs).map_err(|e| EvaluationError::Invalid(e.to_string()))?;
        Ok(Evaluation {
            bounds: self.source.bounds(),
            data,
            divergences,
        })
    }
}

/// The model's log-density on the panel grid and at data samples, still on the device.
pub struct DensityProbe {
    grid: Tensor<1>,
    at_data: Option<(Vec<f64>, Tensor<1>)>,
    method: &'static str,
}

/// What an evaluation reads from the device (see [`Session::probe`]).
pub struct Probes {
    samples: Tensor<2>,
    score: Option<(ScoreTruth, Tensor<2>)>,
    density: Option<DensityProbe>,
}

impl Probes {
    /// Reads every probed tensor in one transaction (never a synchronous GPU read).
    pub async fn read(self) -> Result<ProbeValues, String> {
        let mut transaction = Transaction::default().register(self.samples);
        let density_method = self.density.as_ref().map(|d| d.method);
        let mut score_truth = None;
        if let Some((truth, score)) = self.score {
            transaction = transaction.register(score);
            score_truth = Some(truth);
        }
        let mut log_p = None;
        if let Some(density) = self.density {
            transaction = transaction.register(density.grid);
            if let Some((p, q)) = density.at_data {
                transaction = transaction.register(q);
                log_p = Some(p);
            }
        }
        let mut read = transaction
            .execute_async()
            .await
            .map_err(|e| format!("reading the model's samples failed: {e:?}"))?
            .into_iter()
            .map(|data| {
                data.try_into_vec_as::<f32>()
                    .map_err(|e| format!("a probed tensor is unreadable: {e:?}"))
            });
        let mut next = || {
            read.next()
                .unwrap_or_else(|| Err("a probed tensor is missing".into()))
        };
        let samples = next()?;
        let score = match score_truth {
            Some(truth) => Some((truth, next()?)),
            None => None,
        };
        let density = match density_method {
            Some(method) => {
                let grid = next()?.into_iter().map(f64::from).collect();
                let at_data = match log_p {
                    Some(p) => Some((p, next()?.into_iter().map(f64::from).collect())),
                    None => None,
                };
                Some(ModelDensity {
                    grid,
                    at_data,
                    method,
                })
            }
            None => None,
        };
        Ok(ProbeValues {
            samples,
            score,
            density,
        })
    }
}

/// The probed quantities on the host.
pub struct ProbeValues {
    /// Model samples, row-major `[n, 2]`.
    pub samples: Vec<f32>,
    /// The exact score and the model's at the probe points.
    pub score: Option<(ScoreTruth, Vec<f32>)>,
    /// The model's log-density.
    pub density: Option<ModelDensity>,
}

/// The exact data score at the points where the model's score is probed.
#[derive(Clone, Debug)]
pub struct ScoreTruth {
    /// What the scores are of.
    pub label: String,
    /// Exact `∇log p` at the points, row-major `[n, 2]`.
    pub truth: Vec<f64>,
}

/// Fresh data samples and the divergence panel.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The window the data live in (for plotting).
    pub bounds: Bounds,
    /// The data samples the panel compared against, row-major `[n, 2]`.
    pub data: Vec<f32>,
    /// The panel, in [`divergence_panel`]'s order.
    pub divergences: Vec<Estimate>,
}

/// Why an evaluation failed.
#[derive(Clone, Debug, PartialEq)]
pub enum EvaluationError {
    /// Samples or scores were not finite; the last finite weights are restored.
    Fault(TrainingFault),
    /// The estimators rejected their input.
    Invalid(String),
}

impl std::fmt::Display for EvaluationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvaluationError::Fault(fault) => fault.fmt(f),
            EvaluationError::Invalid(why) => {
                write!(f, "the divergences could not be computed: {why}")
            }
        }
    }
}
