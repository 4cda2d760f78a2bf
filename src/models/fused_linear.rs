//! Linear layers as one operation each on the CPU backend: `x·W + b`, and `silu(x·W + b)`.
//!
//! Composed from Burn's operations, a hidden layer of an MLP is a matrix product, a broadcast
//! bias addition and the activation, each with its own pass over the `[n, d_out]` output, its
//! own buffer and its own autodiff node; the backward pass adds a row sum for the bias and a
//! product by the activation's slope. On `flex`, [`linear_silu`] and [`linear`] do the product
//! (GenLab's gemm kernel) and then one pass over its output that adds the bias and, for the
//! former, applies SiLU in place and keeps the slope `silu′` for the backward pass. That pass
//! ([`FusedLinearBackend`] on `Autodiff<Flex>`) forms `∂L/∂z = ∂L/∂y · silu′` in place in the
//! incoming gradient and sums its rows for `∂L/∂b` in the same loop, then takes
//! `∂L/∂x = ∂L/∂z · Wᵀ` and `∂L/∂W = xᵀ · ∂L/∂z` by two products, only for the inputs autodiff
//! tracks. Elsewhere (WebGPU, a layer without bias, a dtype other than f32) they are Burn's
//! `linear`, followed by [`silu`] for the former.
//!
//! The extension is Burn's own mechanism for custom operations (`#[backend_extension]`), routed
//! through the runtime `Dispatch` backend; no second derivative passes through it (as for
//! [`silu`]). Its tests, and the self-check the browser tests run, are in
//! `diagnostics::fused_layer`.

use crate::models::activation::{bias_silu_rows, host_computes_f32, silu};
use crate::models::parallel::{self, ProductCall};
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, backend_extension};
use burn::nn::Linear;
use burn::prelude::*;

/// `silu(x·W + b)` for `layer`'s weight `W` (`[d_in, d_out]`) and bias `b`:
/// `[n, d_in]` → `[n, d_out]`; see the module documentation.
pub fn linear_silu(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    fused(layer, x, true, |x| silu(layer.forward(x)))
}

/// `x·W + b` for `layer`'s weight `W` (`[d_in, d_out]`) and bias `b`: `[n, d_in]` → `[n, d_out]`,
/// Burn's `Linear::forward` as one operation on the CPU backend.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    fused(layer, x, false, |x| layer.forward(x))
}

/// The fused operation where it applies (the CPU backend, f32, a bias), else `composed(x)`.
fn fused(
    layer: &Linear,
    x: Tensor<2>,
    silu: bool,
    composed: impl FnOnce(Tensor<2>) -> Tensor<2>,
) -> Tensor<2> {
    let weight = layer.weight.val(); // [d_in, d_out]
    let bias = layer.bias.as_ref().map(|bias| bias.val()); // [d_out]
    match bias {
        Some(bias) if host_computes_f32(&x.device(), [x.dtype(), weight.dtype(), bias.dtype()]) => {
            Tensor::from_dispatch(<Dispatch as FusedLinearBackend>::fused_linear(
                x.into_dispatch(),
                weight.into_dispatch(),
                bias.into_dispatch(),
                silu,
            ))
        }
        _ => composed(x),
    }
}

/// The fused layer as a backend operation: implemented for `flex` (the value) and for autodiff
/// on `flex` (the value and its backward pass).
#[backend_extension(Flex, Autodiff)]
pub trait FusedLinearBackend: Backend {
    /// `input·weight + bias`, through SiLU when `silu`: input `[n, d_in]`, weight
    /// `[d_in, d_out]`, bias `[d_out]`, output `[n, d_out]`.
    fn fused_linear(
        input: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        silu: bool,
    ) -> FloatTensor<Self>;
}

