//! Browser tests (`wasm-pack test --headless --chrome --release --test web`): the JavaScript
//! handle trains in Chromium on the CPU backend and on WebGPU.
#![cfg(target_arch = "wasm32")]

use genlab::web::{FlowMatching, init_backend};
use js_sys::{Float32Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

async fn settle(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

async fn loss(lab: &FlowMatching, steps: u32) -> f64 {
    let report = settle(lab.train(steps)).await.expect("training succeeds");
    get(&get(&report, "stats"), "loss").as_f64().unwrap()
}

fn message(error: &JsValue) -> String {
    get(error, "message").as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn trains_on_the_cpu_backend_and_the_loss_falls() {
    let info = init_backend("cpu".into()).await.unwrap();
    assert_eq!(get(&info, "backend").as_string().unwrap(), "cpu");
    let lab = FlowMatching::create(options(
        r#"{"dataset":"eight_gaussians","batch_size":256,"learning_rate":0.003,"width":64,"seed":1}"#,
    ))
    .await
    .unwrap();
    let first = loss(&lab, 10).await;
    for _ in 0..10 {
        loss(&lab, 20).await;
    }
    let last = loss(&lab, 20).await;
    assert!(last < 0.8 * first, "loss {first} → {last}");
    assert_eq!(lab.step().unwrap(), 230.0);
    let evaluation = settle(lab.evaluate(500)).await.unwrap();
    let samples: Float32Array = get(&evaluation, "samples").dyn_into().unwrap();
    assert_eq!(samples.length(), 1000);
    let sw2 = get(&get(&evaluation, "sliced_w2"), "value")
        .as_f64()
        .unwrap();
    assert!(sw2 < 0.6, "sliced W2 after 230 steps: {sw2}");
}

#[wasm_bindgen_test]
async fn trains_on_webgpu() {
    // Headless Chromium with --enable-unsafe-webgpu offers a software adapter; forcing WebGPU
    // must take it, and must fail loudly (with the reason) when there is none.
    let info = match init_backend("webgpu".into()).await {
        Ok(info) => info,
        Err(error) => panic!("no usable WebGPU adapter: {}", message(&error)),
    };
    assert_eq!(get(&info, "backend").as_string().unwrap(), "webgpu");
    let lab = FlowMatching::create(options(
        r#"{"batch_size":64,"width":32,"depth":2,"sample_steps":4}"#,
    ))
    .await
    .unwrap();
    let first = loss(&lab, 1).await;
    let second = loss(&lab, 2).await;
    assert!(first.is_finite() && second.is_finite(), "{first} {second}");
    let samples: Float32Array = settle(lab.sample(64)).await.unwrap().dyn_into().unwrap();
    assert_eq!(samples.length(), 128);
    assert_eq!(
        get(&lab.backend().unwrap(), "backend").as_string().unwrap(),
        "webgpu"
    );
    init_backend("cpu".into()).await.unwrap();
}

#[wasm_bindgen_test]
async fn bad_options_reject_naming_the_field_and_the_handle_keeps_working() {
    init_backend("cpu".into()).await.unwrap();
    for (json, field) in [
        (r#"{"learning_rate":-1}"#, "learning_rate"),
        (r#"{"batch_size":0}"#, "batch_size"),
        (r#"{"dataset":"mnist"}"#, "dataset"),
        (r#"{"width":"wide"}"#, "width"),
        (r#"{"lerning_rate":0.1}"#, "lerning_rate"),
    ] {
        let error = FlowMatching::create(options(json)).await.err().expect(json);
        assert_eq!(
            get(&error, "field").as_string().as_deref(),
            Some(field),
            "{json}"
        );
        assert!(message(&error).contains(field), "{}", message(&error));
    }
    let nan = js_sys::Object::new();
    Reflect::set(&nan, &"learning_rate".into(), &f64::NAN.into()).unwrap();
    let error = FlowMatching::create(nan.into()).await.err().unwrap();
    assert_eq!(
        get(&error, "field").as_string().as_deref(),
        Some("learning_rate")
    );

    let lab = FlowMatching::create(options(r#"{"width":16,"depth":1,"batch_size":32}"#))
        .await
        .unwrap();
    let error = settle(lab.train(0)).await.unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("steps"));
    assert!(loss(&lab, 2).await.is_finite());
    let error = init_backend("quantum".into()).await.unwrap_err();
    assert!(message(&error).contains("backend"));
}
