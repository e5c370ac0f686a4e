//! The whole cycle on weighted table shapes of `tests/common/shapes.rs`: `init` on the fixture
//! (with the shape's `--map`/`--header-row`/`--units` arguments), `generate`, every department's
//! workbook filled by editing its sheet XML (header and columns found by their labels with
//! calamine, never through tianbao's template code), `validate` (exit 0), `compile` (exit 0),
//! then the compiled 考评表 read with calamine: the master's title, preamble, header, section and
//! item rows in order with the same texts (score columns appended at the right), the master's
//! body merges at the corresponding rows, and each item's score the minimum of what its
//! departments filled.
//!
//! Written to the contract of the new reader: these fail until it reads these shapes.
//! `cargo test --test shapes_cycle`.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Dimensions, Range, Reader, Xlsx, open_workbook};
use common::shapes::{self, Kind, Shape, Table, number_text};
use common::xlsx::{Cell, Xlsx as Edit, s};
use common::{require_libreoffice, tianbao, workbooks_in};

/// A sheet read with calamine; positions are absolute and 0-based.
struct Sheet {
    name: String,
    range: Range<Data>,
    merges: Vec<Dimensions>,
}

impl Sheet {
    fn read(path: &Path, name: &str) -> Sheet {
        let mut book: Xlsx<_> = open_workbook(path).unwrap();
        Sheet {
            name: name.to_string(),
            range: book
                .worksheet_range(name)
                .unwrap_or_else(|e| panic!("{}: sheet {name}: {e}", path.display())),
            merges: book.merge_cells_by_sheet_name(name).unwrap(),
        }
    }

    fn text(&self, row: u32, col: u32) -> String {
        match self.range.get_value((row, col)) {
            None | Some(Data::Empty) => String::new(),
            Some(Data::String(t)) => t.trim().to_string(),
            Some(Data::Float(f)) => number_text(*f),
            Some(Data::Int(i)) => i.to_string(),
            Some(other) => other.to_string(),
        }
    }

    fn number(&self, row: u32, col: u32) -> Option<f64> {
        self.range.get_value((row, col)).and_then(|d| match d {
            Data::Float(f) => Some(*f),
            Data::Int(i) => Some(*i as f64),
            Data::String(t) => t.trim().parse().ok(),
            _ => None,
        })
    }

    fn height(&self) -> u32 {
        self.range.end().map_or(0, |(r, _)| r + 1)
    }

    fn width(&self) -> u32 {
        self.range.end().map_or(0, |(_, c)| c + 1)
    }

    /// The merge starting at (row, col), if any.
    fn merge_at(&self, row: u32, col: u32) -> Option<&Dimensions> {
        self.merges.iter().find(|m| m.start == (row, col))
    }
}

/// A header label as compared: without spaces and the required-marker `*`.
/// A header label without its required mark: `*`, or a condition such as `（扣分时必填）`.
fn label(text: &str) -> String {
    let text: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .collect();
    match text.find('（') {
        Some(open) if text[open..].contains("必填") => text[..open].to_string(),
        _ => text,
    }
}

fn a1(col: u32, row0: u32) -> String {
    format!("{}{}", shapes::col_letters(col as u16), row0 + 1)
}

/// The fill-in sheet of a generated workbook: the sheet with a header cell 自评得分.
fn fill_sheet(path: &Path) -> (Sheet, u32) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let found = range
            .cells()
            .find(|(_, _, d)| matches!(d, Data::String(t) if label(t) == "自评得分"));
        if let Some((r, _, _)) = found {
            let row = range.start().unwrap().0 + r as u32;
            drop(range);
            return (Sheet::read(path, &name), row);
        }
    }
    panic!("{}: no sheet with a 自评得分 column", path.display());
}

