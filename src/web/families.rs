//! One JavaScript class per model family, all with the same shape (see `www/src/genlab.ts`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert::to_js;
use super::lab::Lab;
use crate::schema::FamilySchema;

/// Declares a family's JavaScript class: `create(options)`, `train(steps)`, `sample(n)`,
/// `evaluate(n)`, `options()`, `backend()`, `step()` and the generated `free()`.
macro_rules! family_class {
    ($(#[$doc:meta])* $class:ident => $family:ty, $options:literal) => {
        $(#[$doc])*
        #[wasm_bindgen]
        pub struct $class {
            lab: Lab<$family>,
        }

        #[wasm_bindgen]
        impl $class {
            /// This family's settings (kinds, ranges or choices, help, defaults), the kinds of
            /// data it learns and its defaults on images.
            #[wasm_bindgen(unchecked_return_type = "FamilySchema")]
            pub fn schema() -> Result<JsValue, JsValue> {
                to_js(&FamilySchema::of::<$family>(stringify!($class)))
            }

            /// Validates `options` (missing fields take their defaults) and builds the model
            /// on the backend chosen by `initBackend` (automatic if it was not called).
            pub async fn create(
                #[wasm_bindgen(unchecked_param_type = $options)] options: JsValue,
            ) -> Result<$class, JsValue> {
                Ok(Self { lab: Lab::create(options).await? })
            }

            /// Trains `steps` steps (a whole number, 1 … 100 000) and resolves to their
            /// averaged statistics. A long call trains in slices of about 50 ms, yielding to the
            /// page between them; `options.signal` (an `AbortSignal`) stops it after the current
            /// slice, resolving with the steps trained so far and `cancelled: true`.
            #[wasm_bindgen(unchecked_return_type = "Promise<TrainReport>")]
            pub fn train(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] steps: JsValue,
                #[wasm_bindgen(unchecked_param_type = "TrainOptions")] options: Option<js_sys::Object>,
            ) -> Promise {
                self.lab.train(steps, options)
            }

            /// Resolves to `n` model samples (a whole number, 1 … 65 536), row-major `[n, dim]`.
            #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
            pub fn sample(&self, #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue) -> Promise {
                self.lab.sample(n)
            }

            /// Resolves to `n` model samples (16 … 16 384; images 1 024), as many fresh data
            /// samples and the divergence panel.
            #[wasm_bindgen(unchecked_return_type = "Promise<Evaluation>")]
            pub fn evaluate(&self, #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue) -> Promise {
                self.lab.evaluate(n)
            }

            /// Every option of this lab, defaults filled in.
            #[wasm_bindgen(unchecked_return_type = $options)]
            pub fn options(&self) -> Result<JsValue, JsValue> {
                self.lab.options()
            }

            /// The backend this lab runs on, and why.
            #[wasm_bindgen(unchecked_return_type = "BackendInfo")]
            pub fn backend(&self) -> Result<JsValue, JsValue> {
                self.lab.backend()
            }

            /// Steps trained so far.
            pub fn step(&self) -> Result<f64, JsValue> {
                self.lab.step()
            }

            /// What the lab trains on, e.g. `"moons"` or `"your 120 points"`.
            #[wasm_bindgen(js_name = dataName)]
            pub fn data_name(&self) -> Result<String, JsValue> {
                self.lab.data_name()
            }

            /// The family's own views and how to ask for them.
            #[wasm_bindgen(unchecked_return_type = "ViewInfo[]")]
            pub fn views(&self) -> Result<JsValue, JsValue> {
                self.lab.views()
            }

            /// Computes view `name` at `points` (row-major `[n, 2]`; empty for state views).
            #[wasm_bindgen(unchecked_return_type = "Promise<ViewData>")]
            pub fn view(&self, name: String, points: Vec<f32>, parameter: f32) -> Promise {
                self.lab.view(name, points, parameter)
            }

            /// The family's fine-grained steps (e.g. one discriminator step).
            #[wasm_bindgen(unchecked_return_type = "ActionInfo[]")]
            pub fn actions(&self) -> Result<JsValue, JsValue> {
                self.lab.actions()
            }

            /// Runs fine-grained step `name` once; resolves to its statistics.
            #[wasm_bindgen(unchecked_return_type = "Promise<TrainReport>")]
            pub fn act(&self, name: String) -> Promise {
                self.lab.act(name)
            }

            /// Resolves to the current weights as a file (`GENLABW1` + JSON header + f32s).
            #[wasm_bindgen(js_name = exportWeights, unchecked_return_type = "Promise<Uint8Array>")]
            pub fn export_weights(&self) -> Promise {
                self.lab.export_weights()
            }

            /// Loads a weights file saved from a lab with the same options; returns its step.
            #[wasm_bindgen(js_name = importWeights)]
            pub fn import_weights(&self, bytes: &[u8]) -> Result<f64, JsValue> {
                self.lab.import_weights(bytes)
            }

            /// Changes sampling settings (e.g. `{ sampler: "ddim", ddim_steps: 10 }`) of the
            /// trained model without retraining; other fields reject by name.
            #[wasm_bindgen(js_name = setSampling, unchecked_return_type = $options)]
            pub fn set_sampling(&self, patch: JsValue) -> Result<JsValue, JsValue> {
                self.lab.set_sampling(patch)
            }
        }
    };
}

/// Declares every family's class (see [`crate::for_each_family!`]).
macro_rules! family_classes {
    ($($(#[$doc:meta])* $class:ident => $family:ty, $options:literal;)*) => {
        $(family_class!($(#[$doc])* $class => $family, $options);)*
    };
}

crate::for_each_family!(family_classes);

/// The schema of every family and of the settings all labs share.
#[wasm_bindgen(unchecked_return_type = "LabSchema")]
pub fn schemas() -> Result<JsValue, JsValue> {
    to_js(&crate::models::schema())
}

/// The API's types, generated from Rust (`www/src/generated/api.ts`).
#[wasm_bindgen(typescript_custom_section)]
const API_TYPES: &str = include_str!("../../www/src/generated/api.ts");

/// The schema's types (the declarations of `www/src/generated/schema.ts`, without its value).
#[wasm_bindgen(typescript_custom_section)]
const SCHEMA_TYPES: &str = crate::schema::SCHEMA_TYPES;
