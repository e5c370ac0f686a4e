//! `tianbao validate` and `status` on returns filled by editing the sheet XML (another program,
//! not tianbao's writer): each finding code at its cell, and a property test over random fills.

mod common;

use common::play::{Campaign, findings};
use common::xlsx::{Cell, Xlsx, s};
use tianbao::spec::Shown;

const WATER: &str = "水科";

/// Validates one file and returns its findings as (code, cell, item), plus the exit code.
fn check_one(c: &Campaign, name: &str) -> (i32, Vec<(String, String, String)>) {
    let path = c.path(&format!("inbox/{name}"));
    let run = c.run(&["validate", "--json", path.to_str().unwrap()]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let json = run.json();
    let list = findings(&json)
        .into_iter()
        .map(|(_, code, cell, item)| (code, cell, item))
        .collect();
    (run.code, list)
}

fn errors_of(c: &Campaign, book: &Xlsx) -> Vec<(String, String, String)> {
    c.put("r.xlsx", book);
    check_one(c, "r.xlsx").1
}

fn has(list: &[(String, String, String)], code: &str, cell: &str, item: &str) -> bool {
    list.iter()
        .any(|(c, l, i)| c == code && l == cell && i == item)
}

#[test]
fn a_correct_return_is_valid() {
    let c = Campaign::new();
    let list = errors_of(&c, &c.filled(WATER));
    assert!(list.is_empty(), "{list:?}");
}

#[test]
fn everyone_correct_validates_clean_and_exits_zero() {
    let c = Campaign::new();
    c.everyone_returns();
    let run = c.run(&["validate"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("共 15 个部门：有效 15，有误 0，未交 0"),
        "{}",
        run.stdout
    );
    assert!(c.path("out/校验报告.xlsx").exists());
    let status = c.run(&["status", "--json"]);
    assert_eq!(status.code, 0);
    assert_eq!(status.json()["summary"]["valid"], 15);
}

#[test]
fn unreadable() {
    let c = Campaign::new();
    let bytes = c.filled(WATER).to_bytes();
    c.put_bytes("r.xlsx", &bytes[..bytes.len() / 2]);
    let (code, list) = check_one(&c, "r.xlsx");
    assert_eq!(code, 1);
    assert!(has(&list, "unreadable", "", ""), "{list:?}");
    c.put_bytes("report.pdf.xlsx", b"%PDF-1.7 not a workbook");
    assert!(has(
        &check_one(&c, "report.pdf.xlsx").1,
        "unreadable",
        "",
        ""
    ));
}

#[test]
fn encrypted() {
    // An encrypted OOXML file is a compound file holding an EncryptedPackage stream.
    let c = Campaign::new();
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend(vec![0u8; 504]);
    bytes.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    bytes.extend(vec![0u8; 1024]);
    c.put_bytes("r.xlsx", &bytes);
    assert!(has(&check_one(&c, "r.xlsx").1, "encrypted", "", ""));
}

#[test]
fn too_large() {
    let c = Campaign::new();
    let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
    let config = config.replace("max_file_bytes = 52428800", "max_file_bytes = 2048");
    std::fs::write(c.path("tianbao.toml"), config).unwrap();
    c.put("r.xlsx", &c.filled(WATER));
    assert!(has(&check_one(&c, "r.xlsx").1, "too_large", "", ""));
}

#[test]
fn not_a_template() {
    let c = Campaign::new();
    std::fs::copy(c.path("master.xlsx"), c.path("inbox/master.xlsx")).unwrap();
    assert!(has(
        &check_one(&c, "master.xlsx").1,
        "not_a_template",
        "",
        ""
    ));
    // The identity sheet deleted.
    let mut book = c.filled(WATER);
    book.remove_sheet("_tianbao");
    assert!(has(&errors_of(&c, &book), "not_a_template", "", ""));
}

#[test]
fn foreign_campaign() {
    let c = Campaign::new();
    let other = Campaign::new();
    c.put("r.xlsx", &other.filled(WATER));
    assert!(has(&check_one(&c, "r.xlsx").1, "foreign_campaign", "", ""));
}

#[test]
fn stale_template() {
    let c = Campaign::new();
    let config = std::fs::read_to_string(c.path("tianbao.toml")).unwrap();
    std::fs::write(
        c.path("tianbao.toml"),
        config.replace("round = 1", "round = 2"),
    )
    .unwrap();
    let list = errors_of(&c, &c.filled(WATER));
    assert!(has(&list, "stale_template", "", ""), "{list:?}");
}

#[test]
fn signature_invalid() {
    let c = Campaign::new();
    // The department changed in the hidden sheet (row 5 holds it).
    let mut book = c.filled(WATER);
    book.set("_tianbao", "B5", s("大气科"));
    assert!(has(&errors_of(&c, &book), "signature_invalid", "", ""));
    // The hidden sheet copied from another department's workbook.
    let mut book = c.filled(WATER);
    let other = c.template("大气科");
    let identity_part = other.sheet_part("_tianbao");
    let xml = other.part(&identity_part);
    let strings = other.part("xl/sharedStrings.xml");
    // Inline the other workbook's shared strings into its identity sheet, then transplant it.
    let table: Vec<String> = strings
        .split("<si>")
        .skip(1)
        .map(|si| {
            let t = &si[si.find("<t").unwrap()..];
            let t = &t[t.find('>').unwrap() + 1..];
            t[..t.find("</t>").unwrap()].to_string()
        })
        .collect();
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find("t=\"s\"><v>") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 9..];
        let end = after.find("</v>").unwrap();
        let index: usize = after[..end].parse().unwrap();
        out.push_str(&format!("t=\"inlineStr\"><is><t>{}</t></is>", table[index]));
        rest = &after[end + 4..];
    }
    out.push_str(rest);
    let own = book.sheet_part("_tianbao");
    book.set_part(&own, out);
    let list = errors_of(&c, &book);
    assert!(has(&list, "signature_invalid", "", ""), "{list:?}");
}

