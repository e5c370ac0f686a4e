//! Regression tests of hardening round 2, each named after what broke: workbooks lost on
//! generate, a hidden second score column or a formula's cached value counted, escape codes on
//! the terminal, outputs written over the campaign's own files, compile not bound to what
//! validate checked, key faults blamed on departments, and the small things of the same round.

mod common;

use std::path::Path;

use common::play::{Campaign, findings};
use common::xlsx::{Cell, s};
use common::*;

const WATER: &str = "水科";

fn codes(json: &serde_json::Value) -> Vec<(String, String, String, String)> {
    findings(json)
}

fn has(list: &[(String, String, String, String)], code: &str, cell: &str) -> bool {
    list.iter().any(|(_, c, at, _)| c == code && at == cell)
}

fn validate_json(c: &Campaign) -> (i32, serde_json::Value) {
    let run = c.run(&["validate", "--json"]);
    assert!(run.code <= 1, "{}", run.stderr);
    (run.code, run.json())
}

#[test]
fn colliding_department_names_and_a_long_title_lose_no_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = sample_source();
    for item in source.items_mut() {
        for d in &mut item.departments {
            *d = match d.as_str() {
                // (`a/b` would be two departments: `/` separates names in a cell.)
                "办公室" => "a*b".into(),
                "审批科" => "a_b".into(),
                "执法支队" => "A:B".into(),
                other => other.to_string(),
            };
        }
    }
    let master = write_variant(
        dir.path(),
        "m.xlsx",
        &source,
        &tianbao_kit::source::Layout::default(),
    );
    let title = "泉州市生态环境局".repeat(9);
    assert!(title.chars().count() > 65);
    let run = tianbao(
        dir.path(),
        &[
            "init",
            "c",
            "--master",
            master.to_str().unwrap(),
            "--title",
            &title,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let c = dir.path().join("c");
    for round in 0..20 {
        let run = tianbao(&c, &["generate", "--quiet"]);
        assert_eq!(run.code, 0, "run {round}: {}", run.stderr);
        let files: Vec<String> = workbooks_in(&c.join("outbox"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            files.len(),
            15,
            "run {round}: one workbook per department: {files:?}"
        );
        assert!(files.iter().all(|f| !f.ends_with(".tmp")), "{files:?}");
        for department in ["a_b", "A_B"] {
            assert!(
                files.iter().any(|f| f.contains(department)),
                "the department is kept in the name: {files:?}"
            );
        }
    }
    let campaign = tianbao::campaign::Campaign::open(&c).unwrap();
    assert_eq!(tianbao::demo::return_all(&campaign).unwrap(), 15);
    let run = tianbao(&c, &["validate", "--json"]);
    assert_eq!(run.code, 0, "every department valid: {}", run.stdout);
    assert_eq!(run.json()["summary"]["missing"], 0);
}

/// The header cell of a new column far right of the table, and its cell on `row`.
fn extra_column(c: &Campaign) -> (String, String, u32) {
    let header = c.cell(WATER, "1-7-1", "score");
    let row = c.row(WATER, "1-7-1");
    let _ = header;
    ("Z3".to_string(), format!("Z{row}"), 26)
}

fn hide_column(book: &mut common::xlsx::Xlsx, col: u32) {
    let part = book.sheet_part("填报表");
    book.replace(
        &part,
        "</cols>",
        &format!(
            "<col min=\"{col}\" max=\"{col}\" width=\"0\" hidden=\"1\" customWidth=\"1\"/></cols>"
        ),
    );
}

#[test]
fn a_hidden_second_score_column_is_not_counted() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let score = c.cell(WATER, "1-7-1", "score");
    book.set("填报表", &score, Cell::Num(1.0));
    book.set(
        "填报表",
        &c.cell(WATER, "1-7-1", "deduction"),
        s("个别任务延期。"),
    );
    let (header, cell, col) = extra_column(&c);
    book.set("填报表", &header, s("自评得分*"));
    book.set("填报表", &cell, Cell::Num(2.0));
    hide_column(&mut book, col);
    c.put("forged.xlsx", &book);
    let (code, json) = validate_json(&c);
    assert_eq!(code, 1);
    let list = codes(&json);
    let first_col: String = score
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let duplicate = json["returns"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "input_column_duplicate")
        .unwrap_or_else(|| panic!("{list:?}"));
    assert_eq!(duplicate["cell"], "Z3");
    assert_eq!(duplicate["expected"], format!("{first_col}3"));
    assert_eq!(json["returns"][0]["status"], "invalid");
}

#[test]
fn a_hidden_score_column_is_not_read() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let score = c.cell(WATER, "1-7-1", "score");
    let letters: String = score
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let col = letters
        .bytes()
        .fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1));
    hide_column(&mut book, col);
    c.put("hidden.xlsx", &book);
    let (code, json) = validate_json(&c);
    assert_eq!(code, 1);
    let list = codes(&json);
    assert!(
        has(&list, "input_column_hidden", &format!("{letters}3")),
        "{list:?}"
    );
}

