//! Small tensor functions the families share: log-sum-exp, Gaussian log-densities, input
//! gradients, Langevin dynamics and one optimizer step.

use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::Distribution;

/// One optimizer step of `module` down the gradient of `loss` (a `[1]` tensor on the autodiff
/// graph of `module`): the updated module.
pub fn descend<M: Module>(
    optim: &mut ModuleOptimizer,
    learning_rate: f64,
    module: M,
    loss: &Tensor<1>,
) -> M {
    let grads = GradientsParams::from_grads(loss.backward(), &module);
    optim.step(learning_rate, module, grads)
}

/// `tanh(x)`, exact in f32 on every backend: WGSL's `tanh` may return NaN once `exp(2x)`
/// overflows (gpuweb/gpuweb#4458; cubecl-wgpu 0.11 guards it on macOS builds only, never in
/// wasm), so the argument is clamped to `±SATURATION` first, where f32 `tanh` already rounds to
/// `±1` and its slope is below 1e-8.
pub fn saturating_tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    x.clamp(-SATURATION, SATURATION).tanh()
}

/// `|x|` beyond which f32 `tanh(x)` rounds to `±1`.
const SATURATION: f32 = 10.0;

/// `log(2π)`.
pub const LOG_TWO_PI: f32 = 1.837_877_1;

/// `log Σ_j exp(x_ij)` along `dim`, stable: `m + log Σ exp(x − m)` with `m` the maximum.
/// `[.., k, ..]` → `[.., 1, ..]`.
pub fn log_sum_exp<const D: usize>(x: Tensor<D>, dim: usize) -> Tensor<D> {
    let max = x.clone().max_dim(dim).detach(); // [.., 1, ..]
    (x - max.clone()).exp().sum_dim(dim).log() + max
}

/// `log N(x; μ, diag(exp(log_var)))` summed over the last axis: `[n, d]` → `[n]`.
pub fn diagonal_gaussian_log_density(
    x: Tensor<2>,
    mean: Tensor<2>,
    log_var: Tensor<2>,
) -> Tensor<1> {
    let d = x.dims()[1] as f32;
    let z2 = (x - mean).powi_scalar(2) / log_var.clone().exp(); // [n, d]
    ((z2 + log_var).sum_dim(1) * -0.5 - 0.5 * d * LOG_TWO_PI).squeeze_dim(1)
}

/// `log N(x; 0, I)` per row: `[n, d]` → `[n]`.
pub fn standard_normal_log_density(x: Tensor<2>) -> Tensor<1> {
    let d = x.dims()[1] as f32;
    (x.powi_scalar(2).sum_dim(1) * -0.5 - 0.5 * d * LOG_TWO_PI).squeeze_dim(1)
}

/// `∇ₓ Σᵢ f(x)ᵢ` for `x: [n, d]`: the gradient of each row's output with respect to that row
/// when `f` acts row by row. `f` may use a trained (autodiff) module; its parameter gradients
/// are computed and dropped. The result is on the plain device.
pub fn input_gradient(x: Tensor<2>, f: impl FnOnce(Tensor<2>) -> Tensor<2>) -> Tensor<2> {
    let leaf = x.without_autodiff().autodiff().require_grad(); // [n, d]
    let grads = f(leaf.clone()).sum().backward();
    let shape = leaf.dims();
    let device = leaf.device();
    leaf.grad(&grads)
        .unwrap_or_else(|| Tensor::zeros(shape, &device.inner()))
}

/// Langevin dynamics on the energy whose gradient is `grad_energy`:
/// `x ← x − (ε/2)∇E(x) + noise·√ε·z`, `z ~ N(0, I)`, repeated `steps` times from `x: [n, d]`.
/// With `noise = 1` its stationary law is `∝ exp(−E)` as ε → 0; `noise < 1` is the common
/// "cold" variant that trades exactness for sharper samples.
pub fn langevin(
    mut x: Tensor<2>,
    steps: usize,
    step_size: f32,
    noise: f32,
    grad_energy: impl Fn(Tensor<2>) -> Tensor<2>,
) -> Tensor<2> {
    let device = x.device();
    let scale = noise * step_size.sqrt();
    for _ in 0..steps {
        let z = Tensor::<2>::random(x.dims(), Distribution::Normal(0.0, 1.0), &device);
        x = x.clone() - grad_energy(x) * (step_size / 2.0) + z * scale;
    }
    x
}

