//! Periods end to end with the built binary: three monthly periods of one campaign on the
//! sample master, each department returning other values each period; the history sheet read
//! back cell by cell against what the returns said; an earlier period's workbook in the inbox
//! refused and not counted; earlier periods' files and receipts unchanged; carried values in a
//! new period's workbooks; and a campaign without periods as before.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::play::Campaign;
use common::sheet::read_sheet;
use common::xlsx::{Xlsx, s};
use rust_decimal::Decimal;
use tianbao::spec::Spec;
use tianbao::template::file_name;

const PERIODS: [&str; 3] = ["2024-01", "2024-02", "2024-03"];

/// A campaign on the sample master, not yet generated.
fn campaign() -> Campaign {
    let (tmp, dir) = common::init_campaign();
    let spec = Spec::builtin();
    let master = tianbao::master::read_master(&dir.join("master.xlsx"), &spec, &Default::default())
        .unwrap()
        .master;
    let config: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("tianbao.toml")).unwrap()).unwrap();
    let title = config["title"].as_str().unwrap().to_string();
    Campaign {
        tmp,
        dir,
        master,
        spec,
        title,
    }
}

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// What item `index` (master order) of weight `weight` scores in period `period`: half a point
/// to start; even items reach full marks in the second period, odd ones stay; in the third,
/// every fourth item falls back and the others reach full marks.
fn score(index: usize, weight: Decimal, period: usize) -> Decimal {
    let low = weight.min(d("0.5"));
    match period {
        0 => low,
        1 if index.is_multiple_of(2) => weight,
        1 => low,
        _ if index.is_multiple_of(4) => low,
        _ => weight,
    }
}

fn progress_text(period: &str, item: &str) -> String {
    format!("{period}：{item}按计划推进。")
}

fn period_file(c: &Campaign, period: &str, department: &str) -> PathBuf {
    c.dir
        .join("outbox")
        .join(period)
        .join(file_name(&c.title, department))
}

/// Department `department`'s workbook of period `p` filled with that period's scores.
fn filled(c: &Campaign, p: usize, department: &str) -> Xlsx {
    let mut book = Xlsx::read(&std::fs::read(period_file(c, PERIODS[p], department)).unwrap());
    let scores: Vec<(String, f64)> = c
        .master
        .items()
        .iter()
        .enumerate()
        .filter(|(_, item)| item.departments.iter().any(|x| x == department))
        .map(|(i, item)| {
            let weight = item.weight.unwrap();
            let value: f64 = score(i, weight, p).to_string().parse().unwrap();
            (item.id.clone(), value)
        })
        .collect();
    let scores: Vec<(&str, f64)> = scores.iter().map(|(i, v)| (i.as_str(), *v)).collect();
    c.fill(&mut book, department, &scores);
    for item in c.items(department) {
        let cell = c.cell(department, &item.id, "progress");
        book.set(
            &c.spec.template.sheet,
            &cell,
            s(&progress_text(PERIODS[p], &item.id)),
        );
    }
    book
}

fn put(c: &Campaign, period: &str, name: &str, book: &Xlsx) -> PathBuf {
    let path = c.dir.join("inbox").join(period).join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, book.to_bytes()).unwrap();
    path
}

/// Every department returns its period `p` workbook.
fn everyone_returns(c: &Campaign, p: usize) {
    for department in c.master.departments() {
        let book = filled(c, p, &department.name);
        put(c, PERIODS[p], &format!("{}.xlsx", department.name), &book);
    }
}

fn run_ok(c: &Campaign, args: &[&str]) -> common::Run {
    let run = c.run(args);
    assert_eq!(run.code, 0, "{args:?}\n{}\n{}", run.stdout, run.stderr);
    run
}

/// SHA-256 of every file below `dir`, by path.
fn hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(here) = stack.pop() {
        for entry in std::fs::read_dir(&here).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path, tianbao::digest::sha256_hex(&bytes));
            }
        }
    }
    out
}

/// The receipts of a period's last validate run, as the store keeps them.
fn receipts(c: &Campaign, period: &str) -> Vec<tianbao::store::Receipt> {
    let store = tianbao::store::Store::open(&c.dir.join("tianbao.db")).unwrap();
    let run = store.last_run(&format!("inbox/{period}")).unwrap().unwrap();
    store.receipts(run.id).unwrap()
}

