//! Gaussian kernel density estimate of 2-D samples on a grid, by linear binning and a separable
//! convolution (exact up to the binning, whose error is O(cell²/h²)).
//!
//! Bandwidth: Scott's rule per axis, `h_j = σ_j n^(−1/6)` (d = 2), with `σ_j` the sample standard
//! deviation; the estimate is `(1/n) Σ N(x; xᵢ, diag(h²))`.

use crate::data::Bounds;

use super::MetricError;

/// Scott's-rule bandwidths `[h_x, h_y]` of 2-D samples.
pub fn scott_bandwidth(points: &[f32]) -> Result<[f64; 2], MetricError> {
    let n = points.len() / 2;
    if n < 2 || points.len() % 2 != 0 {
        return Err(MetricError::new(
            "a KDE needs at least 2 two-dimensional points",
        ));
    }
    if points.iter().any(|v| !v.is_finite()) {
        return Err(MetricError::new(
            "a sample has a NaN or infinite coordinate",
        ));
    }
    let factor = (n as f64).powf(-1.0 / 6.0);
    let mut h = [0.0; 2];
    for (axis, h) in h.iter_mut().enumerate() {
        let values = points.iter().skip(axis).step_by(2).map(|v| *v as f64);
        let mean = values.clone().sum::<f64>() / n as f64;
        let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        *h = var.sqrt().max(1e-6) * factor;
    }
    Ok(h)
}

/// The KDE's density at the centres of a `resolution × resolution` grid over `bounds`
/// (row-major, row 0 at the lowest y).
pub fn kde_grid(
    points: &[f32],
    bounds: Bounds,
    resolution: usize,
    bandwidth: [f64; 2],
) -> Result<Vec<f64>, MetricError> {
    if resolution == 0 {
        return Err(MetricError::new("the grid resolution must be at least 1"));
    }
    let (x0, y0) = (bounds.x_min as f64, bounds.y_min as f64);
    let dx = (bounds.x_max - bounds.x_min) as f64 / resolution as f64;
    let dy = (bounds.y_max - bounds.y_min) as f64 / resolution as f64;
    if !(dx > 0.0 && dy > 0.0 && dx.is_finite() && dy.is_finite()) {
        return Err(MetricError::new(
            "the grid bounds must be finite with min < max",
        ));
    }
    let n = points.len() / 2;
    // Linear binning onto the cell centres.
    let mut bins = vec![0.0; resolution * resolution]; // [row (y), column (x)]
    let last = resolution as f64 - 1.0;
    for p in points.chunks_exact(2) {
        let u = (p[0] as f64 - x0) / dx - 0.5;
        let v = (p[1] as f64 - y0) / dy - 0.5;
        if !(u > -1.0 && v > -1.0 && u < last + 1.0 && v < last + 1.0) {
            continue;
        }
        let (i, j) = (u.floor(), v.floor());
        let (fu, fv) = (u - i, v - j);
        for (di, wu) in [(0.0, 1.0 - fu), (1.0, fu)] {
            for (dj, wv) in [(0.0, 1.0 - fv), (1.0, fv)] {
                let (ci, cj) = (i + di, j + dj);
                if (0.0..=last).contains(&ci) && (0.0..=last).contains(&cj) {
                    bins[cj as usize * resolution + ci as usize] += wu * wv;
                }
            }
        }
    }
    let smoothed = smooth(&bins, resolution, [dx, dy], bandwidth);
    Ok(smoothed
        .into_iter()
        .map(|v| v / n as f64 / (dx * dy))
        .collect())
}

/// A density tabulated on a grid, convolved with the same Gaussian kernel as [`kde_grid`]:
/// the expected KDE of samples from that density, to compare a KDE with like for like.
pub fn smooth_grid(
    values: &[f64],
    bounds: Bounds,
    resolution: usize,
    bandwidth: [f64; 2],
) -> Result<Vec<f64>, MetricError> {
    if resolution == 0 || values.len() != resolution * resolution {
        return Err(MetricError::new(format!(
            "expected {resolution}×{resolution} grid values, got {}",
            values.len()
        )));
    }
    let dx = (bounds.x_max - bounds.x_min) as f64 / resolution as f64;
    let dy = (bounds.y_max - bounds.y_min) as f64 / resolution as f64;
    if !(dx > 0.0 && dy > 0.0 && dx.is_finite() && dy.is_finite()) {
        return Err(MetricError::new(
            "the grid bounds must be finite with min < max",
        ));
    }
    // Cell masses in, cell masses out, back to densities.
    let masses: Vec<f64> = values.iter().map(|v| v * dx * dy).collect();
    Ok(smooth(&masses, resolution, [dx, dy], bandwidth)
        .into_iter()
        .map(|m| m / (dx * dy))
        .collect())
}

