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
    /// scikit-learn's `make_swiss_roll(noise=1.0)`, columns x and z, divided by 5:
    /// `t = 1.5π(1 + 2u)`, `(t cos t, t sin t) + N(0, I)`, all `/5` (FFJORD's `swissroll`).
    SwissRoll,
    /// scikit-learn's `make_circles(factor=0.5, noise=0.08)` × 3: radius 1 or ½ with
    /// probability ½ each, uniform angle, `N(0, 0.08²)` per coordinate, then × 3.
    Circles,
    /// Four concentric circles of radii 1, ¾, ½, ¼ (probability ¼ each, uniform angle), × 3,
    /// then `N(0, 0.08²)` per coordinate (FFJORD's `rings`).
    Rings,
    /// Five arms: `f = (1 + 0.3ε₁, 0.1ε₂)`, rotated by `−(2πk/5 + 0.25·e^{f₁})`, × 2
    /// (FFJORD's `pinwheel`).
    Pinwheel,
    /// Two spirals: `n = √u·3π`, `d = (−n cos n + ½u₁, n sin n + ½u₂)`, negated with probability
    /// ½, `/3`, plus `N(0, 0.1²)` per coordinate (FFJORD's `2spirals`).
    TwoSpirals,
    /// Eight 2×2 squares of a checkerboard on `[−4, 4]²`, uniform (FFJORD's `checkerboard`).
    Checkerboard,
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

impl Bounds {
    /// Checks that every edge is finite, `x_min < x_max` and `y_min < y_max`, saying which
    /// pair is wrong otherwise.
    pub fn check(&self) -> Result<(), String> {
        for (axis, lo, hi) in [("x", self.x_min, self.x_max), ("y", self.y_min, self.y_max)] {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(format!(
                    "{axis}_min must be below {axis}_max, both finite; got {axis}_min = {lo}, \
                     {axis}_max = {hi}"
                ));
            }
        }
        Ok(())
    }
}

/// FFJORD divides the 8-gaussians points by this constant (≈ √2) after sampling.
const EIGHT_GAUSSIANS_RESCALE: f32 = 1.414;

impl Dataset {
    /// Every dataset, in the order the page lists them.
    pub const ALL: [Dataset; 8] = [
        Dataset::EightGaussians,
        Dataset::SwissRoll,
        Dataset::Circles,
        Dataset::Rings,
        Dataset::Moons,
        Dataset::Pinwheel,
        Dataset::TwoSpirals,
        Dataset::Checkerboard,
    ];

