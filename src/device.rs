//! The one place where the compute device is chosen.
//!
//! Native builds (tests, benchmarks) run on Burn's `flex` CPU backend. In the browser, WebGPU is
//! used when an adapter exists, offers `timestamp-query` (CubeCL requires it) and is a hardware
//! adapter; a software fallback adapter (SwiftShader in headless Chromium: about 150× slower
//! than the CPU backend for a small MLP) is used only when WebGPU is forced. WebGPU is
//! initialised at most once per page and its `Device` kept.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// Which backend the user asked for. Travels as `"auto"`, `"cpu"` or `"webgpu"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendPreference {
    /// WebGPU on a usable hardware adapter, otherwise the CPU backend.
    #[default]
    Auto,
    /// Always the CPU backend.
    Cpu,
    /// WebGPU on whatever adapter the browser offers, software adapters included; an error if
    /// there is none.
    Webgpu,
}

/// The backend a session runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// Burn's `flex` backend on the CPU (wasm SIMD in the browser).
    Cpu,
    /// Burn's wgpu backend on the browser's WebGPU.
    Webgpu,
}

/// Which backend runs, and why: shown in the page's backend badge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackendInfo {
    /// The backend in use.
    pub backend: BackendKind,
    /// The WebGPU adapter's description, when WebGPU is used.
    pub adapter: Option<String>,
    /// Why this backend was chosen (or why WebGPU was not).
    pub reason: String,
}

/// What the browser's WebGPU adapter offers, probed before Burn initialises it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterProbe {
    /// Vendor, architecture and description, as the browser reports them.
    pub name: String,
    /// Whether the adapter offers the `timestamp-query` feature.
    pub timestamp_query: bool,
    /// Whether it is a software fallback adapter (`isFallbackAdapter`).
    pub fallback: bool,
}

/// The decision for a preference, given the probe of the adapter (or why there is none).
/// `Err` only when WebGPU was forced and cannot run.
pub fn decide(
    preference: BackendPreference,
    probe: Result<AdapterProbe, String>,
) -> Result<BackendInfo, String> {
    let cpu = |reason: String| BackendInfo {
        backend: BackendKind::Cpu,
        adapter: None,
        reason,
    };
    if preference == BackendPreference::Cpu {
        return Ok(cpu("the CPU backend was requested".into()));
    }
    let forced = preference == BackendPreference::Webgpu;
    let unusable = match &probe {
        Err(why) => Some(why.clone()),
        Ok(adapter) if !adapter.timestamp_query => Some(format!(
            "the WebGPU adapter ({}) lacks the timestamp-query feature Burn needs",
            adapter.name
        )),
        Ok(adapter) if adapter.fallback && !forced => Some(format!(
            "the only WebGPU adapter ({}) is a software fallback, slower than the CPU backend; \
             force webgpu to use it anyway",
            adapter.name
        )),
        Ok(_) => None,
    };
    match (unusable, probe) {
        (Some(why), _) if forced => Err(format!("WebGPU was requested but cannot run: {why}")),
        (Some(why), _) => Ok(cpu(why)),
        (None, Ok(adapter)) => Ok(BackendInfo {
            backend: BackendKind::Webgpu,
            reason: if forced {
                "WebGPU was requested".into()
            } else {
                "a hardware WebGPU adapter is available".into()
            },
            adapter: Some(adapter.name),
        }),
        (None, Err(_)) => unreachable!("a failed probe is always unusable"),
    }
}

/// The CPU device: Burn's `flex` backend.
pub fn cpu_device() -> Device {
    Device::flex()
}

