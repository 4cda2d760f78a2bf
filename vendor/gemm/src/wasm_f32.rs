//! A matrix product for f32 in wasm `simd128`, added to gemm 0.19.0 by GenLab.
//!
//! gemm's wasm kernels (12 × 4 micro-tiles, both operands packed on every call) reach about 22
//! GFLOP/s in V8 at the shapes of GenLab's networks (512 × 128 × 128 and their backward
//! products); V8 keeps only 16 SIMD registers, and this product's 2 × 16 micro-tile (8
//! accumulators, 4 right-hand vectors and one broadcast) fits them: about 32 GFLOP/s there, in
//! the same page. Only the right-hand side is packed (panels of 16 columns, a partial one
//! zero-padded, by [`pack`]); the left-hand side is read in place, one broadcast element at a
//! time, so any strides do. With fewer than 16 rows (a first layer's weight gradient) packing
//! would cost more than it saves, so there the right-hand side's panels are read in place when
//! its rows are contiguous. With fewer than 16 columns (an output layer's two) a 16-column panel
//! would be mostly padding: there the product is the transposed thin one when the left-hand
//! side's columns are contiguous, and dot products along the depth when its rows are.

use core::arch::wasm32::*;
use std::cell::RefCell;

mod narrow;
mod pack;
use narrow::narrow;
use pack::{pack_rhs, reuse};

/// Rows of a micro-tile.
const MR: usize = 2;
/// `f32x4` vectors along a micro-tile's row.
const NV: usize = 4;
/// Columns of a micro-tile (and of a packed panel).
const NR: usize = 4 * NV;

std::thread_local! {
    /// The packed right-hand side, reused across calls.
    static PACKED_RHS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `dst ← lhs · rhs` (`dst` is `[m, n]`, `lhs` `[m, k]`, `rhs` `[k, n]`, elements at
/// `row · rs + col · cs`), when `dst` is contiguous along one of its dimensions and the product
/// suits this kernel: at least 16 rows and 16 columns; fewer than 16 rows when `rhs`'s rows are
/// contiguous (below, packing costs more than it saves, and gemm is faster); fewer than 16
/// columns (an output layer's `n = 2`) with at least 16 rows when `lhs`'s rows or columns are
/// contiguous ([`narrow`]). Returns `false`, writing nothing, otherwise.
///
/// # Safety
/// The pointers and strides must describe valid, non-overlapping matrices of these shapes.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(genlab_relaxed_simd, target_feature(enable = "relaxed-simd"))]
pub unsafe fn gemm(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_cs: isize,
    dst_rs: isize,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    rhs: *const f32,
    rhs_cs: isize,
    rhs_rs: isize,
) -> bool {
    // A column-major product is the transposed row-major one: dstᵀ = rhsᵀ · lhsᵀ.
    let (m, n, dst_rs, lhs, lhs_cs, lhs_rs, rhs, rhs_cs, rhs_rs) = if dst_cs == 1 {
        (m, n, dst_rs, lhs, lhs_cs, lhs_rs, rhs, rhs_cs, rhs_rs)
    } else if dst_rs == 1 {
        (n, m, dst_cs, rhs, rhs_rs, rhs_cs, lhs, lhs_rs, lhs_cs)
    } else {
        return false;
    };
    if k == 0 || (n < NR && m < NR) {
        return false;
    }
    if n < NR {
        return narrow(
            m, n, k, dst, dst_rs, lhs, lhs_cs, lhs_rs, rhs, rhs_cs, rhs_rs,
        );
    }
    if m < NR {
        // Too few rows to repay packing: only when `rhs`'s rows are contiguous, so that its
        // panels can be read in place.
        if rhs_cs != 1 {
            return false;
        }
        thin(m, n, k, dst, dst_rs, lhs, lhs_cs, lhs_rs, rhs, rhs_rs);
        return true;
    }
    PACKED_RHS.with(|packed| {
        let mut packed = packed.borrow_mut();
        let panels = n.div_ceil(NR);
        let packed = reuse(&mut packed, panels * k * NR); // [panels, k, NR]
        pack_rhs(packed, n, k, rhs, rhs_cs, rhs_rs);
        for panel in 0..panels {
            let columns = NR.min(n - panel * NR);
            let packed = packed.as_ptr().add(panel * k * NR); // [k, NR]
            let dst = dst.add(panel * NR);
            panel_rows(
                m,
                k,
                lhs,
                lhs_cs,
                lhs_rs,
                packed,
                NR as isize,
                dst,
                dst_rs,
                columns,
            );
        }
    });
    true
}

/// The product for fewer than [`NR`] rows (a first layer's weight gradient, `xᵀ · ∂z` with
/// `x: [512, 3]`): packing `rhs` copies `k·n` values for only `m·k·n` multiply-adds, so every
/// full panel of `rhs` (its rows contiguous) is read in place, row stride `rhs_rs`, and only a
/// last partial panel is packed (zero-padded).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn thin(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_rs: isize,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    rhs: *const f32,
    rhs_rs: isize,
) {
    let full = n / NR;
    for panel in 0..full {
        let first = rhs.add(panel * NR); // [k, NR], row stride rhs_rs
        let dst = dst.add(panel * NR);
        panel_rows(m, k, lhs, lhs_cs, lhs_rs, first, rhs_rs, dst, dst_rs, NR);
    }
    let columns = n - full * NR;
    if columns > 0 {
        PACKED_RHS.with(|packed| {
            let mut packed = packed.borrow_mut();
            let packed = reuse(&mut packed, k * NR); // [k, NR]
            let last = rhs.add(full * NR);
            pack_rhs(packed, columns, k, last, 1, rhs_rs);
            let dst = dst.add(full * NR);
            panel_rows(
                m,
                k,
                lhs,
                lhs_cs,
                lhs_rs,
                packed.as_ptr(),
                NR as isize,
                dst,
                dst_rs,
                columns,
            );
        });
    }
}

/// All `m` rows of `dst` over one panel of `rhs` (`[k, NR]`, row stride `panel_rs`; `columns` ≤
/// `NR` of its columns written): micro-tiles of [`MR`] rows, then one of a single row.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn panel_rows(
    m: usize,
    k: usize,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    panel: *const f32,
    panel_rs: isize,
    dst: *mut f32,
    dst_rs: isize,
    columns: usize,
) {
    let mut row = 0;
    while row + MR <= m {
        let at = row as isize;
        tile::<MR>(
            k,
            lhs.offset(at * lhs_rs),
            lhs_cs,
            lhs_rs,
            panel,
            panel_rs,
            dst.offset(at * dst_rs),
            dst_rs,
            columns,
        );
        row += MR;
    }
    if row < m {
        let at = row as isize;
        tile::<1>(
            k,
            lhs.offset(at * lhs_rs),
            lhs_cs,
            lhs_rs,
            panel,
            panel_rs,
            dst.offset(at * dst_rs),
            dst_rs,
            columns,
        );
    }
}