    /// The snake_case name used in options, URLs and JavaScript.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::EightGaussians => "eight_gaussians",
            Dataset::Moons => "moons",
            Dataset::SwissRoll => "swiss_roll",
            Dataset::Circles => "circles",
            Dataset::Rings => "rings",
            Dataset::Pinwheel => "pinwheel",
            Dataset::TwoSpirals => "two_spirals",
            Dataset::Checkerboard => "checkerboard",
        }
    }

    /// Dimension of one sample.
    pub fn dim(self) -> usize {
        2
    }

    /// The window `[−4.5, 4.5]²`, which holds all but < 10⁻³ of every set's mass (the reference
    /// density tests check this).
    pub fn bounds(self) -> Bounds {
        Bounds {
            x_min: -4.5,
            x_max: 4.5,
            y_min: -4.5,
            y_max: 4.5,
        }
    }

    /// `n` independent samples, row-major `[n, 2]`.
    pub fn sample(self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(n * 2);
        for _ in 0..n {
            let [x, y] = match self {
                Dataset::EightGaussians => eight_gaussians_point(rng),
                Dataset::Moons => moons_point(rng),
                Dataset::SwissRoll => swiss_roll_point(rng),
                Dataset::Circles => circles_point(rng),
                Dataset::Rings => rings_point(rng),
                Dataset::Pinwheel => pinwheel_point(rng),
                Dataset::TwoSpirals => two_spirals_point(rng),
                Dataset::Checkerboard => checkerboard_point(rng),
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

/// FFJORD: `make_swiss_roll(noise=1.0)[:, [0, 2]] / 5`.
fn swiss_roll_point(rng: &mut impl Rng) -> [f32; 2] {
    let t = SWISS_ROLL_T.0 + (SWISS_ROLL_T.1 - SWISS_ROLL_T.0) * rng.random::<f32>();
    [
        (t * t.cos() + normal(rng)) / 5.0,
        (t * t.sin() + normal(rng)) / 5.0,
    ]
}

/// Range of the swiss roll's curve parameter, `1.5π(1 + 2u)` for `u ∈ [0, 1)`.
pub(super) const SWISS_ROLL_T: (f32, f32) = (1.5 * PI, 4.5 * PI);

/// FFJORD: `make_circles(factor=.5, noise=.08) * 3`.
fn circles_point(rng: &mut impl Rng) -> [f32; 2] {
    let radius = if rng.random_bool(0.5) { 1.0 } else { 0.5 };
    let angle = rng.random_range(0.0..2.0 * PI);
    [
        3.0 * (radius * angle.cos() + 0.08 * normal(rng)),
        3.0 * (radius * angle.sin() + 0.08 * normal(rng)),
    ]
}

/// FFJORD: four circles of radii 1, .75, .5, .25, `* 3`, then `+ N(0, .08²)`.
fn rings_point(rng: &mut impl Rng) -> [f32; 2] {
    let radius = 3.0 * [1.0, 0.75, 0.5, 0.25][rng.random_range(0..4)];
    let angle = rng.random_range(0.0..2.0 * PI);
    [
        radius * angle.cos() + 0.08 * normal(rng),
        radius * angle.sin() + 0.08 * normal(rng),
    ]
}

/// The pinwheel's map from `(f₁, f₂)` of arm `k` to the plane (FFJORD: `2 · f R(θ)`,
/// `θ = 2πk/5 + 0.25·e^{f₁}`, `R(θ) = [[cos, −sin], [sin, cos]]`).
pub(super) fn pinwheel_map(k: usize, f: [f64; 2]) -> [f64; 2] {
    let angle = 2.0 * std::f64::consts::PI * k as f64 / 5.0 + 0.25 * f[0].exp();
    let (s, c) = angle.sin_cos();
    [2.0 * (f[0] * c + f[1] * s), 2.0 * (-f[0] * s + f[1] * c)]
}

/// FFJORD `pinwheel`: radial std .3, tangential std .1, 5 arms, rate .25.
fn pinwheel_point(rng: &mut impl Rng) -> [f32; 2] {
    let f = [1.0 + 0.3 * normal(rng) as f64, 0.1 * normal(rng) as f64];
    let [x, y] = pinwheel_map(rng.random_range(0..5), f);
    [x as f32, y as f32]
}

/// FFJORD `2spirals`.
fn two_spirals_point(rng: &mut impl Rng) -> [f32; 2] {
    let n = rng.random::<f32>().sqrt() * 3.0 * PI;
    let dx = -n.cos() * n + 0.5 * rng.random::<f32>();
    let dy = n.sin() * n + 0.5 * rng.random::<f32>();
    let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
    [
        sign * dx / 3.0 + 0.1 * normal(rng),
        sign * dy / 3.0 + 0.1 * normal(rng),
    ]
}

/// FFJORD `checkerboard`: `x₁ = 4u − 2`, `x₂ = u' − 2·b + (⌊x₁⌋ mod 2)`, `b ∈ {0, 1}`, all × 2.
fn checkerboard_point(rng: &mut impl Rng) -> [f32; 2] {
    let x1 = 4.0 * rng.random::<f32>() - 2.0;
    let x2 = rng.random::<f32>() - 2.0 * rng.random_range(0..2) as f32 + x1.floor().rem_euclid(2.0);
    [2.0 * x1, 2.0 * x2]
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

    fn mean_squared_radius(set: Dataset) -> f64 {
        let points = set.sample(400_000, &mut seeded_rng(5));
        points
            .chunks(2)
            .map(|p| (p[0] as f64).powi(2) + (p[1] as f64).powi(2))
            .sum::<f64>()
            / 200_000.0
            / 2.0
    }

    #[test]
    fn radii_match_their_formulas() {
        // A circle of radius r plus isotropic N(0, σ²) noise has E‖x‖² = r² + 2σ².
        let circles = 0.5 * (9.0 + 2.25) + 2.0 * 0.24 * 0.24;
        let rings = 0.25 * (9.0 + 5.0625 + 2.25 + 0.5625) + 2.0 * 0.08 * 0.08;
        // Pinwheel: rotations keep ‖2f‖² = 4(f₁² + f₂²), E = 4(1 + 0.09 + 0.01).
        let pinwheel = 4.0 * 1.1;
        // Swiss roll: E t² over U[a, b] is (b³ − a³)/3(b − a); plus the noise, all / 25.
        let (a, b) = (1.5 * std::f64::consts::PI, 4.5 * std::f64::consts::PI);
        let swiss = ((b.powi(3) - a.powi(3)) / (3.0 * (b - a)) + 2.0) / 25.0;
        // Checkerboard: x uniform on [−4, 4] (E x² = 16/3); y on two 2-wide bands per column,
        // together uniform on [−4, 4] as well.
        let checkerboard = 2.0 * 16.0 / 3.0;
        for (set, expected) in [
            (Dataset::Circles, circles),
            (Dataset::Rings, rings),
            (Dataset::Pinwheel, pinwheel),
            (Dataset::SwissRoll, swiss),
            (Dataset::Checkerboard, checkerboard),
        ] {
            let got = mean_squared_radius(set);
            assert!(
                (got - expected).abs() / expected < 0.01,
                "{}: E‖x‖² {got} vs {expected}",
                set.name()
            );
        }
    }

    #[test]
    fn pinwheel_has_five_arms_and_checkerboard_stays_on_its_squares() {
        // Each arm leaves the origin at angle −2πk/5 − 0.25e: points near radius 2 fall into
        // five angular clusters of equal size.
        let points = Dataset::Pinwheel.sample(50_000, &mut seeded_rng(6));
        let mut arms = [0usize; 5];
        for p in points.chunks(2) {
            let angle = -(p[1].atan2(p[0]) as f64) - 0.25 * std::f64::consts::E;
            let k = (angle / (2.0 * std::f64::consts::PI / 5.0))
                .round()
                .rem_euclid(5.0) as usize;
            arms[k] += 1;
        }
        for count in arms {
            assert!((count as f64 / 10_000.0 - 1.0).abs() < 0.05, "{arms:?}");
        }
        for p in Dataset::Checkerboard
            .sample(10_000, &mut seeded_rng(7))
            .chunks(2)
        {
            let (column, row) = ((p[0] / 2.0).floor() as i32, (p[1] / 2.0).floor() as i32);
            assert_eq!(
                (column + row).rem_euclid(2),
                0,
                "{p:?} is on a white square"
            );
        }
    }

    #[test]
    fn bounds_checks_name_the_wrong_axis() {
        let bounds = |x_min, x_max, y_min, y_max| Bounds {
            x_min,
            x_max,
            y_min,
            y_max,
        };
        assert_eq!(bounds(-1.0, 1.0, 0.0, 2.0).check(), Ok(()));
        let reversed = bounds(1.0, -1.0, 0.0, 2.0).check().unwrap_err();
        assert!(
            reversed.starts_with("x_min must be below x_max"),
            "{reversed}"
        );
        assert!(
            reversed.ends_with("got x_min = 1, x_max = -1"),
            "{reversed}"
        );
        let flat = bounds(-1.0, 1.0, 2.0, 2.0).check().unwrap_err();
        assert!(flat.starts_with("y_min must be below y_max"), "{flat}");
        assert!(bounds(f32::NAN, 1.0, 0.0, 1.0).check().is_err());
        assert!(bounds(0.0, f32::INFINITY, 0.0, 1.0).check().is_err());
    }
}
