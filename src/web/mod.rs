//! The JavaScript boundary (wasm32 only): type conversion, nothing else.
//!
//! Exported to JavaScript: [`init_backend`], [`webgpu_candidate`], [`report_panics_on`],
//! [`datasets`], [`dataset_sample`], [`density_grid`], [`dataset_score`], and one class per
//! model family (see [`families`]). Numbers, typed arrays
//! and plain option objects cross the boundary; every failure is a JavaScript `Error` whose
//! message names the field at fault.

mod cancel;
mod convert;
mod families;
mod lab;
mod panics;

use std::sync::atomic::{AtomicBool, Ordering};

use js_sys::{Float32Array, Float64Array};
use wasm_bindgen::prelude::*;

use crate::data::{Bounds, DataSource, Dataset, DatasetSpec, MAX_RESOLUTION, seeded_rng};
use crate::device::{self, BackendPreference};
use crate::settings::{OptionError, check_range};

pub use families::*;
pub use panics::{report_panics_on, simulate_crash};
/// `initThreadPool(n)`: starts the threaded CPU module's `n` rayon workers (Web Workers); the
/// promise resolves when they run. Only that module exports it.
#[cfg(target_feature = "atomics")]
pub use wasm_bindgen_rayon::init_thread_pool;

unsafe extern "C" {
    /// The static constructors wasm-ld gathers (the `inventory` registrations of cubecl's
    /// dependencies). Left unreferenced, wasm-ld treats the module as a command and wraps
    /// *every* export in a call to it: 0.13 ms per boundary call, each re-running every
    /// registration. Calling it once from [`start`] makes the module a reactor.
    fn __wasm_call_ctors();
}

/// The start-up timing probe: a training step of the 2-D families' default shape, timed with
/// the page's clock (the device layer chooses; this layer, which builds sessions, times).
pub fn step_timer(
    device: &burn::tensor::Device,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<f64, String>> + '_>> {
    Box::pin(crate::diagnostics::time_training_step(
        device,
        device::now_ms,
    ))
}

/// Runs the static constructors, once per instance: from [`start`] in the page, and before the
/// first use of a device in any case (a test harness may not call `start`).
pub(crate) fn ensure_constructors() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if !DONE.swap(true, Ordering::Relaxed) {
        // SAFETY: the flag makes this the only call in this instance (wasm32 here is single
        // threaded), and an explicit reference stops wasm-ld from inserting calls of its own.
        unsafe { __wasm_call_ctors() };
    }
}

/// Runs the static constructors, then installs the panic hook so that a Rust panic reaches the
/// console with its message (and the page's channel, see [`report_panics_on`]).
#[wasm_bindgen(start)]
pub fn start() {
    ensure_constructors();
    panics::install_hook();
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
    ensure_constructors();
    let (_, info) = device::select(preference, step_timer)
        .await
        .map_err(|e| convert::error(&e))?;
    convert::to_js(&info)
}

/// What `initBackend("auto")` would consider before its timing probe, choosing nothing:
/// `{ backend: "webgpu", adapter, reason }` for a usable hardware WebGPU adapter, otherwise
/// `{ backend: "cpu", reason }` saying why not. The page asks before it loads the threaded CPU
/// module (which has no WebGPU) into its worker.
#[wasm_bindgen(js_name = webgpuCandidate, unchecked_return_type = "Promise<BackendInfo>")]
pub async fn webgpu_candidate() -> Result<JsValue, JsValue> {
    convert::to_js(&device::candidate().await)
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
    #[wasm_bindgen(unchecked_param_type = "number")] resolution: JsValue,
) -> Result<Float64Array, JsValue> {
    let set = dataset(&name)?;
    let json = convert::to_json(&bounds).map_err(|e| convert::option_error(&e))?;
    let bounds: Bounds = serde_json::from_value(json)
        .map_err(|e| convert::option_error(&OptionError::new("bounds", e.to_string())))?;
    bounds
        .check()
        .map_err(|why| convert::option_error(&OptionError::new("bounds", why)))?;
    let resolution = convert::count("resolution", &resolution, 1, MAX_RESOLUTION as u32)?;
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

/// The divergence panel between a 2-D dataset and the caller's own points, labelled exactly as
/// `evaluate`'s: `{ divergences, data, bounds }`, `data` the fresh data samples the points were
/// compared with (a second independent draw gives the noise floors). `samples` is row-major
/// `[n, 2]`, 16 ≤ n ≤ 16 384, every coordinate finite; `options.seed` (a whole number, 0 by
/// default) draws the data. Rejects naming `dataset`, `samples` or `seed`.
#[wasm_bindgen(js_name = compareSamples, unchecked_return_type = "Comparison")]
pub fn compare_samples(
    #[wasm_bindgen(unchecked_param_type = "DatasetSpec")] dataset_spec: JsValue,
    samples: &[f32],
    #[wasm_bindgen(unchecked_param_type = "CompareOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let source = dataset(&dataset_spec)?;
    if source.dim() != 2 {
        let why = "compareSamples takes a 2-D dataset (for images, a lab's evaluate compares)";
        return Err(convert::option_error(&OptionError::new("dataset", why)));
    }
    let seed = compare_seed(&options)?;
    let (divergences, data) = crate::evaluation::compare_samples(&source, samples, seed)
        .map_err(|e| convert::option_error(&OptionError::new("samples", e.to_string())))?;
    let result = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&result, &key.into(), value);
    set("divergences", &convert::to_js(&divergences)?)?;
    set("data", &Float32Array::from(data.as_slice()).into())?;
    set("bounds", &convert::to_js(&source.bounds())?)?;
    Ok(result.into())
}

