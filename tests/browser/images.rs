//! The image handles in the browser on the CPU backend: each trains on the digits, samples
//! 8×8 images, evaluates the image panel (with the memorisation check) and computes its views.

use genlab::web::{
    ConditionalDiffusion, Diffusion, Gan, ImageGpt, IndependentPixels, PixelCnn, PixelRnn, Vae,
    VqVae, init_backend,
};
use js_sys::{Float32Array, Float64Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::{get, options, settle};

/// The digit classifier's row, on every image panel.
const DOUBT: &str = "digit classifier's doubt on samples";

/// Trains an image handle a few steps, samples it, evaluates it and computes every view.
macro_rules! trains_on_the_digits {
    ($test:ident, $class:ident, $options:literal, $estimates:expr) => {
        #[wasm_bindgen_test]
        async fn $test() {
            init_backend("cpu".into()).await.unwrap();
            let lab = $class::create(options($options)).await.unwrap();
            let report = settle(lab.train(3.into(), None))
                .await
                .expect("training succeeds");
            assert_eq!(get(&report, "step").as_f64(), Some(3.0));
            let samples: Float32Array = settle(lab.sample(4.into()))
                .await
                .unwrap()
                .dyn_into()
                .unwrap();
            assert_eq!(samples.length(), 4 * 64);
            let evaluation = settle(lab.evaluate(32.into())).await.unwrap();
            let images = get(&evaluation, "images");
            assert_eq!(get(&images, "side").as_f64(), Some(8.0));
            assert_eq!(get(&images, "levels").as_f64(), Some(17.0));
            assert!(get(&evaluation, "densities").is_null());
            let divergences: js_sys::Array = get(&evaluation, "divergences").dyn_into().unwrap();
            let names: Vec<String> = divergences
                .iter()
                .map(|e| get(&e, "name").as_string().unwrap())
                .collect();
            assert_eq!(names, $estimates);
            let memorisation = get(&evaluation, "memorisation");
            let model: Float64Array = get(&memorisation, "model").dyn_into().unwrap();
            let held_out: Float64Array = get(&memorisation, "held_out").dyn_into().unwrap();
            assert_eq!((model.length(), held_out.length()), (32, 297));
            assert!(model.to_vec().iter().all(|d| d.is_finite() && *d >= 0.0));
            let data: Float32Array = get(&evaluation, "data").dyn_into().unwrap();
            assert_eq!(data.length(), 32 * 64);
            let views: js_sys::Array = lab.views().unwrap().dyn_into().unwrap();
            for view in views.iter() {
                let name = get(&view, "name").as_string().unwrap();
                let points = match get(&view, "input").as_string().unwrap().as_str() {
                    "data" => data.to_vec(),
                    _ => Vec::new(),
                };
                let result = settle(lab.view(name.clone(), points, 0.5))
                    .await
                    .expect(&name);
                let values: Float32Array = get(&result, "values").dyn_into().unwrap();
                let (rows, columns) = (
                    get(&result, "rows").as_f64().unwrap() as u32,
                    get(&result, "columns").as_f64().unwrap() as u32,
                );
                assert_eq!(values.length(), rows * columns, "{name}");
                if get(&view, "kind").as_string().as_deref() == Some("images") {
                    assert_eq!(columns % 64, 0, "{name}: whole images per tile row");
                }
            }
            let error = settle(lab.evaluate(2000.into())).await.unwrap_err();
            assert_eq!(get(&error, "field").as_string().as_deref(), Some("n"));
        }
    };
}

trains_on_the_digits!(
    pixel_cnn_handle_trains_on_the_digits,
    PixelCnn,
    r#"{"dataset":"digits","channels":4,"layers":1,"batch_size":16}"#,
    ["held-out NLL", "MMD²(held-out, model)", DOUBT]
);
trains_on_the_digits!(
    pixel_rnn_handle_trains_on_the_digits,
    PixelRnn,
    r#"{"dataset":"digits","hidden":8,"batch_size":16}"#,
    ["held-out NLL", "MMD²(held-out, model)", DOUBT]
);
trains_on_the_digits!(
    image_gpt_handle_trains_on_the_digits,
    ImageGpt,
    r#"{"dataset":"digits","width":8,"heads":2,"layers":1,"batch_size":16}"#,
    ["held-out NLL", "MMD²(held-out, model)", DOUBT]
);
trains_on_the_digits!(
    independent_pixels_handle_trains_on_the_digits,
    IndependentPixels,
    r#"{"dataset":"digits","batch_size":16}"#,
    ["held-out NLL", "MMD²(held-out, model)", DOUBT]
);
trains_on_the_digits!(
    vq_vae_handle_trains_on_the_digits,
    VqVae,
    r#"{"dataset":"digits","codes":4,"code_dim":2,"channels":4,"prior_layers":1,"batch_size":16}"#,
    ["held-out NLL", "MMD²(held-out, model)", DOUBT]
);
trains_on_the_digits!(
    conditional_diffusion_handle_trains_on_the_digits,
    ConditionalDiffusion,
    r#"{"dataset":"digits","width":32,"depth":1,"batch_size":16,"diffusion_steps":20,"ddim_steps":5,"digit":"3","guidance":2}"#,
    [
        "held-out NLL",
        "MMD²(held-out, model)",
        DOUBT,
        "samples showing the requested digit",
        "sample variety relative to held-out digits"
    ]
);
trains_on_the_digits!(
    conditional_image_gpt_handle_trains_on_the_digits,
    ImageGpt,
    r#"{"dataset":"digits","width":8,"heads":2,"layers":1,"batch_size":16,"conditional":true,"digit":"7"}"#,
    [
        "held-out NLL",
        "MMD²(held-out, model)",
        DOUBT,
        "samples showing the requested digit",
        "sample variety relative to held-out digits"
    ]
);
trains_on_the_digits!(
    vae_handle_trains_on_the_digits,
    Vae,
    r#"{"dataset":"digits","width":32,"depth":1,"batch_size":16,"iwae_samples":4}"#,
    [
        "held-out NLL",
        "held-out negative ELBO",
        "MMD²(held-out, model)",
        DOUBT
    ]
);
trains_on_the_digits!(
    diffusion_handle_trains_on_the_digits,
    Diffusion,
    r#"{"dataset":"digits","width":32,"depth":1,"batch_size":16,"diffusion_steps":20}"#,
    ["held-out NLL", "MMD²(held-out, model)", DOUBT]
);
trains_on_the_digits!(
    gan_handle_trains_on_the_digits,
    Gan,
    r#"{"dataset":"digits","width":32,"depth":1,"batch_size":16}"#,
    ["MMD²(held-out, model)", DOUBT]
);

#[wasm_bindgen_test]
async fn pairing_a_family_with_the_wrong_data_rejects_naming_the_dataset() {
    init_backend("cpu".into()).await.unwrap();
    let error = PixelCnn::create(options(r#"{"dataset":"moons"}"#))
        .await
        .err()
        .unwrap();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("dataset"));
    let error = genlab::web::Made::create(options(r#"{"dataset":"digits"}"#))
        .await
        .err()
        .unwrap();
    assert_eq!(get(&error, "field").as_string().as_deref(), Some("dataset"));
}
