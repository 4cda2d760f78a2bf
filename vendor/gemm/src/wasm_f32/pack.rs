//! Packing the right-hand side of [`super::gemm`] into panels of [`NR`] columns.
//!
//! A weight gradient's right-hand side (`∂z`, `512 × 128`) is four times a layer's weights, so
//! the packing's own cost shows: every full panel row is copied as [`NV`] vectors (not a `memcpy`
//! call of 16 values), columns contiguous along the depth (`Wᵀ` in `∂x = ∂z · Wᵀ`) are gathered
//! by 4 × 4 transposes, and the buffer is reused without being zero-filled first (only a partial
//! panel's padding is written with zeros).

use super::{NR, NV};
use core::arch::wasm32::*;

/// The first `len` values of `buffer`, growing it (never shrinking it) to hold them. The values
/// are whatever an earlier call left: the caller overwrites all of them.
pub(super) fn reuse(buffer: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
    &mut buffer[..len]
}

/// Copies `rhs` (`[k, n]`, elements at `depth · rhs_rs + column · rhs_cs`) into `packed`, panels
/// of `NR` columns (`[panels, k, NR]`, every value written), the last one padded with zeros.
///
/// # Safety
/// `rhs` must describe a valid `[k, n]` matrix with these strides, and `packed` must hold
/// `n.div_ceil(NR) · k · NR` values.
pub(super) unsafe fn pack_rhs(
    packed: &mut [f32],
    n: usize,
    k: usize,
    rhs: *const f32,
    rhs_cs: isize,
    rhs_rs: isize,
) {
    for (panel, block) in packed.chunks_exact_mut(k * NR).enumerate() {
        let first = panel * NR;
        let columns = NR.min(n - first);
        let rhs = rhs.offset(first as isize * rhs_cs); // the panel's first column
        let transposed = if columns == NR && rhs_rs == 1 {
            transpose_depths(block, k, rhs, rhs_cs)
        } else {
            0
        };
        for (depth, row) in block.chunks_exact_mut(NR).enumerate().skip(transposed) {
            let source = rhs.offset(depth as isize * rhs_rs);
            if columns == NR && rhs_cs == 1 {
                for v in 0..NV {
                    let vector = v128_load(source.add(4 * v) as *const v128);
                    v128_store(row.as_mut_ptr().add(4 * v) as *mut v128, vector);
                }
            } else {
                for (column, value) in row[..columns].iter_mut().enumerate() {
                    *value = *source.offset(column as isize * rhs_cs);
                }
                row[columns..].fill(0.0);
            }
        }
    }
}

/// A full panel's first `4 · ⌊k / 4⌋` rows (`block`: `[k, NR]`) from columns contiguous along the
/// depth (column `c` of the panel at `rhs + c · rhs_cs`): for each 4 depths, each group of 4
/// columns read as 4 vectors and transposed into 4 rows of the panel. Returns the rows written.
#[inline(always)]
unsafe fn transpose_depths(block: &mut [f32], k: usize, rhs: *const f32, rhs_cs: isize) -> usize {
    let whole = k - k % 4;
    for depth in (0..whole).step_by(4) {
        for group in 0..NV {
            let column = |c: usize| {
                let at = depth as isize + (4 * group + c) as isize * rhs_cs;
                v128_load(rhs.offset(at) as *const v128) // 4 depths of column 4·group + c
            };
            let (a, b, c, d) = (column(0), column(1), column(2), column(3));
            let ab_low = i32x4_shuffle::<0, 4, 1, 5>(a, b); // a₀ b₀ a₁ b₁
            let ab_high = i32x4_shuffle::<2, 6, 3, 7>(a, b); // a₂ b₂ a₃ b₃
            let cd_low = i32x4_shuffle::<0, 4, 1, 5>(c, d);
            let cd_high = i32x4_shuffle::<2, 6, 3, 7>(c, d);
            let rows = [
                i64x2_shuffle::<0, 2>(ab_low, cd_low), // a₀ b₀ c₀ d₀
                i64x2_shuffle::<1, 3>(ab_low, cd_low),
                i64x2_shuffle::<0, 2>(ab_high, cd_high),
                i64x2_shuffle::<1, 3>(ab_high, cd_high),
            ];
            for (offset, row) in rows.into_iter().enumerate() {
                let at = block.as_mut_ptr().add((depth + offset) * NR + 4 * group);
                v128_store(at as *mut v128, row);
            }
        }
    }
    whole
}
