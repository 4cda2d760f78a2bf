//! The affine map between the user's coordinates and the model's: every 2-D family trains on
//! `z = (x − centre)/scale`, so data in any units (metres, pixels, ×15 and shifted by 40) reach
//! the networks at the spread their defaults were chosen for, and everything shown comes back as
//! `x = centre + scale·z`.
//!
//! One scale serves both axes so that shapes keep their proportions (a circle stays a circle).
//! The map is fitted to the data's exact moments (a mixture's, the user's points') or, for the
//! shipped sets, to a fixed-seed sample, never to the training seed: a model's weights mean the
//! same thing in every lab on the same data.

use serde::{Deserialize, Serialize};

use super::{Bounds, DataError, GaussianMixture};

/// The root-mean-square standard deviation per axis of data in the model's coordinates: about
/// that of the FFJORD sets the families' defaults were tuned on (1.1 for moons to 2.3 for the
/// checkerboard), so the shipped sets move little.
pub const MODEL_SPREAD: f64 = 1.6;

/// Largest coordinate magnitude accepted: beyond it the spread of the data, its window and the
/// models' arithmetic overflow or lose all precision in f32.
pub const MAX_COORDINATE: f64 = 1e30;

/// The data's spread relative to its distance from the origin below which f32 coordinates
/// cannot tell the points apart (f32 keeps about 7 significant digits).
const MIN_RELATIVE_SPREAD: f64 = 1e-5;

/// The smallest ratio of the data's covariance eigenvalues (minor over major) accepted: below
/// it the points lie on a line and have no 2-D density.
const MIN_EIGENVALUE_RATIO: f64 = 1e-8;

/// `x = centre + scale·z` from the model's coordinates `z` to the user's `x`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardisation {
    /// The data's mean, user units.
    pub centre: [f64; 2],
    /// User units per model unit.
    pub scale: f64,
}

impl Standardisation {
    /// The map that changes nothing (images, whose pixels are already in `[0, 1]`).
    pub const IDENTITY: Self = Self {
        centre: [0.0, 0.0],
        scale: 1.0,
    };

    /// The map taking data of this mean and covariance (`[a, b, c, d]` row-major) to mean 0 and
    /// root-mean-square spread [`MODEL_SPREAD`]; rejects data without a 2-D spread that f32
    /// can hold, saying why.
    pub fn from_moments(mean: [f64; 2], covariance: [f64; 4]) -> Result<Self, DataError> {
        let [a, b, _, d] = covariance;
        if !(mean.iter().all(|m| m.abs() <= MAX_COORDINATE) && a.is_finite() && d.is_finite()) {
            return Err(DataError::new(format!(
                "the data's mean or spread overflows: coordinates must lie within ±{MAX_COORDINATE:e}"
            )));
        }
        let spread = (0.5 * (a + d)).sqrt();
        if !(spread > 0.0) {
            return Err(DataError::new(
                "all points are identical: there is no distribution to learn",
            ));
        }
        if spread > MAX_COORDINATE {
            return Err(DataError::new(format!(
                "the data's spread ({spread:.3e}) overflows: coordinates must lie within \
                 ±{MAX_COORDINATE:e}"
            )));
        }
        let magnitude = mean[0].abs().max(mean[1].abs());
        if spread < MIN_RELATIVE_SPREAD * magnitude {
            return Err(DataError::new(format!(
                "the points are {spread:.3e} apart around ({:.6e}, {:.6e}): f32 cannot tell them \
                 apart; subtract their mean first",
                mean[0], mean[1]
            )));
        }
        // Eigenvalues of [[a, b], [b, d]]: (a + d)/2 ± √(((a − d)/2)² + b²).
        let half_gap = (0.25 * (a - d) * (a - d) + b * b).sqrt();
        let (major, minor) = (0.5 * (a + d) + half_gap, 0.5 * (a + d) - half_gap);
        if minor <= MIN_EIGENVALUE_RATIO * major {
            return Err(DataError::new(
                "the points lie on a line: they have no 2-D density to learn",
            ));
        }
        // Rounded to f32, the models' precision, so that a weights file records it exactly.
        Ok(Self {
            centre: mean.map(|m| m as f32 as f64),
            scale: (spread / MODEL_SPREAD) as f32 as f64,
        })
    }

