//! The one place where the compute device is chosen.
//!
//! Native builds (tests, benchmarks) run on Burn's `flex` CPU backend. In the browser, WebGPU is
//! a candidate when an adapter exists, offers `timestamp-query` (CubeCL requires it) and is a
//! hardware adapter; a software fallback adapter (SwiftShader in headless Chromium: about 50×
//! slower than the CPU backend for a small MLP) is used only when WebGPU is forced. Between the
//! CPU and a candidate adapter, a timing probe at start-up decides: a few training steps of the
//! 2-D families' default shape on each, the faster wins ([`choose_by_timing`]). WebGPU is
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

/// The start-up timing probe's figures: milliseconds per training step on each backend.
#[derive(Clone, Debug, PartialEq)]
pub struct TimingRace {
    /// Per step on the CPU backend, or why it could not be timed.
    pub cpu_ms: Result<f64, String>,
    /// Per step on the WebGPU adapter, or why it could not be timed.
    pub webgpu_ms: Result<f64, String>,
}

/// The verdict of the timing probe between the CPU backend and the WebGPU adapter `gpu` (a
/// choice [`decide`] made for `Auto`): the faster per training step, both figures in the reason.
/// A backend that could not be timed loses; the CPU wins ties and when neither was timed.
pub fn choose_by_timing(gpu: BackendInfo, race: &TimingRace) -> BackendInfo {
    let adapter = gpu
        .adapter
        .clone()
        .unwrap_or_else(|| "the WebGPU adapter".into());
    let figure = |timed: &Result<f64, String>| match timed {
        Ok(ms) => format!("{ms:.1} ms per step"),
        Err(why) => format!("failed ({why})"),
    };
    let figures = format!(
        "timing probe at start-up: {} on WebGPU ({adapter}), {} on the CPU",
        figure(&race.webgpu_ms),
        figure(&race.cpu_ms)
    );
    let gpu_wins = match (&race.webgpu_ms, &race.cpu_ms) {
        (Ok(gpu_ms), Ok(cpu_ms)) => gpu_ms < cpu_ms,
        (Ok(_), Err(_)) => true,
        (Err(_), _) => false,
    };
    if gpu_wins {
        BackendInfo {
            reason: format!("{figures}: WebGPU is faster"),
            ..gpu
        }
    } else {
        BackendInfo {
            backend: BackendKind::Cpu,
            adapter: None,
            reason: format!("{figures}: the CPU is faster"),
        }
    }
}

/// Tasks CubeCL gathers into one WebGPU command submission unless the benchmark sets another
/// value (CubeCL's default; see BENCHMARKS.md for the sweep).
pub const DEFAULT_TASKS_PER_SUBMIT: usize = 32;

/// Times one training step on a device, in milliseconds: the start-up probe. The layer that
/// builds training sessions supplies it, so that choosing a device needs no session.
pub type StepTimer = for<'a> fn(
    &'a Device,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<f64, String>> + 'a>,
>;

