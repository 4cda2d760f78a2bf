//! The diffusion process itself, independent of any network: β schedules (hooks), their
//! tables, the closed-form forward noising `q(x_t | x_0)`, and the DDPM and DDIM reverse chains
//! for any noise predictor (tested with the exact one of Gaussian data).

use burn::prelude::*;
use burn::tensor::{Distribution, Int};

use crate::family::NoiseLevel;

/// A noise schedule: `β_1 … β_T` for `T` steps.
pub trait BetaSchedule: Sync {
    /// The variances of the forward steps, each in (0, 1).
    fn betas(&self, steps: usize) -> Vec<f64>;
}

/// `β` linear from `start` to `end` as given for 1 000 steps, rescaled by `1000/T` so that any
/// `T` noises the data as much (Ho et al. 2020; Nichol & Dhariwal 2021).
pub struct LinearSchedule {
    /// β_1 at T = 1 000.
    pub start: f64,
    /// β_T at T = 1 000.
    pub end: f64,
}

/// `ᾱ_t = f(t)/f(0)`, `f(t) = cos²(((t/T + s)/(1 + s))·π/2)`, with `β_t = 1 − ᾱ_t/ᾱ_{t−1}` clipped
/// at 0.999 (Nichol & Dhariwal 2021).
pub struct CosineSchedule {
    /// The offset `s` (0.008).
    pub offset: f64,
}

impl BetaSchedule for LinearSchedule {
    fn betas(&self, steps: usize) -> Vec<f64> {
        let scale = 1000.0 / steps as f64;
        let (start, end) = (self.start * scale, (self.end * scale).min(0.999));
        (0..steps)
            .map(|i| start + (end - start) * i as f64 / (steps - 1).max(1) as f64)
            .collect()
    }
}

impl CosineSchedule {
    /// `f(t)/f(0)` at `t` steps of `steps`.
    pub fn alpha_bar(&self, t: usize, steps: usize) -> f64 {
        let f = |t: f64| {
            (((t / steps as f64 + self.offset) / (1.0 + self.offset)) * std::f64::consts::FRAC_PI_2)
                .cos()
                .powi(2)
        };
        f(t as f64) / f(0.0)
    }
}

impl BetaSchedule for CosineSchedule {
    fn betas(&self, steps: usize) -> Vec<f64> {
        (1..=steps)
            .map(|t| {
                (1.0 - self.alpha_bar(t, steps) / self.alpha_bar(t - 1, steps)).clamp(1e-8, 0.999)
            })
            .collect()
    }
}

/// The schedule's tables: `β_t` and `ᾱ_t` for `t = 1 … T` (index `t − 1`).
#[derive(Clone, Debug)]
pub struct DiffusionTables {
    /// `β_t`.
    pub betas: Vec<f64>,
    /// `ᾱ_t = Π_{s≤t}(1 − β_s)`.
    pub alpha_bars: Vec<f64>,
}

impl DiffusionTables {
    /// The tables of `schedule` with `steps` steps.
    pub fn new(schedule: &dyn BetaSchedule, steps: usize) -> Self {
        let betas = schedule.betas(steps);
        let alpha_bars = betas
            .iter()
            .scan(1.0, |product, beta| {
                *product *= 1.0 - beta;
                Some(*product)
            })
            .collect();
        Self { betas, alpha_bars }
    }

    /// T.
    pub fn steps(&self) -> usize {
        self.betas.len()
    }

    /// `ᾱ_t`, with `ᾱ_0 = 1`.
    pub fn alpha_bar(&self, t: usize) -> f64 {
        if t == 0 { 1.0 } else { self.alpha_bars[t - 1] }
    }

    /// The step whose `t/T` is nearest `fraction ∈ [0, 1]`.
    pub fn step_at(&self, fraction: f32) -> usize {
        (fraction.clamp(0.0, 1.0) * self.steps() as f32).round() as usize
    }

