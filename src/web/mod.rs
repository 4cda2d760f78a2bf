//! The JavaScript boundary (wasm32 only): type conversion, nothing else.
//!
//! Exported to JavaScript: [`init_backend`], [`datasets`], [`dataset_sample`], and one class per
//! model family (see [`families`]). Numbers, `Float32Array`s and plain option objects cross the
//! boundary; every failure is a JavaScript `Error` whose message names the field at fault.

mod convert;
mod families;
mod lab;

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use crate::data::{Dataset, seeded_rng};
use crate::device::{self, BackendPreference};
use crate::options::{OptionError, check_range};

pub use families::*;

/// Installs the panic hook so that a Rust panic reaches the console with its message.
#[wasm_bindgen(start)]
pub fn start() {
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

/// Every dataset with its metadata: `[{ name, dim, bounds }]`.
#[wasm_bindgen(unchecked_return_type = "DatasetInfo[]")]
pub fn datasets() -> Result<JsValue, JsValue> {
    let list: Vec<serde_json::Value> = Dataset::ALL
        .iter()
        .map(
            |set| serde_json::json!({"name": set.name(), "dim": set.dim(), "bounds": set.bounds()}),
        )
        .collect();
    convert::to_js(&list)
}

/// `n` seeded samples of a dataset, row-major `[n, dim]`.
#[wasm_bindgen(js_name = datasetSample)]
pub fn dataset_sample(
    #[wasm_bindgen(unchecked_param_type = "DatasetName")] name: JsValue,
    n: u32,
    seed: f64,
) -> Result<Float32Array, JsValue> {
    let json = convert::to_json(&name).map_err(|e| convert::option_error(&e))?;
    let set: Dataset = serde_json::from_value(json).map_err(|_| {
        let names: Vec<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
        convert::option_error(&OptionError::new(
            "dataset",
            format!("unknown dataset; expected one of {}", names.join(", ")),
        ))
    })?;
    check_range("n", n, 1, 1 << 20).map_err(|e| convert::option_error(&e))?;
    check_range("seed", seed, 0.0, 2f64.powi(53)).map_err(|e| convert::option_error(&e))?;
    let points = set.sample(n as usize, &mut seeded_rng(seed as u64));
    Ok(Float32Array::from(points.as_slice()))
}
