//! The variational bound of a diffusion model (Ho et al. 2020, eq. 5), in its ε form:
//! `log p(x₀) ≥ −L_T − Σ_{t=2}^T L_{t−1} − L_0` with
//! - `L_T = KL(q(x_T|x₀) ‖ N(0, I)) = ½ Σ_d (ᾱ_T x₀² + 1 − ᾱ_T − 1 − ln(1 − ᾱ_T))`;
//! - `L_{t−1} = KL(q(x_{t−1}|x_t, x₀) ‖ p_θ(x_{t−1}|x_t))`: two Gaussians of variance
//!   `β̃_t = β_t(1 − ᾱ_{t−1})/(1 − ᾱ_t)` whose means differ by `β_t/(√(1 − β_t)√(1 − ᾱ_t))·(ε_θ − ε)`,
//!   so `L_{t−1} = β_t/(2(1 − β_t)(1 − ᾱ_{t−1}))·‖ε − ε_θ(x_t, t)‖²`, `x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε`;
//! - `L_0 = −log N(x₀; μ_θ(x₁, 1), β₁ I) = ½ (D ln(2π β₁) + ‖ε − ε_θ(x₁, 1)‖²/(1 − β₁))`: a
//!   Gaussian decoder of variance β₁ (the density of continuous, e.g. dequantised, data).
//!
//! Every step `t` is summed (no sampling of `t`), one fresh `ε` per step: a stochastic lower
//! bound whose expectation over `ε` is the bound itself.

use burn::prelude::*;
use burn::tensor::Distribution;

use super::DiffusionTables;

