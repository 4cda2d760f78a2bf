//! The divergence panel: every estimator between the data and a model's samples, each honestly
//! labelled and, where it is sample-based, with its noise floor (the same estimator between two
//! independent data samples of the same size).

#[cfg(not(target_arch = "wasm32"))]
pub mod calibration;
mod compare;
pub mod digit_classifier;
mod floors;
mod images;
mod maps;
mod sample_content;

pub use compare::{COMPARE_POINTS, compare_samples};
pub use floors::{
    FLOOR_SEED, MMD2, NoiseFloors, SINKHORN, SLICED_W2, SMOOTHED_ROWS, SampleScales, sample_rows,
};
pub use images::{
    DIGITS_SHAPE, HELD_OUT_NEGATIVE_ELBO, HELD_OUT_NLL, ImagePanelInputs, ImageShape,
    MMD2_HELD_OUT, Memorisation, bits_per_dim, floor_draws, image_panel,
};
pub use maps::{
    DensityMaps, OPTIMAL_DISCRIMINATOR_RESOLUTION, OPTIMAL_DISCRIMINATOR_SAMPLES, density_maps,
    optimal_discriminator_at, optimal_discriminator_map,
};
pub use sample_content::{CLASSIFIER_DOUBT, REQUESTED_DIGIT_SHOWN, SAMPLE_VARIETY};