#[test]
fn locked_cell_changed() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let task = c.shown_cell(WATER, "1-7-1", Shown::TASK);
    book.set("填报表", &task, s("改过的任务内容"));
    let weight = c.shown_cell(WATER, "1-8-1", Shown::WEIGHT);
    book.set("填报表", &weight, Cell::Num(5.0));
    let list = errors_of(&c, &book);
    assert!(
        has(&list, "locked_cell_changed", &task, "1-7-1"),
        "{list:?}"
    );
    assert!(
        has(&list, "locked_cell_changed", &weight, "1-8-1"),
        "{list:?}"
    );
}

#[test]
fn item_missing() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    book.clear_row("填报表", c.row(WATER, "1-7-2"));
    let list = errors_of(&c, &book);
    assert!(has(&list, "item_missing", "", "1-7-2"), "{list:?}");
}

#[test]
fn item_unexpected() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let id = c.shown_cell(WATER, "1-8-2", Shown::ID);
    book.set("填报表", &id, s("9-9-9"));
    let list = errors_of(&c, &book);
    assert!(has(&list, "item_unexpected", &id, ""), "{list:?}");
    assert!(has(&list, "item_missing", "", "1-8-2"), "{list:?}");
}

#[test]
fn item_duplicated() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let id = c.shown_cell(WATER, "1-8-2", Shown::ID);
    book.set("填报表", &id, s("1-8-1"));
    let list = errors_of(&c, &book);
    assert!(has(&list, "item_duplicated", &id, "1-8-1"), "{list:?}");
}

