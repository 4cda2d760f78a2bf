//! Numerics that differ between the CPU backend and WebGPU: WGSL's `tanh` may return NaN once
//! `exp(2x)` overflows (gpuweb/gpuweb#4458; cubecl guards it on macOS builds only), so the
//! families bound it with [`saturating_tanh`]; RealNVP's log-density stays finite on WebGPU.

use burn::tensor::{Tensor, TensorData};
use genlab::device::current;
use genlab::models::math::saturating_tanh;
use genlab::web::{RealNvp, init_backend, step_timer};
use js_sys::{Array, Float64Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::{get, options, settle};

#[wasm_bindgen_test]
async fn saturating_tanh_is_finite_and_exact_on_webgpu() {
    // `init_backend` first: it runs the module's static constructors (cubecl registers its IR
    // types there), which a direct call into `genlab::device` would skip.
    init_backend("webgpu".into())
        .await
        .expect("a WebGPU adapter");
    let (device, _) = current(step_timer).await.unwrap();
    let inputs = [
        -1.0e4f32, -200.0, -90.0, -45.0, -3.0, -0.5, 0.0, 0.5, 3.0, 45.0, 90.0, 200.0, 1.0e4,
    ];
    let x = Tensor::<1>::from_data(TensorData::from(inputs), &device); // [13]
    let values = saturating_tanh(x)
        .into_data_async()
        .await
        .unwrap()
        .try_into_vec_as::<f32>()
        .unwrap();
    for (input, value) in inputs.iter().zip(values) {
        assert!(
            (value - input.tanh()).abs() < 1e-6,
            "tanh({input}) = {value} on WebGPU"
        );
    }
    init_backend("cpu".into()).await.unwrap();
}

#[wasm_bindgen_test]
async fn real_nvp_log_density_stays_finite_on_webgpu() {
    // The soak's fault: RealNVP at its defaults, evaluated after 30 steps on WebGPU, gave a NaN
    // log-density.
    init_backend("webgpu".into())
        .await
        .expect("a WebGPU adapter");
    let lab = RealNvp::create(options(r#"{"seed":0}"#)).await.unwrap();
    settle(lab.train(30.into(), None))
        .await
        .expect("training succeeds");
    let evaluation = settle(lab.evaluate(500.into()))
        .await
        .expect("the evaluation succeeds");
    let divergences: Array = get(&evaluation, "divergences").dyn_into().unwrap();
    assert!(divergences.length() > 0);
    let model: Float64Array = get(&get(&evaluation, "densities"), "model")
        .dyn_into()
        .unwrap();
    assert!(model.to_vec().iter().all(|v| v.is_finite()));
    init_backend("cpu".into()).await.unwrap();
}
