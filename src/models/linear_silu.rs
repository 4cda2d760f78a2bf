//! A linear layer followed by SiLU, `silu(x·W + b)`, as one operation on the CPU backend.
//!
//! Composed from Burn's operations, a hidden layer of an MLP is a matrix product, a broadcast
//! bias addition and the activation, each with its own pass over the `[n, d_out]` output, its
//! own buffer and its own autodiff node; the backward pass adds a row sum for the bias and a
//! product by the activation's slope. On `flex`, [`linear_silu`] does the product (GenLab's gemm
//! kernel) and then one pass over its output that adds the bias, applies SiLU in place and keeps
//! the slope `silu′` for the backward pass; that pass ([`LinearSiluBackend`] on
//! `Autodiff<Flex>`) forms `∂L/∂z = ∂L/∂y · silu′` in place in the incoming gradient and sums its
//! rows for `∂L/∂b` in the same loop, then takes `∂L/∂x = ∂L/∂z · Wᵀ` and `∂L/∂W = xᵀ · ∂L/∂z`
//! by two products, only for the inputs autodiff tracks. Elsewhere (WebGPU, a layer without
//! bias, a dtype other than f32) it is Burn's `linear` followed by [`silu`].
//!
//! The extension is Burn's own mechanism for custom operations (`#[backend_extension]`), routed
//! through the runtime `Dispatch` backend; no second derivative passes through it (as for
//! [`silu`]).

use crate::models::activation::{host_path, silu, silu_and_slope};
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, backend_extension};
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::DType;

/// `silu(x·W + b)` for `layer`'s weight `W` (`[d_in, d_out]`) and bias `b`:
/// `[n, d_in]` → `[n, d_out]`; see the module documentation.
pub fn linear_silu(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    let fused = host_path(&x.device()).is_some() && x.dtype() == DType::F32;
    match &layer.bias {
        Some(bias) if fused => Tensor::from_dispatch(<Dispatch as LinearSiluBackend>::linear_silu(
            x.into_dispatch(),
            layer.weight.val().into_dispatch(),
            bias.val().into_dispatch(),
        )),
        _ => silu(layer.forward(x)),
    }
}

/// The fused layer as a backend operation: implemented for `flex` (the value) and for autodiff
/// on `flex` (the value and its backward pass).
#[backend_extension(Flex, Autodiff)]
pub trait LinearSiluBackend: Backend {
    /// `silu(input·weight + bias)`: input `[n, d_in]`, weight `[d_in, d_out]`, bias `[d_out]`,
    /// output `[n, d_out]`.
    fn linear_silu(
        input: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

impl LinearSiluBackend for Flex {
    fn linear_silu(input: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> FlexTensor {
        let product = Flex::float_matmul(input, weight); // [n, d_out]
        activate(product, &bias, None).0
    }
}

/// What the backward pass needs: the input when the weight's gradient is wanted, the weight when
/// the input's is, and the slopes `silu′(x·W + b)` (`[n, d_out]`).
#[derive(Debug, Clone)]
struct Saved {
    input: Option<FlexTensor>,
    weight: Option<FlexTensor>,
    slopes: FlexTensor,
}

/// The backward step of [`LinearSiluBackend::linear_silu`] on autodiff; parents are the input,
/// the weight and the bias.
#[derive(Debug)]
struct LinearSiluBackward;

impl Backward<Flex, 3> for LinearSiluBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Saved, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [input_node, weight_node, bias_node] = ops.parents;
        let Saved {
            input,
            weight,
            slopes,
        } = ops.state;
        let (pre_activation, bias_grad) = through_activation(grads.consume::<Flex>(&ops.node), &slopes);
        if let Some(node) = bias_node {
            grads.register::<Flex>(node.id, bias_grad);
        }
        if let (Some(node), Some(input)) = (weight_node, input) {
            let input_t = Flex::float_transpose(input); // [d_in, n]
            let grad = Flex::float_matmul(input_t, pre_activation.clone()); // [d_in, d_out]
            grads.register::<Flex>(node.id, grad);
        }
        if let (Some(node), Some(weight)) = (input_node, weight) {
            let weight_t = Flex::float_transpose(weight); // [d_out, d_in]
            let grad = Flex::float_matmul(pre_activation, weight_t); // [n, d_in]
            grads.register::<Flex>(node.id, grad);
        }
    }
}

impl<C: CheckpointStrategy> LinearSiluBackend for Autodiff<Flex, C> {
    fn linear_silu(
        input: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let (input_tracked, weight_tracked) = (input.is_tracked(), weight.is_tracked());
        let prepared = LinearSiluBackward
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
                let product = Flex::float_matmul(input.clone(), weight.clone()); // [n, d_out]
                let mut slopes = Vec::new();
                let (output, shape) = activate(product, &bias, Some(&mut slopes));
                let saved = Saved {
                    input: weight_tracked.then_some(input),
                    weight: input_tracked.then_some(weight),
                    slopes: FlexTensor::from_data(TensorData::new(slopes, shape)),
                };
                prep.finish(saved, output)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(<Flex as LinearSiluBackend>::linear_silu(input, weight, bias))
            }
        }
    }
}

