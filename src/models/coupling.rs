//! Minibatch optimal-transport couplings for flow matching (OT-CFM; Tong et al. 2024, Pooladian
//! et al. 2023), computed on the device: an entropic plan by log-domain Sinkhorn between the
//! noise and the data of a batch, and for each noise point a data point drawn from the plan's
//! conditional (Gumbel-max), so the pairs are distributed as the plan and keep the data marginal,
//! as OT-CFM's sampler does. (Rounding by the row argmax did not: at the family's ε about half of
//! a batch's data went unused and each mode's targets had twice the data's variance.) At a small
//! ε each row of the plan peaks at its partner in the optimal assignment, and where the next-best
//! assignment costs 10 ε more, the draw takes that partner with probability ≥ 0.99 (tested
//! against brute force).

use burn::prelude::*;
use burn::tensor::Distribution;

use crate::models::math::log_sum_exp;

/// `‖aᵢ − bⱼ‖²` for `a: [n, d]`, `b: [m, d]` → `[n, m]`.
pub fn squared_distances(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let a2 = a.clone().powi_scalar(2).sum_dim(1); // [n, 1]
    let b2 = b.clone().powi_scalar(2).sum_dim(1).transpose(); // [1, m]
    (a2 + b2 - a.matmul(b.transpose()) * 2.0).clamp_min(0.0)
}

/// `x1` reordered so that row `i` is a data point drawn from the entropic OT plan between `x0`
/// and `x1` (uniform weights, cost ‖x₀ − x₁‖², ε = `epsilon` × the mean cost, `iterations`
/// Sinkhorn sweeps) given `x0[i]`, with the device's random stream: `[n, d]`.
pub fn sinkhorn_pairing(
    x0: Tensor<2>,
    x1: Tensor<2>,
    epsilon: f32,
    iterations: usize,
) -> Tensor<2> {
    let n = x0.dims()[0];
    let log_plan = entropic_log_plan(x0, x1.clone(), epsilon, iterations); // [n, n]
    let device = log_plan.device();
    // Gumbel-max: argmax_j (log π_ij + G_ij) is distributed as π_ij / Σ_j π_ij.
    let uniform = Tensor::<2>::random([n, n], Distribution::Uniform(0.0, 1.0), &device)
        .clamp(1e-7, 1.0 - 1e-7); // [n, n]
    let gumbel = uniform.log().neg().log().neg();
    let partner = (log_plan + gumbel).argmax(1).reshape([n]); // [n]
    x1.select(0, partner)
}

