//! Distributions whose every quantity the panel estimates is known in closed form or by
//! one-dimensional quadrature: finite mixtures of Gaussians (any covariance) and of uniform
//! axis-aligned boxes. The calibration's data and its perturbed "models" are such laws.

use std::f64::consts::{PI, SQRT_2};

use libm::erf;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

use crate::data::GaussianMixture;

/// One component of a [`Law`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Part {
    /// `N(mean, cov)`, `cov` row-major `[a, b, b, d]`.
    Gaussian { mean: [f64; 2], cov: [f64; 4] },
    /// Uniform on `[lo₀, hi₀] × [lo₁, hi₁]`.
    Box { lo: [f64; 2], hi: [f64; 2] },
}

/// A finite mixture of [`Part`]s, weights summing to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Law {
    /// `(weight, part)`.
    pub parts: Vec<(f64, Part)>,
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / SQRT_2))
}

fn gaussian_density(x: [f64; 2], mean: [f64; 2], cov: [f64; 4]) -> f64 {
    let det = cov[0] * cov[3] - cov[1] * cov[2];
    let (dx, dy) = (x[0] - mean[0], x[1] - mean[1]);
    let q = (cov[3] * dx * dx - (cov[1] + cov[2]) * dx * dy + cov[0] * dy * dy) / det;
    (-0.5 * q).exp() / (2.0 * PI * det.sqrt())
}

impl Law {
    /// The mixture with its weights normalised.
    pub fn new(parts: Vec<(f64, Part)>) -> Self {
        let total: f64 = parts.iter().map(|(w, _)| w).sum();
        Self {
            parts: parts.into_iter().map(|(w, p)| (w / total, p)).collect(),
        }
    }

    /// The law of a Gaussian mixture.
    pub fn from_mixture(mixture: &GaussianMixture) -> Self {
        Self::new(
            mixture
                .components()
                .map(|(w, mean, cov)| (w, Part::Gaussian { mean, cov }))
                .collect(),
        )
    }

    /// The Gaussian mixture of this law, if every part is Gaussian.
    pub fn to_mixture(&self) -> Option<GaussianMixture> {
        let mut parts = (Vec::new(), Vec::new(), Vec::new());
        for (w, part) in &self.parts {
            let Part::Gaussian { mean, cov } = part else {
                return None;
            };
            parts.0.push(*w);
            parts.1.push(*mean);
            parts.2.push(*cov);
        }
        GaussianMixture::new(parts.0, parts.1, parts.2).ok()
    }

    /// The checkerboard: uniform on eight 2×2 squares of `[−4, 4]²` (as the dataset).
    pub fn checkerboard() -> Self {
        let mut parts = Vec::new();
        for k in -2i32..2 {
            let rows = if k.rem_euclid(2) == 0 {
                [0.0, -2.0]
            } else {
                [1.0, -1.0]
            };
            for r in rows {
                let lo = [2.0 * k as f64, 2.0 * r];
                parts.push((
                    1.0,
                    Part::Box {
                        lo,
                        hi: [lo[0] + 2.0, lo[1] + 2.0],
                    },
                ));
            }
        }
        Self::new(parts)
    }

    /// Every part scaled about its own centre by `factor` (its spread, not its place).
    pub fn spread(&self, factor: f64) -> Self {
        let parts = self.parts.iter().map(|(w, part)| {
            let part = match *part {
                Part::Gaussian { mean, cov } => Part::Gaussian {
                    mean,
                    cov: cov.map(|c| c * factor * factor),
                },
                Part::Box { lo, hi } => {
                    let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
                    let half = [
                        (hi[0] - lo[0]) / 2.0 * factor,
                        (hi[1] - lo[1]) / 2.0 * factor,
                    ];
                    Part::Box {
                        lo: [centre[0] - half[0], centre[1] - half[1]],
                        hi: [centre[0] + half[0], centre[1] + half[1]],
                    }
                }
            };
            (*w, part)
        });
        Self::new(parts.collect())
    }

