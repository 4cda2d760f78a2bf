//! The calibration suite: every row of the divergence panel, run on data whose density is
//! exact and on "models" whose true divergences are known, compared with the truth and with
//! the row's noise floor. `cargo run --example calibrate` writes the report (CALIBRATION.md);
//! the tests below hold every row to its tolerance.
//!
//! Tolerances are derived from each estimator's own error, not tuned:
//! - rows with a noise floor (sample-based): the floor's 95 % bound (the estimator's bias and
//!   spread where the truth is 0) plus three standard deviations of the estimate over
//!   [`REPLICATES`] independent model samples (its spread where the truth is not 0);
//! - the density-grid rows: the cell masses' quadrature error (the data's 3×3 cell averages and
//!   the model's centre values against 4×4 midpoint masses) propagated to first order through
//!   each divergence;
//! - the Monte Carlo KL and Fisher: three standard errors, plus 10⁻⁴ (the report's resolution).
//!
//! A perturbed model must be separated from the data (above the floor's 95 % bound, or above
//! the tolerance for rows without a floor) wherever its true divergence is itself above that
//! bound: below it, no estimator of that sample size resolves the difference, and the report
//! says so.

mod laws;
mod truth;

pub use laws::{Law, Part};

use super::{
    DENSITY_RESOLUTION, DENSITY_ROWS, FISHER, GRID_RESOLUTION, KL_MONTE_CARLO, MMD2, ModelDensity,
    NoiseFloors, PanelInputs, ReferenceGrid, SINKHORN, SLICED_W2, SLICED_W2_PROJECTIONS,
    SMOOTHED_ROWS, ScoreComparison, cell_centres, divergence_panel,
};
use crate::data::{DataSource, Dataset, GaussianMixture, seeded_rng};
use crate::metrics::{
    BANDWIDTH_MULTIPLES, Estimate, MetricError, NoiseFloor, RowName, fisher_divergence,
    monte_carlo_kl,
};

/// The unperturbed case: the model is the data.
pub const DATA_CASE: &str = "the data itself";
/// The report's resolution, part of the Monte Carlo rows' tolerance.
const RESOLUTION: f64 = 1e-4;
/// Points per side of every panel in the suite (as the page evaluates).
pub const POINTS: usize = 1000;
/// Independent model samples per case, for the spread of each estimate.
pub const REPLICATES: usize = 4;

/// A dataset of the suite: its source (for the panel) and its exact law (for the truths).
pub struct CalibrationSet {
    /// The name in the report.
    pub name: &'static str,
    /// The panel's data source.
    pub source: DataSource,
    /// The same distribution as a [`Law`].
    pub law: Law,
}

/// An anisotropic, correlated three-component mixture (also the quality report's): modes of
/// different shapes and sizes, none aligned with the axes.
pub fn correlated_mixture() -> GaussianMixture {
    GaussianMixture::new(
        vec![0.5, 0.3, 0.2],
        vec![[-1.5, 0.0], [1.5, 1.0], [0.5, -2.0]],
        vec![
            [0.6, 0.45, 0.45, 0.6],
            [0.3, -0.15, -0.15, 0.4],
            [0.2, 0.0, 0.0, 0.8],
        ],
    )
    .expect("a valid mixture")
}

impl CalibrationSet {
    /// 8 gaussians, a correlated three-component mixture and the checkerboard.
    pub fn all() -> Vec<Self> {
        let eight = Dataset::EightGaussians.mixture().expect("a mixture");
        let correlated = correlated_mixture();
        vec![
            Self {
                name: "8 gaussians",
                source: DataSource::Named(Dataset::EightGaussians),
                law: Law::from_mixture(&eight),
            },
            Self {
                name: "correlated mixture",
                law: Law::from_mixture(&correlated),
                source: DataSource::Mixture(correlated),
            },
            Self {
                name: "checkerboard",
                source: DataSource::Named(Dataset::Checkerboard),
                law: Law::checkerboard(),
            },
        ]
    }