    /// The law of `x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε`.
    pub fn noise_level(&self, t: usize) -> NoiseLevel {
        let alpha_bar = self.alpha_bar(t);
        NoiseLevel {
            t: t as f32 / self.steps() as f32,
            scale: alpha_bar.sqrt() as f32,
            sigma: (1.0 - alpha_bar).sqrt() as f32,
        }
    }
}

/// `√ᾱ_t x_0 + √(1 − ᾱ_t) ε` for per-row steps `t: [n]` (1-based) and noise `ε: [n, dim]`.
pub fn noised(
    tables_alpha_bar: &Tensor<1>,
    x0: Tensor<2>,
    t: Tensor<1, Int>,
    eps: Tensor<2>,
) -> Tensor<2> {
    let n = x0.dims()[0];
    let alpha_bar = tables_alpha_bar.clone().select(0, t - 1).reshape([n, 1]); // [n, 1]
    x0 * alpha_bar.clone().sqrt() + eps * (alpha_bar.neg() + 1.0).sqrt()
}

/// One ε-prediction example per row of `x0: [n, dim]`: a step `t` uniform on `1 … T`
/// (`alpha_bars: [T]`), noise `ε ~ N(0, I)` and `x_t` ([`noised`]); returns
/// `(x_t [n, dim], t/T [n, 1], ε [n, dim])`.
pub fn noising_examples(
    alpha_bars: &Tensor<1>,
    x0: Tensor<2>,
) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
    let [n, dim] = x0.dims();
    let big_t = alpha_bars.dims()[0];
    let device = x0.device();
    let t = Tensor::<1>::random([n], Distribution::Uniform(1.0, big_t as f64 + 1.0), &device)
        .int()
        .clamp(1, big_t as i64); // [n], 1-based
    let eps = Tensor::random([n, dim], Distribution::Normal(0.0, 1.0), &device);
    let xt = noised(alpha_bars, x0, t.clone(), eps.clone());
    let time = t.float().reshape([n, 1]) / big_t as f32; // [n, 1]
    (xt, time, eps)
}

/// Ancestral DDPM sampling from `x_T: [n, dim]` with noise predictor `eps(x, t)`: the chain
/// `x_T, x_{T−1}, …, x_0`, each step `x_{t−1} = (x_t − β_t/√(1 − ᾱ_t) ε)/√(1 − β_t) + σ_t z`,
/// `σ_t² = β̃_t = β_t (1 − ᾱ_{t−1})/(1 − ᾱ_t)`.
pub fn ddpm_chain(
    x: Tensor<2>,
    tables: &DiffusionTables,
    eps: impl Fn(Tensor<2>, usize) -> Tensor<2>,
) -> Vec<Tensor<2>> {
    let mut chain = vec![x];
    for t in (1..=tables.steps()).rev() {
        let x = chain.last().expect("x_T").clone();
        let (beta, alpha_bar) = (tables.betas[t - 1], tables.alpha_bar(t));
        let mean = (x.clone() - eps(x.clone(), t) * (beta / (1.0 - alpha_bar).sqrt()) as f32)
            / ((1.0 - beta).sqrt() as f32);
        let next = if t > 1 {
            let sigma = (beta * (1.0 - tables.alpha_bar(t - 1)) / (1.0 - alpha_bar)).sqrt() as f32;
            mean + Tensor::random(x.dims(), Distribution::Normal(0.0, 1.0), &x.device()) * sigma
        } else {
            mean
        };
        chain.push(next);
    }
    chain
}

