//! `tianbao inspect --json` on the table shapes offices really make (`tests/common/shapes.rs`):
//! each fixture is written by the test with rust_xlsxwriter, read by the built binary, and
//! compared field by field with its hand-written expectation — columns and roles, every item
//! field, the departments the items imply, exactly the findings a careful reader raises (code,
//! severity, item, and cell where it matters) and the exit code (0 with warnings only, 1 with
//! errors, 2 when refused).
//!
//! These tests are written to the contract of the new reader; the current reader fails most of
//! them. Run one shape with `cargo test --test shapes c_county`; every failure of a shape is
//! listed at once, and `--nocapture` prints each shape's number of checks.
//!
//! Golden files: `tests/golden/<shape>.json` holds a shape's whole `inspect --json` output and
//! is compared when present. `UPDATE_GOLDEN=1 cargo test --test shapes` (re)writes it — only for
//! shapes whose hand-written checks pass, so a wrong output is never blessed.
//!
//! With `TIANBAO_INTEROP=1`, every fixture also goes through LibreOffice to .xls and .ods and
//! must give the same items as the .xlsx.

mod common;

use std::fmt::Display;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::shapes::{self, Expect, Finding, Grid, Kind, Of, Shape, Table, V, col_index, severity};
use common::{Run, repo, require_libreoffice, soffice_convert_all, tianbao};
use serde_json::{Value, json};

/// The first difference between `actual` and `expected` (numbers compared by value, object
/// keys in order), as a path and both values.
fn difference(actual: &Value, expected: &Value, path: &str) -> Option<String> {
    let differs = || Some(format!("{path}: expected {expected}, got {actual}"));
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (a.as_f64().unwrap(), e.as_f64().unwrap());
            if (a - e).abs() > 1e-9 {
                differs()
            } else {
                None
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                return differs();
            }
            a.iter()
                .zip(e)
                .enumerate()
                .find_map(|(i, (a, e))| difference(a, e, &format!("{path}[{i}]")))
        }
        (Value::Object(a), Value::Object(e)) => {
            if !a.keys().eq(e.keys()) {
                return differs();
            }
            a.iter()
                .zip(e)
                .find_map(|((k, a), (_, e))| difference(a, e, &format!("{path}.{k}")))
        }
        _ if actual == expected => None,
        _ => differs(),
    }
}

/// Collects a shape's failed checks so that all of them are reported at once.
struct Check {
    shape: String,
    count: usize,
    failures: Vec<String>,
}

impl Check {
    fn new(shape: &str) -> Check {
        Check {
            shape: shape.to_string(),
            count: 0,
            failures: Vec::new(),
        }
    }

    fn eq(&mut self, what: impl Display, actual: &Value, expected: &Value) {
        self.count += 1;
        if let Some(d) = difference(actual, expected, &what.to_string()) {
            self.failures.push(d);
        }
    }

    fn truth(&mut self, what: impl Display, ok: bool) {
        self.count += 1;
        if !ok {
            self.failures.push(what.to_string());
        }
    }

    fn finish(self) {
        eprintln!("{}: {} checks", self.shape, self.count);
        assert!(
            self.failures.is_empty(),
            "{}: {} of {} checks failed:\n  {}",
            self.shape,
            self.failures.len(),
            self.count,
            self.failures.join("\n  ")
        );
    }
}

/// Writes the fixture into `dir` and runs `inspect <file> --json ARGS` there (a relative path,
/// so that the output does not depend on the temp dir).
fn inspect_fixture(shape: &Shape, dir: &Path) -> Run {
    std::fs::write(dir.join(shape.file_name()), shape.grid.to_xlsx()).unwrap();
    inspect_file(shape, dir, &shape.file_name())
}

fn inspect_file(shape: &Shape, dir: &Path, file: &str) -> Run {
    let mut args = vec!["inspect", file, "--json"];
    args.extend(shape.args.iter().map(String::as_str));
    tianbao(dir, &args)
}

fn parse(run: &Run) -> Result<Value, String> {
    serde_json::from_str(&run.stdout).map_err(|e| {
        format!(
            "stdout is not JSON ({e}); exit {}; stderr: {}",
            run.code,
            run.stderr.trim()
        )
    })
}