/// Fills every item row of one generated workbook and its sign-off block; records each filled
/// (item id → score) in `filled`. `k` varies the scores between workbooks.
fn fill(path: &Path, table: &Table, k: usize, filled: &mut HashMap<String, Vec<f64>>) -> Vec<u8> {
    let (sheet, header) = fill_sheet(path);
    let col = |wanted: &[&str]| {
        (0..sheet.width())
            .find(|&c| wanted.contains(&label(&sheet.text(header, c)).as_str()))
            .unwrap_or_else(|| panic!("{}: no column {wanted:?}", path.display()))
    };
    let id_label = table
        .columns
        .iter()
        .find(|c| c.role == "id")
        .map_or("序号", |c| c.label.as_str());
    let id_col = col(&[id_label, "序号"]);
    let score_col = col(&["自评得分"]);
    let state_col = col(&["完成情况"]);
    let progress_col = col(&["工作进展及成效"]);
    let reason_col = col(&["扣分原因"]);
    let mut book = Edit::read(&std::fs::read(path).unwrap());
    let mut n = 0;
    for r in header + 1..sheet.height() {
        let id = sheet.text(r, id_col);
        let Some(item) = table.item(&id) else {
            continue;
        };
        n += 1;
        let weight = item.weight.expect("a weighted shape");
        // Varies by workbook and row, so that a shared item gets different scores.
        let full = (k + n) % 3 != 1;
        let score = if full { weight } else { weight / 2.0 };
        filled.entry(id.clone()).or_default().push(score);
        let name = &sheet.name;
        book.set(name, &a1(score_col, r), Cell::Num(score));
        let state = if full { "已完成" } else { "部分完成" };
        book.set(name, &a1(state_col, r), s(state));
        let progress = format!("已按年度计划推进第{id}项工作，取得阶段性成效。");
        book.set(name, &a1(progress_col, r), s(&progress));
        if !full {
            book.set(
                name,
                &a1(reason_col, r),
                s("部分任务未按期完成，已制定整改措施。"),
            );
        }
    }
    assert!(n > 0, "{}: no item rows filled", path.display());
    for (field, value) in [("填报人", "林晓东"), ("联系电话", "13905951234")] {
        let (r, c) = (0..sheet.height())
            .flat_map(|r| (0..sheet.width()).map(move |c| (r, c)))
            .find(|&(r, c)| label(&sheet.text(r, c)) == field)
            .unwrap_or_else(|| panic!("{}: no sign-off field {field}", path.display()));
        let value_col = sheet.merge_at(r, c).map_or(c, |m| m.end.1) + 1;
        book.set(&sheet.name, &a1(value_col, r), s(value));
    }
    book.to_bytes()
}

