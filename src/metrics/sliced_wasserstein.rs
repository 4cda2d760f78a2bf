//! Sliced 2-Wasserstein distance between 2-D point sets.
//!
//! `SW2(P, Q)² = (1/π) ∫₀^π W2(P_θ, Q_θ)² dθ`, where `P_θ` is the law of `⟨x, (cos θ, sin θ)⟩`.
//! The integral is taken with the midpoint rule on evenly spaced angles, and each 1-D W2 is the
//! exact distance between the two empirical measures (their quantile functions compared
//! everywhere, so the sets may differ in size).

/// Exact W2 between the empirical measures of two 1-D samples (sorted in place).
///
/// `W2² = ∫₀¹ (F_a⁻¹(u) − F_b⁻¹(u))² du`; both quantile functions are step functions, so the
/// integral is a finite sum over the merged breakpoints `i/n` and `j/m`.
pub fn wasserstein2_1d(a: &mut [f64], b: &mut [f64]) -> f64 {
    assert!(
        !a.is_empty() && !b.is_empty(),
        "W2 needs two non-empty samples"
    );
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len(), b.len());
    let (mut i, mut j) = (0, 0);
    let mut u = 0.0;
    let mut sum = 0.0;
    while i < n && j < m {
        let next_a = (i + 1) as f64 / n as f64;
        let next_b = (j + 1) as f64 / m as f64;
        let next = next_a.min(next_b);
        sum += (next - u) * (a[i] - b[j]).powi(2);
        u = next;
        if next_a <= next {
            i += 1;
        }
        if next_b <= next {
            j += 1;
        }
    }
    sum.sqrt()
}

/// Sliced W2 between two sets of 2-D points (row-major `[n, 2]` and `[m, 2]`) over
/// `projections` evenly spaced angles `θ_k = π(k + ½)/K`.
pub fn sliced_w2(x: &[f32], y: &[f32], projections: usize) -> f64 {
    assert!(projections > 0, "sliced W2 needs at least one projection");
    assert!(x.len() % 2 == 0 && y.len() % 2 == 0, "points are pairs");
    let mut px = vec![0.0; x.len() / 2];
    let mut py = vec![0.0; y.len() / 2];
    let mut sum = 0.0;
    for k in 0..projections {
        let (s, c) = angle(k, projections).sin_cos();
        project(x, c, s, &mut px);
        project(y, c, s, &mut py);
        sum += wasserstein2_1d(&mut px, &mut py).powi(2);
    }
    (sum / projections as f64).sqrt()
}

/// Sliced W2 between two Gaussians `N(m1, S1)` and `N(m2, S2)` (covariances row-major 2×2),
/// in closed form per angle: `W2(P_θ, Q_θ)² = ⟨θ, m1 − m2⟩² + (√(θᵀS1θ) − √(θᵀS2θ))²`, with the
/// same angular quadrature as [`sliced_w2`].
pub fn sliced_w2_gaussians(
    m1: [f64; 2],
    s1: [f64; 4],
    m2: [f64; 2],
    s2: [f64; 4],
    projections: usize,
) -> f64 {
    let quad =
        |s: [f64; 4], c: f64, si: f64| c * c * s[0] + c * si * (s[1] + s[2]) + si * si * s[3];
    let mut sum = 0.0;
    for k in 0..projections {
        let (si, c) = angle(k, projections).sin_cos();
        let mean = c * (m1[0] - m2[0]) + si * (m1[1] - m2[1]);
        let spread = quad(s1, c, si).sqrt() - quad(s2, c, si).sqrt();
        sum += mean * mean + spread * spread;
    }
    (sum / projections as f64).sqrt()
}

fn angle(k: usize, projections: usize) -> f64 {
    std::f64::consts::PI * (k as f64 + 0.5) / projections as f64
}