fn check_columns(c: &mut Check, table: &Table, json: &Value) {
    let empty = Vec::new();
    let actual = json["columns"].as_array().unwrap_or(&empty);
    c.eq(
        "columns.len",
        &json!(actual.len()),
        &json!(table.columns.len()),
    );
    for (i, col) in table.columns.iter().enumerate() {
        let a = actual.get(i).unwrap_or(&Value::Null);
        let at = format!("columns[{i}] ({})", col.label);
        c.eq(format!("{at}.column"), &a["column"], &json!(col.column));
        c.eq(format!("{at}.label"), &a["label"], &json!(col.label));
        c.eq(format!("{at}.role"), &a["role"], &json!(col.role));
        c.eq(format!("{at}.level"), &a["level"], &json!(col.level));
    }
}

fn check_items(c: &mut Check, table: &Table, json: &Value) {
    let empty = Vec::new();
    let actual = json["items"].as_array().unwrap_or(&empty);
    c.eq("items.len", &json!(actual.len()), &json!(table.items.len()));
    for (i, item) in table.items.iter().enumerate() {
        let a = actual.get(i).unwrap_or(&Value::Null);
        let at = format!("items[{i}] ({})", item.id);
        let weight = if table.has_weights() {
            json!(item.weight)
        } else {
            Value::Null
        };
        let fields = [
            ("id", json!(item.id)),
            ("id_assigned", json!(item.id_assigned)),
            ("category", json!(item.category)),
            ("group", json!(item.group())),
            ("indicator", table.role_text(item, "indicator")),
            ("task", table.role_text(item, "task")),
            ("basis", table.role_text(item, "basis")),
            ("points", json!(item.points)),
            ("texts", table.texts_json(item)),
            ("weight", weight),
            ("deadline", json!(item.deadline)),
            ("leaders", json!(item.leaders)),
            ("departments", json!(item.departments())),
            ("lead", json!(item.lead)),
            ("cooperating", json!(item.cooperating)),
            ("persons", json!(item.persons)),
            ("row", json!(item.row)),
            ("hidden", json!(item.hidden)),
        ];
        for (field, expected) in fields {
            c.eq(format!("{at}.{field}"), &a[field], &expected);
        }
    }
}

fn check_departments(c: &mut Check, table: &Table, json: &Value) {
    let expected = table.departments();
    let empty = Vec::new();
    let actual = json["departments"].as_array().unwrap_or(&empty);
    let names: Vec<&Value> = actual.iter().map(|d| &d["name"]).collect();
    let want: Vec<&str> = expected.iter().map(|d| d.name.as_str()).collect();
    c.eq("departments (names in order)", &json!(names), &json!(want));
    let has_persons = table.items.iter().any(|i| !i.persons.is_empty());
    for d in &expected {
        let a = actual
            .iter()
            .find(|a| a["name"] == d.name.as_str())
            .unwrap_or(&Value::Null);
        let at = format!("departments[{}]", d.name);
        c.eq(format!("{at}.items"), &a["items"], &json!(d.items));
        c.eq(format!("{at}.lead"), &a["lead"], &json!(d.lead));
        c.eq(
            format!("{at}.cooperating"),
            &a["cooperating"],
            &json!(d.cooperating),
        );
        if table.has_weights() {
            c.eq(format!("{at}.weight"), &a["weight"], &json!(d.weight));
        }
        if has_persons {
            c.eq(format!("{at}.persons"), &a["persons"], &json!(d.persons));
        }
    }
}

fn matches(actual: &Value, f: &Finding) -> bool {
    actual["code"] == f.code
        && actual["severity"] == severity(f.code)
        && match &f.of {
            Of::Item(id) => actual["item"] == id.as_str(),
            Of::Table => true,
        }
        && f.cell
            .as_ref()
            .is_none_or(|cell| actual["cell"] == cell.as_str())
        && f.mentions.iter().all(|m| {
            actual["message"]
                .as_str()
                .unwrap_or("")
                .contains(m.as_str())
        })
}

