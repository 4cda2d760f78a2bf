//! The fused layer against Burn's composed `silu(linear(x))`: values and all three gradients, on
//! widths that are not multiples of the SIMD width, with and without autodiff, with an untracked
//! weight (the GAN's generator step) and with a non-contiguous input.

use super::*;
use burn::module::Param;
use burn::tensor::activation;
use burn::tensor::module::linear;

/// Deterministic, varied entries: `scale · sin(seed + 0.7·i)` with no two alike.
fn entries(count: usize, seed: f32, scale: f32) -> Vec<f32> {
    (0..count)
        .map(|i| scale * (seed + 0.7 * i as f32).sin() + 0.01 * i as f32 / count as f32)
        .collect()
}

fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

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

/// A layer `d_in → d_out` with deterministic weights on `device`.
fn layer(d_in: usize, d_out: usize, device: &Device) -> Linear {
    Linear {
        weight: Param::from_tensor(tensor(entries(d_in * d_out, 0.3, 0.8), [d_in, d_out], device)),
        bias: Some(Param::from_tensor(tensor(entries(d_out, 1.1, 0.5), [d_out], device))),
    }
}

/// `Σ weights ⊙ output` with weights that differ entry by entry, so that every gradient entry
/// is scaled differently.
fn weighted_sum(output: Tensor<2>) -> Tensor<1> {
    let [n, d] = output.dims();
    let weights = tensor(entries(n * d, 2.0, 1.5), [n, d], &output.device());
    (output * weights).sum()
}

#[test]
fn value_and_all_three_gradients_match_burns_composed_layer() {
    let device = Device::flex().autodiff();
    let (n, d_in, d_out) = (37, 5, 19);
    let layer = layer(d_in, d_out, &device);
    // Entries up to ±6 reach both tails of SiLU.
    let x_values = entries(n * d_in, 0.0, 6.0);
    let x = tensor(x_values.clone(), [n, d_in], &device).require_grad();
    let x_reference = tensor(x_values, [n, d_in], &device).require_grad();

    let fast = linear_silu(&layer, x.clone());
    let weight = layer.weight.val();
    let bias = layer.bias.as_ref().unwrap().val();
    let reference = activation::silu(linear(x_reference.clone(), weight.clone(), Some(bias.clone())));
    assert_close("value", &values(fast.clone()), &values(reference.clone()), 2e-6);

    let fast_grads = weighted_sum(fast).backward();
    let reference_grads = weighted_sum(reference).backward();
    let grad = |t: &Tensor<2>, grads| values(t.grad(grads).expect("a gradient"));
    assert_close("∂/∂x", &grad(&x, &fast_grads), &grad(&x_reference, &reference_grads), 1e-5);
    // The weight's and bias's gradients sum over the 37 rows.
    assert_close("∂/∂W", &grad(&weight, &fast_grads), &grad(&weight, &reference_grads), 1e-5);
    let bias_grad = |grads| values(bias.grad(grads).expect("a bias gradient"));
    assert_close("∂/∂b", &bias_grad(&fast_grads), &bias_grad(&reference_grads), 1e-5);
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
    assert_close(
        "∂/∂x",
        &values(x.grad(&grads).unwrap()),
        &values(x_reference.grad(&reference_grads).unwrap()),
        1e-5,
    );
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
    assert_close(
        "∂/∂W",
        &values(weight.grad(&fast_grads).unwrap()),
        &values(weight.grad(&reference_grads).unwrap()),
        1e-5,
    );
}

#[test]
fn without_autodiff_and_on_a_transposed_input_it_is_the_composed_value() {
    let device = Device::flex();
    let layer = layer(6, 13, &device);
    // A `[6, 10]` tensor transposed: a strided `[10, 6]` view.
    let x = tensor(entries(60, 0.2, 4.0), [6, 10], &device).transpose();
    let fast = values(linear_silu(&layer, x.clone()));
    let reference = values(activation::silu(layer.forward(x)));
    assert_close("value", &fast, &reference, 2e-6);
}

#[test]
fn a_layer_without_bias_takes_burns_composed_path() {
    let device = Device::flex().autodiff();
    let mut layer = layer(5, 8, &device);
    layer.bias = None;
    let x = tensor(entries(20, 0.4, 2.0), [4, 5], &device);
    let fast = values(linear_silu(&layer, x.clone()));
    let reference = values(activation::silu(layer.forward(x)));
    assert_close("value", &fast, &reference, 2e-6);
}
