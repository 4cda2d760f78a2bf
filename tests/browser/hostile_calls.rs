//! Calls a JavaScript user can get wrong: counts that are not whole numbers in range (never
//! wrapped to 32 bits, rounded or clamped), long `train` calls stopped by an `AbortSignal`
//! while the page keeps running, options that name what was expected and where, and the
//! public compare API's panel for any points, with bad input named.

use std::cell::Cell;
use std::rc::Rc;

use genlab::web::{
    FlowMatching, compare_samples, dataset_sample, density_grid, init_backend, simulate_crash,
};
use js_sys::{Array, Float32Array, Function, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use super::{get, message, options, settle};

async fn small_lab() -> FlowMatching {
    init_backend("cpu".into()).await.unwrap();
    FlowMatching::create(options(r#"{"width":16,"depth":1,"batch_size":32}"#))
        .await
        .unwrap()
}

/// Asserts that `error` names `field` and says that `shown` was given.
fn rejected(error: &JsValue, field: &str, shown: &str) {
    assert_eq!(get(error, "field").as_string().as_deref(), Some(field));
    let text = message(error);
    assert!(text.contains(&format!("got {shown}")), "{text}");
    assert!(text.contains("whole number"), "{text}");
}

/// The values the issue found wrapped, rounded or misreported, and how each must be reported.
fn bad_counts() -> Vec<(JsValue, &'static str)> {
    vec![
        (JsValue::from_f64(4_294_967_297.0), "4294967297"),
        (JsValue::from_f64(1.5), "1.5"),
        (JsValue::from_f64(f64::NAN), "NaN"),
        (JsValue::from_f64(-1.0), "-1"),
        (JsValue::from_str("abc"), "the text \"abc\""),
        (JsValue::UNDEFINED, "nothing (undefined)"),
    ]
}

#[wasm_bindgen_test]
async fn counts_are_rejected_with_the_value_as_given_never_wrapped() {
    let lab = small_lab().await;
    for (value, shown) in bad_counts() {
        let error = settle(lab.train(value.clone(), None)).await.unwrap_err();
        rejected(&error, "steps", shown);
        let error = settle(lab.sample(value.clone())).await.unwrap_err();
        rejected(&error, "n", shown);
        let error = settle(lab.evaluate(value)).await.unwrap_err();
        rejected(&error, "n", shown);
    }
    assert_eq!(lab.step().unwrap(), 0.0, "nothing trained");
    let error = settle(lab.sample(JsValue::from_f64(4_294_967_312.0)))
        .await
        .unwrap_err();
    rejected(&error, "n", "4294967312");
    let error = settle(lab.evaluate(JsValue::from_f64(4_294_967_396.0)))
        .await
        .unwrap_err();
    rejected(&error, "n", "4294967396");
    let error =
        dataset_sample("moons".into(), JsValue::from_f64(4_294_967_306.0), 1.0).unwrap_err();
    rejected(&error, "n", "4294967306");

    let report = settle(lab.train(3.into(), None)).await.unwrap();
    assert_eq!(get(&report, "steps").as_f64(), Some(3.0));
    assert_eq!(get(&report, "cancelled").as_bool(), Some(false));
    assert_eq!(lab.step().unwrap(), 3.0);
}

/// Calls `callback` after `milliseconds` on the event loop.
fn after(milliseconds: i32, callback: impl FnOnce() + 'static) {
    let closure = Closure::once_into_js(callback);
    let set_timeout: Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
        .unwrap()
        .into();
    set_timeout
        .call2(&JsValue::NULL, &closure, &milliseconds.into())
        .unwrap();
}

fn signal_options(controller: &web_abort::Controller) -> Object {
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &controller.signal()).unwrap();
    options
}

/// `AbortController`, bound here so the crate needs no extra `web-sys` feature.
mod web_abort {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// The DOM's `AbortController`.
        #[wasm_bindgen(js_name = AbortController)]
        pub type Controller;
        #[wasm_bindgen(constructor, js_class = "AbortController")]
        pub fn new() -> Controller;
        #[wasm_bindgen(method, getter, js_class = "AbortController")]
        pub fn signal(this: &Controller) -> JsValue;
        #[wasm_bindgen(method, js_class = "AbortController")]
        pub fn abort(this: &Controller);
    }
}

#[wasm_bindgen_test]
async fn the_largest_train_call_keeps_the_page_running_and_stops_on_its_signal() {
    let lab = small_lab().await;
    let controller = Rc::new(web_abort::Controller::new());
    // Timers that can only run if the call yields to the event loop while it trains.
    let ran = Rc::new(Cell::new(0u32));
    for at in [300, 600, 900] {
        let ran = ran.clone();
        after(at, move || ran.set(ran.get() + 1));
    }
    let stopper = controller.clone();
    after(1_500, move || stopper.abort());
    let started = js_sys::Date::now();
    let call = lab.train(100_000.into(), Some(signal_options(&controller)));
    let report = settle(call).await.expect("a cancelled call resolves");
    let elapsed = js_sys::Date::now() - started;
    let steps = get(&report, "steps").as_f64().unwrap();
    assert_eq!(get(&report, "cancelled").as_bool(), Some(true));
    assert!(steps > 0.0 && steps < 100_000.0, "{steps} steps");
    assert_eq!(lab.step().unwrap(), steps, "every step trained is kept");
    assert_eq!(get(&report, "step").as_f64(), Some(steps));
    assert!(
        get(&get(&report, "stats"), "loss")
            .as_f64()
            .unwrap()
            .is_finite()
    );
    // The page ran its timers during the call (a blocked page would run none before it ends),
    // and the abort stopped it within a few 50 ms slices, not after 100 000 steps.
    assert_eq!(ran.get(), 3, "timers run while training");
    assert!(elapsed < 1_500.0 + 2_000.0, "stopped after {elapsed} ms");

    // An already aborted signal trains nothing; a signal that is not one is refused by name.
    let report = settle(lab.train(10.into(), Some(signal_options(&controller))))
        .await
        .unwrap();
    assert_eq!(get(&report, "steps").as_f64(), Some(0.0));
    assert_eq!(get(&report, "cancelled").as_bool(), Some(true));
    let bogus = Object::new();
    Reflect::set(&bogus, &"signal".into(), &5.into()).unwrap();
    let error = settle(lab.train(10.into(), Some(bogus))).await.unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("signal"));
    assert_eq!(lab.step().unwrap(), steps);
}

