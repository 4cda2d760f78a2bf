//! Long calls that can be stopped: reading an `AbortSignal` from a call's options, and yielding
//! to the event loop between slices of work so that the page (and the signal's owner) can run.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::convert::option_error;
use crate::options::OptionError;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout`, in a window and in a worker alike.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, milliseconds: i32) -> JsValue;
}

/// The `signal` of a call's options (`{ signal?: AbortSignal }`), if any: anything with a
/// boolean `aborted` property, as `AbortSignal` has. Anything else is rejected naming the field.
pub fn abort_signal(options: Option<&Object>) -> Result<Option<JsValue>, JsValue> {
    let Some(options) = options else {
        return Ok(None);
    };
    let signal = Reflect::get(options, &"signal".into()).unwrap_or(JsValue::UNDEFINED);
    if signal.is_undefined() || signal.is_null() {
        return Ok(None);
    }
    let aborted = Reflect::get(&signal, &"aborted".into()).unwrap_or(JsValue::UNDEFINED);
    if aborted.as_bool().is_none() {
        let why = "must be an AbortSignal (from `new AbortController().signal`)";
        return Err(option_error(&OptionError::new("signal", why)));
    }
    Ok(Some(signal))
}

/// Whether `signal` has been aborted.
pub fn aborted(signal: Option<&JsValue>) -> bool {
    signal.is_some_and(|signal| {
        Reflect::get(signal, &"aborted".into())
            .ok()
            .and_then(|value| value.as_bool())
            .unwrap_or(false)
    })
}

/// Resolves on a fresh task of the event loop (`setTimeout(…, 0)`), after the input, messages
/// and rendering waiting before it.
pub async fn yield_to_event_loop() -> Result<(), JsValue> {
    let tick = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, 0);
    });
    JsFuture::from(tick).await.map(|_| ())
}
