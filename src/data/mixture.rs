//! Gaussian mixtures in 2-D: sampling, exact log-density and score, and the closed-form laws
//! of a mixture noised by Gaussian noise or scaled and noised (`scale·X + σZ`), which diffusion
//! and score models need at every noise level.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

use super::DataError;

/// Most components a mixture may have: each evaluation of its density, score and reference grid
/// visits every component, and the page's editor lists them one by one.
pub const MAX_COMPONENTS: usize = 64;

/// `Σ_k w_k N(μ_k, Σ_k)` with covariances stored row-major `[a, b, c, d]` (`b = c`).
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMixture {
    weights: Vec<f64>,
    means: Vec<[f64; 2]>,
    covariances: Vec<[f64; 4]>,
}

impl GaussianMixture {
    /// A mixture; the weights are normalised. Rejects empty or mismatched lists, more than
    /// [`MAX_COMPONENTS`] components, negative, all-zero or overflowing weights, non-finite
    /// numbers and covariances that are not symmetric positive definite, naming the component.
    pub fn new(
        weights: Vec<f64>,
        means: Vec<[f64; 2]>,
        covariances: Vec<[f64; 4]>,
    ) -> Result<Self, DataError> {
        if weights.is_empty() || weights.len() != means.len() || weights.len() != covariances.len()
        {
            return Err(DataError::new(format!(
                "a mixture needs as many weights, means and covariances, at least one (got {}, {}, {})",
                weights.len(),
                means.len(),
                covariances.len()
            )));
        }
        if weights.len() > MAX_COMPONENTS {
            return Err(DataError::new(format!(
                "a mixture has at most {MAX_COMPONENTS} components (got {})",
                weights.len()
            )));
        }
        let total: f64 = weights.iter().sum();
        for (k, ((w, m), c)) in weights.iter().zip(&means).zip(&covariances).enumerate() {
            if !(w.is_finite() && *w >= 0.0) || m.iter().chain(c).any(|v| !v.is_finite()) {
                return Err(DataError::new(format!(
                    "component {k}: weights must be ≥ 0 and all numbers finite"
                )));
            }
            let determinant = c[0] * c[3] - c[1] * c[2];
            if c[1] != c[2] || c[0] <= 0.0 || determinant <= 0.0 {
                return Err(DataError::new(format!(
                    "component {k}: the covariance is not symmetric positive definite"
                )));
            }
        }
        if !(total > 0.0) {
            return Err(DataError::new("the mixture weights sum to zero"));
        }
        if !total.is_finite() {
            return Err(DataError::new(
                "the mixture weights' sum overflows: give them on a smaller scale (they are \
                 normalised)",
            ));
        }
        Ok(Self {
            weights: weights.iter().map(|w| w / total).collect(),
            means,
            covariances,
        })
    }

