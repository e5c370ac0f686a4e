//! Golden comparisons of the workbooks tianbao writes for the bundled sample: `tianbao demo`
//! runs the whole cycle (generate → fill → validate with feedback → review → compile) in a temp
//! dir, and each workbook's `xl/workbook.xml`, `xl/styles.xml` and `xl/worksheets/sheetN.xml`
//! are compared with the files under `tests/golden/sheets/<workbook>/`.
//!
//! Before comparing, the parts are normalised, and only for what legitimately varies between two
//! runs (found by diffing two runs):
//! - shared strings are put in place (`<c t="s"><si>…</si></c>` instead of an index into
//!   `sharedStrings.xml`), since two timestamps that happen to be equal share one entry;
//! - the campaign's id (from `tianbao.toml`) becomes `{campaign}`;
//! - the identity's signature (made with the campaign's random secret) becomes `{signature}`;
//! - the SHA-256 of each returned file becomes `{sha256}` (a return's bytes hold its times);
//! - today's times and dates (`2026-12-08T02:36:45Z`, `2026-12-08 10:36`, `2026-12-08`,
//!   `2026年12月8日`) become `{now}` and `{today}`; the run is in `TZ=UTC`.
//!
//! A row starts a new line (and so does each style record), so a failing comparison points at a
//! row. A missing golden file fails; `UPDATE_GOLDEN=1 cargo test --test golden_sheets` writes
//! them all anew (review the diff before committing it).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const TITLE: &str = "泉州市生态环境局2023年度绩效目标考评表";

/// (golden folder, the workbook's path in the demo's campaign folder).
fn workbooks() -> Vec<(&'static str, String)> {
    vec![
        ("fill-in-office", format!("outbox/{TITLE}-办公室.xlsx")),
        ("fill-in-water", format!("outbox/{TITLE}-水科.xlsx")),
        ("returned-water", format!("inbox/{TITLE}-水科.xlsx")),
        ("notices", "outbox/发送清单.xlsx".to_string()),
        ("report", "out/校验报告.xlsx".to_string()),
        (
            "feedback-water",
            format!("out/feedback/水科-{TITLE}-第2轮.xlsx"),
        ),
        (
            "feedback-air",
            format!("out/feedback/大气科-{TITLE}-第2轮.xlsx"),
        ),
        ("review", format!("out/{TITLE}-核定表.xlsx")),
        ("compiled", format!("out/{TITLE}-汇总.xlsx")),
    ]
}

fn golden_root() -> PathBuf {
    common::repo().join("tests/golden/sheets")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn the_sample_cycles_workbooks_match_their_golden_sheets() {
    let tmp = tempfile::tempdir().unwrap();
    let before = today_utc();
    let out = Command::new(env!("CARGO_BIN_EXE_tianbao"))
        .args(["demo", "d"])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .output()
        .expect("the tianbao binary runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let campaign = tmp.path().join("d/campaign");
    let varying = Varying {
        campaign: campaign_id(&campaign),
        hashes: return_hashes(&campaign),
        days: vec![before, today_utc()],
    };
    let mut failures = Vec::new();
    for (name, path) in workbooks() {
        let parts = normalised_parts(&campaign.join(&path), &varying);
        failures.extend(compare(name, &parts));
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is meant, run `UPDATE_GOLDEN=1 cargo test --test golden_sheets` \
         and review the diff of tests/golden/sheets/.",
        failures.join("\n")
    );
}

/// Compares (or, with UPDATE_GOLDEN, writes) one workbook's parts; returns what failed.
fn compare(name: &str, parts: &[(String, String)]) -> Vec<String> {
    let dir = golden_root().join(name);
    if updating() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (part, text) in parts {
            std::fs::write(dir.join(part), text).unwrap();
        }
        return Vec::new();
    }
    let mut failures = Vec::new();
    for (part, text) in parts {
        let file = dir.join(part);
        match std::fs::read_to_string(&file) {
            Err(_) => failures.push(format!(
                "{}: missing golden file (run `UPDATE_GOLDEN=1 cargo test --test golden_sheets`)",
                file.display()
            )),
            Ok(golden) if golden != *text => failures.push(format!(
                "{}: differs\n{}",
                file.display(),
                first_difference(&golden, text)
            )),
            Ok(_) => {}
        }
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let file = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !parts.iter().any(|(part, _)| *part == file) {
                failures.push(format!(
                    "{}/{file}: golden file of a part no longer written",
                    dir.display()
                ));
            }
        }
    }
    failures
}

fn first_difference(golden: &str, actual: &str) -> String {
    let (g, a): (Vec<&str>, Vec<&str>) = (golden.lines().collect(), actual.lines().collect());
    let line = (0..g.len().max(a.len()))
        .find(|&i| g.get(i) != a.get(i))
        .unwrap_or(0);
    let clip = |s: Option<&&str>| s.map_or("(none)".to_string(), |s| s.chars().take(600).collect());
    format!(
        "  line {}\n  golden: {}\n  actual: {}",
        line + 1,
        clip(g.get(line)),
        clip(a.get(line))
    )
}

/// What differs from one run of the same cycle to the next.
struct Varying {
    campaign: String,
    hashes: Vec<String>,
    /// Today (UTC) when the run began and when it ended.
    days: Vec<String>,
}

fn today_utc() -> String {
    tianbao::time::now_utc()[..10].to_string()
}