/// Spreads cell masses with the Gaussian kernel (separable; the kernel's cell weights times the
/// cell size approximate its integral over a cell).
fn smooth(masses: &[f64], resolution: usize, cell: [f64; 2], bandwidth: [f64; 2]) -> Vec<f64> {
    let along_x = convolve(
        masses,
        resolution,
        1,
        kernel(bandwidth[0], cell[0], resolution),
    );
    convolve(
        &along_x,
        resolution,
        resolution,
        kernel(bandwidth[1], cell[1], resolution),
    )
}

/// The share of a cell's mass that the Gaussian `N(0, h²)` moves `k` cells away, `|k·step| ≤ 4h`:
/// the kernel's integral over that cell, `Φ((k + ½)·step/h) − Φ((k − ½)·step/h)`, so the
/// weights sum to 1 (less the tails past 4h, 6·10⁻⁵) at any bandwidth, however far below a cell.
/// Centre first. Offsets of `resolution` cells or more leave the grid, so they are never
/// tabulated (a diverged model's samples give a huge bandwidth, and with it a kernel of millions
/// of cells).
fn kernel(h: f64, step: f64, resolution: usize) -> Vec<f64> {
    let reach = ((4.0 * h / step).ceil() as usize).min(resolution.saturating_sub(1));
    let cdf = |k: f64| 0.5 * (1.0 + libm::erf(k * step / (h * std::f64::consts::SQRT_2)));
    (0..=reach)
        .map(|k| {
            let k = k as f64;
            if k == 0.0 {
                2.0 * cdf(0.5) - 1.0
            } else {
                cdf(k + 0.5) - cdf(k - 0.5)
            }
        })
        .collect()
}

