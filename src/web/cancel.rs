//! Long calls that can be stopped: reading an `AbortSignal` from a call's options, and yielding
//! to the event loop between slices of work so that the page (and the signal's owner) can run.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::convert::option_error;
use crate::settings::OptionError;

#[wasm_bindgen]
extern "C" {
    /// The DOM's `MessageChannel`, in a window and in a worker alike.
    type MessageChannel;
    #[wasm_bindgen(constructor)]
    fn new() -> MessageChannel;
    #[wasm_bindgen(method, getter)]
    fn port1(this: &MessageChannel) -> MessagePort;
    #[wasm_bindgen(method, getter)]
    fn port2(this: &MessageChannel) -> MessagePort;

    /// One end of a `MessageChannel`.
    type MessagePort;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &MessagePort, handler: &Function);
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &MessagePort, message: &JsValue);
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

/// Resolves on a fresh task of the event loop, after the input, timers, messages and rendering
/// waiting before it: a message to itself through a `MessageChannel`, which (unlike a chain of
/// `setTimeout(…, 0)`) is neither clamped to 4 ms nor throttled in a hidden tab.
pub async fn yield_to_event_loop() -> Result<(), JsValue> {
    let channel = MessageChannel::new();
    let tick = Promise::new(&mut |resolve, _reject| {
        channel.port1().set_onmessage(&resolve);
    });
    channel.port2().post_message(&JsValue::UNDEFINED);
    JsFuture::from(tick).await.map(|_| ())
}
