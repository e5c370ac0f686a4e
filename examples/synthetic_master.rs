//! Writes a synthetic master table with N departments and M items (see `tianbao::synthetic`).
//!
//! ```text
//! cargo run --release --example synthetic_master -- 1000 3000 master.xlsx
//! ```

use tianbao_kit::source::{Layout, write_master};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [departments, items, out] = args.as_slice() else {
        return Err("usage: synthetic_master DEPARTMENTS ITEMS OUT.xlsx".into());
    };
    let source = tianbao_kit::synthetic::master_source(departments.parse()?, items.parse()?);
    let bytes = write_master(&source, &Layout::default())?;
    tianbao::write::save_atomic(std::path::Path::new(out), &bytes)?;
    println!("wrote {out} ({} bytes)", bytes.len());
    Ok(())
}