    /// The components as `(weight, mean, covariance)`.
    pub fn components(&self) -> impl Iterator<Item = (f64, [f64; 2], [f64; 4])> + '_ {
        self.weights
            .iter()
            .zip(&self.means)
            .zip(&self.covariances)
            .map(|((w, m), c)| (*w, *m, *c))
    }

    /// `n` samples, row-major `[n, 2]`.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let mut u: f64 = rng.random();
            let k = self.weights.iter().position(|w| {
                u -= w;
                u < 0.0
            });
            let k = k.unwrap_or(self.weights.len() - 1);
            let (m, c) = (self.means[k], self.covariances[k]);
            // Cholesky factor of [[a, b], [b, d]]: l00 = √a, l10 = b/l00, l11 = √(d − l10²).
            let l00 = c[0].sqrt();
            let l10 = c[1] / l00;
            let l11 = (c[3] - l10 * l10).sqrt();
            let (z0, z1): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
            out.push((m[0] + l00 * z0) as f32);
            out.push((m[1] + l10 * z0 + l11 * z1) as f32);
        }
        out
    }

    /// Per component: `log w_k + log N(x; μ_k, Σ_k)` and `Σ_k⁻¹(μ_k − x)`.
    fn terms(&self, x: [f64; 2]) -> impl Iterator<Item = (f64, [f64; 2])> + '_ {
        self.components().map(move |(w, m, c)| {
            let det = c[0] * c[3] - c[1] * c[2];
            let (dx, dy) = (x[0] - m[0], x[1] - m[1]);
            // Σ⁻¹ = [[d, −b], [−b, a]] / det
            let (px, py) = (
                (c[3] * dx - c[1] * dy) / det,
                (-c[1] * dx + c[0] * dy) / det,
            );
            let log = w.ln()
                - 0.5 * (dx * px + dy * py)
                - (2.0 * std::f64::consts::PI).ln()
                - 0.5 * det.ln();
            (log, [-px, -py])
        })
    }

    /// `log p(x)`, by log-sum-exp over the components.
    pub fn log_density(&self, x: [f64; 2]) -> f64 {
        let logs: Vec<f64> = self.terms(x).map(|(l, _)| l).collect();
        let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        max + logs.iter().map(|l| (l - max).exp()).sum::<f64>().ln()
    }

    /// The exact score `∇ log p(x) = Σ_k r_k(x) Σ_k⁻¹(μ_k − x)`, `r_k` the responsibilities.
    pub fn score(&self, x: [f64; 2]) -> [f64; 2] {
        let terms: Vec<(f64, [f64; 2])> = self.terms(x).collect();
        let max = terms
            .iter()
            .map(|(l, _)| *l)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut total, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for (l, g) in terms {
            let r = (l - max).exp();
            total += r;
            sx += r * g[0];
            sy += r * g[1];
        }
        [sx / total, sy / total]
    }

    /// The law of `a·X + b`: means `a·μ_k + b`, covariances `a²Σ_k`.
    pub fn mapped(&self, a: f64, b: [f64; 2]) -> Self {
        let a2 = a * a;
        Self {
            weights: self.weights.clone(),
            means: self
                .means
                .iter()
                .map(|m| [a * m[0] + b[0], a * m[1] + b[1]])
                .collect(),
            covariances: self.covariances.iter().map(|c| c.map(|v| a2 * v)).collect(),
        }
    }

    /// The law of `X + σZ`, `Z ~ N(0, I)`: every covariance gains `σ²I`.
    pub fn noised(&self, sigma: f64) -> Self {
        self.affine(1.0, sigma)
    }

    /// The law of `scale·X + σZ`, `Z ~ N(0, I)`: means `scale·μ_k`, covariances
    /// `scale²Σ_k + σ²I`.
    pub fn affine(&self, scale: f64, sigma: f64) -> Self {
        let s2 = scale * scale;
        let v = sigma * sigma;
        Self {
            weights: self.weights.clone(),
            means: self
                .means
                .iter()
                .map(|m| [scale * m[0], scale * m[1]])
                .collect(),
            covariances: self
                .covariances
                .iter()
                .map(|c| [s2 * c[0] + v, s2 * c[1], s2 * c[2], s2 * c[3] + v])
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;

    fn two_components() -> GaussianMixture {
        GaussianMixture::new(
            vec![1.0, 3.0],
            vec![[-1.0, 0.5], [2.0, -1.0]],
            vec![[0.5, 0.2, 0.2, 0.8], [1.2, -0.3, -0.3, 0.4]],
        )
        .unwrap()
    }

    #[test]
    fn score_is_the_gradient_of_the_log_density() {
        let mixture = two_components();
        let h = 1e-5;
        for x in [[0.0, 0.0], [1.5, -0.7], [-2.0, 2.0], [4.0, 1.0]] {
            let score = mixture.score(x);
            let dx = (mixture.log_density([x[0] + h, x[1]])
                - mixture.log_density([x[0] - h, x[1]]))
                / (2.0 * h);
            let dy = (mixture.log_density([x[0], x[1] + h])
                - mixture.log_density([x[0], x[1] - h]))
                / (2.0 * h);
            assert!(
                (score[0] - dx).abs() < 1e-5 && (score[1] - dy).abs() < 1e-5,
                "{x:?}: {score:?} vs ({dx}, {dy})"
            );
        }
    }

    #[test]
    fn density_integrates_to_one() {
        let mixture = two_components();
        let (lo, hi, cells) = (-10.0, 10.0, 400);
        let d = (hi - lo) / cells as f64;
        let mut mass = 0.0;
        for i in 0..cells {
            for j in 0..cells {
                let x = [lo + (i as f64 + 0.5) * d, lo + (j as f64 + 0.5) * d];
                mass += mixture.log_density(x).exp() * d * d;
            }
        }
        assert!((mass - 1.0).abs() < 1e-6, "{mass}");
    }

    #[test]
    fn noised_and_affine_laws_are_the_gaussian_closed_forms() {
        // One component N(μ, Σ): scale·X + σZ ~ N(scale·μ, scale²Σ + σ²I), whose log-density at
        // x is −½ΔᵀS⁻¹Δ − log 2π − ½ log det S.
        let single =
            GaussianMixture::new(vec![1.0], vec![[1.0, -2.0]], vec![[2.0, 0.5, 0.5, 1.0]]).unwrap();
        let (scale, sigma, x) = (0.6, 0.8, [0.3, -0.4]);
        let s = [0.36 * 2.0 + 0.64, 0.36 * 0.5, 0.36 * 0.5, 0.36 * 1.0 + 0.64];
        let det = s[0] * s[3] - s[1] * s[2];
        let (dx, dy) = (x[0] - 0.6, x[1] + 1.2);
        let quad = (s[3] * dx * dx - 2.0 * s[1] * dx * dy + s[0] * dy * dy) / det;
        let exact = -0.5 * quad - (2.0 * std::f64::consts::PI).ln() - 0.5 * det.ln();
        assert!((single.affine(scale, sigma).log_density(x) - exact).abs() < 1e-12);
        assert_eq!(single.noised(sigma), single.affine(1.0, sigma));
    }

    #[test]
    fn samples_have_the_mixture_mean_and_weights() {
        let mixture = two_components();
        let points = mixture.sample(200_000, &mut seeded_rng(4));
        let n = points.len() as f64 / 2.0;
        let mean_x = points.iter().step_by(2).map(|v| *v as f64).sum::<f64>() / n;
        // E x = ¼·(−1) + ¾·2 = 1.25; the share right of x = 0.5 is dominated by component 2.
        assert!((mean_x - 1.25).abs() < 0.01, "{mean_x}");
    }

    #[test]
    fn invalid_mixtures_are_rejected_naming_the_problem() {
        assert!(GaussianMixture::new(vec![], vec![], vec![]).is_err());
        assert!(
            GaussianMixture::new(vec![1.0], vec![[0.0, 0.0]; 2], vec![[1.0, 0.0, 0.0, 1.0]])
                .is_err()
        );
        assert!(
            GaussianMixture::new(vec![-1.0], vec![[0.0, 0.0]], vec![[1.0, 0.0, 0.0, 1.0]]).is_err()
        );
        assert!(
            GaussianMixture::new(vec![0.0], vec![[0.0, 0.0]], vec![[1.0, 0.0, 0.0, 1.0]]).is_err()
        );
        let error = GaussianMixture::new(vec![1.0], vec![[0.0, 0.0]], vec![[1.0, 2.0, 2.0, 1.0]])
            .unwrap_err();
        assert!(error.to_string().contains("component 0"), "{error}");
        assert!(
            GaussianMixture::new(vec![1.0], vec![[f64::NAN, 0.0]], vec![[1.0, 0.0, 0.0, 1.0]])
                .is_err()
        );
    }
}
