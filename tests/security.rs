//! Attacks on the command line's reading of returns, each one as it was tried (issue 25): a
//! fill-in sheet hidden behind a renamed visible one, one department's 1,200 copies stalling
//! everyone's validate, escape sequences and bidirectional overrides in a department's cells
//! reaching the reminders, macro workbooks kept as valid, and a message advising a setting
//! that does not exist.

mod common;

use std::io::{Cursor, Write};

use common::play::{Campaign, findings};
use common::xlsx::{Cell, s};

const FORM: &str = "填报表";

fn codes_of(json: &serde_json::Value, file: &str) -> Vec<String> {
    findings(json)
        .into_iter()
        .filter(|(name, ..)| name == file)
        .map(|(_, code, ..)| code)
        .collect()
}

fn department_status(json: &serde_json::Value, department: &str) -> String {
    json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == department)
        .map(|d| d["status"].as_str().unwrap().to_string())
        .unwrap()
}

/// The return whose visible 填报表 is renamed and a hidden copy named 填报表 raises every score:
/// the hidden copy is never read, and is an error naming it, in every state a sheet can hide.
#[test]
fn a_hidden_copy_of_the_form_is_never_read_and_is_an_error() {
    for state in ["hidden", "veryHidden"] {
        let c = Campaign::new();
        let department = "水科";
        let item = c.items(department)[0].clone();
        let weight: f64 = item.weight.unwrap().to_string().parse().unwrap();
        let low = (weight - 1.0).max(0.0);
        let mut book = c.template(department);
        // The visible sheet holds the real (lower) score, with its reason.
        c.fill(&mut book, department, &[(&item.id, low)]);
        book.copy_sheet(FORM, "副本");
        book.set(
            "副本",
            &c.cell(department, &item.id, "score"),
            Cell::Num(weight),
        );
        book.rename_sheet(FORM, "填报表（正式）");
        book.rename_sheet("副本", FORM);
        book.set_sheet_state(FORM, state);
        c.put("水科.xlsx", &book);
        let json = c.run(&["validate", "--json"]).json();
        let codes = codes_of(&json, "水科.xlsx");
        assert!(
            codes.contains(&"sheet_hidden".to_string()),
            "{state}: {codes:?}"
        );
        assert_eq!(department_status(&json, department), "invalid", "{state}");
        // What was read is the visible sheet's score, not the hidden one's.
        let ret = json["returns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["department"] == department)
            .unwrap();
        assert_eq!(ret["sheet"], "填报表（正式）", "{state}: {ret}");
        let hidden = ret["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "sheet_hidden")
            .unwrap();
        assert_eq!(hidden["sheet"], FORM, "{hidden}");
        assert!(
            hidden["message"].as_str().unwrap().contains("隐藏的工作表"),
            "{hidden}"
        );
    }
}

/// A zip of `copies` copies of one workbook.
fn zip_of_copies(bytes: &[u8], copies: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..copies {
        zip.start_file(format!("副本{i}.xlsx"), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Two zips of 1,200 copies of one return in a department's folder: that department's
/// folder is refused whole, named, with the count and the setting; every other department is
/// read and valid, and compile --revalidate still compiles.
#[test]
fn one_departments_copies_never_block_the_others() {
    let c = Campaign::new();
    c.everyone_returns();
    std::fs::remove_file(c.path("inbox/水科.xlsx")).unwrap();
    let copies = zip_of_copies(&c.filled("水科").to_bytes(), 1200);
    std::fs::create_dir_all(c.path("inbox/水科")).unwrap();
    std::fs::write(c.path("inbox/水科/a.zip"), &copies).unwrap();
    std::fs::write(c.path("inbox/水科/b.zip"), &copies).unwrap();
    let run = c.run(&["validate", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let refused: Vec<&serde_json::Value> = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "too_many_returns")
        })
        .collect();
    assert_eq!(refused.len(), 1, "{json}");
    let message = refused[0]["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("2400 份"), "{message}");
    assert!(message.contains("limits.max_per_department"), "{message}");
    for d in c.master.departments() {
        let expected = if d.name == "水科" {
            "missing"
        } else {
            "valid"
        };
        assert_eq!(department_status(&json, &d.name), expected, "{}", d.name);
    }
    let run = c.run(&["compile", "--revalidate", "--allow-incomplete"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("已汇总"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );

    // Under the limit (set to the folder's count), the folder is read: 2,400 copies of one
    // return are one department's return, the rest duplicates.
    let path = c.path("tianbao.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("max_per_department = 500", "max_per_department = 2400");
    std::fs::write(&path, text).unwrap();
    let json = c.run(&["validate", "--json"]).json();
    assert_eq!(department_status(&json, "水科"), "valid");
}

/// A department's cells holding ESC, BEL and bidirectional overrides: the reminder written
/// for it (out/提醒/<部门>.txt), the report and the terminal show them escaped, never raw.
#[test]
fn control_and_bidi_characters_never_reach_a_reminder_raw() {
    let c = Campaign::new();
    let department = "水科";
    let item = c.items(department)[0].id.clone();
    let mut book = c.template(department);
    c.fill(&mut book, department, &[]);
    // ESC and BEL as OOXML writes them (_xHHHH_; XML itself cannot hold them), bidi raw.
    let hostile = "_x001B_[2J_x0007_满分\u{202E}txt.exe\u{2066}";
    book.set(FORM, &c.cell(department, &item, "score"), s(hostile));
    // The file name too (a zip entry or a folder can be named anything).
    c.put("水科\u{1b}]0;x\u{7}\u{202E}.xlsx", &book);
    let run = c.run(&["status", "--remind"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let raw = ['\u{1b}', '\u{7}', '\u{202E}', '\u{2066}'];
    assert!(!run.stdout.contains(raw), "{:?}", run.stdout);
    let letters: Vec<std::path::PathBuf> = walk(&c.path("out"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    let letter = letters
        .iter()
        .find(|p| p.to_string_lossy().contains(department))
        .unwrap_or_else(|| panic!("no reminder for {department} in {letters:?}"));
    let text = std::fs::read_to_string(letter).unwrap();
    assert!(text.contains("满分"), "{text}");
    assert!(!text.contains(raw), "{text:?}");
    assert!(text.contains("\\u{202e}txt.exe\\u{2066}"), "{text}");
    assert!(
        text.contains("水科\\u{1b}]0;x\\u{7}\\u{202e}.xlsx"),
        "{text}"
    );
    // The report workbook's cells too.
    assert_eq!(c.run(&["validate"]).code, 1);
    let report = walk(&c.path("out"))
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with("校验报告.xlsx"))
        .expect("the report");
    let bytes = std::fs::read(&report).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    for i in 0..zip.len() {
        let mut part = String::new();
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        if name.ends_with(".xml") {
            std::io::Read::read_to_string(&mut entry, &mut part).unwrap();
            assert!(!part.contains(raw), "{name}: {part}");
            assert!(!part.contains("_x001B_"), "{name}");
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A return carrying a VBA project, named .xlsx or .xlsm: an error (not kept as valid), the
/// file itself byte for byte untouched, and nothing of it in what compile writes.
#[test]
fn a_macro_workbook_is_refused_and_left_as_it_was() {
    let c = Campaign::new();
    c.everyone_returns();
    for name in ["水科.xlsx", "水科.xlsm"] {
        let _ = std::fs::remove_file(c.path("inbox/水科.xlsx"));
        let _ = std::fs::remove_file(c.path("inbox/水科.xlsm"));
        let mut book = c.filled("水科");
        book.add_part("xl/vbaProject.bin", b"\xD0\xCF\x11\xE0 not run, never read");
        let path = c.put(name, &book);
        let before = std::fs::read(&path).unwrap();
        let json = c.run(&["validate", "--json"]).json();
        assert!(
            codes_of(&json, name).contains(&"macros_inside".to_string()),
            "{name}: {:?}",
            findings(&json)
        );
        assert_eq!(department_status(&json, "水科"), "invalid", "{name}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "{name} was changed");
    }
    let run = c.run(&["compile"]);
    assert!(run.code <= 1, "{}", run.stderr);
    for file in walk(&c.path("out")) {
        let bytes = std::fs::read(&file).unwrap();
        if bytes.starts_with(b"PK") {
            let zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
            assert!(
                !zip.file_names()
                    .filter_map(Result::ok)
                    .any(|n| n.to_ascii_lowercase().contains("vbaproject")),
                "{}",
                file.display()
            );
        }
    }
}

/// A nested zip bomb: refused, and the message advises no setting (there is none to raise).
#[test]
fn a_nested_zip_bomb_advises_no_setting() {
    let c = Campaign::new();
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let mut level = zip_of_copies(&zeros, 4);
    for _ in 0..3 {
        level = zip_of_copies(&level, 4);
    }
    std::fs::write(c.path("inbox/bomb.zip"), &level).unwrap();
    let json = c.run(&["validate", "--json"]).json();
    let messages: Vec<String> = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == "too_large")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(!messages.is_empty(), "{json}");
    for m in &messages {
        assert!(
            !m.contains("limits.bomb") && !m.contains("limits.parts"),
            "{m}"
        );
        // A limit a person can raise is named only where it exists.
        if let Some(at) = m.find("limits.") {
            let key: String = m[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
            assert!(config.contains(&format!("{key} =")), "{m}");
        }
    }
}
