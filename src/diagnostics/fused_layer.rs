//! A self-check of the fused linear layers (`models::fused_linear`) against Burn's composed
//! `linear(x)` and `silu(linear(x))`: the value and the gradients of the input, the weight and
//! the bias under a weighted sum, both computed on the same device. Natively it covers the fused pass and its
//! backward; in the browser tests it also covers the layer's products through GenLab's wasm
//! kernel (vendor/gemm), which the layer calls itself with its own strides and buffers.

use crate::models::fused_linear;
use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::silu;
use burn::tensor::module::linear;

/// Shapes `[n, d_in, d_out]` checked: a family's hidden layer (batch 512, width 128, so the
/// products take the wasm kernel's 2 × 16 tiles), its first layer (3 inputs), and a ragged one
/// below the kernel's 16-entry threshold and off the SIMD width.
pub const SHAPES: [[usize; 3]; 3] = [[512, 128, 128], [512, 3, 128], [37, 5, 19]];

/// The largest difference [`check`] accepts. The two paths round differently (their
/// exponentials differ by a few ulp; the weight and bias gradients are sums over up to 512 rows
/// in different orders): observed at most 5e-6 natively and 6.6e-6 in headless Chromium (the
/// browser tests' module, which prints its figures), both in the weight gradient (2026-12-03);
/// the wasm modules sum in their kernel's order, with fused multiply-adds in one of them. A
/// slope, bias or gradient off by 0.1 % is caught (mutations of that size gave 1e-3).
pub const TOLERANCE: f32 = 2e-5;

/// The largest difference between the fused and the composed layers, over every shape of
/// [`SHAPES`] with and without SiLU, of each quantity, as `|fused − composed| / (1 + |composed|)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FusedLayerCheck {
    /// The layer's output.
    pub value: f32,
    /// `∂L/∂x`.
    pub input_grad: f32,
    /// `∂L/∂W`.
    pub weight_grad: f32,
    /// `∂L/∂b`.
    pub bias_grad: f32,
}

impl FusedLayerCheck {
    /// The largest of the four differences.
    pub fn worst(&self) -> f32 {
        [
            self.value,
            self.input_grad,
            self.weight_grad,
            self.bias_grad,
        ]
        .into_iter()
        .fold(0.0, f32::max)
    }
}

/// Deterministic, varied entries: `scale · sin(seed + 0.7·i)`, distinct.
pub fn entries(count: usize, seed: f32, scale: f32) -> Vec<f32> {
    (0..count)
        .map(|i| scale * (seed + 0.7 * i as f32).sin() + 0.01 * i as f32 / count as f32)
        .collect()
}

/// A `shape` tensor of `values` on `device`.
pub fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// A layer `d_in → d_out` on `device` with deterministic weights (entries up to 2/√d_in) and bias
/// (up to 0.5).
pub fn layer(d_in: usize, d_out: usize, device: &Device) -> Linear {
    // Weights of the scale of Burn's initialisation for the width, so that the pre-activations
    // stay within a few units and reach both tails of SiLU.
    let scale = 2.0 / (d_in as f32).sqrt();
    Linear {
        weight: Param::from_tensor(tensor(
            entries(d_in * d_out, 0.3, scale),
            [d_in, d_out],
            device,
        )),
        bias: Some(Param::from_tensor(tensor(
            entries(d_out, 1.1, 0.5),
            [d_out],
            device,
        ))),
    }
}

/// `Σ weights ⊙ output`, weights differing entry by entry so every gradient entry differs.
pub fn weighted_sum(output: Tensor<2>) -> Tensor<1> {
    let [n, d] = output.dims();
    let weights = tensor(entries(n * d, 2.0, 1.5), [n, d], &output.device());
    (output * weights).sum()
}

/// The largest `|a − b| / (1 + |b|)` between `fused` and `composed`.
pub fn difference<const D: usize>(fused: Tensor<D>, composed: Tensor<D>) -> f32 {
    let read = |t: Tensor<D>| t.into_data().try_into_vec::<f32>().expect("f32 entries");
    read(fused)
        .iter()
        .zip(read(composed))
        .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
        .fold(0.0, f32::max)
}

/// Checks both fused layers (with and without SiLU) on `device` (the CPU backend; autodiff is
/// added here) at every shape of [`SHAPES`]. Reads tensors back synchronously: the CPU only.
pub fn check(device: &Device) -> FusedLayerCheck {
    let device = device.clone().autodiff();
    let mut worst = FusedLayerCheck::default();
    for ([n, d_in, d_out], with_silu) in SHAPES.into_iter().flat_map(|s| [(s, true), (s, false)]) {
        let layer = layer(d_in, d_out, &device);
        let (weight, bias) = (layer.weight.val(), layer.bias.as_ref().unwrap().val());
        let inputs = entries(n * d_in, 0.0, 3.0);
        let x = tensor(inputs.clone(), [n, d_in], &device).require_grad(); // [n, d_in]
        let x_composed = tensor(inputs, [n, d_in], &device).require_grad(); // [n, d_in]
        let composed = linear(x_composed.clone(), weight.clone(), Some(bias.clone())); // [n, d_out]
        let (fused, composed) = if with_silu {
            (fused_linear::linear_silu(&layer, x.clone()), silu(composed))
        } else {
            (fused_linear::linear(&layer, x.clone()), composed)
        };
        let value = difference(fused.clone(), composed.clone());
        let fused_grads = weighted_sum(fused).backward();
        let composed_grads = weighted_sum(composed).backward();
        let found = FusedLayerCheck {
            value,
            input_grad: difference(
                x.grad(&fused_grads).expect("∂/∂x"),
                x_composed.grad(&composed_grads).expect("∂/∂x"),
            ),
            weight_grad: difference(
                weight.grad(&fused_grads).expect("∂/∂W"),
                weight.grad(&composed_grads).expect("∂/∂W"),
            ),
            bias_grad: difference(
                bias.grad(&fused_grads).expect("∂/∂b"),
                bias.grad(&composed_grads).expect("∂/∂b"),
            ),
        };
        worst = FusedLayerCheck {
            value: worst.value.max(found.value),
            input_grad: worst.input_grad.max(found.input_grad),
            weight_grad: worst.weight_grad.max(found.weight_grad),
            bias_grad: worst.bias_grad.max(found.bias_grad),
        };
    }
    worst
}

#[cfg(test)]
#[path = "fused_layer_tests.rs"]
mod tests;
