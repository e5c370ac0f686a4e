//! `tianbao compile`: a campaign whose departments all returned (their workbooks filled by
//! editing the sheet XML, as another program would), compiled and read back with calamine:
//! every item score by the rule, every total's cached value, the merges against the master's,
//! the provenance rows; refusal and `--allow-incomplete`; LibreOffice's recalculation (interop).

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use calamine::Dimensions;
use common::sheet::{Sheet, read_sheet, recalculating_profile, zero_cached_values};
use common::*;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use tianbao::campaign::Campaign;
use tianbao::identity::Identity;
use tianbao::model::Master;
use tianbao::workbook;
use tianbao_kit::source::Layout;

const TABLE: &str = "考评表";
const DETAIL: &str = "部门明细";
const RETURNS: &str = "填报情况";
const OVERVIEW: &str = "得分概览";
/// The evidence file 水科 sends with its first item.
const EVIDENCE: &str = "监测报告.pdf";

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The score department `d` gives item `i` (both by master index): a share of the weight that
/// differs between the departments of a shared item, with at most 2 decimals.
fn score_for(d: usize, i: usize, weight: Decimal) -> Decimal {
    let shares = ["1", "0.5", "0.8", "0.9", "0.75"];
    (weight * dec(shares[(d + i) % shares.len()]))
        .round_dp(2)
        .normalize()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

enum Fill {
    Num(Decimal),
    Text(String),
}

/// The workbook at `path` with the blank cells named in `cells` (A1 → value) filled on its first
/// sheet, by editing `xl/worksheets/sheet1.xml` (`<c r="I4" s="7"/>` → a number or inline text).
fn fill_xlsx(path: &Path, cells: &BTreeMap<String, Fill>) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::from_utf8(data).unwrap();
            for (cell, fill) in cells {
                let open = format!("<c r=\"{cell}\" s=\"");
                let start = xml
                    .find(&open)
                    .unwrap_or_else(|| panic!("{}: no blank cell {cell}", path.display()));
                let end = start + xml[start..].find("/>").unwrap() + 2;
                let tag = &xml[start..end];
                assert!(
                    !tag.contains('>') || tag.ends_with("/>"),
                    "{cell} is not blank"
                );
                let style = &tag[open.len()..tag.len() - 3];
                let replacement = match fill {
                    Fill::Num(n) => format!("<c r=\"{cell}\" s=\"{style}\"><v>{n}</v></c>"),
                    Fill::Text(t) => format!(
                        "<c r=\"{cell}\" s=\"{style}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                        xml_escape(t)
                    ),
                };
                xml.replace_range(start..end, &replacement);
            }
            data = xml.into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A campaign whose departments (all but `skip`) returned their filled workbooks into inbox/.
struct Filled {
    _dir: tempfile::TempDir,
    campaign: PathBuf,
    master: Master,
    /// (department, item) → the score it entered.
    scores: HashMap<(String, String), Decimal>,
    /// (department, item) → the A1 cell of that score on 填报表.
    cells: HashMap<(String, String), String>,
}

fn filled_campaign(master_file: &Path, skip: &[&str]) -> Filled {
    let dir = tempfile::tempdir().unwrap();
    let run = tianbao(
        dir.path(),
        &["init", "c", "--master", master_file.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let c = dir.path().join("c");
    let run = tianbao(&c, &["generate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let campaign = Campaign::open(&c).unwrap();
    let master = campaign
        .read_master(&campaign.spec().unwrap())
        .unwrap()
        .master;
    let mut scores = HashMap::new();
    let mut cells = HashMap::new();
    for path in workbooks_in(&c.join("outbox")) {
        let book = workbook::open(&path).unwrap();
        let department = Identity::read(&book).unwrap().unwrap().department;
        if skip.contains(&department.as_str()) {
            continue;
        }
        let d = master
            .departments()
            .iter()
            .position(|x| x.name == department)
            .unwrap();
        let grid = &book.sheets[0].grid;
        let col_of = |label: &str| {
            (0..grid.width())
                .find(|&c| grid.raw(2, c).to_text().starts_with(label))
                .unwrap_or_else(|| panic!("no column {label}"))
        };
        let (score_col, status_col, progress_col, deduction_col, evidence_col) = (
            col_of("自评得分"),
            col_of("完成情况"),
            col_of("工作进展及成效"),
            col_of("扣分原因"),
            col_of("佐证材料"),
        );
        let a1 = tianbao::workbook::a1;
        let mut fill = BTreeMap::new();
        let mut first = true;
        for row in 3..grid.height() {
            let id = grid.raw(row, 0).to_text();
            let Some(i) = master.items().iter().position(|item| item.id == id) else {
                continue;
            };
            let item = &master.items()[i];
            let score = score_for(d, i, item.weight.unwrap());
            fill.insert(a1(row, score_col), Fill::Num(score));
            fill.insert(a1(row, status_col), Fill::Text("已完成".into()));
            fill.insert(
                a1(row, progress_col),
                Fill::Text(format!("{department}已推进{id}的工作。")),
            );
            if score < item.weight.unwrap() {
                fill.insert(
                    a1(row, deduction_col),
                    Fill::Text(format!("{department}扣{id}")),
                );
            }
            if first && department == "水科" {
                fill.insert(a1(row, evidence_col), Fill::Text(EVIDENCE.into()));
            }
            first = false;
            scores.insert((department.clone(), id.clone()), score);
            cells.insert((department.clone(), id), a1(row, score_col));
        }
        for row in 3..grid.height() {
            let label = grid.raw(row, 0).to_text().replace('*', "");
            let value_col = (1..grid.width())
                .find(|&c| grid.origin(row, c) == (row, c))
                .unwrap();
            let value = match label.as_str() {
                "填报人" => format!("{department}填报人"),
                "联系电话" => "13800000000".to_string(),
                _ => continue,
            };
            fill.insert(a1(row, value_col), Fill::Text(value));
        }
        let name = path.file_name().unwrap();
        std::fs::write(c.join("inbox").join(name), fill_xlsx(&path, &fill)).unwrap();
        if department == "水科" {
            std::fs::write(c.join("inbox").join(EVIDENCE), b"%PDF-1.4 monitoring").unwrap();
        }
    }
    Filled {
        _dir: dir,
        campaign: c,
        master,
        scores,
        cells,
    }
}

/// The item scores the rule gives, recomputed here from what the departments entered.
fn expected_scores(filled: &Filled, rule: &str) -> BTreeMap<String, Option<Decimal>> {
    filled
        .master
        .items()
        .iter()
        .map(|item| {
            let parts: Vec<Option<Decimal>> = item
                .departments
                .iter()
                .map(|d| filled.scores.get(&(d.clone(), item.id.clone())).copied())
                .collect();
            let score = match rule {
                "lead" => parts[0],
                _ if parts.iter().any(Option::is_none) => None,
                "min" => parts.iter().flatten().min().copied(),
                "mean" => {
                    let sum: Decimal = parts.iter().flatten().sum();
                    let mean = sum / Decimal::from(parts.len());
                    Some(
                        mean.round_dp_with_strategy(
                            4,
                            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                        )
                        .normalize(),
                    )
                }
                _ => unreachable!(),
            };
            (item.id.clone(), score.map(|s| s.normalize()))
        })
        .collect()
}

/// `validate`, then `compile ARGS` (compile uses what validate checked).
fn compile(c: &Path, args: &[&str]) -> (Run, PathBuf) {
    let validate = tianbao(c, &["validate"]);
    assert!(validate.code <= 1, "validate: {}", validate.stderr);
    let mut all = vec!["compile"];
    all.extend(args);
    let run = tianbao(c, &all);
    let path = c
        .join("out")
        .join("泉州市生态环境局2023年度绩效目标考评表-汇总.xlsx");
    let path = match args.iter().position(|a| *a == "--out") {
        Some(i) => c.join(args[i + 1]),
        None => path,
    };
    (run, path)
}

/// (row, item id) of every item row of the compiled 考评表, by its 序号 column.
fn item_rows(sheet: &Sheet, master: &Master) -> Vec<(u32, String)> {
    let id_col = sheet.col(2, "序号");
    (0..sheet.height())
        .filter_map(|r| {
            let id = sheet.text(r, id_col);
            master.item(&id).map(|_| (r, id))
        })
        .collect()
}

/// (row, label) of the 合计 and total rows.
fn total_rows(sheet: &Sheet) -> Vec<(u32, String)> {
    (0..sheet.height())
        .filter_map(|r| {
            let label = sheet.text(r, 0);
            (label.starts_with("合计") || label.starts_with("绩效目标考评得分"))
                .then_some((r, label))
        })
        .collect()
}

/// Checks every item score and every total's cached value against `expected`.
fn check_scores(sheet: &Sheet, filled: &Filled, expected: &BTreeMap<String, Option<Decimal>>) {
    let score_col = sheet.col(1, "自评得分");
    let items = item_rows(sheet, &filled.master);
    assert_eq!(
        items.len(),
        filled.master.items().len(),
        "every item has its row"
    );
    for (row, id) in &items {
        assert_eq!(
            sheet.number(*row, score_col),
            expected[id],
            "score of {id} in row {}",
            row + 1
        );
    }
    // Totals: each 合计 adds the items since the previous total row; the grand total all.
    let mut since = Decimal::ZERO;
    let mut all = Decimal::ZERO;
    let mut previous = 0;
    let totals = total_rows(sheet);
    assert_eq!(totals.len(), 3, "two 合计 rows and the total");
    for (row, label) in &totals {
        let items_above: Decimal = items
            .iter()
            .filter(|(r, _)| (previous..*row).contains(r))
            .filter_map(|(_, id)| expected[id])
            .sum();
        since += items_above;
        all += items_above;
        let expected_value = if label.starts_with("合计") {
            since
        } else {
            all
        };
        assert_eq!(
            sheet.number(*row, score_col),
            Some(expected_value.normalize()),
            "cached value of {label} in row {}",
            row + 1
        );
        assert!(
            sheet.formula(*row, score_col).starts_with("SUM("),
            "{label} is a formula: {:?}",
            sheet.formula(*row, score_col)
        );
        since = Decimal::ZERO;
        previous = *row;
    }
}

/// The texts of a row, as a key to find the same row in another sheet.
fn row_key(sheet: &Sheet, row: u32, width: u32) -> String {
    (0..width)
        .map(|c| sheet.text(row, c))
        .collect::<Vec<_>>()
        .join("\u{1}")
}

#[test]
fn compile_scores_every_item_by_the_rule_with_traceable_provenance() {
    let filled = filled_campaign(&sample_master(), &[]);
    let c = &filled.campaign;
    let (run, path) = compile(c, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("已汇总："), "{}", run.stdout);

    let sheet = read_sheet(&path, TABLE);
    let expected = expected_scores(&filled, "min");
    check_scores(&sheet, &filled, &expected);
    let total: Decimal = expected.values().flatten().sum();
    assert!(
        run.stdout
            .contains(&format!("总分 {} / 100", total.normalize())),
        "{}",
        run.stdout
    );
    // A shared item with different department scores takes the lowest.
    let shared = filled
        .master
        .items()
        .iter()
        .find(|item| {
            let scores: Vec<Decimal> = item
                .departments
                .iter()
                .map(|d| filled.scores[&(d.clone(), item.id.clone())])
                .collect();
            scores.len() > 1 && scores.iter().any(|s| *s != scores[0])
        })
        .expect("a shared item with different scores");
    let lowest = shared
        .departments
        .iter()
        .map(|d| filled.scores[&(d.clone(), shared.id.clone())])
        .min()
        .unwrap();
    assert_eq!(expected[&shared.id], Some(lowest.normalize()));

    // The merges are the master's, mapped by row; the title reaches over the added columns,
    // which have merged header cells of their own.
    let master_sheet = read_sheet(&sample_master(), TABLE);
    let master_width = master_sheet.width();
    let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
    for row in (0..sheet.height()).rev() {
        by_key
            .entry(row_key(&sheet, row, master_width))
            .or_default()
            .push(row);
    }
    let mut row_map = HashMap::new();
    for row in 0..master_sheet.height() {
        let key = row_key(&master_sheet, row, master_width);
        let mapped = by_key
            .get_mut(&key)
            .and_then(Vec::pop)
            .unwrap_or_else(|| panic!("master row {} not in the compiled sheet", row + 1));
        row_map.insert(row, mapped);
    }
    let mut expected_merges: Vec<Dimensions> = master_sheet
        .merges
        .iter()
        .map(|m| {
            let (first, last) = (row_map[&m.start.0], row_map[&m.end.0]);
            let title = m.start.0 == 0 && m.end.1 == master_width - 1;
            let end_col = if title { master_width + 1 } else { m.end.1 };
            Dimensions::new((first, m.start.1), (last, end_col))
        })
        .collect();
    expected_merges.sort_by_key(|m| (m.start, m.end));
    // Below the master's rows: the footer block (制表单位 / 审核人 / 制表日期) over the width.
    let last_master_row = row_map.values().copied().max().unwrap();
    let (footer, merges): (Vec<Dimensions>, Vec<Dimensions>) = sheet
        .merges
        .iter()
        .partition(|m| m.start.0 > last_master_row);
    assert_eq!(footer.len(), 1, "{footer:?}");
    assert_eq!(footer[0].end.1, master_width + 1);
    let footer_text = sheet.text(footer[0].start.0, 0);
    assert!(
        footer_text.starts_with("制表单位：") && footer_text.contains("审核人："),
        "{footer_text}"
    );
    let (added, kept): (Vec<Dimensions>, Vec<Dimensions>) =
        merges.into_iter().partition(|m| m.start.1 >= master_width);
    assert_eq!(kept, expected_merges);
    assert_eq!(
        added.len(),
        4,
        "自评得分 and 扣分说明 over both header blocks"
    );
    for m in &added {
        assert!(
            ["自评得分", "扣分说明"].contains(&sheet.text(m.start.0, m.start.1).as_str()),
            "{m:?}"
        );
    }

    // The shared item's score cell carries a note with each department's score.
    let shared_row = item_rows(&sheet, &filled.master)
        .into_iter()
        .find(|(_, id)| *id == shared.id)
        .unwrap()
        .0;
    let notes = zip_part(&path, "xl/comments1.xml");
    let score_col = sheet.col(1, "自评得分");
    let note_cell = tianbao::workbook::a1(shared_row, score_col);
    let note_at = notes
        .find(&format!("ref=\"{note_cell}\""))
        .unwrap_or_else(|| panic!("no note on {note_cell}"));
    let note = &notes[note_at..notes[note_at..].find("</comment>").unwrap() + note_at];
    for d in &shared.departments {
        let score = filled.scores[&(d.clone(), shared.id.clone())];
        assert!(note.contains(&format!("{d}：{score}")), "{note}");
    }

    // 部门明细: one row per (item, department), traceable to the file, cell and hash.
    let detail = read_sheet(&path, DETAIL);
    let (id_col, dept_col, score_col) = (
        detail.col(1, "序号"),
        detail.col(1, "部门"),
        detail.col(1, "自评得分"),
    );
    let (file_col, cell_col, sha_col, evidence_col) = (
        detail.col(1, "来源文件"),
        detail.col(1, "来源单元格"),
        detail.col(1, "文件 SHA-256"),
        detail.col(1, "佐证文件（SHA-256）"),
    );
    let rows: Vec<u32> = (2..detail.height())
        .filter(|&r| !detail.text(r, id_col).is_empty())
        .collect();
    let pairs: usize = filled
        .master
        .items()
        .iter()
        .map(|i| i.departments.len())
        .sum();
    assert_eq!(rows.len(), pairs);
    let mut evidence_seen = false;
    for row in rows {
        let key = (detail.text(row, dept_col), detail.text(row, id_col));
        assert_eq!(detail.number(row, score_col), Some(filled.scores[&key]));
        let file = detail.text(row, file_col);
        assert!(
            file.starts_with("inbox/") && file.ends_with(&format!("-{}.xlsx", key.0)),
            "{file}"
        );
        assert_eq!(
            detail.text(row, cell_col),
            format!("填报表!{}", filled.cells[&key])
        );
        let bytes = std::fs::read(c.join(&file)).unwrap();
        assert_eq!(detail.text(row, sha_col), sha256_hex(&bytes));
        let evidence = detail.text(row, evidence_col);
        if !evidence.is_empty() {
            let bytes = std::fs::read(c.join("inbox").join(EVIDENCE)).unwrap();
            assert_eq!(evidence, format!("{EVIDENCE} {}", sha256_hex(&bytes)));
            assert_eq!(key.0, "水科");
            evidence_seen = true;
        }
    }
    assert!(evidence_seen, "the evidence file is listed");

    // 填报情况: every department valid, with its filler, item count and totals.
    let returns = read_sheet(&path, RETURNS);
    let filler_col = returns.col(1, "填报人");
    let score_total_col = returns.col(1, "自评得分合计");
    for (k, department) in filled.master.departments().iter().enumerate() {
        let row = 2 + k as u32;
        assert_eq!(returns.text(row, 0), department.name);
        assert_eq!(returns.text(row, 1), "有效");
        assert_eq!(
            returns.text(row, filler_col),
            format!("{}填报人", department.name)
        );
        let own: Decimal = filled
            .scores
            .iter()
            .filter(|((d, _), _)| *d == department.name)
            .map(|(_, s)| *s)
            .sum();
        assert_eq!(returns.number(row, score_total_col), Some(own.normalize()));
    }

    // 得分概览: the grand total row.
    let overview = read_sheet(&path, OVERVIEW);
    let total_row = (0..overview.height())
        .find(|&r| overview.text(r, 0) == "绩效目标考评得分")
        .unwrap();
    assert_eq!(overview.number(total_row, 1), Some(dec("100")));
    assert_eq!(overview.number(total_row, 2), Some(total.normalize()));

    // The same inputs give the same cells.
    let (run, again) = compile(c, &["--out", "again.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in [TABLE, DETAIL, RETURNS, OVERVIEW] {
        assert_eq!(
            read_sheet(&path, name).range,
            read_sheet(&again, name).range,
            "{name} differs between two runs"
        );
    }
    // One table, printed one page wide with its header on every page.
    let workbook_xml = zip_part(&path, "xl/workbook.xml");
    assert!(
        workbook_xml.contains("考评表'!$2:$3") || workbook_xml.contains("考评表!$2:$3"),
        "{workbook_xml}"
    );
}

fn zip_part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no {name} in {}", path.display()))
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn set_rule(c: &Path, rule: &str) {
    let config = c.join("tianbao.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("aggregation") {
                format!("aggregation = \"{rule}\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&config, text).unwrap();
}

#[test]
fn mean_and_lead_rules_score_shared_items() {
    let filled = filled_campaign(&sample_master(), &[]);
    let c = &filled.campaign;
    for rule in ["mean", "lead"] {
        set_rule(c, rule);
        let out = format!("{rule}.xlsx");
        let (run, path) = compile(c, &["--out", &out]);
        assert_eq!(run.code, 0, "{rule}: {}", run.stderr);
        assert!(
            run.stdout.contains(if rule == "mean" {
                "取平均分"
            } else {
                "取牵头部门得分"
            }),
            "{}",
            run.stdout
        );
        let sheet = read_sheet(&path, TABLE);
        check_scores(&sheet, &filled, &expected_scores(&filled, rule));
    }
}

#[test]
fn a_missing_department_refuses_and_allow_incomplete_leaves_exactly_its_items_blank() {
    let filled = filled_campaign(&sample_master(), &["水科"]);
    let c = &filled.campaign;
    let (run, path) = compile(c, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("水科"), "{}", run.stderr);
    assert!(!path.exists(), "nothing written when refused");

    let (run, path) = compile(c, &["--allow-incomplete"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("不完整"), "{}", run.stdout);
    let sheet = read_sheet(&path, TABLE);
    let expected = expected_scores(&filled, "min");
    let blank: Vec<&String> = expected
        .iter()
        .filter(|(_, s)| s.is_none())
        .map(|(id, _)| id)
        .collect();
    let of_water: Vec<&String> = filled.master.items_of("水科").map(|i| &i.id).collect();
    assert_eq!(blank, of_water, "exactly 水科's items are unscored");
    check_scores(&sheet, &filled, &expected);
    let deduction_col = sheet.col(1, "扣分说明");
    for (row, id) in item_rows(&sheet, &filled.master) {
        let text = sheet.text(row, deduction_col);
        assert_eq!(
            of_water.contains(&&id),
            text.contains("未评分") && text.contains("水科"),
            "{id}: {text}"
        );
    }
    let totals = total_rows(&sheet);
    let grand = &totals.last().unwrap().1;
    assert!(grand.contains("不完整"), "{grand}");
    assert!(grand.contains(&format!("{} 项", of_water.len())), "{grand}");
    let returns = read_sheet(&path, RETURNS);
    let row = (2..returns.height())
        .find(|&r| returns.text(r, 0) == "水科")
        .unwrap();
    assert_eq!(returns.text(row, 1), "未交");
}

#[test]
fn a_table_pasted_across_pages_compiles_to_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout {
        repeat_header_before: vec!["1-3-2".into(), "2-4-2".into(), "5-2".into()],
        ..Layout::default()
    };
    let paged_master = write_variant(dir.path(), "paged.xlsx", &sample_source(), &layout);
    let paged = filled_campaign(&paged_master, &[]);
    let plain = filled_campaign(&sample_master(), &[]);
    let (run, paged_path) = compile(&paged.campaign, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (run, plain_path) = compile(&plain.campaign, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (paged_sheet, plain_sheet) = (
        read_sheet(&paged_path, TABLE),
        read_sheet(&plain_path, TABLE),
    );
    assert_eq!(paged_sheet.range, plain_sheet.range, "the same cells");
    assert_eq!(
        paged_sheet.merges, plain_sheet.merges,
        "split merges joined"
    );
    check_scores(&paged_sheet, &paged, &expected_scores(&paged, "min"));
}

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_recalculates_the_same_totals() {
    require_libreoffice();
    let filled = filled_campaign(&sample_master(), &[]);
    let (run, path) = compile(&filled.campaign, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let work = tempfile::tempdir().unwrap();
    let zeroed = work.path().join("zeroed.xlsx");
    zero_cached_values(&path, &zeroed);
    let out_dir = work.path().join("lo");
    recalculating_profile(&out_dir);
    let converted = soffice_convert(&zeroed, "xlsx", &out_dir);
    let sheet = read_sheet(&converted, TABLE);
    check_scores(&sheet, &filled, &expected_scores(&filled, "min"));
    let overview = read_sheet(&converted, OVERVIEW);
    let total: Decimal = expected_scores(&filled, "min").values().flatten().sum();
    let total_row = (0..overview.height())
        .find(|&r| overview.text(r, 0) == "绩效目标考评得分")
        .unwrap();
    assert_eq!(overview.number(total_row, 2), Some(total.normalize()));
}

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn an_ods_master_compiles_to_the_same_table() {
    require_libreoffice();
    // .ods records no merges that the reader sees: they are recovered from structure.
    let work = tempfile::tempdir().unwrap();
    let ods = soffice_convert(&sample_master(), "ods", &work.path().join("ods"));
    let from_ods = filled_campaign(&ods, &[]);
    let from_xlsx = filled_campaign(&sample_master(), &[]);
    let (run, ods_path) = compile(&from_ods.campaign, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (run, xlsx_path) = compile(&from_xlsx.campaign, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (a, b) = (read_sheet(&ods_path, TABLE), read_sheet(&xlsx_path, TABLE));
    assert_eq!(a.merges, b.merges);
    assert_eq!(a.range, b.range);
}

#[test]
fn compile_outside_a_campaign_names_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let run = tianbao(dir.path(), &["compile"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tianbao init"), "{}", run.stderr);
}