#[test]
fn rows_sorted_differently_are_not_an_error() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    // Swap the rows of 1-8-1 and 1-8-2 (same weights): ids, and inputs move with them.
    let a = c.shown_cell(WATER, "1-8-1", Shown::ID);
    let b = c.shown_cell(WATER, "1-8-2", Shown::ID);
    book.set("填报表", &a, s("1-8-2"));
    book.set("填报表", &b, s("1-8-1"));
    for shown in [Shown::TASK, Shown::INDICATOR] {
        let ca = c.shown_cell(WATER, "1-8-1", shown);
        let cb = c.shown_cell(WATER, "1-8-2", shown);
        let item_a = c.master.item("1-8-1").unwrap();
        let item_b = c.master.item("1-8-2").unwrap();
        let form = tianbao::form::Form::new(&c.master, &c.spec);
        let column = &form.shown[form.position(shown).unwrap()];
        let ta = form.cell(column, item_a, WATER);
        let tb = form.cell(column, item_b, WATER);
        book.set("填报表", &ca, s(&tb));
        book.set("填报表", &cb, s(&ta));
    }
    let list = errors_of(&c, &book);
    assert!(list.is_empty(), "{list:?}");
}

#[test]
fn required_missing() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.cell(WATER, "1-7-1", "progress");
    book.set("填报表", &cell, Cell::Empty);
    let phone = c.signoff_cell(WATER, "phone");
    book.set("填报表", &phone, Cell::Empty);
    let list = errors_of(&c, &book);
    assert!(has(&list, "required_missing", &cell, "1-7-1"), "{list:?}");
    assert!(has(&list, "required_missing", &phone, ""), "{list:?}");
}

#[test]
fn not_a_number() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.cell(WATER, "1-7-1", "score");
    book.set("填报表", &cell, s("满分"));
    assert!(has(&errors_of(&c, &book), "not_a_number", &cell, "1-7-1"));
}

#[test]
fn out_of_range() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.cell(WATER, "1-5-2", "score");
    book.set("填报表", &cell, Cell::Num(1.5));
    let list = errors_of(&c, &book);
    assert!(has(&list, "out_of_range", &cell, "1-5-2"), "{list:?}");
    let cell = c.cell(WATER, "1-7-1", "score");
    book.set("填报表", &cell, Cell::Num(-1.0));
    assert!(has(&errors_of(&c, &book), "out_of_range", &cell, "1-7-1"));
}

#[test]
fn bad_precision() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.cell(WATER, "1-7-1", "score");
    book.set("填报表", &cell, Cell::Num(1.555));
    book.set("填报表", &c.cell(WATER, "1-7-1", "deduction"), s("原因"));
    let list = errors_of(&c, &book);
    assert!(has(&list, "bad_precision", &cell, "1-7-1"), "{list:?}");
}

#[test]
fn choice_invalid() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.cell(WATER, "1-7-1", "status");
    book.set("填报表", &cell, s("完成了"));
    assert!(has(&errors_of(&c, &book), "choice_invalid", &cell, "1-7-1"));
}

#[test]
fn required_when() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    book.set("填报表", &c.cell(WATER, "1-7-1", "score"), Cell::Num(1.5));
    let cell = c.cell(WATER, "1-7-1", "deduction");
    let list = errors_of(&c, &book);
    assert!(has(&list, "required_when", &cell, "1-7-1"), "{list:?}");
}

#[test]
fn text_too_long() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.cell(WATER, "1-7-1", "remark");
    book.set("填报表", &cell, s(&"很".repeat(501)));
    assert!(has(&errors_of(&c, &book), "text_too_long", &cell, "1-7-1"));
}

#[test]
fn phone_invalid() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.signoff_cell(WATER, "phone");
    book.set("填报表", &cell, s("找张三"));
    assert!(has(&errors_of(&c, &book), "phone_invalid", &cell, ""));
}

#[test]
fn formula_in_input() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let cell = c.cell(WATER, "1-7-1", "score");
    book.set("填报表", &cell, Cell::Formula("1+1".into(), 2.0));
    let (code, list) = {
        c.put("r.xlsx", &book);
        check_one(&c, "r.xlsx")
    };
    assert!(has(&list, "formula_in_input", &cell, "1-7-1"), "{list:?}");
    assert_eq!(
        list.len(),
        1,
        "the formula, and nothing about its cached value: {list:?}"
    );
    assert_eq!(code, 1, "other departments are missing");
}

