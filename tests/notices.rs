//! The papers around the workbooks: the sending list and the notices `generate` writes, the
//! reminders `status --remind` writes, the settings `init` stores, and tianbao.toml mistakes
//! told in words. Read back independently (calamine, the bytes of the text files).

mod common;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use common::play::Campaign as Play;
use common::*;
use rust_decimal::Decimal;
use tianbao::campaign::Campaign;
use tianbao::notice::LIST_HEADER_ROW;

const CONTACT: &str = "办公室 张三 0595-22345678";
const DEADLINE: &str = "2024年1月10日";
const OFFICE: &str = "泉州市生态环境局考评办";

/// `init` with contact, deadline and office, then `generate`.
fn generated() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let master = sample_master();
    let run = tianbao(
        dir.path(),
        &[
            "init",
            "c",
            "--master",
            master.to_str().unwrap(),
            "--contact",
            CONTACT,
            "--deadline",
            DEADLINE,
            "--office",
            OFFICE,
            "--return-to",
            "kpb@example.gov.cn",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let c = dir.path().join("c");
    let run = tianbao(&c, &["generate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "no warnings: {}", run.stderr);
    (dir, c)
}

/// The rows of a list workbook below its header, each cell as text.
fn list_rows(path: &Path) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let width = range.end().unwrap().1 + 1;
    let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    let header: Vec<String> = (0..width)
        .map(|c| cell(LIST_HEADER_ROW, c).to_string())
        .collect();
    let mut rows = Vec::new();
    let mut r = LIST_HEADER_ROW + 1;
    while !cell(r, 0).to_string().is_empty() {
        rows.push((0..width).map(|c| cell(r, c)).collect());
        r += 1;
    }
    (header, rows)
}

fn text(d: &Data) -> String {
    d.to_string()
}

fn decimal(d: &Data) -> Decimal {
    match d {
        Data::Float(f) => tianbao::cell_text::decimal_from_f64(*f).unwrap(),
        Data::Int(i) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    }
}

/// A text file as Windows Notepad needs it: a BOM, CRLF line ends only; its text.
fn windows_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{}: no BOM",
        path.display()
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lf = text.matches('\n').count();
    assert!(lf > 5, "{}", path.display());
    assert_eq!(
        text.matches("\r\n").count(),
        lf,
        "{}: every line ends in CRLF",
        path.display()
    );
    text.replace("\r\n", "\n")
}

#[test]
fn the_sending_list_names_each_department_its_file_items_and_weight() {
    let (_dir, c) = generated();
    let campaign = Campaign::open(&c).unwrap();
    let master = campaign
        .read_master(&campaign.spec().unwrap())
        .unwrap()
        .master;
    let list = c.join("outbox").join("发送清单.xlsx");
    let (header, rows) = list_rows(&list);
    assert_eq!(
        header,
        [
            "序号",
            "部门",
            "联系人",
            "附件（填报表）",
            "指标数",
            "权重合计",
            "通知",
            "发送情况",
            "备注"
        ]
    );
    let departments = master.departments();
    assert_eq!(rows.len(), departments.len());
    assert_eq!(rows.len(), 15);
    let names: Vec<&str> = departments.iter().map(|d| d.name.as_str()).collect();
    let files = tianbao::template::file_names(&campaign.config.title, &names);
    for (i, (row, department)) in rows.iter().zip(departments).enumerate() {
        let name = &department.name;
        assert_eq!(decimal(&row[0]), Decimal::from(i + 1));
        assert_eq!(text(&row[1]), *name);
        assert_eq!(text(&row[2]), department.persons.join("、"));
        assert_eq!(text(&row[3]), files[i]);
        assert!(c.join("outbox").join(&files[i]).is_file(), "{}", files[i]);
        let items: Vec<_> = master.items_of(name).collect();
        assert_eq!(decimal(&row[4]), Decimal::from(items.len()), "{name}");
        let weight: Decimal = items.iter().filter_map(|i| i.weight).sum();
        assert_eq!(decimal(&row[5]), weight, "{name}: the weight exactly");
        assert_eq!(text(&row[6]), format!("通知/{name}.txt"));
        assert!(c.join("outbox/通知").join(format!("{name}.txt")).is_file());
        assert_eq!(text(&row[8]), "", "{name}: current");
    }
    // 自然科's weights add up to 5.5: a fraction read back exactly.
    let nature = rows.iter().find(|r| text(&r[1]) == "自然科").unwrap();
    assert_eq!(decimal(&nature[5]), Decimal::from_str("5.5").unwrap());

    // Title, the line under it, and the signature below the rows.
    let mut book: Xlsx<_> = calamine::open_workbook(&list).unwrap();
    let range = book.worksheet_range("发送清单").unwrap();
    let at = |r: u32, c: u32| range.get_value((r, c)).map(|v| v.to_string());
    assert_eq!(
        at(0, 0).as_deref(),
        Some("泉州市生态环境局2023年度绩效目标考评表 发送清单")
    );
    let subtitle = at(1, 0).unwrap();
    assert!(
        subtitle.contains(DEADLINE) && subtitle.contains(CONTACT),
        "{subtitle}"
    );
    let signature = at(LIST_HEADER_ROW + 17, 0).unwrap();
    assert!(
        signature.starts_with(&format!("制表单位：{OFFICE}")),
        "{signature}"
    );
}

#[test]
fn a_notice_lists_the_items_the_deadline_whom_to_ask_and_how_to_return() {
    let (_dir, c) = generated();
    let campaign = Campaign::open(&c).unwrap();
    let master = campaign
        .read_master(&campaign.spec().unwrap())
        .unwrap()
        .master;
    let notices: Vec<String> = std::fs::read_dir(c.join("outbox/通知"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(notices.len(), 15, "{notices:?}");
    let notice = windows_text(&c.join("outbox/通知/大气科.txt"));
    let file = tianbao::template::file_name(&campaign.config.title, "大气科");
    assert!(
        notice.starts_with("关于填报“泉州市生态环境局2023年度绩效目标考评表”的通知\n\n大气科：\n"),
        "{notice}"
    );
    for needle in [
        format!("请于{DEADLINE}前填写完毕并交回"),
        format!("附件“{file}”中是贵部门承担的 7 项指标，权重合计 10 分"),
        format!("如有疑问，请联系：{CONTACT}。"),
        "请发送至 kpb@example.gov.cn。".to_string(),
        "不要重命名或删除其中的工作表".to_string(),
        "不要改动已锁定的单元格".to_string(),
        "打包成 zip 压缩包".to_string(),
        format!("附件：{file}"),
        format!("\n{OFFICE}\n"),
    ] {
        assert!(notice.contains(&needle), "{needle}\n{notice}");
    }
    // Its items, each with its weight, in the master's order.
    let mut last = 0;
    for item in master.items_of("大气科") {
        let weight = tianbao::cell_text::show(item.weight.unwrap());
        let line = notice
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{}　", item.id)))
            .unwrap_or_else(|| panic!("no line for {}:\n{notice}", item.id));
        assert!(line.ends_with(&format!("（权重 {weight} 分）")), "{line}");
        let at = notice.find(line).unwrap();
        assert!(at > last, "{} out of order", item.id);
        last = at;
    }
    assert!(
        notice.contains("        1-6-1　协同推进减污降碳"),
        "{notice}"
    );
}

#[test]
fn generate_for_one_department_rewrites_the_list_and_marks_what_is_not_current() {
    let (_dir, c) = generated();
    let outbox = c.join("outbox");
    let campaign = Campaign::open(&c).unwrap();
    let personnel = tianbao::template::file_name(&campaign.config.title, "人事科");
    std::fs::remove_file(outbox.join(&personnel)).unwrap();
    std::fs::remove_dir_all(outbox.join("通知")).unwrap();
    let run = tianbao(&c, &["generate", "--dept", "大气科"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("发送清单.xlsx"), "{}", run.stdout);
    assert!(run.stdout.contains("人事科"), "{}", run.stdout);
    // Only its notice is written.
    let notices: Vec<String> = std::fs::read_dir(outbox.join("通知"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(notices, ["大气科.txt"]);
    let (_, rows) = list_rows(&outbox.join("发送清单.xlsx"));
    assert_eq!(rows.len(), 15, "every department stays listed");
    for row in &rows {
        let remark = text(&row[8]);
        if text(&row[1]) == "人事科" {
            assert_eq!(remark, "尚未生成：tianbao generate --dept 人事科");
        } else {
            assert_eq!(remark, "", "{}", text(&row[1]));
        }
    }

    // A new round makes every workbook but the one generated outdated.
    let config = c.join("tianbao.toml");
    let text_before = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text_before.replace("round = 1", "round = 2")).unwrap();
    let run = tianbao(&c, &["generate", "--dept", "大气科"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (_, rows) = list_rows(&outbox.join("发送清单.xlsx"));
    for row in &rows {
        let (department, remark) = (text(&row[1]), text(&row[8]));
        match department.as_str() {
            "大气科" => assert_eq!(remark, ""),
            "人事科" => assert!(remark.starts_with("尚未生成"), "{remark}"),
            _ => assert!(remark.starts_with("总表已改动或已换轮次"), "{remark}"),
        }
    }
}

#[test]
fn init_stores_contact_deadline_and_office() {
    let (_dir, c) = generated();
    let campaign = Campaign::open(&c).unwrap();
    assert_eq!(campaign.config.contact, CONTACT);
    assert_eq!(campaign.config.deadline, DEADLINE);
    assert_eq!(campaign.config.office, OFFICE);
    assert_eq!(campaign.config.return_to, "kpb@example.gov.cn");
    let text = std::fs::read_to_string(c.join("tianbao.toml")).unwrap();
    for line in [
        format!("contact = \"{CONTACT}\""),
        format!("deadline = \"{DEADLINE}\""),
        format!("office = \"{OFFICE}\""),
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    // The workbooks say them too.
    let book = tianbao::workbook::open(
        &c.join("outbox")
            .join(tianbao::template::file_name(&campaign.config.title, "水科")),
    )
    .unwrap();
    let subtitle = book.sheets[0].grid.raw(1, 0).to_text();
    assert!(subtitle.contains(DEADLINE), "{subtitle}");
}

#[test]
fn generate_warns_when_contact_or_deadline_is_empty() {
    let (_dir, c) = init_campaign();
    let run = tianbao(&c, &["generate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].contains("contact"), "{}", run.stderr);
    assert!(
        lines[1].contains("deadline") && lines[1].contains("请于（见通知）前"),
        "{}",
        run.stderr
    );
    // With a deadline only, only the contact is missing.
    let config = c.join("tianbao.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("deadline = \"\"", "deadline = \"2024年1月10日\""),
    )
    .unwrap();
    let run = tianbao(&c, &["generate", "--dept", "水科"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("contact"), "{}", run.stderr);
}

/// The sample campaign where 水科 and 人事科 returned nothing, 大气科 a score above its weight
/// with its own phone in the sign-off, and everyone else a valid workbook.
fn partly_returned() -> Play {
    let c = Play::new();
    for d in c.master.departments() {
        match d.name.as_str() {
            "水科" | "人事科" => {}
            "大气科" => {
                let mut book = c.template("大气科");
                c.fill(&mut book, "大气科", &[("1-6-1", 3.0)]);
                book.set(
                    &c.spec.template.sheet,
                    &c.signoff_cell("大气科", "phone"),
                    common::xlsx::s("13905951234"),
                );
                c.put("大气科.xlsx", &book);
            }
            name => {
                c.put(&format!("{name}.xlsx"), &c.filled(name));
            }
        }
    }
    c
}

#[test]
fn reminders_name_whom_to_call_the_phone_and_what_is_wrong() {
    let c = partly_returned();
    let run = c.run(&["status", "--remind"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let dir = c.path("out/提醒");
    for name in ["水科.txt", "人事科.txt", "大气科.txt", "催报清单.xlsx"] {
        assert!(run.stdout.contains(name), "{name}: {}", run.stdout);
    }
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["人事科.txt", "催报清单.xlsx", "大气科.txt", "水科.txt"]
    );

    // The invalid one: persons from the master, the phone of its sign-off, the error's message.
    let validate = c.run(&["validate", "--json"]);
    let json = validate.json();
    let message = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["department"] == "大气科")
        .flat_map(|r| r["findings"].as_array().unwrap())
        .find(|f| f["code"] == "out_of_range")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    let persons = &c
        .master
        .departments()
        .iter()
        .find(|d| d.name == "大气科")
        .unwrap()
        .persons;
    let air = windows_text(&dir.join("大气科.txt"));
    for needle in [
        format!("联系人：{}", persons.join("、")),
        "联系电话：13905951234".to_string(),
        "情况：有误，需修改".to_string(),
        "有 1 处需要修改".to_string(),
        format!("1. {message}"),
        "“大气科.xlsx”".to_string(),
    ] {
        assert!(air.contains(&needle), "{needle}\n{air}");
    }

    // The missing one: not returned, no phone line (nothing came back to take one from).
    let water = windows_text(&dir.join("水科.txt"));
    assert!(water.contains("情况：未交回"), "{water}");
    assert!(
        water.contains("我们还没有收到贵部门交回的填报表"),
        "{water}"
    );
    assert!(!water.contains("联系电话"), "{water}");
    let workbook = tianbao::template::file_name(&c.title, "水科");
    assert!(water.contains(&workbook), "{water}");

    // The list: one row each, in the master's order, the phone where one came back.
    let (header, rows) = list_rows(&dir.join("催报清单.xlsx"));
    assert_eq!(header[1], "部门");
    assert_eq!(header[4], "联系电话");
    let by_department: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (text(&r[1]), text(&r[2]), text(&r[4])))
        .collect();
    assert_eq!(
        by_department,
        [
            (
                "大气科".to_string(),
                "有误，需修改".to_string(),
                "13905951234".to_string()
            ),
            ("水科".to_string(), "未交回".to_string(), String::new()),
            ("人事科".to_string(), "未交回".to_string(), String::new()),
        ]
    );

    // 大气科 fixes its workbook: its reminder goes; the others stay.
    c.put("大气科.xlsx", &c.filled("大气科"));
    let run = c.run(&["status", "--remind"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!dir.join("大气科.txt").exists());
    assert!(run.stdout.contains("大气科.txt"), "removed: {}", run.stdout);
    assert!(dir.join("水科.txt").exists());

    // Everyone has returned: no reminder and no list is left.
    c.put("水科.xlsx", &c.filled("水科"));
    c.put("人事科.xlsx", &c.filled("人事科"));
    let run = c.run(&["status", "--remind", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["reminders"]["written"].as_array().unwrap().len(), 0);
    assert_eq!(json["reminders"]["removed"].as_array().unwrap().len(), 3);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// Runs `status` with tianbao.toml's `from` replaced by `to`: (exit code, stderr).
fn with_config(from: &str, to: &str) -> (i32, String, usize) {
    let (_dir, c) = init_campaign();
    let path = c.join("tianbao.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    let text = text.replacen(from, to, 1);
    let line = text
        .lines()
        .position(|l| l.contains(to.lines().next().unwrap()))
        .unwrap()
        + 1;
    std::fs::write(&path, text).unwrap();
    let run = tianbao(&c, &["status"]);
    (run.code, run.stderr, line)
}

#[test]
fn a_date_where_text_belongs_is_told_with_its_line_key_and_fix() {
    let (code, stderr, line) = with_config("deadline = \"\"", "deadline = 2024-01-10");
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for needle in [
        "tianbao.toml".to_string(),
        line.to_string(),
        "deadline".to_string(),
        "deadline = \"2024-01-10\"".to_string(),
    ] {
        assert!(stderr.contains(&needle), "{needle}: {stderr}");
    }
    assert!(!stderr.contains("invalid type"), "{stderr}");
}

#[test]
fn other_common_mistakes_in_tianbao_toml_are_told_with_their_line() {
    for (from, to, needles) in [
        // A number where text belongs.
        (
            "contact = \"\"",
            "contact = 22345678",
            &["contact", "contact = \"22345678\""][..],
        ),
        // Text where a number belongs.
        ("round = 1", "round = \"2\"", &["round", "round = 2"]),
        // A key that does not exist: the keys that do, and the one meant.
        (
            "deadline = \"\"",
            "dedline = \"2024年1月10日\"",
            &["dedline", "deadline", "contact", "office"],
        ),
        // A missing closing quote.
        (
            "contact = \"\"",
            "contact = \"办公室 张三",
            &["contact = \"办公室 张三\""],
        ),
        // A top-level key appended below [limits].
        (
            "max_cell_chars = ",
            "office = \"考评办\"\nmax_cell_chars = ",
            &["office", "[limits]"],
        ),
    ] {
        let (code, stderr, line) = with_config(from, to);
        assert_eq!(code, 2, "{to}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&line.to_string()),
            "{to}: line {line}: {stderr}"
        );
        for needle in needles {
            assert!(stderr.contains(needle), "{to}: {needle}: {stderr}");
        }
    }
}