/// Midpoint quadrature of `exp(log_density)` over the square `[−half, half]²` with
/// `resolution²` cells: the mass a 2-D density puts there (tests check it is 1).
#[cfg(test)]
pub(crate) fn grid_mass(
    log_density: impl FnOnce(Tensor<2>) -> Tensor<1>,
    half: f32,
    resolution: usize,
    device: &Device,
) -> f32 {
    let bounds = crate::data::Bounds {
        x_min: -half,
        x_max: half,
        y_min: -half,
        y_max: half,
    };
    let centres = crate::evaluation::cell_centres(bounds, resolution);
    let x = Tensor::from_data(
        burn::tensor::TensorData::new(centres, [resolution * resolution, 2]),
        device,
    ); // [cells, 2]
    let h = 2.0 * half / resolution as f32;
    let sum = log_density(x)
        .exp()
        .sum()
        .into_data()
        .try_into_vec_as::<f32>()
        .unwrap()[0];
    sum * h * h
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn log_sum_exp_matches_the_direct_sum_without_overflow() {
        let device = Device::flex();
        let x = Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 1000.0, 1000.0, 0.0], [2, 3]),
            &device,
        );
        let got = values(log_sum_exp(x, 1));
        let first = (1f32.exp() + 2f32.exp() + 3f32.exp()).ln();
        assert!((got[0] - first).abs() < 1e-5, "{got:?}");
        assert!((got[1] - (1000.0 + 2f32.ln())).abs() < 1e-3, "{got:?}");
    }

    #[test]
    fn saturating_tanh_equals_tanh_everywhere() {
        // The clamp changes nothing in f32: tanh already rounds to ±1 at the saturation point.
        assert_eq!(SATURATION.tanh(), 1.0);
        let inputs = [
            -1.0e4f32, -90.0, -10.0, -9.0, -0.5, 0.0, 0.5, 9.0, 10.0, 90.0, 1.0e4,
        ];
        let x = Tensor::<1>::from_data(TensorData::from(inputs), &Device::flex());
        for (input, got) in inputs.iter().zip(values(saturating_tanh(x))) {
            assert!((got - input.tanh()).abs() <= 1e-6, "tanh({input}) = {got}");
        }
    }

    #[test]
    fn gaussian_log_densities_match_the_closed_form() {
        let device = Device::flex();
        let x = Tensor::<2>::from_data(TensorData::new(vec![0.5f32, -1.0], [1, 2]), &device);
        let mean = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 0.0], [1, 2]), &device);
        let log_var =
            Tensor::<2>::from_data(TensorData::new(vec![0.0f32, 2f32.ln()], [1, 2]), &device);
        // N(0.5; 1, 1) · N(−1; 0, 2)
        let want = -0.5 * 0.25 - 0.5 * LOG_TWO_PI
            + (-0.5 * 0.5 - 0.5 * (2.0 * std::f32::consts::PI * 2.0).ln());
        let got = values(diagonal_gaussian_log_density(x.clone(), mean, log_var))[0];
        assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        let standard = values(standard_normal_log_density(x))[0];
        assert!((standard - (-0.5 * 1.25 - LOG_TWO_PI)).abs() < 1e-5);
    }

    #[test]
    fn the_input_gradient_of_a_quadratic_is_linear() {
        let device = Device::flex();
        let x = Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, -2.0, 0.5, 3.0], [2, 2]),
            &device,
        );
        let grad = values(input_gradient(x, |x| x.powi_scalar(2).sum_dim(1) * 1.5));
        assert_eq!(grad, vec![3.0, -6.0, 1.5, 9.0]);
    }

    #[test]
    fn langevin_on_a_gaussian_energy_samples_that_gaussian() {
        // E(x) = ‖x − μ‖²/(2s²), so exp(−E) ∝ N(μ, s²I). With ε = 0.01 the discretisation bias
        // of the variance is ≈ ε/(4s²)·s² ≈ 0.3 %; 4 000 chains give a sampling error ≈ 2 %.
        let device = Device::flex();
        let _rng = crate::session::device_rng();
        device.seed(3);
        let (mu, s) = ([1.5f32, -0.5], 0.7f32);
        let centre = Tensor::<1>::from_floats(mu, &device).unsqueeze::<2>(); // [1, 2]
        let x0 = Tensor::<2>::random([4000, 2], Distribution::Uniform(-3.0, 3.0), &device);
        let x = langevin(x0, 600, 0.01, 1.0, |x| (x - centre.clone()) / (s * s));
        let mean = values(x.clone().mean_dim(0));
        let var = values(x.var(0));
        for d in 0..2 {
            assert!((mean[d] - mu[d]).abs() < 0.05, "mean {mean:?}");
            assert!((var[d] / (s * s) - 1.0).abs() < 0.08, "variance {var:?}");
        }
    }
}