#[cfg(target_arch = "wasm32")]
pub use browser::{candidate, current, now_ms, race, select, set_tasks_per_submit};

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::{Cell, RefCell};

    use burn::tensor::Device;
    use js_sys::{Function, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{
        AdapterProbe, BackendInfo, BackendKind, BackendPreference, DEFAULT_TASKS_PER_SUBMIT,
        StepTimer, TimingRace, choose_by_timing, cpu_device, decide,
    };

    thread_local! {
        static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
        static CURRENT: RefCell<Option<(Device, BackendInfo)>> = const { RefCell::new(None) };
        /// The automatic choice, probed once per page.
        static AUTOMATIC: RefCell<Option<BackendInfo>> = const { RefCell::new(None) };
        static TASKS_PER_SUBMIT: Cell<usize> = const { Cell::new(DEFAULT_TASKS_PER_SUBMIT) };
    }

    /// Chooses the backend for `preference`, initialising WebGPU on first use, and makes it the
    /// device of every lab created afterwards. `Auto` with a hardware adapter runs the timing
    /// probe (`timer`) once per page ([`race`]).
    pub async fn select(
        preference: BackendPreference,
        timer: StepTimer,
    ) -> Result<(Device, BackendInfo), String> {
        let info = match preference {
            BackendPreference::Auto => automatic(timer).await,
            BackendPreference::Cpu => decide(preference, Err("not probed".into()))?,
            BackendPreference::Webgpu => decide(preference, probe_adapter().await)?,
        };
        let device = match info.backend {
            BackendKind::Cpu => cpu_device(),
            BackendKind::Webgpu => webgpu_device().await?,
        };
        CURRENT.with(|c| *c.borrow_mut() = Some((device.clone(), info.clone())));
        Ok((device, info))
    }

    /// The device chosen last, choosing automatically (probing with `timer`) if none was.
    pub async fn current(timer: StepTimer) -> Result<(Device, BackendInfo), String> {
        match CURRENT.with(|c| c.borrow().clone()) {
            Some(chosen) => Ok(chosen),
            None => select(BackendPreference::Auto, timer).await,
        }
    }

    /// Sets the tasks CubeCL gathers into one command submission (1 ..= 256): only before
    /// WebGPU is first used, since its runtime cannot be reconfigured.
    pub fn set_tasks_per_submit(tasks: usize) -> Result<(), String> {
        if WEBGPU.with(|w| w.borrow().is_some()) {
            return Err(format!(
                "WebGPU is already running with {} tasks per submit; reload the page to \
                 change it",
                TASKS_PER_SUBMIT.get()
            ));
        }
        TASKS_PER_SUBMIT.set(tasks);
        Ok(())
    }

    /// Times a training step with `timer` on the CPU backend and on WebGPU (initialising it on
    /// whatever adapter the browser offers): the start-up probe's figures.
    pub async fn race(timer: StepTimer) -> TimingRace {
        let cpu_ms = timer(&cpu_device()).await;
        let webgpu_ms = match webgpu_device().await {
            Ok(gpu) => timer(&gpu).await,
            Err(why) => Err(why),
        };
        TimingRace { cpu_ms, webgpu_ms }
    }

    /// What `Auto` would consider before its timing probe: WebGPU on a usable hardware adapter,
    /// or the CPU and why not. Chooses nothing (the page asks before picking the CPU module that
    /// has no WebGPU: the threaded one).
    pub async fn candidate() -> BackendInfo {
        // `decide` fails only when WebGPU is forced.
        decide(BackendPreference::Auto, probe_adapter().await).unwrap_or_else(|why| BackendInfo {
            backend: BackendKind::Cpu,
            adapter: None,
            reason: why,
        })
    }

    /// `Auto`: the CPU unless a usable hardware adapter wins the timing probe; decided once.
    async fn automatic(timer: StepTimer) -> BackendInfo {
        if let Some(info) = AUTOMATIC.with(|a| a.borrow().clone()) {
            return info;
        }
        let candidate = candidate().await;
        let info = match candidate.backend {
            BackendKind::Cpu => candidate,
            BackendKind::Webgpu => choose_by_timing(candidate, &race(timer).await),
        };
        AUTOMATIC.with(|a| *a.borrow_mut() = Some(info.clone()));
        info
    }

    /// `performance.now()`, in the page or in a worker.
    pub fn now_ms() -> f64 {
        let performance = get(&js_sys::global(), "performance");
        get(&performance, "now")
            .dyn_into::<Function>()
            .ok()
            .and_then(|now| now.call0(&performance).ok())
            .and_then(|t| t.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }

    /// The threaded CPU module has no WebGPU (see Cargo.toml).
    #[cfg(target_feature = "atomics")]
    async fn webgpu_device() -> Result<Device, String> {
        Err("this is the threaded CPU module, which has no WebGPU".into())
    }

    #[cfg(not(target_feature = "atomics"))]
    async fn webgpu_device() -> Result<Device, String> {
        if let Some(device) = WEBGPU.with(|w| w.borrow().clone()) {
            return Ok(device);
        }
        let device = Device::wgpu_options()
            .tasks_max(TASKS_PER_SUBMIT.get())
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

    fn gpu_candidate() -> BackendInfo {
        decide(BackendPreference::Auto, adapter(true, false)).unwrap()
    }

    #[test]
    fn the_timing_probe_picks_the_faster_backend_and_says_why() {
        let race = |cpu: f64, gpu: f64| TimingRace {
            cpu_ms: Ok(cpu),
            webgpu_ms: Ok(gpu),
        };
        let gpu = choose_by_timing(gpu_candidate(), &race(12.0, 3.5));
        assert_eq!(gpu.backend, BackendKind::Webgpu);
        assert_eq!(gpu.adapter.as_deref(), Some("test adapter"));
        assert!(
            gpu.reason
                .contains("3.5 ms per step on WebGPU (test adapter)"),
            "{}",
            gpu.reason
        );
        assert!(
            gpu.reason.contains("12.0 ms per step on the CPU"),
            "{}",
            gpu.reason
        );
        let cpu = choose_by_timing(gpu_candidate(), &race(4.0, 9.0));
        assert_eq!(cpu.backend, BackendKind::Cpu);
        assert_eq!(cpu.adapter, None);
        assert!(cpu.reason.ends_with("the CPU is faster"), "{}", cpu.reason);
        assert_eq!(
            choose_by_timing(gpu_candidate(), &race(5.0, 5.0)).backend,
            BackendKind::Cpu
        );
    }

    #[test]
    fn a_backend_that_cannot_be_timed_loses() {
        let failed_gpu = TimingRace {
            cpu_ms: Ok(12.0),
            webgpu_ms: Err("device lost".into()),
        };
        let info = choose_by_timing(gpu_candidate(), &failed_gpu);
        assert_eq!(info.backend, BackendKind::Cpu);
        assert!(
            info.reason.contains("failed (device lost)"),
            "{}",
            info.reason
        );
        let failed_cpu = TimingRace {
            cpu_ms: Err("out of memory".into()),
            webgpu_ms: Ok(30.0),
        };
        assert_eq!(
            choose_by_timing(gpu_candidate(), &failed_cpu).backend,
            BackendKind::Webgpu
        );
        let neither = TimingRace {
            cpu_ms: Err("a".into()),
            webgpu_ms: Err("b".into()),
        };
        assert_eq!(
            choose_by_timing(gpu_candidate(), &neither).backend,
            BackendKind::Cpu
        );
    }

    #[test]
    fn cpu_is_always_available() {
        let info = decide(BackendPreference::Cpu, Err("never probed".into())).unwrap();
        assert_eq!(info.backend, BackendKind::Cpu);
    }
}
