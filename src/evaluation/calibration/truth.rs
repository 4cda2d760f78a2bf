//! The true values of what each panel row estimates, between two [`Law`]s, computed
//! independently of the estimators: cell masses by a 4×4 midpoint rule inside each cell (the
//! estimators use 3×3 cell averages for the data and cell centres or KDEs for the model), the
//! mass outside the window as one minus the rest; continuous KL and Fisher by a fine midpoint
//! rule over a window wider than both laws; sliced W2 from the projected laws' quantile
//! functions (bisection on their exact CDFs); MMD² as `∫∫ k (p − q)(p − q)` on a fine grid.

use super::laws::Law;
use crate::data::Bounds;
use crate::metrics::{SMOOTHING, jensen_shannon, kl, smooth_grid, total_variation};

/// Midpoints per cell side for the cell masses.
const SUBCELLS: usize = 4;
/// Spacing of the fine grid of the continuous integrals, in data units.
const FINE_STEP: f64 = 0.05;
/// How far past the panel window the fine grid reaches, in data units.
const MARGIN: f64 = 6.0;
/// Quantile nodes of each projected W2 (midpoint rule on `u ∈ (0, 1)`).
const QUANTILE_NODES: usize = 400;

/// Cell masses of `density` on a `resolution²` grid over `bounds` (4×4 midpoints per cell),
/// then the mass outside (1 − the rest), mixed with uniform at [`SMOOTHING`] as the panel does.
pub fn cell_masses(
    density: impl Fn([f64; 2]) -> f64,
    bounds: Bounds,
    resolution: usize,
) -> Vec<f64> {
    let dx = (bounds.x_max - bounds.x_min) as f64 / resolution as f64;
    let dy = (bounds.y_max - bounds.y_min) as f64 / resolution as f64;
    let sub = SUBCELLS as f64;
    let mut masses: Vec<f64> = (0..resolution * resolution)
        .map(|k| {
            let (i, j) = ((k % resolution) as f64, (k / resolution) as f64);
            let mut sum = 0.0;
            for a in 0..SUBCELLS {
                for b in 0..SUBCELLS {
                    let x = bounds.x_min as f64 + (i + (a as f64 + 0.5) / sub) * dx;
                    let y = bounds.y_min as f64 + (j + (b as f64 + 0.5) / sub) * dy;
                    sum += density([x, y]);
                }
            }
            sum / (sub * sub) * dx * dy
        })
        .collect();
    let inside: f64 = masses.iter().sum();
    masses.push((1.0 - inside).max(0.0));
    let uniform = 1.0 / masses.len() as f64;
    masses
        .iter()
        .map(|m| (1.0 - SMOOTHING) * m + SMOOTHING * uniform)
        .collect()
}

/// `[KL(p‖q), KL(q‖p), JS, TV]` between two sets of cell masses.
pub fn grid_divergences(p: &[f64], q: &[f64]) -> [f64; 4] {
    [
        kl(p, q).expect("one grid"),
        kl(q, p).expect("one grid"),
        jensen_shannon(p, q).expect("one grid"),
        total_variation(p, q).expect("one grid"),
    ]
}

/// The fine grid's cell centres over `bounds` widened by [`MARGIN`], and its cell area.
fn fine_grid(bounds: Bounds) -> (Vec<[f64; 2]>, usize, Bounds, f64) {
    let wide = Bounds {
        x_min: bounds.x_min - MARGIN as f32,
        x_max: bounds.x_max + MARGIN as f32,
        y_min: bounds.y_min - MARGIN as f32,
        y_max: bounds.y_max + MARGIN as f32,
    };
    let side = ((wide.x_max - wide.x_min).max(wide.y_max - wide.y_min) as f64 / FINE_STEP).ceil();
    let resolution = side as usize;
    let wide = Bounds {
        x_max: wide.x_min + (side * FINE_STEP) as f32,
        y_max: wide.y_min + (side * FINE_STEP) as f32,
        ..wide
    };
    let centres = (0..resolution * resolution)
        .map(|k| {
            [
                wide.x_min as f64 + ((k % resolution) as f64 + 0.5) * FINE_STEP,
                wide.y_min as f64 + ((k / resolution) as f64 + 0.5) * FINE_STEP,
            ]
        })
        .collect();
    (centres, resolution, wide, FINE_STEP * FINE_STEP)
}

/// The continuous `KL(p‖q)` (nats), `∞` where `q` vanishes on `p`'s mass; log-densities in
/// the log domain (a narrow model's tails underflow far from its modes).
pub fn continuous_kl(p: &Law, q: &Law, bounds: Bounds) -> f64 {
    let (centres, _, _, area) = fine_grid(bounds);
    let (pm, qm) = (p.to_mixture(), q.to_mixture());
    let log = |law: &Law, mixture: &Option<crate::data::GaussianMixture>, x: [f64; 2]| match mixture
    {
        Some(m) => m.log_density(x),
        None => law.density(x).ln(),
    };
    centres
        .iter()
        .map(|x| (log(p, &pm, *x), log(q, &qm, *x)))
        .filter(|(a, _)| *a > f64::NEG_INFINITY)
        .map(|(a, b)| a.exp() * (a - b) * area)
        .sum()
}