#[wasm_bindgen_test]
async fn a_call_of_many_slices_without_a_signal_trains_every_step() {
    let lab = small_lab().await;
    let report = settle(lab.train(400.into(), None)).await.unwrap();
    assert_eq!(get(&report, "steps").as_f64(), Some(400.0));
    assert_eq!(get(&report, "step").as_f64(), Some(400.0));
    assert_eq!(lab.step().unwrap(), 400.0);
    assert!(
        get(&get(&report, "stats"), "loss")
            .as_f64()
            .unwrap()
            .is_finite()
    );
}

#[wasm_bindgen_test]
async fn options_errors_say_what_was_expected_and_where() {
    init_backend("cpu".into()).await.unwrap();
    let mixture = options(
        r#"{"dataset":{"kind":"mixture","weights":[1],"means":[[0,0,1]],"covariances":[[1,0,0,1]]}}"#,
    );
    let error = FlowMatching::create(mixture).await.err().unwrap();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("dataset"));
    let text = message(&error);
    assert!(
        text.contains("means[0]: expected 2 numbers [x, y], got 3"),
        "{text}"
    );
    assert!(!text.contains("untagged"), "{text}");

    let deep = format!(
        r#"{{"learning_rate":0.01,"dataset":{}0{}}}"#,
        "[".repeat(300),
        "]".repeat(300)
    );
    let error = FlowMatching::create(options(&deep)).await.err().unwrap();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("dataset"));
    assert!(
        message(&error).contains("nested too deeply"),
        "{}",
        message(&error)
    );

    // A date is not an object of settings: refused by kind, not read as an empty one.
    let error = FlowMatching::create(js_sys::Date::new_0().into())
        .await
        .err()
        .unwrap();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("options"));

    let reversed = options(r#"{"x_min":2,"x_max":-2,"y_min":0,"y_max":1}"#);
    let error = density_grid("moons".into(), reversed, 64.into()).unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("bounds"));
    assert!(
        message(&error).contains("x_min must be below x_max"),
        "{}",
        message(&error)
    );
}

/// The crash hook refuses a kind it does not know, naming it, and crashes nothing (the call
/// returns and the instance trains on).
#[wasm_bindgen_test]
async fn an_unknown_crash_kind_is_refused_and_nothing_crashes() {
    let lab = small_lab().await;
    let error = simulate_crash("segfault").unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("kind"));
    let text = message(&error);
    assert!(
        text.contains(r#"must be "panic" or "trap", got "segfault""#),
        "{text}"
    );
    settle(lab.train(2.into(), None)).await.unwrap();
}

#[wasm_bindgen_test]
fn compare_samples_gives_the_panel_for_any_points_and_names_bad_input() {
    let points = dataset_sample("moons".into(), 500.into(), 4.0)
        .unwrap()
        .to_vec();
    let result = compare_samples("moons".into(), &points, options(r#"{"seed":3}"#)).unwrap();
    let divergences: Array = get(&result, "divergences").dyn_into().unwrap();
    assert_eq!(divergences.length(), 7);
    for estimate in divergences.iter() {
        let floor = get(&estimate, "noise_floor");
        assert!(
            get(&floor, "upper").as_f64().is_some(),
            "a floor distribution"
        );
        assert_eq!(get(&estimate, "model_samples").as_f64(), Some(500.0));
    }
    let data: Float32Array = get(&result, "data").dyn_into().unwrap();
    assert_eq!(data.length(), 1000);
    let again = compare_samples("moons".into(), &points, options(r#"{"seed":3}"#)).unwrap();
    let data_again: Float32Array = get(&again, "data").dyn_into().unwrap();
    assert_eq!(data.to_vec(), data_again.to_vec(), "seeded");

    let mut with_nan = points.clone();
    with_nan[7] = f32::NAN;
    for (dataset, samples, settings, field) in [
        ("moons", &points[..31], "null", "samples"),
        ("moons", &points[..20], "null", "samples"),
        ("moons", &with_nan[..], "null", "samples"),
        ("digits", &points[..], "null", "dataset"),
        ("moons", &points[..], r#"{"seed":-1}"#, "seed"),
        ("moons", &points[..], r#"{"seed":1.5}"#, "seed"),
        ("moons", &points[..], r#"{"sed":1}"#, "sed"),
    ] {
        let error = compare_samples(dataset.into(), samples, options(settings)).unwrap_err();
        assert_eq!(
            get(&error, "field").as_string().as_deref(),
            Some(field),
            "{}",
            message(&error)
        );
    }
}