/// DDIM sampling on `steps` evenly spaced steps from `x_T`: the chain of visited states.
/// `x̂_0 = (x_t − √(1 − ᾱ_t) ε)/√ᾱ_t`, `x_s = √ᾱ_s x̂_0 + √(1 − ᾱ_s − σ²) ε + σ z` with
/// `σ = η √((1 − ᾱ_s)/(1 − ᾱ_t)) √(1 − ᾱ_t/ᾱ_s)`.
pub fn ddim_chain(
    x: Tensor<2>,
    tables: &DiffusionTables,
    steps: usize,
    eta: f32,
    eps: impl Fn(Tensor<2>, usize) -> Tensor<2>,
) -> Vec<Tensor<2>> {
    let big_t = tables.steps();
    let times: Vec<usize> = (0..=steps)
        .map(|i| (i * big_t + steps / 2) / steps)
        .collect();
    let mut chain = vec![x];
    for pair in times.windows(2).rev() {
        let (s, t) = (pair[0], pair[1]);
        let x = chain.last().expect("x_T").clone();
        let (at, as_) = (tables.alpha_bar(t), tables.alpha_bar(s));
        let e = eps(x.clone(), t);
        let x0 = (x.clone() - e.clone() * (1.0 - at).sqrt() as f32) / (at.sqrt() as f32);
        let sigma =
            eta as f64 * ((1.0 - as_) / (1.0 - at)).sqrt() * (1.0 - at / as_).max(0.0).sqrt();
        let direction = (1.0 - as_ - sigma * sigma).max(0.0).sqrt();
        let mut next = x0 * as_.sqrt() as f32 + e * direction as f32;
        if sigma > 0.0 {
            next = next
                + Tensor::random(x.dims(), Distribution::Normal(0.0, 1.0), &x.device())
                    * sigma as f32;
        }
        chain.push(next);
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    /// Mean and variance per coordinate of `[n, 2]` points.
    fn moments(x: Tensor<2>) -> ([f32; 2], [f32; 2]) {
        let (m, v) = (values(x.clone().mean_dim(0)), values(x.var(0)));
        ([m[0], m[1]], [v[0], v[1]])
    }

    #[test]
    fn the_schedules_alpha_bar_is_monotone_and_matches_its_formula() {
        for steps in [10, 100, 1000] {
            let linear = DiffusionTables::new(
                &LinearSchedule {
                    start: 1e-4,
                    end: 0.02,
                },
                steps,
            );
            let cosine = DiffusionTables::new(&CosineSchedule { offset: 0.008 }, steps);
            for tables in [&linear, &cosine] {
                assert!(
                    tables.alpha_bars.windows(2).all(|w| w[1] < w[0]),
                    "ᾱ must decrease"
                );
                assert!(tables.alpha_bars.iter().all(|a| (0.0..1.0).contains(a)));
            }
            // Linear (T ≥ 100, where no β reaches the 0.999 clip):
            // β_t = (1000/T)(β₁ + (β_T − β₁)(t − 1)/(T − 1)), ᾱ_t = Π(1 − β_s).
            let t = steps / 2;
            let scale = 1000.0 / steps as f64;
            let product: f64 = (1..=t)
                .map(|s| 1.0 - scale * (1e-4 + (0.02 - 1e-4) * (s - 1) as f64 / (steps - 1) as f64))
                .product();
            if steps >= 100 {
                assert!((linear.alpha_bar(t) - product).abs() < 1e-12, "T = {steps}");
            }
            // Cosine: ᾱ_t = f(t)/f(0) wherever the clip at 0.999 is not reached.
            let s = 0.008;
            let f = |t: f64| {
                (((t / steps as f64 + s) / (1.0 + s)) * std::f64::consts::FRAC_PI_2)
                    .cos()
                    .powi(2)
            };
            assert!((cosine.alpha_bar(t) - f(t as f64) / f(0.0)).abs() < 1e-9);
        }
    }

    #[test]
    fn forward_noising_has_the_closed_form_mean_and_variance() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(21);
        let tables = DiffusionTables::new(
            &LinearSchedule {
                start: 1e-4,
                end: 0.02,
            },
            100,
        );
        let alpha_bars: Vec<f32> = tables.alpha_bars.iter().map(|a| *a as f32).collect();
        let alpha_bars = Tensor::<1>::from_floats(alpha_bars.as_slice(), &device);
        let n = 20_000;
        let x0 = Tensor::<2>::from_data(TensorData::new([1.5f32, -2.0].repeat(n), [n, 2]), &device);
        for t in [1usize, 20, 60, 100] {
            let steps = Tensor::<1, Int>::full([n], t as i64, &device);
            let eps = Tensor::random([n, 2], Distribution::Normal(0.0, 1.0), &device);
            let (mean, var) = moments(noised(&alpha_bars, x0.clone(), steps, eps));
            let a = tables.alpha_bar(t) as f32;
            for (d, x) in [1.5f32, -2.0].iter().enumerate() {
                assert!(
                    (mean[d] - a.sqrt() * x).abs() < 0.03,
                    "t = {t}: mean {mean:?}"
                );
                assert!(
                    (var[d] / (1.0 - a) - 1.0).abs() < 0.05,
                    "t = {t}: variance {var:?}"
                );
            }
        }
    }

    /// `E[ε | x_t]` for data `N(μ, s²I)`: `√(1 − ᾱ)(x − √ᾱ μ)/(ᾱ s² + 1 − ᾱ)`.
    fn exact_noise(
        tables: &DiffusionTables,
        mu: [f32; 2],
        s: f32,
    ) -> impl Fn(Tensor<2>, usize) -> Tensor<2> + '_ {
        move |x: Tensor<2>, t: usize| {
            let a = tables.alpha_bar(t) as f32;
            let centre =
                Tensor::<1>::from_floats([a.sqrt() * mu[0], a.sqrt() * mu[1]], &x.device())
                    .unsqueeze::<2>();
            (x - centre) * ((1.0 - a).sqrt() / (a * s * s + 1.0 - a))
        }
    }

    #[test]
    fn ddpm_with_the_exact_noise_reproduces_a_gaussian() {
        // Measured: mean within 0.01, variance within 2 % of N((2, −1), 0.5²I) at T = 1000.
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(22);
        let tables = DiffusionTables::new(
            &LinearSchedule {
                start: 1e-4,
                end: 0.02,
            },
            1000,
        );
        let (mu, s) = ([2.0f32, -1.0], 0.5f32);
        let noise = Tensor::random([4000, 2], Distribution::Normal(0.0, 1.0), &device);
        let (mean, var) = moments(
            ddpm_chain(noise, &tables, exact_noise(&tables, mu, s))
                .pop()
                .unwrap(),
        );
        for d in 0..2 {
            assert!((mean[d] - mu[d]).abs() < 0.05, "mean {mean:?}");
            assert!((var[d] / (s * s) - 1.0).abs() < 0.1, "variance {var:?}");
        }
    }

    #[test]
    fn deterministic_ddim_maps_noise_to_the_right_gaussian_and_repeats_itself() {
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(23);
        let tables = DiffusionTables::new(&CosineSchedule { offset: 0.008 }, 1000);
        let (mu, s) = ([-1.0f32, 0.5], 0.7f32);
        let noise = Tensor::<2>::random([4000, 2], Distribution::Normal(0.0, 1.0), &device);
        let once = ddim_chain(noise.clone(), &tables, 50, 0.0, exact_noise(&tables, mu, s))
            .pop()
            .unwrap();
        let again = ddim_chain(noise, &tables, 50, 0.0, exact_noise(&tables, mu, s))
            .pop()
            .unwrap();
        assert_eq!(
            values(once.clone()),
            values(again),
            "η = 0 must be deterministic"
        );
        let (mean, var) = moments(once);
        for d in 0..2 {
            assert!((mean[d] - mu[d]).abs() < 0.05, "mean {mean:?}");
            assert!((var[d] / (s * s) - 1.0).abs() < 0.1, "variance {var:?}");
        }
    }
}
