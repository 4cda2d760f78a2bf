//! The 2-D reference sets of FFJORD (rtqichen/ffjord, `lib/toy_data.py`), by their published
//! formulas.

use std::f32::consts::{FRAC_1_SQRT_2, PI};

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// A 2-D reference distribution. Travels to and from JavaScript as a snake_case string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    /// Eight isotropic Gaussians on a circle: centres `4·(cos kπ/4, sin kπ/4)`, standard
    /// deviation 0.5, all divided by 1.414 (FFJORD's `8gaussians`).
    EightGaussians,
    /// Two interleaved half circles with Gaussian noise σ = 0.1, scaled by 2 and shifted by
    /// `(-1, -0.2)` (FFJORD's `moons`, from scikit-learn's `make_moons`).
    Moons,
}

/// An axis-aligned box `[x_min, x_max] × [y_min, y_max]` that holds a set's visible mass.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Left edge.
    pub x_min: f32,
    /// Right edge.
    pub x_max: f32,
    /// Bottom edge.
    pub y_min: f32,
    /// Top edge.
    pub y_max: f32,
}

/// FFJORD divides the 8-gaussians points by this constant (≈ √2) after sampling.
const EIGHT_GAUSSIANS_RESCALE: f32 = 1.414;

impl Dataset {
    /// Every dataset, in the order the page lists them.
    pub const ALL: [Dataset; 2] = [Dataset::EightGaussians, Dataset::Moons];

    /// The snake_case name used in options, URLs and JavaScript.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::EightGaussians => "eight_gaussians",
            Dataset::Moons => "moons",
        }
    }

    /// Dimension of one sample.
    pub fn dim(self) -> usize {
        2
    }

    /// A plotting window that holds the set's mass with a margin.
    pub fn bounds(self) -> Bounds {
        Bounds {
            x_min: -4.0,
            x_max: 4.0,
            y_min: -4.0,
            y_max: 4.0,
        }
    }

    /// `n` independent samples, row-major `[n, 2]`.
    pub fn sample(self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(n * 2);
        for _ in 0..n {
            let [x, y] = match self {
                Dataset::EightGaussians => eight_gaussians_point(rng),
                Dataset::Moons => moons_point(rng),
            };
            out.push(x);
            out.push(y);
        }
        out
    }
}

fn normal(rng: &mut impl Rng) -> f32 {
    rng.sample(StandardNormal)
}

/// FFJORD: `point = randn(2) * 0.5 + scale * centre[randint(8)]`, scale 4, then `/ 1.414`.
fn eight_gaussians_point(rng: &mut impl Rng) -> [f32; 2] {
    const CENTRES: [[f32; 2]; 8] = [
        [1.0, 0.0],
        [-1.0, 0.0],
        [0.0, 1.0],
        [0.0, -1.0],
        [FRAC_1_SQRT_2, FRAC_1_SQRT_2],
        [FRAC_1_SQRT_2, -FRAC_1_SQRT_2],
        [-FRAC_1_SQRT_2, FRAC_1_SQRT_2],
        [-FRAC_1_SQRT_2, -FRAC_1_SQRT_2],
    ];
    let [cx, cy] = CENTRES[rng.random_range(0..8)];
    let x = normal(rng) * 0.5 + 4.0 * cx;
    let y = normal(rng) * 0.5 + 4.0 * cy;
    [x / EIGHT_GAUSSIANS_RESCALE, y / EIGHT_GAUSSIANS_RESCALE]
}

