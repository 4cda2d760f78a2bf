//! The divergence panel: every estimator between the data and a model's samples, each honestly
//! labelled and, where it is sample-based, with its noise floor (the same estimator between two
//! independent data samples of the same size).

use crate::data::{Bounds, DataSource};
use crate::metrics::{
    BANDWIDTH_MULTIPLES, Estimate, MetricError, cell_masses, fisher_divergence, jensen_shannon,
    kde_grid, kl, median_distance, mmd2_unbiased, scott_bandwidth, sinkhorn_divergence, sliced_w2,
    smooth_grid, total_variation,
};

/// Cells per axis of the grid divergences.
pub const GRID_RESOLUTION: usize = 128;
/// Projection angles of the sliced W2.
pub const SLICED_W2_PROJECTIONS: usize = 64;
/// Points per side of the Sinkhorn divergence (the first of each sample; it is O(n²) per
/// iteration).
pub const SINKHORN_POINTS: usize = 256;
/// Entropic regularisation of the Sinkhorn divergence, in squared data units.
pub const SINKHORN_EPSILON: f64 = 0.1;

/// The data's reference density on the panel grid.
pub struct ReferenceGrid {
    density: Vec<f64>,
    bounds: Bounds,
}

impl ReferenceGrid {
    /// Tabulates the source's reference density over its bounds; for the user's own points,
    /// which are the distribution, their Gaussian KDE (Scott's rule).
    pub fn new(source: &DataSource) -> Result<Self, MetricError> {
        let bounds = source.bounds();
        let density = match (
            source.density_grid(bounds, GRID_RESOLUTION),
            source.points(),
        ) {
            (Some(grid), _) => grid.map_err(|e| MetricError::new(e.to_string()))?.values,
            (None, Some(points)) => {
                let points = points.points();
                kde_grid(points, bounds, GRID_RESOLUTION, scott_bandwidth(points)?)?
            }
            (None, None) => {
                return Err(MetricError::new("the data source has no reference density"));
            }
        };
        Ok(Self { density, bounds })
    }

    /// The reference smoothed by the KDE kernel, as cell masses: what a KDE of data samples
    /// estimates, so that model and data are compared at the same smoothing.
    fn smoothed_masses(&self, bandwidth: [f64; 2]) -> Result<Vec<f64>, MetricError> {
        cell_masses(&smooth_grid(
            &self.density,
            self.bounds,
            GRID_RESOLUTION,
            bandwidth,
        )?)
    }

    fn kde_masses(&self, points: &[f32], bandwidth: [f64; 2]) -> Result<Vec<f64>, MetricError> {
        cell_masses(&kde_grid(points, self.bounds, GRID_RESOLUTION, bandwidth)?)
    }
}

/// The model's score and the exact data score at the same points.
pub struct ScoreComparison {
    /// What the scores are of, e.g. `"p_t at t = 0.9"`.
    pub label: String,
    /// Exact `∇log p` at the points, row-major `[n, 2]`.
    pub truth: Vec<f64>,
    /// The model's score at the points, row-major `[n, 2]`.
    pub model: Vec<f64>,
}

/// Everything the panel is computed from; all point sets row-major `[n, 2]` with one `n`.
pub struct PanelInputs<'a> {
    /// The data's reference density.
    pub reference: &'a ReferenceGrid,
    /// Model samples.
    pub model: &'a [f32],
    /// Fresh data samples.
    pub data: &'a [f32],
    /// Independent fresh data samples (noise floors).
    pub other: &'a [f32],
    /// Scores at common points, when the family has a score and the data an exact one.
    pub score: Option<ScoreComparison>,
}

fn estimate(
    name: &'static str,
    value: f64,
    units: &'static str,
    direction: &'static str,
    estimator: String,
) -> Estimate {
    Estimate {
        name,
        value,
        units,
        direction,
        estimator,
        model_samples: 0,
        data_samples: 0,
        noise_floor: None,
    }
}

