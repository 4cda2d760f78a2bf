//! One row of [`bias_silu_rows`](super::bias_silu_rows) four entries at a time in wasm SIMD (what
//! remains past a multiple of four by the scalar pass), its slopes written into uninitialised
//! slots. The operations are [`silu_and_slope_rounded`](super::silu_and_slope_rounded)'s, in its
//! order; its multiply-adds are one `f32x4.relaxed_madd` each in the relaxed-SIMD module (`--cfg
//! genlab_relaxed_simd`), a multiply then an add otherwise.
//!
//! One entry's value and slope are a chain of about twenty dependent operations (a division among
//! them), longer than the processor overlaps from successive steps of one loop: written as one
//! loop, the pass waits on that chain. Cut into three loops over a chunk of [`CHUNK`] entries (the
//! exponential's range reduction, its polynomial, then `σ`, the value and the slope), each a part
//! of the chain, with the intermediates in two small buffers on the stack, it takes a quarter to a
//! third less time (the levers table in BENCHMARKS.md), with the same operations on every lane and
//! so the same bits.

use super::*;
use core::arch::wasm32::*;

const _: () = assert!(EXPONENT_BIAS == 1.0f32.to_bits());

/// Entries per chunk of the three loops: long enough that each loop's setup is small beside its
/// work, short enough that its intermediates stay in two 256-byte stack buffers.
const CHUNK: usize = 64;

/// `f32x4` vectors in a chunk.
const CHUNK_VECTORS: usize = CHUNK / 4;

/// `row ← silu(row + bias)`, the slopes into `slopes` (as long as `row`) when given. In the
/// relaxed-SIMD module it enables `relaxed-simd` for itself and the helpers inlined into it, as the
/// matrix-product kernel does (`vendor/gemm/src/wasm_f32.rs`): the crate-wide target feature does
/// not compile Burn's CPU backend.
#[cfg_attr(genlab_relaxed_simd, target_feature(enable = "relaxed-simd"))]
pub(super) fn bias_silu(
    row: &mut [f32],
    bias: &[f32],
    mut slopes: Option<&mut [MaybeUninit<f32>]>,
) {
    let width = row.len().min(bias.len());
    let whole = lane_entries(width);
    let c = Constants::opaque();
    // Per vector of the chunk: `r`, then `exp(−z)`; and `2ᵏ`. [CHUNK / 4] × 4 lanes each.
    let mut reduced = [f32x4_splat(0.0); CHUNK_VECTORS];
    let mut scales = [f32x4_splat(0.0); CHUNK_VECTORS];
    for start in (0..whole).step_by(CHUNK) {
        let vectors = CHUNK.min(whole - start) / 4;
        // SAFETY (the three loops): `start + 4·v + 4 ≤ whole ≤ width` for every `v < vectors`,
        // within `row`, `bias` and `slopes` (as long as `row`); wasm loads and stores need no
        // alignment.
        let (reduced, scales) = (&mut reduced[..vectors], &mut scales[..vectors]);
        for (v, (r, scale)) in reduced.iter_mut().zip(scales.iter_mut()).enumerate() {
            let at = start + 4 * v;
            unsafe {
                let z = f32x4_add(
                    v128_load(row.as_ptr().add(at).cast()),
                    v128_load(bias.as_ptr().add(at).cast()),
                );
                v128_store(row.as_mut_ptr().add(at).cast(), z);
                (*r, *scale) = reduce(f32x4_neg(z), &c);
            }
        }
        for (r, scale) in reduced.iter_mut().zip(scales.iter()) {
            *r = exp_reduced(*r, *scale, &c); // exp(−z)
        }
        for (v, e) in reduced.iter().enumerate() {
            let at = start + 4 * v;
            unsafe {
                let z = v128_load(row.as_ptr().add(at).cast());
                let (y, dy) = silu_and_slope(z, *e, &c);
                v128_store(row.as_mut_ptr().add(at).cast(), y);
                if let Some(slopes) = slopes.as_deref_mut() {
                    v128_store(slopes.as_mut_ptr().add(at).cast(), dy);
                }
            }
        }
    }
    let rest = slopes.map(|slopes| &mut slopes[whole..width]);
    bias_silu_scalar(&mut row[whole..width], &bias[whole..width], rest);
}