fn compiled_file(c: &Path) -> PathBuf {
    std::fs::read_dir(c.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-汇总.xlsx"))
        .expect("compile wrote out/*-汇总.xlsx")
}

/// Maps each master row (0-based) that must reappear to its compiled row, in order.
fn map_rows(
    shape: &Shape,
    master: &Sheet,
    compiled: &Sheet,
    failures: &mut Vec<String>,
) -> HashMap<u32, u32> {
    let width = u32::from(shape.grid.width);
    let texts = |sheet: &Sheet, r: u32| (0..width).map(|c| sheet.text(r, c)).collect::<Vec<_>>();
    let mut map = HashMap::new();
    let mut cursor = 0;
    for (i, row) in shape.grid.rows.iter().enumerate() {
        let r = i as u32;
        let want = texts(master, r);
        let found = match row.kind {
            Kind::Title | Kind::Preamble | Kind::Header | Kind::Section | Kind::Item => {
                (cursor..compiled.height()).find(|&cr| texts(compiled, cr) == want)
            }
            // Totals become formulas: matched by their label.
            Kind::Total => {
                let first = want.iter().find(|t| !t.is_empty()).cloned();
                (cursor..compiled.height()).find(|&cr| {
                    texts(compiled, cr).iter().find(|t| !t.is_empty()) == first.as_ref()
                })
            }
            Kind::Note | Kind::Blank | Kind::RepeatedHeader => continue,
        };
        match found {
            Some(cr) => {
                map.insert(r, cr);
                cursor = cr + 1;
            }
            None => failures.push(format!(
                "master row {} ({:?}) {want:?} not found in order in the compiled 考评表 (after row {cursor})",
                r + 1,
                row.kind
            )),
        }
    }
    map
}

/// The master's body merges at the mapped rows of the compiled sheet (a merge reaching the
/// table's last column may reach further, over the appended score columns).
fn check_merges(
    shape: &Shape,
    master: &Sheet,
    compiled: &Sheet,
    map: &HashMap<u32, u32>,
    failures: &mut Vec<String>,
) -> (usize, usize) {
    let last_col = u32::from(shape.grid.width) - 1;
    let header_end = shape
        .grid
        .rows
        .iter()
        .rposition(|r| r.kind == Kind::Header)
        .unwrap() as u32;
    let mut checked = 0;
    // Notes below the table need not come back: their merges are not checked.
    let kind = |row: u32| shape.grid.rows[row as usize].kind;
    let body = master
        .merges
        .iter()
        .filter(|m| m.start.0 > header_end && kind(m.start.0) != Kind::Note)
        .collect::<Vec<_>>();
    for m in &body {
        let (Some(&top), Some(&bottom)) = (map.get(&m.start.0), map.get(&m.end.0)) else {
            failures.push(format!(
                "merge {m:?}: its rows are not in the compiled sheet"
            ));
            continue;
        };
        checked += 1;
        let present = compiled.merges.iter().any(|c| {
            c.start == (top, m.start.1)
                && c.end.0 == bottom
                && (c.end.1 == m.end.1 || (m.end.1 == last_col && c.end.1 >= last_col))
        });
        if !present {
            failures.push(format!(
                "master merge {}:{} missing in the compiled sheet at rows {}-{}",
                a1(m.start.1, m.start.0),
                a1(m.end.1, m.end.0),
                top + 1,
                bottom + 1
            ));
        }
    }
    (checked, body.len())
}

fn cycle(shape: Shape) {
    cycle_checking(shape, false);
}

/// The compiled workbook with every cached formula value zeroed, then opened and saved by
/// LibreOffice recalculating everything: the figures it holds are LibreOffice's own.
fn recalculated(compiled: &Path, work: &Path) -> PathBuf {
    let zeroed = work.join("zeroed.xlsx");
    common::sheet::zero_cached_values(compiled, &zeroed);
    let out_dir = work.join("lo");
    common::sheet::recalculating_profile(&out_dir);
    common::soffice_convert(&zeroed, "xlsx", &out_dir)
}

/// The cycle on `shape`; with `recalculate`, the compiled table's figures are checked as
/// LibreOffice recalculates them from its formulas.
fn cycle_checking(shape: Shape, recalculate: bool) {
    let table = shape.table().clone();
    let tmp = tempfile::tempdir().unwrap();
    let master_path = tmp.path().join(shape.file_name());
    std::fs::write(&master_path, shape.grid.to_xlsx()).unwrap();

    let file = shape.file_name();
    let mut init = vec!["init", "c", "--master", file.as_str()];
    init.extend(shape.args.iter().map(String::as_str));
    let run = tianbao(tmp.path(), &init);
    assert_eq!(run.code, 0, "init: {}{}", run.stdout, run.stderr);
    let run = tianbao(tmp.path(), &["-C", "c", "generate"]);
    assert_eq!(run.code, 0, "generate: {}{}", run.stdout, run.stderr);

    let c = tmp.path().join("c");
    let outbox = workbooks_in(&c.join("outbox"));
    assert_eq!(
        outbox.len(),
        table.departments().len(),
        "one workbook per department"
    );
    let mut filled: HashMap<String, Vec<f64>> = HashMap::new();
    for (k, path) in outbox.iter().enumerate() {
        let bytes = fill(path, &table, k, &mut filled);
        std::fs::write(c.join("inbox").join(path.file_name().unwrap()), bytes).unwrap();
    }
    for item in &table.items {
        let n = filled.get(&item.id).map_or(0, Vec::len);
        assert_eq!(
            n,
            item.departments().len(),
            "item {} is in the workbooks of its {} departments",
            item.id,
            item.departments().len()
        );
    }

    let run = tianbao(tmp.path(), &["-C", "c", "validate"]);
    assert_eq!(run.code, 0, "validate: {}{}", run.stdout, run.stderr);
    let run = tianbao(tmp.path(), &["-C", "c", "compile"]);
    assert_eq!(run.code, 0, "compile: {}{}", run.stdout, run.stderr);

    let master = Sheet::read(&master_path, &table.sheet);
    let file = if recalculate {
        recalculated(&compiled_file(&c), tmp.path())
    } else {
        compiled_file(&c)
    };
    let compiled = Sheet::read(&file, "考评表");
    if let Ok(dump) = std::env::var("DUMP_COMPILED") {
        std::fs::copy(compiled_file(&c), dump).unwrap();
    }
    let mut failures = Vec::new();
    let map = map_rows(&shape, &master, &compiled, &mut failures);
    let (checked, body) = check_merges(&shape, &master, &compiled, &map, &mut failures);
    assert_eq!(checked, body, "every body merge of the master was checked");

    let width = u32::from(shape.grid.width);
    let header_rows: Vec<u32> = shape
        .grid
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == Kind::Header)
        .filter_map(|(i, _)| map.get(&(i as u32)).copied())
        .collect();
    let score_col = header_rows.iter().find_map(|&r| {
        (width..compiled.width()).find(|&c| label(&compiled.text(r, c)) == "自评得分")
    });
    match score_col {
        None => failures.push(format!(
            "no 自评得分 column right of the master's columns (A..{}) in the compiled header",
            shapes::col_letters(shape.grid.width - 1)
        )),
        Some(col) => {
            for item in &table.items {
                let Some(&r) = map.get(&(item.row - 1)) else {
                    continue;
                };
                let want = filled[&item.id]
                    .iter()
                    .cloned()
                    .fold(f64::INFINITY, f64::min);
                let got = compiled.number(r, col);
                if got.is_none_or(|g| (g - want).abs() > 1e-9) {
                    failures.push(format!(
                        "item {} (compiled {}): score {got:?}, filled min {want}",
                        item.id,
                        a1(col, r)
                    ));
                }
            }
        }
    }
    check_summary(&shape, &table, &filled, &compiled, &file, &mut failures);
    assert!(
        failures.is_empty(),
        "{}: {} problems in the compiled 考评表:\n  {}",
        shape.name,
        failures.len(),
        failures.join("\n  ")
    );
}

