//! The objects `src/web/` builds field by field (evaluations, views, train reports, comparisons,
//! dataset and weights information) have exactly the keys their TypeScript interfaces declare
//! (`src/schema/results.ts`): a key renamed, added or dropped on either side fails here.

use genlab::web::{FlowMatching, Gan, compare_samples, datasets, init_backend, weights_info};
use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use super::api_keys::interface_keys;
use super::{get, options, settle};

/// The keys of a JavaScript object, sorted.
fn keys(value: &JsValue) -> Vec<String> {
    let mut keys: Vec<String> = Object::keys(value.unchecked_ref::<Object>())
        .iter()
        .map(|key| key.as_string().unwrap())
        .collect();
    keys.sort();
    keys
}

fn declared(value: &JsValue, interface: &str) {
    assert_eq!(keys(value), interface_keys(interface), "{interface}");
}

#[wasm_bindgen_test]
async fn built_results_have_the_declared_keys() {
    init_backend("cpu".into()).await.unwrap();
    let lab = FlowMatching::create(options(r#"{"width":8,"batch_size":32}"#))
        .await
        .unwrap();
    declared(
        &settle(lab.train(2.into(), None)).await.unwrap(),
        "TrainReport",
    );
    let evaluation = settle(lab.evaluate(64.into())).await.unwrap();
    declared(&evaluation, "Evaluation");
    declared(&get(&evaluation, "densities"), "DensityMaps");
    declared(&get(&evaluation, "bounds"), "Bounds");
    let view = settle(lab.view("velocity".into(), vec![0.0, 0.0], 0.5))
        .await
        .unwrap();
    declared(&view, "ViewData");
    declared(&lab.backend().unwrap(), "BackendInfo");
    let bytes: Uint8Array = settle(lab.export_weights())
        .await
        .unwrap()
        .dyn_into()
        .unwrap();
    declared(&weights_info(&bytes.to_vec()).unwrap(), "WeightsInfo");
    declared(&Array::from(&datasets().unwrap()).get(0), "DatasetInfo");
    let samples: Vec<f32> = (0..128).map(|k| (k as f32 * 0.37).sin() * 1.5).collect();
    let comparison = compare_samples("moons".into(), &samples, JsValue::UNDEFINED).unwrap();
    declared(&comparison, "Comparison");
    declared(
        &Array::from(&get(&comparison, "divergences")).get(0),
        "Estimate",
    );
    let gan = Gan::create(options(r#"{"width":8,"batch_size":32}"#))
        .await
        .unwrap();
    declared(&Array::from(&gan.actions().unwrap()).get(0), "ActionInfo");
    declared(&Array::from(&gan.views().unwrap()).get(0), "ViewInfo");
}
