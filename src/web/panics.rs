//! Where a Rust panic is told: the console (with its message, through `console_error_panic_hook`)
//! and, once the page's worker names one, a `BroadcastChannel` the page listens on.
//!
//! In the threaded module a lab trains on a thread of the rayon pool while the worker that the
//! page talks to waits for it; a panic there aborts that thread only (a wasm trap in its Web
//! Worker), and the waiting worker would never answer. The channel reaches the page from any
//! thread, so the page can end the worker and recover its labs as it does after any crash.

use std::sync::{Once, OnceLock};

use wasm_bindgen::prelude::*;

use super::convert::option_error;
use crate::settings::OptionError;

/// The channel named by [`report_panics_on`], shared by every thread of the instance.
static CHANNEL: OnceLock<String> = OnceLock::new();

#[wasm_bindgen]
extern "C" {
    /// The browser's `BroadcastChannel` (bound here rather than through `web-sys`, whose
    /// feature switch would rebuild the WebGPU stack for two calls).
    type BroadcastChannel;

    #[wasm_bindgen(constructor, catch)]
    fn new(name: &str) -> Result<BroadcastChannel, JsValue>;

    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message(this: &BroadcastChannel, message: &str) -> Result<(), JsValue>;
}

/// Installs the panic hook, once per instance (every thread's start calls this).
pub(super) fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(on_panic)));
}

/// The console's report, then the message on the page's channel if one is named.
fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    if let Some(name) = CHANNEL.get() {
        if let Ok(channel) = BroadcastChannel::new(name) {
            let _ = channel.post_message(&info.to_string());
        }
    }
}

/// From now on, every panic's message (`panicked at …`) is also posted on the
/// `BroadcastChannel` named `channel`, from whichever thread panics. Named once per instance;
/// later names are ignored.
#[wasm_bindgen(js_name = reportPanicsOn)]
pub fn report_panics_on(channel: String) {
    let _ = CHANNEL.set(channel);
}

/// Crashes this instance on purpose where a lab trains (on a thread of the pool in the threaded
/// module, on the calling thread elsewhere), leaving it unusable, so that the page's crash
/// recovery (a fresh instance, the notebook and the last weights restored) can be tested.
/// `kind` is `"panic"` (a Rust panic: the hook tells its message, then the thread aborts) or
/// `"trap"` (a bare wasm `unreachable`: no hook runs, nothing is told, as after a fault outside
/// Rust's panics); any other `kind` is refused, naming the field, and nothing crashes.
#[wasm_bindgen(js_name = simulateCrash)]
pub fn simulate_crash(kind: &str) -> Result<(), JsValue> {
    match kind {
        "panic" => crate::models::parallel::on_pool(|| {
            panic!("simulated panic: simulateCrash(\"panic\") was called to test crash recovery")
        }),
        "trap" => crate::models::parallel::on_pool(|| core::arch::wasm32::unreachable()),
        other => {
            let why = format!("must be \"panic\" or \"trap\", got {other:?}");
            return Err(option_error(&OptionError::new("kind", why)));
        }
    }
    Ok(())
}