/// A1 to 0-based (row, column).
fn position(a1: &str) -> (u32, u32) {
    let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
    let row: u32 = a1[letters.len()..].parse().unwrap();
    let col = letters
        .chars()
        .fold(0u32, |acc, ch| acc * 26 + (ch as u32 - 'A' as u32 + 1));
    (row - 1, col - 1)
}

fn compiled(c: &Campaign, period: &str) -> PathBuf {
    c.dir
        .join("out")
        .join(period)
        .join(format!("{}-汇总.xlsx", c.title))
}

#[test]
fn three_periods_compile_into_a_history_that_agrees_with_the_returns() {
    let c = campaign();
    let mut earlier: Vec<(BTreeMap<PathBuf, String>, Vec<tianbao::store::Receipt>)> = Vec::new();
    for (p, period) in PERIODS.iter().enumerate() {
        let args = if p == 1 {
            vec!["generate", "--period", period]
        } else {
            vec!["period", "new", period]
        };
        let started = run_ok(&c, &args);
        assert!(
            started.stdout.contains(&format!("已开始 {period} 期")),
            "{}",
            started.stdout
        );
        everyone_returns(&c, p);
        run_ok(&c, &["validate"]);
        run_ok(&c, &["compile"]);
        assert!(compiled(&c, period).is_file());
        // Earlier periods' files and receipts are as they were.
        for (q, (files, kept)) in earlier.iter().enumerate() {
            let now: BTreeMap<PathBuf, String> = ["inbox", "outbox", "out"]
                .iter()
                .flat_map(|root| hashes(&c.dir.join(root).join(PERIODS[q])))
                .collect();
            assert_eq!(&now, files, "files of {} changed", PERIODS[q]);
            assert_eq!(
                &receipts(&c, PERIODS[q]),
                kept,
                "receipts of {}",
                PERIODS[q]
            );
        }
        let files = ["inbox", "outbox", "out"]
            .iter()
            .flat_map(|root| hashes(&c.dir.join(root).join(period)))
            .collect();
        earlier.push((files, receipts(&c, period)));
    }
    check_history(&c);
    let config = std::fs::read_to_string(c.dir.join("tianbao.toml")).unwrap();
    assert!(config.contains("period = \"2024-03\""), "{config}");
    let list = run_ok(&c, &["period", "list"]);
    assert_eq!(
        list.stdout.lines().map(str::trim).collect::<Vec<_>>(),
        vec!["2024-01", "2024-02", "2024-03  （本期）"]
    );
}

/// The history sheet of the third period, cell by cell.
fn check_history(c: &Campaign) {
    let sheet = read_sheet(&compiled(c, PERIODS[2]), "历次进展");
    let header = 2;
    let col = |label: &str| sheet.col(header, label);
    let values: Vec<u32> = PERIODS.iter().map(|p| col(p)).collect();
    let changes = [col("较上期（2024-02）"), col("较上期（2024-03）")];
    let state = col("本期情况");
    let items = c.master.items();
    let mut behind = 0;
    for (i, item) in items.iter().enumerate() {
        let row = header + 1 + i as u32;
        assert_eq!(sheet.text(row, 0), item.id, "row {row}");
        let weight = item.weight.unwrap();
        let expected: Vec<Decimal> = (0..3).map(|p| score(i, weight, p)).collect();
        for (p, &col) in values.iter().enumerate() {
            assert_eq!(
                sheet.number(row, col),
                Some(expected[p]),
                "{} in {}",
                item.id,
                PERIODS[p]
            );
        }
        for (k, &col) in changes.iter().enumerate() {
            let change = expected[k + 1] - expected[k];
            assert_eq!(sheet.number(row, col), Some(change), "{} change", item.id);
            assert!(
                sheet.formula(row, col).contains('-'),
                "{}",
                sheet.formula(row, col)
            );
        }
        let rose_elsewhere = |k: usize| {
            (0..items.len()).any(|j| {
                j != i && {
                    let w = items[j].weight.unwrap();
                    score(j, w, k) > score(j, w, k - 1)
                }
            })
        };
        for k in 1..3 {
            let slip = if expected[k] < expected[k - 1] {
                "下降"
            } else if expected[k] == expected[k - 1] && expected[k] < weight && rose_elsewhere(k) {
                "未提升"
            } else {
                ""
            };
            if !slip.is_empty() {
                behind += 1;
            }
            if k == 2 {
                assert_eq!(sheet.text(row, state), slip, "{} state", item.id);
            }
        }
    }
    assert!(behind > 0, "the scores make some items fall behind");
    // The list under the table names each of them once.
    let heading = (0..sheet.height())
        .find(|&r| sheet.text(r, 0).starts_with("落后的项目"))
        .expect("the list of items that fell behind");
    let listed = (heading + 2..sheet.height())
        .take_while(|&r| !sheet.text(r, 0).is_empty())
        .count();
    assert_eq!(listed, behind);
}

