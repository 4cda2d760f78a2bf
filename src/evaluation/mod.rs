//! The divergence panel: every estimator between the data and a model's samples, each honestly
//! labelled and, where it is sample-based, with its noise floor (the same estimator between two
//! independent data samples of the same size).

mod compare;
mod images;
mod maps;

pub use compare::{COMPARE_POINTS, compare_samples};
pub use images::{
    DIGITS_SHAPE, ImagePanelInputs, ImageShape, Memorisation, bits_per_dim, image_panel,
};
pub use maps::{DensityMaps, density_maps, optimal_discriminator_map};

use crate::data::{Bounds, DataSource};
use crate::metrics::{
    BANDWIDTH_MULTIPLES, Estimate, MetricError, MmdAgainst, SINKHORN_MAX_ITERATIONS,
    SINKHORN_TOLERANCE, cell_masses, fisher_divergence, jensen_shannon, kde_grid, kl,
    median_distance, monte_carlo_kl, scott_bandwidth, sinkhorn_divergence, sliced_w2, smooth_grid,
    total_variation,
};

/// Cells per axis of the grid divergences computed from samples.
pub const GRID_RESOLUTION: usize = 128;
/// Cells per axis of the grid divergences computed from a model's own log-density (evaluated at
/// every cell centre on the device, so kept coarser), unless the family asks for fewer (see
/// [`DensityBudget`](crate::family::DensityBudget)).
pub const DENSITY_RESOLUTION: usize = 64;
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
    /// The reference at the model-density resolution: `(resolution, cell values)`.
    coarse: (usize, Vec<f64>),
    bounds: Bounds,
}

impl ReferenceGrid {
    /// Tabulates the source's reference density over its bounds; for the user's own points,
    /// which are the distribution, their Gaussian KDE (Scott's rule).
    /// Also tabulates it at `density_resolution` cells per axis, for models with a density.
    pub fn new(source: &DataSource, density_resolution: usize) -> Result<Self, MetricError> {
        let bounds = source.bounds();
        Ok(Self {
            density: reference_density(source, bounds, GRID_RESOLUTION)?,
            coarse: (
                density_resolution,
                reference_density(source, bounds, density_resolution)?,
            ),
            bounds,
        })
    }

    /// Cells per axis of the model-density grid.
    pub fn density_resolution(&self) -> usize {
        self.coarse.0
    }

    /// The window the grids cover.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// The area of one cell of a `resolution²` grid over the window.
    fn cell_area(&self, resolution: usize) -> f64 {
        let b = self.bounds;
        (b.x_max - b.x_min) as f64 * (b.y_max - b.y_min) as f64 / (resolution * resolution) as f64
    }

    /// The reference smoothed by the KDE kernel, as cell masses and the mass outside the
    /// window: what a KDE of data samples estimates, so that model and data are compared at the
    /// same smoothing.
    fn smoothed_masses(&self, bandwidth: [f64; 2]) -> Result<Vec<f64>, MetricError> {
        let smoothed = smooth_grid(&self.density, self.bounds, GRID_RESOLUTION, bandwidth)?;
        cell_masses(&smoothed, self.cell_area(GRID_RESOLUTION))
    }

    /// Cell masses of a KDE of `points` and the mass outside the window: the samples outside
    /// (a model far off the data has all of its mass there), and the kernel's spill past the
    /// edges, as for the smoothed reference.
    fn kde_masses(&self, points: &[f32], bandwidth: [f64; 2]) -> Result<Vec<f64>, MetricError> {
        let density = kde_grid(points, self.bounds, GRID_RESOLUTION, bandwidth)?;
        cell_masses(&density, self.cell_area(GRID_RESOLUTION))
    }
}

/// The source's reference density at the cells of a `resolution²` grid over `bounds`; for the
/// user's own points, which are the distribution, their Gaussian KDE (Scott's rule).
pub fn reference_density(
    source: &DataSource,
    bounds: Bounds,
    resolution: usize,
) -> Result<Vec<f64>, MetricError> {
    match (source.density_grid(bounds, resolution), source.points()) {
        (Some(grid), _) => Ok(grid.map_err(|e| MetricError::new(e.to_string()))?.values),
        (None, Some(points)) => {
            let points = points.points();
            kde_grid(points, bounds, resolution, scott_bandwidth(points)?)
        }
        (None, None) => Err(MetricError::new("the data source has no reference density")),
    }
}

