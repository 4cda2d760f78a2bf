//! Browser tests (`wasm-pack test --headless --chrome --release --test web`): the JavaScript
//! handle trains in Chromium on the CPU backend and on WebGPU.
#![cfg(target_arch = "wasm32")]

use genlab::web::{
    Autoencoder, Diffusion, Ebm, FlowMatching, Gan, Made, Ncsn, RealNvp, ScoreSde, Vae,
    init_backend, weights_info,
};
use js_sys::{Float32Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod api_keys;
#[path = "browser/api_types.rs"]
mod api_types;
#[path = "browser/backend_choice.rs"]
mod backend_choice;
#[path = "browser/hostile_calls.rs"]
mod hostile_calls;
#[path = "browser/images.rs"]
mod images;
#[path = "browser/matrix_products.rs"]
mod matrix_products;
#[path = "browser/numerics.rs"]
mod numerics;
#[path = "browser/user_units.rs"]
mod user_units;

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
    let report = settle(lab.train(steps.into(), None))
        .await
        .expect("training succeeds");
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
    let evaluation = settle(lab.evaluate(500.into())).await.unwrap();
    let samples: Float32Array = get(&evaluation, "samples").dyn_into().unwrap();
    assert_eq!(samples.length(), 1000);
    let divergences: js_sys::Array = get(&evaluation, "divergences").dyn_into().unwrap();
    assert_eq!(
        divergences.length(),
        8,
        "Fisher; smoothed KL, reverse KL, JS, TV; W2, Sinkhorn, MMD²"
    );
    let sliced = divergences
        .iter()
        .find(|e| get(e, "name").as_string().unwrap().starts_with("sliced W2"))
        .unwrap();
    let floor = get(&sliced, "noise_floor");
    let (mean, upper) = (get(&floor, "mean"), get(&floor, "upper"));
    assert!(upper.as_f64().unwrap() >= mean.as_f64().unwrap() && mean.as_f64().unwrap() > 0.0);
    assert_eq!(get(&floor, "draws").as_f64(), Some(8.0));
    let sw2 = get(&sliced, "value").as_f64().unwrap();
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
    let samples: Float32Array = settle(lab.sample(64.into()))
        .await
        .unwrap()
        .dyn_into()
        .unwrap();
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
        (
            r#"{"dataset":{"kind":"points","csv":"0,0\n1,x"}}"#,
            "dataset",
        ),
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
    let error = settle(lab.train(0.into(), None)).await.unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("steps"));
    assert!(loss(&lab, 2).await.is_finite());
    let error = init_backend("quantum".into()).await.unwrap_err();
    assert!(message(&error).contains("backend"));
}

