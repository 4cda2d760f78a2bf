//! Maximum mean discrepancy with Gaussian (RBF) kernels.
//!
//! `MMD²(P, Q) = E k(x, x') + E k(y, y') − 2 E k(x, y)`, estimated without bias (Gretton et al.
//! 2012, eq. 3: the diagonal terms are left out), with `k(a, b) = Σ_h exp(−‖a − b‖² / 2h²)` over
//! several bandwidths around the median pairwise distance (the median heuristic). Points are
//! row-major `[n, dim]`: 2-D for the toy sets, 64 pixels for the digits.

use super::MetricError;

/// Bandwidths used by the page, as multiples of the median pairwise distance.
pub const BANDWIDTH_MULTIPLES: [f64; 3] = [0.5, 1.0, 2.0];

/// Points the median heuristic looks at (the first of each set), to stay O(n).
const MEDIAN_POINTS: usize = 256;

fn check(x: &[f32], y: &[f32], dim: usize) -> Result<(), MetricError> {
    if dim == 0 {
        return Err(MetricError::new("points need at least one coordinate"));
    }
    for (name, set) in [("first", x), ("second", y)] {
        if set.len() % dim != 0 {
            return Err(MetricError::new(format!(
                "the {name} set is not a list of {dim}-D points"
            )));
        }
        if set.len() < 2 * dim {
            return Err(MetricError::new(format!(
                "the {name} set needs at least 2 points"
            )));
        }
        if set.iter().any(|v| !v.is_finite()) {
            return Err(MetricError::new(format!(
                "the {name} set has a NaN or infinite coordinate"
            )));
        }
    }
    Ok(())
}

fn squared_distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| {
            let d = (p - q) as f64;
            d * d
        })
        .sum()
}

/// The median pairwise distance between the first 2-D points of `x` and `y` pooled.
pub fn median_distance(x: &[f32], y: &[f32]) -> Result<f64, MetricError> {
    median_distance_in(x, y, 2)
}

/// [`median_distance`] of `dim`-dimensional points.
pub fn median_distance_in(x: &[f32], y: &[f32], dim: usize) -> Result<f64, MetricError> {
    check(x, y, dim)?;
    let pooled: Vec<&[f32]> = x
        .chunks_exact(dim)
        .take(MEDIAN_POINTS)
        .chain(y.chunks_exact(dim).take(MEDIAN_POINTS))
        .collect();
    let mut distances = Vec::with_capacity(pooled.len() * pooled.len() / 2);
    for (i, a) in pooled.iter().enumerate() {
        for b in &pooled[i + 1..] {
            distances.push(squared_distance(a, b).sqrt());
        }
    }
    distances.sort_by(f64::total_cmp);
    let median = distances[distances.len() / 2];
    if median > 0.0 {
        Ok(median)
    } else {
        Err(MetricError::new(
            "all points coincide: the median distance is 0",
        ))
    }
}

/// A sum of RBF kernels `Σ_h exp(−d²/2h²)`, evaluated with one `exp`: with `e` the widest
/// kernel's value, a kernel `r` times narrower is `e^(r²)`, an integer power (multiplications
/// only) for the bandwidth ratios the page uses.
struct RbfSum {
    widest_gamma: f64,
    /// Per bandwidth: `(h_max/h)²` as an integer where it is one, else `None`.
    powers: Vec<Result<i32, f64>>,
}

impl RbfSum {
    fn new(bandwidths: &[f64]) -> Result<Self, MetricError> {
        if bandwidths.is_empty() || bandwidths.iter().any(|h| !(h.is_finite() && *h > 0.0)) {
            return Err(MetricError::new("bandwidths must be positive and finite"));
        }
        let widest = bandwidths.iter().copied().fold(0.0, f64::max);
        let powers = bandwidths
            .iter()
            .map(|h| {
                let ratio = (widest / h).powi(2);
                let whole = ratio.round();
                if (ratio - whole).abs() < 1e-9 && whole < 64.0 {
                    Ok(whole as i32)
                } else {
                    Err(ratio)
                }
            })
            .collect();
        Ok(Self {
            widest_gamma: -0.5 / (widest * widest),
            powers,
        })
    }

