//! Conversions between JavaScript values and the crate's types.

use js_sys::{Array, JSON, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::options::OptionError;

/// Largest options object accepted, as JSON text (a CSV of user points may be up to 4 MiB).
const MAX_OPTIONS_BYTES: usize = 5 * 1024 * 1024;

/// A JavaScript value (an options object, a string) as JSON. Non-finite numbers, which JSON
/// cannot carry, are rejected naming their field; `undefined` and `null` become `null`.
pub fn to_json(value: &JsValue) -> Result<serde_json::Value, OptionError> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Value::Null);
    }
    if let Some(object) = value.dyn_ref::<Object>()
        && !Array::is_array(value)
    {
        for entry in Object::entries(object).iter() {
            let entry: Array = entry.unchecked_into();
            let field = entry.get(0).as_string().unwrap_or_default();
            if let Some(number) = entry.get(1).as_f64()
                && !number.is_finite()
            {
                return Err(OptionError::new(
                    field,
                    format!("must be a finite number, got {number}"),
                ));
            }
        }
    }
    let text = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| OptionError::new("options", "must be a plain JSON-like value"))?;
    if text.len() > MAX_OPTIONS_BYTES {
        return Err(OptionError::new(
            "options",
            format!(
                "is {} bytes of JSON; at most {MAX_OPTIONS_BYTES} are accepted",
                text.len()
            ),
        ));
    }
    serde_json::from_str(&text).map_err(|e| OptionError::new("options", e.to_string()))
}

/// Any serialisable value as a plain JavaScript value (maps become objects).
pub fn to_js(value: &impl Serialize) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| error(&format!("internal conversion error: {e}")))
}

/// A JavaScript `Error` with `message`.
pub fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// A JavaScript `Error` for a rejected option, with the field also in its `field` property.
pub fn option_error(error: &OptionError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    let _ = Reflect::set(&js, &"field".into(), &error.field.as_str().into());
    js.into()
}