    /// The perturbed models: the data itself, modes ×0.7 and ×1.4 as wide, the first mode
    /// missing, 30 % of the mass in a Gaussian (sd 0.5) 3 units right of the window, and the
    /// data shifted by (0.5, 0).
    pub fn cases(&self) -> Vec<(&'static str, Law)> {
        let bounds = self.source.bounds();
        let off = Part::Gaussian {
            mean: [bounds.x_max as f64 + 3.0, 0.0],
            cov: [0.25, 0.0, 0.0, 0.25],
        };
        vec![
            (DATA_CASE, self.law.clone()),
            ("modes too narrow (×0.7)", self.law.spread(0.7)),
            ("modes too wide (×1.4)", self.law.spread(1.4)),
            ("one mode missing", self.law.without(0)),
            ("30 % of mass off the window", self.law.blended(0.3, off)),
            ("shifted by (0.5, 0)", self.law.shifted([0.5, 0.0])),
        ]
    }
}

/// One row of the report: an estimator on one case.
#[derive(Clone, Debug)]
pub struct Calibrated {
    /// The dataset.
    pub dataset: &'static str,
    /// The perturbed model.
    pub case: &'static str,
    /// The panel row's name.
    pub row: &'static str,
    /// The true value of what the row estimates; `None` where it is not known (the Sinkhorn
    /// divergence between continuous laws has no closed form except for a translation).
    pub truth: Option<f64>,
    /// The estimate (first replicate).
    pub estimate: f64,
    /// The row's noise floor.
    pub floor: Option<NoiseFloor>,
    /// How far from the truth the estimate may be.
    pub tolerance: f64,
}

impl Calibrated {
    /// Whether the estimate is within its tolerance of the truth (true where the truth is
    /// unknown).
    pub fn within(&self) -> bool {
        self.truth
            .is_none_or(|t| (self.estimate - t).abs() <= self.tolerance)
    }

    /// Whether the estimate stands above its noise floor's 95 % bound (or, without a floor,
    /// above its tolerance).
    pub fn separated(&self) -> bool {
        self.estimate > self.resolution()
    }

    /// Whether a perturbed model must be separated: its truth is known and above the
    /// resolution.
    pub fn must_separate(&self) -> bool {
        self.case != DATA_CASE && self.truth.is_some_and(|t| t > self.resolution())
    }

    /// The smallest value the row tells apart from a perfect model.
    fn resolution(&self) -> f64 {
        self.floor.map_or(self.tolerance, |f| f.upper)
    }
}