#[test]
fn value_coerced() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let a = c.cell(WATER, "1-7-1", "score");
    let b = c.cell(WATER, "1-8-1", "score");
    book.set("填报表", &a, s("2分"));
    book.set("填报表", &b, s("２"));
    let list = errors_of(&c, &book);
    assert!(has(&list, "value_coerced", &a, "1-7-1"), "{list:?}");
    assert!(has(&list, "value_coerced", &b, "1-8-1"), "{list:?}");
    assert_eq!(list.len(), 2, "{list:?}");
}

#[test]
fn duplicate_return_says_which_is_used() {
    let c = Campaign::new();
    c.put("a.xlsx", &c.filled(WATER));
    c.put("b.xlsx", &c.filled(WATER));
    let run = c.run(&["validate", "--json"]);
    let json = run.json();
    let returns = json["returns"].as_array().unwrap();
    let superseded: Vec<_> = returns
        .iter()
        .filter(|r| r["status"] == "superseded")
        .collect();
    assert_eq!(superseded.len(), 1);
    let finding = &superseded[0]["findings"][0];
    assert_eq!(finding["code"], "duplicate_return");
    assert!(
        finding["message"].as_str().unwrap().contains("a.xlsx"),
        "{finding}"
    );
}

#[test]
fn missing_return_lists_the_person() {
    let c = Campaign::new();
    c.put("r.xlsx", &c.filled(WATER));
    let run = c.run(&["validate", "--json"]);
    assert_eq!(run.code, 1);
    let json = run.json();
    let missing = json["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 14);
    let personnel = missing
        .iter()
        .find(|m| m["department"] == "人事科")
        .unwrap();
    assert_eq!(personnel["persons"][0], "黄雪芳");
    let status = c.run(&["status"]);
    assert_eq!(status.code, 1);
    assert!(
        status.stdout.contains("人事科") && status.stdout.contains("黄雪芳"),
        "{}",
        status.stdout
    );
}

#[test]
fn evidence_beside_the_return_is_listed_and_missing_evidence_warned() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    book.set(
        "填报表",
        &c.cell(WATER, "1-7-1", "evidence"),
        s("会议纪要.pdf、现场照片.jpg"),
    );
    let cell = c.cell(WATER, "1-7-1", "evidence");
    // Sent in one zip with one of the two files.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("水科/水科.xlsx", options).unwrap();
    std::io::Write::write_all(&mut zip, &book.to_bytes()).unwrap();
    zip.start_file("水科/附件/会议纪要.pdf", options).unwrap();
    std::io::Write::write_all(&mut zip, b"%PDF-1.7 minutes").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    c.put_bytes("水科.zip", &bytes);
    let run = c.run(&["validate", "--json"]);
    let json = run.json();
    let ret = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"] == WATER)
        .unwrap();
    assert_eq!(ret["status"], "valid", "{ret}");
    assert_eq!(ret["evidence"][0]["name"], "会议纪要.pdf");
    assert_eq!(ret["evidence"][0]["size"], 16);
    assert_eq!(ret["evidence"][0]["sha256"].as_str().unwrap().len(), 64);
    let list = findings(&json);
    assert!(
        list.iter()
            .any(|(_, code, l, item)| code == "evidence_missing" && *l == cell && item == "1-7-1"),
        "{list:?}"
    );
}