fn describe(f: &Finding) -> String {
    let item = match &f.of {
        Of::Item(id) => format!(" [{id}]"),
        Of::Table => String::new(),
    };
    let cell = f
        .cell
        .as_deref()
        .map(|c| format!(" at {c}"))
        .unwrap_or_default();
    let mentions = if f.mentions.is_empty() {
        String::new()
    } else {
        format!(" mentioning {:?}", f.mentions)
    };
    format!("{} {}{item}{cell}{mentions}", severity(f.code), f.code)
}

/// Exactly the expected findings: each one present, nothing else.
fn check_findings(c: &mut Check, table: &Table, json: &Value) {
    let empty = Vec::new();
    let actual = json["findings"].as_array().unwrap_or(&empty);
    let mut used = vec![false; actual.len()];
    for f in &table.findings {
        let found = (0..actual.len()).find(|&i| !used[i] && matches(&actual[i], f));
        if let Some(i) = found {
            used[i] = true;
        }
        c.truth(format!("missing finding: {}", describe(f)), found.is_some());
    }
    let extra: Vec<String> = actual
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(a, _)| a.to_string())
        .collect();
    c.truth(
        format!("unexpected findings: {}", extra.join(", ")),
        extra.is_empty(),
    );
}

fn golden_path(shape: &Shape) -> PathBuf {
    repo()
        .join("tests/golden")
        .join(format!("{}.json", shape.name))
}

fn check_golden(c: &mut Check, shape: &Shape, json: &Value) {
    let path = golden_path(shape);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        if c.failures.is_empty() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let text = serde_json::to_string_pretty(json).unwrap() + "\n";
            std::fs::write(&path, text).unwrap();
        }
        return;
    }
    if let Ok(text) = std::fs::read_to_string(&path) {
        let golden: Value = serde_json::from_str(&text).unwrap();
        c.eq(format!("golden {}", path.display()), json, &golden);
    }
}

fn check(shape: Shape) {
    let dir = tempfile::tempdir().unwrap();
    let run = inspect_fixture(&shape, dir.path());
    let mut c = Check::new(shape.name);
    match &shape.expect {
        Expect::Refused(mentions) => {
            c.eq("exit code", &json!(run.code), &json!(2));
            let stderr = run.stderr.trim();
            c.truth(
                format!("stderr is one line: {stderr:?}"),
                stderr.lines().count() == 1,
            );
            for m in mentions {
                c.truth(
                    format!("stderr mentions {m:?}: {stderr:?}"),
                    stderr.contains(m.as_str()),
                );
            }
        }
        Expect::Table(table) => {
            let errors = table.findings.iter().any(|f| severity(f.code) == "error");
            c.eq(
                format!("exit code (stderr: {})", run.stderr.trim()),
                &json!(run.code),
                &json!(if errors { 1 } else { 0 }),
            );
            match parse(&run) {
                Err(e) => {
                    c.truth(e, false);
                    // Count the checks that could not run, so a shape's count does not depend
                    // on the reader's output.
                    let mut skipped = Check::new(shape.name);
                    check_columns(&mut skipped, table, &Value::Null);
                    check_items(&mut skipped, table, &Value::Null);
                    check_departments(&mut skipped, table, &Value::Null);
                    check_findings(&mut skipped, table, &Value::Null);
                    c.count += skipped.count + 2;
                }
                Ok(json) => {
                    c.eq("title", &json["title"], &json!(table.title));
                    c.eq("sheet", &json["sheet"], &json!(table.sheet));
                    check_columns(&mut c, table, &json);
                    check_items(&mut c, table, &json);
                    check_departments(&mut c, table, &json);
                    check_findings(&mut c, table, &json);
                    check_golden(&mut c, &shape, &json);
                }
            }
        }
    }
    c.finish();
}

macro_rules! shape_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(shapes::$name());
            }
        )*
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