/// The `seed` of `compareSamples`' options (`{ seed?: number }`; absent: 0).
fn compare_seed(options: &JsValue) -> Result<u64, JsValue> {
    let json = convert::to_json(options).map_err(|e| convert::option_error(&e))?;
    let fields = match json {
        serde_json::Value::Null => return Ok(0),
        serde_json::Value::Object(fields) => fields,
        _ => {
            let why = "expected an object { seed?: number }";
            return Err(convert::option_error(&OptionError::new("options", why)));
        }
    };
    if let Some(key) = fields.keys().find(|key| key.as_str() != "seed") {
        let why = "unknown option; compareSamples takes { seed }";
        return Err(convert::option_error(&OptionError::new(key.as_str(), why)));
    }
    match fields.get("seed") {
        None => Ok(0),
        Some(seed) => seed.as_u64().filter(|s| *s <= 1 << 53).ok_or_else(|| {
            let why = format!("must be a whole number from 0 to 2⁵³, got {seed}");
            convert::option_error(&OptionError::new("seed", why))
        }),
    }
}

/// A data source from a name (`"moons"`) or a custom-set object, built and validated.
fn dataset(spec: &JsValue) -> Result<DataSource, JsValue> {
    let json = convert::to_json(spec).map_err(|e| convert::option_error(&e))?;
    let spec = DatasetSpec::from_json(&json)
        .map_err(|why| convert::option_error(&OptionError::new("dataset", why)))?;
    spec.build()
        .map_err(|e| convert::option_error(&OptionError::new("dataset", e.to_string())))
}

/// `n` seeded samples of a dataset, row-major `[n, dim]`.
#[wasm_bindgen(js_name = datasetSample)]
pub fn dataset_sample(
    #[wasm_bindgen(unchecked_param_type = "DatasetSpec")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    seed: f64,
) -> Result<Float32Array, JsValue> {
    let set = dataset(&name)?;
    let n = convert::count("n", &n, 1, 1 << 20)?;
    check_range("seed", seed, 0.0, 2f64.powi(53)).map_err(|e| convert::option_error(&e))?;
    if seed.fract() != 0.0 {
        let why = format!("must be a whole number, got {seed}");
        return Err(convert::option_error(&OptionError::new("seed", why)));
    }
    let points = set.sample(n as usize, &mut seeded_rng(seed as u64));
    Ok(Float32Array::from(points.as_slice()))
}

/// Runs `repeats` matrix products `[m, k] × [k, n]` on the current backend and resolves once
/// they are done (one asynchronous readback): the benchmark times it for the backend's GFLOP/s,
/// `2·m·k·n·repeats / seconds`. Sizes 1 … 4096, repeats 1 … 10 000.
#[wasm_bindgen(js_name = matmulProbe)]
pub async fn matmul_probe(
    #[wasm_bindgen(unchecked_param_type = "number")] m: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] k: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] repeats: JsValue,
) -> Result<f64, JsValue> {
    let m = convert::count("m", &m, 1, 4096)?;
    let k = convert::count("k", &k, 1, 4096)?;
    let n = convert::count("n", &n, 1, 4096)?;
    let repeats = convert::count("repeats", &repeats, 1, 10_000)?;
    ensure_constructors();
    let (device, _) = device::current(step_timer)
        .await
        .map_err(|e| convert::error(&e))?;
    let sum = crate::diagnostics::matmul_chain(
        &device,
        m as usize,
        k as usize,
        n as usize,
        repeats as usize,
    );
    let values = sum
        .into_data_async()
        .await
        .map_err(|e| convert::error(&format!("reading the products failed: {e:?}")))?
        .try_into_vec_as::<f32>()
        .map_err(|e| convert::error(&format!("the products are unreadable: {e:?}")))?;
    Ok(values.first().copied().unwrap_or(f32::NAN) as f64)
}

