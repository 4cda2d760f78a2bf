//! A self-check of the CPU backend's matrix products against an f64 reference. In wasm, GenLab's
//! copy of gemm computes them with its own kernel (`vendor/gemm/src/wasm_f32.rs`) when one side
//! of the output has at least 16 entries and the other too, or an operand is contiguous the way
//! the kernel's form for the narrow side reads it (fewer than 16 rows: the right-hand side's rows;
//! fewer than 16 columns: the left-hand side's rows or columns), with a fused multiply-add in the
//! relaxed-SIMD module; the check covers forward products in the four layouts (`a·b`, `aᵀ·b`,
//! `a·bᵀ`, `aᵀ·bᵀ`) at the families' shapes and at ragged ones on both sides of that threshold,
//! and a layer's two backward products through autodiff. Each entry must be within `k·ε·Σₚ|a·b|`
//! of the exact sum: the bound of a sum of `k` f32 products in any order, fused or not. Natively
//! it checks gemm's own kernels; the browser tests and the end-to-end test run it in each wasm
//! module.

use burn::prelude::*;
use burn::tensor::TensorData;
use serde::Serialize;

/// Products `[m, k, n]` checked in each layout: the families' layers (batch 512, width 128,
/// inputs 3, outputs 2, and the output layer's weight gradient; the conditional networks' 15
/// inputs), the image families' batch 128, and ragged shapes around the kernel's 2 × 16 tiles,
/// its 4 × 2 dot-product tiles and its 16-entry threshold.
pub const SHAPES: [[usize; 3]; 13] = [
    [512, 128, 128],
    [512, 3, 128],
    [512, 128, 2],
    [128, 512, 128],
    [128, 512, 2],
    [37, 9, 5],
    [3, 512, 128],
    [15, 512, 128],
    [33, 7, 17],
    [16, 1, 16],
    [15, 20, 40],
    [47, 65, 31],
    [1, 9, 64],
];

/// What [`check`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProductCheck {
    /// Products compared: every shape in four layouts, and a layer's two backward products.
    pub products: usize,
    /// The largest error of any entry as a fraction of its bound `k·ε·Σₚ|a·b|` (at most 1 passes).
    pub worst: f64,
    /// Each product with an entry past its bound, described; empty when all pass.
    pub failures: Vec<String>,
    /// An FNV-1a hash (per 32-bit word) of every product's bits, in hex: two builds whose products round
    /// differently (a fused multiply-add against a multiply and an add) give different digests.
    pub digest: String,
}

/// An exact product `Σₚ a(i, p)·b(p, j)` of `[m, k]` and `[k, n]`, the operands given as
/// functions of (row, column).
pub struct Reference<A, B> {
    /// The left operand.
    pub a: A,
    /// The right operand.
    pub b: B,
    /// `[m, k, n]`.
    pub shape: [usize; 3],
}

impl<A: Fn(usize, usize) -> f64, B: Fn(usize, usize) -> f64> Reference<A, B> {
    /// The largest error of `got` (`[m, n]`, row-major) as a fraction of each entry's bound
    /// `k·ε·Σₚ|a·b|`, and the entry where it occurs.
    pub fn worst_error(&self, got: &[f32]) -> (f64, [usize; 2]) {
        let [m, k, n] = self.shape;
        let mut worst = (0.0, [0, 0]);
        for i in 0..m {
            for j in 0..n {
                let (exact, scale) = (0..k).fold((0.0, 0.0), |(sum, scale), p| {
                    let term = (self.a)(i, p) * (self.b)(p, j);
                    (sum + term, scale + term.abs())
                });
                let bound = k as f64 * f64::from(f32::EPSILON) * scale + 1e-30;
                let ratio = (f64::from(got[i * n + j]) - exact).abs() / bound;
                if ratio > worst.0 {
                    worst = (ratio, [i, j]);
                }
            }
        }
        worst
    }
}

/// A deterministic `[rows, cols]` matrix with entries in [-1, 1], as f64 and as a tensor.
fn matrix(rows: usize, cols: usize, seed: f64, device: &Device) -> (Vec<f64>, Tensor<2>) {
    let values: Vec<f64> = (0..rows * cols)
        .map(|i| ((i as f64 + seed) * 0.618_034 * seed).sin())
        .map(|x| f64::from(x as f32))
        .collect();
    let data = TensorData::new(values.iter().map(|&x| x as f32).collect(), [rows, cols]);
    (values, Tensor::from_data(data, device))
}

/// Collects each product's worst error into a [`ProductCheck`].
struct Tally {
    products: usize,
    worst: f64,
    failures: Vec<String>,
    /// FNV-1a, a 32-bit word at a time, over the bits of every product so far.
    digest: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            products: 0,
            worst: 0.0,
            failures: Vec::new(),
            digest: FNV_OFFSET,
        }
    }
}

/// FNV-1a's 64-bit offset basis and prime.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Tally {
    fn record<A, B>(&mut self, got: Tensor<2>, reference: &Reference<A, B>, what: &str)
    where
        A: Fn(usize, usize) -> f64,
        B: Fn(usize, usize) -> f64,
    {
        let [m, k, n] = reference.shape;
        self.products += 1;
        let values = got
            .into_data()
            .try_into_vec::<f32>()
            .expect("an f32 product");
        for value in &values {
            self.digest = (self.digest ^ u64::from(value.to_bits())).wrapping_mul(FNV_PRIME);
        }
        let (ratio, [i, j]) = reference.worst_error(&values);
        self.worst = self.worst.max(ratio);
        if ratio > 1.0 {
            self.failures.push(format!(
                "{what} [{m}×{k}×{n}] entry ({i}, {j}): {ratio:.2}× its bound"
            ));
        }
    }
}

