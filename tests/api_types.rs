//! The result types the TypeScript declares (`src/schema/results.ts`, generated into
//! `www/src/generated/api.ts`) name exactly the keys of the serde structs Rust returns: renaming,
//! adding or removing a field on either side fails here. (Objects built field by field in
//! `src/web/` are checked the same way in the browser: `tests/browser/api_types.rs`.)
#![cfg(not(target_arch = "wasm32"))]

mod api_keys;
mod common;

use api_keys::interface_keys;
use common::{panel, session};
use genlab::device::{BackendInfo, BackendKind};
use genlab::models::flow_matching::FlowMatching;
use genlab::models::gan::Gan;
use serde_json::json;

/// The keys of a JSON object, sorted.
pub fn json_keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .expect("a JSON object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn keys_of(value: &impl serde::Serialize) -> Vec<String> {
    json_keys(&serde_json::to_value(value).expect("serialisable"))
}

#[test]
fn serde_results_have_the_declared_keys() {
    let mut flow = session::<FlowMatching>(json!({"dataset": "moons", "width": 8, "seed": 1}));
    let estimates = panel(&mut flow, 64);
    let with_floor = estimates
        .iter()
        .find(|e| e.noise_floor.is_some())
        .expect("a sample row");
    assert_eq!(keys_of(with_floor), interface_keys("Estimate"));
    assert_eq!(
        keys_of(&with_floor.noise_floor.unwrap()),
        interface_keys("NoiseFloor")
    );
    let views = flow.views();
    let with_parameter = views.iter().find(|v| v.parameter.is_some()).unwrap();
    assert_eq!(keys_of(with_parameter), interface_keys("ViewInfo"));
    let gan = session::<Gan>(json!({"dataset": "moons", "width": 8}));
    assert_eq!(keys_of(&gan.actions()[0]), interface_keys("ActionInfo"));
    let backend = BackendInfo {
        backend: BackendKind::Cpu,
        adapter: None,
        reason: String::new(),
    };
    assert_eq!(keys_of(&backend), interface_keys("BackendInfo"));
    let check = genlab::diagnostics::matrix_products::ProductCheck {
        products: 0,
        worst: 0.0,
        failures: Vec::new(),
        digest: "0123456789abcdef".into(),
    };
    assert_eq!(keys_of(&check), interface_keys("ProductCheck"));
    assert_eq!(
        keys_of(&genlab::diagnostics::silu_pass::check()),
        interface_keys("SiluPassCheck")
    );
    assert_eq!(
        keys_of(&genlab::data::Dataset::Moons.bounds()),
        interface_keys("Bounds")
    );
    let weights = pollster::block_on(flow.export_weights().read()).expect("readable weights");
    assert_eq!(keys_of(&weights.header), interface_keys("WeightsInfo"));
}

#[test]
fn the_key_reader_sees_nested_and_optional_keys_only_at_the_top() {
    assert_eq!(
        interface_keys("DatasetInfo"),
        ["bounds", "dim", "name", "reference"]
    );
    assert_eq!(interface_keys("CompareOptions"), ["seed"]);
}