use crate::data::{Bounds, DataSource};
use crate::metrics::{
    Estimate, MetricError, RowName, cell_masses, fisher_divergence, jensen_shannon, kde_grid, kl,
    monte_carlo_kl, scott_bandwidth, smooth_grid, total_variation,
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
/// Entropic regularisation of the Sinkhorn divergence on a window of side
/// [`SINKHORN_WINDOW_SIDE`] (the shipped sets'), in squared data units; it grows with the square
/// of the window's side (see [`ReferenceGrid::sinkhorn_epsilon`]), so the divergence of data in
/// other units is the same divergence in those units.
pub const SINKHORN_EPSILON: f64 = 0.1;
/// The window side at which the Sinkhorn regularisation is [`SINKHORN_EPSILON`].
pub const SINKHORN_WINDOW_SIDE: f64 = 9.0;

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

    /// The sides `[dx, dy]` of one cell of the sample grid.
    pub fn cell_size(&self) -> [f64; 2] {
        let b = self.bounds;
        [
            (b.x_max - b.x_min) as f64 / GRID_RESOLUTION as f64,
            (b.y_max - b.y_min) as f64 / GRID_RESOLUTION as f64,
        ]
    }

    /// The Sinkhorn divergence's ε for this window: [`SINKHORN_EPSILON`] × (side /
    /// [`SINKHORN_WINDOW_SIDE`])², squared data units.
    pub fn sinkhorn_epsilon(&self) -> f64 {
        let side = (self.bounds.x_max - self.bounds.x_min) as f64;
        SINKHORN_EPSILON * (side / SINKHORN_WINDOW_SIDE).powi(2)
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
#[derive(Clone, Debug)]
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
    /// The sample-based rows' scales and noise floors, for this dataset and `n`.
    pub floors: &'a NoiseFloors,
    /// Scores at common points, when the family has a score and the data an exact one.
    pub score: Option<ScoreComparison>,
    /// The model's own log-density, when the family has one.
    pub density: Option<ModelDensity>,
}

fn estimate(
    row: RowName,
    value: f64,
    units: &'static str,
    direction: &'static str,
    estimator: String,
) -> Estimate {
    Estimate {
        id: row.id,
        name: row.name,
        value,
        units,
        direction,
        estimator,
        model_samples: 0,
        data_samples: 0,
        noise_floor: None,
    }
}

/// The grid rows from a model's own log-density at the cell centres.
pub const DENSITY_ROWS: [RowName; 4] = [
    RowName::new("kl_density_grid", "KL(data‖model), density grid"),
    RowName::new("reverse_kl_density_grid", "KL(model‖data), density grid"),
    RowName::new("js_density_grid", "JS(data, model), density grid"),
    RowName::new("tv_density_grid", "TV(data, model), density grid"),
];
/// The Monte Carlo KL from the model's and the data's exact log-densities at data samples.
pub const KL_MONTE_CARLO: RowName = RowName::new("kl_monte_carlo", "KL(data‖model), Monte Carlo");
/// The Fisher divergence from exact data scores.
pub const FISHER: RowName = RowName::new("fisher", "Fisher(data, model)");

/// The grid rows from the model's density (families with one), the Monte Carlo KL (exact data
/// density), Fisher (where scores exist), then the sample-based rows with their noise floors:
/// KL / reverse KL / JS / TV smoothed, sliced W2, Sinkhorn and MMD².
pub fn divergence_panel(inputs: &PanelInputs<'_>) -> Result<Vec<Estimate>, MetricError> {
    let floors = inputs.floors;
    if floors.points * 2 != inputs.model.len() || inputs.data.len() != inputs.model.len() {
        return Err(MetricError::new(format!(
            "the noise floors are for {} points per side, the panel got {} model and {} data \
             numbers",
            floors.points,
            inputs.model.len(),
            inputs.data.len()
        )));
    }
    let mut panel = match &inputs.density {
        Some(density) => density_grid_estimates(inputs.reference, density)?,
        None => Vec::new(),
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
            KL_MONTE_CARLO,
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
            FISHER,
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
    for mut e in sample_rows(inputs.reference, &floors.scales, inputs.data, inputs.model)? {
        e.noise_floor = floors.floor(e.id);
        panel.push(e);
    }
    Ok(panel)
}

/// The four grid divergences from masses `p` (data) and `q` (model), named `names`.
fn grid_estimates(
    p: &[f64],
    q: &[f64],
    names: [RowName; 4],
    describe: impl Fn(&str) -> String,
) -> Result<Vec<Estimate>, MetricError> {
    type Divergence = fn(&[f64], &[f64]) -> Result<f64, MetricError>;
    let reverse_kl: Divergence = |p, q| kl(q, p);
    let rows: [(Divergence, &'static str, &'static str, &str); 4] = [
        (kl, "nats", "forward: data → model", "Σ p log p/q"),
        (reverse_kl, "nats", "reverse: model → data", "Σ q log q/p"),
        (jensen_shannon, "nats", "symmetric", "½KL(p‖m) + ½KL(q‖m)"),
        (total_variation, "probability", "symmetric", "½Σ|p − q|"),
    ];
    names
        .into_iter()
        .zip(rows)
        .map(|(name, (divergence, units, direction, formula))| {
            Ok(estimate(
                name,
                divergence(p, q)?,
                units,
                direction,
                describe(formula),
            ))
        })
        .collect()
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
    grid_estimates(&p, &q, DENSITY_ROWS, |what| {
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

    /// The panel between `source`'s data and `model` (with a model density, if given).
    fn panel(
        source: &DataSource,
        reference: &ReferenceGrid,
        model: &[f32],
        density: Option<ModelDensity>,
    ) -> Vec<Estimate> {
        let n = model.len() / 2;
        let data = source.sample(n, &mut seeded_rng(1));
        let floors = NoiseFloors::cached(source, reference, n).unwrap();
        divergence_panel(&PanelInputs {
            reference,
            model,
            data: &data,
            floors: &floors,
            score: None,
            density,
        })
        .unwrap()
    }

    fn find<'a>(panel: &'a [Estimate], name: &str) -> &'a Estimate {
        panel.iter().find(|e| e.name == name).unwrap()
    }

    #[test]
    fn samples_far_outside_the_window_give_large_finite_divergences() {
        let source = DatasetSpec::Named(Dataset::Moons).build().unwrap();
        let reference = ReferenceGrid::new(&source, DENSITY_RESOLUTION).unwrap();
        let far: Vec<f32> = (0..2000).map(|i| 1000.0 + i as f32).collect();
        let panel = panel(&source, &reference, &far, None);
        let kl = find(&panel, "KL(data‖model), smoothed");
        // All of the model's mass is outside the window: KL is as large as the uniform
        // smoothing allows (≈ ln(10⁴ · 128²) ≈ 19 nats), finite and far above the noise floor.
        assert!(
            kl.value.is_finite() && kl.value > 10.0 * kl.noise_floor.unwrap().upper,
            "{kl:?}"
        );
        let tv = find(&panel, "TV(data, model), smoothed");
        assert!(tv.value > 5.0 * tv.noise_floor.unwrap().upper, "{tv:?}");
    }

    #[test]
    fn mass_outside_the_window_counts_in_the_grid_divergences() {
        // 70 % of the model's samples are data, 30 % lie far outside the window: the true TV is
        // 0.30 and the reverse KL infinite. Renormalised over the window, TV showed 0.04.
        let source = DatasetSpec::Named(Dataset::EightGaussians).build().unwrap();
        let reference = ReferenceGrid::new(&source, DENSITY_RESOLUTION).unwrap();
        let mut model = source.sample(700, &mut seeded_rng(2));
        model.extend((0..300).flat_map(|i| [40.0 + i as f32, -40.0]));
        let panel = panel(&source, &reference, &model, None);
        let tv = find(&panel, "TV(data, model), smoothed");
        // 0.30 apart from the KDE's noise on the 70 % inside (its floor).
        let floor = tv.noise_floor.unwrap();
        assert!((tv.value - 0.3).abs() <= floor.upper, "{tv:?}");
        assert!(tv.value > 3.0 * floor.upper, "{tv:?}");
        // Infinite in truth; the data's kernel spill past the edges puts a little mass
        // outside, so 0.3 ln(0.3/spill) nats: far above its floor all the same.
        let reverse = find(&panel, "KL(model‖data), smoothed");
        assert!(reverse.value > 0.5, "{reverse:?}");
        assert!(
            reverse.value > 10.0 * reverse.noise_floor.unwrap().upper,
            "{reverse:?}"
        );
    }

    #[test]
    fn a_kl_from_a_lower_bound_of_log_q_says_it_over_states() {
        let source = DatasetSpec::Named(Dataset::EightGaussians).build().unwrap();
        let mixture = source.mixture().unwrap();
        let reference = ReferenceGrid::new(&source, 16).unwrap();
        let data = source.sample(200, &mut seeded_rng(3));
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
            let panel = panel(&source, &reference, &data, Some(density));
            let mc = find(&panel, "KL(data‖model), Monte Carlo");
            assert_eq!(mc.value, 0.0, "the model is the data");
            assert_eq!(mc.estimator.contains("over-states"), lower_bound, "{mc:?}");
            // The reference is cell averages, the model's density its values at the centres:
            // at 16² cells (0.56 wide, modes of sd 0.35) they differ by 0.015 nats.
            let grid = find(&panel, "KL(data‖model), density grid");
            assert!(grid.value < 0.03 && grid.noise_floor.is_none(), "{grid:?}");
        }
    }

    #[test]
    fn floors_of_a_size_are_measured_once_and_refused_for_another() {
        let source = DatasetSpec::Named(Dataset::EightGaussians).build().unwrap();
        let reference = ReferenceGrid::new(&source, 16).unwrap();
        let first = NoiseFloors::cached(&source, &reference, 64).unwrap();
        let again = NoiseFloors::cached(&source, &reference, 64).unwrap();
        assert!(std::rc::Rc::ptr_eq(&first, &again));
        let model = source.sample(32, &mut seeded_rng(4));
        let inputs = PanelInputs {
            reference: &reference,
            model: &model,
            data: &model,
            floors: &first,
            score: None,
            density: None,
        };
        let error = divergence_panel(&inputs).unwrap_err();
        assert!(error.0.contains("64 points per side"), "{error}");
    }
}
