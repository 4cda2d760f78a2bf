//! The state behind every family's JavaScript class: a session shared with the promises it
//! returns, so a call in flight never holds a borrow across an `await`.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Transaction;
use js_sys::{Float32Array, Float64Array, Object, Promise, Reflect, Uint8Array};
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use super::cancel::{abort_signal, aborted, yield_to_event_loop};
use super::convert::{count, error, option_error, to_js, to_json};
use crate::device::{self, BackendInfo};
use crate::evaluation::{DensityMaps, Memorisation};
use crate::family::Family;
use crate::models::parallel;
use crate::options::LabOptions;
use crate::session::{EvaluationError, Pace, Session, StatsReport, TrainingFault, WeightsFile};
use crate::settings::OptionError;

/// Most steps one `train` call takes (at the fastest family, about 8 minutes of training on
/// this machine's CPU path; a long call can be cancelled, see [`Lab::train`]).
pub const MAX_TRAIN_STEPS: u32 = 100_000;

/// Most samples one `sample` call returns.
pub const MAX_SAMPLES: u32 = 1 << 16;

/// A session behind a JavaScript handle.
pub struct Lab<F: Family> {
    session: Rc<RefCell<Session<F>>>,
    backend: BackendInfo,
    /// How fast this lab trains, to size `train`'s slices.
    pace: Rc<Pace>,
}

