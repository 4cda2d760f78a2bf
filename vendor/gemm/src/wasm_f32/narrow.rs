//! The products of [`super::gemm`] with fewer than 16 output columns and at least 16 rows (an
//! output layer), where a 16-column panel would be mostly padding: the transposed thin product
//! when the left-hand side's columns are contiguous, dot products along the depth when its rows
//! are.

use super::{multiply_add, thin, PACKED_RHS};
use core::arch::wasm32::*;
use std::cell::RefCell;

/// Rows of a [`dot_tile`].
const DOT_ROWS: usize = 4;

std::thread_local! {
    /// The transposed output of [`narrow`]'s thin form, reused across calls.
    static TRANSPOSED_DST: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The product for fewer than 16 columns and at least 16 rows (an output layer: `x · W`,
/// `512 × 128 × 2`, and its weight gradient `xᵀ · ∂z`, `128 × 512 × 2`); returns `false`, writing
/// nothing, unless `lhs`'s columns or its rows are contiguous.
/// - Columns contiguous (`lhs_rs == 1`, `xᵀ`): the transposed product `dstᵀ = rhsᵀ · lhsᵀ` has
///   fewer than 16 rows and a right-hand side with contiguous rows, [`thin`](super::thin)'s
///   form; it is computed into a buffer (`[n, m]`) and copied into `dst` transposed.
/// - Rows contiguous (`lhs_cs == 1`, `x`): [`dot`].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) unsafe fn narrow(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_rs: isize,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    rhs: *const f32,
    rhs_cs: isize,
    rhs_rs: isize,
) -> bool {
    if lhs_rs == 1 {
        TRANSPOSED_DST.with(|transposed| {
            let mut transposed = transposed.borrow_mut();
            transposed.clear();
            transposed.resize(n * m, 0.0); // [n, m]
            thin(
                n,
                m,
                k,
                transposed.as_mut_ptr(),
                m as isize,
                rhs,
                rhs_rs,
                rhs_cs,
                lhs,
                lhs_cs,
            );
            for (column, values) in transposed.chunks_exact(m).enumerate() {
                for (row, value) in values.iter().enumerate() {
                    *dst.offset(row as isize * dst_rs + column as isize) = *value;
                }
            }
        });
        true
    } else if lhs_cs == 1 {
        dot(m, n, k, dst, dst_rs, lhs, lhs_rs, rhs, rhs_cs, rhs_rs);
        true
    } else {
        false
    }
}

/// The product for fewer than 16 columns when `lhs`'s rows are contiguous: each output entry
/// a dot product of a row of `lhs` with a column of `rhs` (the columns packed contiguous,
/// `[n, k]`), four depths per `f32x4` lane group, in tiles of [`DOT_ROWS`] rows by two columns
/// (eight accumulators; six loads per eight multiply-adds), the lanes summed at the end and the
/// depths past the last whole vector added one at a time.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn dot(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_rs: isize,
    lhs: *const f32,
    lhs_rs: isize,
    rhs: *const f32,
    rhs_cs: isize,
    rhs_rs: isize,
) {
    PACKED_RHS.with(|packed| {
        let mut packed = packed.borrow_mut();
        packed.clear();
        packed.extend((0..n).flat_map(|column| {
            (0..k).map(move |depth| *rhs.offset(depth as isize * rhs_rs + column as isize * rhs_cs))
        })); // [n, k]
        let packed = packed.as_ptr();
        let mut row = 0;
        while row < m {
            let rows = if row + DOT_ROWS <= m { DOT_ROWS } else { 1 };
            let lhs = lhs.offset(row as isize * lhs_rs);
            let dst = dst.offset(row as isize * dst_rs);
            let mut column = 0;
            while column < n {
                let columns = if column + 2 <= n { 2 } else { 1 };
                let columns_at = packed.add(column * k);
                let dst = dst.add(column);
                match (rows, columns) {
                    (DOT_ROWS, 2) => {
                        dot_tile::<DOT_ROWS, 2>(k, lhs, lhs_rs, columns_at, dst, dst_rs)
                    }
                    (DOT_ROWS, _) => {
                        dot_tile::<DOT_ROWS, 1>(k, lhs, lhs_rs, columns_at, dst, dst_rs)
                    }
                    (_, 2) => dot_tile::<1, 2>(k, lhs, lhs_rs, columns_at, dst, dst_rs),
                    _ => dot_tile::<1, 1>(k, lhs, lhs_rs, columns_at, dst, dst_rs),
                }
                column += columns;
            }
            row += rows;
        }
    });
}

/// `ROWS × COLUMNS` entries of `dst` as dot products of `ROWS` rows of `lhs` (contiguous, row
/// stride `lhs_rs`) with `COLUMNS` packed columns (`[COLUMNS, k]`).
#[inline(always)]
unsafe fn dot_tile<const ROWS: usize, const COLUMNS: usize>(
    k: usize,
    lhs: *const f32,
    lhs_rs: isize,
    columns: *const f32,
    dst: *mut f32,
    dst_rs: isize,
) {
    let whole = k - k % 4;
    let mut sums = [[f32x4_splat(0.0); COLUMNS]; ROWS];
    for depth in (0..whole).step_by(4) {
        let right: [v128; COLUMNS] =
            core::array::from_fn(|c| v128_load(columns.add(c * k + depth) as *const v128));
        for (row, sums) in sums.iter_mut().enumerate() {
            let left = v128_load(lhs.offset(row as isize * lhs_rs).add(depth) as *const v128);
            for (sum, right) in sums.iter_mut().zip(right) {
                *sum = multiply_add(left, right, *sum);
            }
        }
    }
    for (row, sums) in sums.iter().enumerate() {
        let left = lhs.offset(row as isize * lhs_rs);
        for (c, sum) in sums.iter().enumerate() {
            let column = columns.add(c * k);
            let mut total = lanes_sum(*sum);
            for depth in whole..k {
                total += *left.add(depth) * *column.add(depth);
            }
            *dst.offset(row as isize * dst_rs).add(c) = total;
        }
    }
}

/// The sum of a vector's four lanes, `(a₀ + a₂) + (a₁ + a₃)`.
#[inline(always)]
fn lanes_sum(v: v128) -> f32 {
    let pairs = f32x4_add(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
    f32x4_extract_lane::<0>(f32x4_add(pairs, i32x4_shuffle::<1, 0, 3, 2>(pairs, pairs)))
}
