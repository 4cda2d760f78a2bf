//! Estimators that use densities or scores at sample points: Monte Carlo KL and the Fisher
//! divergence.

use super::MetricError;

/// A Monte Carlo mean and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MonteCarlo {
    /// The sample mean.
    pub mean: f64,
    /// Its standard error `s/√n`.
    pub standard_error: f64,
}

fn mean_and_error(values: impl ExactSizeIterator<Item = f64> + Clone) -> MonteCarlo {
    let n = values.len() as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    MonteCarlo {
        mean,
        standard_error: (var / n).sqrt(),
    }
}

/// `KL(p‖q) ≈ (1/n) Σ [log p(xᵢ) − log q(xᵢ)]` for `xᵢ ~ p`, given both log-densities at the
/// samples (nats).
pub fn monte_carlo_kl(log_p: &[f64], log_q: &[f64]) -> Result<MonteCarlo, MetricError> {
    if log_p.is_empty() || log_p.len() != log_q.len() {
        return Err(MetricError::new(format!(
            "need as many model as data log-densities, at least one (got {} and {})",
            log_p.len(),
            log_q.len()
        )));
    }
    if log_p.iter().chain(log_q).any(|v| v.is_nan()) {
        return Err(MetricError::new("a log-density is NaN"));
    }
    Ok(mean_and_error(log_p.iter().zip(log_q).map(|(p, q)| p - q)))
}

/// Fisher divergence `E_p ‖∇log p(x) − s(x)‖²` for `x ~ p`, given the true score and the model
/// score at the samples (row-major `[n, dim]`, same shapes).
pub fn fisher_divergence(
    true_score: &[f64],
    model_score: &[f64],
    dim: usize,
) -> Result<MonteCarlo, MetricError> {
    if dim == 0
        || true_score.is_empty()
        || true_score.len() != model_score.len()
        || true_score.len() % dim != 0
    {
        return Err(MetricError::new(format!(
            "scores must be two non-empty [n, {dim}] arrays of one shape (got {} and {} values)",
            true_score.len(),
            model_score.len()
        )));
    }
    if true_score.iter().chain(model_score).any(|v| !v.is_finite()) {
        return Err(MetricError::new("a score is NaN or infinite"));
    }
    let squared: Vec<f64> = true_score
        .chunks_exact(dim)
        .zip(model_score.chunks_exact(dim))
        .map(|(a, b)| a.iter().zip(b).map(|(u, v)| (u - v).powi(2)).sum())
        .collect();
    Ok(mean_and_error(squared.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    #[test]
    fn monte_carlo_kl_between_gaussians_matches_the_closed_form() {
        // p = N(0, 1), q = N(1, 2²): KL = ln 2 + (1 + 1)/8 − ½.
        let mut rng = seeded_rng(5);
        let xs: Vec<f64> = (0..200_000).map(|_| rng.sample(StandardNormal)).collect();
        let log_n = |x: f64, m: f64, s: f64| {
            -0.5 * ((x - m) / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
        };
        let log_p: Vec<f64> = xs.iter().map(|&x| log_n(x, 0.0, 1.0)).collect();
        let log_q: Vec<f64> = xs.iter().map(|&x| log_n(x, 1.0, 2.0)).collect();
        let estimate = monte_carlo_kl(&log_p, &log_q).unwrap();
        let exact = 2f64.ln() + 0.25 - 0.5;
        assert!(
            (estimate.mean - exact).abs() < 4.0 * estimate.standard_error,
            "{estimate:?} vs {exact}"
        );
        assert!(estimate.standard_error < 0.005);
    }

    #[test]
    fn fisher_between_gaussians_matches_the_closed_form() {
        // p = N(0, 1), model score of N(μ, s²): s(x) = −(x − μ)/s². With x ~ p,
        // E(−x + (x − μ)/s²)² = (1/s² − 1)² + μ²/s⁴.
        let (mu, s2) = (0.5, 2.0);
        let mut rng = seeded_rng(6);
        let xs: Vec<f64> = (0..200_000).map(|_| rng.sample(StandardNormal)).collect();
        let truth: Vec<f64> = xs.iter().map(|x| -x).collect();
        let model: Vec<f64> = xs.iter().map(|x| -(x - mu) / s2).collect();
        let estimate = fisher_divergence(&truth, &model, 1).unwrap();
        let exact = (1.0 / s2 - 1.0f64).powi(2) + mu * mu / (s2 * s2);
        assert!(
            (estimate.mean - exact).abs() < 4.0 * estimate.standard_error,
            "{estimate:?} vs {exact}"
        );
        assert_eq!(fisher_divergence(&truth, &truth, 1).unwrap().mean, 0.0);
    }

    #[test]
    fn invalid_input_is_an_error() {
        assert!(monte_carlo_kl(&[], &[]).is_err());
        assert!(monte_carlo_kl(&[0.0], &[0.0, 1.0]).is_err());
        assert!(monte_carlo_kl(&[f64::NAN], &[0.0]).is_err());
        assert!(fisher_divergence(&[0.0, 1.0, 2.0], &[0.0, 1.0, 2.0], 2).is_err());
        assert!(fisher_divergence(&[0.0, 1.0], &[0.0], 2).is_err());
        assert!(fisher_divergence(&[0.0, f64::INFINITY], &[0.0, 1.0], 2).is_err());
    }
}