/// `E_p ‖∇log p − ∇log q‖²` for laws of Gaussians; `None` otherwise.
pub fn fisher(p: &Law, q: &Law, bounds: Bounds) -> Option<f64> {
    let (pm, qm) = (p.to_mixture()?, q.to_mixture()?);
    let (centres, _, _, area) = fine_grid(bounds);
    Some(
        centres
            .iter()
            .map(|x| {
                let (sp, sq) = (pm.score(*x), qm.score(*x));
                p.density(*x) * ((sp[0] - sq[0]).powi(2) + (sp[1] - sq[1]).powi(2)) * area
            })
            .sum(),
    )
}

/// Sliced W2 over `projections` angles `π(k + ½)/K`, as the estimator averages them.
pub fn sliced_w2(p: &Law, q: &Law, projections: usize) -> f64 {
    let mean: f64 = (0..projections)
        .map(|k| {
            let theta = std::f64::consts::PI * (k as f64 + 0.5) / projections as f64;
            (0..QUANTILE_NODES)
                .map(|i| {
                    let u = (i as f64 + 0.5) / QUANTILE_NODES as f64;
                    (quantile(p, theta, u) - quantile(q, theta, u)).powi(2)
                })
                .sum::<f64>()
                / QUANTILE_NODES as f64
        })
        .sum::<f64>()
        / projections as f64;
    mean.sqrt()
}

/// The `u` quantile of the projection on angle `theta`, by bisection on its CDF.
fn quantile(law: &Law, theta: f64, u: f64) -> f64 {
    let (mut lo, mut hi) = (-100.0, 100.0);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if law.projected_cdf(theta, mid) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `MMD² = Σ_h ∫∫ exp(−‖x − y‖²/2h²) d(x) d(y)`, `d = p − q`, each term `2πh² ∫ d · (N_h ∗ d)`.
pub fn mmd2(p: &Law, q: &Law, bounds: Bounds, bandwidths: &[f64]) -> f64 {
    let (centres, resolution, wide, area) = fine_grid(bounds);
    let d: Vec<f64> = centres
        .iter()
        .map(|x| p.density(*x) - q.density(*x))
        .collect();
    bandwidths
        .iter()
        .map(|h| {
            let blurred = smooth_grid(&d, wide, resolution, [*h, *h]).expect("a valid grid");
            2.0 * std::f64::consts::PI
                * h
                * h
                * d.iter().zip(&blurred).map(|(a, b)| a * b).sum::<f64>()
                * area
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::calibration::laws::Part;

    fn gaussian(mean: [f64; 2], v: f64) -> Law {
        Law::new(vec![(
            1.0,
            Part::Gaussian {
                mean,
                cov: [v, 0.0, 0.0, v],
            },
        )])
    }

    const WINDOW: Bounds = Bounds {
        x_min: -4.0,
        x_max: 4.0,
        y_min: -4.0,
        y_max: 4.0,
    };

    #[test]
    fn gaussian_closed_forms() {
        // KL(N(0, I)‖N(0, 0.49 I)) = 2(ln 0.7 + 1/(2·0.49) − ½); Fisher = E‖−x + x/0.49‖²
        // = 2 (1/0.49 − 1)²; sliced W2 of a shift t is ‖t‖/√2 (the mean over angles of
        // (t·θ)² is ‖t‖²/2); MMD² with one kernel h between N(0, vI) and N(t, vI) is
        // 2·h²/(h² + 2v)·(1 − exp(−‖t‖²/(2(h² + 2v)))).
        let (p, narrow) = (gaussian([0.0, 0.0], 1.0), gaussian([0.0, 0.0], 0.49));
        let kl_truth = 2.0 * (0.7f64.ln() + 1.0 / 0.98 - 0.5);
        assert!((continuous_kl(&p, &narrow, WINDOW) - kl_truth).abs() < 1e-4);
        let fisher_truth = 2.0 * (1.0 / 0.49 - 1.0f64).powi(2);
        assert!((fisher(&p, &narrow, WINDOW).unwrap() / fisher_truth - 1.0).abs() < 1e-4);
        let moved = gaussian([1.0, 0.5], 1.0);
        let shift2: f64 = 1.25;
        assert!((sliced_w2(&p, &moved, 64) - (shift2 / 2.0).sqrt()).abs() < 2e-3);
        let h: f64 = 0.8;
        let s = h * h + 2.0;
        let mmd_truth = 2.0 * h * h / s * (1.0 - (-shift2 / (2.0 * s)).exp());
        assert!((mmd2(&p, &moved, WINDOW, &[h]) / mmd_truth - 1.0).abs() < 1e-3);
    }

    #[test]
    fn cell_masses_count_the_mass_outside_the_window() {
        // Half of N((4, 0), I) lies right of x = 4.
        let masses = cell_masses(|x| gaussian([4.0, 0.0], 1.0).density(x), WINDOW, 32);
        let outside = *masses.last().unwrap();
        assert!((outside - 0.5).abs() < 1e-3, "{outside}");
        assert!((masses.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