fn project(points: &[f32], c: f64, s: f64, out: &mut [f64]) {
    for (o, p) in out.iter_mut().zip(points.chunks_exact(2)) {
        *o = c * p[0] as f64 + s * p[1] as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    /// `n` samples of `N(m, L Lᵀ)` for a lower-triangular `L = [[l00, 0], [l10, l11]]`.
    fn gaussian(n: usize, m: [f64; 2], l: [f64; 3], seed: u64) -> Vec<f32> {
        let mut rng = seeded_rng(seed);
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let (a, b): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
            out.push((m[0] + l[0] * a) as f32);
            out.push((m[1] + l[1] * a + l[2] * b) as f32);
        }
        out
    }

    fn cov(l: [f64; 3]) -> [f64; 4] {
        let off = l[0] * l[1];
        [l[0] * l[0], off, off, l[1] * l[1] + l[2] * l[2]]
    }

    #[test]
    fn one_dimensional_w2_is_exact_on_small_cases() {
        // Equal sizes: the sorted points are matched in order.
        assert!((wasserstein2_1d(&mut [3.0, 1.0], &mut [2.0, 0.0]) - 1.0).abs() < 1e-12);
        // {0} against {0, 2}: half the mass travels 2, W2² = ½·4 = 2.
        let w = wasserstein2_1d(&mut [0.0], &mut [0.0, 2.0]);
        assert!((w - 2f64.sqrt()).abs() < 1e-12, "{w}");
        // Shifting one sample by c gives W2 = |c| for any sizes.
        let mut a: Vec<f64> = (0..7).map(|i| (i * i) as f64).collect();
        let mut b: Vec<f64> = a.iter().map(|v| v + 0.25).collect();
        assert!((wasserstein2_1d(&mut a, &mut b) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn equal_covariances_give_w2_over_root_two() {
        // Same covariance: W2 = |m1 − m2| (closed form), and averaging cos² over angles gives
        // SW2 = W2/√2 exactly, for any number of evenly spaced angles ≥ 2.
        let (m1, m2): ([f64; 2], [f64; 2]) = ([0.5, -1.0], [2.0, 1.0]);
        let s = cov([1.0, 0.3, 0.7]);
        let w2: f64 =
            ((m1[0] - m2[0]) * (m1[0] - m2[0]) + (m1[1] - m2[1]) * (m1[1] - m2[1])).sqrt();
        let sw2 = sliced_w2_gaussians(m1, s, m2, s, 8);
        assert!(
            (sw2 - w2 / 2f64.sqrt()).abs() < 1e-12,
            "{sw2} vs {}",
            w2 / 2f64.sqrt()
        );
    }

    #[test]
    fn sample_estimate_matches_the_gaussian_closed_form() {
        // 40 000 points per side: the empirical W2 of a Gaussian projection converges at about
        // 1/√n (≈ 0.005 here), so 0.03 is six standard errors.
        let (m1, l1) = ([0.0, 0.0], [1.0, 0.0, 1.0]);
        let (m2, l2) = ([1.5, -0.5], [0.5, 0.4, 1.2]);
        let x = gaussian(40_000, m1, l1, 11);
        let y = gaussian(40_000, m2, l2, 12);
        let estimate = sliced_w2(&x, &y, 64);
        let exact = sliced_w2_gaussians(m1, cov(l1), m2, cov(l2), 64);
        assert!(
            (estimate - exact).abs() < 0.03,
            "estimate {estimate}, closed form {exact}"
        );
    }

    #[test]
    fn two_samples_of_one_distribution_are_close_and_distinct_sets_are_not() {
        let a = gaussian(5_000, [0.0, 0.0], [1.0, 0.0, 1.0], 1);
        let b = gaussian(5_000, [0.0, 0.0], [1.0, 0.0, 1.0], 2);
        let c = gaussian(5_000, [3.0, 0.0], [1.0, 0.0, 1.0], 3);
        let same = sliced_w2(&a, &b, 32);
        let different = sliced_w2(&a, &c, 32);
        assert!(same < 0.05, "{same}");
        assert!((different - 3.0 / 2f64.sqrt()).abs() < 0.05, "{different}");
    }
}