    /// Without part `index` (one mode missing), renormalised.
    pub fn without(&self, index: usize) -> Self {
        let mut parts = self.parts.clone();
        parts.remove(index);
        Self::new(parts)
    }

    /// Translated by `shift`.
    pub fn shifted(&self, shift: [f64; 2]) -> Self {
        let parts = self.parts.iter().map(|(w, part)| {
            let part = match *part {
                Part::Gaussian { mean, cov } => Part::Gaussian {
                    mean: [mean[0] + shift[0], mean[1] + shift[1]],
                    cov,
                },
                Part::Box { lo, hi } => Part::Box {
                    lo: [lo[0] + shift[0], lo[1] + shift[1]],
                    hi: [hi[0] + shift[0], hi[1] + shift[1]],
                },
            };
            (*w, part)
        });
        Self::new(parts.collect())
    }

    /// `(1 − weight)·self + weight·part`.
    pub fn blended(&self, weight: f64, part: Part) -> Self {
        let mut parts: Vec<_> = self
            .parts
            .iter()
            .map(|(w, p)| (w * (1.0 - weight), *p))
            .collect();
        parts.push((weight, part));
        Self::new(parts)
    }

    /// The density at `x`.
    pub fn density(&self, x: [f64; 2]) -> f64 {
        self.smoothed_density(x, [0.0, 0.0])
    }

    /// The density of `X + Z`, `Z ~ N(0, diag(h²))`, at `x` (the law blurred by the kernel).
    pub fn smoothed_density(&self, x: [f64; 2], h: [f64; 2]) -> f64 {
        let (hx2, hy2) = (h[0] * h[0], h[1] * h[1]);
        self.parts
            .iter()
            .map(|(w, part)| {
                w * match *part {
                    Part::Gaussian { mean, cov } => {
                        gaussian_density(x, mean, [cov[0] + hx2, cov[1], cov[2], cov[3] + hy2])
                    }
                    Part::Box { lo, hi } => (0..2)
                        .map(|a| {
                            let inside = if h[a] == 0.0 {
                                f64::from(u8::from((lo[a]..=hi[a]).contains(&x[a])))
                            } else {
                                normal_cdf((x[a] - lo[a]) / h[a])
                                    - normal_cdf((x[a] - hi[a]) / h[a])
                            };
                            inside / (hi[a] - lo[a])
                        })
                        .product(),
                }
            })
            .sum()
    }

    /// The CDF at `t` of the projection `⟨X, (cos θ, sin θ)⟩`.
    pub fn projected_cdf(&self, theta: f64, t: f64) -> f64 {
        let (c, s) = (theta.cos(), theta.sin());
        self.parts
            .iter()
            .map(|(w, part)| {
                w * match *part {
                    Part::Gaussian { mean, cov } => {
                        let m = c * mean[0] + s * mean[1];
                        let v = c * c * cov[0] + c * s * (cov[1] + cov[2]) + s * s * cov[3];
                        normal_cdf((t - m) / v.sqrt())
                    }
                    Part::Box { lo, hi } => {
                        uniform_sum_cdf([c * lo[0], c * hi[0]], [s * lo[1], s * hi[1]], t)
                    }
                }
            })
            .sum()
    }

    /// `n` samples, row-major `[n, 2]`.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let mut u: f64 = rng.random();
            let mut chosen = self.parts.last().map(|(_, p)| *p);
            for (w, part) in &self.parts {
                if u < *w {
                    chosen = Some(*part);
                    break;
                }
                u -= w;
            }
            let point = match chosen.expect("a law has parts") {
                Part::Gaussian { mean, cov } => {
                    // Cholesky of the 2×2 covariance.
                    let l00 = cov[0].sqrt();
                    let l10 = cov[2] / l00;
                    let l11 = (cov[3] - l10 * l10).sqrt();
                    let (z0, z1): (f64, f64) =
                        (rng.sample(StandardNormal), rng.sample(StandardNormal));
                    [mean[0] + l00 * z0, mean[1] + l10 * z0 + l11 * z1]
                }
                Part::Box { lo, hi } => {
                    let (a, b): (f64, f64) = (rng.random(), rng.random());
                    [lo[0] + a * (hi[0] - lo[0]), lo[1] + b * (hi[1] - lo[1])]
                }
            };
            out.extend(point.map(|v| v as f32));
        }
        out
    }
}