/// The constants of [`reduce`], [`exp_reduced`] and [`silu_and_slope`] in every lane. LLVM
/// folds a splatted constant into each use as a `v128.const`, inside the loop, and V8 builds
/// every `v128.const` anew where it is used, through a general-purpose register (three
/// instructions; fourteen constants per four entries, more work than the arithmetic). Made opaque
/// once per row ([`Constants::opaque`]), they stay in locals that V8 keeps in registers or on the
/// stack.
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

/// `a·b + c`, lane by lane: one `f32x4.relaxed_madd` in the relaxed-SIMD module, a multiply
/// then an add otherwise ([`Rounding::Twice`]'s bits).
#[inline(always)]
fn multiply_add(a: v128, b: v128, c: v128) -> v128 {
    #[cfg(genlab_relaxed_simd)]
    {
        f32x4_relaxed_madd(a, b, c)
    }
    #[cfg(not(genlab_relaxed_simd))]
    {
        f32x4_add(f32x4_mul(a, b), c)
    }
}

/// `c − a·b`, lane by lane, as [`super::exp_rounded`]'s `(−a)·b + c`: one
/// `f32x4.relaxed_nmadd` in the relaxed-SIMD module, a multiply then a subtraction otherwise (the
/// same bits as adding the negated product).
#[inline(always)]
fn negated_multiply_add(a: v128, b: v128, c: v128) -> v128 {
    #[cfg(genlab_relaxed_simd)]
    {
        f32x4_relaxed_nmadd(a, b, c)
    }
    #[cfg(not(genlab_relaxed_simd))]
    {
        f32x4_sub(c, f32x4_mul(a, b))
    }
}

/// [`super::silu_and_slope_rounded`] of four lanes `x`, given `e = exp(−x)` from
/// [`reduce`] and [`exp_reduced`].
#[inline(always)]
fn silu_and_slope(x: v128, e: v128, c: &Constants) -> (v128, v128) {
    let one = c.one;
    let s = f32x4_div(one, f32x4_add(one, e));
    let y = f32x4_mul(x, s);
    (y, multiply_add(y, f32x4_sub(one, s), s))
}

/// The first half of [`super::exp_rounded`] of four lanes: `x` clamped, then `x = k·ln 2 + r`;
/// returns `r` and `2ᵏ`. In the relaxed module LLVM selects `f32x4.relaxed_min`/`relaxed_max` for
/// the clamp's `pmin`/`pmax`: the same lanes except on NaN, which may leave as the clamp's bound
/// instead of NaN; SiLU's `x·σ` and its slope stay NaN either way (the check's inputs include NaN).
#[inline(always)]
fn reduce(x: v128, c: &Constants) -> (v128, v128) {
    let x = f32x4_pmin(f32x4_pmax(x, c.lowest), c.highest);
    let shifted = multiply_add(x, c.log2_e, c.rounder);
    let k = f32x4_sub(shifted, c.rounder);
    let r = negated_multiply_add(k, c.ln2_lo, negated_multiply_add(k, c.ln2_hi, x));
    // `one`'s bits are `EXPONENT_BIAS`.
    let scale = i32x4_add(i32x4_shl(shifted, 23), c.one);
    (r, scale)
}

/// The second half of [`super::exp_rounded`] of four lanes: `eʳ` by the polynomial, times
/// `scale = 2ᵏ`.
#[inline(always)]
fn exp_reduced(r: v128, scale: v128, c: &Constants) -> v128 {
    let [p5, p4, p3, p2, p1, p0] = c.polynomial;
    let step = |p: v128, coefficient: v128| multiply_add(p, r, coefficient);
    let p = step(step(step(step(step(p5, p4), p3), p2), p1), p0);
    let e_r = f32x4_add(multiply_add(p, f32x4_mul(r, r), r), c.one);
    f32x4_mul(e_r, scale)
}