    fn at(&self, d2: f64) -> f64 {
        let e = (self.widest_gamma * d2).exp();
        self.powers
            .iter()
            .map(|p| match p {
                Ok(k) => e.powi(*k),
                Err(r) => e.powf(*r),
            })
            .sum()
    }

    /// The mean kernel value over distinct pairs of one set.
    fn within(&self, set: &[f32], dim: usize) -> f64 {
        let points: Vec<&[f32]> = set.chunks_exact(dim).collect();
        let n = points.len() as f64;
        let mut sum = 0.0;
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                sum += self.at(squared_distance(a, b));
            }
        }
        2.0 * sum / (n * (n - 1.0))
    }

    /// The mean kernel value over all pairs across two sets.
    fn across(&self, x: &[f32], y: &[f32], dim: usize) -> f64 {
        let mut sum = 0.0;
        for a in x.chunks_exact(dim) {
            for b in y.chunks_exact(dim) {
                sum += self.at(squared_distance(a, b));
            }
        }
        sum / ((x.len() / dim) as f64 * (y.len() / dim) as f64)
    }
}

/// MMD² against one fixed set, whose own kernel mean is computed once: comparing a model
/// sample and an independent data sample (the noise floor) with one reference costs two
/// thirds of two separate estimates.
pub struct MmdAgainst<'a> {
    reference: &'a [f32],
    dim: usize,
    kernel: RbfSum,
    within_reference: f64,
}

impl<'a> MmdAgainst<'a> {
    /// Prepares MMD² against the 2-D points `reference` with the given bandwidths.
    pub fn new(reference: &'a [f32], bandwidths: &[f64]) -> Result<Self, MetricError> {
        Self::in_dim(reference, 2, bandwidths)
    }

    /// [`MmdAgainst::new`] for `dim`-dimensional points.
    pub fn in_dim(
        reference: &'a [f32],
        dim: usize,
        bandwidths: &[f64],
    ) -> Result<Self, MetricError> {
        check(reference, reference, dim)?;
        let kernel = RbfSum::new(bandwidths)?;
        let within_reference = kernel.within(reference, dim);
        Ok(Self {
            reference,
            dim,
            kernel,
            within_reference,
        })
    }

    /// Unbiased MMD² between the reference and `other`.
    pub fn mmd2(&self, other: &[f32]) -> Result<f64, MetricError> {
        check(self.reference, other, self.dim)?;
        Ok(self.within_reference + self.kernel.within(other, self.dim)
            - 2.0 * self.kernel.across(self.reference, other, self.dim))
    }
}