#[test]
fn zips_with_gbk_names_and_lock_files() {
    let c = Campaign::new();
    let book = c.filled(WATER);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("a.xlsx", options).unwrap();
    std::io::Write::write_all(&mut zip, &book.to_bytes()).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    // Rename the entry to GBK bytes (no UTF-8 flag), as Chinese Windows zips do.
    let (gbk, _, _) = encoding_rs::GBK.encode("水科填报.xlsx");
    assert_eq!(gbk.len(), "a.xlsx".len() + 7);
    let mut patched = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"a.xlsx") {
            // Name lengths in both headers must match the new name.
            patched.extend_from_slice(&gbk);
            i += 6;
        } else {
            patched.push(bytes[i]);
            i += 1;
        }
    }
    // Fix the two name-length fields (local header offset 26, central header offset 28).
    let fix = |data: &mut Vec<u8>, sig: &[u8], offset: usize| {
        let at = data.windows(4).position(|w| w == sig).unwrap();
        data[at + offset] = gbk.len() as u8;
    };
    fix(&mut patched, b"PK\x03\x04", 26);
    fix(&mut patched, b"PK\x01\x02", 28);
    // The central directory offset moved by the longer local name.
    let eocd = patched
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .unwrap();
    let cd = u32::from_le_bytes(patched[eocd + 16..eocd + 20].try_into().unwrap()) + 7;
    patched[eocd + 16..eocd + 20].copy_from_slice(&cd.to_le_bytes());
    let size = u32::from_le_bytes(patched[eocd + 12..eocd + 16].try_into().unwrap()) + 7;
    patched[eocd + 12..eocd + 16].copy_from_slice(&size.to_le_bytes());
    c.put_bytes("returns.zip", &patched);
    c.put_bytes("~$水科.xlsx", b"lock");
    let run = c.run(&["validate", "--json"]);
    let json = run.json();
    let ret = &json["returns"][0];
    assert!(
        ret["path"]
            .as_str()
            .unwrap()
            .ends_with("returns.zip!水科填报.xlsx"),
        "{ret}"
    );
    assert_eq!(ret["status"], "valid");
    assert!(
        json["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["path"].as_str().unwrap().contains("~$水科.xlsx"))
    );
}

#[test]
fn inputs_are_not_modified() {
    let c = Campaign::new();
    c.everyone_returns();
    let hash = |dir: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (p.display().to_string(), std::fs::read(&p).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let before = hash(&c.path("inbox"));
    c.run(&["validate", "--feedback"]);
    c.run(&["status"]);
    assert!(before == hash(&c.path("inbox")));
}

/// A deterministic xorshift generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_valid_fills_are_clean_and_each_injected_error_is_found_once() {
    let c = Campaign::new();
    let departments: Vec<String> = c
        .master
        .departments()
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let statuses = ["已完成", "基本完成", "部分完成", "未完成"];
    for round in 0..24 {
        let dept = &departments[rng.below(departments.len() as u64) as usize];
        let items = c.items(dept);
        let mut book = c.template(dept);
        for item in &items {
            let weight: f64 = item.weight.unwrap().to_string().parse().unwrap();
            // 0 to weight in steps of 0.01 (two decimals at most).
            let hundredths = (weight * 100.0) as u64;
            let score = rng.below(hundredths + 1) as f64 / 100.0;
            let status = statuses[rng.below(4) as usize];
            book.set("填报表", &c.cell(dept, &item.id, "score"), Cell::Num(score));
            book.set("填报表", &c.cell(dept, &item.id, "status"), s(status));
            let len = 1 + rng.below(300) as usize;
            book.set(
                "填报表",
                &c.cell(dept, &item.id, "progress"),
                s(&"进".repeat(len)),
            );
            if score < weight {
                book.set("填报表", &c.cell(dept, &item.id, "deduction"), s("原因"));
            }
        }
        book.set("填报表", &c.signoff_cell(dept, "filler"), s("李四"));
        book.set("填报表", &c.signoff_cell(dept, "phone"), s("13800000000"));
        let clean = errors_of(&c, &book);
        assert!(clean.is_empty(), "round {round} {dept}: {clean:?}");

        // Inject one error at a random item.
        let item = items[rng.below(items.len() as u64) as usize];
        let (code, cell) = match rng.below(5) {
            0 => {
                let cell = c.cell(dept, &item.id, "score");
                book.set("填报表", &cell, Cell::Num(99.0));
                ("out_of_range", cell)
            }
            1 => {
                let cell = c.cell(dept, &item.id, "status");
                book.set("填报表", &cell, s("好"));
                ("choice_invalid", cell)
            }
            2 => {
                let cell = c.cell(dept, &item.id, "progress");
                book.set("填报表", &cell, Cell::Empty);
                ("required_missing", cell)
            }
            3 => {
                let cell = c.cell(dept, &item.id, "score");
                book.set("填报表", &cell, s("abc"));
                ("not_a_number", cell)
            }
            _ => {
                let cell = c.shown_cell(dept, &item.id, Shown::TASK);
                book.set("填报表", &cell, s("改"));
                ("locked_cell_changed", cell)
            }
        };
        let list = errors_of(&c, &book);
        let hits: Vec<_> = list.iter().filter(|(c, _, _)| c == code).collect();
        assert_eq!(hits.len(), 1, "round {round} {dept} {code}: {list:?}");
        assert_eq!(hits[0].1, cell, "round {round} {dept} {code}");
        assert_eq!(hits[0].2, item.id);
        let others: Vec<_> = list
            .iter()
            .filter(|(c, _, _)| c != code && c != "required_when")
            .collect();
        assert!(others.is_empty(), "round {round}: {others:?}");
    }
}