/// Checks the matrix products of `device` (Burn's CPU backend) against the f64 reference: every
/// shape of [`SHAPES`] in four layouts, and `∂/∂x = g·Wᵀ`, `∂/∂W = xᵀ·g` of a layer `y = x·W`
/// (batch 512, 128 → 128) through autodiff. Reads tensors back synchronously: the CPU only.
pub fn check(device: &Device) -> ProductCheck {
    let mut tally = Tally::default();
    for [m, k, n] in SHAPES {
        let (a, a_tensor) = matrix(m, k, 1.3, device); // [m, k]
        let (b, b_tensor) = matrix(k, n, 2.9, device); // [k, n]
        let (at, at_tensor) = matrix(k, m, 0.7, device); // [k, m], used transposed
        let (bt, bt_tensor) = matrix(n, k, 3.7, device); // [n, k], used transposed
        let lhs = |i: usize, p: usize| a[i * k + p];
        let rhs = |p: usize, j: usize| b[p * n + j];
        let lhs_t = |i: usize, p: usize| at[p * m + i];
        let rhs_t = |p: usize, j: usize| bt[j * k + p];
        let shape = [m, k, n];
        let product = a_tensor.clone().matmul(b_tensor.clone());
        tally.record(
            product,
            &Reference {
                a: lhs,
                b: rhs,
                shape,
            },
            "a·b",
        );
        let product = at_tensor.clone().transpose().matmul(b_tensor);
        tally.record(
            product,
            &Reference {
                a: lhs_t,
                b: rhs,
                shape,
            },
            "aᵀ·b",
        );
        let product = a_tensor.matmul(bt_tensor.clone().transpose());
        tally.record(
            product,
            &Reference {
                a: lhs,
                b: rhs_t,
                shape,
            },
            "a·bᵀ",
        );
        let product = at_tensor.transpose().matmul(bt_tensor.transpose());
        tally.record(
            product,
            &Reference {
                a: lhs_t,
                b: rhs_t,
                shape,
            },
            "aᵀ·bᵀ",
        );
    }
    check_layer_gradients(device, &mut tally);
    ProductCheck {
        products: tally.products,
        worst: tally.worst,
        failures: tally.failures,
        digest: format!("{:016x}", tally.digest),
    }
}

/// `y = x·W` with the loss `Σ g ⊙ y`: `∂/∂x = g·Wᵀ` and `∂/∂W = xᵀ·g`, the backward products.
fn check_layer_gradients(device: &Device, tally: &mut Tally) {
    let device = device.clone().autodiff();
    let [batch, inputs, outputs] = [512, 128, 128];
    let (x, x_tensor) = matrix(batch, inputs, 1.1, &device); // [batch, inputs]
    let (w, w_tensor) = matrix(inputs, outputs, 2.3, &device); // [inputs, outputs]
    let (g, g_tensor) = matrix(batch, outputs, 0.9, &device); // [batch, outputs]
    let x_tensor = x_tensor.require_grad();
    let w_tensor = w_tensor.require_grad();
    let grads = (x_tensor.clone().matmul(w_tensor.clone()) * g_tensor)
        .sum()
        .backward();
    let dx = x_tensor.grad(&grads).expect("x requires its gradient"); // [batch, inputs]
    let dw = w_tensor.grad(&grads).expect("W requires its gradient"); // [inputs, outputs]
    let g_w = Reference {
        a: |i: usize, p: usize| g[i * outputs + p],
        b: |p: usize, j: usize| w[j * outputs + p],
        shape: [batch, outputs, inputs],
    };
    tally.record(dx, &g_w, "∂/∂x = g·Wᵀ");
    let x_g = Reference {
        a: |i: usize, p: usize| x[p * inputs + i],
        b: |p: usize, j: usize| g[p * outputs + j],
        shape: [inputs, batch, outputs],
    };
    tally.record(dw, &x_g, "∂/∂W = xᵀ·g");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_native_products_pass_the_check() {
        let result = check(&Device::flex());
        assert_eq!(result.products, 4 * SHAPES.len() + 2);
        assert!(result.failures.is_empty(), "{:?}", result.failures);
        assert_eq!(result.digest.len(), 16);
        assert_eq!(
            check(&Device::flex()).digest,
            result.digest,
            "the same products twice"
        );
        assert!(
            result.worst <= 1.0 && result.worst > 0.0,
            "{}",
            result.worst
        );
    }

    #[test]
    fn an_entry_off_by_more_than_its_bound_is_found() {
        // [2, 2] · [2, 2]: entry (1, 0) is 1·3 + 2·4 = 11, its bound 2·ε·11.
        let reference = Reference {
            a: |i: usize, p: usize| [[1.0, 1.0], [1.0, 2.0]][i][p],
            b: |p: usize, j: usize| [[3.0, 1.0], [4.0, 1.0]][p][j],
            shape: [2, 2, 2],
        };
        let exact = [7.0, 2.0, 11.0, 3.0];
        assert_eq!(reference.worst_error(&exact).0, 0.0);
        let mut off = exact;
        off[2] = 11.0 + 3.0 * 2.0 * f32::EPSILON * 11.0;
        let (ratio, at) = reference.worst_error(&off);
        assert_eq!(at, [1, 0]);
        // 3 bounds, to within the rounding of `off` to f32.
        assert!(ratio > 2.5 && ratio < 3.5, "{ratio}");
    }
}