/// FFJORD: `make_moons(noise=0.1) * 2 + [-1, -0.2]`. scikit-learn places the angles of a batch
/// on an even grid over `[0, π]`; for independent samples the angle is uniform on `[0, π]`, the
/// distribution that grid discretises. Each moon has probability 1/2.
fn moons_point(rng: &mut impl Rng) -> [f32; 2] {
    let angle = rng.random_range(0.0..PI);
    let (x, y) = if rng.random_bool(0.5) {
        (angle.cos(), angle.sin())
    } else {
        (1.0 - angle.cos(), 1.0 - angle.sin() - 0.5)
    };
    let x = x + 0.1 * normal(rng);
    let y = y + 0.1 * normal(rng);
    [x * 2.0 - 1.0, y * 2.0 - 0.2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;

    fn mean_and_var(points: &[f32], axis: usize) -> (f64, f64) {
        let values: Vec<f64> = points.chunks(2).map(|p| p[axis] as f64).collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        (mean, var)
    }

    #[test]
    fn same_seed_same_samples_other_seed_other_samples() {
        for set in Dataset::ALL {
            let a = set.sample(100, &mut seeded_rng(7));
            let b = set.sample(100, &mut seeded_rng(7));
            let c = set.sample(100, &mut seeded_rng(8));
            assert_eq!(a, b, "{}", set.name());
            assert_ne!(a, c, "{}", set.name());
            assert_eq!(a.len(), 200);
        }
    }

    #[test]
    fn eight_gaussians_match_the_mixture_moments() {
        // Mixture of 8 N(c_k, s²I), |c_k| = r: mean 0, per-axis variance s² + r²/2.
        let points = Dataset::EightGaussians.sample(200_000, &mut seeded_rng(1));
        let r = 4.0 / EIGHT_GAUSSIANS_RESCALE as f64;
        let s = 0.5 / EIGHT_GAUSSIANS_RESCALE as f64;
        for axis in 0..2 {
            let (mean, var) = mean_and_var(&points, axis);
            assert!(mean.abs() < 0.02, "mean {mean}");
            let expected = s * s + r * r / 2.0;
            assert!(
                (var - expected).abs() / expected < 0.01,
                "var {var} vs {expected}"
            );
        }
    }

    #[test]
    fn eight_gaussians_points_sit_near_their_centres() {
        let points = Dataset::EightGaussians.sample(10_000, &mut seeded_rng(2));
        let r = 4.0 / EIGHT_GAUSSIANS_RESCALE;
        let s = 0.5 / EIGHT_GAUSSIANS_RESCALE;
        for p in points.chunks(2) {
            let angle = p[1].atan2(p[0]);
            let k = (angle / (PI / 4.0)).round();
            let (cx, cy) = ((k * PI / 4.0).cos() * r, (k * PI / 4.0).sin() * r);
            let d = ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt();
            assert!(d < 6.0 * s, "point {p:?} is {d} from the nearest centre");
        }
    }

    #[test]
    fn moons_match_their_closed_form_moments() {
        // Before scaling, θ ~ U[0, π] (E cos θ = 0, E cos²θ = E sin²θ = ½, E sin θ = 2/π), each
        // moon with probability ½, plus N(0, σ²) noise per axis (σ² = 0.01):
        //   E x = ½·0 + ½·1 = ½,            E x² = ½·½ + ½·E(1 − cos θ)² + σ² = ¼ + ¾ + σ²,
        //   E y = ½·E sin + ½·(½ − E sin),  E y² = ½·½ + ½·E(½ − sin θ)² + σ².
        // Scaling by 2 multiplies variances by 4; the shift moves the means to (0, 2·E y − 0.2).
        let points = Dataset::Moons.sample(400_000, &mut seeded_rng(3));
        let (mx, vx) = mean_and_var(&points, 0);
        let (my, vy) = mean_and_var(&points, 1);
        let e_sin = 2.0 / std::f64::consts::PI;
        let noise = 0.01;
        let ex2 = 0.5 * 0.5 + 0.5 * (1.0 + 0.5) + noise; // E[cos²]=½; E[(1−cos)²] = 1 + ½
        let var_x = ex2 - 0.25;
        let ey = 0.5 * e_sin + 0.5 * (0.5 - e_sin);
        let ey2 = 0.5 * 0.5 + 0.5 * (0.25 - e_sin + 0.5) + noise;
        let var_y = ey2 - ey * ey;
        assert!((mx - 0.0).abs() < 0.01, "mean x {mx}");
        assert!((my - (2.0 * ey - 0.2)).abs() < 0.01, "mean y {my}");
        assert!(
            (vx - 4.0 * var_x).abs() / (4.0 * var_x) < 0.01,
            "var x {vx}"
        );
        assert!(
            (vy - 4.0 * var_y).abs() / (4.0 * var_y) < 0.01,
            "var y {vy}"
        );
    }
}
