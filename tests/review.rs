//! The assessment group's review (`tianbao review`): the 核定表 written, filled by editing its
//! sheet XML (as another program would) or through LibreOffice, returned into review/, checked by
//! `validate`, and compiled into 考评表 (自评得分 | 核定得分 | 核定说明), 部门得分, 公示表 and
//! 扣分情况说明 — every figure recomputed here from what the departments and the reviewer
//! entered, independently of tianbao's results code; tampering, caps, missing reasons, stale
//! reviews and rounds.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::play::Campaign;
use common::sheet::{Sheet, read_sheet, recalculating_profile, zero_cached_values};
use common::xlsx::{Cell, Xlsx, s};
use common::{require_libreoffice, soffice_convert};
use rust_decimal::{Decimal, RoundingStrategy};

const REVIEW: &str = "核定表";
const ADJUST: &str = "加减分";
const TABLE: &str = "考评表";
const RESULTS: &str = "部门得分";
const PUBLICITY: &str = "公示表";
const EXPLAIN: &str = "扣分情况说明";

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn f64_of(d: Decimal) -> f64 {
    d.to_string().parse().unwrap()
}

/// The review workbook as written, with where its inputs are (found by their labels).
struct ReviewBook {
    path: PathBuf,
    /// 0-based row of each (item, department).
    rows: HashMap<(String, String), u32>,
    score_col: u32,
    note_col: u32,
    self_col: u32,
    /// 0-based row of each sign-off label.
    signoff: HashMap<String, u32>,
    /// The first 加减分 input row (0-based).
    adjust_first: u32,
}

/// The first column of `row` whose text starts with `label`.
fn col_starting(sheet: &Sheet, row: u32, label: &str) -> u32 {
    (0..sheet.width())
        .find(|&c| sheet.text(row, c).starts_with(label))
        .unwrap_or_else(|| panic!("no column {label} in row {row}"))
}

