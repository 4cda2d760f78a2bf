//! Noise floors as distributions: an estimator between two independent data samples of the
//! model's sample size, drawn several times, summarised by its mean and an upper prediction
//! bound. A single draw misleads (the KL floor varies 2.5× between draws, the unbiased MMD² is
//! negative half the time); a model is indistinguishable from the data only below the bound.
//!
//! The bound is the one-sided 95 % prediction bound for one more draw, `m + t·s·√(1 + 1/k)`
//! (`m`, `s` the mean and standard deviation of `k` draws, `t` Student's 0.95 quantile with
//! `k − 1` degrees of freedom): with 8 draws the largest one is only about their 89th
//! percentile, and the sliced W2 of a fresh data sample exceeded it one time in five.

use serde::Serialize;

use super::MetricError;

/// Data-vs-data draws behind every noise floor.
pub const FLOOR_DRAWS: usize = 8;
/// The probability that a further data-vs-data draw lies at or below a floor's upper end.
pub const FLOOR_QUANTILE: f64 = 0.95;
/// The standard normal's [`FLOOR_QUANTILE`] quantile.
const NORMAL_QUANTILE: f64 = 1.644_853_626_951_472_2;

/// The distribution of an estimator between two independent data samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NoiseFloor {
    /// Mean over the draws: the estimator's bias where the truth is 0.
    pub mean: f64,
    /// The [`FLOOR_QUANTILE`] prediction bound for one more draw: values at or below it cannot
    /// be told apart from a perfect model.
    pub upper: f64,
    /// How many draws.
    pub draws: usize,
}

impl NoiseFloor {
    /// Summarises the values of the draws; at least two, all finite.
    pub fn from_draws(values: &[f64]) -> Result<Self, MetricError> {
        if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
            return Err(MetricError::new(format!(
                "a noise floor needs at least 2 finite draws, got {values:?}"
            )));
        }
        let k = values.len() as f64;
        let mean = values.iter().sum::<f64>() / k;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0);
        Ok(Self {
            mean,
            upper: mean + student_t_quantile(k - 1.0) * (variance * (1.0 + 1.0 / k)).sqrt(),
            draws: values.len(),
        })
    }

    /// Whether `value` lies at or below the upper quantile: indistinguishable from the data.
    pub fn indistinguishable(&self, value: f64) -> bool {
        value <= self.upper
    }
}

/// Student's t quantile at [`FLOOR_QUANTILE`] with `df` degrees of freedom, by the
/// Cornish–Fisher expansion to second order in `1/df` (within 0.5 % from 5 degrees of freedom).
fn student_t_quantile(df: f64) -> f64 {
    let z = NORMAL_QUANTILE;
    let (z3, z5) = (z.powi(3), z.powi(5));
    z + (z3 + z) / (4.0 * df) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_quantile_is_the_floor_quantile() {
        let cdf = 0.5 * (1.0 + libm::erf(NORMAL_QUANTILE / std::f64::consts::SQRT_2));
        assert!((cdf - FLOOR_QUANTILE).abs() < 1e-12, "Φ(z) = {cdf}");
    }

    #[test]
    fn the_t_quantile_matches_the_tables() {
        // Student's t, one-sided 0.95: df 7 → 1.8946, 9 → 1.8331, 30 → 1.6973.
        for (df, table) in [(7.0, 1.8946), (9.0, 1.8331), (30.0, 1.6973)] {
            let t = student_t_quantile(df);
            assert!((t / table - 1.0).abs() < 5e-3, "df {df}: {t} vs {table}");
        }
    }

    #[test]
    fn mean_and_prediction_bound() {
        // Draws 1..=8: mean 4.5, variance 6, bound 4.5 + t₇ · √(6 · 9/8).
        let values: Vec<f64> = (1..=8).rev().map(f64::from).collect();
        let floor = NoiseFloor::from_draws(&values).unwrap();
        assert_eq!(floor.mean, 4.5);
        let expected = 4.5 + student_t_quantile(7.0) * (6.0f64 * 9.0 / 8.0).sqrt();
        assert!((floor.upper - expected).abs() < 1e-12, "{floor:?}");
        assert!((floor.upper - 9.43).abs() < 0.02, "{floor:?}");
        assert_eq!(floor.draws, 8);
        assert!(floor.indistinguishable(9.4) && !floor.indistinguishable(9.5));
    }

    #[test]
    fn one_more_draw_exceeds_the_bound_about_one_time_in_twenty() {
        // Gaussian draws (the bound is exact for them): over 4 000 floors of 8 draws each,
        // the next draw exceeds the bound with probability 0.05 (binomial sd 0.0034).
        let mut rng = crate::data::seeded_rng(11);
        let mut exceeded = 0;
        for _ in 0..4000 {
            let draws: Vec<f64> = (0..9)
                .map(|_| rand::RngExt::sample::<f64, _>(&mut rng, rand_distr::StandardNormal))
                .collect();
            let floor = NoiseFloor::from_draws(&draws[..8]).unwrap();
            exceeded += usize::from(!floor.indistinguishable(draws[8]));
        }
        let rate = exceeded as f64 / 4000.0;
        assert!((rate - 0.05).abs() < 0.012, "{rate}");
    }

    #[test]
    fn too_few_or_non_finite_draws_are_refused() {
        assert!(NoiseFloor::from_draws(&[1.0]).is_err());
        assert!(NoiseFloor::from_draws(&[1.0, f64::NAN]).is_err());
    }
}
