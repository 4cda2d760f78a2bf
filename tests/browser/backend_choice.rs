//! The start-up timing probe between the CPU backend and WebGPU, and the WebGPU runtime's
//! submission setting, from JavaScript; what `auto` would consider, asked without choosing.

use genlab::web::{configure_webgpu, init_backend, timing_probe, webgpu_candidate};
use wasm_bindgen_test::*;

use super::{get, message};

#[wasm_bindgen_test]
async fn the_timing_probe_times_both_backends_and_picks_the_faster() {
    let probe = timing_probe().await.expect("the probe runs");
    let cpu = get(&probe, "cpu_ms").as_f64().expect("the CPU was timed");
    let gpu = get(&probe, "webgpu_ms").as_f64().expect("WebGPU was timed");
    assert!(
        cpu > 0.0 && cpu.is_finite() && gpu > 0.0 && gpu.is_finite(),
        "{cpu} {gpu}"
    );
    let faster = if gpu < cpu { "webgpu" } else { "cpu" };
    assert_eq!(get(&probe, "choice").as_string().as_deref(), Some(faster));
    let reason = get(&probe, "reason").as_string().unwrap();
    assert!(
        reason.contains(&format!("{cpu:.1} ms per step on the CPU")),
        "{reason}"
    );
    assert!(
        reason.contains(&format!("{gpu:.1} ms per step on WebGPU")),
        "{reason}"
    );
    init_backend("cpu".into()).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_webgpu_candidate_is_what_auto_considers_and_chooses_nothing() {
    let candidate = webgpu_candidate().await.expect("the adapter probe answers");
    let backend = get(&candidate, "backend").as_string().unwrap();
    let reason = get(&candidate, "reason").as_string().unwrap();
    if backend == "cpu" {
        // No usable hardware adapter (here: SwiftShader, a software fallback): `auto` takes the
        // CPU for the same reason, without a timing probe (the page then loads the threaded module).
        assert!(reason.contains("WebGPU"), "{reason}");
        let auto = init_backend("auto".into()).await.unwrap();
        assert_eq!(get(&auto, "backend").as_string().as_deref(), Some("cpu"));
        assert_eq!(get(&auto, "reason").as_string(), Some(reason));
    } else {
        assert_eq!(backend, "webgpu");
        assert!(
            get(&candidate, "adapter").is_string(),
            "the adapter is named"
        );
    }
    init_backend("cpu".into()).await.unwrap();
}

#[wasm_bindgen_test]
async fn tasks_per_submit_is_checked_and_fixed_once_webgpu_runs() {
    for bad in [0, 257] {
        let error = configure_webgpu(bad.into()).unwrap_err();
        assert_eq!(
            get(&error, "field").as_string().as_deref(),
            Some("tasks_per_submit")
        );
        assert!(
            message(&error).contains("from 1 to 256"),
            "{}",
            message(&error)
        );
    }
    init_backend("webgpu".into())
        .await
        .expect("a WebGPU adapter");
    let error = configure_webgpu(16.into()).unwrap_err();
    assert_eq!(
        get(&error, "field").as_string().as_deref(),
        Some("tasks_per_submit")
    );
    assert!(
        message(&error).contains("reload the page"),
        "{}",
        message(&error)
    );
    init_backend("cpu".into()).await.unwrap();
}
