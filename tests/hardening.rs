//! Hostile and broken inputs, faults and forgery (issue 7), through the binary: inputs are never
//! changed, outputs are whole even when a run is killed mid-write, one writer per campaign,
//! untrusted text stays data, the secret stays in tianbao.toml, and fatal errors are one line.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::play::Campaign;
use common::xlsx::Xlsx;
use common::{Run, SENDING_LIST, sample_source, tianbao, workbooks_in, write_variant};
use sha2::{Digest, Sha256};
use tianbao_kit::source::{Layout, SourceRow};

const WATER: &str = "水科";

/// Every file under `dir` (recursively) by relative path, with its SHA-256.
fn hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(
                    rel,
                    tianbao::digest::hex(&Sha256::digest(std::fs::read(&path).unwrap())),
                );
            }
        }
    }
    out
}

/// The inputs of a campaign: the master, the config and everything returned.
fn inputs(c: &Campaign) -> BTreeMap<String, String> {
    let mut all = hashes(&c.path("inbox"));
    all.insert("master.xlsx".into(), hashes(&c.dir)["master.xlsx"].clone());
    all.insert(
        "tianbao.toml".into(),
        hashes(&c.dir)["tianbao.toml"].clone(),
    );
    all
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn temps_in(dir: &Path) -> Vec<String> {
    names_in(dir)
        .into_iter()
        .filter(|n| tianbao::write::is_temp_name(n))
        .collect()
}

/// A zip of `files` (name, bytes), deflated.
fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        out.start_file(*name, options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Fatal errors are one line, `错误：…`, with no Rust debug output.
fn assert_one_line_error(run: &Run, mentions: &[&str]) {
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("注意："))
        .collect();
    assert_eq!(lines.len(), 1, "not one line:\n{}", run.stderr);
    assert!(lines[0].starts_with("错误："), "{}", run.stderr);
    for word in mentions {
        assert!(lines[0].contains(word), "{word} not in: {}", lines[0]);
    }
    for debug in [
        "panicked",
        "RUST_BACKTRACE",
        "Os {",
        "kind:",
        "Error {",
        "\\n",
    ] {
        assert!(!run.stderr.contains(debug), "debug output: {}", run.stderr);
    }
}

/// A campaign where every department returned and 水科's return has a score that is not a
/// number (so validate writes feedback).
fn everyone_returns_with_one_wrong_score() -> Campaign {
    let c = Campaign::new();
    c.everyone_returns();
    let mut wrong = c.filled(WATER);
    wrong.set(
        "填报表",
        &c.cell(WATER, "1-7-1", "score"),
        common::xlsx::s("很多"),
    );
    c.put(&format!("{WATER}.xlsx"), &wrong);
    c
}

#[test]
fn no_command_changes_an_input() {
    let c = Campaign::new();
    c.everyone_returns();
    // One invalid return (so feedback is written), one in a zip, one broken file.
    let mut wrong = c.filled("大气科");
    wrong.set(
        "填报表",
        &c.cell("大气科", "1-6-1", "score"),
        common::xlsx::s("很多"),
    );
    c.put("大气科.xlsx", &wrong);
    let zipped = c.filled("审批科").to_bytes();
    std::fs::remove_file(c.path("inbox/审批科.xlsx")).unwrap();
    c.put_bytes("收到的.zip", &zip_of(&[("审批科/审批科.xlsx", zipped)]));
    c.put_bytes("坏的.xlsx", b"PK\x03\x04 truncated");
    let before = inputs(&c);
    for args in [
        &["generate"][..],
        &["validate", "--feedback"],
        &["validate", "--json"],
        &["status"],
        &["status", "--json"],
        &["compile", "--allow-incomplete"],
        &["validate", "inbox", "master.xlsx"],
    ] {
        let run = c.run(args);
        assert!(
            run.code == 0 || run.code == 1,
            "{args:?}: {}\n{}",
            run.stdout,
            run.stderr
        );
        assert_eq!(before, inputs(&c), "{args:?} changed an input");
        for dir in ["outbox", "outbox/通知", "out", "out/feedback", "inbox", "."] {
            assert!(
                temps_in(&c.path(dir)).is_empty(),
                "{args:?} left temp files in {dir}"
            );
        }
        assert!(
            !c.path(tianbao::lock::LOCK_FILE).exists(),
            "{args:?} left its lock"
        );
    }
    assert!(!names_in(&c.path("out/feedback")).is_empty());
}

/// Starts `tianbao ARGS` in the campaign with every file write pausing halfway for `pause_ms`.
fn start_slow(c: &Campaign, args: &[&str], pause_ms: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tianbao"))
        .args(args)
        .current_dir(&c.dir)
        .env("TIANBAO_TEST_SLOW_WRITE_MS", pause_ms.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until a half-written temporary file shows in `dir`.
fn wait_for_temp(dir: &Path, child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(name) = temps_in(dir)
            .into_iter()
            .find(|n| std::fs::metadata(dir.join(n)).is_ok_and(|m| m.len() > 0))
        {
            return name;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before writing"
        );
        assert!(
            Instant::now() < deadline,
            "no temporary file appeared in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn outputs(dir: &Path) -> BTreeMap<String, String> {
    hashes(dir)
        .into_iter()
        .filter(|(name, _)| !tianbao::write::is_temp_name(name.rsplit('/').next().unwrap()))
        .collect()
}

#[test]
fn a_generate_killed_mid_write_leaves_whole_files_and_a_lock_others_respect() {
    let c = Campaign::new();
    let before = outputs(&c.path("outbox"));
    assert_eq!(
        before.len(),
        15 + 15 + 1,
        "workbooks, notices, the sending list"
    );

    let mut child = start_slow(&c, &["generate"], 30_000);
    let temp = wait_for_temp(&c.path("outbox"), &mut child);
    // While it runs, writers are refused with its name; readers are not.
    let holder = format!("进程 {}", child.id());
    for args in [
        &["validate"][..],
        &["generate"],
        &["compile", "--allow-incomplete"],
    ] {
        let run = c.run(args);
        assert_one_line_error(&run, &["“tianbao generate”", &holder, ".tianbao.lock"]);
    }
    let status = c.run(&["status"]);
    assert!(status.code == 0 || status.code == 1, "{}", status.stderr);

    child.kill().unwrap(); // SIGKILL on Unix: no cleanup runs
    child.wait().unwrap();
    // The previous workbooks are intact; the one being written is a temp file, half of it.
    assert_eq!(before, outputs(&c.path("outbox")));
    let half = std::fs::metadata(c.path("outbox").join(&temp))
        .unwrap()
        .len();
    let name = temp
        .trim_start_matches('.')
        .rsplitn(3, '.')
        .nth(2)
        .unwrap()
        .to_string();
    let whole = std::fs::metadata(c.path("outbox").join(&name))
        .unwrap()
        .len();
    assert!(half < whole, "{temp}: {half} of {whole} bytes");
    assert!(c.path(tianbao::lock::LOCK_FILE).exists());
    // The temp file is not a return; `validate` of the outbox passes it over.
    let run = c.run(&["validate", "--json", "outbox"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(
        !run.stdout.contains(&format!("\"{temp}")),
        "read the temp file as a workbook"
    );
    assert!(run.stderr.contains("已接管它留下的锁"), "{}", run.stderr);

    // The next writer cleans up and writes every workbook whole.
    let run = c.run(&["generate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(temps_in(&c.path("outbox")).is_empty());
    assert!(!c.path(tianbao::lock::LOCK_FILE).exists());
    let after = workbooks_in(&c.path("outbox"));
    assert_eq!(after.len(), 15, "{after:?}");
    for path in after {
        tianbao::workbook::open(&path).unwrap();
    }
    tianbao::workbook::open(&c.path("outbox").join(SENDING_LIST)).unwrap();
    assert!(temps_in(&c.path("outbox/通知")).is_empty());
    assert_eq!(names_in(&c.path("outbox/通知")).len(), 15);
}

#[test]
fn a_validate_killed_mid_write_keeps_the_previous_report() {
    let c = everyone_returns_with_one_wrong_score();
    let run = c.run(&["validate", "--feedback"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let before = outputs(&c.path("out"));
    assert!(before.contains_key("校验报告.xlsx"), "{before:?}");

    let mut child = start_slow(&c, &["validate", "--feedback"], 30_000);
    wait_for_temp(&c.path("out"), &mut child);
    child.kill().unwrap();
    child.wait().unwrap();
    // Killed while writing the report (feedback is written first): the report is the previous
    // one, and every file there is whole.
    let after = outputs(&c.path("out"));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert_eq!(before["校验报告.xlsx"], after["校验报告.xlsx"]);
    for name in after.keys() {
        tianbao::workbook::open(&c.path("out").join(name)).unwrap();
    }

    let run = c.run(&["validate", "--feedback"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(temps_in(&c.path("out")).is_empty());
    tianbao::workbook::open(&c.path("out/校验报告.xlsx")).unwrap();
}

#[test]
fn a_campaign_locked_by_another_holder_is_refused_until_released() {
    let c = Campaign::new();
    let lock = tianbao::lock::Lock::acquire(&c.dir, "test").unwrap();
    let run = c.run(&["generate"]);
    assert_one_line_error(
        &run,
        &[
            "“tianbao test”",
            &format!("进程 {}", std::process::id()),
            "请等它结束",
        ],
    );
    drop(lock);
    assert_eq!(c.run(&["generate"]).code, 0);
}

/// Names a hostile or careless master can hold, and texts that look like formulas.
const BAD_DEPARTMENTS: &[&str] = &[
    "../../逃逸",
    "a/b\\c:d*e?",
    "CON",
    "响铃\u{7}部门",
    "@注入部门",
    "反向\u{202E}xslx.exe",
];
const FORMULAS: &[&str] = &[
    "=cmd|' /C calc'!A0 注入",
    "+HYPERLINK(\"http://evil.example\",\"注入\")",
    "-1+1 注入",
    "@SUM(1) 注入",
];

/// `init` and `generate` on a master whose departments and texts are hostile.
fn hostile_campaign() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let mut source = sample_source();
    let long = "长".repeat(200);
    let mut departments: Vec<String> = BAD_DEPARTMENTS.iter().map(|d| d.to_string()).collect();
    departments.push(long);
    let mut n = 0;
    for row in &mut source.rows {
        if let SourceRow::Item(item) = row {
            if n < departments.len() {
                item.departments = vec![departments[n].clone()];
                item.persons =
                    vec![["=张三注入", "@李四注入", "+王五注入", "-赵六注入"][n % 4].to_string()];
                item.task = Some(FORMULAS[n % FORMULAS.len()].to_string());
            }
            n += 1;
        }
    }
    let master = write_variant(tmp.path(), "hostile.xlsx", &source, &Layout::default());
    let run = tianbao(
        tmp.path(),
        &[
            "init",
            "c",
            "--master",
            master.to_str().unwrap(),
            "--title",
            FORMULAS[0],
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = tmp.path().join("c");
    let run = tianbao(&dir, &["generate"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    (tmp, dir, departments)
}

/// A file name that is safe on every system.
fn assert_safe_name(name: &str) {
    assert!(name.chars().count() <= 150, "{name}");
    assert!(name.ends_with(".xlsx") || name.ends_with(".txt"), "{name}");
    assert!(
        !name.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']),
        "{name}"
    );
    assert!(!name.contains(".."), "{name}");
    assert!(
        !name
            .chars()
            .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)),
        "{name:?}"
    );
    let stem = name.split('.').next().unwrap().to_ascii_uppercase();
    assert!(
        !["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str()),
        "{name}"
    );
}

/// Every worksheet's formulas in an .xlsx, and all its text.
fn formulas_and_text(bytes: &[u8]) -> (Vec<String>, String) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let (mut formulas, mut text) = (Vec::new(), String::new());
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut xml = String::new();
        entry.read_to_string(&mut xml).unwrap();
        if name.starts_with("xl/worksheets/") {
            for part in xml.split("<f>").skip(1).chain(xml.split("<f ").skip(1)) {
                formulas.push(part.split("</f>").next().unwrap().to_string());
            }
        }
        text.push_str(&xml);
    }
    (formulas, text)
}

fn assert_texts_not_formulas(path: &Path) {
    let (formulas, text) = formulas_and_text(&std::fs::read(path).unwrap());
    for f in &formulas {
        assert!(
            !f.contains("注入") && !f.contains("cmd") && !f.contains("HYPERLINK"),
            "{}: a text became the formula {f}",
            path.display()
        );
    }
    assert!(
        text.contains("cmd|"),
        "{}: the text is missing",
        path.display()
    );
}

#[test]
fn hostile_names_make_safe_files_and_formula_texts_stay_text() {
    let (tmp, dir, departments) = hostile_campaign();
    // Nothing was written outside the campaign.
    assert_eq!(names_in(tmp.path()), vec!["c", "hostile.xlsx"]);
    let outbox: Vec<String> = workbooks_in(&dir.join("outbox"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(outbox.len() >= departments.len(), "{outbox:?}");
    for name in &outbox {
        assert_safe_name(name);
        assert!(dir.join("outbox").join(name).is_file());
        assert_texts_not_formulas(&dir.join("outbox").join(name));
    }
    assert_texts_not_formulas(&dir.join("outbox").join(SENDING_LIST));
    // A notice each, under a safe name of its own.
    let notices = names_in(&dir.join("outbox/通知"));
    assert_eq!(notices.len(), outbox.len(), "{notices:?}");
    for name in &notices {
        assert_safe_name(name);
        assert!(dir.join("outbox/通知").join(name).is_file());
    }
    // Each hostile department got its own workbook.
    let read = tianbao::workbook::open(&dir.join("outbox").join(&outbox[0])).unwrap();
    assert!(!read.sheets.is_empty());

    // Their returns, unfilled (so invalid): feedback files are safe, the report is text.
    for name in &outbox {
        std::fs::copy(dir.join("outbox").join(name), dir.join("inbox").join(name)).unwrap();
    }
    let run = tianbao(&dir, &["validate", "--feedback"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(names_in(tmp.path()), vec!["c", "hostile.xlsx"]);
    let feedback = names_in(&dir.join("out/feedback"));
    assert!(feedback.len() >= departments.len(), "{feedback:?}");
    for name in &feedback {
        assert_safe_name(name);
        assert_texts_not_formulas(&dir.join("out/feedback").join(name));
    }
    let (formulas, _) = formulas_and_text(&std::fs::read(dir.join("out/校验报告.xlsx")).unwrap());
    assert!(formulas.iter().all(|f| !f.contains("注入")), "{formulas:?}");
}

#[test]
fn the_secret_stays_in_tianbao_toml() {
    let c = everyone_returns_with_one_wrong_score();
    let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
    let config: toml::Value = toml::from_str(&config).unwrap();
    let secret = config["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(c.path("tianbao.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "tianbao.toml is {:o}", mode & 0o777);
    }
    let mut printed = String::new();
    for args in [
        &["validate", "--feedback", "--json"][..],
        &["validate"],
        &["status", "--json"],
        &["compile", "--allow-incomplete"],
        &["generate"],
        &["inspect", "master.xlsx", "--json"],
    ] {
        let run = c.run(args);
        assert!(run.code <= 2, "{args:?}: {}", run.stderr);
        printed.push_str(&run.stdout);
        printed.push_str(&run.stderr);
    }
    let needles = [
        secret.clone(),
        secret.to_ascii_uppercase(),
        secret[..16].to_string(),
    ];
    for needle in &needles {
        assert!(!printed.contains(needle.as_str()), "the secret was printed");
    }
    let mut checked = 0;
    for (rel, _) in hashes(&c.dir) {
        if rel == "tianbao.toml" {
            continue;
        }
        let bytes = std::fs::read(c.dir.join(&rel)).unwrap();
        let mut texts = vec![String::from_utf8_lossy(&bytes).into_owned()];
        if let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
            for i in 0..zip.len() {
                let mut part = Vec::new();
                zip.by_index(i).unwrap().read_to_end(&mut part).unwrap();
                texts.push(String::from_utf8_lossy(&part).into_owned());
            }
        }
        for text in texts {
            for needle in &needles {
                assert!(!text.contains(needle.as_str()), "the secret is in {rel}");
            }
        }
        checked += 1;
    }
    assert!(checked > 30, "only {checked} files checked");
}

#[test]
fn fatal_errors_are_one_line_naming_the_file_and_what_to_do() {
    let c = Campaign::new();
    let run = c.run(&["validate", "no/such/folder"]);
    assert_one_line_error(&run, &["no/such/folder"]);

    let run = tianbao(c.tmp.path(), &["init", "d", "--master", "nothing.xlsx"]);
    assert_one_line_error(&run, &["nothing.xlsx"]);

    std::fs::write(c.tmp.path().join("notes.xlsx"), "just text, 名单").unwrap();
    let run = tianbao(c.tmp.path(), &["inspect", "notes.xlsx"]);
    assert_one_line_error(&run, &["notes.xlsx", "另存为 .xlsx"]);

    let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
    std::fs::write(
        c.path("tianbao.toml"),
        config.replace("round = 1", "round = \"一\"\n[x"),
    )
    .unwrap();
    let run = c.run(&["status"]);
    assert_one_line_error(&run, &["tianbao.toml"]);
    std::fs::write(c.path("tianbao.toml"), &config).unwrap();

    let config_limits = config.replace("max_rows = 100000", "max_rows = 5");
    std::fs::write(c.path("tianbao.toml"), config_limits).unwrap();
    let run = c.run(&["status"]);
    assert_one_line_error(&run, &["tianbao.toml", "max_rows"]);
    std::fs::write(c.path("tianbao.toml"), &config).unwrap();

    // The last resort: a panic is one line and exit 2, never Rust's report and 101.
    let out = Command::new(env!("CARGO_BIN_EXE_tianbao"))
        .arg("status")
        .current_dir(&c.dir)
        .env("TIANBAO_TEST_PANIC", "1")
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_one_line_error(&run, &["程序内部错误", "反馈"]);
}

#[test]
fn limits_from_the_config_refuse_big_sheets_as_too_large() {
    let c = Campaign::new();
    let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
    assert!(config.contains("max_rows = 100000"), "{config}");
    // A value typed far below the table: past a lowered row limit.
    let mut book = c.filled(WATER);
    book.set("填报表", "B5000", common::xlsx::s("远处的字"));
    c.put("far.xlsx", &book);
    // A cell longer than the cell limit.
    let mut book = c.filled(WATER);
    book.set("填报表", "B3", common::xlsx::s(&"字".repeat(400)));
    c.put("long.xlsx", &book);
    std::fs::write(
        c.path("tianbao.toml"),
        config
            .replace("max_rows = 100000", "max_rows = 1000")
            .replace("max_cell_chars = 32767", "max_cell_chars = 300"),
    )
    .unwrap();
    let run = c.run(&["validate", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let code_of = |file: &str| -> Vec<String> {
        json["returns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"].as_str().unwrap().ends_with(file))
            .flat_map(|r| r["findings"].as_array().unwrap().iter())
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect()
    };
    let far = code_of("far.xlsx");
    assert!(
        far.iter()
            .any(|f| f.starts_with("too_large") && f.contains("B5000") && f.contains("max_rows")),
        "{far:?}"
    );
    let long = code_of("long.xlsx");
    assert!(
        long.iter()
            .any(|f| f.starts_with("too_large") && f.contains("max_cell_chars")),
        "{long:?}"
    );
}

#[test]
fn a_return_xlsx_whose_parts_claim_gigabytes_is_refused_quickly() {
    let c = Campaign::new();
    let mut book: Xlsx = c.filled(WATER);
    // The shared-string table claims a trillion strings: the reader would reserve them all.
    let strings = book.part("xl/sharedStrings.xml");
    let at = strings.find("uniqueCount=\"").unwrap() + 13;
    let end = at + strings[at..].find('"').unwrap();
    book.set_part(
        "xl/sharedStrings.xml",
        format!("{}1000000000000{}", &strings[..at], &strings[end..]),
    );
    c.put("sst.xlsx", &book);
    // Two cells far apart: a dense reader would allocate billions of cells.
    let mut book = c.filled(WATER);
    let sheet = book.sheet_part("填报表");
    let xml = book.part(&sheet).replace(
        "</sheetData>",
        "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
    );
    book.set_part(&sheet, xml);
    c.put("far.xlsx", &book);
    let started = Instant::now();
    let run = c.run(&["validate", "--json"]);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = common::play::findings(&run.json());
    assert!(
        found
            .iter()
            .any(|(f, code, _, _)| f == "sst.xlsx" && code == "unreadable"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(f, code, _, _)| f == "far.xlsx" && code == "too_large"),
        "{found:?}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}