impl FusedLinearBackend for Flex {
    fn fused_linear(
        input: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        silu: bool,
    ) -> FlexTensor {
        let product = product(&input, &weight); // [n, d_out]
        let activation = if silu {
            Activation::Silu(None)
        } else {
            Activation::None
        };
        output_pass(product, &bias, activation).0
    }
}

/// What the output pass applies after adding the bias.
enum Activation<'a> {
    /// Nothing: a plain linear layer.
    None,
    /// SiLU, its slopes written to the vector when given (its contents replaced, `[n · d_out]`).
    Silu(Option<&'a mut Vec<f32>>),
}

/// What the backward pass needs: the input when the weight's gradient is wanted, the weight when
/// the input's is, and the slopes `silu′(x·W + b)` (`[n, d_out]`) when SiLU was applied.
#[derive(Debug, Clone)]
struct Saved {
    input: Option<FlexTensor>,
    weight: Option<FlexTensor>,
    slopes: Option<FlexTensor>,
}

/// The backward step of [`FusedLinearBackend::fused_linear`] on autodiff; parents are the input,
/// the weight and the bias.
#[derive(Debug)]
struct FusedLinearBackward;

impl Backward<Flex, 3> for FusedLinearBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Saved, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [input_node, weight_node, bias_node] = ops.parents;
        let Saved {
            input,
            weight,
            slopes,
        } = ops.state;
        let (pre_activation, bias_grad) =
            through_activation(grads.consume::<Flex>(&ops.node), slopes.as_ref());
        if let Some(node) = bias_node {
            grads.register::<Flex>(node.id, bias_grad);
        }
        if let (Some(node), Some(input)) = (weight_node, input) {
            let input_t = Flex::float_transpose(input); // [d_in, n]
            let grad = product(&input_t, &pre_activation); // [d_in, d_out]
            grads.register::<Flex>(node.id, grad);
        }
        if let (Some(node), Some(weight)) = (input_node, weight) {
            let weight_t = Flex::float_transpose(weight); // [d_out, d_in]
            let grad = product(&pre_activation, &weight_t); // [n, d_in]
            grads.register::<Flex>(node.id, grad);
        }
    }
}