/// `a · b + c`, lane by lane: one fused multiply-add in GenLab's relaxed-SIMD module (built with
/// `--cfg genlab_relaxed_simd`: `f32x4.relaxed_madd`, which the engine may round once or twice,
/// within f32's product bound either way), a multiply then an add otherwise. Only this kernel
/// uses relaxed SIMD (enabled on [`gemm`], into which it inlines): the crate-wide
/// `+relaxed-simd` target feature does not compile `macerator` 0.5.2, which Burn's CPU backend
/// uses.
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

/// `ROWS` rows of `dst` (`columns` ≤ `NR` of them) from the same rows of `lhs` and one panel
/// (`[k, NR]`, row stride `panel_rs`: `NR` when packed).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<const ROWS: usize>(
    k: usize,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    panel: *const f32,
    panel_rs: isize,
    dst: *mut f32,
    dst_rs: isize,
    columns: usize,
) {
    let mut sums = [[f32x4_splat(0.0); NV]; ROWS];
    for depth in 0..k {
        let right: [v128; NV] = core::array::from_fn(|v| {
            v128_load(panel.offset(depth as isize * panel_rs + 4 * v as isize) as *const v128)
        });
        for (row, sums) in sums.iter_mut().enumerate() {
            let left = f32x4_splat(*lhs.offset(row as isize * lhs_rs + depth as isize * lhs_cs));
            for (sum, right) in sums.iter_mut().zip(right) {
                *sum = multiply_add(left, right, *sum);
            }
        }
    }
    for (row, sums) in sums.iter().enumerate() {
        let out = dst.offset(row as isize * dst_rs);
        if columns == NR {
            for (v, sum) in sums.iter().enumerate() {
                v128_store(out.add(4 * v) as *mut v128, *sum);
            }
        } else {
            let mut whole = [0.0f32; NR];
            for (v, sum) in sums.iter().enumerate() {
                v128_store(whole.as_mut_ptr().add(4 * v) as *mut v128, *sum);
            }
            core::ptr::copy_nonoverlapping(whole.as_ptr(), out, columns);
        }
    }
}