    /// The map fitted to row-major `[n, 2]` points (their mean and covariance).
    pub fn fit(points: &[f32]) -> Result<Self, DataError> {
        let n = (points.len() / 2) as f64;
        let mut mean = [0.0; 2];
        for p in points.chunks_exact(2) {
            mean[0] += p[0] as f64 / n;
            mean[1] += p[1] as f64 / n;
        }
        let mut covariance = [0.0; 4];
        for p in points.chunks_exact(2) {
            let (dx, dy) = (p[0] as f64 - mean[0], p[1] as f64 - mean[1]);
            covariance[0] += dx * dx / n;
            covariance[1] += dx * dy / n;
            covariance[3] += dy * dy / n;
        }
        covariance[2] = covariance[1];
        Self::from_moments(mean, covariance)
    }

    /// The map fitted to a mixture's exact mean and covariance.
    pub fn of_mixture(mixture: &GaussianMixture) -> Result<Self, DataError> {
        let mut mean = [0.0; 2];
        for (w, m, _) in mixture.components() {
            mean[0] += w * m[0];
            mean[1] += w * m[1];
        }
        let mut covariance = [0.0; 4];
        for (w, m, c) in mixture.components() {
            let (dx, dy) = (m[0] - mean[0], m[1] - mean[1]);
            covariance[0] += w * (c[0] + dx * dx);
            covariance[1] += w * (c[1] + dx * dy);
            covariance[3] += w * (c[3] + dy * dy);
        }
        covariance[2] = covariance[1];
        Self::from_moments(mean, covariance)
    }

    /// Whether two maps agree to f32 precision (a map read back from a file against one fitted
    /// again: the same data give the same map up to rounding).
    pub fn agrees_with(&self, other: &Self) -> bool {
        let tolerance = 1e-5 * self.scale.max(other.scale);
        (self.scale - other.scale).abs() <= tolerance
            && (0..2).all(|a| (self.centre[a] - other.centre[a]).abs() <= tolerance)
    }

    /// Whether the map changes nothing.
    pub fn is_identity(&self) -> bool {
        *self == Self::IDENTITY
    }

    /// User points (row-major `[n, 2]`) in the model's coordinates.
    pub fn to_model(&self, points: &[f32]) -> Vec<f32> {
        points
            .chunks_exact(2)
            .flat_map(|p| {
                [
                    ((p[0] as f64 - self.centre[0]) / self.scale) as f32,
                    ((p[1] as f64 - self.centre[1]) / self.scale) as f32,
                ]
            })
            .collect()
    }

    /// One model coordinate on axis `axis` (0 = x, 1 = y) in user units.
    pub fn axis_to_user(&self, axis: usize, z: f64) -> f64 {
        self.centre[axis] + self.scale * z
    }

    /// One user coordinate on axis `axis` in the model's units.
    pub fn axis_to_model(&self, axis: usize, x: f64) -> f64 {
        (x - self.centre[axis]) / self.scale
    }

    /// `log |det ∂x/∂z|` = 2·log scale: a density in user units is the model's density minus
    /// this, in logs.
    pub fn log_det(&self) -> f64 {
        2.0 * self.scale.ln()
    }

    /// A window in user units, in the model's coordinates.
    pub fn bounds_to_model(&self, bounds: Bounds) -> Bounds {
        let x = |v: f32| self.axis_to_model(0, v as f64) as f32;
        let y = |v: f32| self.axis_to_model(1, v as f64) as f32;
        Bounds {
            x_min: x(bounds.x_min),
            x_max: x(bounds.x_max),
            y_min: y(bounds.y_min),
            y_max: y(bounds.y_max),
        }
    }