#[test]
fn a_formulas_cached_value_is_not_counted() {
    for (formula, cached) in [
        ("0", 1.0),
        ("I5", 2.0),
        ("_tianbao!B2", 2.0),
        ("[1]Sheet1!A1", 2.0),
    ] {
        let c = Campaign::new();
        let mut book = c.filled(WATER);
        let cell = c.cell(WATER, "1-7-1", "score");
        book.set("填报表", &cell, Cell::Formula(formula.into(), cached));
        c.put("formula.xlsx", &book);
        let (code, json) = validate_json(&c);
        assert_eq!(code, 1, "{formula}");
        let f = json["returns"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "formula_in_input")
            .unwrap_or_else(|| panic!("{formula}: {json}"));
        assert_eq!(f["severity"], "error");
        assert_eq!(f["cell"], cell);
        assert_eq!(
            f["value"],
            format!("={formula}"),
            "the formula is quoted, not its value"
        );
        assert_eq!(json["returns"][0]["status"], "invalid");
    }
}

#[test]
fn escape_codes_and_line_breaks_never_reach_the_terminal() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    book.set(
        "填报表",
        &c.cell(WATER, "1-7-1", "status"),
        s("已完成\u{1b}[2J\n  人事科  ✓ valid      伪造"),
    );
    c.put("evil\u{1b}[2J\u{7}\n✓ valid.xlsx", &book);
    let run = c.run(&["validate"]);
    assert_eq!(run.code, 1);
    for out in [&run.stdout, &run.stderr] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out}");
        assert!(
            !out.lines()
                .any(|l| l.trim_start().starts_with("✓ valid.xlsx")),
            "a file name made a line of its own: {out}"
        );
        assert!(
            !out.lines()
                .any(|l| l.contains("伪造") && l.trim_start().starts_with("人事科")),
            "{out}"
        );
    }
    assert!(
        run.stdout.contains("\\u{1b}[2J"),
        "shown escaped: {}",
        run.stdout
    );
    // JSON stays exact.
    let json = c.run(&["validate", "--json"]).json();
    let paths: Vec<&str> = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.contains("evil\u{1b}[2J\u{7}\n✓ valid.xlsx")),
        "{paths:?}"
    );
}

fn checksum(path: &Path) -> String {
    tianbao::digest::sha256_hex(&std::fs::read(path).unwrap())
}

