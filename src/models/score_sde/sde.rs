//! The forward SDEs (hooks: variance preserving, variance exploding) and what runs on any
//! score: the reverse SDE and probability-flow paths, and the exact probability-flow likelihood.

use burn::prelude::*;
use burn::tensor::Distribution;

use crate::models::math::{LOG_TWO_PI, input_gradient};

/// Smallest time used: the score is singular at t = 0.
pub const T_MIN: f32 = 1e-3;

/// A forward SDE with linear drift `f(x, t) = a(t)·x`.
pub trait Sde: Send + Sync {
    /// `(m(t), σ(t))` with `x_t | x_0 ~ N(m x_0, σ² I)`.
    fn marginal(&self, t: f32) -> (f32, f32);
    /// `a(t)` in `f(x, t) = a(t)·x`.
    fn drift_rate(&self, t: f32) -> f32;
    /// `g(t)²`.
    fn diffusion_squared(&self, t: f32) -> f32;
    /// `(m(t), σ(t))` for a column of times `t: [n, 1]`, on the device.
    fn marginal_tensor(&self, t: Tensor<2>) -> (Tensor<2>, Tensor<2>);
}

/// Variance preserving: `dx = −½β(t)x dt + √β(t) dW`, `β(t) = β_min + t(β_max − β_min)`, so
/// `m = exp(−½∫₀ᵗβ)` and `σ² = 1 − m²`; the prior is `N(0, I)`.
pub struct VpSde {
    /// β(0).
    pub beta_min: f32,
    /// β(1).
    pub beta_max: f32,
}

/// Variance exploding: `dx = √(dσ²/dt) dW` with `σ(t) = σ_min (σ_max/σ_min)^t`, so `m = 1` and
/// the added variance is `σ(t)² − σ_min²`; the prior is `N(0, (σ_max² − σ_min²) I)`.
pub struct VeSde {
    /// σ(0).
    pub sigma_min: f32,
    /// σ(1).
    pub sigma_max: f32,
}

impl Sde for VpSde {
    fn marginal(&self, t: f32) -> (f32, f32) {
        let integral = self.beta_min * t + 0.5 * t * t * (self.beta_max - self.beta_min);
        let m = (-0.5 * integral).exp();
        (m, (1.0 - m * m).max(0.0).sqrt())
    }
    fn drift_rate(&self, t: f32) -> f32 {
        -0.5 * (self.beta_min + t * (self.beta_max - self.beta_min))
    }
    fn diffusion_squared(&self, t: f32) -> f32 {
        self.beta_min + t * (self.beta_max - self.beta_min)
    }
    fn marginal_tensor(&self, t: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let integral =
            t.clone() * self.beta_min + t.powi_scalar(2) * (0.5 * (self.beta_max - self.beta_min));
        let m = (integral * -0.5).exp();
        (
            m.clone(),
            (m.powi_scalar(2).neg() + 1.0).clamp_min(0.0).sqrt(),
        )
    }
}

impl VeSde {
    fn sigma(&self, t: f32) -> f32 {
        self.sigma_min * (self.sigma_max / self.sigma_min).powf(t)
    }
}

impl Sde for VeSde {
    fn marginal(&self, t: f32) -> (f32, f32) {
        (
            1.0,
            (self.sigma(t).powi(2) - self.sigma_min.powi(2))
                .max(0.0)
                .sqrt(),
        )
    }
    fn drift_rate(&self, _t: f32) -> f32 {
        0.0
    }
    fn diffusion_squared(&self, t: f32) -> f32 {
        2.0 * self.sigma(t).powi(2) * (self.sigma_max / self.sigma_min).ln()
    }
    fn marginal_tensor(&self, t: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let log_ratio = (self.sigma_max / self.sigma_min).ln();
        let variance = (t.clone() * (2.0 * log_ratio) + 2.0 * self.sigma_min.ln()).exp()
            - self.sigma_min.powi(2);
        (t.ones_like(), variance.clamp_min(0.0).sqrt())
    }
}

