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
use burn::tensor::TensorData;
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

/// `eˣ` in f32 within a few ulp, branch-free: `x = k·ln 2 + r` with `|r| ≤ ln 2 / 2`, `eʳ` by
/// Cephes' polynomial, `2ᵏ` built in the exponent bits. `x` is clamped to `[−87, 88]`, where
/// `2ᵏ` stays a normal number (the results there round to 0 and ∞ in the uses below anyway); NaN
/// stays NaN. [`bias_silu_rows`] evaluates the same operations in the same order four lanes at a
/// time in wasm SIMD, so both give the same bits.
#[inline]
pub fn exp(x: f32) -> f32 {
    // Written as the SIMD pseudo-minimum and -maximum compute them (`f32x4.pmax`, `.pmin`).
    let x = if x < -87.0 { -87.0 } else { x };
    let x = if 88.0 < x { 88.0 } else { x };
    let shifted = x * LOG2_E + ROUNDER; // ROUNDER + k, so k is in its low mantissa bits
    let k = shifted - ROUNDER;
    let r = x - k * LN2_HI - k * LN2_LO;
    let p = ((((P5 * r + P4) * r + P3) * r + P2) * r + P1) * r + P0;
    let e_r = p * (r * r) + r + 1.0;
    // `ROUNDER`'s own bits vanish when shifted by 23, leaving `k << 23` (|k| ≤ 127).
    e_r * f32::from_bits((shifted.to_bits() << 23).wrapping_add(EXPONENT_BIAS))
}

/// `(silu(x), silu′(x))` with `σ(x) = 1 / (1 + e⁻ˣ)`: `x·σ` and `σ·(1 + x·(1 − σ))`.
#[inline]
pub fn silu_and_slope(x: f32) -> (f32, f32) {
    let s = 1.0 / (1.0 + exp(-x));
    (x * s, s * (1.0 + x * (1.0 - s)))
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

/// One row of [`bias_silu_rows`] four entries at a time in wasm SIMD (what remains past a multiple
/// of four by [`bias_silu_scalar`]), its slopes written into uninitialised slots.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use super::*;
    use core::arch::wasm32::*;

    const _: () = assert!(EXPONENT_BIAS == 1.0f32.to_bits());

    /// `row ← silu(row + bias)`, the slopes into `slopes` (as long as `row`) when given.
    pub(super) fn bias_silu(
        row: &mut [f32],
        bias: &[f32],
        mut slopes: Option<&mut [MaybeUninit<f32>]>,
    ) {
        let width = row.len().min(bias.len());
        let whole = width - width % 4;
        let c = Constants::opaque();
        for at in (0..whole).step_by(4) {
            // SAFETY: `at + 4 ≤ width`, within `row`, `bias` and `slopes` (as long as `row`);
            // wasm loads and stores need no alignment.
            unsafe {
                let x = f32x4_add(
                    v128_load(row.as_ptr().add(at).cast()),
                    v128_load(bias.as_ptr().add(at).cast()),
                );
                let (y, dy) = silu_and_slope(x, &c);
                v128_store(row.as_mut_ptr().add(at).cast(), y);
                if let Some(slopes) = slopes.as_deref_mut() {
                    v128_store(slopes.as_mut_ptr().add(at).cast(), dy);
                }
            }
        }
        let rest = slopes.map(|slopes| &mut slopes[whole..width]);
        bias_silu_scalar(&mut row[whole..width], &bias[whole..width], rest);
    }

    /// The constants of [`silu_and_slope`] in every lane. LLVM folds a splatted constant into
    /// each use as a `v128.const`, inside the loop, and V8 builds every `v128.const` anew where
    /// it is used, through a general-purpose register (three instructions; fourteen constants
    /// per four entries, more work than the arithmetic). Made opaque once per row
    /// ([`Constants::opaque`]), they stay in locals that V8 keeps in registers or on the stack.
    #[derive(Clone, Copy)]
    struct Constants {
        /// `1.0`, whose bits are also [`EXPONENT_BIAS`].
        one: v128,
        /// The lower end of `exp`'s clamp, `−87`.
        lowest: v128,
        /// The upper end of `exp`'s clamp, `88`.
        highest: v128,
        /// [`LOG2_E`].
        log2_e: v128,
        /// [`ROUNDER`].
        rounder: v128,
        /// [`LN2_HI`].
        ln2_hi: v128,
        /// [`LN2_LO`].
        ln2_lo: v128,
        /// `P5` down to `P0`.
        polynomial: [v128; 6],
    }

    impl Constants {
        /// The constants, hidden from the optimiser by [`core::hint::black_box`] so that it
        /// cannot fold them back into their uses.
        #[inline(always)]
        fn opaque() -> Self {
            let splat = f32x4_splat;
            core::hint::black_box(Self {
                one: splat(1.0),
                lowest: splat(-87.0),
                highest: splat(88.0),
                log2_e: splat(LOG2_E),
                rounder: splat(ROUNDER),
                ln2_hi: splat(LN2_HI),
                ln2_lo: splat(LN2_LO),
                polynomial: [P5, P4, P3, P2, P1, P0].map(|c| splat(c)),
            })
        }
    }

    /// [`super::silu_and_slope`] of four lanes.
    #[inline(always)]
    fn silu_and_slope(x: v128, c: &Constants) -> (v128, v128) {
        let one = c.one;
        let s = f32x4_div(one, f32x4_add(one, exp(f32x4_neg(x), c)));
        let slope = f32x4_mul(s, f32x4_add(one, f32x4_mul(x, f32x4_sub(one, s))));
        (f32x4_mul(x, s), slope)
    }

    /// [`super::exp`] of four lanes.
    #[inline(always)]
    fn exp(x: v128, c: &Constants) -> v128 {
        let x = f32x4_pmin(f32x4_pmax(x, c.lowest), c.highest);
        let shifted = f32x4_add(f32x4_mul(x, c.log2_e), c.rounder);
        let k = f32x4_sub(shifted, c.rounder);
        let r = f32x4_sub(f32x4_sub(x, f32x4_mul(k, c.ln2_hi)), f32x4_mul(k, c.ln2_lo));
        let [p5, p4, p3, p2, p1, p0] = c.polynomial;
        let step = |p: v128, coefficient: v128| f32x4_add(f32x4_mul(p, r), coefficient);
        let p = step(step(step(step(step(p5, p4), p3), p2), p1), p0);
        let e_r = f32x4_add(f32x4_add(f32x4_mul(p, f32x4_mul(r, r)), r), c.one);
        // `one`'s bits are `EXPONENT_BIAS`.
        let scale = i32x4_add(i32x4_shl(shifted, 23), c.one);
        f32x4_mul(e_r, scale)
    }
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