/// The variational lower bound of `log p(x₀)` for each row of `x0: [n, dim]`, `[n]`, with noise
/// predictor `eps(x_t, t)`.
pub fn variational_bound(
    x0: Tensor<2>,
    tables: &DiffusionTables,
    eps: impl Fn(Tensor<2>, usize) -> Tensor<2>,
) -> Tensor<1> {
    let [n, dim] = x0.dims();
    let device = x0.device();
    let big_t = tables.steps();
    let a_big_t = tables.alpha_bar(big_t);
    let prior = (x0.clone().powi_scalar(2) * a_big_t as f32)
        .sum_dim(1)
        .add_scalar(dim as f64 * (-a_big_t - (1.0 - a_big_t).ln()))
        * 0.5; // [n, 1]
    let mut loss = prior;
    for t in 1..=big_t {
        let a = tables.alpha_bar(t);
        let noise = Tensor::<2>::random([n, dim], Distribution::Normal(0.0, 1.0), &device);
        let xt = x0.clone() * a.sqrt() as f32 + noise.clone() * (1.0 - a).sqrt() as f32;
        let error = (noise - eps(xt, t)).powi_scalar(2).sum_dim(1); // [n, 1]
        let beta = tables.betas[t - 1];
        loss = loss
            + if t == 1 {
                (error / (1.0 - beta) as f32)
                    .add_scalar(dim as f64 * (2.0 * std::f64::consts::PI * beta).ln())
                    * 0.5
            } else {
                error * (beta / (2.0 * (1.0 - beta) * (1.0 - tables.alpha_bar(t - 1)))) as f32
            };
    }
    loss.neg().squeeze_dim(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::diffusion::{CosineSchedule, LinearSchedule};
    use burn::tensor::TensorData;

    fn mean(t: Tensor<1>) -> f64 {
        let v = t.into_data().try_into_vec_as::<f32>().unwrap();
        v.iter().map(|x| *x as f64).sum::<f64>() / v.len() as f64
    }

    /// `E[ε | x_t]` for data `N(0, s²I)`: `√(1 − ᾱ) x/(ᾱ s² + 1 − ᾱ)`.
    fn exact_noise(
        tables: &DiffusionTables,
        s: f32,
    ) -> impl Fn(Tensor<2>, usize) -> Tensor<2> + '_ {
        move |x: Tensor<2>, t: usize| {
            let a = tables.alpha_bar(t) as f32;
            x * ((1.0 - a).sqrt() / (a * s * s + 1.0 - a))
        }
    }

    /// `E_{x₀, ε}` of the bound for data `N(0, s²I)` in `dim` dimensions with the exact noise
    /// predictor, in closed form: with `v_t = ᾱ_t s² + 1 − ᾱ_t`, the residual `ε − E[ε|x_t]`
    /// has variance `1 − (1 − ᾱ_t)/v_t` per coordinate.
    fn expected_bound(tables: &DiffusionTables, s: f64, dim: usize) -> f64 {
        let d = dim as f64;
        let big_t = tables.steps();
        let a_big_t = tables.alpha_bar(big_t);
        let residual = |t: usize| {
            let a = tables.alpha_bar(t);
            1.0 - (1.0 - a) / (a * s * s + 1.0 - a)
        };
        let beta1 = tables.betas[0];
        let mut loss = 0.5 * d * (a_big_t * s * s - a_big_t - (1.0 - a_big_t).ln());
        loss += 0.5 * d * ((2.0 * std::f64::consts::PI * beta1).ln() + residual(1) / (1.0 - beta1));
        for t in 2..=big_t {
            let beta = tables.betas[t - 1];
            loss += beta / (2.0 * (1.0 - beta) * (1.0 - tables.alpha_bar(t - 1))) * d * residual(t);
        }
        -loss
    }

    #[test]
    fn with_the_exact_noise_the_bound_matches_its_closed_form_below_log_p() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(31);
        let (n, dim, s) = (40_000, 2, 0.5f64);
        let x0 = Tensor::<2>::random([n, dim], Distribution::Normal(0.0, s), &device);
        // E log N(x; 0, s²I) = −½ D (ln 2πs² + 1).
        let log_p = -0.5 * dim as f64 * ((2.0 * std::f64::consts::PI * s * s).ln() + 1.0);
        for tables in [
            DiffusionTables::new(
                &LinearSchedule {
                    start: 1e-4,
                    end: 0.02,
                },
                1000,
            ),
            DiffusionTables::new(&CosineSchedule { offset: 0.008 }, 200),
        ] {
            let expected = expected_bound(&tables, s, dim);
            let bound = mean(variational_bound(
                x0.clone(),
                &tables,
                exact_noise(&tables, s as f32),
            ));
            eprintln!("E log p = {log_p:.4}, E bound = {expected:.4}, Monte Carlo {bound:.4}");
            assert!(expected < log_p, "a bound: {expected} vs {log_p}");
            // Monte Carlo error of a mean over 40 000 points (the device generator is shared with
            // other tests, so the points vary from run to run): measured within 0.02.
            assert!((bound - expected).abs() < 0.04, "{bound} vs {expected}");
            let wrong = mean(variational_bound(x0.clone(), &tables, |x, _| {
                x.zeros_like()
            }));
            assert!(
                wrong < bound - 1.0,
                "predicting ε = 0 must cost: {wrong} vs {bound}"
            );
        }
    }

    #[test]
    fn the_prior_term_is_the_closed_form_kl() {
        // With a perfect ε predictor every L_{t−1} vanishes and L_0 = ½ D ln(2πβ₁) is left.
        let device = Device::flex();
        let tables = DiffusionTables::new(
            &LinearSchedule {
                start: 1e-4,
                end: 0.02,
            },
            10,
        );
        let x0 = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, -2.0], [1, 2]), &device);
        let (x, known) = (x0.clone(), tables.clone());
        let oracle = move |xt: Tensor<2>, t: usize| {
            let a = known.alpha_bar(t);
            (xt - x.clone() * a.sqrt() as f32) / (1.0 - a).sqrt() as f32
        };
        let a = tables.alpha_bar(10);
        let beta1 = tables.betas[0];
        let kl = 0.5 * (a * 5.0 + 2.0 * (1.0 - a - 1.0 - (1.0 - a).ln()));
        let expected = -(kl + (2.0 * std::f64::consts::PI * beta1).ln());
        let got = mean(variational_bound(x0, &tables, oracle));
        assert!((got - expected).abs() < 1e-3, "{got} vs {expected}");
    }
}