/// `log N(x; 0, std² I)` per row, `[n, 2]` → `[n]`.
fn prior_log_density(x: Tensor<2>, std: f32) -> Tensor<1> {
    let d = x.dims()[1] as f32;
    (x.powi_scalar(2).sum_dim(1) * (-0.5 / (std * std)) - d * (std.ln() + 0.5 * LOG_TWO_PI))
        .squeeze_dim(1)
}

/// The probability-flow velocity `f − ½g²s` for a score `s(x, t)`.
fn flow_velocity<'a>(
    sde: &'a dyn Sde,
    score: &'a impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> impl Fn(Tensor<2>, f32) -> Tensor<2> + 'a {
    move |x: Tensor<2>, t: f32| {
        x.clone() * sde.drift_rate(t) - score(x, t) * (0.5 * sde.diffusion_squared(t))
    }
}

/// The exact divergence of `v` at `x: [n, 2]` (one input gradient per coordinate), `[n]`.
fn divergence(x: Tensor<2>, t: f32, v: &impl Fn(Tensor<2>, f32) -> Tensor<2>) -> Tensor<1> {
    let [n, dim] = x.dims();
    (0..dim)
        .map(|i| input_gradient(x.clone(), |x| v(x, t).narrow(1, i, 1)).narrow(1, i, 1))
        .reduce(|a, b| a + b)
        .expect("dim ≥ 1")
        .reshape([n])
}