/// The total row of the 考评表 and, on 得分概览, every category's 满分 and 得分 and the 合计,
/// against sums made here: of the weights, and of each item's lowest filled score.
fn check_summary(
    shape: &Shape,
    table: &Table,
    filled: &HashMap<String, Vec<f64>>,
    compiled: &Sheet,
    file: &Path,
    failures: &mut Vec<String>,
) {
    let score = |id: &str| filled[id].iter().cloned().fold(f64::INFINITY, f64::min);
    let total_weight: f64 = table.items.iter().map(|i| i.weight.unwrap()).sum();
    let total_score: f64 = table.items.iter().map(|i| score(&i.id)).sum();
    // Every category path prefix, in order of first appearance: (path, full, got).
    let mut sums: Vec<(Vec<String>, f64, f64)> = Vec::new();
    for item in &table.items {
        for depth in 1..=item.category.len() {
            let path = item.category[..depth].to_vec();
            let at = match sums.iter().position(|(p, _, _)| *p == path) {
                Some(at) => at,
                None => {
                    sums.push((path, 0.0, 0.0));
                    sums.len() - 1
                }
            };
            sums[at].1 += item.weight.unwrap();
            sums[at].2 += score(&item.id);
        }
    }
    let near = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    // The 考评表's own total: a row below the items whose score is the sum of all of them.
    let last_item = table.items.iter().map(|i| i.row).max().unwrap_or(0);
    let score_col = (0..compiled.width())
        .rev()
        .find(|&col| (0..compiled.height()).any(|r| label(&compiled.text(r, col)) == "自评得分"));
    let has_total = shape.grid.rows.iter().any(|r| r.kind == Kind::Total);
    if let Some(col) = score_col
        && has_total
    {
        let totals: Vec<Option<f64>> = (last_item..compiled.height())
            .map(|r| compiled.number(r, col))
            .filter(Option::is_some)
            .collect();
        if !totals.iter().any(|t| near(*t, total_score)) {
            failures.push(format!(
                "考评表: no total {total_score} below the items (found {totals:?})"
            ));
        }
    }
    let overview = Sheet::read(file, "得分概览");
    let mut from = 0;
    for (path, full, got) in &sums {
        let name = path.last().unwrap();
        let row =
            (from..overview.height()).find(|&r| overview.text(r, 0).starts_with(name.as_str()));
        let Some(r) = row else {
            failures.push(format!("得分概览: no row for category {path:?}"));
            continue;
        };
        from = r + 1;
        if !near(overview.number(r, 1), *full) || !near(overview.number(r, 2), *got) {
            failures.push(format!(
                "得分概览 row {} ({name}): 满分 {:?} 得分 {:?}, expected {full} and {got}",
                r + 1,
                overview.number(r, 1),
                overview.number(r, 2)
            ));
        }
    }
    if !sums.is_empty() {
        // The row after the categories (合计, or the master's own total label).
        let r = from;
        if overview.text(r, 0).is_empty()
            || !near(overview.number(r, 1), total_weight)
            || !near(overview.number(r, 2), total_score)
        {
            failures.push(format!(
                "得分概览 row {}: expected the total, 满分 {total_weight} 得分 {total_score}; found {:?} {:?} {:?}",
                r + 1,
                overview.text(r, 0),
                overview.number(r, 1),
                overview.number(r, 2)
            ));
        }
    }
}