#[test]
fn feedback_workbook_marks_the_cells_and_passes_once_fixed() {
    let c = Campaign::new();
    let mut book = c.filled(WATER);
    let score = c.cell(WATER, "1-5-2", "score");
    book.set("填报表", &score, Cell::Num(3.0));
    c.put("r.xlsx", &book);
    let run = c.run(&["validate", "--feedback"]);
    assert_eq!(run.code, 1);
    let feedback = c
        .path("out/feedback")
        .read_dir()
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(
        feedback
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("第2轮"),
        "{}",
        feedback.display()
    );
    let opened = tianbao::workbook::open(&feedback).unwrap();
    // The submitted values are prefilled, the problem listed on 问题清单.
    let sheet = opened.sheet("填报表").unwrap();
    let (col, row) = common::xlsx::parse_a1(&score);
    assert_eq!(sheet.grid.raw(row - 1, col).to_text(), "3");
    let problems = opened.sheet("问题清单").unwrap();
    assert!(
        problems.grid.raw(2, 3).to_text().contains("1-5-2"),
        "{:?}",
        problems.grid.raw(2, 3)
    );
    assert_eq!(problems.grid.raw(2, 1).to_text(), format!("填报表!{score}"));
    // The note is in the comments part.
    let x = Xlsx::read(&std::fs::read(&feedback).unwrap());
    let comments = x.part("xl/comments1.xml");
    assert!(comments.contains(&format!("ref=\"{score}\"")), "{comments}");
    // The department fixes the feedback workbook and returns it: the newer round is used.
    let mut fixed = x;
    fixed.set("填报表", &score, Cell::Num(1.0));
    c.put("r2.xlsx", &fixed);
    let run = c.run(&["validate", "--json"]);
    let json = run.json();
    let water = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == WATER)
        .unwrap();
    assert_eq!(water["status"], "valid", "{water}");
    assert!(water["file"].as_str().unwrap().ends_with("r2.xlsx"));
    let old = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("r.xlsx"))
        .unwrap();
    assert_eq!(old["status"], "superseded");
}

/// One item's text edited in the master: only the departments of that item are stale, their
/// message names the item, and `--feedback` prepares their new prefilled workbook.
#[test]
fn a_master_edit_makes_only_the_affected_departments_stale() {
    let c = Campaign::new();
    c.everyone_returns();
    let mut source = common::sample_source();
    let edited = source
        .items_mut()
        .find(|i| i.departments.len() >= 2)
        .expect("the sample has a shared item");
    edited.task = Some(format!(
        "{}（已修订）",
        edited.task.clone().unwrap_or_default()
    ));
    let id = edited.id.clone();
    let affected = edited.departments.clone();
    common::write_variant(
        &c.dir,
        "master.xlsx",
        &source,
        &tianbao_kit::source::Layout::default(),
    );
    let run = c.run(&["validate", "--json", "--feedback"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let stale: Vec<(String, String)> = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let department = r["department"].as_str().unwrap_or("").to_string();
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["code"] == "stale_template")
                .map(move |f| {
                    (
                        department.clone(),
                        f["message"].as_str().unwrap().to_string(),
                    )
                })
        })
        .collect();
    let mut departments: Vec<&str> = stale.iter().map(|(d, _)| d.as_str()).collect();
    departments.sort();
    let mut expected: Vec<&str> = affected.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(departments, expected, "{stale:?}");
    for (department, message) in &stale {
        assert!(message.contains(&id), "{message}");
        assert!(message.contains("已为其生成"), "{message}");
        assert!(message.contains(department.as_str()), "{message}");
    }
    let valid = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "valid")
        .count();
    assert_eq!(valid, 15 - affected.len());
}