/// Forward KL, reverse KL, Jensen–Shannon, total variation, Fisher (where scores exist), sliced
/// W2, Sinkhorn and MMD², in that order.
pub fn divergence_panel(inputs: &PanelInputs<'_>) -> Result<Vec<Estimate>, MetricError> {
    let n = inputs.model.len() / 2;
    let bandwidth = scott_bandwidth(inputs.data)?;
    let p = &inputs.reference.smoothed_masses(bandwidth)?;
    let q = inputs.reference.kde_masses(inputs.model, bandwidth)?;
    let floor_q = inputs.reference.kde_masses(inputs.other, bandwidth)?;
    let grid = |what: &str| {
        format!(
            "{what} on a {GRID_RESOLUTION}×{GRID_RESOLUTION} grid between the data's reference \
             density and a Gaussian KDE of the model samples, both smoothed by the same kernel \
             (Scott's rule on the data: h = ({:.3}, {:.3})) and mixed with uniform at 1e-4",
            bandwidth[0], bandwidth[1]
        )
    };
    let mut panel = vec![
        (
            estimate(
                "KL(data‖model)",
                kl(p, &q)?,
                "nats",
                "forward: data → model",
                grid("Σ p log p/q"),
            ),
            kl(p, &floor_q)?,
        ),
        (
            estimate(
                "KL(model‖data)",
                kl(&q, p)?,
                "nats",
                "reverse: model → data",
                grid("Σ q log q/p"),
            ),
            kl(&floor_q, p)?,
        ),
        (
            estimate(
                "JS(data, model)",
                jensen_shannon(p, &q)?,
                "nats",
                "symmetric",
                grid("½KL(p‖m) + ½KL(q‖m)"),
            ),
            jensen_shannon(p, &floor_q)?,
        ),
        (
            estimate(
                "TV(data, model)",
                total_variation(p, &q)?,
                "probability",
                "symmetric",
                grid("½Σ|p − q|"),
            ),
            total_variation(p, &floor_q)?,
        ),
    ]
    .into_iter()
    .map(|(mut e, floor)| {
        e.noise_floor = Some(floor);
        e
    })
    .collect::<Vec<_>>();
    if let Some(score) = &inputs.score {
        let fisher = fisher_divergence(&score.truth, &score.model, 2)?;
        panel.push(estimate(
            "Fisher(data, model)",
            fisher.mean,
            "1/data units²",
            "expectation under the data",
            format!(
                "E‖∇log p − s‖² for {}, exact data score, Monte Carlo over {} points (standard error {:.3})",
                score.label,
                score.truth.len() / 2,
                fisher.standard_error
            ),
        ));
    }
    let mut sample_based = vec![(
        estimate(
            "sliced W2(data, model)",
            sliced_w2(inputs.data, inputs.model, SLICED_W2_PROJECTIONS),
            "data units",
            "symmetric",
            format!(
                "exact 1-D W2 of the empirical projections on {SLICED_W2_PROJECTIONS} evenly spaced angles"
            ),
        ),
        sliced_w2(inputs.data, inputs.other, SLICED_W2_PROJECTIONS),
    )];
    let k = SINKHORN_POINTS.min(n) * 2;
    sample_based.push((
        estimate("Sinkhorn(data, model)", sinkhorn_divergence(&inputs.data[..k], &inputs.model[..k], SINKHORN_EPSILON)?, "data units²", "symmetric",
            format!("debiased log-domain Sinkhorn divergence, cost ‖x − y‖², ε = {SINKHORN_EPSILON}, on {} points per side", k / 2)),
        sinkhorn_divergence(&inputs.data[..k], &inputs.other[..k], SINKHORN_EPSILON)?,
    ));
    let median = median_distance(inputs.data, inputs.other)?;
    let bandwidths: Vec<f64> = BANDWIDTH_MULTIPLES.iter().map(|m| m * median).collect();
    sample_based.push((
        estimate("MMD²(data, model)", mmd2_unbiased(inputs.data, inputs.model, &bandwidths)?, "kernel units", "symmetric",
            format!("unbiased MMD², sum of RBF kernels with bandwidths {BANDWIDTH_MULTIPLES:?} × the data's median distance ({median:.3})")),
        mmd2_unbiased(inputs.data, inputs.other, &bandwidths)?,
    ));
    for (mut e, floor) in sample_based {
        e.noise_floor = Some(floor);
        panel.push(e);
    }
    for e in &mut panel {
        e.model_samples = n;
        e.data_samples = n;
    }
    Ok(panel)
}