/// What the current backend's allocator holds, `{ allocations, bytes_in_use, bytes_reserved }`,
/// or `null` where the backend does not report it (the soak records it over time).
#[wasm_bindgen(js_name = deviceMemory)]
pub async fn device_memory() -> Result<JsValue, JsValue> {
    ensure_constructors();
    let (device, _) = device::current(step_timer)
        .await
        .map_err(|e| convert::error(&e))?;
    match device.memory_pool_usage() {
        None => Ok(JsValue::NULL),
        Some(usage) => convert::to_js(&serde_json::json!({
            "allocations": usage.number_allocs,
            "bytes_in_use": usage.bytes_in_use,
            "bytes_reserved": usage.bytes_reserved,
        })),
    }
}

/// Times a training step of the 2-D families' default shape (flow matching, MLP 3×128, batch
/// 512) on the CPU backend and on WebGPU, on whatever adapter the browser offers, software
/// included: `{ cpu_ms, webgpu_ms, cpu_error, webgpu_error, choice, reason }`, `choice` being
/// what the automatic choice would take on a hardware adapter with these figures. The page's
/// `initBackend("auto")` runs the same probe once when a hardware adapter is present; the
/// benchmark and the browser tests call this to see it on the software adapter too.
#[wasm_bindgen(js_name = timingProbe)]
pub async fn timing_probe() -> Result<JsValue, JsValue> {
    ensure_constructors();
    let race = device::race(step_timer).await;
    let candidate = device::BackendInfo {
        backend: device::BackendKind::Webgpu,
        adapter: None,
        reason: String::new(),
    };
    let verdict = device::choose_by_timing(candidate, &race);
    convert::to_js(&serde_json::json!({
        "cpu_ms": race.cpu_ms.as_ref().ok(),
        "webgpu_ms": race.webgpu_ms.as_ref().ok(),
        "cpu_error": race.cpu_ms.as_ref().err(),
        "webgpu_error": race.webgpu_ms.as_ref().err(),
        "choice": verdict.backend,
        "reason": verdict.reason,
    }))
}

/// Sets the tasks CubeCL gathers into one WebGPU command submission (1 ..= 256; default
/// 32), before WebGPU's first use in this instance: the benchmark's sweep. Rejects naming
/// `tasks_per_submit` when out of range or when WebGPU already runs.
#[wasm_bindgen(js_name = configureWebgpu)]
pub fn configure_webgpu(
    #[wasm_bindgen(unchecked_param_type = "number")] tasks_per_submit: JsValue,
) -> Result<(), JsValue> {
    let tasks_per_submit = convert::count("tasks_per_submit", &tasks_per_submit, 1, 256)?;
    device::set_tasks_per_submit(tasks_per_submit as usize)
        .map_err(|why| convert::option_error(&OptionError::new("tasks_per_submit", why)))
}

/// Checks this module's CPU matrix products against an f64 reference (every entry within
/// `k·ε·Σ|a·b|`; `diagnostics::matrix_products`): `{ products, worst, failures, digest }`. Runs on the CPU
/// backend whatever backend labs use; takes about a second.
#[wasm_bindgen(js_name = checkMatrixProducts, unchecked_return_type = "ProductCheck")]
pub fn check_matrix_products() -> Result<JsValue, JsValue> {
    ensure_constructors();
    let device = burn::tensor::Device::flex();
    convert::to_js(&crate::diagnostics::matrix_products::check(&device))
}

/// Checks this module's SIMD SiLU pass against its scalar definition, bit for bit
/// (`diagnostics::silu_pass`): `{ entries, rounding, mismatches }`, `rounding` being how the SIMD
/// lanes' multiply-adds round (`"once"` in the relaxed-SIMD module where the engine fuses them,
/// `"twice"` otherwise). Takes well under a second.
#[wasm_bindgen(js_name = checkSiluPass, unchecked_return_type = "SiluPassCheck")]
pub fn check_silu_pass() -> Result<JsValue, JsValue> {
    ensure_constructors();
    convert::to_js(&crate::diagnostics::silu_pass::check())
}

/// The CPU instructions of this module's matrix products: `"wasm SIMD + FMA"` where it was built
/// with relaxed SIMD (`--cfg genlab_relaxed_simd`: the kernel in `vendor/gemm` multiplies and adds in one
/// `f32x4.relaxed_madd`), `"wasm SIMD"` otherwise. The page loads the first where the browser
/// runs relaxed SIMD (`www/src/cpu_module.ts`).
#[wasm_bindgen(js_name = cpuInstructions)]
pub fn cpu_instructions() -> String {
    if cfg!(genlab_relaxed_simd) {
        "wasm SIMD + FMA".into()
    } else {
        "wasm SIMD".into()
    }
}

/// What a weights file says about itself (`{ family, options, step, shapes }`), checked but
/// not loaded: the page builds a lab from `options`, then calls its `importWeights`.
#[wasm_bindgen(js_name = weightsInfo, unchecked_return_type = "WeightsInfo")]
pub fn weights_info(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let file = crate::session::WeightsFile::decode(bytes)
        .map_err(|why| convert::option_error(&OptionError::new("weights", why)))?;
    convert::to_js(&file.header)
}
