//! Numerics that differ between the CPU backend and WebGPU: WGSL's `tanh` may return NaN once
//! `exp(2x)` overflows (gpuweb/gpuweb#4458; cubecl guards it on macOS builds only), so the
//! families bound it with [`saturating_tanh`]; RealNVP's log-density stays finite on WebGPU; the
//! conditional networks' sinusoidal features (built on the host on the CPU backend, by Burn's
//! `sin` and `cos` on WebGPU) match their closed form on both.

use burn::tensor::{Tensor, TensorData};
use genlab::device::current;
use genlab::models::conditional::{FEATURES, conditioned_input};
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

#[wasm_bindgen_test]
async fn conditioned_input_matches_its_closed_form_on_both_backends() {
    let n = 101;
    let times: Vec<f32> = (0..n).map(|i| i as f32 / (n - 1) as f32).collect(); // [n]
    // The host's rows round f64 features once (wasm's libm `sin`/`cos`): half an f32 ulp.
    // WebGPU runs Burn's form: the f32 phase f32(2^k π) · t carries two roundings of at most
    // 32π · 2⁻²⁴ each, and WGSL promises `sin` and `cos` within 2⁻¹¹ (on [−π, π]; the phases reach
    // 32π, where it promises nothing, so this also checks the adapter's range reduction).
    let phase_rounding = 2.0 * 32.0 * std::f64::consts::PI * f64::from(f32::EPSILON) / 2.0;
    let webgpu = 2f64.powi(-11) + phase_rounding;
    for (backend, tolerance) in [("cpu", f64::from(f32::EPSILON) / 2.0), ("webgpu", webgpu)] {
        init_backend(backend.into()).await.expect(backend);
        let (device, _) = current(step_timer).await.unwrap();
        let x = Tensor::<2>::from_data(TensorData::new(vec![0.25f32; 2 * n], [n, 2]), &device);
        let c = Tensor::<2>::from_data(TensorData::new(times.clone(), [n, 1]), &device);
        let rows = conditioned_input(x, c) // [n, 2 + FEATURES]
            .into_data_async()
            .await
            .unwrap()
            .try_into_vec::<f32>()
            .unwrap();
        assert_eq!(rows.len(), n * (2 + FEATURES));
        let frequencies = (FEATURES - 1) / 2;
        for (row, &t) in rows.chunks_exact(2 + FEATURES).zip(&times) {
            assert_eq!((row[0], row[1], row[2]), (0.25, 0.25, t));
            for k in 0..frequencies {
                let phase = f64::from(1u32 << k) * std::f64::consts::PI * f64::from(t);
                for (got, exact) in [
                    (row[3 + k], phase.sin()),
                    (row[3 + frequencies + k], phase.cos()),
                ] {
                    let error = (f64::from(got) - exact).abs();
                    assert!(
                        error <= tolerance,
                        "{backend}: t = {t}, k = {k}: {got} against {exact}"
                    );
                }
            }
        }
    }
    init_backend("cpu".into()).await.unwrap();
}