/// Unbiased MMD² between 2-D point sets (row-major) with a sum of RBF kernels of the given
/// bandwidths. Can be slightly negative when the sets come from one distribution.
pub fn mmd2_unbiased(x: &[f32], y: &[f32], bandwidths: &[f64]) -> Result<f64, MetricError> {
    check(x, y, 2)?;
    MmdAgainst::new(x, bandwidths)?.mmd2(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    fn gaussian(n: usize, shift: f32, seed: u64) -> Vec<f32> {
        let mut rng = seeded_rng(seed);
        (0..2 * n)
            .map(|i| rng.sample::<f32, _>(StandardNormal) + if i % 2 == 0 { shift } else { 0.0 })
            .collect()
    }

    #[test]
    fn closed_form_for_single_points_pairs() {
        // x = {a, b}, y = {c, d}: every term is one kernel value.
        let x = [0.0, 0.0, 1.0, 0.0];
        let y = [0.0, 2.0, 3.0, 0.0];
        let k = |d2: f64| (-d2 / 2.0).exp();
        let expected = k(1.0) + k(13.0) - 2.0 * (k(4.0) + k(9.0) + k(5.0) + k(4.0)) / 4.0;
        assert!((mmd2_unbiased(&x, &y, &[1.0]).unwrap() - expected).abs() < 1e-12);
    }

    #[test]
    fn near_zero_for_one_distribution_and_above_its_floor_for_a_shift() {
        let a = gaussian(600, 0.0, 1);
        let b = gaussian(600, 0.0, 2);
        let c = gaussian(600, 0.0, 3);
        let shifted = gaussian(600, 1.0, 4);
        let h: Vec<f64> = BANDWIDTH_MULTIPLES
            .iter()
            .map(|m| m * median_distance(&a, &b).unwrap())
            .collect();
        let floor = mmd2_unbiased(&a, &c, &h).unwrap().abs();
        let same = mmd2_unbiased(&a, &b, &h).unwrap();
        let different = mmd2_unbiased(&a, &shifted, &h).unwrap();
        assert!(same.abs() < 0.02, "{same}");
        assert!(
            different > 10.0 * floor.max(1e-3),
            "{different} vs floor {floor}"
        );
        // Symmetric by definition (up to summation order).
        let swapped = mmd2_unbiased(&shifted, &a, &h).unwrap();
        assert!(
            (different - swapped).abs() < 1e-12 * different,
            "{different} vs {swapped}"
        );
    }

    #[test]
    fn the_one_exp_kernel_sum_equals_the_direct_sum() {
        let bandwidths = [0.5, 1.0, 2.0, 1.3];
        let kernel = RbfSum::new(&bandwidths).unwrap();
        for d2 in [0.0, 0.01, 0.7, 3.0, 20.0] {
            let direct: f64 = bandwidths.iter().map(|h| (-d2 / (2.0 * h * h)).exp()).sum();
            assert!((kernel.at(d2) - direct).abs() < 1e-12, "{d2}");
        }
    }

    #[test]
    fn any_dimension_matches_the_formula_by_hand() {
        // x = {a, a'}, y = {b, b'} in 3-D, one bandwidth h: MMD² = k(a, a') + k(b, b') − mean k(x, y).
        let (a, a2, b, b2) = (
            [0.0f32, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 2.0, 0.0],
            [0.0, 0.0, 3.0],
        );
        let h = 1.5f64;
        let k = |p: [f32; 3], q: [f32; 3]| (-squared_distance(&p, &q) / (2.0 * h * h)).exp();
        let by_hand = k(a, a2) + k(b, b2) - 2.0 * (k(a, b) + k(a, b2) + k(a2, b) + k(a2, b2)) / 4.0;
        let x: Vec<f32> = [a, a2].concat();
        let y: Vec<f32> = [b, b2].concat();
        let got = MmdAgainst::in_dim(&x, 3, &[h]).unwrap().mmd2(&y).unwrap();
        assert!((got - by_hand).abs() < 1e-12, "{got} vs {by_hand}");
        assert!(
            MmdAgainst::in_dim(&x, 4, &[h]).is_err(),
            "6 numbers are not 4-D points"
        );
        // Pairwise distances 1, 2, √5, 3, √10, √13: the upper median is 3.
        assert!((median_distance_in(&x, &y, 3).unwrap() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn median_of_a_known_configuration() {
        // Points 0, 1, 3 on a line, pooled with themselves: the 15 pairwise distances sorted are
        // 0,0,0, 1,1,1,1, 2,2,2,2, 3,3,3,3, and index 15/2 = 7 holds 2.
        let x = [0.0, 0.0, 1.0, 0.0, 3.0, 0.0];
        assert_eq!(median_distance(&x, &x).unwrap(), 2.0);
    }

    #[test]
    fn invalid_input_is_an_error() {
        assert!(mmd2_unbiased(&[0.0, 0.0], &[1.0, 1.0, 2.0, 2.0], &[1.0]).is_err());
        assert!(mmd2_unbiased(&[0.0, 0.0, 1.0], &[1.0, 1.0, 2.0, 2.0], &[1.0]).is_err());
        assert!(mmd2_unbiased(&[0.0, f32::NAN, 1.0, 1.0], &[1.0, 1.0, 2.0, 2.0], &[1.0]).is_err());
        assert!(mmd2_unbiased(&[0.0, 0.0, 1.0, 1.0], &[1.0, 1.0, 2.0, 2.0], &[0.0]).is_err());
        assert!(median_distance(&[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0, 1.0, 1.0]).is_err());
    }
}