#[wasm_bindgen_test]
fn dataset_functions_answer_from_javascript() {
    let list: js_sys::Array = genlab::web::datasets().unwrap().dyn_into().unwrap();
    assert!(list.length() >= 8, "all FFJORD sets are listed");
    for info in list.iter() {
        let name = get(&info, "name");
        let reference = get(&info, "reference");
        assert!(get(&reference, "density").is_string(), "{name:?}");
        let bounds = get(&info, "bounds");
        let grid = genlab::web::density_grid(name.clone(), bounds.clone(), 64.into()).unwrap();
        assert_eq!(grid.length(), 64 * 64);
        let width =
            get(&bounds, "x_max").as_f64().unwrap() - get(&bounds, "x_min").as_f64().unwrap();
        let height =
            get(&bounds, "y_max").as_f64().unwrap() - get(&bounds, "y_min").as_f64().unwrap();
        let mass: f64 = grid.to_vec().iter().sum::<f64>() * width * height / (64.0 * 64.0);
        assert!((mass - 1.0).abs() < 0.03, "{name:?} integrates to {mass}");
        let a = genlab::web::dataset_sample(name.clone(), 10.into(), 3.0)
            .unwrap()
            .to_vec();
        let b = genlab::web::dataset_sample(name, 10.into(), 3.0)
            .unwrap()
            .to_vec();
        assert_eq!(a, b, "seeded");
    }
    // The exact score of 8 gaussians noised by σ: at the origin, by symmetry, it is zero.
    let score =
        genlab::web::dataset_score("eight_gaussians".into(), &[0.0, 0.0, 1.0, 0.5], 0.3).unwrap();
    assert!(score.get_index(0).abs() < 1e-9 && score.get_index(1).abs() < 1e-9);
    let error = genlab::web::dataset_score("moons".into(), &[0.0, 0.0], 0.3).unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("dataset"));
    let error = genlab::web::density_grid(
        "moons".into(),
        options(r#"{"x_min":0,"x_max":1,"y_min":0,"y_max":1}"#),
        0.into(),
    )
    .unwrap_err();
    assert_eq!(
        get(&error, "field").as_string().as_deref(),
        Some("resolution")
    );
    let points = options(r#"{"kind":"points","csv":"0,0\n1,1\n2,0"}"#);
    assert_eq!(
        genlab::web::dataset_sample(points, 5.into(), 1.0)
            .unwrap()
            .length(),
        10
    );
    let bad = options(r#"{"kind":"points","csv":"0,0\n1,x"}"#);
    let error = genlab::web::dataset_sample(bad, 5.into(), 1.0).unwrap_err();
    assert!(message(&error).contains("line 2"), "{}", message(&error));
    let error = genlab::web::dataset_sample("mnist".into(), 10.into(), 0.0).unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("dataset"));
}

/// Trains a family's handle a few steps on the CPU backend, samples it, evaluates it and computes
/// every one of its views at the points the page would pass.
macro_rules! trains_samples_and_shows_its_views {
    ($test:ident, $class:ident, $options:literal) => {
        #[wasm_bindgen_test]
        async fn $test() {
            init_backend("cpu".into()).await.unwrap();
            let lab = $class::create(options($options)).await.unwrap();
            let report = settle(lab.train(3.into(), None))
                .await
                .expect("training succeeds");
            assert_eq!(get(&report, "step").as_f64(), Some(3.0));
            let stats: js_sys::Object = get(&report, "stats").dyn_into().unwrap();
            let stats = js_sys::Object::values(&stats);
            assert!(stats.iter().all(|v| v.as_f64().is_some_and(f64::is_finite)));
            let samples: Float32Array = settle(lab.sample(50.into()))
                .await
                .unwrap()
                .dyn_into()
                .unwrap();
            assert_eq!(samples.length(), 100);
            let evaluation = settle(lab.evaluate(200.into())).await.unwrap();
            let divergences: js_sys::Array = get(&evaluation, "divergences").dyn_into().unwrap();
            assert!(divergences.length() >= 7);
            let data: Float32Array = get(&evaluation, "data").dyn_into().unwrap();
            let views: js_sys::Array = lab.views().unwrap().dyn_into().unwrap();
            assert!(views.length() >= 1);
            for view in views.iter() {
                let name = get(&view, "name").as_string().unwrap();
                let points = match get(&view, "input").as_string().unwrap().as_str() {
                    "data" => data.to_vec(),
                    "state" => Vec::new(),
                    _ => vec![0.0, 0.0, 0.5, -0.5, 1.0, 1.0],
                };
                let result = settle(lab.view(name.clone(), points, 0.5))
                    .await
                    .expect(&name);
                let values: Float32Array = get(&result, "values").dyn_into().unwrap();
                assert!(values.length() > 0, "{name}");
                assert!(values.to_vec().iter().all(|v| !v.is_nan()), "{name}");
            }
            let error = settle(lab.view("nothing".into(), Vec::new(), 0.0))
                .await
                .unwrap_err();
            assert_eq!(get(&error, "field").as_string().as_deref(), Some("name"));
        }
    };
}

/// One handle test per family that learns points, with small options, and a test that this list
/// names every such family of `schemas()` (image-only families: `browser/images.rs`).
macro_rules! handle_tests {
    ($($test:ident: $class:ident, $options:literal;)*) => {
        $(trains_samples_and_shows_its_views!($test, $class, $options);)*

        #[wasm_bindgen_test]
        fn every_family_that_learns_points_has_a_handle_test() {
            let mut tested = vec![$(stringify!($class)),*];
            tested.sort();
            let schema = genlab::web::schemas().unwrap();
            let mut learns_points: Vec<String> = js_sys::Array::from(&get(&schema, "families"))
                .iter()
                .filter(|family| {
                    js_sys::Array::from(&get(family, "data")).includes(&"points".into(), 0)
                })
                .map(|family| get(&family, "class").as_string().unwrap())
                .collect();
            learns_points.sort();
            assert_eq!(tested, learns_points);
        }
    };
}

handle_tests! {
    autoencoder_handle_works: Autoencoder, r#"{"width":16,"batch_size":32}"#;
    vae_handle_works: Vae, r#"{"width":16,"batch_size":32,"iwae_samples":4}"#;
    gan_handle_works: Gan, r#"{"width":16,"batch_size":32,"loss":"wgan_gp"}"#;
    made_handle_works: Made, r#"{"width":16,"batch_size":32}"#;
    real_nvp_handle_works: RealNvp, r#"{"width":16,"layers":4,"batch_size":32}"#;
    ebm_handle_works: Ebm, r#"{"width":16,"batch_size":32,"langevin_steps":2}"#;
    flow_matching_views_work: FlowMatching, r#"{"width":16,"batch_size":32}"#;
    ncsn_handle_works: Ncsn, r#"{"width":16,"batch_size":32,"levels":4,"steps_per_level":2}"#;
    diffusion_handle_works: Diffusion, r#"{"width":16,"batch_size":32,"diffusion_steps":20}"#;
    score_sde_handle_works: ScoreSde,
        r#"{"width":16,"batch_size":32,"sample_steps":10,"likelihood_steps":2}"#;
}

#[wasm_bindgen_test]
async fn sampling_settings_change_without_retraining_and_reflow_straightens() {
    init_backend("cpu".into()).await.unwrap();
    let lab = Diffusion::create(options(
        r#"{"width":16,"batch_size":32,"diffusion_steps":20}"#,
    ))
    .await
    .unwrap();
    settle(lab.train(2.into(), None)).await.unwrap();
    let all = lab
        .set_sampling(options(r#"{"sampler":"ddim","ddim_steps":5}"#))
        .unwrap();
    assert_eq!(get(&all, "sampler").as_string().as_deref(), Some("ddim"));
    assert_eq!(lab.step().unwrap(), 2.0);
    let error = lab.set_sampling(options(r#"{"width":8}"#)).unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("width"));
    let error = Diffusion::create(options(r#"{"beta_start":0.5,"beta_end":0.1}"#))
        .await
        .err()
        .unwrap();
    assert_eq!(
        get(&error, "field").as_string().as_deref(),
        Some("beta_start")
    );
    let error = Ncsn::create(options(r#"{"sigma_min":2,"sigma_max":1}"#))
        .await
        .err()
        .unwrap();
    assert_eq!(
        get(&error, "field").as_string().as_deref(),
        Some("sigma_min")
    );

    let flow = FlowMatching::create(options(
        r#"{"width":16,"batch_size":32,"coupling":"minibatch_ot"}"#,
    ))
    .await
    .unwrap();
    settle(flow.train(3.into(), None)).await.unwrap();
    let names: Vec<String> = js_sys::Array::from(&flow.actions().unwrap())
        .iter()
        .map(|action| get(&action, "name").as_string().unwrap())
        .collect();
    assert_eq!(names, ["reflow", "measure_straightness"]);
    let reflowed = settle(flow.act("reflow".into())).await.unwrap();
    assert_eq!(get(&get(&reflowed, "stats"), "reflows").as_f64(), Some(1.0));
    assert_eq!(flow.step().unwrap(), 3.0, "a reflow is not a training step");
    settle(flow.train(2.into(), None)).await.unwrap();
    let measured = settle(flow.act("measure_straightness".into()))
        .await
        .unwrap();
    let straightness = get(&get(&measured, "stats"), "straightness")
        .as_f64()
        .unwrap();
    assert!(straightness.is_finite() && straightness >= 0.0);
}

#[wasm_bindgen_test]
async fn the_gan_discriminator_view_carries_the_optimal_discriminator() {
    init_backend("cpu".into()).await.unwrap();
    let lab = Gan::create(options(r#"{"width":16,"batch_size":32}"#))
        .await
        .unwrap();
    let points = vec![0.0, 0.0, 1.0, 0.5, -2.0, 3.0];
    let view = settle(lab.view("discriminator".into(), points, 0.0))
        .await
        .unwrap();
    let truth: Float32Array = get(&view, "truth").dyn_into().expect("D* beside D");
    assert_eq!(truth.length(), 3);
    assert!(truth.to_vec().iter().all(|d| (0.0..=1.0).contains(d)));
    let critic = Gan::create(options(r#"{"width":16,"batch_size":32,"loss":"hinge"}"#))
        .await
        .unwrap();
    let view = settle(critic.view("discriminator".into(), vec![0.0, 0.0], 0.0))
        .await
        .unwrap();
    assert!(get(&view, "truth").is_null(), "a critic has no D*");
    let error = Gan::create(options(r#"{"loss":"wasserstein"}"#))
        .await
        .err()
        .unwrap();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("loss"));
}

/// Trains a family's handle two steps on WebGPU (the software adapter here) and samples it.
macro_rules! trains_and_samples_on_webgpu {
    ($test:ident, $class:ident, $options:literal) => {
        #[wasm_bindgen_test]
        async fn $test() {
            init_backend("webgpu".into())
                .await
                .expect("a WebGPU adapter");
            let lab = $class::create(options($options)).await.unwrap();
            let report = settle(lab.train(2.into(), None))
                .await
                .expect("training succeeds");
            assert_eq!(get(&report, "step").as_f64(), Some(2.0));
            let samples: Float32Array = settle(lab.sample(16.into()))
                .await
                .unwrap()
                .dyn_into()
                .unwrap();
            assert_eq!(samples.length(), 32);
            assert!(samples.to_vec().iter().all(|v| v.is_finite()));
            init_backend("cpu".into()).await.unwrap();
        }
    };
}

trains_and_samples_on_webgpu!(
    made_on_webgpu,
    Made,
    r#"{"width":8,"depth":1,"components":2,"batch_size":16}"#
);

#[wasm_bindgen_test]
async fn fine_steps_and_weights_round_trip_on_webgpu() {
    // Every read here (statistics, weights) must be asynchronous: a synchronous read of a GPU
    // tensor panics in wasm.
    init_backend("webgpu".into())
        .await
        .expect("a WebGPU adapter");
    let settings = r#"{"width":8,"depth":1,"batch_size":16}"#;
    let lab = Gan::create(options(settings)).await.unwrap();
    settle(lab.train(2.into(), None)).await.unwrap();
    let report = settle(lab.act("discriminator_step".into())).await.unwrap();
    assert_eq!(get(&report, "step").as_f64(), Some(3.0));
    assert!(
        get(&get(&report, "stats"), "d_loss")
            .as_f64()
            .unwrap()
            .is_finite()
    );
    let error = settle(lab.act("no_such_step".into())).await.unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("name"));

    let bytes: Uint8Array = settle(lab.export_weights())
        .await
        .unwrap()
        .dyn_into()
        .unwrap();
    let info = weights_info(&bytes.to_vec()).unwrap();
    assert_eq!(get(&info, "family").as_string().as_deref(), Some("gan"));
    assert_eq!(get(&info, "step").as_f64(), Some(3.0));
    let copy = Gan::create(options(settings)).await.unwrap();
    assert_eq!(copy.import_weights(&bytes.to_vec()).unwrap(), 3.0);
    let again: Uint8Array = settle(copy.export_weights())
        .await
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(again.to_vec(), bytes.to_vec());
    let error = copy.import_weights(b"GENLABW1 not really").unwrap_err();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("weights"));
    init_backend("cpu".into()).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_evaluation_carries_the_model_density_beside_the_data_density() {
    init_backend("cpu".into()).await.unwrap();
    let lab = RealNvp::create(options(r#"{"width":8,"depth":1,"layers":2}"#))
        .await
        .unwrap();
    let evaluation = settle(lab.evaluate(64.into())).await.unwrap();
    let maps = get(&evaluation, "densities");
    let resolution = get(&maps, "resolution").as_f64().unwrap() as u32;
    let model: js_sys::Float64Array = get(&maps, "model").dyn_into().unwrap();
    let data: js_sys::Float64Array = get(&maps, "data").dyn_into().unwrap();
    assert_eq!(model.length(), resolution * resolution);
    assert_eq!(data.length(), resolution * resolution);
    let method = get(&maps, "model_method").as_string().unwrap();
    assert!(method.contains("own density"), "{method}");
    let gan = Gan::create(options(r#"{"width":8,"depth":1}"#))
        .await
        .unwrap();
    let maps = get(&settle(gan.evaluate(64.into())).await.unwrap(), "densities");
    let method = get(&maps, "model_method").as_string().unwrap();
    assert!(method.contains("KDE of 64 model samples"), "{method}");
}