/// Runs `tianbao review` and opens what it wrote.
fn review_book(c: &Campaign) -> ReviewBook {
    let run = c.run(&["review"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let path = c.path(&format!("out/{}-核定表.xlsx", c.title));
    open_review(&path)
}

fn open_review(path: &Path) -> ReviewBook {
    let sheet = read_sheet(path, REVIEW);
    let header = (0..sheet.height())
        .find(|&r| (0..sheet.width()).any(|c| sheet.text(r, c) == "核定得分"))
        .expect("the review header");
    let id_col = col_starting(&sheet, header, "序号");
    let department_col = col_starting(&sheet, header, "部门");
    let mut rows = HashMap::new();
    let mut signoff = HashMap::new();
    for r in header + 1..sheet.height() {
        let first = sheet.text(r, 0);
        let label = first.trim_end_matches('*');
        if label == "审核人" || label == "审核日期" {
            signoff.insert(label.to_string(), r);
            continue;
        }
        let (id, department) = (sheet.text(r, id_col), sheet.text(r, department_col));
        if !id.is_empty() && !department.is_empty() {
            rows.insert((id, department), r);
        }
    }
    let adjust = read_sheet(path, ADJUST);
    let adjust_header = (0..adjust.height())
        .find(|&r| adjust.text(r, 4).starts_with("依据"))
        .expect("the 加减分 header");
    ReviewBook {
        path: path.to_path_buf(),
        score_col: col_starting(&sheet, header, "核定得分"),
        note_col: col_starting(&sheet, header, "核定说明"),
        self_col: col_starting(&sheet, header, "自评得分"),
        rows,
        signoff,
        adjust_first: adjust_header + 1,
    }
}

fn a1(row: u32, col: u32) -> String {
    tianbao::workbook::a1(row, col)
}

impl ReviewBook {
    fn row(&self, item: &str, department: &str) -> u32 {
        *self
            .rows
            .get(&(item.to_string(), department.to_string()))
            .unwrap_or_else(|| panic!("no review row for {item} of {department}"))
    }

    fn score_cell(&self, item: &str, department: &str) -> String {
        a1(self.row(item, department), self.score_col)
    }

    fn note_cell(&self, item: &str, department: &str) -> String {
        a1(self.row(item, department), self.note_col)
    }

    /// The cells a reviewer fills, as (sheet, cell, value) — for XML edits and LibreOffice.
    fn cells(&self, plan: &Plan) -> Vec<(&'static str, String, Cell)> {
        let mut cells = Vec::new();
        for change in &plan.changes {
            let (item, department) = (change.item.as_str(), change.department.as_str());
            cells.push((
                REVIEW,
                self.score_cell(item, department),
                Cell::Num(f64_of(change.score)),
            ));
            cells.push((REVIEW, self.note_cell(item, department), s(&change.note)));
        }
        for (n, entry) in plan.entries.iter().enumerate() {
            let row = self.adjust_first + n as u32;
            cells.push((ADJUST, a1(row, 1), s(&entry.department)));
            cells.push((ADJUST, a1(row, 2), s(&entry.category)));
            cells.push((ADJUST, a1(row, 3), Cell::Num(f64_of(entry.points))));
            cells.push((ADJUST, a1(row, 4), s(&entry.basis)));
        }
        cells.push((REVIEW, a1(self.signoff["审核人"], 2), s("李四")));
        cells.push((REVIEW, a1(self.signoff["审核日期"], 2), s("2024年1月20日")));
        cells
    }

    /// The review filled as `plan` says, by editing its XML.
    fn filled(&self, plan: &Plan) -> Xlsx {
        let mut book = Xlsx::read(&std::fs::read(&self.path).unwrap());
        for (sheet, cell, value) in self.cells(plan) {
            book.set(sheet, &cell, value);
        }
        book
    }
}

/// A 核定 change: the reviewer's score for one department's item, with the reason.
#[derive(Debug, Clone)]
struct Change {
    item: String,
    department: String,
    score: Decimal,
    note: String,
}

/// A 加减分 entry.
#[derive(Debug, Clone)]
struct Entry {
    department: String,
    category: String,
    points: Decimal,
    basis: String,
}

#[derive(Debug, Clone, Default)]
struct Plan {
    changes: Vec<Change>,
    entries: Vec<Entry>,
}

/// A campaign where every department returned (one with a self-deduction), and a review plan
/// with several 核定 changes (one on a shared item), a 加分 and two 扣分.
struct Scenario {
    c: Campaign,
    /// Each department's self-score per item.
    own: HashMap<(String, String), Decimal>,
    plan: Plan,
}

fn scenario() -> Scenario {
    let c = Campaign::new();
    let master = &c.master;
    let mut own = HashMap::new();
    for item in master.items() {
        for d in &item.departments {
            own.insert((item.id.clone(), d.clone()), item.weight.unwrap());
        }
    }
    // 办公室 deducts half a point on its first item itself.
    let office = "办公室";
    let first = master.items_of(office).next().unwrap().clone();
    let own_score = first.weight.unwrap() - dec("0.5");
    own.insert((first.id.clone(), office.into()), own_score);
    for d in master.departments() {
        let mut book = c.template(&d.name);
        let scores: Vec<(&str, f64)> = if d.name == office {
            vec![(first.id.as_str(), f64_of(own_score))]
        } else {
            Vec::new()
        };
        c.fill(&mut book, &d.name, &scores);
        c.put(&format!("{}.xlsx", d.name), &book);
    }
    let shared = master
        .items()
        .iter()
        .find(|i| i.departments.len() > 1)
        .expect("the sample has a shared item")
        .clone();
    let air = "大气科";
    let air_item = master.items_of(air).last().unwrap().clone();
    let changes = vec![
        Change {
            item: first.id.clone(),
            department: office.into(),
            score: own_score - dec("0.5"),
            note: "佐证材料不全，核减 0.5 分。".into(),
        },
        Change {
            item: air_item.id.clone(),
            department: air.into(),
            score: air_item.weight.unwrap() / dec("2"),
            note: "仅完成一半，按比例计分。".into(),
        },
        Change {
            item: shared.id.clone(),
            department: shared.departments[1].clone(),
            score: shared.weight.unwrap() - dec("0.25"),
            note: "配合工作有延误。".into(),
        },
    ];
    let entries = vec![
        Entry {
            department: air.into(),
            category: "加分".into(),
            points: dec("1.5"),
            basis: "获省级表彰（闽环发〔2023〕12号）。".into(),
        },
        Entry {
            department: "水科".into(),
            category: "业务扣分".into(),
            points: dec("2"),
            basis: "省级督察通报问题整改滞后。".into(),
        },
        Entry {
            department: office.into(),
            category: "公共扣分".into(),
            points: dec("0.5"),
            basis: "未按时报送信息一次。".into(),
        },
    ];
    let run = c.run(&["validate"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    Scenario {
        c,
        own,
        plan: Plan { changes, entries },
    }
}

/// One department's results, recomputed here.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    department: String,
    items: usize,
    weight: Decimal,
    own: Decimal,
    reviewed: Decimal,
    bonus: Decimal,
    business: Decimal,
    public: Decimal,
    actual: Decimal,
    rate: Decimal,
    rank: usize,
    grade: &'static str,
}

fn expected(sc: &Scenario) -> Vec<Expected> {
    let master = &sc.c.master;
    let mut out: Vec<Expected> = master
        .departments()
        .iter()
        .map(|d| {
            let items: Vec<_> = master.items_of(&d.name).collect();
            let weight: Decimal = items.iter().map(|i| i.weight.unwrap()).sum();
            let own_of = |id: &str| sc.own[&(id.to_string(), d.name.clone())];
            let reviewed_of = |id: &str| {
                sc.plan
                    .changes
                    .iter()
                    .find(|c| c.item == id && c.department == d.name)
                    .map_or_else(|| own_of(id), |c| c.score)
            };
            let own: Decimal = items.iter().map(|i| own_of(&i.id)).sum();
            let reviewed: Decimal = items.iter().map(|i| reviewed_of(&i.id)).sum();
            let sum = |category: &str| -> Decimal {
                sc.plan
                    .entries
                    .iter()
                    .filter(|e| e.department == d.name && e.category == category)
                    .map(|e| e.points)
                    .sum()
            };
            let (bonus, business, public) = (sum("加分"), sum("业务扣分"), sum("公共扣分"));
            let actual = reviewed + bonus - business - public;
            let rate =
                (actual / weight).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
            let grade = match rate * Decimal::ONE_HUNDRED {
                r if r >= dec("95") => "优秀",
                r if r >= dec("85") => "良好",
                r if r >= dec("60") => "合格",
                _ => "不合格",
            };
            Expected {
                department: d.name.clone(),
                items: items.len(),
                weight,
                own,
                reviewed,
                bonus,
                business,
                public,
                actual,
                rate,
                rank: 0,
                grade,
            }
        })
        .collect();
    let rates: Vec<Decimal> = out.iter().map(|e| e.rate).collect();
    for e in &mut out {
        e.rank = 1 + rates.iter().filter(|r| **r > e.rate).count();
    }
    out
}

/// Checks 部门得分 (master order) and 公示表 (by rank) against `expected`.
fn check_results(path: &Path, expected: &[Expected]) {
    let sheet = read_sheet(path, RESULTS);
    let header = (0..sheet.height())
        .find(|&r| sheet.text(r, 1) == "部门")
        .expect("the 部门得分 header");
    let col = |label: &str| sheet.col(header, label);
    let number = |r: u32, label: &str| sheet.number(r, col(label));
    for (n, e) in expected.iter().enumerate() {
        let r = header + 1 + n as u32;
        let at = format!("{RESULTS} row {}", r + 1);
        assert_eq!(sheet.text(r, 1), e.department, "{at}");
        assert_eq!(number(r, "项数"), Some(Decimal::from(e.items)), "{at}");
        assert_eq!(number(r, "权重合计"), Some(e.weight.normalize()), "{at}");
        assert_eq!(number(r, "自评得分合计"), Some(e.own.normalize()), "{at}");
        assert_eq!(number(r, "核定得分"), Some(e.reviewed.normalize()), "{at}");
        assert_eq!(number(r, "加分"), Some(e.bonus.normalize()), "{at}");
        assert_eq!(number(r, "业务扣分"), Some(e.business.normalize()), "{at}");
        assert_eq!(number(r, "公共扣分"), Some(e.public.normalize()), "{at}");
        assert_eq!(
            number(r, "扣分合计"),
            Some((e.business + e.public).normalize()),
            "{at}"
        );
        assert_eq!(number(r, "实际得分"), Some(e.actual.normalize()), "{at}");
        assert_eq!(number(r, "得分率"), Some(e.rate.normalize()), "{at}");
        assert_eq!(number(r, "排名"), Some(Decimal::from(e.rank)), "{at}");
        assert_eq!(sheet.text(r, col("等次")), e.grade, "{at}");
    }
    let publicity = read_sheet(path, PUBLICITY);
    let header = (0..publicity.height())
        .find(|&r| publicity.text(r, 1) == "单位名称")
        .expect("the 公示表 header");
    let col = |label: &str| publicity.col(header, label);
    let mut by_rank: Vec<&Expected> = expected.iter().collect();
    by_rank.sort_by_key(|e| e.rank);
    for (n, e) in by_rank.iter().enumerate() {
        let r = header + 1 + n as u32;
        let at = format!("{PUBLICITY} row {}", r + 1);
        let number = |label: &str| publicity.number(r, col(label));
        assert_eq!(publicity.text(r, col("单位名称")), e.department, "{at}");
        assert_eq!(number("满分"), Some(e.weight.normalize()), "{at}");
        assert_eq!(number("基础分"), Some(e.reviewed.normalize()), "{at}");
        assert_eq!(number("加分"), Some(e.bonus.normalize()), "{at}");
        assert_eq!(
            number("扣分"),
            Some((e.business + e.public).normalize()),
            "{at}"
        );
        assert_eq!(number("实际得分"), Some(e.actual.normalize()), "{at}");
        assert_eq!(number("排名"), Some(Decimal::from(e.rank)), "{at}");
    }
    assert!(
        publicity
            .text(header + 1 + by_rank.len() as u32, 1)
            .is_empty(),
        "no more units than departments"
    );
}

fn compiled_path(c: &Campaign) -> PathBuf {
    c.path(&format!("out/{}-汇总.xlsx", c.title))
}

fn validate_json(c: &Campaign) -> serde_json::Value {
    c.run(&["validate", "--json"]).json()
}

/// The review's findings (code, cell) from `validate --json`.
fn review_findings(json: &serde_json::Value) -> Vec<(String, String)> {
    json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "review")
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .map(|f| {
            let cell = match (f["sheet"].as_str(), f["cell"].as_str()) {
                (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
                (None, Some(cell)) => cell.to_string(),
                _ => String::new(),
            };
            (f["code"].as_str().unwrap_or("").to_string(), cell)
        })
        .collect()
}

#[test]
fn a_review_compiles_into_the_results_every_figure_recomputed() {
    let sc = scenario();
    let book = review_book(&sc.c);
    assert_eq!(
        book.rows.len(),
        sc.own.len(),
        "one row per item and department"
    );
    // The self-score each row shows is the department's.
    let sheet = read_sheet(&book.path, REVIEW);
    for ((item, department), own) in &sc.own {
        let row = book.row(item, department);
        assert_eq!(
            sheet.number(row, book.self_col),
            Some(own.normalize()),
            "{item} {department}"
        );
    }
    sc.c.put_review("核定表.xlsx", &book.filled(&sc.plan));
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "valid", "{}", json["review"]);
    assert_eq!(review_findings(&json), vec![]);
    let run = sc.c.run(&["compile"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("核定后总分"), "{}", run.stdout);
    let path = compiled_path(&sc.c);
    let expected = expected(&sc);
    check_results(&path, &expected);

    // 考评表: 自评得分 | 核定得分 | 核定说明, the item's score by the rule (min) over its
    // departments' reviewed scores; the total from the reviewed scores.
    let table = read_sheet(&path, TABLE);
    let header = (0..table.height())
        .find(|&r| (0..table.width()).any(|c| table.text(r, c) == "核定得分"))
        .unwrap();
    let (own_col, reviewed_col, note_col) = (
        table.col(header, "自评得分"),
        table.col(header, "核定得分"),
        table.col(header, "核定说明"),
    );
    assert_eq!((reviewed_col, note_col), (own_col + 1, own_col + 2));
    let id_col = (0..header + 3)
        .flat_map(|r| (0..own_col).map(move |c| (r, c)))
        .find(|&(r, c)| table.text(r, c) == "序号")
        .map(|(_, c)| c)
        .expect("the 序号 column");
    let master = &sc.c.master;
    let mut reviewed_total = Decimal::ZERO;
    for item in master.items() {
        let reviewed = item
            .departments
            .iter()
            .map(|d| {
                sc.plan
                    .changes
                    .iter()
                    .find(|c| c.item == item.id && c.department == *d)
                    .map_or_else(|| sc.own[&(item.id.clone(), d.clone())], |c| c.score)
            })
            .min()
            .unwrap();
        reviewed_total += reviewed;
        let row = (header + 1..table.height())
            .find(|&r| table.text(r, id_col) == item.id)
            .unwrap_or_else(|| panic!("no row for {}", item.id));
        assert_eq!(
            table.number(row, reviewed_col),
            Some(reviewed.normalize()),
            "{}",
            item.id
        );
        for change in sc.plan.changes.iter().filter(|c| c.item == item.id) {
            assert!(
                table.text(row, note_col).contains(&change.note),
                "{}: {}",
                item.id,
                table.text(row, note_col)
            );
        }
    }
    // The sample's grand total row.
    let total_row = (header + 1..table.height())
        .find(|&r| table.text(r, 0) == "绩效目标考评得分")
        .expect("the total row");
    assert_eq!(
        table.number(total_row, reviewed_col),
        Some(reviewed_total.normalize())
    );

    // 扣分情况说明: each change and entry with its reason and signed points.
    let explain = read_sheet(&path, EXPLAIN);
    let texts: Vec<String> = (0..explain.height())
        .map(|r| {
            (0..explain.width())
                .map(|c| explain.text(r, c))
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    for change in &sc.plan.changes {
        let own = sc.own[&(change.item.clone(), change.department.clone())];
        let line = texts
            .iter()
            .find(|t| t.contains(&change.note))
            .unwrap_or_else(|| panic!("{} not explained:\n{}", change.note, texts.join("\n")));
        assert!(line.contains(&change.department), "{line}");
        assert!(line.contains("核定调整"), "{line}");
        let delta = (change.score - own).normalize().to_string();
        assert!(line.contains(&format!("|{delta}|")), "{delta} in {line}");
    }
    for entry in &sc.plan.entries {
        let line = texts
            .iter()
            .find(|t| t.contains(&entry.basis))
            .unwrap_or_else(|| panic!("{} not explained", entry.basis));
        let signed = if entry.category == "加分" {
            entry.points
        } else {
            -entry.points
        };
        assert!(line.contains(&entry.category), "{line}");
        assert!(
            line.contains(&format!("|{}|", signed.normalize())),
            "{signed} in {line}"
        );
    }
    let entries = texts
        .iter()
        .filter(|t| {
            t.split('|')
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .count();
    assert_eq!(entries, sc.plan.changes.len() + sc.plan.entries.len());
}

#[test]
fn ranks_are_shared_by_equal_rates_and_the_next_skips() {
    let sc = scenario();
    let expected = expected(&sc);
    // 大气科 is first with its bonus; the untouched departments all have 100 %: they share
    // rank 2, and the next rank skips past them.
    let first: Vec<_> = expected.iter().filter(|e| e.rank == 1).collect();
    assert_eq!(first.len(), 1, "{expected:?}");
    assert_eq!(first[0].department, "大气科");
    let shared = expected.iter().filter(|e| e.rank == 2).count();
    assert!(shared > 1, "{expected:?}");
    let next = expected
        .iter()
        .map(|e| e.rank)
        .filter(|&r| r > 2)
        .min()
        .unwrap();
    assert_eq!(next, 2 + shared);
    let book = review_book(&sc.c);
    sc.c.put_review("核定表.xlsx", &book.filled(&sc.plan));
    sc.c.run(&["validate"]);
    let run = sc.c.run(&["compile"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    check_results(&compiled_path(&sc.c), &expected);
}

#[test]
fn a_category_over_its_cap_is_an_error_and_compile_refuses() {
    let mut sc = scenario();
    // 业务扣分 is capped at 10 per department: 6 + 5 is over.
    for points in ["6", "5"] {
        sc.plan.entries.push(Entry {
            department: "土壤科".into(),
            category: "业务扣分".into(),
            points: dec(points),
            basis: "督察问题。".into(),
        });
    }
    let book = review_book(&sc.c);
    sc.c.put_review("核定表.xlsx", &book.filled(&sc.plan));
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "invalid");
    let findings = review_findings(&json);
    let over: Vec<_> = findings
        .iter()
        .filter(|(code, _)| code == "adjust_over_cap")
        .collect();
    assert_eq!(over.len(), 1, "{findings:?}");
    // The entry that goes over is named: the fifth row of entries.
    assert_eq!(over[0].1, format!("{ADJUST}!D{}", book.adjust_first + 5));
    let run = sc.c.run(&["compile"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("核定表"), "{}", run.stderr);
}

#[test]
fn a_changed_score_without_a_reason_and_one_over_the_weight_are_errors() {
    let mut sc = scenario();
    let change = sc.plan.changes[0].clone();
    sc.plan.changes[0].note = String::new();
    let book = review_book(&sc.c);
    let mut filled = book.filled(&sc.plan);
    let second = &sc.plan.changes[1];
    filled.set(
        REVIEW,
        &book.score_cell(&second.item, &second.department),
        Cell::Num(99.0),
    );
    sc.c.put_review("核定表.xlsx", &filled);
    let findings = review_findings(&validate_json(&sc.c));
    assert!(
        findings.contains(&(
            "review_reason_missing".into(),
            format!(
                "{REVIEW}!{}",
                book.note_cell(&change.item, &change.department)
            )
        )),
        "{findings:?}"
    );
    assert!(
        findings.contains(&(
            "out_of_range".into(),
            format!(
                "{REVIEW}!{}",
                book.score_cell(&second.item, &second.department)
            )
        )),
        "{findings:?}"
    );
}

#[test]
fn a_tampered_review_is_refused_like_any_tampered_return() {
    let sc = scenario();
    let book = review_book(&sc.c);
    let (item, department) = (&sc.plan.changes[0].item, &sc.plan.changes[0].department);
    let row = book.row(item, department);

    // The self-score shown, raised in the review (a locked cell): refused with the cell.
    let mut raised = book.filled(&sc.plan);
    raised.set(REVIEW, &a1(row, book.self_col), Cell::Num(2.0));
    sc.c.put_review("核定表.xlsx", &raised);
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "invalid");
    let findings = review_findings(&json);
    assert!(
        findings.contains(&(
            "locked_cell_changed".into(),
            format!("{REVIEW}!{}", a1(row, book.self_col))
        )),
        "{findings:?}"
    );
    assert_eq!(sc.c.run(&["compile"]).code, 1);

    // A forged identity: the self-score raised both in the cell and in the texts the identity
    // carries for the row. The signature covers them: it fails.
    let identity = read_sheet(&book.path, "_tianbao");
    let (r, c) = (0..identity.height())
        .flat_map(|r| (0..identity.width()).map(move |c| (r, c)))
        .find(|&(r, c)| {
            identity.text(r, c).starts_with('[')
                && identity.text(r, 0) == *item
                && identity.text(r, 3) == *department
        })
        .expect("the row's texts in the identity");
    let texts = identity.text(r, c);
    let own = sc.own[&(item.clone(), department.clone())]
        .normalize()
        .to_string();
    let raised_texts = texts.replacen(&format!("\"{own}\""), "\"2\"", 1);
    assert_ne!(raised_texts, texts);
    let mut forged = book.filled(&sc.plan);
    forged.set(REVIEW, &a1(row, book.self_col), Cell::Num(2.0));
    forged.set("_tianbao", &a1(r, c), s(&raised_texts));
    let forged_bytes = forged.to_bytes();
    std::fs::remove_file(sc.c.path("review/核定表.xlsx")).unwrap();
    sc.c.put_review_bytes("核定表.xlsx", &forged_bytes);
    let run = sc.c.run(&["validate", "--json"]);
    let json = run.json();
    let codes: Vec<String> = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains("核定表"))
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes
            .iter()
            .any(|c| c == "signature_invalid" || c == "identity_garbled"),
        "{codes:?}"
    );
    assert!(json["review"].is_null(), "{}", json["review"]);
}

#[test]
fn a_department_workbook_cannot_pass_as_the_review_nor_the_review_as_a_department() {
    let sc = scenario();
    let book = review_book(&sc.c);
    // The review's identity claims to be a department's: the kind is signed.
    let mut claimed = book.filled(&sc.plan);
    claimed.replace("xl/sharedStrings.xml", "<t>review</t>", "<t>return</t>");
    claimed.replace("docProps/custom.xml", ">review<", ">return<");
    sc.c.put_review("核定表.xlsx", &claimed);
    let json = validate_json(&sc.c);
    assert!(json["review"].is_null(), "{}", json["review"]);
    let ret = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().contains("核定表"))
        .unwrap()
        .clone();
    assert_ne!(ret["status"], "valid", "{ret}");
    // Every department still counts with its own return.
    let valid = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "valid")
        .count();
    assert_eq!(valid, sc.c.master.departments().len());
}

#[test]
fn a_department_returning_again_makes_the_review_stale_and_the_next_round_carries_it_over() {
    let sc = scenario();
    let book = review_book(&sc.c);
    sc.c.put_review("核定表.xlsx", &book.filled(&sc.plan));
    assert_eq!(validate_json(&sc.c)["review"]["status"], "valid");

    // 水科 sends a corrected workbook with another self-score after the review was made.
    let water = "水科";
    let item = sc.c.items(water)[0].clone();
    let mut book2 = sc.c.template(water);
    let lower = f64_of(item.weight.unwrap() - dec("1"));
    sc.c.fill(&mut book2, water, &[(item.id.as_str(), lower)]);
    let corrected = sc.c.put("水科-改.xlsx", &book2);
    // Another return of the same round replaces a valid one only when the office accepts it.
    let run =
        sc.c.run(&["validate", "--accept", corrected.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "invalid", "{}", json["review"]);
    let findings = review_findings(&json);
    assert!(
        findings.iter().any(|(code, _)| code == "review_stale"),
        "{findings:?}"
    );
    assert_eq!(sc.c.run(&["compile"]).code, 1);

    // The next round: what was entered carried over, the changed row marked.
    let run = sc.c.run(&["review"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("第 2 轮"), "{}", run.stdout);
    assert!(run.stdout.contains("核定 3 行"), "{}", run.stdout);
    assert!(run.stdout.contains("加减分 3 项"), "{}", run.stdout);
    assert!(run.stdout.contains("1 行有变化"), "{}", run.stdout);
    let next = open_review(&sc.c.path(&format!("out/{}-核定表.xlsx", sc.c.title)));
    let sheet = read_sheet(&next.path, REVIEW);
    for change in &sc.plan.changes {
        let row = next.row(&change.item, &change.department);
        assert_eq!(
            sheet.number(row, next.score_col),
            Some(change.score.normalize())
        );
        assert_eq!(sheet.text(row, next.note_col), change.note);
    }
    let row = next.row(&item.id, water);
    assert_eq!(
        sheet.number(row, next.self_col),
        Some((item.weight.unwrap() - dec("1")).normalize())
    );
    let adjust = read_sheet(&next.path, ADJUST);
    for (n, entry) in sc.plan.entries.iter().enumerate() {
        let r = next.adjust_first + n as u32;
        assert_eq!(adjust.text(r, 1), entry.department);
        assert_eq!(adjust.number(r, 3), Some(entry.points.normalize()));
        assert_eq!(adjust.text(r, 4), entry.basis);
    }
    // Returned as it is, the second round is valid and replaces the first.
    std::fs::copy(&next.path, sc.c.path("review/核定表-第2轮.xlsx")).unwrap();
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "valid", "{}", json["review"]);
    assert_eq!(json["review"]["round"], 2);
    assert_eq!(sc.c.run(&["compile"]).code, 0);
}

#[test]
fn a_same_round_copy_with_other_content_waits_for_acceptance() {
    let sc = scenario();
    let book = review_book(&sc.c);
    sc.c.put_review("核定表.xlsx", &book.filled(&sc.plan));
    assert_eq!(validate_json(&sc.c)["review"]["status"], "valid");
    let mut other = sc.plan.clone();
    other.changes[0].score -= dec("0.5");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let path = sc.c.put_review("核定表-另一份.xlsx", &book.filled(&other));
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "invalid", "{}", json["review"]);
    assert!(
        review_findings(&json)
            .iter()
            .any(|(code, _)| code == "replacement_unconfirmed"),
        "{:?}",
        review_findings(&json)
    );
    let run = sc.c.run(&["validate", "--accept", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(sc.c.run(&["compile"]).code, 0);
}

#[test]
fn status_and_validate_show_the_review_in_the_offices_words() {
    let sc = scenario();
    let book = review_book(&sc.c);
    sc.c.put_review("核定表.xlsx", &book.filled(&sc.plan));
    let run = sc.c.run(&["status"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let line = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("核定表"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.contains('✓') && line.contains("第 1 轮"), "{line}");
}

/// Fills the review through LibreOffice (typed into its cells, saved as .xlsx), validates and
/// compiles it, and lets LibreOffice recalculate the compiled results from zeroed caches.
#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn a_review_filled_in_libreoffice_compiles_and_libreoffice_recalculates_the_same_results() {
    require_libreoffice();
    let sc = scenario();
    let book = review_book(&sc.c);
    let mut cells = serde_json::Map::new();
    for (sheet, cell, value) in book.cells(&sc.plan) {
        let value = match value {
            Cell::Num(n) => serde_json::json!(n),
            Cell::Str(t) => serde_json::json!(t),
            other => panic!("{other:?}"),
        };
        cells.insert(format!("{sheet}!{cell}"), value);
    }
    let out_base = sc.c.tmp.path().join("lo-review");
    let status = std::process::Command::new("/usr/bin/python3")
        .arg(common::repo().join("tests/scripts/lo_fill.py"))
        .arg(&book.path)
        .arg(&out_base)
        .arg(serde_json::Value::Object(cells).to_string())
        .env("HOME", sc.c.tmp.path())
        .output()
        .expect("python3 with uno");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for ext in ["xlsx", "ods"] {
        for old in ["核定表.xlsx", "核定表.ods"] {
            let _ = std::fs::remove_file(sc.c.path(&format!("review/{old}")));
        }
        std::fs::copy(
            out_base.with_extension(ext),
            sc.c.path(&format!("review/核定表.{ext}")),
        )
        .unwrap();
        let json = validate_json(&sc.c);
        assert_eq!(
            json["review"]["status"], "valid",
            "{ext}: {}",
            json["review"]
        );
        assert_eq!(review_findings(&json), vec![], "{ext}");
        let run = sc.c.run(&["compile"]);
        assert_eq!(run.code, 0, "{ext}: {}", run.stderr);
        check_results(&compiled_path(&sc.c), &expected(&sc));
    }
    let work = tempfile::tempdir().unwrap();
    let zeroed = work.path().join("zeroed.xlsx");
    zero_cached_values(&compiled_path(&sc.c), &zeroed);
    let out_dir = work.path().join("lo");
    recalculating_profile(&out_dir);
    let converted = soffice_convert(&zeroed, "xlsx", &out_dir);
    check_results(&converted, &expected(&sc));
}

/// The review's findings (code, sheet!cell) of the returns whose path contains `part`.
fn findings_of(json: &serde_json::Value, part: &str) -> Vec<(String, String)> {
    json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains(part))
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .map(|f| {
            let place = format!(
                "{}!{}",
                f["sheet"].as_str().unwrap_or(""),
                f["cell"].as_str().unwrap_or("")
            );
            (f["code"].as_str().unwrap().to_string(), place)
        })
        .collect()
}

/// 水科 sends its own return with a filled 核定表 (+5 for itself, −10 for a rival), loose in
/// its folder and inside its zip: neither counts, both are named with where they lie, compile
/// has no review; the same workbook put in review/ by the office counts.
#[test]
fn a_review_from_a_department_folder_or_zip_never_counts() {
    let mut sc = scenario();
    sc.plan.entries = vec![
        Entry {
            department: "水科".into(),
            category: "加分".into(),
            points: dec("5"),
            basis: "自己给自己加分。".into(),
        },
        Entry {
            department: "大气科".into(),
            category: "业务扣分".into(),
            points: dec("10"),
            basis: "给对手扣分。".into(),
        },
    ];
    let book = review_book(&sc.c);
    let forged = book.filled(&sc.plan).to_bytes();
    std::fs::remove_file(sc.c.path("inbox/水科.xlsx")).unwrap();
    let own = sc.c.filled("水科").to_bytes();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in [("水科.xlsx", &own), ("核定表.xlsx", &forged)] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    }
    sc.c.put_bytes("水科/水科.zip", &zip.finish().unwrap().into_inner());
    sc.c.put_bytes("水科/核定表.xlsx", &forged);
    let json = validate_json(&sc.c);
    assert!(json["review"].is_null(), "{}", json["review"]);
    for place in ["水科.zip!核定表.xlsx", "水科/核定表.xlsx"] {
        let codes: Vec<String> = findings_of(&json, place)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(codes, ["review_misplaced"], "{place}");
    }
    let status = sc.c.run(&["status"]);
    assert!(
        status.stdout.contains("核定表（共 2 份"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("不采用")
            && status.stdout.contains("inbox/水科/水科.zip!核定表.xlsx"),
        "{}",
        status.stdout
    );
    let run = sc.c.run(&["compile"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("核定后总分"), "{}", run.stdout);

    // From review/, where the office puts it, it counts, and status says which one does.
    sc.c.put_review_bytes("核定表.xlsx", &forged);
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "valid", "{}", json["review"]);
    let file = json["review"]["file"].as_str().unwrap();
    assert!(file.ends_with("/review/核定表.xlsx"), "{file}");
    let status = sc.c.run(&["status", "--json"]).json();
    let reviews = status["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 3, "{reviews:?}");
    let counted: Vec<&str> = reviews
        .iter()
        .filter(|r| r["counted"] == true)
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(counted.len(), 1, "{counted:?}");
    assert!(counted[0].ends_with("/review/核定表.xlsx"), "{counted:?}");
}

/// A campaign in periods: 2024-05 reviewed with a bonus; that 核定表 copied into 2024-06's
/// review folder is of another period and never counts, its bonus not applied again.
#[test]
fn last_periods_review_never_counts_again() {
    let c = Campaign::new();
    let returns = |period: &str| {
        let run = c.run(&["period", "new", period]);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        for d in c.master.departments() {
            let issued = c
                .path(&format!("outbox/{period}"))
                .join(tianbao::template::file_name(&c.title, &d.name));
            let mut book = common::xlsx::Xlsx::read(&std::fs::read(issued).unwrap());
            c.fill(&mut book, &d.name, &[]);
            let path = c.path(&format!("inbox/{period}/{}.xlsx", d.name));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, book.to_bytes()).unwrap();
        }
    };
    returns("2024-05");
    let run = c.run(&["review"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("review/2024-05/"), "{}", run.stdout);
    let book = open_review(&c.path(&format!("out/2024-05/{}-核定表.xlsx", c.title)));
    let plan = Plan {
        changes: Vec::new(),
        entries: vec![Entry {
            department: "水科".into(),
            category: "加分".into(),
            points: dec("2"),
            basis: "获省级表彰。".into(),
        }],
    };
    let may = book.filled(&plan).to_bytes();
    let put = |rel: &str| {
        let path = c.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &may).unwrap();
    };
    put("review/2024-05/核定表.xlsx");
    let json = validate_json(&c);
    assert_eq!(json["review"]["status"], "valid", "{}", json["review"]);

    returns("2024-06");
    put("review/2024-06/核定表.xlsx");
    let json = validate_json(&c);
    assert!(json["review"].is_null(), "{}", json["review"]);
    let codes: Vec<String> = findings_of(&json, "核定表.xlsx")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(codes, ["period_other"]);
    let message = json["returns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .find(|f| f["code"] == "period_other")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("2024-05 期") && message.contains("2024-06 期"),
        "{message}"
    );
    let run = c.run(&["compile"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("核定后总分"), "{}", run.stdout);
}

/// Values a reviewer (or someone posing as one) enters where they would be dropped: 1e30 as a
/// 核定得分 and as a 加减分, a changed score in a hidden row, a bonus far below the table, a
/// deduction on a second sheet — each an error naming its cell; none counts.
#[test]
fn review_values_outside_the_range_or_the_table_are_errors_naming_the_cell() {
    let sc = scenario();
    let book = review_book(&sc.c);
    let first = &sc.plan.changes[0];
    let second = &sc.plan.changes[1];
    let mut filled = book.filled(&sc.plan);
    // 1e30 as a reviewed score.
    let huge_cell = book.score_cell(&first.item, &first.department);
    filled.set(REVIEW, &huge_cell, Cell::Num(1e30));
    // A changed score in a hidden row.
    let hidden_row = book.row(&second.item, &second.department);
    filled.hide_row(REVIEW, hidden_row + 1);
    // A deduction in a hidden row of 加减分 (the second entry).
    filled.hide_row(ADJUST, book.adjust_first + 2);
    // 1e30 as the first entry's points.
    let points_cell = a1(book.adjust_first, 3);
    filled.set(ADJUST, &points_cell, Cell::Num(1e30));
    // A bonus at row 5000, far below the table.
    for (col, value) in [
        (0, Cell::Num(4999.0)),
        (1, s("水科")),
        (2, s("加分")),
        (3, Cell::Num(3.0)),
        (4, s("表外加分。")),
    ] {
        filled.set(ADJUST, &a1(4999, col), value);
    }
    // A deduction on a second sheet 加减分(续).
    filled.copy_sheet(ADJUST, "加减分(续)");
    filled.set("加减分(续)", &a1(book.adjust_first + 1, 1), s("大气科"));
    filled.set("加减分(续)", &a1(book.adjust_first + 1, 3), Cell::Num(9.0));
    sc.c.put_review("核定表.xlsx", &filled);
    let json = validate_json(&sc.c);
    assert_eq!(json["review"]["status"], "invalid", "{}", json["review"]);
    let findings = review_findings(&json);
    let has = |code: &str, place: &str| findings.contains(&(code.to_string(), place.to_string()));
    assert!(
        has("out_of_range", &format!("{REVIEW}!{huge_cell}")),
        "{findings:?}"
    );
    assert!(
        has("out_of_range", &format!("{ADJUST}!{points_cell}")),
        "{findings:?}"
    );
    assert!(
        has(
            "item_hidden",
            &format!(
                "{REVIEW}!{}",
                book.score_cell(&second.item, &second.department)
            )
        ),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|(code, place)| code == "entry_outside"
            && place.starts_with(&format!("{ADJUST}!"))
            && place.ends_with("5000")),
        "{findings:?}"
    );
    assert!(
        findings
            .iter()
            .any(|(code, place)| code == "sheet_unexpected" && place.starts_with("加减分(续)!")),
        "{findings:?}"
    );
    assert!(
        has(
            "item_hidden",
            &format!("{ADJUST}!{}", a1(book.adjust_first + 1, 1))
        ),
        "{findings:?}"
    );
    assert_eq!(sc.c.run(&["compile"]).code, 1);
}