/// Convolves each line of a `resolution²` array along one axis (`stride` 1: x, `resolution`: y).
fn convolve(values: &[f64], resolution: usize, stride: usize, kernel: Vec<f64>) -> Vec<f64> {
    let other = if stride == 1 { resolution } else { 1 };
    let mut out = vec![0.0; values.len()];
    for line in 0..resolution {
        let base = line * other;
        for i in 0..resolution {
            let mut sum = 0.0;
            for (k, w) in kernel.iter().enumerate() {
                if k == 0 {
                    sum += w * values[base + i * stride];
                    continue;
                }
                if i >= k {
                    sum += w * values[base + (i - k) * stride];
                }
                if i + k < resolution {
                    sum += w * values[base + (i + k) * stride];
                }
            }
            out[base + i * stride] = sum;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    #[test]
    fn the_kernel_never_reaches_past_the_grid() {
        assert_eq!(
            kernel(0.1, 0.1, 64).len(),
            5,
            "4h = 4 cells, plus the centre"
        );
        assert_eq!(
            kernel(4e4, 0.06, 64).len(),
            64,
            "a huge bandwidth stops at the grid's edge"
        );
        // Its weights are still the kernel's: nearly flat across the grid.
        let flat = kernel(4e4, 0.06, 64);
        assert!((flat[63] / flat[0] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn the_kernel_conserves_mass_at_any_bandwidth() {
        // Before: the density at the offsets times the step, which sums to 4 for h a tenth of a
        // cell, 16 in 2-D (a KDE of the user's points integrated to 32.8 instead of 1).
        for h_over_step in [0.01, 0.1, 0.3, 1.0, 3.0, 20.0] {
            let weights = kernel(h_over_step, 1.0, 1000);
            let total = weights[0] + 2.0 * weights[1..].iter().sum::<f64>();
            assert!(
                (total - 1.0).abs() < 1e-4,
                "h = {h_over_step} cells: {total}"
            );
        }
        let points = [0.013_f32, 0.021, 0.5, 0.5, -0.7, 0.3];
        let bounds = Bounds {
            x_min: -1.0,
            x_max: 1.0,
            y_min: -1.0,
            y_max: 1.0,
        };
        let grid = kde_grid(&points, bounds, 64, [1e-3, 1e-3]).unwrap();
        let mass = grid.iter().sum::<f64>() * (2.0 / 64.0_f64).powi(2);
        assert!((mass - 1.0).abs() < 1e-6, "mass {mass}");
    }

    #[test]
    fn kde_of_a_gaussian_sample_is_the_gaussian_smoothed_by_the_kernel() {
        // E[KDE] = N(μ, Σ + diag(h²)); with 50 000 points the estimate is within 0.02 TV of it.
        let mut rng = seeded_rng(9);
        let points: Vec<f32> = (0..50_000)
            .flat_map(|_| {
                let (a, b): (f32, f32) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
                [1.0 + 0.8 * a, -0.5 + 0.5 * b]
            })
            .collect();
        let bounds = Bounds {
            x_min: -4.0,
            x_max: 6.0,
            y_min: -4.0,
            y_max: 3.0,
        };
        let h = scott_bandwidth(&points).unwrap();
        let resolution = 100;
        let grid = kde_grid(&points, bounds, resolution, h).unwrap();
        let (sx2, sy2) = (0.64 + h[0] * h[0], 0.25 + h[1] * h[1]);
        let (dx, dy) = (10.0 / resolution as f64, 7.0 / resolution as f64);
        let mut tv = 0.0;
        let mut mass = 0.0;
        for j in 0..resolution {
            for i in 0..resolution {
                let x = -4.0 + (i as f64 + 0.5) * dx;
                let y = -4.0 + (j as f64 + 0.5) * dy;
                let exact = (-(x - 1.0).powi(2) / (2.0 * sx2) - (y + 0.5).powi(2) / (2.0 * sy2))
                    .exp()
                    / (2.0 * std::f64::consts::PI * (sx2 * sy2).sqrt());
                let got = grid[j * resolution + i];
                tv += 0.5 * (got - exact).abs() * dx * dy;
                mass += got * dx * dy;
            }
        }
        assert!((mass - 1.0).abs() < 0.01, "mass {mass}");
        assert!(tv < 0.02, "TV to the smoothed Gaussian {tv}");
    }

    #[test]
    fn smoothing_a_tabulated_gaussian_adds_the_kernel_variance() {
        // N(0, σ²I) smoothed by N(0, h²I) is N(0, (σ² + h²)I).
        let bounds = Bounds {
            x_min: -6.0,
            x_max: 6.0,
            y_min: -6.0,
            y_max: 6.0,
        };
        let resolution = 120;
        let d = 12.0 / resolution as f64;
        let gauss = |x: f64, y: f64, v: f64| {
            (-(x * x + y * y) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v)
        };
        let centre = |i: usize| -6.0 + (i as f64 + 0.5) * d;
        let values: Vec<f64> = (0..resolution * resolution)
            .map(|k| gauss(centre(k % resolution), centre(k / resolution), 0.5))
            .collect();
        let smoothed = smooth_grid(&values, bounds, resolution, [0.6, 0.6]).unwrap();
        let worst = (0..resolution * resolution)
            .map(|k| {
                (smoothed[k] - gauss(centre(k % resolution), centre(k / resolution), 0.5 + 0.36))
                    .abs()
            })
            .fold(0.0, f64::max);
        assert!(worst < 2e-3, "largest error {worst} (peak density 0.185)");
        assert!(smooth_grid(&values[1..], bounds, resolution, [0.6, 0.6]).is_err());
    }

    #[test]
    fn scott_bandwidth_follows_the_rule() {
        let points = [0.0, 0.0, 2.0, 4.0];
        let h = scott_bandwidth(&points).unwrap();
        let factor = 2f64.powf(-1.0 / 6.0);
        assert!((h[0] - 2f64.sqrt() * factor).abs() < 1e-12);
        assert!((h[1] - 8f64.sqrt() * factor).abs() < 1e-12);
    }

    #[test]
    fn invalid_input_is_an_error() {
        let bounds = Bounds {
            x_min: 0.0,
            x_max: 1.0,
            y_min: 0.0,
            y_max: 1.0,
        };
        assert!(scott_bandwidth(&[1.0, 1.0]).is_err());
        assert!(scott_bandwidth(&[1.0, f32::NAN, 0.0, 0.0]).is_err());
        assert!(kde_grid(&[0.5, 0.5, 0.2, 0.2], bounds, 0, [0.1, 0.1]).is_err());
        let flat = Bounds {
            x_min: 1.0,
            ..bounds
        };
        assert!(kde_grid(&[0.5, 0.5, 0.2, 0.2], flat, 8, [0.1, 0.1]).is_err());
    }
}