/// `product + bias` through SiLU, in place in the product's buffer (`[n, d_out]`, fresh from the
/// matrix product, so not shared); the slopes are written to `slopes` when given. Returns the
/// activations and their shape.
fn activate(
    product: FlexTensor,
    bias: &FlexTensor,
    slopes: Option<&mut Vec<f32>>,
) -> (FlexTensor, Shape) {
    let mut output = contiguous(product);
    let bias = contiguous(bias.clone());
    let bias = bias.as_slice::<f32>().expect("a contiguous f32 bias"); // [d_out]
    let shape = output.layout().shape().clone();
    let values = &mut output.storage_mut::<f32>()[..shape.num_elements()]; // [n · d_out]
    match slopes {
        Some(slopes) => {
            slopes.resize(values.len(), 0.0);
            let rows = values.chunks_exact_mut(bias.len()).zip(slopes.chunks_exact_mut(bias.len()));
            for (row, row_slopes) in rows {
                for ((value, slope), b) in row.iter_mut().zip(row_slopes).zip(bias) {
                    (*value, *slope) = silu_and_slope(*value + b);
                }
            }
        }
        None => {
            for row in values.chunks_exact_mut(bias.len()) {
                for (value, b) in row.iter_mut().zip(bias) {
                    *value = silu_and_slope(*value + b).0;
                }
            }
        }
    }
    (output, shape)
}

/// The gradient through the activation and the bias: `∂L/∂z = ∂L/∂y · slopes` in place in the
/// incoming gradient (`[n, d_out]`) and its column sums `∂L/∂b` (`[d_out]`), in one pass.
fn through_activation(grad: FlexTensor, slopes: &FlexTensor) -> (FlexTensor, FlexTensor) {
    let mut grad = contiguous(grad);
    let shape = grad.layout().shape().clone();
    let width = shape[1];
    let slopes = slopes.as_slice::<f32>().expect("contiguous f32 slopes"); // [n · d_out]
    let mut bias_grad = vec![0.0f32; width]; // [d_out]
    let values = &mut grad.storage_mut::<f32>()[..shape.num_elements()];
    for (row, row_slopes) in values.chunks_exact_mut(width).zip(slopes.chunks_exact(width)) {
        for ((value, slope), sum) in row.iter_mut().zip(row_slopes).zip(&mut bias_grad) {
            *value *= slope;
            *sum += *value;
        }
    }
    let bias_grad = FlexTensor::from_data(TensorData::new(bias_grad, [width]));
    (grad, bias_grad)
}

/// `tensor` with its elements contiguous from the start of its buffer (a copy only when not).
fn contiguous(tensor: FlexTensor) -> FlexTensor {
    if tensor.layout().contiguous_offsets().is_some_and(|(start, _)| start == 0) {
        tensor
    } else {
        tensor.to_contiguous()
    }
}

#[cfg(test)]
#[path = "linear_silu_tests.rs"]
mod tests;