/// The centres of a `resolution × resolution` grid over `bounds`, row-major `[cells, 2]` with
/// row 0 at the lowest y (the order of [`crate::data::Grid`]).
pub fn cell_centres(bounds: Bounds, resolution: usize) -> Vec<f32> {
    let dx = (bounds.x_max - bounds.x_min) / resolution as f32;
    let dy = (bounds.y_max - bounds.y_min) / resolution as f32;
    (0..resolution * resolution)
        .flat_map(|k| {
            let (i, j) = (k % resolution, k / resolution);
            [
                bounds.x_min + (i as f32 + 0.5) * dx,
                bounds.y_min + (j as f32 + 0.5) * dy,
            ]
        })
        .collect()
}

/// A model's own log-density: at the cell centres of the reference's density grid and, where
/// the data density is exact, at data samples beside the exact data log-density.
#[derive(Clone, Debug)]
pub struct ModelDensity {
    /// `log q` at the cell centres of [`cell_centres`]`(bounds, reference.density_resolution())`.
    pub grid: Vec<f64>,
    /// `(log p, log q)` at fresh data samples, when `log p` is exact.
    pub at_data: Option<(Vec<f64>, Vec<f64>)>,
    /// How the family computes `log q` (e.g. "exact, change of variables").
    pub method: &'static str,
    /// Whether `log q` is a lower bound (the VAE's IWAE): then the Monte Carlo KL is an upper
    /// bound of the KL, and says so.
    pub lower_bound: bool,
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
    /// The model's own log-density, when the family has one.
    pub density: Option<ModelDensity>,
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
    let mut panel = match &inputs.density {
        Some(density) => density_grid_estimates(inputs.reference, density)?,
        None => sample_grid_estimates(inputs)?,
    };
    if let Some(ModelDensity {
        at_data: Some((log_p, log_q)),
        method,
        lower_bound,
        ..
    }) = &inputs.density
    {
        let mc = monte_carlo_kl(log_p, log_q)?;
        let caveat = if *lower_bound {
            "; log q is a lower bound, so this over-states the KL (an upper bound of it)"
        } else {
            ""
        };
        let mut e = estimate(
            "KL(data‖model), Monte Carlo",
            mc.mean,
            "nats",
            "forward: data → model",
            format!(
                "E_data[log p − log q] over {} data samples, exact data density, model density \
                 {method} (standard error {:.3}){caveat}",
                log_p.len(),
                mc.standard_error
            ),
        );
        e.data_samples = log_p.len();
        panel.push(e);
    }
    if let Some(score) = &inputs.score {
        let fisher = fisher_divergence(&score.truth, &score.model, 2)?;
        let mut e = estimate(
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
        );
        e.data_samples = score.truth.len() / 2;
        panel.push(e);
    }
    let (data, model, other) = (inputs.data, inputs.model, inputs.other);
    let sliced = format!(
        "exact 1-D W2 of the empirical projections on {SLICED_W2_PROJECTIONS} evenly spaced angles"
    );
    let mut sample_based = vec![(
        estimate(
            "sliced W2(data, model)",
            sliced_w2(data, model, SLICED_W2_PROJECTIONS),
            "data units",
            "symmetric",
            sliced,
        ),
        sliced_w2(data, other, SLICED_W2_PROJECTIONS),
    )];
    let k = SINKHORN_POINTS.min(n) * 2;
    let sinkhorn = sinkhorn_divergence(&data[..k], &model[..k], SINKHORN_EPSILON)?;
    let description = format!(
        "debiased log-domain Sinkhorn divergence, cost ‖x − y‖², ε = {SINKHORN_EPSILON}, on {} \
         points per side; over-relaxed alternating updates after ε-scaling, stopped when the \
         plans' marginals are within {SINKHORN_TOLERANCE:e} (L1) of uniform or after \
         {SINKHORN_MAX_ITERATIONS} iterations: {} iterations, marginal error {:.1e}",
        k / 2,
        sinkhorn.iterations,
        sinkhorn.marginal_error
    );
    sample_based.push((
        estimate(
            "Sinkhorn(data, model)",
            sinkhorn.value,
            "data units²",
            "symmetric",
            description,
        ),
        sinkhorn_divergence(&data[..k], &other[..k], SINKHORN_EPSILON)?.value,
    ));
    let median = median_distance(data, other)?;
    let bandwidths: Vec<f64> = BANDWIDTH_MULTIPLES.iter().map(|m| m * median).collect();
    let mmd = MmdAgainst::new(data, &bandwidths)?;
    let description = format!(
        "unbiased MMD², sum of RBF kernels with bandwidths {BANDWIDTH_MULTIPLES:?} × the data's \
         median distance ({median:.3})"
    );
    sample_based.push((
        estimate(
            "MMD²(data, model)",
            mmd.mmd2(model)?,
            "kernel units",
            "symmetric",
            description,
        ),
        mmd.mmd2(other)?,
    ));
    for (mut e, floor) in sample_based {
        e.noise_floor = Some(floor);
        panel.push(e);
    }
    for e in panel.iter_mut().filter(|e| e.noise_floor.is_some()) {
        e.model_samples = n;
        e.data_samples = n;
    }
    Ok(panel)
}