impl<C: CheckpointStrategy> FusedLinearBackend for Autodiff<Flex, C> {
    fn fused_linear(
        input: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        silu: bool,
    ) -> FloatTensor<Self> {
        let (input_tracked, weight_tracked) = (input.is_tracked(), weight.is_tracked());
        let prepared = FusedLinearBackward
            .prepare::<C>([input.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful();
        let (input, weight, bias) = (
            input.into_primitive(),
            weight.into_primitive(),
            bias.into_primitive(),
        );
        match prepared {
            OpsKind::Tracked(prep) => {
                let product = product(&input, &weight); // [n, d_out]
                let mut slopes = Vec::new();
                let activation = if silu {
                    Activation::Silu(Some(&mut slopes))
                } else {
                    Activation::None
                };
                let (output, shape) = output_pass(product, &bias, activation);
                let saved = Saved {
                    input: weight_tracked.then_some(input),
                    weight: input_tracked.then_some(weight),
                    slopes: silu.then(|| FlexTensor::from_data(TensorData::new(slopes, shape))),
                };
                prep.finish(saved, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(<Flex as FusedLinearBackend>::fused_linear(
                input, weight, bias, silu,
            )),
        }
    }
}

/// `product + bias`, then `activation`, in place in the product's buffer (`[n, d_out]`, fresh
/// from the matrix product, so not shared). Returns the output and its shape.
fn output_pass(
    product: FlexTensor,
    bias: &FlexTensor,
    activation: Activation,
) -> (FlexTensor, Shape) {
    let mut output = contiguous(product);
    let bias = contiguous(bias.clone());
    let bias = bias.as_slice::<f32>().expect("a contiguous f32 bias"); // [d_out]
    let shape = output.layout().shape().clone();
    let values = &mut output.storage_mut::<f32>()[..shape.num_elements()]; // [n · d_out]
    match activation {
        Activation::None => {
            for row in values.chunks_exact_mut(bias.len()) {
                row.iter_mut().zip(bias).for_each(|(value, b)| *value += b);
            }
        }
        Activation::Silu(slopes) => bias_silu_rows(values, bias, slopes),
    }
    (output, shape)
}

/// The gradient through the activation and the bias: `∂L/∂z = ∂L/∂y · slopes` in place in the
/// incoming gradient (`[n, d_out]`; `∂L/∂y` itself without slopes) and its column sums `∂L/∂b`
/// (`[d_out]`), in one pass.
fn through_activation(grad: FlexTensor, slopes: Option<&FlexTensor>) -> (FlexTensor, FlexTensor) {
    let mut grad = contiguous(grad);
    let shape = grad.layout().shape().clone();
    let width = shape[1];
    let mut bias_grad = vec![0.0f32; width]; // [d_out]
    match slopes {
        Some(slopes) => {
            let slopes = slopes.as_slice::<f32>().expect("contiguous f32 slopes"); // [n · d_out]
            let values = &mut grad.storage_mut::<f32>()[..shape.num_elements()];
            let rows = values.len() / width.max(1);
            if rows >= 2 && parallel::split_pass(values.len()) {
                // Two halves of the rows on two threads, their column sums added.
                let at = rows / 2 * width;
                let (first, second) = values.split_at_mut(at);
                let (first_slopes, second_slopes) = slopes.split_at(at);
                let (first_sums, second_sums) = rayon::join(
                    || scale_and_sum_columns(first, first_slopes, width),
                    || scale_and_sum_columns(second, second_slopes, width),
                );
                for ((sum, a), b) in bias_grad.iter_mut().zip(first_sums).zip(second_sums) {
                    *sum = a + b;
                }
            } else {
                bias_grad = scale_and_sum_columns(values, slopes, width);
            }
        }
        None => {
            let values = &grad.as_slice::<f32>().expect("a contiguous f32 gradient");
            for row in values.chunks_exact(width) {
                bias_grad
                    .iter_mut()
                    .zip(row)
                    .for_each(|(sum, value)| *sum += value);
            }
        }
    }
    let bias_grad = FlexTensor::from_data(TensorData::new(bias_grad, [width]));
    (grad, bias_grad)
}

/// `values ← values · slopes` entry by entry (both `[rows, width]`, row-major), and the column
/// sums of the result (`[width]`).
fn scale_and_sum_columns(values: &mut [f32], slopes: &[f32], width: usize) -> Vec<f32> {
    let mut sums = vec![0.0f32; width]; // [width]
    let rows = values
        .chunks_exact_mut(width.max(1))
        .zip(slopes.chunks_exact(width.max(1)));
    for (row, row_slopes) in rows {
        for ((value, slope), sum) in row.iter_mut().zip(row_slopes).zip(&mut sums) {
            *value *= slope;
            *sum += *value;
        }
    }
    sums
}

/// The matrix product `lhs · rhs` of two f32 matrices with any strides (`[m, k]`, `[k, n]` →
/// `[m, n]`), by gemm (GenLab's wasm kernel, vendor/gemm) into a fresh buffer; in two halves on
/// two threads when training runs on the threaded module's pool (`models::parallel`). Flex's own
/// product allocates its output zeroed as bytes, which its byte buffer then copies to raise the
/// alignment: two passes over every product's output that this one does not make (the profile in
/// BENCHMARKS.md).
fn product(lhs: &FlexTensor, rhs: &FlexTensor) -> FlexTensor {
    let (lhs_layout, rhs_layout) = (lhs.layout(), rhs.layout());
    let (m, k) = (lhs_layout.shape()[0], lhs_layout.shape()[1]);
    let n = rhs_layout.shape()[1];
    assert_eq!(rhs_layout.shape()[0], k, "product: inner dimensions differ");
    let (lhs_strides, rhs_strides) = (lhs_layout.strides(), rhs_layout.strides());
    let mut output = Vec::<f32>::with_capacity(m * n); // [m · n]
    let call = ProductCall {
        m,
        n,
        k,
        dst: output.as_mut_ptr(),
        dst_row_stride: n as isize,
        lhs: lhs.storage::<f32>()[lhs_layout.start_offset()..].as_ptr(),
        lhs_strides: (lhs_strides[0], lhs_strides[1]),
        rhs: rhs.storage::<f32>()[rhs_layout.start_offset()..].as_ptr(),
        rhs_strides: (rhs_strides[0], rhs_strides[1]),
    };
    // SAFETY: the strides and offsets are the tensors' own, so every entry the product reads
    // lies in their storage; `output` has room for the `m × n` row-major result, every entry of
    // which the product writes (zeros when `k` is 0), so its length can then be set.
    unsafe {
        call.run();
        output.set_len(m * n);
    }
    FlexTensor::from_data(TensorData::new(output, [m, n]))
}

/// `tensor` with its elements contiguous from the start of its buffer (a copy only when not).
pub(crate) fn contiguous(tensor: FlexTensor) -> FlexTensor {
    if tensor
        .layout()
        .contiguous_offsets()
        .is_some_and(|(start, _)| start == 0)
    {
        tensor
    } else {
        tensor.to_contiguous()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gradient through SiLU's slopes and the bias for a hidden layer's `[512, 128]`
    /// outputs, on the calling thread or (`pool`) on a worker of a rayon pool of that many.
    fn backward(pool: Option<usize>) -> (Vec<f32>, Vec<f32>) {
        let (n, d) = (512, 128);
        let grad: Vec<f32> = (0..n * d)
            .map(|i| ((i * 53) % 997) as f32 * 0.002 - 1.0)
            .collect();
        let slopes: Vec<f32> = (0..n * d)
            .map(|i| ((i * 29) % 991) as f32 * 0.0011)
            .collect();
        parallel::on_test_pool(pool, || {
            assert_eq!(parallel::split_pass(n * d), pool == Some(2));
            let grad = FlexTensor::from_data(TensorData::new(grad.clone(), [n, d]));
            let slopes = FlexTensor::from_data(TensorData::new(slopes.clone(), [n, d]));
            let (scaled, sums) = through_activation(grad, Some(&slopes));
            let values = |t: FlexTensor| t.as_slice::<f32>().unwrap().to_vec();
            (values(scaled), values(sums))
        })
    }

    #[test]
    fn the_backward_pass_split_across_two_threads_agrees_with_the_whole() {
        let (whole_scaled, whole_sums) = backward(None);
        let (split_scaled, split_sums) = backward(Some(2));
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&split_scaled),
            bits(&whole_scaled),
            "each entry is one product either way"
        );
        // The column sums add the same 512 terms in another order (two halves, then their sum):
        // each differs from the exact sum by at most (n − 1)·ε·Σ|terms|, so from the other by twice that.
        for column in 0..128 {
            let magnitude: f32 = whole_scaled
                .iter()
                .skip(column)
                .step_by(128)
                .map(|v| v.abs())
                .sum();
            let bound = 2.0 * 511.0 * f32::EPSILON * magnitude;
            let difference = (split_sums[column] - whole_sums[column]).abs();
            assert!(
                difference <= bound,
                "column {column}: {difference} > {bound}"
            );
        }
        // And each split sum lies within one such bound of the exact (f64) sum.
        let first_column = || whole_scaled.iter().step_by(128).map(|v| f64::from(*v));
        let exact: f64 = first_column().sum();
        let magnitude: f64 = first_column().map(f64::abs).sum();
        assert!(
            (f64::from(split_sums[0]) - exact).abs() <= 511.0 * f64::from(f32::EPSILON) * magnitude,
            "{} against {exact}",
            split_sums[0]
        );
    }
}
