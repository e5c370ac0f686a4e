//! Rebuilds `samples/master.xlsx` from its structured source `samples/master-2023.toml`.
//!
//! ```text
//! cargo run --example build_sample_master
//! ```

use std::path::Path;

use tianbao_kit::source::{Layout, MasterSource, write_master};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let text = std::fs::read_to_string(root.join("master-2023.toml"))?;
    let source = MasterSource::from_toml(&text)?;
    let bytes = write_master(&source, &Layout::default())?;
    let out = root.join("master.xlsx");
    tianbao::write::save_atomic(&out, &bytes)?;
    println!(
        "wrote {} ({} items, {} bytes)",
        out.display(),
        source.items().count(),
        bytes.len()
    );
    Ok(())
}