#[cfg(target_arch = "wasm32")]
pub use browser::{current, select};

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;

    use burn::tensor::Device;
    use js_sys::{Function, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{AdapterProbe, BackendInfo, BackendKind, BackendPreference, cpu_device, decide};

    thread_local! {
        static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
        static CURRENT: RefCell<Option<(Device, BackendInfo)>> = const { RefCell::new(None) };
    }

    /// Chooses the backend for `preference`, initialising WebGPU on first use, and makes it the
    /// device of every lab created afterwards.
    pub async fn select(preference: BackendPreference) -> Result<(Device, BackendInfo), String> {
        let probe = if preference == BackendPreference::Cpu {
            Err("not probed".into())
        } else {
            probe_adapter().await
        };
        let info = decide(preference, probe)?;
        let device = match info.backend {
            BackendKind::Cpu => cpu_device(),
            BackendKind::Webgpu => webgpu_device().await?,
        };
        CURRENT.with(|c| *c.borrow_mut() = Some((device.clone(), info.clone())));
        Ok((device, info))
    }

    /// The device chosen last, choosing automatically if none was.
    pub async fn current() -> Result<(Device, BackendInfo), String> {
        match CURRENT.with(|c| c.borrow().clone()) {
            Some(chosen) => Ok(chosen),
            None => select(BackendPreference::Auto).await,
        }
    }

    async fn webgpu_device() -> Result<Device, String> {
        if let Some(device) = WEBGPU.with(|w| w.borrow().clone()) {
            return Ok(device);
        }
        let device = Device::wgpu_options()
            .init_async()
            .await
            .map_err(|error| format!("WebGPU initialisation failed: {error}"))?;
        WEBGPU.with(|w| *w.borrow_mut() = Some(device.clone()));
        Ok(device)
    }

    fn get(target: &JsValue, key: &str) -> JsValue {
        Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn text(target: &JsValue, key: &str) -> String {
        get(target, key).as_string().unwrap_or_default()
    }

    /// Asks the browser for the adapter wgpu will get (high-performance preference).
    async fn probe_adapter() -> Result<AdapterProbe, String> {
        let gpu = get(&get(&js_sys::global(), "navigator"), "gpu");
        if gpu.is_undefined() || gpu.is_null() {
            return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
        }
        let request: Function = get(&gpu, "requestAdapter")
            .dyn_into()
            .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
        let options = Object::new();
        let _ = Reflect::set(
            &options,
            &"powerPreference".into(),
            &"high-performance".into(),
        );
        let promise: Promise = request
            .call1(&gpu, &options)
            .and_then(|p| p.dyn_into().map_err(JsValue::from))
            .map_err(|e| format!("requestAdapter failed: {e:?}"))?;
        let adapter = JsFuture::from(promise)
            .await
            .map_err(|e| format!("requestAdapter failed: {e:?}"))?;
        if adapter.is_null() || adapter.is_undefined() {
            return Err("the browser offers no WebGPU adapter".into());
        }
        let features = get(&adapter, "features");
        let has: Option<Function> = get(&features, "has").dyn_into().ok();
        let timestamp_query = has
            .and_then(|has| has.call1(&features, &"timestamp-query".into()).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let info = get(&adapter, "info");
        let fallback = get(&info, "isFallbackAdapter")
            .as_bool()
            .or_else(|| get(&adapter, "isFallbackAdapter").as_bool())
            .unwrap_or(false);
        let parts: Vec<String> = ["vendor", "architecture", "description"]
            .iter()
            .map(|key| text(&info, key))
            .filter(|s| !s.is_empty())
            .collect();
        let name = if parts.is_empty() {
            "unnamed adapter".into()
        } else {
            parts.join(" ")
        };
        Ok(AdapterProbe {
            name,
            timestamp_query,
            fallback,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(timestamp_query: bool, fallback: bool) -> Result<AdapterProbe, String> {
        Ok(AdapterProbe {
            name: "test adapter".into(),
            timestamp_query,
            fallback,
        })
    }

    #[test]
    fn auto_uses_only_a_capable_hardware_adapter() {
        let use_gpu = decide(BackendPreference::Auto, adapter(true, false)).unwrap();
        assert_eq!(use_gpu.backend, BackendKind::Webgpu);
        assert_eq!(use_gpu.adapter.as_deref(), Some("test adapter"));
        for probe in [
            adapter(false, false),
            adapter(true, true),
            Err("no gpu".into()),
        ] {
            let info = decide(BackendPreference::Auto, probe).unwrap();
            assert_eq!(info.backend, BackendKind::Cpu);
            assert!(!info.reason.is_empty());
        }
    }

    #[test]
    fn forcing_webgpu_accepts_a_software_adapter_but_fails_loudly_without_one() {
        let info = decide(BackendPreference::Webgpu, adapter(true, true)).unwrap();
        assert_eq!(info.backend, BackendKind::Webgpu);
        let error = decide(BackendPreference::Webgpu, Err("no adapter".into())).unwrap_err();
        assert!(error.contains("no adapter"), "{error}");
        let error = decide(BackendPreference::Webgpu, adapter(false, false)).unwrap_err();
        assert!(error.contains("timestamp-query"), "{error}");
    }

    #[test]
    fn cpu_is_always_available() {
        let info = decide(BackendPreference::Cpu, Err("never probed".into())).unwrap();
        assert_eq!(info.backend, BackendKind::Cpu);
    }
}
