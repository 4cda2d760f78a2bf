//! Data in the user's units, in the browser: a RealNVP lab on a mixture and one, with the same
//! seed, on the same mixture ×15 shifted by (40, −25) are the same model through the map, on the
//! CPU backend and on WebGPU (where the map back runs on the device).

use super::{get, options, settle};
use genlab::web::{RealNvp, init_backend};
use js_sys::{Array, Float32Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

const SCALE: f32 = 15.0;
const SHIFT: [f32; 2] = [40.0, -25.0];

/// A RealNVP lab's options on the correlated mixture mapped by `x ↦ scale·x + shift`.
fn lab_options(scale: f32, shift: [f32; 2]) -> String {
    let mean = |m: [f32; 2]| format!("[{}, {}]", scale * m[0] + shift[0], scale * m[1] + shift[1]);
    let cov = |c: [f32; 4]| {
        let c = c.map(|v| scale * scale * v);
        format!("[{}, {}, {}, {}]", c[0], c[1], c[2], c[3])
    };
    format!(
        r#"{{"dataset": {{"kind": "mixture", "weights": [0.5, 0.3, 0.2],
            "means": [{}, {}, {}], "covariances": [{}, {}, {}]}},
            "width": 32, "batch_size": 128, "seed": 5}}"#,
        mean([-1.5, 0.0]),
        mean([1.5, 1.0]),
        mean([0.5, -2.0]),
        cov([0.6, 0.45, 0.45, 0.6]),
        cov([0.3, -0.15, -0.15, 0.4]),
        cov([0.2, 0.0, 0.0, 0.8]),
    )
}

fn to_user(points: &[f32]) -> Vec<f32> {
    points
        .chunks_exact(2)
        .flat_map(|p| [SCALE * p[0] + SHIFT[0], SCALE * p[1] + SHIFT[1]])
        .collect()
}

fn floats(value: wasm_bindgen::JsValue) -> Vec<f32> {
    value.dyn_into::<Float32Array>().unwrap().to_vec()
}

fn sliced_w2(evaluation: &wasm_bindgen::JsValue) -> f64 {
    let divergences: Array = get(evaluation, "divergences").dyn_into().unwrap();
    let row = divergences
        .iter()
        .find(|e| get(e, "name").as_string().unwrap().starts_with("sliced W2"))
        .unwrap();
    get(&row, "value").as_f64().unwrap()
}

#[wasm_bindgen_test]
async fn a_lab_on_data_in_other_units_is_the_same_model_on_both_backends() {
    for backend in ["cpu", "webgpu"] {
        init_backend(backend.into()).await.unwrap();
        let plain = RealNvp::create(options(&lab_options(1.0, [0.0, 0.0])))
            .await
            .unwrap();
        let scaled = RealNvp::create(options(&lab_options(SCALE, SHIFT)))
            .await
            .unwrap();
        for lab in [&plain, &scaled] {
            settle(lab.train(30.into(), None)).await.unwrap();
        }
        let a = floats(settle(plain.sample(256.into())).await.unwrap());
        let b = floats(settle(scaled.sample(256.into())).await.unwrap());
        let worst = to_user(&a)
            .iter()
            .zip(&b)
            .fold(0.0_f32, |m, (x, y)| m.max((x - y).abs()));
        assert!(
            worst < 0.05,
            "{backend}: samples differ through the map by {worst}"
        );

        let points = [-1.0_f32, 0.5, 0.5, 1.0, 1.0, -1.0];
        let view = |lab: &RealNvp, points: Vec<f32>| lab.view("log_density".into(), points, 0.0);
        let log_a = floats(get(
            &settle(view(&plain, points.to_vec())).await.unwrap(),
            "values",
        ));
        let log_b = floats(get(
            &settle(view(&scaled, to_user(&points))).await.unwrap(),
            "values",
        ));
        for (x, y) in log_a.iter().zip(&log_b) {
            let expected = x - 2.0 * SCALE.ln();
            assert!(
                (y - expected).abs() < 1e-3,
                "{backend}: log p {y}, expected {expected}"
            );
        }

        let (ea, eb) = (
            settle(plain.evaluate(500.into())).await.unwrap(),
            settle(scaled.evaluate(500.into())).await.unwrap(),
        );
        let (wa, wb) = (sliced_w2(&ea), sliced_w2(&eb));
        assert!(
            (wb - SCALE as f64 * wa).abs() < 0.01 * wb,
            "{backend}: sliced W2 {wa} and {wb} (×{SCALE} expected)"
        );
    }
}
