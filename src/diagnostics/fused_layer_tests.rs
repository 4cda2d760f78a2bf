//! The fused layers against Burn's composed `linear(x)` and `silu(linear(x))`: values and all
//! three gradients (the shared check, `diagnostics::fused_layer`), with and without autodiff,
//! with a constant weight (the GAN's generator step), an untracked input and a non-contiguous one.

use super::*;
use crate::models::fused_linear::{linear, linear_silu};
use burn::tensor::activation;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

/// `|a − b| ≤ tolerance · (1 + |b|)` entry by entry.
fn assert_close(what: &str, fast: &[f32], reference: &[f32], tolerance: f32) {
    assert_eq!(fast.len(), reference.len(), "{what}: lengths");
    for (i, (a, b)) in fast.iter().zip(reference).enumerate() {
        assert!(
            (a - b).abs() <= tolerance * (1.0 + b.abs()),
            "{what}[{i}]: {a} against {b}"
        );
    }
}

/// Both gradients present and equal within `1e-5 · (1 + |reference|)`.
fn same_gradient(what: &str, fast: Option<Tensor<2>>, reference: Option<Tensor<2>>) {
    let read = |t: Option<Tensor<2>>| values(t.unwrap_or_else(|| panic!("{what}: no gradient")));
    assert_close(what, &read(fast), &read(reference), 1e-5);
}

/// `linear_silu` and `linear` give Burn's composed values on `x`, within `2e-6 · (1 + |value|)`.
fn same_values_as_burns_layers(layer: &Linear, x: Tensor<2>) {
    let silu_reference = values(activation::silu(layer.forward(x.clone())));
    assert_close(
        "silu",
        &values(linear_silu(layer, x.clone())),
        &silu_reference,
        2e-6,
    );
    let reference = values(layer.forward(x.clone()));
    assert_close("linear", &values(linear(layer, x)), &reference, 2e-6);
}

#[test]
fn values_and_all_three_gradients_match_burns_composed_layers() {
    let found = check(&Device::flex());
    assert!(found.worst() <= TOLERANCE, "{found:?}");
    // Not vacuous: the two paths round differently (their exponentials differ by a few ulp).
    assert!(found.worst() > 0.0, "{found:?}");
}

#[test]
fn a_constant_weight_gets_no_gradient_and_the_input_still_does() {
    // The GAN's generator step holds the discriminator's weights constant.
    let device = Device::flex().autodiff();
    let layer = layer(4, 9, &device).no_grad();
    let x = tensor(entries(24, 0.5, 3.0), [6, 4], &device).require_grad();
    let x_reference = tensor(entries(24, 0.5, 3.0), [6, 4], &device).require_grad();
    let grads = weighted_sum(linear_silu(&layer, x.clone())).backward();
    assert!(layer.weight.val().grad(&grads).is_none());
    assert!(layer.bias.as_ref().unwrap().val().grad(&grads).is_none());
    let reference = activation::silu(layer.forward(x_reference.clone()));
    let reference_grads = weighted_sum(reference).backward();
    same_gradient("∂/∂x", x.grad(&grads), x_reference.grad(&reference_grads));
}

#[test]
fn an_untracked_input_gives_the_parameters_their_gradients() {
    // The first layer's input is data: no gradient is wanted for it.
    let device = Device::flex().autodiff();
    let layer = layer(3, 17, &device);
    let x = tensor(entries(33, 0.9, 2.0), [11, 3], &device);
    let fast_grads = weighted_sum(linear_silu(&layer, x.clone())).backward();
    let reference_grads = weighted_sum(activation::silu(layer.forward(x))).backward();
    let weight = layer.weight.val();
    same_gradient(
        "∂/∂W",
        weight.grad(&fast_grads),
        weight.grad(&reference_grads),
    );
}

#[test]
fn without_autodiff_and_on_a_transposed_input_it_is_the_composed_value() {
    let device = Device::flex();
    let layer = layer(6, 13, &device);
    // A `[6, 10]` tensor transposed: a strided `[10, 6]` view.
    let x = tensor(entries(60, 0.2, 4.0), [6, 10], &device).transpose();
    same_values_as_burns_layers(&layer, x);
}

#[test]
fn a_layer_without_bias_takes_burns_composed_path() {
    let device = Device::flex().autodiff();
    let mut layer = layer(5, 8, &device);
    layer.bias = None;
    let x = tensor(entries(20, 0.4, 2.0), [4, 5], &device);
    same_values_as_burns_layers(&layer, x);
}
