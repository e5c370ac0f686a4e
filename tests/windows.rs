//! The Windows build, on when TIANBAO_WINDOWS=1: `dist/windows.sh` packs the zip, and the
//! tianbao.exe in it, under Wine in a folder named with Chinese and a space, runs the demo with
//! the same compiled table as the Linux build, reads the bundled sample as Linux does and runs
//! the documented cycle with Chinese names; the library's unit tests pass under Wine.
//!
//! Without the variable these tests are ignored (build.rs sets `cfg(tianbao_windows)` from it), so
//! they are never counted as passed without running; with it and MinGW, Wine or the Rust target
//! missing they fail, saying what to install. Nothing here looks at the wording of the output.
//!
//! Wine 8 lacks `ProcessPrng` (bcryptprimitives.dll), which Rust's std imports (real Windows 10
//! and 11 have it): a shim DLL built here with MinGW goes beside the exe in the test's folder —
//! never into the zip.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, DataType, Range, Reader, Xlsx, open_workbook};
use common::{Run, repo, tianbao};

const TARGET: &str = "x86_64-pc-windows-gnu";
const UTF8_FLAG: u16 = 0x800;
const BOM: &[u8] = b"\xef\xbb\xbf";
const SHIM: &str = r#"#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
"#;

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Wine in a private prefix under a temp dir, which it creates on first use (~10 s).
struct Wine {
    program: PathBuf,
    prefix: tempfile::TempDir,
}

