//! The generated TypeScript (`www/src/generated/`) is what the Rust schema gives: a range,
//! default, choice or family changed in Rust without `cargo run --example typescript` fails here.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use genlab::schema::GENERATED_DIR;

#[test]
fn the_generated_typescript_matches_the_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED_DIR);
    for (name, expected) in genlab::models::schema().typescript_files() {
        let path = dir.join(name);
        let found = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            found == expected,
            "{} differs from the Rust schema: run `cargo run --example typescript`",
            path.display()
        );
    }
}