/// `P(A + B ≤ t)` for independent `A ~ U[a]`, `B ~ U[b]` (interval ends in either order; an
/// interval of zero width is a point).
fn uniform_sum_cdf(a: [f64; 2], b: [f64; 2], t: f64) -> f64 {
    let (a0, a1) = (a[0].min(a[1]), a[0].max(a[1]));
    let (b0, b1) = (b[0].min(b[1]), b[0].max(b[1]));
    let (wa, wb) = (a1 - a0, b1 - b0);
    let step = |x: f64| f64::from(u8::from(x >= 0.0));
    let uniform = |x: f64, lo: f64, w: f64| ((x - lo) / w).clamp(0.0, 1.0);
    match (wa > 1e-12, wb > 1e-12) {
        (false, false) => step(t - a0 - b0),
        (true, false) => uniform(t - b0, a0, wa),
        (false, true) => uniform(t - a0, b0, wb),
        (true, true) => {
            let ramp = |x: f64| 0.5 * x.max(0.0).powi(2);
            (ramp(t - a0 - b0) - ramp(t - a1 - b0) - ramp(t - a0 - b1) + ramp(t - a1 - b1))
                / (wa * wb)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;

    #[test]
    fn densities_integrate_to_one_and_smoothing_keeps_the_mass() {
        let law = Law::checkerboard().blended(
            0.2,
            Part::Gaussian {
                mean: [1.0, -1.0],
                cov: [0.5, 0.3, 0.3, 0.4],
            },
        );
        let d = 0.02;
        let mut masses = [0.0; 2];
        for i in 0..700 {
            for j in 0..700 {
                let x = [-7.0 + (i as f64 + 0.5) * d, -7.0 + (j as f64 + 0.5) * d];
                masses[0] += law.density(x) * d * d;
                masses[1] += law.smoothed_density(x, [0.3, 0.2]) * d * d;
            }
        }
        for mass in masses {
            assert!((mass - 1.0).abs() < 2e-3, "{masses:?}");
        }
    }

    #[test]
    fn samples_follow_the_projected_cdfs() {
        // Kolmogorov–Smirnov at 20 000 samples: the 0.999 critical value is 1.95/√n ≈ 0.014.
        let law = Law::checkerboard().spread(0.7).blended(
            0.3,
            Part::Gaussian {
                mean: [-1.0, 2.0],
                cov: [0.3, -0.2, -0.2, 0.5],
            },
        );
        let points = law.sample(20_000, &mut seeded_rng(3));
        for theta in [0.0, 0.4, PI / 2.0, 2.5] {
            let mut projected: Vec<f64> = points
                .chunks_exact(2)
                .map(|p| theta.cos() * p[0] as f64 + theta.sin() * p[1] as f64)
                .collect();
            projected.sort_by(f64::total_cmp);
            let n = projected.len() as f64;
            let distance = projected
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let f = law.projected_cdf(theta, *t);
                    (f - i as f64 / n).abs().max((f - (i + 1) as f64 / n).abs())
                })
                .fold(0.0, f64::max);
            assert!(distance < 0.014, "θ = {theta}: KS distance {distance}");
        }
    }

    #[test]
    fn perturbations_do_what_they_say() {
        let law = Law::checkerboard();
        let narrow = law.spread(0.5);
        // A square's centre keeps its density ×4; its former corner is now empty.
        assert!((narrow.density([0.5, 0.5]) - 4.0 * law.density([0.5, 0.5])).abs() < 1e-12);
        assert_eq!(narrow.density([0.1, 0.1]), 0.0);
        assert_eq!(law.without(0).parts.len(), 7);
        let moved = law.shifted([0.25, 0.0]);
        assert_eq!(moved.density([2.1, 0.5]), law.density([1.85, 0.5]));
    }
}