/// `log π_ij` of the entropic OT plan between `x0: [n, d]` and `x1: [n, d]` (uniform weights,
/// cost ‖x₀ − x₁‖², ε = `epsilon` × the mean cost) after `iterations` log-domain Sinkhorn
/// sweeps: `[n, n]`.
fn entropic_log_plan(x0: Tensor<2>, x1: Tensor<2>, epsilon: f32, iterations: usize) -> Tensor<2> {
    let n = x0.dims()[0];
    let cost = squared_distances(x0, x1); // [n, n]
    let scale = cost.clone().mean().reshape([1, 1]) * epsilon; // [1, 1]
    let kernel = cost.neg() / scale; // −C/ε
    let log_weight = -(n as f32).ln();
    let device = kernel.device();
    let mut u = Tensor::<2>::zeros([n, 1], &device);
    let mut v = Tensor::<2>::zeros([1, n], &device);
    for _ in 0..iterations {
        u = log_sum_exp(kernel.clone() + v.clone(), 1).neg() + log_weight; // [n, 1]
        v = log_sum_exp(kernel.clone() + u.clone(), 0).neg() + log_weight; // [1, n]
    }
    kernel + u + v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Dataset, seeded_rng};
    use crate::models::flow_matching::{OT_EPSILON, OT_ITERATIONS};
    use rand::RngExt;

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut all = Vec::new();
        for p in permutations(n - 1) {
            for k in 0..n {
                let mut q = p.clone();
                q.insert(k, n - 1);
                all.push(q);
            }
        }
        all
    }

    #[test]
    fn at_a_small_epsilon_the_plan_is_the_brute_force_optimal_assignment() {
        // Deterministic: the points come from the test's own generator and the plan is checked
        // before any draw (the draw's law is the next test's). Five batches of 6 points; the
        // fourth's two best assignments differ by only 2.2 ε (a draw there takes the best
        // partner with probability 0.75–0.89), the others' by 20–47 ε.
        let device = Device::flex();
        let mut rng = seeded_rng(51);
        let mut points = |mean: f32| -> Vec<f32> {
            (0..12)
                .map(|_| mean + rng.sample::<f32, _>(rand_distr::StandardNormal))
                .collect() // [6, 2]
        };
        let relative_epsilon = 0.002;
        for _ in 0..5 {
            let (a, b) = (points(0.0), points(1.0));
            let cost = |i: usize, j: usize| {
                (a[2 * i] - b[2 * j]).powi(2) + (a[2 * i + 1] - b[2 * j + 1]).powi(2)
            };
            let total =
                |p: &Vec<usize>| p.iter().enumerate().map(|(i, j)| cost(i, *j)).sum::<f32>();
            let mut assignments = permutations(6);
            assignments.sort_by(|p, q| total(p).total_cmp(&total(q)));
            let best = &assignments[0];
            let mean_cost = (0..36).map(|e| cost(e / 6, e % 6)).sum::<f32>() / 36.0;
            // The next-best assignment's extra cost, in units of ε.
            let gap = (total(&assignments[1]) - total(best)) / (relative_epsilon * mean_cost);
            let x0 = Tensor::<2>::from_data(TensorData::new(a.clone(), [6, 2]), &device);
            let x1 = Tensor::<2>::from_data(TensorData::new(b.clone(), [6, 2]), &device);
            let log_plan = entropic_log_plan(x0, x1, relative_epsilon, 5000)
                .into_data()
                .try_into_vec_as::<f32>()
                .unwrap(); // [6, 6]
            for (i, row) in log_plan.chunks_exact(6).enumerate() {
                let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                assert_eq!(
                    row[best[i]], top,
                    "row {i}: its largest entry is not its partner's"
                );
                // The chance that the pairing's Gumbel draw takes row i's partner.
                let mass: Vec<f64> = row.iter().map(|l| f64::from(l - top).exp()).collect();
                let chance = mass[best[i]] / mass.iter().sum::<f64>();
                if gap >= 10.0 {
                    assert!(
                        chance >= 0.99,
                        "row {i}: partner drawn with probability {chance} at a gap of {gap} ε"
                    );
                }
            }
        }
    }

    #[test]
    fn paired_targets_keep_the_data_law_at_the_family_settings() {
        // Batches of 512 (the default) of 8 gaussians paired with N(0, I) noise at the family's
        // own ε and sweeps: each mode's paired targets must have the data's mean and variance.
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(7);
        let modes: Vec<[f32; 2]> = Dataset::EightGaussians
            .mixture()
            .unwrap()
            .components()
            .map(|(_, mu, _)| [mu[0] as f32, mu[1] as f32])
            .collect();
        // Per mode: [count, Σx, Σy, Σ‖x − m‖²] of the data and of the targets.
        let mut data = vec![[0.0f64; 4]; 8];
        let mut targets = vec![[0.0f64; 4]; 8];
        let tally = |stats: &mut Vec<[f64; 4]>, points: &[f32]| {
            for p in points.chunks_exact(2) {
                let (k, d2) = modes
                    .iter()
                    .map(|m| (p[0] - m[0]).powi(2) + (p[1] - m[1]).powi(2))
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap();
                let s = &mut stats[k];
                s[0] += 1.0;
                s[1] += p[0] as f64;
                s[2] += p[1] as f64;
                s[3] += d2 as f64;
            }
        };
        for batch in 0..8 {
            let points = Dataset::EightGaussians.sample(512, &mut seeded_rng(100 + batch));
            let x1 = Tensor::<2>::from_data(TensorData::new(points.clone(), [512, 2]), &device);
            let x0 = Tensor::<2>::random([512, 2], Distribution::Normal(0.0, 1.0), &device);
            let paired = sinkhorn_pairing(x0, x1, OT_EPSILON, OT_ITERATIONS)
                .into_data()
                .try_into_vec_as::<f32>()
                .unwrap();
            tally(&mut data, &points);
            tally(&mut targets, &paired);
        }
        for (k, (d, t)) in data.iter().zip(&targets).enumerate() {
            // About 512 points per mode; the variance's relative sampling error is about
            // √(2/512) ≈ 6 % per side, and draws with replacement add as much again.
            let share = t[0] / d[0];
            assert!(
                (0.85..1.15).contains(&share),
                "mode {k}: {share} of its data"
            );
            let (var_d, var_t) = (d[3] / d[0], t[3] / t[0]);
            let ratio = var_t / var_d;
            assert!((0.8..1.25).contains(&ratio), "mode {k}: variance ×{ratio}");
            for axis in 1..=2 {
                let shift = (t[axis] / t[0] - d[axis] / d[0]).abs();
                assert!(shift < 0.05, "mode {k}: mean moved by {shift}");
            }
        }
    }
}
