//! SiLU, `x·σ(x)`, with a fast path on the CPU backend.
//!
//! burn-flex evaluates `σ` element by element with the scalar `expf` of libm (in wasm,
//! compiler-builtins' port: no SIMD); the profile in BENCHMARKS.md finds about half of a
//! flow-matching step there. On the CPU backend [`silu`] computes the activation and its slope
//! on the host in one branch-free loop that LLVM vectorises (wasm simd128), from an exponential
//! accurate to a few ulp ([`exp`]), and hands them to autodiff as
//! `y = silu(x) + (x − detach(x))·silu′(x)`: the value is `silu(x)` (the second term is exactly
//! zero) and `∂y/∂x = silu′(x)`. Second derivatives through it are zero; no family
//! backpropagates through an input gradient (the WGAN-GP penalty uses central differences). On
//! WebGPU it is Burn's own `silu`.

use burn::prelude::*;
use burn::tensor::TensorData;

/// `log₂ e`.
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` split in two so that `k·LN2_HI` is exact for the `k` that occur (Cody–Waite).
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
/// `1.5·2²³`: adding and subtracting it rounds an f32 of magnitude below 2²² to the nearest
/// integer (ties to even) with two additions, which vectorise everywhere.
const ROUNDER: f32 = 12_582_912.0;

/// `eˣ` in f32 within a few ulp, branch-free: `x = k·ln 2 + r` with `|r| ≤ ln 2 / 2`, `eʳ` by
/// its Taylor polynomial of degree 7, `2ᵏ` built in the exponent bits. `x` is clamped to
/// `[−87, 88]`, where `2ᵏ` stays a normal number (the results there round to 0 and ∞ in the
/// uses below anyway).
#[inline]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let k = (x * LOG2_E + ROUNDER) - ROUNDER;
    let r = x - k * LN2_HI - k * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r / 5040.0))))));
    p * f32::from_bits(((k as i32 + 127) as u32) << 23)
}

/// `(silu(x), silu′(x))` with `σ(x) = 1 / (1 + e⁻ˣ)`: `x·σ` and `σ·(1 + x·(1 − σ))`.
#[inline]
pub fn silu_and_slope(x: f32) -> (f32, f32) {
    let s = 1.0 / (1.0 + exp(-x));
    (x * s, s * (1.0 + x * (1.0 - s)))
}

/// Whether SiLU on `device` is computed on the host: `None` off the CPU backend (Burn's silu),
/// `Some(tracked)` on it, `tracked` when autodiff records the operations.
pub(crate) fn host_path(device: &Device) -> Option<bool> {
    // Device equality compares the hardware and ignores autodiff; only an autodiff device has
    // a gradient-checkpointing strategy.
    (*device == Device::flex()).then(|| device.gradient_checkpointing_strategy().is_some())
}

/// SiLU of every entry of `x` (`[n, d]` → `[n, d]`); see the module documentation.
pub fn silu(x: Tensor<2>) -> Tensor<2> {
    let device = x.device();
    let Some(tracked) = host_path(&device) else {
        return burn::tensor::activation::silu(x);
    };
    let shape = x.dims();
    let inputs = x
        .clone()
        .into_data()
        .try_into_vec::<f32>()
        .expect("an f32 tensor");
    let mut values = vec![0.0f32; inputs.len()];
    let mut slopes = vec![0.0f32; inputs.len()];
    for ((value, slope), &input) in values.iter_mut().zip(&mut slopes).zip(&inputs) {
        (*value, *slope) = silu_and_slope(input);
    }
    let values = Tensor::<2>::from_data(TensorData::new(values, shape), &device); // [n, d]
    if !tracked {
        return values;
    }
    let slopes = Tensor::<2>::from_data(TensorData::new(slopes, shape), &device); // [n, d]
    values + (x.clone() - x.detach()) * slopes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_a_few_ulp_of_libm() {
        let mut worst = (0.0f64, 0.0f32);
        for i in -86_990..=87_990 {
            let x = i as f32 * 1e-3;
            let want = f64::from(x).exp();
            let error = ((f64::from(exp(x)) - want) / want).abs();
            if error > worst.0 {
                worst = (error, x);
            }
        }
        assert!(
            worst.0 < 4.0 * f64::from(f32::EPSILON),
            "relative error {worst:?}"
        );
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1.0e4) >= 0.0 && exp(-1.0e4) < 1e-37);
        assert!(exp(1.0e4).is_finite());
    }

    #[test]
    fn silu_and_its_slope_match_the_closed_form() {
        for i in -3_000..=3_000 {
            let x = i as f32 * 0.01;
            let xd = f64::from(x);
            let s = 1.0 / (1.0 + (-xd).exp());
            let (value, slope) = silu_and_slope(x);
            assert!(
                (f64::from(value) - xd * s).abs() < 1e-6 * (1.0 + xd.abs()),
                "silu({x})"
            );
            let want = s * (1.0 + xd * (1.0 - s));
            assert!((f64::from(slope) - want).abs() < 1e-6, "silu'({x})");
        }
        let (far_left, _) = silu_and_slope(-1.0e4);
        let (far_right, slope) = silu_and_slope(1.0e4);
        assert!(far_left.abs() < 1e-30, "{far_left}");
        assert_eq!((far_right, slope), (1.0e4, 1.0));
    }

    #[test]
    fn autodiff_sees_the_exact_value_and_gradient_of_burns_silu() {
        let device = Device::flex().autodiff();
        let data = TensorData::new((0..48).map(|i| (i as f32 - 24.0) * 0.37).collect(), [6, 8]);
        let x = Tensor::<2>::from_data(data.clone(), &device).require_grad();
        let reference = Tensor::<2>::from_data(data, &device).require_grad();
        let fast = silu(x.clone());
        let burn = burn::tensor::activation::silu(reference.clone());
        let values = |t: Tensor<2>| t.into_data().try_into_vec::<f32>().unwrap();
        for (a, b) in values(fast.clone()).iter().zip(values(burn.clone())) {
            assert!((a - b).abs() < 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
        }
        // A weighted sum, so that every entry's gradient is scaled differently.
        let weights = Tensor::<2>::from_data(
            TensorData::new((0..48).map(|i| 1.0 + i as f32 * 0.1).collect(), [6, 8]),
            &device,
        );
        let fast_grads = (fast * weights.clone()).sum().backward();
        let burn_grads = (burn * weights).sum().backward();
        let fast_grad = values(x.grad(&fast_grads).unwrap());
        let burn_grad = values(reference.grad(&burn_grads).unwrap());
        for (a, b) in fast_grad.iter().zip(burn_grad) {
            assert!((a - b).abs() < 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }

    #[test]
    fn the_cpu_backend_takes_the_host_path_with_and_without_autodiff() {
        // The training devices are made as `device.clone().autodiff()` (the families).
        assert_eq!(host_path(&Device::flex().autodiff()), Some(true));
        assert_eq!(host_path(&Device::flex()), Some(false));
        let x = Tensor::<2>::ones([2, 2], &Device::flex().autodiff()).require_grad();
        assert_eq!(host_path(&(x * 2.0).device()), Some(true));
    }

    #[test]
    fn without_autodiff_it_is_the_plain_value() {
        let data = TensorData::new(vec![-30.0f32, -2.5, -0.1, 0.0, 0.7, 4.0], [2, 3]);
        let fast = silu(Tensor::<2>::from_data(data.clone(), &Device::flex()));
        let burn = burn::tensor::activation::silu(Tensor::<2>::from_data(data, &Device::flex()));
        let values = |t: Tensor<2>| t.into_data().try_into_vec::<f32>().unwrap();
        for (a, b) in values(fast).iter().zip(values(burn)) {
            assert!((a - b).abs() < 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
}