/// (file name, code, cell, the `other` or `sender` argument, message) of every finding of `code`.
fn said(json: &serde_json::Value, code: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for ret in json["returns"].as_array().unwrap() {
        let path = ret["path"].as_str().unwrap();
        let name = path.rsplit(['/', '!']).next().unwrap().to_string();
        for f in ret["findings"].as_array().unwrap() {
            if f["code"] != code {
                continue;
            }
            let named = f["args"]["other"]
                .as_str()
                .or(f["args"]["sender"].as_str())
                .unwrap_or("");
            out.push((
                name.clone(),
                f["cell"].as_str().unwrap_or("").to_string(),
                named.to_string(),
                f["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    out.sort();
    out
}

const AIR: &str = "大气科";

/// The sign-off read the way people write it: a seal or filler naming another department, or a
/// person only another department has, is an error at its cell naming both departments; the
/// department's own names, however written, and an empty field are not.
#[test]
fn signoff_mismatch() {
    let c = Campaign::new();
    let seal = c.signoff_cell(AIR, "seal");
    let filler = c.signoff_cell(AIR, "filler");
    // (seal, filler, the department named and where)
    type Case<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);
    let cases: &[Case] = &[
        ("执法支队", "张三", Some(("执法支队", &seal))),
        (
            "泉州市生态环境局执法支队（盖章）",
            "张三",
            Some(("执法支队", &seal)),
        ),
        ("执 法 支 队", "张三", Some(("执法支队", &seal))),
        ("执法支队盖章", "张三", Some(("执法支队", &seal))),
        ("大气科、执法支队", "张三", Some(("执法支队", &seal))),
        ("大气科", "陈曦", Some(("执法支队", &filler))),
        ("大气科", "王聪坤、陈曦", Some(("执法支队", &filler))),
        ("大气科", "王聪坤/陈曦", Some(("执法支队", &filler))),
        ("大气科", "陈　曦", Some(("执法支队", &filler))),
        ("大气科", "水科林青峰", Some(("水科", &filler))),
        ("泉州市生态环境局大气科", "王聪坤", None),
        ("泉州市生态环境局 大气科（盖章）", "王 聪 坤", None),
        ("大 气 科", "王聪坤（科员）", None),
        ("", "张三", None),
        ("大气科", "张三", None),
    ];
    for (i, (seal_text, filler_text, _)) in cases.iter().enumerate() {
        let mut book = c.filled(AIR);
        book.set("填报表", &seal, s(seal_text));
        book.set("填报表", &filler, s(filler_text));
        c.put(&format!("r{i:02}.xlsx"), &book);
    }
    let run = c.run(&["validate", "--json"]);
    let json = run.json();
    let found = said(&json, "signoff_mismatch");
    for (i, (seal_text, filler_text, expected)) in cases.iter().enumerate() {
        let name = format!("r{i:02}.xlsx");
        let here: Vec<_> = found.iter().filter(|f| f.0 == name).collect();
        match expected {
            None => assert!(here.is_empty(), "{seal_text} / {filler_text}: {here:?}"),
            Some((other, cell)) => {
                assert_eq!(here.len(), 1, "{seal_text} / {filler_text}: {here:?}");
                let (_, at, named, message) = here[0];
                assert_eq!((named.as_str(), at.as_str()), (*other, *cell), "{message}");
                assert!(
                    message.contains(AIR) && message.contains(other),
                    "{message}"
                );
            }
        }
    }
    let severities: Vec<&serde_json::Value> = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .filter(|f| f["code"] == "signoff_mismatch")
        .map(|f| &f["severity"])
        .collect();
    assert!(severities.iter().all(|s| *s == "error"), "{severities:?}");
}

/// A department whose name holds another's: its own seal names only itself (the longest name
/// wins), and the shorter-named department stamping with the longer name is found.
#[test]
fn signoff_mismatch_the_longest_department_name_wins() {
    let mut source = common::sample_source();
    for item in source.items_mut() {
        for department in &mut item.departments {
            if department == "应急中心" {
                *department = "综合科".into();
            }
        }
    }
    let c = Campaign::of_source(&source);
    let mut own = c.filled("监测综合科");
    own.set(
        "填报表",
        &c.signoff_cell("监测综合科", "seal"),
        s("泉州市生态环境局监测综合科"),
    );
    c.put("监测综合科.xlsx", &own);
    let mut own = c.filled("综合科");
    own.set("填报表", &c.signoff_cell("综合科", "seal"), s("综合科"));
    c.put("综合科.xlsx", &own);
    let mut other = c.filled("综合科");
    let cell = c.signoff_cell("综合科", "seal");
    other.set("填报表", &cell, s("监测综合科（盖章）"));
    c.put("综合科-代填.xlsx", &other);
    let json = c.run(&["validate", "--json"]).json();
    let found = said(&json, "signoff_mismatch");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].0.as_str(),
            found[0].1.as_str(),
            found[0].2.as_str()
        ),
        ("综合科-代填.xlsx", cell.as_str(), "监测综合科")
    );
}

/// A return of one department in a folder or zip named after another is reported, naming the
/// file, the folder or zip and both departments; a folder named after no department, or
/// holding several departments' returns, says nothing; evidence in the folder still counts.
#[test]
fn submitted_by_other() {
    let c = Campaign::new();
    let mut air = c.filled(AIR);
    let item = c.items(AIR)[0].id.clone();
    air.set("填报表", &c.cell(AIR, &item, "evidence"), s("会议纪要.pdf"));
    c.put("执法支队-回传/大气科.xlsx", &air);
    std::fs::write(
        c.path("inbox/执法支队-回传/会议纪要.pdf"),
        b"%PDF-1.4 minutes",
    )
    .unwrap();
    c.put("汇总/执法支队/固化中心.xlsx", &c.filled("固化中心"));
    // A zip of another department's, named as people name second sendings.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("表/水科.xlsx", options).unwrap();
    std::io::Write::write_all(&mut zip, &c.filled(WATER).to_bytes()).unwrap();
    c.put_bytes(
        "执法支队（第二次）.zip",
        &zip.finish().unwrap().into_inner(),
    );
    // Said nothing of: a collection, a folder named after nobody, the department's own.
    c.put("办公室/人事科.xlsx", &c.filled("人事科"));
    c.put("办公室/督察科.xlsx", &c.filled("督察科"));
    c.put("回传/土壤科.xlsx", &c.filled("土壤科"));
    c.put("自然科/自然科.xlsx", &c.filled("自然科"));
    let run = c.run(&["validate", "--json"]);
    let json = run.json();
    let found: Vec<(String, String)> = said(&json, "submitted_by_other")
        .into_iter()
        .map(|(file, _, sender, message)| {
            assert!(message.contains(&sender), "{message}");
            (file, message)
        })
        .collect();
    let files: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        ["固化中心.xlsx", "大气科.xlsx", "水科.xlsx"],
        "{found:?}"
    );
    for (file, message) in &found {
        let department = file.trim_end_matches(".xlsx");
        assert!(message.contains(department), "{message}");
        assert!(message.contains("执法支队"), "{message}");
    }
    assert!(found[1].1.contains("执法支队-回传"), "{}", found[1].1);
    assert!(
        found[2].1.contains("执法支队（第二次）.zip"),
        "{}",
        found[2].1
    );
    for ret in json["returns"].as_array().unwrap() {
        assert_eq!(ret["status"], "valid", "{ret}");
        for f in ret["findings"].as_array().unwrap() {
            if f["code"] == "submitted_by_other" {
                assert_eq!(f["severity"], "warning");
            }
        }
    }
    let air = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"] == AIR)
        .unwrap();
    assert_eq!(air["evidence"][0]["name"], "会议纪要.pdf", "{air}");
}