impl Wine {
    /// Checks every tool these tests need; panics naming what to install.
    fn require() -> Wine {
        let mut missing = Vec::new();
        if !succeeds("x86_64-w64-mingw32-gcc", &["--version"]) {
            missing.push("the MinGW toolchain: apt-get install -y gcc-mingw-w64-x86-64");
        }
        let libdir = Command::new("rustc")
            .args(["--print", "target-libdir", "--target", TARGET])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        if !libdir.is_some_and(|d| d.is_dir()) {
            missing.push("the Rust target: rustup target add x86_64-pc-windows-gnu");
        }
        if !succeeds("python3", &["--version"]) {
            missing.push(
                "python3 (dist/windows.sh packs the zip with it): apt-get install -y python3",
            );
        }
        let program = std::env::var_os("TIANBAO_WINE")
            .map(PathBuf::from)
            .into_iter()
            .chain(["wine64", "/usr/lib/wine/wine64", "wine"].map(PathBuf::from))
            .find(|p| {
                Command::new(p)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            });
        if program.is_none() {
            missing.push("Wine: apt-get install -y --no-install-recommends wine64");
        }
        assert!(
            missing.is_empty(),
            "TIANBAO_WINDOWS=1 but the Windows tests lack:\n  {}",
            missing.join("\n  ")
        );
        Wine {
            program: program.unwrap(),
            prefix: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs the Windows program `exe` with `args` in `dir`.
    fn run(&self, dir: &Path, exe: &Path, args: &[&str]) -> Run {
        let out = Command::new(&self.program)
            .arg(exe)
            .args(args)
            .current_dir(dir)
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // Wine maps Unix file names by the locale: Chinese paths need a UTF-8 one (CI may
            // have none set). Windows itself has no such step.
            .env("LC_ALL", "C.UTF-8")
            // No offers to install Mono or Gecko while the prefix is made.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("NO_COLOR", "1")
            .output()
            .expect("wine runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for Wine {
    /// Ends this prefix's wineserver, which would linger a few seconds.
    fn drop(&mut self) {
        let beside = self.program.with_file_name("wineserver");
        for server in [beside.as_path(), Path::new("wineserver")] {
            let ended = Command::new(server)
                .arg("-k")
                .env("WINEPREFIX", self.prefix.path())
                .output();
            if ended.is_ok() {
                break;
            }
        }
    }
}

/// Builds the ProcessPrng shim into `dir/bcryptprimitives.dll` (for Wine 8 only; never shipped).
fn put_shim_beside(dir: &Path) {
    let src = tempfile::tempdir().unwrap();
    let c = src.path().join("shim.c");
    std::fs::write(&c, SHIM).unwrap();
    let out = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(dir.join("bcryptprimitives.dll"))
        .arg(&c)
        .arg("-lbcrypt")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the shim does not build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One entry of a zip's central directory, with the flags of its local header too.
struct Entry {
    name: String,
    flags: u16,
    local_flags: u16,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// The entries of a zip (no zip64, no archive comment), read from its bytes.
fn zip_entries(zip: &[u8]) -> Vec<Entry> {
    let eocd = zip.len() - 22;
    assert_eq!(
        u32_at(zip, eocd),
        0x0605_4b50,
        "no end of central directory"
    );
    let count = u16_at(zip, eocd + 10) as usize;
    let mut at = u32_at(zip, eocd + 16) as usize;
    let mut entries = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(zip, at), 0x0201_4b50, "central directory header");
        let flags = u16_at(zip, at + 8);
        let name_len = u16_at(zip, at + 28) as usize;
        let extra_len = u16_at(zip, at + 30) as usize;
        let comment_len = u16_at(zip, at + 32) as usize;
        let local = u32_at(zip, at + 42) as usize;
        assert_eq!(u32_at(zip, local), 0x0403_4b50, "local header");
        let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec())
            .expect("entry names are UTF-8");
        entries.push(Entry {
            name,
            flags,
            local_flags: u16_at(zip, local + 6),
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

/// The samples the zip must hold: samples/master.xlsx and samples/campaign/ without out/ or
/// outbox/ (left there by runs on the repository's copy).
fn sample_files() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !(dir == base.join("campaign") && (name == "out" || name == "outbox")) {
                    walk(&path, base, out);
                }
            } else if name != ".tianbao.lock" && !name.ends_with(".tmp") {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy();
                out.push(format!("samples/{}", rel.replace('\\', "/")));
            }
        }
    }
    let base = repo().join("samples");
    let mut files = vec!["samples/master.xlsx".to_string()];
    walk(&base.join("campaign"), &base, &mut files);
    files
}

/// A text file as Windows' Notepad wants it: a UTF-8 BOM and CRLF line endings only.
fn assert_windows_text(name: &str, bytes: &[u8], source: &str) {
    assert!(bytes.starts_with(BOM), "{name} has no UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[BOM.len()..]).unwrap();
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "{name} has a line not ended by CRLF"
    );
    assert_eq!(
        text.replace("\r\n", "\n"),
        source,
        "{name} differs from its source"
    );
}

/// Checks the zip's entries, their flags and contents; returns its bytes.
fn check_zip(zip: &Path) -> Vec<u8> {
    let bytes = std::fs::read(zip).unwrap();
    let entries = zip_entries(&bytes);
    let mut names: Vec<_> = entries.iter().map(|e| e.name.clone()).collect();
    let mut expected = sample_files();
    expected.extend(["tianbao.exe".into(), "使用说明.txt".into()]);
    names.sort();
    expected.sort();
    assert_eq!(names, expected, "the zip's entries");
    for e in &entries {
        if !e.name.is_ascii() {
            assert!(
                e.flags & UTF8_FLAG != 0 && e.local_flags & UTF8_FLAG != 0,
                "{} lacks the UTF-8 flag (central {:#06x}, local {:#06x})",
                e.name,
                e.flags,
                e.local_flags
            );
        }
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut read = |name: &str| {
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut data).unwrap();
        data
    };
    assert!(
        read("tianbao.exe").starts_with(b"MZ"),
        "tianbao.exe is no exe"
    );
    let guide = std::fs::read_to_string(repo().join("dist/windows/使用说明.txt"))
        .unwrap()
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"));
    assert_windows_text("使用说明.txt", &read("使用说明.txt"), &guide);
    for name in sample_files() {
        let source = std::fs::read(repo().join(&name)).unwrap();
        let packed = read(&name);
        if name.ends_with(".toml") {
            assert_windows_text(&name, &packed, std::str::from_utf8(&source).unwrap());
        } else {
            assert_eq!(packed, source, "{name} differs from the repository's");
        }
    }
    bytes
}

/// The compiled workbook of a demo run in `dir`, checking the demo's outputs on the way.
fn demo_outputs(dir: &Path) -> PathBuf {
    let campaign = dir.join("tianbao-demo/campaign");
    assert!(campaign.join("tianbao.toml").is_file(), "no demo campaign");
    let xlsx_in = |sub: &str| -> Vec<PathBuf> {
        std::fs::read_dir(campaign.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
            .collect()
    };
    let sent = xlsx_in("outbox");
    assert_eq!(
        sent.len(),
        15 + 1,
        "the departments' workbooks and the sending list"
    );
    assert!(
        campaign.join("outbox/发送清单.xlsx").is_file(),
        "no sending list"
    );
    assert_eq!(
        std::fs::read_dir(campaign.join("outbox/通知"))
            .unwrap()
            .count(),
        15,
        "a notice per department"
    );
    assert!(
        campaign.join("out/校验报告.xlsx").is_file(),
        "no report workbook"
    );
    let compiled: Vec<_> = xlsx_in("out")
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("-汇总.xlsx"))
        .collect();
    assert_eq!(compiled.len(), 1, "{compiled:?}");
    compiled.into_iter().next().unwrap()
}

/// The compiled 考评表 and its grand total: the 自评得分 cell of the 绩效目标考评得分 row.
fn compiled_table(path: &Path) -> (Range<Data>, f64) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let table = book.worksheet_range("考评表").unwrap();
    let text = |r: usize, c: usize| table.get((r, c)).map(|d| d.to_string()).unwrap_or_default();
    let (rows, cols) = table.get_size();
    let score_col = (0..rows.min(6))
        .find_map(|r| (0..cols).find(|&c| text(r, c) == "自评得分"))
        .expect("a 自评得分 column");
    let total_row = (0..rows)
        .find(|&r| text(r, 0).starts_with("绩效目标考评得分"))
        .expect("the grand total row");
    let total = table
        .get((total_row, score_col))
        .and_then(|d| d.as_f64())
        .expect("the grand total is a number");
    (table, total)
}

/// `status --json`'s summary.
fn summary(run: &Run) -> serde_json::Value {
    run.json()["summary"].clone()
}

/// Copies the repository's sample campaign without the outputs of earlier runs.
fn copy_sample_campaign(to: &Path) {
    for rel in sample_files() {
        let Some(rel) = rel.strip_prefix("samples/campaign/") else {
            continue;
        };
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(repo().join("samples/campaign").join(rel), dest).unwrap();
    }
}

#[test]
#[cfg_attr(
    not(tianbao_windows),
    ignore = "needs MinGW and Wine: TIANBAO_WINDOWS=1 cargo test --test windows"
)]
fn the_zips_exe_runs_the_demo_and_the_sample_under_wine_as_on_linux() {
    let wine = Wine::require();
    let tmp = tempfile::tempdir().unwrap();

    // The zip, as dist/windows.sh makes it (a no-op build when CI has just run it).
    let dist = tmp.path().join("dist");
    let out = Command::new("bash")
        .arg(repo().join("dist/windows.sh"))
        .arg(&dist)
        .env_remove("TIANBAO_WINDOWS") // the same build as a plain run of the script
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dist/windows.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let zip = dist.join(format!(
        "tianbao-{}-windows-x86_64.zip",
        env!("CARGO_PKG_VERSION")
    ));
    let bytes = check_zip(&zip);

    // Unzipped into a folder named with Chinese and a space; the shim beside the exe.
    let folder = tmp.path().join("演示 目录");
    zip::ZipArchive::new(Cursor::new(bytes))
        .unwrap()
        .extract(&folder)
        .unwrap();
    put_shim_beside(&folder);
    let exe = folder.join("tianbao.exe");

    // The demo, on Windows and on Linux: the same outputs and the same compiled table.
    let run = wine.run(&folder, &exe, &["demo"]);
    assert_eq!(
        run.code, 0,
        "demo under Wine:\n{}\n{}",
        run.stdout, run.stderr
    );
    let windows_compiled = demo_outputs(&folder);
    let linux = tmp.path().join("linux");
    std::fs::create_dir(&linux).unwrap();
    let run = tianbao(&linux, &["demo"]);
    assert_eq!(
        run.code, 0,
        "demo on Linux:\n{}\n{}",
        run.stdout, run.stderr
    );
    let linux_compiled = demo_outputs(&linux);
    assert_eq!(
        windows_compiled.file_name(),
        linux_compiled.file_name(),
        "the compiled workbook's name"
    );
    let (windows_table, windows_total) = compiled_table(&windows_compiled);
    let (linux_table, linux_total) = compiled_table(&linux_compiled);
    eprintln!("demo grand total: Windows {windows_total}, Linux {linux_total}");
    assert_eq!(windows_total, linux_total, "the demo's grand total");
    assert!(linux_total > 0.0);
    assert_eq!(windows_table, linux_table, "the compiled 考评表 differs");

    // The bundled sample campaign (tianbao.toml with BOM and CRLF) reads as on Linux.
    let run = wine.run(
        &folder,
        &exe,
        &["-C", r"samples\campaign", "status", "--json"],
    );
    let sample = tmp.path().join("linux-sample");
    copy_sample_campaign(&sample);
    let on_linux = tianbao(&sample, &["status", "--json"]);
    assert_eq!(run.code, on_linux.code, "{}", run.stderr);
    assert_eq!(summary(&run), summary(&on_linux), "the sample's status");

    // The guide's cycle with Chinese names: init, then generate and status in the campaign.
    std::fs::copy(
        repo().join("samples/master.xlsx"),
        folder.join("考评表.xlsx"),
    )
    .unwrap();
    let run = wine.run(
        &folder,
        &exe,
        &["init", "2024考评", "--master", "考评表.xlsx"],
    );
    assert_eq!(run.code, 0, "init:\n{}\n{}", run.stdout, run.stderr);
    let campaign = folder.join("2024考评");
    let run = wine.run(&campaign, &exe, &["generate"]);
    assert_eq!(run.code, 0, "generate:\n{}\n{}", run.stdout, run.stderr);
    assert_eq!(common::workbooks_in(&campaign.join("outbox")).len(), 15);
    // Beside them, a notice per department, in a folder with a Chinese name.
    assert_eq!(
        std::fs::read_dir(campaign.join("outbox/通知"))
            .unwrap()
            .count(),
        15
    );
    let run = wine.run(&campaign, &exe, &["status", "--json"]);
    assert_eq!(run.code, 1, "nothing returned yet: {}", run.stderr);
    assert_eq!(summary(&run)["missing"], 15);
    assert!(
        !campaign.join(tianbao::lock::LOCK_FILE).exists(),
        "a command left its lock"
    );
}

#[test]
#[cfg_attr(
    not(tianbao_windows),
    ignore = "needs MinGW and Wine: TIANBAO_WINDOWS=1 cargo test --test windows"
)]
fn the_library_unit_tests_pass_under_wine() {
    let wine = Wine::require();
    // The lock's Windows code (file identity, process liveness) among them.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "test",
            "--locked",
            "--lib",
            "--no-run",
            "--message-format=json",
        ])
        .args(["--target", TARGET])
        .current_dir(repo())
        .env_remove("TIANBAO_WINDOWS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the unit tests do not build for {TARGET}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let built = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == true)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the unit test executable");
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("单元 测试");
    std::fs::create_dir(&folder).unwrap();
    let exe = folder.join("tianbao-unit-tests.exe");
    std::fs::copy(&built, &exe).unwrap();
    put_shim_beside(&folder);
    let run = wine.run(&folder, &exe, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for test in [
        "lock::tests::this_process_is_alive ... ok",
        "lock::tests::a_second_holder_is_refused_with_the_first_named ... ok",
        "lock::tests::a_lock_left_by_a_dead_process_is_taken_over ... ok",
    ] {
        assert!(run.stdout.contains(test), "{test}:\n{}", run.stdout);
    }
}
