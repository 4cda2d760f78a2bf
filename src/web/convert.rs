//! Conversions between JavaScript values and the crate's types.

use js_sys::{Array, JSON, Object, Reflect};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

use crate::settings::{OptionError, check_count};

/// Largest options object accepted, as JSON text (a CSV of user points may be up to 4 MiB).
const MAX_OPTIONS_BYTES: usize = 5 * 1024 * 1024;

/// A JavaScript value (an options object, a string) as JSON. Non-finite numbers, which JSON
/// cannot carry, are rejected naming their field; `undefined` and `null` become `null`. Each
/// field of an object is converted on its own, so that a field nested too deeply or not
/// JSON-like is named in the error.
pub fn to_json(value: &JsValue) -> Result<Value, OptionError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    let mut budget = MAX_OPTIONS_BYTES;
    let Some(object) = value.dyn_ref::<Object>().filter(|o| is_plain(o)) else {
        return parse("options", value, &mut budget).map(|v| v.unwrap_or(Value::Null));
    };
    let mut fields = Map::new();
    for entry in Object::entries(object).iter() {
        let entry: Array = entry.unchecked_into();
        let field = entry.get(0).as_string().unwrap_or_default();
        let item = entry.get(1);
        if let Some(number) = item.as_f64()
            && !number.is_finite()
        {
            let why = format!("must be a finite number, got {number}");
            return Err(OptionError::new(field, why));
        }
        if let Some(json) = parse(&field, &item, &mut budget)? {
            fields.insert(field, json);
        }
    }
    Ok(Value::Object(fields))
}

/// Whether `object` is a plain object (`{…}`, or one without a prototype), not an array, a
/// date or another class's instance, which convert as a whole (and are then refused by kind).
fn is_plain(object: &Object) -> bool {
    let prototype = JsValue::from(Object::get_prototype_of(object));
    prototype.is_null() || prototype == JsValue::from(Object::get_prototype_of(&Object::new()))
}

/// `value` as JSON, its text charged to `budget`; `None` where JSON has no value for it
/// (`undefined`, a function), which `JSON.stringify` leaves out of an object too.
fn parse(field: &str, value: &JsValue, budget: &mut usize) -> Result<Option<Value>, OptionError> {
    let text = JSON::stringify(value)
        .map_err(|_| OptionError::new(field, "must be a plain JSON-like value"))?;
    let Some(text) = text.as_string() else {
        return Ok(None);
    };
    *budget = budget.checked_sub(text.len()).ok_or_else(|| {
        let why = format!("options are limited to {MAX_OPTIONS_BYTES} bytes of JSON");
        OptionError::new(field, why)
    })?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        let why = if e.to_string().contains("recursion limit") {
            "is nested too deeply (at most 128 levels of arrays and objects)".to_string()
        } else {
            format!("is not JSON-like: {e}")
        };
        OptionError::new(field, why)
    })
}

/// A count given from JavaScript (steps, samples, a resolution) as a whole number in
/// `min ..= max`: anything else — a fraction, a value beyond the range, NaN, a string — is
/// rejected naming `field` and the value as given, never wrapped, rounded or clamped.
pub fn count(field: &str, value: &JsValue, min: u32, max: u32) -> Result<u32, JsValue> {
    let checked = match value.as_f64() {
        Some(number) => check_count(field, number, min, max),
        None => Err(OptionError::new(
            field,
            format!(
                "must be a whole number from {min} to {max}, got {}",
                describe_non_number(value)
            ),
        )),
    };
    checked.map_err(|e| option_error(&e))
}

/// A value that is not a number, as a person would name it in a message.
fn describe_non_number(value: &JsValue) -> String {
    match value.as_string() {
        Some(text) if text.chars().count() > 40 => {
            format!("the text {:?}…", text.chars().take(40).collect::<String>())
        }
        Some(text) => format!("the text {text:?}"),
        None if value.is_undefined() => "nothing (undefined)".into(),
        None if value.is_null() => "null".into(),
        None => format!(
            "a value of type {}",
            value.js_typeof().as_string().unwrap_or_default()
        ),
    }
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
