//! The crate's modules form a ladder: each may use only the modules below it, so the module
//! graph has no circle (`family ↔ session ↔ options ↔ gan` had one). A `crate::` path in code
//! (not in comments) that climbs the ladder fails here, naming the file.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

/// The top-level modules, lowest first.
const LADDER: [&str; 14] = [
    "settings",
    "data",
    "device",
    "metrics",
    "evaluation",
    "training",
    "family",
    "options",
    "schema",
    "session",
    "models",
    "diagnostics",
    "quality",
    "web",
];

fn rank(module: &str) -> usize {
    LADDER
        .iter()
        .position(|m| *m == module)
        .unwrap_or_else(|| panic!("module `{module}` is not on the ladder: place it"))
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn sources(dir: &Path, top: Option<&str>, out: &mut Vec<(String, std::path::PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            sources(&path, Some(top.unwrap_or(&name)), out);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            out.push((top.unwrap_or(&name).to_string(), path));
        }
    }
}

/// The top-level modules a source names as `crate::<module>`, outside comments.
fn used_modules(source: &str) -> Vec<String> {
    let mut used = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let module: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !module.is_empty() && module.chars().next().unwrap().is_lowercase() {
                used.push(module);
            }
        }
    }
    used
}

#[test]
fn every_module_uses_only_the_modules_below_it() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        None,
        &mut files,
    );
    assert!(files.len() > 50, "found only {} sources", files.len());
    let mut climbs = Vec::new();
    for (module, path) in &files {
        let source = std::fs::read_to_string(path).unwrap();
        for used in used_modules(&source) {
            // Macros exported at the crate root (`crate::for_each_family!`) belong to models.
            let used = if used == "for_each_family" {
                "models".to_string()
            } else {
                used
            };
            if rank(&used) > rank(module) {
                climbs.push(format!("{} uses crate::{used}", path.display()));
            }
        }
    }
    assert!(
        climbs.is_empty(),
        "climbs the ladder:\n{}",
        climbs.join("\n")
    );
}

#[test]
fn the_ladder_check_sees_a_climb() {
    let used = used_modules("use crate::session::Session; // crate::web in a comment");
    assert_eq!(used, vec!["session"]);
    assert!(
        rank("session") > rank("family"),
        "family using session would be caught"
    );
}