/// Every row of the panel on every case of `set`.
pub fn calibrate(set: &CalibrationSet) -> Result<Vec<Calibrated>, MetricError> {
    let reference = ReferenceGrid::new(&set.source, DENSITY_RESOLUTION)?;
    let floors = NoiseFloors::cached(&set.source, &reference, POINTS)?;
    let bounds = set.source.bounds();
    let h = floors.scales.bandwidth.h;
    let bandwidths: Vec<f64> = BANDWIDTH_MULTIPLES
        .iter()
        .map(|m| m * floors.scales.median)
        .collect();
    let exact_p = set.law.to_mixture();
    let p_cells = truth::cell_masses(|x| set.law.density(x), bounds, DENSITY_RESOLUTION);
    let p_smoothed =
        truth::cell_masses(|x| set.law.smoothed_density(x, h), bounds, GRID_RESOLUTION);
    let mut rows = Vec::new();
    for (case_index, (case, model)) in set.cases().into_iter().enumerate() {
        let mut panels = Vec::new();
        let mut exact_inputs = None;
        for replicate in 0..REPLICATES {
            let seed = 1000 * case_index as u64 + replicate as u64;
            let data = set.source.sample(POINTS, &mut seeded_rng(seed));
            let samples = model.sample(POINTS, &mut seeded_rng(seed + 500));
            let exact_q = model.to_mixture();
            let (density, score) = match (&exact_p, &exact_q) {
                (Some(p), Some(q)) => (
                    Some(exact_density(p, q, &data, &reference)),
                    Some(exact_scores(p, q, &data)),
                ),
                _ => (None, None),
            };
            panels.push(divergence_panel(&PanelInputs {
                reference: &reference,
                model: &samples,
                data: &data,
                floors: &floors,
                score: score.clone(),
                density: density.clone(),
            })?);
            if replicate == 0 {
                exact_inputs = density.zip(score);
            }
        }
        let spread = |row: RowName| {
            let values: Vec<f64> = panels.iter().map(|p| value(p, row)).collect();
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64)
                .sqrt()
        };
        let first = &panels[0];
        let q_smoothed =
            truth::cell_masses(|x| model.smoothed_density(x, h), bounds, GRID_RESOLUTION);
        let smoothed = truth::grid_divergences(&p_smoothed, &q_smoothed);
        let mut push = |row: RowName, truth: Option<f64>, tolerance: f64| {
            let e = find(first, row);
            rows.push(Calibrated {
                dataset: set.name,
                case,
                row: row.name,
                truth,
                estimate: e.value,
                floor: e.noise_floor,
                tolerance,
            });
        };
        let sampled = |row: RowName| {
            let floor = find(first, row)
                .noise_floor
                .expect("a sample-based row")
                .upper;
            floor.abs() + 3.0 * spread(row)
        };
        for (row, truth) in SMOOTHED_ROWS.into_iter().zip(smoothed) {
            push(row, Some(truth), sampled(row));
        }
        push(
            SLICED_W2,
            Some(truth::sliced_w2(&set.law, &model, SLICED_W2_PROJECTIONS)),
            sampled(SLICED_W2),
        );
        let shift = if case.starts_with("shifted") {
            Some(0.25)
        } else {
            None
        };
        let sinkhorn_truth = if case_index == 0 { Some(0.0) } else { shift };
        push(SINKHORN, sinkhorn_truth, sampled(SINKHORN));
        push(
            MMD2,
            Some(truth::mmd2(&set.law, &model, bounds, &bandwidths)),
            sampled(MMD2),
        );
        if let Some((density, score)) = exact_inputs {
            let q_cells = truth::cell_masses(|x| model.density(x), bounds, DENSITY_RESOLUTION);
            let grid_truth = truth::grid_divergences(&p_cells, &q_cells);
            let tolerances = grid_tolerances(&reference, &density, &p_cells, &q_cells)?;
            for ((row, truth), tolerance) in
                DENSITY_ROWS.into_iter().zip(grid_truth).zip(tolerances)
            {
                push(row, Some(truth), tolerance);
            }
            let (log_p, log_q) = density.at_data.as_ref().expect("an exact data density");
            let kl = monte_carlo_kl(log_p, log_q)?;
            let mc_truth = truth::continuous_kl(&set.law, &model, bounds);
            push(
                KL_MONTE_CARLO,
                Some(mc_truth),
                3.0 * kl.standard_error + RESOLUTION,
            );
            let fisher = fisher_divergence(&score.truth, &score.model, 2)?;
            push(
                FISHER,
                truth::fisher(&set.law, &model, bounds),
                3.0 * fisher.standard_error + RESOLUTION,
            );
        }
    }
    Ok(rows)
}

fn find(panel: &[Estimate], row: RowName) -> &Estimate {
    panel
        .iter()
        .find(|e| e.id == row.id)
        .unwrap_or_else(|| panic!("no {} in the panel", row.name))
}

fn value(panel: &[Estimate], row: RowName) -> f64 {
    find(panel, row).value
}

/// A perfect density model of `q` as the session would probe it: `log q` at the cell centres
/// of the density grid and, with the exact `log p`, at the data samples.
fn exact_density(
    p: &GaussianMixture,
    q: &GaussianMixture,
    data: &[f32],
    reference: &ReferenceGrid,
) -> ModelDensity {
    let log = |m: &GaussianMixture, points: &[f32]| -> Vec<f64> {
        points
            .chunks_exact(2)
            .map(|x| m.log_density([x[0] as f64, x[1] as f64]))
            .collect()
    };
    let centres = cell_centres(reference.bounds(), reference.density_resolution());
    ModelDensity {
        grid: log(q, &centres),
        at_data: Some((log(p, data), log(q, data))),
        method: "exact (calibration)",
        lower_bound: false,
    }
}

/// The exact data score and the model's at the data samples.
fn exact_scores(p: &GaussianMixture, q: &GaussianMixture, data: &[f32]) -> ScoreComparison {
    let score = |m: &GaussianMixture| -> Vec<f64> {
        data.chunks_exact(2)
            .flat_map(|x| m.score([x[0] as f64, x[1] as f64]))
            .collect()
    };
    ScoreComparison {
        label: "the data density".into(),
        truth: score(p),
        model: score(q),
    }
}