#[test]
fn outputs_never_replace_the_campaigns_own_files_or_the_inbox() {
    let c = Campaign::new();
    c.everyone_returns();
    assert_eq!(c.run(&["validate"]).code, 0);
    let before: Vec<(std::path::PathBuf, String)> = ["tianbao.toml", "master.xlsx", "tianbao.db"]
        .iter()
        .map(|n| (c.path(n), checksum(&c.path(n))))
        .collect();
    for out in [
        "tianbao.toml",
        "master.xlsx",
        "TIANBAO.TOML",
        "tianbao.db",
        "inbox/x.xlsx",
        "./inbox/../tianbao.toml",
    ] {
        let run = c.run(&["compile", "--out", out]);
        assert_eq!(run.code, 2, "--out {out}: {}", run.stdout);
        assert!(run.stderr.contains("不会覆盖它"), "{}", run.stderr);
    }
    let run = c.run(&["generate", "--out", "inbox/forms"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    for (path, sum) in before {
        assert_eq!(checksum(&path), sum, "{} changed", path.display());
    }
    assert!(!c.path("inbox/forms").exists());
}

#[test]
fn a_file_dropped_in_after_validate_is_named_and_not_compiled() {
    let c = Campaign::new();
    c.everyone_returns();
    assert_eq!(c.run(&["validate"]).code, 0);
    let mut late = c.filled(WATER);
    late.set("填报表", &c.cell(WATER, "1-7-1", "remark"), s("补充说明"));
    c.put("later.xlsx", &late);
    let run = c.run(&["compile"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("later.xlsx"), "{}", run.stderr);
    assert!(
        !c.path("out/泉州市生态环境局2023年度绩效目标考评表-汇总.xlsx")
            .exists()
    );
    // Changed after validate: named too.
    std::fs::remove_file(c.path("inbox/later.xlsx")).unwrap();
    assert_eq!(c.run(&["validate"]).code, 0);
    let mut changed = c.filled("人事科");
    changed.set("填报表", &c.cell("人事科", "5-4", "score"), Cell::Num(0.5));
    changed.set(
        "填报表",
        &c.cell("人事科", "5-4", "deduction"),
        s("未按时备案。"),
    );
    c.put("人事科.xlsx", &changed);
    let run = c.run(&["compile"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("已修改") && run.stderr.contains("人事科.xlsx"),
        "{}",
        run.stderr
    );
    let run = c.run(&["compile", "--revalidate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_later_workbook_of_other_content_does_not_silently_replace_a_valid_return() {
    let c = Campaign::new();
    c.everyone_returns();
    assert_eq!(c.run(&["validate"]).code, 0);
    // The same workbook, filled by someone else later with other scores.
    let mut other = c.filled(WATER);
    other.set("填报表", &c.cell(WATER, "1-7-1", "score"), Cell::Num(0.0));
    other.set(
        "填报表",
        &c.cell(WATER, "1-7-1", "deduction"),
        s("未完成。"),
    );
    let path = c.put("zz-水科-重新填写.xlsx", &other);
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (code, json) = validate_json(&c);
    assert_eq!(code, 1, "a replacement must be confirmed");
    let list = codes(&json);
    assert!(
        list.iter()
            .any(|(f, code, _, _)| code == "replacement_unconfirmed" && f.contains("重新填写")),
        "{list:?}"
    );
    let run = c.run(&["compile"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let run = c.run(&["validate", "--accept", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = c.run(&["compile"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("总分 98 / 100"), "{}", run.stdout);
}

#[test]
fn a_changed_secret_is_said_once_as_the_campaigns_fault() {
    let c = Campaign::new();
    c.everyone_returns();
    let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
    let secret = config
        .lines()
        .find_map(|l| l.strip_prefix("secret = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    let other: String = secret.chars().rev().collect();
    std::fs::write(c.path("tianbao.toml"), config.replace(&secret, &other)).unwrap();
    let run = c.run(&["validate"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout.matches("签名全部无法验证").count(),
        1,
        "said once: {}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("请让部门使用下发的原表重新填写"),
        "{}",
        run.stdout
    );
    // An upper-cased secret is refused on load.
    std::fs::write(
        c.path("tianbao.toml"),
        config.replace(&secret, &secret.to_uppercase()),
    )
    .unwrap();
    let run = c.run(&["validate"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("64 位小写十六进制"), "{}", run.stderr);
}

#[test]
fn control_characters_in_a_department_name_keep_its_workbook_valid() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = sample_source();
    for item in source.items_mut() {
        for d in &mut item.departments {
            if d == "水科" {
                *d = "水\u{7}科\u{1f}\u{fffe}".into();
            }
        }
    }
    let master = write_variant(
        dir.path(),
        "m.xlsx",
        &source,
        &tianbao_kit::source::Layout::default(),
    );
    let run = tianbao(
        dir.path(),
        &["init", "c", "--master", master.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let c = dir.path().join("c");
    assert_eq!(tianbao(&c, &["generate"]).code, 0);
    let campaign = tianbao::campaign::Campaign::open(&c).unwrap();
    tianbao::demo::return_all(&campaign).unwrap();
    let run = tianbao(&c, &["validate", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert!(
        json["departments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["department"] == "水科"),
        "the name is read without its control characters"
    );
}

#[test]
fn a_cell_over_the_excel_limit_does_not_stop_feedback() {
    let c = Campaign::new();
    let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
    std::fs::write(
        c.path("tianbao.toml"),
        config.replace("max_cell_chars = 32767", "max_cell_chars = 100000"),
    )
    .unwrap();
    let mut book = c.filled(WATER);
    book.set(
        "填报表",
        &c.cell(WATER, "1-7-1", "progress"),
        s(&"进".repeat(40_000)),
    );
    c.put("long.xlsx", &book);
    c.put("人事科.xlsx", &c.filled("人事科"));
    let run = c.run(&["validate", "--feedback"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let feedback: Vec<_> = std::fs::read_dir(c.path("out/feedback")).unwrap().collect();
    assert_eq!(feedback.len(), 1);
}

#[test]
fn scores_typed_oddly_are_never_read_silently() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let a = c.cell(WATER, "1-7-1", "score");
    let b = c.cell(WATER, "1-7-2", "score");
    let d = c.cell(WATER, "1-8-1", "score");
    let e = c.cell(WATER, "1-8-2", "score");
    book.set("填报表", &a, s("0_1"));
    book.set("填报表", &b, s("+1"));
    book.set("填报表", &d, s("1."));
    book.set("填报表", &e, s("-0"));
    for id in ["1-7-2", "1-8-1", "1-8-2"] {
        book.set(
            "填报表",
            &c.cell(WATER, id, "deduction"),
            s("个别任务延期。"),
        );
    }
    c.put("odd.xlsx", &book);
    let (_, json) = validate_json(&c);
    let list = codes(&json);
    assert!(has(&list, "not_a_number", &a), "0_1 is no number: {list:?}");
    for cell in [&b, &d, &e] {
        assert!(has(&list, "value_coerced", cell), "{cell}: {list:?}");
    }
}

#[test]
fn evidence_in_another_departments_folder_is_not_credited() {
    let c = Campaign::new();
    let mut water = c.filled(WATER);
    water.set(
        "填报表",
        &c.cell(WATER, "1-7-1", "evidence"),
        s("会议纪要.pdf"),
    );
    c.put("水科.xlsx", &water);
    c.put("人事科/人事科.xlsx", &c.filled("人事科"));
    std::fs::write(c.path("inbox/人事科/会议纪要.pdf"), b"%PDF-1.4 not theirs").unwrap();
    let (_, json) = validate_json(&c);
    let list = codes(&json);
    assert!(
        has(
            &list,
            "evidence_missing",
            &c.cell(WATER, "1-7-1", "evidence")
        ),
        "{list:?}"
    );
}

#[test]
fn two_different_returns_are_not_called_identical() {
    let c = Campaign::new();
    let first = c.filled(WATER);
    let mut second = c.filled(WATER);
    second.set("填报表", &c.cell(WATER, "1-7-1", "remark"), s("补充"));
    let a = c.put("a.xlsx", &first);
    let b = c.put("b.xlsx", &second);
    let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    for p in [&a, &b] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }
    let (_, json) = validate_json(&c);
    let message = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .find(|f| f["code"] == "duplicate_return")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .unwrap();
    assert!(!message.contains("完全相同"), "{message}");
}

#[test]
fn a_return_stamped_by_another_department_is_invalid() {
    // 执法支队 fills 大气科's workbook and stamps it as itself: not 大气科's valid return.
    let c = Campaign::new();
    c.everyone_returns();
    let air = "大气科";
    let mut book = c.filled(air);
    let seal = c.signoff_cell(air, "seal");
    book.set("填报表", &seal, s("执法支队"));
    c.put(&format!("{air}.xlsx"), &book);
    let (code, json) = validate_json(&c);
    assert_eq!(code, 1);
    let list = codes(&json);
    assert!(has(&list, "signoff_mismatch", &seal), "{list:?}");
    let ret = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"] == air)
        .unwrap();
    assert_eq!(ret["status"], "invalid", "{ret}");
    let finding = ret["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "signoff_mismatch")
        .unwrap();
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["key"], "seal");
    assert_eq!(finding["value"], "执法支队");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(air)
            && message.contains("执法支队")
            && message.contains("填报部门（盖章）"),
        "{message}"
    );
    let status = c.run(&["status", "--json"]);
    let standing = status.json()["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == air)
        .cloned()
        .unwrap();
    assert_eq!(standing["status"], "invalid", "{standing}");
    let run = c.run(&["compile"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(air), "{}", run.stderr);
    assert!(
        !c.path("out/泉州市生态环境局2023年度绩效目标考评表-汇总.xlsx")
            .exists()
    );
}

/// A Word document, a presentation or a PDF given as the master, or returned, is named as what
/// it is, not reported as a damaged spreadsheet.
#[test]
fn a_word_document_given_as_master_or_return_is_named_as_one() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let zip_with = |name: &str, part: &str| {
        let path = dir.path().join(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file(part, options).unwrap();
        zip.write_all(b"<x/>").unwrap();
        zip.finish().unwrap();
        path
    };
    let docx = zip_with("考评表.docx", "word/document.xml");
    let pptx = zip_with("汇报.pptx", "ppt/presentation.xml");
    std::fs::write(dir.path().join("扫描件.xlsx"), b"%PDF-1.7\n").unwrap();
    for (file, word) in [
        ("考评表.docx", "Word 文档"),
        ("汇报.pptx", "PowerPoint 演示文稿"),
        ("扫描件.xlsx", "PDF 文档"),
    ] {
        let run = common::tianbao(dir.path(), &["inspect", file]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(word), "{file}: {}", run.stderr);
        assert!(!run.stderr.contains("损坏"), "{file}: {}", run.stderr);
    }
    // Returned: the finding says what it is.
    let c = Campaign::new();
    std::fs::copy(&docx, c.path("inbox/水科.xlsx")).unwrap();
    std::fs::copy(&pptx, c.path("inbox/大气科.xlsx")).unwrap();
    let json = c.run(&["validate", "--json"]).json();
    let messages: Vec<String> = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().clone())
        .filter(|f| f["code"] == "unreadable")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("Word 文档")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("PowerPoint")),
        "{messages:?}"
    );
}
