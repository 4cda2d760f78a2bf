//! The CPU backend's matrix products in wasm, which GenLab's copy of gemm computes with its own
//! kernel (vendor/gemm/src/wasm_f32.rs): the crate's self-check
//! (`genlab::diagnostics::matrix_products`, every entry within `k·ε·Σ|a·b|` of an f64 reference,
//! forward in four layouts and a layer's two backward products) in this module, and the same
//! check through the JavaScript export the end-to-end test calls in each of the page's modules;
//! the fused hidden layer, whose products call that kernel directly, against Burn's layer; and
//! the SiLU pass in that layer, whose SIMD lanes must give the bits of its scalar definition; and
//! Adam's fused update, which must give the bits of Burn's Adam.

use genlab::diagnostics::matrix_products::{SHAPES, check};
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn products_and_their_gradients_match_an_f64_reference() {
    let result = check(&burn::tensor::Device::flex());
    assert_eq!(result.products, 4 * SHAPES.len() + 2);
    assert!(result.failures.is_empty(), "{:?}", result.failures);
    assert!(
        result.worst > 0.0 && result.worst <= 1.0,
        "{}",
        result.worst
    );
}

#[wasm_bindgen_test]
fn the_export_reports_the_same_check() {
    let result = genlab::web::check_matrix_products().unwrap();
    let get = |key: &str| js_sys::Reflect::get(&result, &key.into()).unwrap();
    assert_eq!(
        get("products").as_f64(),
        Some((4 * SHAPES.len() + 2) as f64)
    );
    assert_eq!(js_sys::Array::from(&get("failures")).length(), 0);
    assert_eq!(genlab::web::cpu_instructions(), "wasm SIMD");
}

#[wasm_bindgen_test]
fn the_fused_linear_layers_match_burns_composed_layers() {
    use genlab::diagnostics::fused_layer::{TOLERANCE, check};
    let found = check(&burn::tensor::Device::flex());
    console_log!("fused layers against Burn's composed layers in wasm: {found:?}");
    assert!(found.worst() <= TOLERANCE, "{found:?}");
    assert!(found.worst() > 0.0, "{found:?}");
}

#[wasm_bindgen_test]
fn the_fused_coupling_matches_the_composed_coupling() {
    use genlab::diagnostics::fused_coupling::{TOLERANCE, check};
    let found = check(&burn::tensor::Device::flex());
    console_log!("fused coupling against the composed one in wasm: {found:?}");
    assert!(found.worst() <= TOLERANCE, "{found:?}");
}

#[wasm_bindgen_test]
fn the_simd_silu_pass_gives_the_bits_of_its_scalar_definition() {
    use genlab::diagnostics::silu_pass::{WIDTHS, check, inputs};
    let found = check();
    let padded: usize = WIDTHS
        .iter()
        .map(|width| inputs().len().next_multiple_of(*width))
        .sum();
    assert_eq!(found.entries, padded);
    assert!(found.mismatches.is_empty(), "{:?}", &found.mismatches[..]);
}

#[wasm_bindgen_test]
fn genlabs_adam_gives_the_bits_of_burns_adam() {
    use genlab::diagnostics::adam::check;
    let found = check(&burn::tensor::Device::flex());
    console_log!("GenLab's Adam against Burn's in wasm: {found:?}");
    assert_eq!(found.mismatches, 0, "{found:?}");
    assert!(found.compared > 0 && found.moved > 0, "{found:?}");
}
