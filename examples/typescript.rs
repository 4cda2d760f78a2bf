//! Writes the TypeScript generated from the Rust schema into `www/src/generated/` (run after
//! changing a family's settings; `tests/generated_typescript.rs` fails until it is run).

use std::path::Path;

use genlab::schema::GENERATED_DIR;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join(GENERATED_DIR);
    std::fs::create_dir_all(&dir)?;
    for (name, contents) in genlab::models::schema().typescript_files() {
        let path = dir.join(name);
        std::fs::write(&path, contents)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