#[test]
fn cycle_on_sections_with_restarting_ids() {
    cycle(shapes::b_sections_restarting_ids());
}

#[test]
fn cycle_on_three_indicator_levels() {
    cycle(shapes::e_three_levels());
}

#[test]
fn cycle_on_rules_without_ids() {
    cycle(shapes::h_rules_without_ids());
}

#[test]
fn cycle_on_lead_and_cooperating_in_one_cell() {
    cycle(shapes::j_lead_in_cell());
}

/// A plain table today's reader reads too: keeps the harness itself checked.
#[test]
fn cycle_on_a_plain_table() {
    cycle(shapes::n_plain_table());
}

#[test]
fn cycle_on_category_by_label() {
    cycle(shapes::o_category_label());
}

#[test]
fn cycle_on_category_by_label_without_ids() {
    cycle(shapes::o_category_project());
}

#[test]
fn cycle_on_category_by_merged_cells() {
    cycle(shapes::o_category_merged());
}

#[test]
fn cycle_on_category_by_repeated_text() {
    cycle(shapes::o_category_repeated());
}

#[test]
fn cycle_on_hierarchical_numbering() {
    cycle(shapes::p_hierarchical_numbering());
}

/// Every weighted shape's compiled table recalculated by LibreOffice from zeroed caches: item
/// scores, category subtotals and the total are what its formulas give, equal to the sums here.
#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_recalculates_each_shapes_compiled_table_to_the_same_figures() {
    require_libreoffice();
    for shape in [
        shapes::b_sections_restarting_ids(),
        shapes::e_three_levels(),
        shapes::h_rules_without_ids(),
        shapes::j_lead_in_cell(),
        shapes::n_plain_table(),
        shapes::o_category_label(),
        shapes::o_category_project(),
        shapes::o_category_merged(),
        shapes::o_category_repeated(),
        shapes::p_hierarchical_numbering(),
    ] {
        cycle_checking(shape, true);
    }
}
