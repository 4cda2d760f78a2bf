//! The fused layers' work split in two across threads, when the caller runs inside a rayon pool
//! of at least two threads (the threaded CPU module trains inside one; everywhere else, natively
//! included, nothing here splits and the work runs as one call on the calling thread).
//!
//! A matrix product is split into two halves of its output's columns (each half then packs only
//! its half of the right-hand side; split by rows, both would pack all of it, and the products
//! with `k = 512` of the weights' gradients gained nothing), or of its rows when it is too narrow
//! (an output layer), at a multiple of [`ALIGNMENT`] so that each half keeps whole micro-tiles
//! of the gemm kernel; one half runs on the calling thread, one on its sibling (`rayon::join`).
//! Each output entry is the same dot product over the same `k` in both forms (same bits: tested).
//!
//! The passes beside a product (bias and SiLU with its slopes after it; the slopes times the
//! incoming gradient, with the bias's column sums, before its backward) split into two halves of
//! their rows from [`SPLIT_MIN_ENTRIES`] on ([`split_pass`]): each entry keeps its bits; the
//! column sums become the sum of two halves' sums (within rounding: tested).

use std::sync::atomic::{AtomicBool, Ordering};

/// Products with fewer multiply-adds than this run as one call: below it, handing half to the
/// sibling thread costs about what it saves (split at `1 << 20`, RealNVP's 512 × 64 × 64
/// products made its step 0.94× as fast with two threads as with one; bench/threads.mjs). The
/// 2-D families' 512 × 128 × 128 products, forward and backward, are above it.
pub const SPLIT_MIN_MULTIPLY_ADDS: usize = 1 << 22;

/// The split point of a side is a multiple of this (the gemm kernels' tile widths divide it).
pub const ALIGNMENT: usize = 16;

/// Passes over fewer entries than this (the bias and SiLU pass after a product, the slopes'
/// pass before its backward) run as one call. The 2-D families' hidden layers (`512 × 128`
/// outputs) reach it; RealNVP's `512 × 64` do not: split from `1 << 15` on, RealNVP trained at
/// 0.83× and 0.90× the unsplit build in two runs of `node bench/threads.mjs BEFORE_DIST`.
pub const SPLIT_MIN_ENTRIES: usize = 1 << 16;

/// Whether a pass over `entries` values should run in two halves of its rows on two threads:
/// [`two_threads`] and at least [`SPLIT_MIN_ENTRIES`] of them.
pub fn split_pass(entries: usize) -> bool {
    entries >= SPLIT_MIN_ENTRIES && two_threads()
}

/// Whether the calling thread is a worker of a rayon pool with at least two threads (never in
/// a wasm module without threads, whose build then leaves the split out).
pub fn two_threads() -> bool {
    cfg!(any(not(target_arch = "wasm32"), target_feature = "atomics"))
        && rayon::current_thread_index().is_some()
        && rayon::current_num_threads() > 1
}

/// `dst ← lhs · rhs` for row-major `dst` (`[m, n]`, row stride `dst_row_stride`) and strided
/// `lhs` (`[m, k]`) and `rhs` (`[k, n]`): the arguments of one `gemm::gemm` call, as raw parts.
#[derive(Clone, Copy, Debug)]
pub struct ProductCall {
    /// Output rows.
    pub m: usize,
    /// Output columns.
    pub n: usize,
    /// The inner dimension.
    pub k: usize,
    /// The output's first entry; every `[m, n]` entry is written, none read.
    pub dst: *mut f32,
    /// The output's row stride (its column stride is 1).
    pub dst_row_stride: isize,
    /// `lhs`'s first entry.
    pub lhs: *const f32,
    /// `lhs`'s (row, column) strides.
    pub lhs_strides: (isize, isize),
    /// `rhs`'s first entry.
    pub rhs: *const f32,
    /// `rhs`'s (row, column) strides.
    pub rhs_strides: (isize, isize),
}

// SAFETY: a `ProductCall` is only a description; the two halves that `run` hands to two threads
// write disjoint parts of `dst` and only read `lhs` and `rhs`.
unsafe impl Send for ProductCall {}
unsafe impl Sync for ProductCall {}

impl ProductCall {
    /// Runs the product, split in two across the pool when [`two_threads`] and the product is
    /// large enough, else as one call.
    ///
    /// # Safety
    /// Every entry the strides reach from `lhs` (`[m, k]`) and `rhs` (`[k, n]`) must be readable
    /// and every `[m, n]` entry of `dst` writable, with `dst` overlapping neither.
    pub unsafe fn run(self) {
        match two_threads().then(|| self.halves()).flatten() {
            Some((first, second)) => {
                // SAFETY: the halves cover disjoint parts of `dst` within the caller's bounds.
                rayon::join(
                    || unsafe { first.run_whole() },
                    || unsafe { second.run_whole() },
                );
            }
            None => unsafe { self.run_whole() },
        }
    }

