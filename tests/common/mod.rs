//! Shared test helpers: run the built binary in a temp dir, build master variants.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod play;
pub mod shapes;
pub mod sheet;
pub mod xlsx;

use serde_json::Value;
use tianbao_kit::source::{Layout, MasterSource, write_master};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `tianbao ARGS` in `dir`.
pub fn tianbao(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_tianbao"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the tianbao binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample_master() -> PathBuf {
    repo().join("samples/master.xlsx")
}

pub fn sample_source() -> MasterSource {
    let text = std::fs::read_to_string(repo().join("samples/master-2023.toml")).unwrap();
    MasterSource::from_toml(&text).unwrap()
}

/// Writes `source` in `layout` to `dir/name` and returns the path.
pub fn write_variant(dir: &Path, name: &str, source: &MasterSource, layout: &Layout) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, write_master(source, layout).unwrap()).unwrap();
    path
}

/// The `items` of an inspect JSON with the row numbers removed (layouts move rows).
pub fn items_without_rows(json: &Value) -> Value {
    let mut items = json["items"].clone();
    for item in items.as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("row");
    }
    items
}

/// (code, item) of every finding, for comparisons across layouts where cells move.
pub fn finding_codes(json: &Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["item"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Checks that LibreOffice is there for an interop test. Interop tests carry
/// `#[cfg_attr(not(tianbao_interop), ignore = "…")]`, so they run only with `TIANBAO_INTEROP=1`
/// (see build.rs) and are reported as ignored otherwise; when they run, a missing `soffice`
/// fails them.
pub fn require_libreoffice() {
    let found = Command::new("soffice").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "TIANBAO_INTEROP=1 but LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui python3-uno"
    );
}

/// Converts `file` with LibreOffice to `format` (xlsx, xls, ods, pdf) in `out_dir`.
pub fn soffice_convert(file: &Path, format: &str, out_dir: &Path) -> PathBuf {
    std::fs::create_dir_all(out_dir).unwrap();
    let profile = out_dir.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(out_dir)
        .arg(file)
        .output()
        .expect("soffice runs");
    assert!(status.status.success(), "soffice failed: {:?}", status);
    let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
    let out = out_dir.join(format!("{stem}.{format}"));
    assert!(
        out.exists(),
        "soffice wrote no {}: {}",
        out.display(),
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

/// Converts every file of `files` with LibreOffice to `format` in `out_dir`, in one start of
/// soffice (each start costs about two seconds); returns the converted paths in order.
pub fn soffice_convert_all(files: &[PathBuf], format: &str, out_dir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(out_dir).unwrap();
    let profile = out_dir.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(out_dir)
        .args(files)
        .output()
        .expect("soffice runs");
    assert!(status.status.success(), "soffice failed: {:?}", status);
    files
        .iter()
        .map(|file| {
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            let out = out_dir.join(format!("{stem}.{format}"));
            assert!(
                out.exists(),
                "soffice wrote no {}: {}",
                out.display(),
                String::from_utf8_lossy(&status.stderr)
            );
            out
        })
        .collect()
}

/// The sending list `generate` writes beside the workbooks.
pub const SENDING_LIST: &str = "发送清单.xlsx";

/// The departments' workbooks `generate` wrote into `dir`: its .xlsx files but the sending
/// list, sorted.
pub fn workbooks_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| e == "xlsx")
                && p.file_name().is_some_and(|n| n != SENDING_LIST)
        })
        .collect();
    files.sort();
    files
}

/// `tianbao init c --master samples/master.xlsx` in a fresh temp dir: (the temp dir, the campaign).
pub fn init_campaign() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let run = tianbao(
        dir.path(),
        &["init", "c", "--master", sample_master().to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = dir.path().join("c");
    (dir, path)
}