shape_tests!(
    a_task_breakdown,
    b_sections_restarting_ids,
    c_county_units,
    c_county_units_without_list,
    c_county_units_given,
    d_chinese_numbering,
    e_three_levels,
    f_kpi_text_weights,
    f_kpi_percent_cells,
    g_english_scorecard,
    g_scorecard_broken_ids,
    h_rules_without_ids,
    i_dotted_ids,
    j_lead_in_cell,
    k_hidden_rows_and_sum,
    l_single_row_header,
    m_unknown_labels,
    m_unknown_labels_mapped,
    m_unknown_labels_header_row,
    n_plain_table,
    o_category_label,
    o_category_project,
    o_category_merged,
    o_category_repeated,
    o_category_points_mismatch,
    p_hierarchical_numbering,
    p_group_points_mismatch,
    q_token_curly_quotes,
    q_token_straight_quotes_no_prefix,
    q_token_spaces,
    q_token_defined_twice,
);

#[test]
fn every_shape_has_a_test() {
    let names: Vec<&str> = shapes::all().iter().map(|s| s.name).collect();
    assert_eq!(names, TESTED);
}

// ---------------------------------------------------------------------------------------------
// The fixtures against their own expectations (no tianbao involved): this passes today and keeps
// the hand-written expectations honest — texts, weights, deadlines and rows agree with the grid,
// long tasks end with punctuation unless a text_unterminated is expected, weights add up to 100
// unless a total_unexpected is expected, and calamine reads back what the grid says.

/// Text as calamine gives it, numbers as `shapes::number_text`.
fn data_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => shapes::number_text(*f),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

fn spread_text(grid: &Grid, row: u32, col: u16) -> String {
    grid.spread(row, col).map(V::text).unwrap_or_default()
}

const SENTENCE_END: [char; 10] = ['。', '；', ';', '！', '？', '!', '?', '）', ')', '”'];

fn check_fixture(c: &mut Check, shape: &Shape) {
    let grid = &shape.grid;
    // calamine reads back every written cell, the merges and the hidden rows.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(shape.file_name());
    std::fs::write(&path, grid.to_xlsx()).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let range = book.worksheet_range(&grid.sheet).unwrap();
    let merges = book.merge_cells_by_sheet_name(&grid.sheet).unwrap();
    c.eq(
        "merges read back",
        &json!(merges.len()),
        &json!(grid.merges.len()),
    );
    for (r, row) in grid.rows.iter().enumerate() {
        for (col, value) in row.cells.iter().enumerate() {
            let written = grid.cell(r as u32 + 1, col as u16).map(V::text);
            if written.is_none() || value.is_none() {
                continue;
            }
            let read = range
                .get_value((r as u32, col as u32))
                .map(data_text)
                .unwrap_or_default();
            c.eq(
                format!("cell r{} c{col}", r + 1),
                &json!(read),
                &json!(written),
            );
        }
    }

    let Expect::Table(table) = &shape.expect else {
        return;
    };
    let width = usize::from(grid.width);
    c.eq(
        "one column per table column",
        &json!(table.columns.len()),
        &json!(width),
    );
    for col in &table.columns {
        let at = col_index(&col.column);
        let labelled = grid.rows.iter().enumerate().any(|(r, row)| {
            row.kind == Kind::Header && spread_text(grid, r as u32 + 1, at) == col.label
        });
        c.truth(
            format!("header has {} at {}", col.label, col.column),
            labelled,
        );
    }
    let item_rows: Vec<u32> = (1..=grid.rows.len() as u32)
        .filter(|&r| grid.rows[r as usize - 1].kind == Kind::Item)
        .collect();
    let rows: Vec<u32> = table.items.iter().map(|i| i.row).collect();
    c.eq("items are the item rows", &json!(rows), &json!(item_rows));
    let by_role = |role: &str| {
        table
            .columns
            .iter()
            .find(|c| c.role == role)
            .map(|c| col_index(&c.column))
    };
    let unterminated: Vec<&str> = table
        .findings
        .iter()
        .filter(|f| f.code == "text_unterminated")
        .filter_map(|f| match &f.of {
            Of::Item(id) => Some(id.as_str()),
            Of::Table => None,
        })
        .collect();
    for item in &table.items {
        let at = format!("item {} (row {})", item.id, item.row);
        for (col, text) in table.text_columns().iter().zip(&item.texts) {
            let cell = spread_text(grid, item.row, col_index(&col.column));
            c.eq(format!("{at} {}", col.label), &json!(cell), &json!(text));
        }
        if let Some(col) = by_role("deadline") {
            let cell = spread_text(grid, item.row, col);
            c.eq(
                format!("{at} deadline"),
                &json!(cell),
                &json!(item.deadline),
            );
        }
        if let Some(col) = by_role("weight") {
            match grid.spread(item.row, col) {
                Some(V::Num(n)) => c.eq(format!("{at} weight"), &json!(n), &json!(item.weight)),
                Some(V::Percent(n)) => c.eq(
                    format!("{at} weight"),
                    &json!(n * 100.0),
                    &json!(item.weight),
                ),
                _ => {}
            }
        }
        c.eq(
            format!("{at} hidden"),
            &json!(grid.hidden.contains(&item.row)),
            &json!(item.hidden),
        );
        c.truth(format!("{at} has departments"), !item.lead.is_empty());
        if let Some(Value::String(task)) = Some(table.role_text(item, "task")) {
            let long_open = task.chars().count() >= 40 && !task.ends_with(SENTENCE_END);
            c.eq(
                format!("{at} long task without an end ⇔ text_unterminated"),
                &json!(long_open),
                &json!(unterminated.contains(&item.id.as_str())),
            );
        }
    }
    if table.has_weights() {
        let sum: f64 = table.items.iter().map(|i| i.weight.unwrap()).sum();
        let expects_unexpected = table.findings.iter().any(|f| f.code == "total_unexpected");
        c.eq(
            "weights add up to 100 unless total_unexpected",
            &json!((sum - 100.0).abs() < 1e-9),
            &json!(!expects_unexpected),
        );
    }
}

