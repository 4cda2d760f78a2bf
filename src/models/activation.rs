//! SiLU, `x·σ(x)`, with a fast path on the CPU backend.
//!
//! burn-flex evaluates `σ` element by element with the scalar `expf` of libm (in wasm,
//! compiler-builtins' port: no SIMD); the profile in BENCHMARKS.md finds about half of a
//! flow-matching step there. On the CPU backend [`silu`] computes the activation and its slope
//! on the host in one branch-free pass ([`bias_silu_rows`], four entries at a time in wasm SIMD),
//! from an exponential accurate to a few ulp ([`exp`]), and hands them to autodiff as
//! `y = silu(x) + (x − detach(x))·silu′(x)`: the value is `silu(x)` (the second term is exactly
//! zero) and `∂y/∂x = silu′(x)`. Second derivatives through it are zero; no family
//! backpropagates through an input gradient (the WGAN-GP penalty uses central differences). On
//! WebGPU it is Burn's own `silu`.

use burn::prelude::*;
use burn::tensor::{DType, TensorData};
use std::mem::MaybeUninit;

use crate::models::parallel;

/// `log₂ e`.
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` split in two so that `k·LN2_HI` is exact for the `k` that occur (Cody–Waite).
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
/// `1.5·2²³`: adding and subtracting it rounds an f32 of magnitude below 2²² to the nearest
/// integer (ties to even) with two additions, which vectorise everywhere.
const ROUNDER: f32 = 12_582_912.0;

/// Cephes' `expf` polynomial: `eʳ ≈ 1 + r + r²·P(r)` on `|r| ≤ ln 2 / 2`, `P` of degree 5 with
/// these coefficients (`P(r) = ((((P5·r + P4)·r + P3)·r + P2)·r + P1)·r + P0`).
const P5: f32 = 1.987_569_2e-4;
const P4: f32 = 1.398_199_9e-3;
const P3: f32 = 8.333_452e-3;
const P2: f32 = 4.166_579_6e-2;
const P1: f32 = 1.666_666_5e-1;
const P0: f32 = 0.5;
/// The exponent bits of `2⁰`, `127 << 23`.
const EXPONENT_BIAS: u32 = 127 << 23;

/// How the SiLU pass rounds a multiply-add `a·b + c`: twice (the product, then the sum: the
/// scalar pass and the plain SIMD lanes) or once (fused: the relaxed-SIMD module's lanes where the
/// engine fuses `f32x4.relaxed_madd`, as V8 does on hardware with FMA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// `a·b` rounded, then `+ c` rounded.
    Twice,
    /// `a·b + c` rounded once.
    Once,
}

impl Rounding {
    /// `a·b + c`, rounded as `self` says.
    #[inline(always)]
    fn multiply_add(self, a: f32, b: f32, c: f32) -> f32 {
        match self {
            Rounding::Twice => a * b + c,
            Rounding::Once => a.mul_add(b, c),
        }
    }
}

/// `eˣ` in f32 within a few ulp, branch-free: `x = k·ln 2 + r` with `|r| ≤ ln 2 / 2`, `eʳ` by
/// Cephes' polynomial, `2ᵏ` built in the exponent bits. `x` is clamped to `[−87, 88]`, where
/// `2ᵏ` stays a normal number (the results there round to 0 and ∞ in the uses below anyway); NaN
/// stays NaN. [`bias_silu_rows`] evaluates the same operations in the same order four lanes at a
/// time in wasm SIMD, so both give the same bits ([`exp_rounded`] with [`Rounding::Twice`]).
#[inline]
pub fn exp(x: f32) -> f32 {
    exp_rounded(x, Rounding::Twice)
}

/// [`exp`] with its multiply-adds rounded as `rounding` says (the relaxed-SIMD lanes' definition
/// with [`Rounding::Once`]). Every multiply-add is written as one, `x − k·c` as `(−k)·c + x`:
/// with [`Rounding::Twice`] that is `x − k·c`'s bits.
#[inline(always)]
pub fn exp_rounded(x: f32, rounding: Rounding) -> f32 {
    let madd = |a: f32, b: f32, c: f32| rounding.multiply_add(a, b, c);
    // Written as the SIMD pseudo-minimum and -maximum compute them (`f32x4.pmax`, `.pmin`).
    let x = if x < -87.0 { -87.0 } else { x };
    let x = if 88.0 < x { 88.0 } else { x };
    let shifted = madd(x, LOG2_E, ROUNDER); // ROUNDER + k, so k is in its low mantissa bits
    let k = shifted - ROUNDER;
    let r = madd(-k, LN2_LO, madd(-k, LN2_HI, x));
    let p = [P4, P3, P2, P1, P0]
        .into_iter()
        .fold(P5, |p, coefficient| madd(p, r, coefficient));
    let e_r = madd(p, r * r, r) + 1.0;
    // `ROUNDER`'s own bits vanish when shifted by 23, leaving `k << 23` (|k| ≤ 127).
    e_r * f32::from_bits((shifted.to_bits() << 23).wrapping_add(EXPONENT_BIAS))
}

/// `(silu(x), silu′(x))` with `σ(x) = 1 / (1 + e⁻ˣ)`: `y = x·σ` and `σ + y·(1 − σ)`
/// (`= σ·(1 + x·(1 − σ))`).
#[inline]
pub fn silu_and_slope(x: f32) -> (f32, f32) {
    silu_and_slope_rounded(x, Rounding::Twice)
}

/// [`silu_and_slope`] with its multiply-adds rounded as `rounding` says.
#[inline(always)]
pub fn silu_and_slope_rounded(x: f32, rounding: Rounding) -> (f32, f32) {
    let s = 1.0 / (1.0 + exp_rounded(-x, rounding));
    let y = x * s;
    (y, rounding.multiply_add(y, 1.0 - s, s))
}

/// The roundings the SIMD lanes of [`bias_silu_rows`] may use in this build: [`Rounding::Twice`]
/// off relaxed SIMD; in the relaxed-SIMD module (`--cfg genlab_relaxed_simd`) whichever the engine
/// gives `f32x4.relaxed_madd` (once where the hardware fuses, twice elsewhere), the first listed
/// where it fuses.
pub const LANE_ROUNDINGS: &[Rounding] = if cfg!(genlab_relaxed_simd) {
    &[Rounding::Once, Rounding::Twice]
} else {
    &[Rounding::Twice]
};

/// Entries of a row of `width` that [`bias_silu_rows`] computes in SIMD lanes (the whole vectors
/// of four in wasm SIMD; none elsewhere); the rest of the row is the scalar pass,
/// [`silu_and_slope`].
pub fn lane_entries(width: usize) -> usize {
    if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
        width - width % 4
    } else {
        0
    }
}

/// `y ← silu(y + b)` in place for every row `y` of `values` (`[n, d]`, row-major) and `bias`
/// (`[d]`); with `slopes`, its contents replaced by `silu′(y + b)` of every entry (`[n · d]`).
/// Every entry gets exactly the bits of [`silu_and_slope`]`(y + b)`: in wasm SIMD four at a time
/// (the same operations in the same order), elsewhere one at a time.
pub fn bias_silu_rows(values: &mut [f32], bias: &[f32], slopes: Option<&mut Vec<f32>>) {
    let width = bias.len();
    assert!(
        values.len().is_multiple_of(width),
        "bias_silu_rows: {} values in rows of {width}",
        values.len()
    );
    let Some(slopes) = slopes else {
        in_halves(values, bias, None);
        return;
    };
    slopes.clear();
    slopes.reserve(values.len());
    in_halves(
        values,
        bias,
        Some(&mut slopes.spare_capacity_mut()[..values.len()]),
    );
    // SAFETY: `bias_silu_row` wrote every slot of each row's slopes, and the rows cover the
    // first `values.len()` slots of the spare capacity reserved above.
    unsafe { slopes.set_len(values.len()) };
}

/// [`each_row`], in two halves of the rows on two threads when the threaded module trains on its
/// pool and the pass is large ([`parallel::split_pass`]); each entry's bits are the same either
/// way (tested).
fn in_halves(values: &mut [f32], bias: &[f32], slopes: Option<&mut [MaybeUninit<f32>]>) {
    let width = bias.len().max(1);
    let rows = values.len() / width;
    if rows < 2 || !parallel::split_pass(values.len()) {
        each_row(values, bias, slopes);
        return;
    }
    let at = rows / 2 * width;
    let (first, second) = values.split_at_mut(at);
    let (first_slopes, second_slopes) = match slopes {
        Some(slopes) => {
            let (first, second) = slopes.split_at_mut(at);
            (Some(first), Some(second))
        }
        None => (None, None),
    };
    rayon::join(
        || each_row(first, bias, first_slopes),
        || each_row(second, bias, second_slopes),
    );
}

/// [`bias_silu_row`] on every row of `values`, with that row's slots of `slopes` when given.
fn each_row(values: &mut [f32], bias: &[f32], slopes: Option<&mut [MaybeUninit<f32>]>) {
    let width = bias.len().max(1);
    match slopes {
        Some(slopes) => {
            for (row, row_slopes) in values
                .chunks_exact_mut(width)
                .zip(slopes.chunks_exact_mut(width))
            {
                bias_silu_row(row, bias, Some(row_slopes));
            }
        }
        None => {
            for row in values.chunks_exact_mut(width) {
                bias_silu_row(row, bias, None);
            }
        }
    }
}

/// One row of [`bias_silu_rows`] one entry at a time: `row ← silu(row + bias)`, the slopes
/// written into `slopes` (uninitialised slots, as many as `row`) when given. Off wasm SIMD it is
/// the whole pass; in wasm SIMD it takes what remains past the last whole vector.
fn bias_silu_scalar(row: &mut [f32], bias: &[f32], slopes: Option<&mut [MaybeUninit<f32>]>) {
    match slopes {
        Some(slopes) => {
            for ((value, slope), b) in row.iter_mut().zip(slopes).zip(bias) {
                let (y, dy) = silu_and_slope(*value + b);
                (*value, *slope) = (y, MaybeUninit::new(dy));
            }
        }
        None => {
            for (value, b) in row.iter_mut().zip(bias) {
                *value = silu_and_slope(*value + b).0;
            }
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use bias_silu_scalar as bias_silu_row;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use lanes::bias_silu as bias_silu_row;

/// One row of [`bias_silu_rows`] four entries at a time in wasm SIMD.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes;

/// Whether SiLU on `device` is computed on the host: `None` off the CPU backend (Burn's silu),
/// `Some(tracked)` on it, `tracked` when autodiff records the operations.
pub(crate) fn host_path(device: &Device) -> Option<bool> {
    // Device equality compares the hardware and ignores autodiff; only an autodiff device has
    // a gradient-checkpointing strategy.
    (*device == Device::flex()).then(|| device.gradient_checkpointing_strategy().is_some())
}

/// Whether an operation of GenLab's own on the CPU backend (the fused layers, the fused coupling,
/// the conditional input, Adam's update) takes tensors of these `dtypes` on `device`: only f32 on the CPU
/// backend ([`host_path`]), where its host code applies; elsewhere Burn's operations compose it.
pub(crate) fn host_computes_f32(device: &Device, dtypes: impl IntoIterator<Item = DType>) -> bool {
    host_path(device).is_some() && dtypes.into_iter().all(|dtype| dtype == DType::F32)
}

/// SiLU of every entry of `x` (`[n, d]` → `[n, d]`); see the module documentation.
pub fn silu(x: Tensor<2>) -> Tensor<2> {
    let device = x.device();
    let Some(tracked) = host_path(&device) else {
        return burn::tensor::activation::silu(x);
    };
    let shape = x.dims();
    let mut values = x
        .clone()
        .into_data()
        .try_into_vec::<f32>()
        .expect("an f32 tensor"); // [n · d]
    let mut slopes = Vec::new();
    let zero_bias = vec![0.0f32; shape[1]]; // [d]
    bias_silu_rows(&mut values, &zero_bias, tracked.then_some(&mut slopes));
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
        for rounding in [Rounding::Twice, Rounding::Once] {
            let mut worst = (0.0f64, 0.0f32);
            for i in -86_990..=87_990 {
                let x = i as f32 * 1e-3;
                let want = f64::from(x).exp();
                let error = ((f64::from(exp_rounded(x, rounding)) - want) / want).abs();
                if error > worst.0 {
                    worst = (error, x);
                }
            }
            assert!(
                worst.0 < 4.0 * f64::from(f32::EPSILON),
                "{rounding:?}: relative error {worst:?}"
            );
            assert_eq!(exp_rounded(0.0, rounding), 1.0);
            let tiny = exp_rounded(-1.0e4, rounding);
            assert!((0.0..1e-37).contains(&tiny), "{rounding:?}: {tiny}");
            assert!(exp_rounded(1.0e4, rounding).is_finite());
        }
    }

    #[test]
    fn silu_and_its_slope_match_the_closed_form() {
        for rounding in [Rounding::Twice, Rounding::Once] {
            for i in -3_000..=3_000 {
                let x = i as f32 * 0.01;
                let xd = f64::from(x);
                let s = 1.0 / (1.0 + (-xd).exp());
                let (value, slope) = silu_and_slope_rounded(x, rounding);
                assert!(
                    (f64::from(value) - xd * s).abs() < 1e-6 * (1.0 + xd.abs()),
                    "{rounding:?}: silu({x})"
                );
                let want = s * (1.0 + xd * (1.0 - s));
                assert!(
                    (f64::from(slope) - want).abs() < 1e-6,
                    "{rounding:?}: silu'({x})"
                );
            }
            let (far_left, _) = silu_and_slope_rounded(-1.0e4, rounding);
            let (far_right, slope) = silu_and_slope_rounded(1.0e4, rounding);
            assert!(far_left.abs() < 1e-30, "{far_left}");
            assert_eq!((far_right, slope), (1.0e4, 1.0));
        }
        assert_eq!(
            silu_and_slope(0.7),
            silu_and_slope_rounded(0.7, Rounding::Twice)
        );
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
    fn the_host_code_takes_f32_tensors_on_the_cpu_backend_only() {
        for device in [Device::flex(), Device::flex().autodiff()] {
            assert!(host_computes_f32(
                &device,
                [DType::F32, DType::F32, DType::F32]
            ));
            assert!(!host_computes_f32(&device, [DType::F32, DType::F64]));
            assert!(!host_computes_f32(&device, [DType::F16]));
        }
    }

    /// `bias_silu_rows` of a hidden layer's `[512, 128]` outputs, with or without slopes, on the
    /// calling thread or (`pool`) on a worker of a rayon pool of that many threads.
    fn pass(with_slopes: bool, pool: Option<usize>) -> (Vec<u32>, Vec<u32>) {
        let mut values: Vec<f32> = (0..512 * 128)
            .map(|i| ((i * 37) % 1000) as f32 * 0.013 - 6.5)
            .collect();
        let bias: Vec<f32> = (0..128).map(|i| i as f32 * 0.01 - 0.6).collect();
        let mut slopes = Vec::new();
        parallel::on_test_pool(pool, || {
            assert_eq!(
                parallel::split_pass(values.len()),
                pool.is_some_and(|threads| threads > 1)
            );
            bias_silu_rows(&mut values, &bias, with_slopes.then_some(&mut slopes));
        });
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect();
        (bits(&values), bits(&slopes))
    }

    #[test]
    fn the_pass_split_across_two_threads_gives_every_entry_its_bits() {
        for with_slopes in [false, true] {
            let whole = pass(with_slopes, None);
            assert_eq!(whole.1.len(), if with_slopes { 512 * 128 } else { 0 });
            assert_eq!(pass(with_slopes, Some(2)), whole, "slopes: {with_slopes}");
            assert_eq!(
                pass(with_slopes, Some(1)),
                whole,
                "a pool of one does not split"
            );
        }
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
