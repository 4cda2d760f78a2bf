//! Minibatch optimal-transport couplings for flow matching (OT-CFM; Tong et al. 2024, Pooladian
//! et al. 2023), computed on the device: an entropic plan by log-domain Sinkhorn between the
//! noise and the data of a batch, rounded to one data point per noise point by the row argmax.
//! At a small ε the rounded plan is the optimal assignment (tested against brute force).

use burn::prelude::*;

use crate::models::math::log_sum_exp;

/// `‖aᵢ − bⱼ‖²` for `a: [n, d]`, `b: [m, d]` → `[n, m]`.
pub fn squared_distances(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let a2 = a.clone().powi_scalar(2).sum_dim(1); // [n, 1]
    let b2 = b.clone().powi_scalar(2).sum_dim(1).transpose(); // [1, m]
    (a2 + b2 - a.matmul(b.transpose()) * 2.0).clamp_min(0.0)
}

/// `x1` reordered so that row `i` is the data point the entropic OT plan between `x0` and `x1`
/// (uniform weights, cost ‖x₀ − x₁‖², ε = `epsilon` × the mean cost, `iterations` Sinkhorn
/// sweeps) sends `x0[i]` to most: `[n, d]`.
pub fn sinkhorn_pairing(
    x0: Tensor<2>,
    x1: Tensor<2>,
    epsilon: f32,
    iterations: usize,
) -> Tensor<2> {
    let n = x0.dims()[0];
    let cost = squared_distances(x0, x1.clone()); // [n, n]
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
    let partner = (kernel + u + v).argmax(1).reshape([n]); // [n]
    x1.select(0, partner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

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
    fn the_sinkhorn_pairing_is_the_brute_force_optimal_assignment() {
        let device = Device::flex();
        device.seed(51);
        for _ in 0..5 {
            let x0 = Tensor::<2>::random([6, 2], Distribution::Normal(0.0, 1.0), &device);
            let x1 = Tensor::<2>::random([6, 2], Distribution::Normal(1.0, 1.0), &device);
            let a = x0.clone().into_data().try_into_vec_as::<f32>().unwrap();
            let b = x1.clone().into_data().try_into_vec_as::<f32>().unwrap();
            let cost = |i: usize, j: usize| {
                (a[2 * i] - b[2 * j]).powi(2) + (a[2 * i + 1] - b[2 * j + 1]).powi(2)
            };
            let best = permutations(6)
                .into_iter()
                .min_by(|p, q| {
                    let total = |p: &Vec<usize>| {
                        p.iter().enumerate().map(|(i, j)| cost(i, *j)).sum::<f32>()
                    };
                    total(p).total_cmp(&total(q))
                })
                .unwrap();
            let paired = sinkhorn_pairing(x0, x1, 0.01, 500)
                .into_data()
                .try_into_vec_as::<f32>()
                .unwrap();
            for (i, j) in best.iter().enumerate() {
                assert_eq!(
                    [paired[2 * i], paired[2 * i + 1]],
                    [b[2 * j], b[2 * j + 1]],
                    "point {i}"
                );
            }
        }
    }
}