#[test]
fn a_new_periods_workbooks_carry_the_last_accepted_values_but_not_the_score() {
    let c = campaign();
    run_ok(&c, &["period", "new", PERIODS[0]]);
    everyone_returns(&c, 0);
    run_ok(&c, &["validate"]);
    let started = run_ok(&c, &["period", "new", PERIODS[1]]);
    assert!(
        started.stdout.contains("已为 15 个部门填入其 2024-01 期"),
        "{}",
        started.stdout
    );
    let department = "大气科";
    let sheet = read_sheet(&period_file(&c, PERIODS[1], department), "填报表");
    for item in c.items(department) {
        let (row, col) = position(&c.cell(department, &item.id, "progress"));
        assert_eq!(sheet.text(row, col), progress_text(PERIODS[0], &item.id));
        let (row, col) = position(&c.cell(department, &item.id, "status"));
        assert_eq!(sheet.text(row, col), "已完成");
        let (row, col) = position(&c.cell(department, &item.id, "score"));
        assert_eq!(sheet.text(row, col), "", "the score is not carried");
    }
    // The round starts again at 1 in the new period.
    let config = std::fs::read_to_string(c.dir.join("tianbao.toml")).unwrap();
    assert!(config.contains("round = 1"), "{config}");
    // A name used already is refused, with what to do.
    let again = c.run(&["period", "new", PERIODS[0]]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("已经开始过"), "{}", again.stderr);
    let bad = c.run(&["period", "new", "2024/05"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("不能作期次名称"), "{}", bad.stderr);
}

#[test]
fn an_earlier_periods_return_in_the_inbox_is_refused_and_never_counted() {
    let c = campaign();
    run_ok(&c, &["period", "new", PERIODS[0]]);
    let department = "大气科";
    let old = filled(&c, 0, department);
    run_ok(&c, &["period", "new", PERIODS[1]]);
    put(&c, PERIODS[1], "大气科-一月.xlsx", &old);
    let run = c.run(&["validate", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let ret = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("大气科-一月.xlsx"))
        .unwrap();
    assert_eq!(ret["status"], "unrecognized");
    let finding = &ret["findings"][0];
    assert_eq!(finding["code"], "period_other");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("是 2024-01 期的填报表，本期是 2024-02 期"),
        "{message}"
    );
    let standing = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == department)
        .unwrap();
    assert_eq!(
        standing["status"], "missing",
        "an earlier period's return counted"
    );
    // With this period's return beside it, this period's is the one that counts.
    let new = filled(&c, 1, department);
    let current = put(&c, PERIODS[1], "大气科.xlsx", &new);
    let json = c.run(&["validate", "--json"]).json();
    let standing = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == department)
        .unwrap();
    assert_eq!(standing["status"], "valid");
    assert!(
        standing["file"]
            .as_str()
            .unwrap()
            .ends_with(current.file_name().unwrap().to_str().unwrap())
    );
}

#[test]
fn a_campaign_without_periods_works_as_before() {
    let c = campaign();
    run_ok(&c, &["generate"]);
    let config = std::fs::read_to_string(c.dir.join("tianbao.toml")).unwrap();
    assert!(!config.contains("period ="), "{config}");
    let department = "大气科";
    let issued = c.outbox_file(department);
    assert!(issued.is_file(), "workbooks go straight into outbox/");
    let identity = read_sheet(&issued, "_tianbao");
    assert!(
        (0..identity.height()).all(|r| identity.text(r, 0) != "period"),
        "a workbook without periods carries no period"
    );
    c.everyone_returns();
    run_ok(&c, &["validate"]);
    run_ok(&c, &["compile"]);
    let path = c.dir.join("out").join(format!("{}-汇总.xlsx", c.title));
    let book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    use calamine::Reader;
    assert!(!book.sheet_names().iter().any(|n| n == "历次进展"));
    let list = run_ok(&c, &["period", "list"]);
    assert!(list.stdout.contains("不分期"), "{}", list.stdout);
}