    /// The two halves of the output's columns (of its rows when narrower than two
    /// [`ALIGNMENT`]s), or `None` when the product is too small to split.
    pub fn halves(self) -> Option<(ProductCall, ProductCall)> {
        let multiply_adds = self.m.saturating_mul(self.n).saturating_mul(self.k);
        if multiply_adds < SPLIT_MIN_MULTIPLY_ADDS {
            return None;
        }
        let columns = self.n >= 2 * ALIGNMENT;
        let side = if columns { self.n } else { self.m };
        let split = (side / 2) / ALIGNMENT * ALIGNMENT;
        if split == 0 {
            return None;
        }
        let (first, mut second) = (self, self);
        if !columns {
            drop_rows(&mut second, split);
            Some((ProductCall { m: split, ..first }, second))
        } else {
            drop_columns(&mut second, split);
            Some((ProductCall { n: split, ..first }, second))
        }
    }

    /// The product as one gemm call on the calling thread.
    ///
    /// # Safety
    /// As for [`ProductCall::run`].
    pub unsafe fn run_whole(self) {
        // SAFETY: the caller's bounds; with `read_dst` false gemm writes every `[m, n]` entry of
        // `dst` (zeros when `k` is 0) and reads none.
        unsafe {
            gemm::gemm(
                self.m,
                self.n,
                self.k,
                self.dst,
                1,
                self.dst_row_stride,
                false,
                self.lhs,
                self.lhs_strides.1,
                self.lhs_strides.0,
                self.rhs,
                self.rhs_strides.1,
                self.rhs_strides.0,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
}

/// Makes `call` the rows from `skip` on (`lhs`'s and `dst`'s first `skip` rows dropped).
fn drop_rows(call: &mut ProductCall, skip: usize) {
    call.m -= skip;
    call.dst = call
        .dst
        .wrapping_offset(skip as isize * call.dst_row_stride);
    call.lhs = call.lhs.wrapping_offset(skip as isize * call.lhs_strides.0);
}

/// Makes `call` the columns from `skip` on (`rhs`'s and `dst`'s first `skip` columns dropped).
fn drop_columns(call: &mut ProductCall, skip: usize) {
    call.n -= skip;
    call.dst = call.dst.wrapping_add(skip);
    call.rhs = call.rhs.wrapping_offset(skip as isize * call.rhs_strides.1);
}

/// Runs `work` on a worker of the threaded module's pool, its siblings kept awake
/// ([`with_siblings_awake`]), so that the products inside it split with a thread that takes its
/// half at once (the caller, a Web Worker, blocks meanwhile). In every other build, `work` runs
/// on the calling thread.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub fn on_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        with_siblings_awake(work)
    } else {
        rayon::scope(|_| with_siblings_awake(work))
    }
}

/// Runs `work` on the calling pool worker while the pool's other workers poll for work
/// (`rayon::yield_now`) instead of sleeping, until `work` returns. A rayon worker with nothing
/// to do sleeps after a few idle rounds, and a `rayon::join` whose half waits for a sleeper to
/// wake is slower than none; a training step's halves are tens to hundreds of microseconds
/// apart. The pollers are jobs spawned beside `work`; one that the calling worker takes itself
/// (a join may run local jobs while it waits) returns at once. Outside a pool, `work` runs as
/// it is.
pub fn with_siblings_awake<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    let Some(caller) = rayon::current_thread_index() else {
        return work();
    };
    let done = AtomicBool::new(false);
    let done = &done;
    /// Stops the pollers when `work` returns or unwinds (a test's panic must not hang the scope).
    struct Done<'a>(&'a AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
        }
    }
    rayon::scope(move |scope| {
        for _ in 1..rayon::current_num_threads() {
            scope.spawn(move |_| poll_until(done, caller));
        }
        let _done = Done(done);
        work()
    })
}

/// Runs the pool's pending jobs as they come until `done` (at once on the `caller`'s thread).
fn poll_until(done: &AtomicBool, caller: usize) {
    if rayon::current_thread_index() == Some(caller) {
        return;
    }
    while !done.load(Ordering::Acquire) {
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            std::hint::spin_loop();
        }
    }
}

/// Runs `work` on the calling thread (only the threaded module has a pool to run it on).
#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
pub fn on_pool<R>(work: impl FnOnce() -> R) -> R {
    work()
}

