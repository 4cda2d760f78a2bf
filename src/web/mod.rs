//! The JavaScript boundary (wasm32 only): type conversion, nothing else.
//!
//! Exported to JavaScript: [`init_backend`], [`datasets`], [`dataset_sample`], [`density_grid`],
//! [`dataset_score`], and one class per model family (see [`families`]). Numbers, typed arrays
//! and plain option objects cross the boundary; every failure is a JavaScript `Error` whose
//! message names the field at fault.

mod convert;
mod families;
mod lab;

use js_sys::{Float32Array, Float64Array};
use wasm_bindgen::prelude::*;

use crate::data::{Bounds, DataSource, Dataset, DatasetSpec, seeded_rng};
use crate::device::{self, BackendPreference};
use crate::options::{OptionError, check_range};

pub use families::*;

unsafe extern "C" {
    /// The static constructors wasm-ld gathers (the `inventory` registrations of cubecl's
    /// dependencies). Left unreferenced, wasm-ld treats the module as a command and wraps
    /// *every* export in a call to it: 0.13 ms per boundary call, each re-running every
    /// registration. Calling it once from [`start`] makes the module a reactor.
    fn __wasm_call_ctors();
}

/// Runs the static constructors once, then installs the panic hook so that a Rust panic
/// reaches the console with its message.
#[wasm_bindgen(start)]
pub fn start() {
    // SAFETY: wasm-bindgen runs the start function once per instance, before any other export;
    // no constructor has run yet (an explicit reference stops wasm-ld from inserting calls).
    unsafe { __wasm_call_ctors() };
    console_error_panic_hook::set_once();
}

/// Chooses the backend for labs created from now on: `"auto"` (default), `"cpu"` or `"webgpu"`.
/// Resolves to `{ backend, adapter, reason }`; rejects when `"webgpu"` is forced and cannot run.
#[wasm_bindgen(js_name = initBackend, unchecked_return_type = "Promise<BackendInfo>")]
pub async fn init_backend(
    #[wasm_bindgen(unchecked_param_type = "\"auto\" | \"cpu\" | \"webgpu\" | undefined")]
    preference: JsValue,
) -> Result<JsValue, JsValue> {
    let preference: BackendPreference = if preference.is_undefined() || preference.is_null() {
        BackendPreference::Auto
    } else {
        let json = convert::to_json(&preference).map_err(|e| convert::option_error(&e))?;
        serde_json::from_value(json).map_err(|_| {
            convert::option_error(&OptionError::new(
                "backend",
                "must be \"auto\", \"cpu\" or \"webgpu\"",
            ))
        })?
    };
    let (_, info) = device::select(preference)
        .await
        .map_err(|e| convert::error(&e))?;
    convert::to_js(&info)
}

/// Every dataset with its metadata: `[{ name, dim, bounds, reference }]`, where `reference`
/// says whether the density and score are exact, numerical or unavailable, and how.
#[wasm_bindgen(unchecked_return_type = "DatasetInfo[]")]
pub fn datasets() -> Result<JsValue, JsValue> {
    let list: Vec<serde_json::Value> = Dataset::ALL
        .iter()
        .map(|set| {
            serde_json::json!({
                "name": set.name(), "dim": set.dim(), "bounds": set.bounds(),
                "reference": set.reference(),
            })
        })
        .collect();
    convert::to_js(&list)
}

/// The dataset's reference density at the cells of a `resolution × resolution` grid over
/// `bounds` (cell averages, row-major, first row at the lowest y).
#[wasm_bindgen(js_name = densityGrid)]
pub fn density_grid(
    #[wasm_bindgen(unchecked_param_type = "DatasetSpec")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Bounds")] bounds: JsValue,
    resolution: u32,
) -> Result<Float64Array, JsValue> {
    let set = dataset(&name)?;
    let json = convert::to_json(&bounds).map_err(|e| convert::option_error(&e))?;
    let bounds: Bounds = serde_json::from_value(json)
        .map_err(|e| convert::option_error(&OptionError::new("bounds", e.to_string())))?;
    let grid = set
        .density_grid(bounds, resolution as usize)
        .ok_or_else(|| {
            let why = "this dataset has no reference density grid (raw points: their KDE is the \
                       evaluation's; images: none)";
            convert::option_error(&OptionError::new("dataset", why))
        })?
        .map_err(|e| convert::option_error(&OptionError::new("resolution", e.to_string())))?;
    Ok(Float64Array::from(grid.values.as_slice()))
}

/// The exact score `∇log p_σ` of the dataset convolved with `N(0, σ²I)` at row-major points
/// `[n, 2]`; rejects sets without an exact score.
#[wasm_bindgen(js_name = datasetScore)]
pub fn dataset_score(
    #[wasm_bindgen(unchecked_param_type = "DatasetSpec")] name: JsValue,
    points: &[f32],
    sigma: f64,
) -> Result<Float64Array, JsValue> {
    let set = dataset(&name)?;
    let mixture = set.mixture().ok_or_else(|| {
        let why = format!("{} has no exact score", set.name());
        convert::option_error(&OptionError::new("dataset", why))
    })?;
    check_range("sigma", sigma, 0.0, 100.0).map_err(|e| convert::option_error(&e))?;
    if points.len() % 2 != 0 || points.iter().any(|v| !v.is_finite()) {
        let why = "must be finite [x, y] pairs";
        return Err(convert::option_error(&OptionError::new("points", why)));
    }
    let noised = mixture.noised(sigma);
    let scores: Vec<f64> = points
        .chunks_exact(2)
        .flat_map(|p| noised.score([p[0] as f64, p[1] as f64]))
        .collect();
    Ok(Float64Array::from(scores.as_slice()))
}

/// A data source from a name (`"moons"`) or a custom-set object, built and validated.
fn dataset(spec: &JsValue) -> Result<DataSource, JsValue> {
    let json = convert::to_json(spec).map_err(|e| convert::option_error(&e))?;
    let spec: DatasetSpec = serde_json::from_value(json).map_err(|_| {
        let names: Vec<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
        let why = format!(
            "expected one of {}, digits or {{kind: \"mixture\" | \"points\", ...}}",
            names.join(", ")
        );
        convert::option_error(&OptionError::new("dataset", why))
    })?;
    spec.build()
        .map_err(|e| convert::option_error(&OptionError::new("dataset", e.to_string())))
}

/// `n` seeded samples of a dataset, row-major `[n, dim]`.
#[wasm_bindgen(js_name = datasetSample)]
pub fn dataset_sample(
    #[wasm_bindgen(unchecked_param_type = "DatasetSpec")] name: JsValue,
    n: u32,
    seed: f64,
) -> Result<Float32Array, JsValue> {
    let set = dataset(&name)?;
    check_range("n", n, 1, 1 << 20).map_err(|e| convert::option_error(&e))?;
    check_range("seed", seed, 0.0, 2f64.powi(53)).map_err(|e| convert::option_error(&e))?;
    let points = set.sample(n as usize, &mut seeded_rng(seed as u64));
    Ok(Float32Array::from(points.as_slice()))
}

/// What a weights file says about itself (`{ family, options, step, shapes }`), checked but
/// not loaded: the page builds a lab from `options`, then calls its `importWeights`.
#[wasm_bindgen(js_name = weightsInfo, unchecked_return_type = "WeightsInfo")]
pub fn weights_info(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let file = crate::session::WeightsFile::decode(bytes)
        .map_err(|why| convert::option_error(&OptionError::new("weights", why)))?;
    convert::to_js(&file.header)
}
