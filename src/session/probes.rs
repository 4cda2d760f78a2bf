//! What an evaluation reads from the device, and its results: model samples, the model's score
//! at probe points and its log-density, read in one transaction; the panel or why it failed.

use burn::tensor::{Tensor, Transaction};

use super::TrainingFault;
use crate::data::Bounds;
use crate::evaluation::{DensityMaps, ImageShape, Memorisation, ModelDensity};
use crate::family::LikelihoodBound;
use crate::metrics::{Estimate, RowName};

/// The model's log-density on the panel grid and at data samples, still on the device.
pub struct DensityProbe {
    pub(super) grid: Tensor<1>,
    pub(super) at_data: Option<(Vec<f64>, Tensor<1>)>,
    pub(super) method: &'static str,
    pub(super) lower_bound: bool,
}

/// What an evaluation reads from the device (see [`Session::probe`]).
pub struct Probes {
    pub(super) samples: Tensor<2>,
    pub(super) score: Option<(ScoreTruth, Tensor<2>)>,
    pub(super) density: Option<DensityProbe>,
    /// The model's log-likelihood bounds at held-out images.
    pub(super) held_out: Vec<LikelihoodBound>,
}

impl Probes {
    /// Reads every probed tensor in one transaction (never a synchronous GPU read).
    pub async fn read(self) -> Result<ProbeValues, String> {
        let mut transaction = Transaction::default().register(self.samples);
        let density_method = self.density.as_ref().map(|d| (d.method, d.lower_bound));
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
        let held_out_names: Vec<(RowName, &'static str)> =
            self.held_out.iter().map(|b| (b.row, b.method)).collect();
        for bound in self.held_out {
            transaction = transaction.register(bound.values);
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
            Some((method, lower_bound)) => {
                let grid = next()?.into_iter().map(f64::from).collect();
                let at_data = match log_p {
                    Some(p) => Some((p, next()?.into_iter().map(f64::from).collect())),
                    None => None,
                };
                Some(ModelDensity {
                    grid,
                    at_data,
                    method,
                    lower_bound,
                })
            }
            None => None,
        };
        let mut held_out = Vec::with_capacity(held_out_names.len());
        for (name, method) in held_out_names {
            held_out.push((name, next()?.into_iter().map(f64::from).collect(), method));
        }
        Ok(ProbeValues {
            samples,
            score,
            density,
            held_out,
        })
    }
}

/// The probed quantities on the host.
pub struct ProbeValues {
    /// Model samples, row-major `[n, dim]`.
    pub samples: Vec<f32>,
    /// The exact score and the model's at the probe points.
    pub score: Option<(ScoreTruth, Vec<f32>)>,
    /// The model's log-density.
    pub density: Option<ModelDensity>,
    /// The model's log-likelihood bounds at held-out images: `(estimate name, values, method)`.
    pub held_out: Vec<(RowName, Vec<f64>, &'static str)>,
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
    /// The data samples the panel compared against, row-major `[n, dim]` (held-out images for
    /// an image session).
    pub data: Vec<f32>,
    /// The panel, in [`divergence_panel`]'s order.
    pub divergences: Vec<Estimate>,
    /// The model's density beside the data's (`None` when the samples admit no KDE, e.g.
    /// all equal).
    pub densities: Option<DensityMaps>,
    /// The images' shape, for an image session.
    pub images: Option<ImageShape>,
    /// The memorisation check, for an image session.
    pub memorisation: Option<Memorisation>,
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