#[test]
fn a_workbook_of_a_campaign_without_periods_is_not_a_periods_return() {
    let c = campaign();
    run_ok(&c, &["generate"]);
    let department = "大气科";
    let before = c.filled(department);
    run_ok(&c, &["period", "new", PERIODS[0]]);
    put(&c, PERIODS[0], "大气科.xlsx", &before);
    let json = c.run(&["validate", "--json"]).json();
    let ret = &json["returns"][0];
    assert_eq!(ret["findings"][0]["code"], "period_other");
    assert!(
        ret["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("分期报送之前")
    );
}

#[test]
fn period_help_is_chinese_with_examples_and_english_with_lang() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["period", "--help"],
        vec!["period", "new", "--help"],
        vec!["help", "period"],
    ] {
        let run = common::tianbao(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains("用法：") && run.stdout.contains("示例："),
            "{}",
            run.stdout
        );
        assert!(!run.stdout.contains("Commands"), "{}", run.stdout);
    }
    let run = common::tianbao(dir.path(), &["--lang", "en", "period", "new", "--help"]);
    assert!(run.stdout.contains("Begin a new period"), "{}", run.stdout);
}

/// Issue 22, 1: `period new` edits tianbao.toml in place: every line the office added or
/// changed — comments, `as_of`, its own order — is still there afterwards, and only `period`
/// is new (with its comment). A regression test: the file used to be written afresh and lost
/// `as_of`.
#[test]
fn period_new_keeps_every_line_of_a_hand_edited_tianbao_toml() {
    let c = campaign();
    let path = c.dir.join("tianbao.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replacen(
        "\nround = ",
        "\n# 办公室：按 7 月底的进度算\nas_of = \"2024-07-31\"   # 不要删\nround = ",
        1,
    );
    text.push_str("\n# 最后一行是办公室自己写的备注\n");
    std::fs::write(&path, &text).unwrap();
    run_ok(&c, &["period", "new", "2024-08"]);
    let after = std::fs::read_to_string(&path).unwrap();
    for line in text.lines() {
        assert!(after.contains(line), "lost {line:?}:\n{after}");
    }
    let value: toml::Value = toml::from_str(&after).unwrap();
    assert_eq!(value["period"].as_str(), Some("2024-08"));
    assert_eq!(value["as_of"].as_str(), Some("2024-07-31"));
    let added: Vec<&str> = after.lines().filter(|l| !text.contains(*l)).collect();
    assert!(
        added
            .iter()
            .all(|l| l.starts_with('#') || l.starts_with("period") || l.is_empty()),
        "{added:?}"
    );
}

/// Issue 22, 3: each period its own deadline: without `--deadline` the last one moves on by
/// the periods' distance (and the office is told which it got), with it the period takes the
/// one given; the workbooks and tianbao.toml say the same.
#[test]
fn each_period_gets_its_own_deadline() {
    let c = campaign();
    let path = c.dir.join("tianbao.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen("\ndeadline = \"\"", "\ndeadline = \"2024年1月10日\"", 1);
    std::fs::write(&path, &text).unwrap();
    let deadline_of = |period: &str, department: &str| {
        let book = Xlsx::read(&std::fs::read(period_file(&c, period, department)).unwrap());
        book.part("xl/sharedStrings.xml")
    };
    let said = run_ok(&c, &["period", "new", "2024-01"]).stdout;
    assert!(said.contains("本期填报截止仍为：2024年1月10日"), "{said}");
    let said = run_ok(&c, &["period", "new", "2024-02"]).stdout;
    assert!(
        said.contains("本期填报截止：2024年2月10日（上期 2024-01 的截止时间顺延 1 个月"),
        "{said}"
    );
    assert!(deadline_of("2024-02", "水科").contains("填报截止：2024年2月10日"));
    let said = run_ok(
        &c,
        &["period", "new", "2024-03", "--deadline", "2024年3月8日"],
    )
    .stdout;
    assert!(said.contains("本期填报截止：2024年3月8日"), "{said}");
    assert!(deadline_of("2024-03", "水科").contains("填报截止：2024年3月8日"));
    let config: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(config["deadline"].as_str(), Some("2024年3月8日"));
}