impl<F: Family + 'static> Lab<F> {
    /// Validates `options` and builds the session on the current backend.
    pub async fn create(options: JsValue) -> Result<Self, JsValue> {
        let json = to_json(&options).map_err(|e| option_error(&e))?;
        let options = LabOptions::<F::Config>::parse(&json).map_err(|e| option_error(&e))?;
        super::ensure_constructors();
        let (device, backend) = device::current(super::step_timer)
            .await
            .map_err(|e| error(&e))?;
        Ok(Self {
            session: Rc::new(RefCell::new(
                Session::new(options, &device).map_err(|e| option_error(&e))?,
            )),
            backend,
            pace: Rc::default(),
        })
    }

    /// Trains `steps` steps (1 ..= [`MAX_TRAIN_STEPS`]) and resolves to their averaged
    /// statistics. A call longer than one slice (about [`crate::session::SLICE_MS`]) trains
    /// slice by slice, reading each slice's statistics once and yielding to the event loop
    /// between slices, so the page stays responsive and `options.signal` (an `AbortSignal`) can
    /// stop it: it then resolves with the steps trained so far and `cancelled: true`; nothing
    /// trained is lost.
    pub fn train(&self, steps: JsValue, options: Option<Object>) -> Promise {
        let session = self.session.clone();
        let pace = self.pace.clone();
        future_to_promise(async move {
            let steps = count("steps", &steps, 1, MAX_TRAIN_STEPS)?;
            let signal = abort_signal(options.as_ref())?;
            let mut total = StatsReport::empty(borrow(&session)?.step());
            let mut cancelled = false;
            while total.steps < steps {
                if aborted(signal.as_ref()) {
                    cancelled = true;
                    break;
                }
                let slice = pace.slice(steps - total.steps);
                let started = js_sys::Date::now();
                let pending = {
                    let mut guard = borrow(&session)?;
                    let session = &mut *guard;
                    parallel::on_pool(|| session.train(slice))
                };
                let report = pending.read().await.map_err(|e| error(&e))?;
                borrow(&session)?.accept(&report).map_err(|f| fault(&f))?;
                pace.record(slice, js_sys::Date::now() - started);
                total.merge(&report);
                if total.steps < steps {
                    yield_to_event_loop().await?;
                }
            }
            stats_to_js(&total, cancelled)
        })
    }

    /// `n` model samples as a row-major `Float32Array`.
    pub fn sample(&self, n: JsValue) -> Promise {
        let session = self.session.clone();
        future_to_promise(async move {
            let n = count("n", &n, 1, MAX_SAMPLES)?;
            Ok(Float32Array::from(read_samples(&session, n).await?.as_slice()).into())
        })
    }

    /// `n` model samples, `n` fresh data samples and the divergence panel between them; every
    /// probed model quantity (samples, score, log-density) is read in one transaction.
    pub fn evaluate(&self, n: JsValue) -> Promise {
        let session = self.session.clone();
        future_to_promise(async move {
            // Images cost a nearest-training-image search per sample: at most 1 024 of them.
            let most = if borrow(&session)?.dim() == 2 {
                1 << 14
            } else {
                1 << 10
            };
            let n = count("n", &n, 16, most)?;
            let probes = borrow(&session)?.probe(n as usize);
            let probed = probes.read().await.map_err(|e| error(&e))?;
            let mut session = borrow(&session)?;
            let evaluation = session.evaluate(&probed).map_err(|e| match e {
                EvaluationError::Fault(f) => fault(&f),
                EvaluationError::Invalid(why) => error(&why),
            })?;
            let result = Object::new();
            set_array32(&result, "samples", &probed.samples);
            set_array32(&result, "data", &evaluation.data);
            set(&result, "divergences", &to_js(&evaluation.divergences)?);
            set(&result, "bounds", &to_js(&evaluation.bounds)?);
            set(
                &result,
                "densities",
                &density_maps_to_js(evaluation.densities.as_ref()),
            );
            set(&result, "images", &to_js(&evaluation.images)?);
            set(
                &result,
                "memorisation",
                &memorisation_to_js(evaluation.memorisation.as_ref()),
            );
            set(&result, "step", &JsValue::from_f64(session.step() as f64));
            Ok(result.into())
        })
    }

    /// What the lab trains on, e.g. `"moons"` or `"your 120 points"`.
    pub fn data_name(&self) -> Result<String, JsValue> {
        Ok(borrow(&self.session)?.source().name())
    }

    /// The family's views: `[{ name, title, description, input, kind, parameter }]`.
    pub fn views(&self) -> Result<JsValue, JsValue> {
        to_js(&borrow(&self.session)?.views())
    }

    /// View `name` at `points` (row-major `[n, dim]`, as its `input` asks; empty for state
    /// views): resolves to `{ values, rows, columns, truth }`, `values` row-major and `truth`
    /// the exact field beside a field view (mixture data) or `null`.
    pub fn view(&self, name: String, points: Vec<f32>, parameter: f32) -> Promise {
        let session = self.session.clone();
        future_to_promise(async move {
            let dim = borrow(&session)?.dim();
            if points.len() % dim != 0
                || points.len() > 2 << 16
                || points.iter().any(|v| !v.is_finite())
            {
                let why = format!(
                    "must be at most {} finite points of {dim} coordinates",
                    (2 << 16) / dim
                );
                return Err(option_error(&OptionError::new("points", why)));
            }
            if !parameter.is_finite() {
                return Err(option_error(&OptionError::new(
                    "parameter",
                    "must be a finite number",
                )));
            }
            let (tensor, samples) = {
                let session = borrow(&session)?;
                let tensor = session.view(&name, &points, parameter).ok_or_else(|| {
                    let why = format!("this family has no view `{name}`");
                    option_error(&OptionError::new("name", why))
                })?;
                (tensor, session.truth_samples(&name))
            };
            let [rows, columns] = tensor.dims();
            let mut transaction = Transaction::default().register(tensor);
            if let Some(samples) = samples {
                transaction = transaction.register(samples);
            }
            let mut read = transaction
                .execute_async()
                .await
                .map_err(|e| error(&format!("reading view {name} failed: {e:?}")))?
                .into_iter()
                .map(|data| {
                    data.try_into_vec_as::<f32>()
                        .map_err(|e| error(&format!("view {name} is unreadable: {e:?}")))
                });
            let values = read.next().expect("the view was registered")?;
            let samples = read.next().transpose()?;
            let truth = borrow(&session)?.view_truth(&name, &points, parameter, samples.as_deref());
            let result = Object::new();
            set_array32(&result, "values", &values);
            set(&result, "rows", &JsValue::from_f64(rows as f64));
            set(&result, "columns", &JsValue::from_f64(columns as f64));
            let truth = truth.map_or(JsValue::NULL, |t| Float32Array::from(t.as_slice()).into());
            set(&result, "truth", &truth);
            Ok(result.into())
        })
    }

    /// The family's fine-grained steps: `[{ name, title, description, trains }]`.
    pub fn actions(&self) -> Result<JsValue, JsValue> {
        to_js(&borrow(&self.session)?.actions())
    }

    /// Runs fine-grained step `name` once (on the pool in the threaded module, as `train` does)
    /// and resolves to its statistics (like `train`).
    pub fn act(&self, name: String) -> Promise {
        let session = self.session.clone();
        future_to_promise(async move {
            let pending = {
                let mut guard = borrow(&session)?;
                let session = &mut *guard;
                parallel::on_pool(|| session.act(&name))
            }
            .ok_or_else(|| {
                let why = format!("this family has no fine-grained step `{name}`");
                option_error(&OptionError::new("name", why))
            })?;
            let report = pending.read().await.map_err(|e| error(&e))?;
            borrow(&session)?.accept(&report).map_err(|f| fault(&f))?;
            stats_to_js(&report, false)
        })
    }

    /// Resolves to a weights file (see `src/session/weights.rs`) of the current model, its
    /// parameters read from the device in one transaction.
    pub fn export_weights(&self) -> Promise {
        let session = self.session.clone();
        future_to_promise(async move {
            let pending = borrow(&session)?.export_weights();
            let file = pending.read().await.map_err(|e| error(&e))?;
            Ok(Uint8Array::from(file.encode().as_slice()).into())
        })
    }

    /// Loads a weights file of this family with this lab's network shapes; returns the step
    /// it was saved at. Bad files are rejected (field `weights`) without changing the model.
    pub fn import_weights(&self, bytes: &[u8]) -> Result<f64, JsValue> {
        let invalid = |why: String| option_error(&OptionError::new("weights", why));
        let file = WeightsFile::decode(bytes).map_err(invalid)?;
        let mut session = borrow(&self.session)?;
        session.import_weights(&file).map_err(invalid)?;
        Ok(session.step() as f64)
    }

    /// Changes sampling settings without retraining (`patch` holds only the family's sampling
    /// fields); resolves to every option afterwards.
    pub fn set_sampling(&self, patch: JsValue) -> Result<JsValue, JsValue> {
        let json = to_json(&patch).map_err(|e| option_error(&e))?;
        let mut session = borrow(&self.session)?;
        session.set_sampling(&json).map_err(|e| option_error(&e))?;
        to_js(&session.options().to_json())
    }

    /// Every option of this lab, defaults filled in.
    pub fn options(&self) -> Result<JsValue, JsValue> {
        let session = borrow(&self.session)?;
        to_js(&session.options().to_json())
    }

    /// The backend this lab runs on, and why.
    pub fn backend(&self) -> Result<JsValue, JsValue> {
        to_js(&self.backend)
    }

    /// Steps trained so far.
    pub fn step(&self) -> Result<f64, JsValue> {
        Ok(borrow(&self.session)?.step() as f64)
    }
}