/// The four grid divergences from masses `p` (data) and `q` (model), each with its noise floor
/// (the same divergence with `floor_q`, a second data estimate, in place of `q`) when given.
fn grid_estimates(
    p: &[f64],
    q: &[f64],
    floor_q: Option<&[f64]>,
    describe: impl Fn(&str) -> String,
) -> Result<Vec<Estimate>, MetricError> {
    type Divergence = fn(&[f64], &[f64]) -> Result<f64, MetricError>;
    let reverse_kl: Divergence = |p, q| kl(q, p);
    let rows: [(&'static str, Divergence, &'static str, &'static str, &str); 4] = [
        (
            "KL(data‖model)",
            kl,
            "nats",
            "forward: data → model",
            "Σ p log p/q",
        ),
        (
            "KL(model‖data)",
            reverse_kl,
            "nats",
            "reverse: model → data",
            "Σ q log q/p",
        ),
        (
            "JS(data, model)",
            jensen_shannon,
            "nats",
            "symmetric",
            "½KL(p‖m) + ½KL(q‖m)",
        ),
        (
            "TV(data, model)",
            total_variation,
            "probability",
            "symmetric",
            "½Σ|p − q|",
        ),
    ];
    rows.into_iter()
        .map(|(name, divergence, units, direction, formula)| {
            let mut e = estimate(name, divergence(p, q)?, units, direction, describe(formula));
            e.noise_floor = floor_q.map(|floor| divergence(p, floor)).transpose()?;
            Ok(e)
        })
        .collect()
}

/// Grid divergences between the reference and a KDE of the model samples, both smoothed by the
/// same kernel, with noise floors from a second data sample.
fn sample_grid_estimates(inputs: &PanelInputs<'_>) -> Result<Vec<Estimate>, MetricError> {
    let bandwidth = scott_bandwidth(inputs.data)?;
    let p = inputs.reference.smoothed_masses(bandwidth)?;
    let q = inputs.reference.kde_masses(inputs.model, bandwidth)?;
    let floor_q = inputs.reference.kde_masses(inputs.other, bandwidth)?;
    grid_estimates(&p, &q, Some(&floor_q), |what| {
        format!(
            "{what} on a {GRID_RESOLUTION}×{GRID_RESOLUTION} grid between the data's reference \
             density and a Gaussian KDE of the model samples, both smoothed by the same kernel \
             (Scott's rule on the data: h = ({:.3}, {:.3})), with one more cell for the mass \
             outside the window, mixed with uniform at 1e-4",
            bandwidth[0], bandwidth[1]
        )
    })
}

/// Grid divergences between the reference and the model's own density at the cell centres: no
/// samples, so no noise floor; the error is the grid's.
fn density_grid_estimates(
    reference: &ReferenceGrid,
    density: &ModelDensity,
) -> Result<Vec<Estimate>, MetricError> {
    let max = density
        .grid
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return Err(MetricError::new(
            "the model's log-density is not finite on the grid",
        ));
    }
    let (resolution, coarse) = (reference.coarse.0, &reference.coarse.1);
    if density.grid.len() != coarse.len() {
        return Err(MetricError::new(
            "the model's density grid does not match the reference's",
        ));
    }
    let area = reference.cell_area(resolution);
    let q = cell_masses(
        &density.grid.iter().map(|l| l.exp()).collect::<Vec<_>>(),
        area,
    )?;
    let p = cell_masses(coarse, area)?;
    grid_estimates(&p, &q, None, |what| {
        format!(
            "{what} on a {resolution}×{resolution} grid between the data's \
             reference density and the model's log-density ({}) at the cell centres, as cell \
             masses with one more cell for the mass outside the window (1 − the mass inside), \
             mixed with uniform at 1e-4",
            density.method
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Dataset, DatasetSpec, seeded_rng};

    #[test]
    fn samples_far_outside_the_window_give_large_finite_divergences() {
        let source = DatasetSpec::Named(Dataset::Moons).build().unwrap();
        let reference = ReferenceGrid::new(&source, DENSITY_RESOLUTION).unwrap();
        let mut rng = seeded_rng(1);
        let (data, other) = (source.sample(1000, &mut rng), source.sample(1000, &mut rng));
        let far: Vec<f32> = (0..2000).map(|i| 1000.0 + i as f32).collect();
        let inputs = PanelInputs {
            reference: &reference,
            model: &far,
            data: &data,
            other: &other,
            score: None,
            density: None,
        };
        let panel = divergence_panel(&inputs).unwrap();
        let kl = panel.iter().find(|e| e.name == "KL(data‖model)").unwrap();
        // All of the model's mass is outside the window: KL is as large as the uniform
        // smoothing allows (≈ ln(10⁴ · 128²) ≈ 19 nats), finite and far above the noise floor.
        assert!(
            kl.value.is_finite() && kl.value > 10.0 * kl.noise_floor.unwrap(),
            "{kl:?}"
        );
        let tv = panel.iter().find(|e| e.name.starts_with("TV")).unwrap();
        assert!(tv.value > 5.0 * tv.noise_floor.unwrap(), "{tv:?}");
    }

    #[test]
    fn mass_outside_the_window_counts_in_the_grid_divergences() {
        // 70 % of the model's samples are data, 30 % lie far outside the window: the true TV is
        // 0.30 and the reverse KL infinite. Renormalised over the window, TV showed 0.04.
        let source = DatasetSpec::Named(Dataset::EightGaussians).build().unwrap();
        let reference = ReferenceGrid::new(&source, DENSITY_RESOLUTION).unwrap();
        let mut rng = seeded_rng(2);
        let (data, other) = (source.sample(1000, &mut rng), source.sample(1000, &mut rng));
        let mut model = source.sample(700, &mut rng);
        model.extend((0..300).flat_map(|i| [40.0 + i as f32, -40.0]));
        let inputs = PanelInputs {
            reference: &reference,
            model: &model,
            data: &data,
            other: &other,
            score: None,
            density: None,
        };
        let panel = divergence_panel(&inputs).unwrap();
        let find = |name: &str| panel.iter().find(|e| e.name == name).unwrap();
        let tv = find("TV(data, model)");
        assert!((0.27..0.36).contains(&tv.value), "{tv:?}");
        assert!(tv.value > 3.0 * tv.noise_floor.unwrap(), "{tv:?}");
        // Infinite in truth; on the smoothed grid the data's kernel spill past the edges puts
        // about 1 % outside, so 0.3 ln(0.3/0.01) ≈ 1 nat: far above its floor all the same.
        let reverse = find("KL(model‖data)");
        assert!(reverse.value > 0.5, "{reverse:?}");
        assert!(
            reverse.value > 100.0 * reverse.noise_floor.unwrap(),
            "{reverse:?}"
        );
    }

    #[test]
    fn a_kl_from_a_lower_bound_of_log_q_says_it_over_states() {
        let source = DatasetSpec::Named(Dataset::EightGaussians).build().unwrap();
        let mixture = source.mixture().unwrap();
        let reference = ReferenceGrid::new(&source, 16).unwrap();
        let mut rng = seeded_rng(3);
        let (data, other) = (source.sample(200, &mut rng), source.sample(200, &mut rng));
        let log = |points: &[f32]| -> Vec<f64> {
            points
                .chunks_exact(2)
                .map(|p| mixture.log_density([p[0] as f64, p[1] as f64]))
                .collect()
        };
        for lower_bound in [false, true] {
            let density = ModelDensity {
                grid: log(&cell_centres(reference.bounds(), 16)),
                at_data: Some((log(&data), log(&data))),
                method: "exact",
                lower_bound,
            };
            let inputs = PanelInputs {
                reference: &reference,
                model: &other,
                data: &data,
                other: &other,
                score: None,
                density: Some(density),
            };
            let panel = divergence_panel(&inputs).unwrap();
            let mc = panel
                .iter()
                .find(|e| e.name == "KL(data‖model), Monte Carlo")
                .unwrap();
            assert_eq!(mc.value, 0.0, "the model is the data");
            assert_eq!(mc.estimator.contains("over-states"), lower_bound, "{mc:?}");
        }
    }
}