fn campaign_id(campaign: &Path) -> String {
    let config = std::fs::read_to_string(campaign.join("tianbao.toml")).unwrap();
    let config: toml::Value = toml::from_str(&config).unwrap();
    config["id"].as_str().unwrap().to_string()
}

/// The SHA-256 of every file the departments and the office returned.
fn return_hashes(campaign: &Path) -> Vec<String> {
    let mut hashes = Vec::new();
    for folder in ["inbox", "review"] {
        for entry in std::fs::read_dir(campaign.join(folder)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let digest = Sha256::digest(&bytes);
            hashes.push(digest.iter().map(|b| format!("{b:02x}")).collect());
        }
    }
    hashes
}

/// The workbook's compared parts, normalised: (golden file name, text).
fn normalised_parts(workbook: &Path, varying: &Varying) -> Vec<(String, String)> {
    let bytes = std::fs::read(workbook).unwrap_or_else(|e| panic!("{}: {e}", workbook.display()));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| -> Option<String> {
        let mut entry = zip.by_name(name).ok()?;
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        Some(text)
    };
    let strings = read("xl/sharedStrings.xml").map_or_else(Vec::new, |s| shared_strings(&s));
    let mut parts = vec![
        ("workbook.xml".to_string(), read("xl/workbook.xml").unwrap()),
        (
            "styles.xml".to_string(),
            read("xl/styles.xml").unwrap().replace("<xf ", "\n<xf "),
        ),
    ];
    for n in 1.. {
        let Some(sheet) = read(&format!("xl/worksheets/sheet{n}.xml")) else {
            break;
        };
        let sheet = inline_strings(&sheet, &strings).replace("<row ", "\n<row ");
        parts.push((format!("sheet{n}.xml"), sheet));
    }
    for (_, text) in &mut parts {
        *text = normalise(text, varying);
    }
    parts
}

/// The `<si>…</si>` entries of `sharedStrings.xml`, in order.
fn shared_strings(xml: &str) -> Vec<String> {
    xml.split("<si>")
        .skip(1)
        .map(|rest| format!("<si>{}</si>", &rest[..rest.find("</si>").unwrap()]))
        .collect()
}

/// Each shared-string cell's `<v>index</v>` replaced by the string itself.
fn inline_strings(sheet: &str, strings: &[String]) -> String {
    let mut out = String::with_capacity(sheet.len() * 2);
    let mut rest = sheet;
    while let Some(start) = rest.find("<c ") {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let head_end = rest.find('>').unwrap() + 1;
        let head = &rest[..head_end];
        if head.contains(" t=\"s\"") && !head.ends_with("/>") {
            let close = rest.find("</c>").unwrap();
            let body = &rest[head_end..close];
            let index: usize = body
                .trim_start_matches("<v>")
                .trim_end_matches("</v>")
                .parse()
                .unwrap_or_else(|_| panic!("a shared-string cell's value: {body}"));
            out.push_str(head);
            out.push_str(&strings[index]);
            out.push_str("</c>");
            rest = &rest[close + 4..];
        } else {
            out.push_str(head);
            rest = &rest[head_end..];
        }
    }
    out.push_str(rest);
    out
}

fn normalise(text: &str, varying: &Varying) -> String {
    let mut text = text.replace(&varying.campaign, "{campaign}");
    for hash in &varying.hashes {
        text = text.replace(hash.as_str(), "{sha256}");
    }
    text = signature_hidden(&text);
    for day in &varying.days {
        text = times_hidden(&text, day);
        let (y, m, d) = (
            &day[..4],
            day[5..7].trim_start_matches('0'),
            day[8..].trim_start_matches('0'),
        );
        text = text.replace(&format!("{y}年{m}月{d}日"), "{today}");
        text = text.replace(day.as_str(), "{today}");
    }
    text
}

/// The 64 hex digits after each `signature` label.
fn signature_hidden(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(">signature<") {
        let (head, tail) = rest.split_at(at + ">signature<".len());
        out.push_str(head);
        rest = tail;
        if let Some(start) = hex64_at(rest) {
            out.push_str(&rest[..start]);
            out.push_str("{signature}");
            rest = &rest[start + 64..];
        }
    }
    out.push_str(rest);
    out
}

/// Where the first run of exactly 64 lowercase hex digits starts, if one does.
fn hex64_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..].iter().take_while(|b| hex(b)).count();
        if run == 64 {
            return Some(i);
        }
        i += run.max(1);
    }
    None
}

/// `{day}THH:MM:SSZ` and `{day} HH:MM` as `{now}`.
fn times_hidden(text: &str, day: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(day) {
        out.push_str(&rest[..at]);
        let after = &rest[at + day.len()..];
        let long = is_time(after.as_bytes(), b"Thh:mm:ssZ");
        let short = !long && is_time(after.as_bytes(), b" hh:mm");
        if long {
            out.push_str("{now}");
            rest = &after[10..];
        } else if short {
            out.push_str("{now}");
            rest = &after[6..];
        } else {
            out.push_str(day);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` starts with `pattern`, where h, m and s stand for any digit.
fn is_time(text: &[u8], pattern: &[u8]) -> bool {
    text.len() >= pattern.len()
        && text.iter().zip(pattern).all(|(t, p)| match p {
            b'h' | b'm' | b's' => t.is_ascii_digit(),
            _ => t == p,
        })
}