#[test]
fn fixtures_agree_with_their_expectations() {
    let mut c = Check::new("fixtures");
    for shape in shapes::all() {
        let before = c.failures.len();
        check_fixture(&mut c, &shape);
        for f in &mut c.failures[before..] {
            *f = format!("{}: {f}", shape.name);
        }
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// Through LibreOffice: .xls and .ods saves of each fixture give the .xlsx's items.

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_saves_give_the_same_items() {
    require_libreoffice();
    let dir = tempfile::tempdir().unwrap();
    let shapes: Vec<Shape> = shapes::all()
        .into_iter()
        .filter(|s| matches!(s.expect, Expect::Table(_)))
        .collect();
    let files: Vec<PathBuf> = shapes
        .iter()
        .map(|s| {
            let path = dir.path().join(s.file_name());
            std::fs::write(&path, s.grid.to_xlsx()).unwrap();
            path
        })
        .collect();
    let mut c = Check::new("libreoffice");
    for format in ["xls", "ods"] {
        let converted = soffice_convert_all(&files, format, &dir.path().join(format));
        for (shape, file) in shapes.iter().zip(&converted) {
            let xlsx = parse(&inspect_file(shape, dir.path(), &shape.file_name()));
            let other = parse(&inspect_file(shape, dir.path(), file.to_str().unwrap()));
            match (xlsx, other) {
                (Ok(xlsx), Ok(other)) => c.eq(
                    format!("{} .{format} items", shape.name),
                    &other["items"],
                    &xlsx["items"],
                ),
                (Err(e), _) => c.truth(format!("{} .xlsx: {e}", shape.name), false),
                (_, Err(e)) => c.truth(format!("{} .{format}: {e}", shape.name), false),
            }
        }
    }
    c.finish();
}

/// Writes every fixture to `$DUMP_DIR` to open it in a spreadsheet program:
/// `DUMP_DIR=/tmp/shapes cargo test --test shapes write_fixtures -- --ignored`.
#[test]
#[ignore]
fn write_fixtures() {
    let dir = PathBuf::from(std::env::var("DUMP_DIR").expect("DUMP_DIR=folder"));
    std::fs::create_dir_all(&dir).unwrap();
    for shape in shapes::all() {
        std::fs::write(dir.join(shape.file_name()), shape.grid.to_xlsx()).unwrap();
    }
}