/// How far the density-grid rows may be from the truth: the estimator's cell masses (the
/// data's 3×3 cell averages, the model's centre values, both with the outside cell and the
/// uniform mixing) against the 4×4 midpoint masses `p`, `q`, as relative errors `ε = log(m̂/m)`
/// per cell, propagated to first order: KL(p‖q) by `Σ p(1 + |log p/q|)|ε_p| + Σ p|ε_q|`, the
/// reverse KL likewise with the roles swapped, JS by `½(1 + ln 2) Σ (p|ε_p| + q|ε_q|)`, TV by
/// `½ Σ (p|ε_p| + q|ε_q|)`.
fn grid_tolerances(
    reference: &ReferenceGrid,
    density: &ModelDensity,
    p: &[f64],
    q: &[f64],
) -> Result<[f64; 4], MetricError> {
    let area = reference.cell_area(reference.density_resolution());
    let p_hat = crate::metrics::cell_masses(&reference.coarse.1, area)?;
    let q_values: Vec<f64> = density.grid.iter().map(|l| l.exp()).collect();
    let q_hat = crate::metrics::cell_masses(&q_values, area)?;
    let (mut forward, mut reverse, mut spread) = (0.0, 0.0, 0.0);
    for i in 0..p.len() {
        let (ep, eq) = ((p_hat[i] / p[i]).ln().abs(), (q_hat[i] / q[i]).ln().abs());
        let log_ratio = (p[i] / q[i]).ln().abs();
        forward += p[i] * (1.0 + log_ratio) * ep + p[i] * eq;
        reverse += q[i] * (1.0 + log_ratio) * eq + q[i] * ep;
        spread += p[i] * ep + q[i] * eq;
    }
    let half = 0.5 * spread;
    Ok([
        forward,
        reverse,
        half * (1.0 + std::f64::consts::LN_2),
        half,
    ])
}

/// The report as Markdown: one table per dataset.
pub fn report(rows: &[Calibrated]) -> String {
    let number = |v: f64| {
        if v.is_infinite() {
            "∞".to_string()
        } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e4) {
            format!("{v:.2e}")
        } else {
            format!("{v:.4}")
        }
    };
    let mut out = String::new();
    let mut dataset = "";
    for row in rows {
        if row.dataset != dataset {
            dataset = row.dataset;
            out.push_str(&format!(
                "\n### {dataset}\n\n| case | estimator | truth | estimate | floor mean / 95 % bound | tolerance | verdict |\n|---|---|---|---|---|---|---|\n"
            ));
        }
        let floor = row.floor.map_or("–".to_string(), |f| {
            format!("{} / {}", number(f.mean), number(f.upper))
        });
        let truth = row.truth.map_or("not known".to_string(), number);
        let verdict = match (row.within(), row.separated(), row.must_separate()) {
            (false, _, _) => "**outside tolerance**",
            (true, _, _) if row.case == DATA_CASE => "within",
            (true, true, _) if row.truth.is_none() => "separated (truth not known)",
            (true, false, _) if row.truth.is_none() => "not separated (truth not known)",
            (true, true, _) => "within, separated",
            (true, false, true) => "within, **not separated**",
            (true, false, false) => "within; truth below the resolution",
        };
        out.push_str(&format!(
            "| {} | {} | {truth} | {} | {floor} | {} | {verdict} |\n",
            row.case,
            row.row,
            number(row.estimate),
            number(row.tolerance)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of `set` within its tolerance of the truth, and every perturbed model
    /// separated from the data by every row.
    fn holds(index: usize) {
        let set = CalibrationSet::all().swap_remove(index);
        let rows = calibrate(&set).unwrap();
        eprintln!("{}", report(&rows));
        let outside: Vec<_> = rows.iter().filter(|r| !r.within()).collect();
        assert!(outside.is_empty(), "outside tolerance: {outside:#?}");
        let unseparated: Vec<_> = rows
            .iter()
            .filter(|r| r.must_separate() && !r.separated())
            .collect();
        assert!(unseparated.is_empty(), "not separated: {unseparated:#?}");
    }

    #[test]
    fn eight_gaussians_calibrate() {
        holds(0);
    }

    #[test]
    fn the_correlated_mixture_calibrates() {
        holds(1);
    }

    #[test]
    fn the_checkerboard_calibrates() {
        holds(2);
    }
}
