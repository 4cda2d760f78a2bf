//! The CPU backend's matrix products in wasm, which GenLab's copy of gemm computes with its own
//! kernel (vendor/gemm/src/wasm_f32.rs) when both sides of the output have at least 16 entries:
//! forward products and the two backward ones (a transposed operand each), at the families'
//! shapes and at ragged ones, against an f64 reference within f32 rounding (`k·ε·Σ|a·b|`).

use burn::prelude::*;
use burn::tensor::TensorData;
use wasm_bindgen_test::*;

/// A deterministic `[rows, cols]` matrix with entries in [-1, 1], as f64 and as a flex tensor.
fn matrix(rows: usize, cols: usize, seed: f64, device: &Device) -> (Vec<f64>, Tensor<2>) {
    let values: Vec<f64> = (0..rows * cols)
        .map(|i| ((i as f64 + seed) * 0.618_034 * seed).sin())
        .map(|x| f64::from(x as f32))
        .collect();
    let data = TensorData::new(values.iter().map(|&x| x as f32).collect(), [rows, cols]);
    (values, Tensor::from_data(data, device))
}

/// Checks `got` (`[m, n]`) against `Σₚ a(i, p)·b(p, j)` in f64: the error at most
/// `k·ε·Σₚ|a·b|` (the bound of a sum of `k` f32 products in any order).
fn assert_product(
    got: Tensor<2>,
    a: impl Fn(usize, usize) -> f64,
    b: impl Fn(usize, usize) -> f64,
    [m, k, n]: [usize; 3],
    what: &str,
) {
    assert_eq!(got.dims(), [m, n], "{what}: shape");
    let got = got.into_data().try_into_vec::<f32>().unwrap();
    for i in 0..m {
        for j in 0..n {
            let (want, scale) = (0..k).fold((0.0, 0.0), |(sum, scale), p| {
                let term = a(i, p) * b(p, j);
                (sum + term, scale + term.abs())
            });
            let error = (f64::from(got[i * n + j]) - want).abs();
            assert!(
                error <= k as f64 * f64::from(f32::EPSILON) * scale + 1e-30,
                "{what} [{m}×{k}×{n}] entry ({i}, {j}): {} against {want}",
                got[i * n + j]
            );
        }
    }
}

#[wasm_bindgen_test]
fn products_and_their_transposes_match_an_f64_reference() {
    let device = Device::flex();
    // The families' layers (batch 512, width 128, inputs 3, outputs 2), the image families'
    // batch 128, and ragged shapes around the kernel's 2 × 16 tiles and its 16-entry threshold.
    let shapes = [
        [512, 128, 128],
        [512, 3, 128],
        [512, 128, 2],
        [128, 512, 128],
        [3, 512, 128],
        [33, 7, 17],
        [16, 1, 16],
        [15, 20, 40],
        [47, 65, 31],
        [1, 9, 64],
    ];
    for [m, k, n] in shapes {
        let (a, a_tensor) = matrix(m, k, 1.3, &device); // [m, k]
        let (b, b_tensor) = matrix(k, n, 2.9, &device); // [k, n]
        let (at, at_tensor) = matrix(k, m, 0.7, &device); // [k, m], used transposed
        let (bt, bt_tensor) = matrix(n, k, 3.7, &device); // [n, k], used transposed
        let lhs = |i: usize, p: usize| a[i * k + p];
        let rhs = |p: usize, j: usize| b[p * n + j];
        let lhs_t = |i: usize, p: usize| at[p * m + i];
        let rhs_t = |p: usize, j: usize| bt[j * k + p];
        let shape = [m, k, n];
        assert_product(
            a_tensor.clone().matmul(b_tensor.clone()),
            lhs,
            rhs,
            shape,
            "a·b",
        );
        assert_product(
            at_tensor.clone().transpose().matmul(b_tensor),
            lhs_t,
            rhs,
            shape,
            "aᵀ·b",
        );
        assert_product(
            a_tensor.matmul(bt_tensor.clone().transpose()),
            lhs,
            rhs_t,
            shape,
            "a·bᵀ",
        );
        assert_product(
            at_tensor.transpose().matmul(bt_tensor.transpose()),
            lhs_t,
            rhs_t,
            shape,
            "aᵀ·bᵀ",
        );
    }
}

#[wasm_bindgen_test]
fn a_layers_gradients_are_the_backward_products() {
    // y = x·W; for the loss Σ g ⊙ y, ∂/∂x = g·Wᵀ and ∂/∂W = xᵀ·g.
    let device = Device::flex().autodiff();
    let [batch, inputs, outputs] = [512, 128, 128];
    let (x, x_tensor) = matrix(batch, inputs, 1.1, &device); // [batch, inputs]
    let (w, w_tensor) = matrix(inputs, outputs, 2.3, &device); // [inputs, outputs]
    let (g, g_tensor) = matrix(batch, outputs, 0.9, &device); // [batch, outputs]
    let x_tensor = x_tensor.require_grad();
    let w_tensor = w_tensor.require_grad();
    let grads = (x_tensor.clone().matmul(w_tensor.clone()) * g_tensor)
        .sum()
        .backward();
    let dx = x_tensor.grad(&grads).unwrap(); // [batch, inputs]
    let dw = w_tensor.grad(&grads).unwrap(); // [inputs, outputs]
    assert_product(
        dx,
        |i, p| g[i * outputs + p],
        |p, j| w[j * outputs + p],
        [batch, outputs, inputs],
        "∂/∂x = g·Wᵀ",
    );
    assert_product(
        dw,
        |i, p| x[p * inputs + i],
        |p, j| g[p * outputs + j],
        [inputs, batch, outputs],
        "∂/∂W = xᵀ·g",
    );
}