    /// The law of `z = (x − centre)/scale` for `x` drawn from `mixture`.
    pub fn mixture_to_model(&self, mixture: &GaussianMixture) -> GaussianMixture {
        mixture.mapped(
            1.0 / self.scale,
            [-self.centre[0] / self.scale, -self.centre[1] / self.scale],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;

    #[test]
    fn fitted_points_have_zero_mean_and_the_model_spread_and_map_back_exactly() {
        let mixture = GaussianMixture::new(
            vec![0.3, 0.7],
            vec![[40.0, -25.0], [55.0, -10.0]],
            vec![[9.0, 3.0, 3.0, 4.0], [1.0, 0.0, 0.0, 16.0]],
        )
        .unwrap();
        let points = mixture.sample(20_000, &mut seeded_rng(3));
        let map = Standardisation::fit(&points).unwrap();
        let exact = Standardisation::of_mixture(&mixture).unwrap();
        assert!(
            (map.scale / exact.scale - 1.0).abs() < 0.02,
            "{map:?} {exact:?}"
        );
        let z = map.to_model(&points);
        let n = (z.len() / 2) as f64;
        let mean: Vec<f64> = (0..2)
            .map(|a| z.iter().skip(a).step_by(2).map(|v| *v as f64).sum::<f64>() / n)
            .collect();
        let ms = z.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / (2.0 * n);
        assert!(mean.iter().all(|m| m.abs() < 1e-4), "{mean:?}");
        assert!((ms.sqrt() - MODEL_SPREAD).abs() < 1e-4, "{}", ms.sqrt());
        for (x, z) in points.chunks_exact(2).zip(z.chunks_exact(2)).take(50) {
            for axis in 0..2 {
                let back = map.axis_to_user(axis, z[axis] as f64);
                assert!(
                    (back - x[axis] as f64).abs() < 1e-4 * map.scale,
                    "{back} {x:?}"
                );
            }
        }
    }

    #[test]
    fn the_mixture_law_in_model_coordinates_is_the_law_of_the_mapped_samples() {
        let mixture = GaussianMixture::new(
            vec![0.5, 0.5],
            vec![[600.0, 10.0], [630.0, 40.0]],
            vec![[25.0, 5.0, 5.0, 36.0], [16.0, 0.0, 0.0, 9.0]],
        )
        .unwrap();
        let map = Standardisation::of_mixture(&mixture).unwrap();
        let model = map.mixture_to_model(&mixture);
        // The change of variables: log p_z(z) = log p_x(x) + log|det ∂x/∂z|.
        for x in [[600.0, 10.0], [615.0, 30.0], [640.0, 35.0]] {
            let z = map.to_model(&[x[0] as f32, x[1] as f32]);
            let lhs = model.log_density([z[0] as f64, z[1] as f64]);
            let rhs = mixture.log_density(x) + map.log_det();
            assert!((lhs - rhs).abs() < 1e-4, "{lhs} {rhs}");
            // Scores: ∇_z log p_z = scale · ∇_x log p_x.
            let (sz, sx) = (model.score([z[0] as f64, z[1] as f64]), mixture.score(x));
            for axis in 0..2 {
                assert!(
                    (sz[axis] - map.scale * sx[axis]).abs() < 1e-4,
                    "{sz:?} {sx:?}"
                );
            }
        }
    }

    #[test]
    fn degenerate_data_is_refused_with_the_reason() {
        let refused = |points: &[f32]| Standardisation::fit(points).unwrap_err().to_string();
        assert!(refused(&[1.0, 2.0, 1.0, 2.0, 1.0, 2.0]).contains("identical"));
        assert!(refused(&[0.0, 0.0, 1.0, 2.0, 2.0, 4.0, 3.0, 6.0]).contains("on a line"));
        assert!(refused(&[0.0, 0.0, 5.0, 5.0]).contains("on a line"));
        assert!(refused(&[3e38, -3e38, -3e38, 3e38, 3e38, 3e38]).contains("overflows"));
        let close = [1e6, 1e6, 1e6 + 1e-3, 1e6, 1e6, 1e6 + 1e-3];
        let close: Vec<f32> = close.iter().map(|v| *v as f32).collect();
        assert!(refused(&close).contains("identical") || refused(&close).contains("f32"));
        assert!(
            Standardisation::from_moments([1e6, 0.0], [1e-4, 0.0, 0.0, 1e-4])
                .unwrap_err()
                .to_string()
                .contains("f32")
        );
        assert!(Standardisation::fit(&[0.0, 0.0, 1.0, 0.0, 0.0, 1.0]).is_ok());
    }
}