/// Runs `work` on the calling thread (`pool` `None`) or on a worker of a fresh rayon pool of
/// that many threads: the tests of the split forms against the whole.
#[cfg(test)]
pub(crate) fn on_test_pool<R: Send>(pool: Option<usize>, work: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| with_siblings_awake(work)),
        None => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in [-1, 1).
    fn values(len: usize, seed: u32) -> Vec<f32> {
        (0..len as u32)
            .map(|i| ((i.wrapping_mul(2_654_435_761) ^ seed) % 2000) as f32 / 1000.0 - 1.0)
            .collect()
    }

    /// `lhs · rhs` for `lhs` `[m, k]` stored row-major or (`transposed`) as its transpose.
    fn product(m: usize, k: usize, n: usize, transposed: bool, pool: Option<usize>) -> Vec<f32> {
        let (lhs, rhs) = (values(m * k, 7), values(k * n, 11));
        let mut out = vec![f32::NAN; m * n];
        let call = ProductCall {
            m,
            n,
            k,
            dst: out.as_mut_ptr(),
            dst_row_stride: n as isize,
            lhs: lhs.as_ptr(),
            lhs_strides: if transposed {
                (1, m as isize)
            } else {
                (k as isize, 1)
            },
            rhs: rhs.as_ptr(),
            rhs_strides: (n as isize, 1),
        };
        // SAFETY: the strides stay within `lhs` (`m · k`), `rhs` (`k · n`) and `out` (`m · n`).
        on_test_pool(pool, || unsafe { call.run() });
        out
    }

    #[test]
    fn two_threads_only_on_a_worker_of_a_pool_of_two() {
        assert!(!two_threads(), "the test's own thread is no pool worker");
        let pool = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        };
        assert!(!pool(1).install(two_threads));
        assert!(pool(2).install(two_threads));
    }

    #[test]
    fn with_siblings_awake_returns_the_result_and_the_sibling_takes_halves_while_it_polls() {
        use std::sync::atomic::AtomicBool;
        use std::time::{Duration, Instant};
        let pool = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        };
        assert_eq!(with_siblings_awake(|| 7), 7, "outside a pool: as it is");
        assert_eq!(
            pool(1).install(|| with_siblings_awake(|| 7)),
            7,
            "a pool of one: the poller the caller takes returns at once"
        );
        // Each half waits for the other to start: they only meet if the polling sibling takes
        // the second half while the caller runs the first (a poller that kept its thread
        // without running the pool's jobs would leave it to the caller, after the first).
        let meet = |mine: &AtomicBool, other: &AtomicBool| {
            mine.store(true, Ordering::SeqCst);
            let start = Instant::now();
            while !other.load(Ordering::SeqCst) {
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "the halves never ran together"
                );
                std::hint::spin_loop();
            }
            rayon::current_thread_index()
        };
        let threads = pool(2).install(|| {
            with_siblings_awake(|| {
                (0..50)
                    .map(|_| {
                        let (first, second) = (AtomicBool::new(false), AtomicBool::new(false));
                        rayon::join(|| meet(&first, &second), || meet(&second, &first))
                    })
                    .collect::<Vec<_>>()
            })
        });
        assert!(
            threads
                .iter()
                .all(|(a, b)| a.is_some() && b.is_some() && a != b)
        );
    }

    #[test]
    fn halves_cover_the_output_along_the_columns_else_the_rows() {
        let call = |m, n, k| ProductCall {
            m,
            n,
            k,
            dst: std::ptr::null_mut(),
            dst_row_stride: n as isize,
            lhs: std::ptr::null(),
            lhs_strides: (k as isize, 1),
            rhs: std::ptr::null(),
            rhs_strides: (n as isize, 1),
        };
        // The layers' forward product: columns, 64 each (the right-hand side packed in halves).
        let (a, b) = call(512, 128, 128).halves().expect("split");
        assert_eq!((a.m, a.n, b.m, b.n), (512, 64, 512, 64));
        assert_eq!(b.dst as usize, 64 * 4);
        assert_eq!(b.rhs as usize, 64 * 4);
        assert_eq!(b.lhs, a.lhs);
        // Odd widths: the boundary on a multiple of 16.
        let (a, b) = call(300, 70, 256).halves().expect("split");
        assert_eq!((a.n, b.n), (32, 38));
        // Too narrow for columns (an MLP's output layer): rows, 2-wide.
        let (a, b) = call(20_000, 2, 128).halves().expect("split");
        assert_eq!((a.m, b.m, b.n), (10_000, 10_000, 2));
        assert_eq!(b.dst as usize, 10_000 * 2 * 4);
        assert_eq!(b.lhs as usize, 10_000 * 128 * 4);
        // Below the size where a split pays: the input and output layers, RealNVP's layers.
        assert!(call(512, 128, 3).halves().is_none());
        assert!(call(512, 2, 128).halves().is_none());
        assert!(call(512, 64, 64).halves().is_none());
        // A size whose multiply-adds overflow `usize` (as 4096³ would in wasm32) still splits.
        let (a, b) = call(usize::MAX / 2, 64, 4).halves().expect("split");
        assert_eq!((a.n, b.n), (32, 32));
    }

    #[test]
    fn a_split_product_has_the_bits_of_the_whole_one() {
        // The fused layers' shapes (forward, ∂x, ∂W with the input transposed) and odd ones.
        for (m, k, n, transposed) in [
            (512, 128, 128, false),
            (512, 128, 128, true),
            (128, 512, 128, true),
            (300, 256, 70, false),
            (20_000, 128, 2, false),
        ] {
            assert!(
                m * k * n >= SPLIT_MIN_MULTIPLY_ADDS,
                "{m}×{k}×{n} would not split"
            );
            let whole = product(m, k, n, transposed, None);
            let split = product(m, k, n, transposed, Some(2));
            assert!(whole.iter().all(|v| v.is_finite()));
            let same = whole
                .iter()
                .zip(&split)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(
                same,
                "{m}×{k}×{n} (transposed {transposed}) differs when split"
            );
        }
    }
}