fn borrow<F: Family>(
    session: &Rc<RefCell<Session<F>>>,
) -> Result<std::cell::RefMut<'_, Session<F>>, JsValue> {
    session
        .try_borrow_mut()
        .map_err(|_| error("this lab is busy: await the previous call before the next one"))
}

async fn read_samples<F: Family>(
    session: &Rc<RefCell<Session<F>>>,
    n: u32,
) -> Result<Vec<f32>, JsValue> {
    let samples = borrow(session)?.sample(n as usize);
    let data = samples
        .into_data_async()
        .await
        .map_err(|e| error(&format!("reading samples failed: {e:?}")))?;
    data.try_into_vec_as::<f32>()
        .map_err(|e| error(&format!("samples are unreadable: {e:?}")))
}

/// A `TrainReport`: `cancelled` says that the call's signal stopped it before its last step.
fn stats_to_js(report: &StatsReport, cancelled: bool) -> Result<JsValue, JsValue> {
    let stats: Map<String, Value> = report
        .values
        .iter()
        .map(|(name, value)| (name.to_string(), Value::from(*value)))
        .collect();
    to_js(&serde_json::json!({
        "step": report.step, "steps": report.steps, "stats": stats, "cancelled": cancelled,
    }))
}

/// The density maps with their grids as `Float64Array`s: one copy each, where a JS array would
/// cost one boundary call per cell.
fn density_maps_to_js(maps: Option<&DensityMaps>) -> JsValue {
    let Some(maps) = maps else {
        return JsValue::NULL;
    };
    let result = Object::new();
    set(
        &result,
        "resolution",
        &JsValue::from_f64(maps.resolution as f64),
    );
    set_array64(&result, "model", &maps.model);
    set_array64(&result, "data", &maps.data);
    set(&result, "model_method", &maps.model_method.as_str().into());
    set(&result, "data_method", &maps.data_method.as_str().into());
    result.into()
}

/// The memorisation distances as `Float64Array`s (see [`density_maps_to_js`]).
fn memorisation_to_js(memorisation: Option<&Memorisation>) -> JsValue {
    let Some(memorisation) = memorisation else {
        return JsValue::NULL;
    };
    let result = Object::new();
    set_array64(&result, "model", &memorisation.model);
    set_array64(&result, "held_out", &memorisation.held_out);
    set(
        &result,
        "description",
        &memorisation.description.as_str().into(),
    );
    result.into()
}

fn fault(fault: &TrainingFault) -> JsValue {
    let js = error(&fault.to_string());
    set(&js, "what", &fault.what.as_str().into());
    set(&js, "step", &JsValue::from_f64(fault.step as f64));
    set(
        &js,
        "restoredStep",
        &JsValue::from_f64(fault.restored_step as f64),
    );
    js
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

/// Sets `key` to a `Float64Array` copy of `values` (one copy, not one boundary call per value).
fn set_array64(target: &JsValue, key: &str, values: &[f64]) {
    set(target, key, &Float64Array::from(values).into());
}

/// Sets `key` to a `Float32Array` copy of `values`.
fn set_array32(target: &JsValue, key: &str, values: &[f32]) {
    set(target, key, &Float32Array::from(values).into());
}