/// `log p_0(x)` by the probability-flow ODE from `T_MIN` to 1 (midpoint rule, `steps` steps):
/// the prior's log-density at the end plus the integrated divergence. `score` must accept
/// autodiff inputs.
pub fn probability_flow_log_likelihood(
    x: Tensor<2>,
    sde: &dyn Sde,
    prior_std: f32,
    steps: usize,
    score: impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> Tensor<1> {
    let v = flow_velocity(sde, &score);
    let h = (1.0 - T_MIN) / steps as f32;
    let mut integral = Tensor::<1>::zeros([x.dims()[0]], &x.device());
    let mut x = x;
    for i in 0..steps {
        let t = T_MIN + i as f32 * h;
        let half = x.clone() + v(x.clone(), t).without_autodiff() * (h / 2.0);
        integral = integral + divergence(half.clone(), t + h / 2.0, &v) * h;
        x = x + v(half, t + h / 2.0).without_autodiff() * h;
    }
    prior_log_density(x, prior_std) + integral
}

/// Euler–Maruyama on the reverse SDE from `x` at t = 1 down to `T_MIN` in `steps` steps: the
/// state every `steps / stages` steps (`stages + 1` tensors, the start first).
pub fn reverse_sde_path(
    x: Tensor<2>,
    sde: &dyn Sde,
    steps: usize,
    stages: usize,
    score: impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> Vec<Tensor<2>> {
    let h = (1.0 - T_MIN) / steps as f32;
    let mut path = vec![x];
    let mut x = path[0].clone();
    for i in 0..steps {
        let t = 1.0 - i as f32 * h;
        let g2 = sde.diffusion_squared(t);
        let drift = x.clone() * sde.drift_rate(t) - score(x.clone(), t) * g2;
        let z = Tensor::random(x.dims(), Distribution::Normal(0.0, 1.0), &x.device());
        x = x - drift * h + z * (g2 * h).sqrt();
        if (i + 1) * stages % steps < stages {
            path.push(x.clone());
        }
    }
    path
}

/// The probability-flow ODE from `x` at t = 1 down to `T_MIN` (midpoint, `steps` steps): the
/// state every `steps / stages` steps.
pub fn probability_flow_path(
    x: Tensor<2>,
    sde: &dyn Sde,
    steps: usize,
    stages: usize,
    score: impl Fn(Tensor<2>, f32) -> Tensor<2>,
) -> Vec<Tensor<2>> {
    let v = flow_velocity(sde, &score);
    let h = -(1.0 - T_MIN) / steps as f32;
    let mut path = vec![x];
    let mut x = path[0].clone();
    for i in 0..steps {
        let t = 1.0 + i as f32 * h;
        let half = x.clone() + v(x.clone(), t) * (h / 2.0);
        x = x + v(half, t + h / 2.0) * h;
        if (i + 1) * stages % steps < stages {
            path.push(x.clone());
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    /// Euler–Maruyama on the forward SDE from the point `x0` for 20 000 paths: mean and
    /// variance of the first coordinate at `t`.
    fn simulate(sde: &dyn Sde, x0: f32, t: f32) -> (f32, f32) {
        let device = Device::flex();
        let steps = 400;
        let h = t / steps as f32;
        let mut x = Tensor::<2>::full([20_000, 1], x0, &device);
        for i in 0..steps {
            let s = i as f32 * h;
            let z = Tensor::random(x.dims(), Distribution::Normal(0.0, 1.0), &device);
            x = x.clone() + x * (sde.drift_rate(s) * h) + z * (sde.diffusion_squared(s) * h).sqrt();
        }
        (values(x.clone().mean())[0], values(x.var(0))[0])
    }

    #[test]
    fn vp_and_ve_marginals_match_their_formulas() {
        let _rng = crate::session::device_rng();
        Device::flex().seed(41);
        let vp = VpSde {
            beta_min: 0.1,
            beta_max: 20.0,
        };
        let ve = VeSde {
            sigma_min: 0.01,
            sigma_max: 5.0,
        };
        for (sde, t) in [
            (&vp as &dyn Sde, 0.2f32),
            (&vp, 0.6),
            (&ve, 0.5),
            (&ve, 0.9),
        ] {
            let (m, std) = sde.marginal(t);
            let (mean, var) = simulate(sde, 1.5, t);
            assert!(
                (mean - 1.5 * m).abs() < 0.03 * (1.0 + std),
                "t = {t}: mean {mean} vs {}",
                1.5 * m
            );
            assert!(
                (var / (std * std) - 1.0).abs() < 0.05,
                "t = {t}: variance {var} vs {}",
                std * std
            );
            let (mt, st) = sde.marginal_tensor(Tensor::full([1, 1], t, &Device::flex()));
            assert!((values(mt)[0] - m).abs() < 1e-5 && (values(st)[0] - std).abs() < 1e-4);
        }
    }

    #[test]
    fn the_probability_flow_likelihood_of_gaussian_data_with_the_exact_score_is_exact() {
        // Data N(μ, s²I) under VP: p_t = N(mμ, (m²s² + σ²)I), score −(x − mμ)/(m²s² + σ²).
        let device = Device::flex();
        let sde = VpSde {
            beta_min: 0.1,
            beta_max: 20.0,
        };
        let (mu, s) = ([1.0f32, -0.5], 0.6f32);
        let score = |x: Tensor<2>, t: f32| {
            let (m, std) = sde.marginal(t);
            let centre =
                Tensor::<1>::from_floats([m * mu[0], m * mu[1]], &x.device()).unsqueeze::<2>();
            (x - centre) / -(m * m * s * s + std * std)
        };
        let points = vec![1.0f32, -0.5, 0.2, 0.3, 1.8, -1.2, 2.5, 0.5];
        let x = Tensor::<2>::from_data(TensorData::new(points.clone(), [4, 2]), &device);
        let got = values(probability_flow_log_likelihood(x, &sde, 1.0, 200, score));
        for (k, p) in points.chunks(2).enumerate() {
            let q = ((p[0] - mu[0]).powi(2) + (p[1] - mu[1]).powi(2)) / (s * s);
            let exact = -0.5 * q - 2.0 * s.ln() - LOG_TWO_PI;
            assert!(
                (got[k] - exact).abs() < 0.02,
                "point {k}: {} vs {exact}",
                got[k]
            );
        }
    }
}
