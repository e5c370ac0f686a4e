//! Reading master tables as offices make them, into the model and its layout: finding the table
//! and its header by the labels of its columns (or a mapping the user gives), giving every
//! column a role, walking the rows (sections, items, 合计 and totals, notes), reading ids,
//! departments and weights in the forms people write them, and checking that the table adds up.
//!
//! ```no_run
//! use tianbao::{master::{self, ReadOptions}, spec::Spec};
//! let read = master::read_master(
//!     std::path::Path::new("samples/master.xlsx"),
//!     &Spec::builtin(),
//!     &ReadOptions::default(),
//! )?;
//! assert_eq!(read.master.items().len(), 61);
//! # Ok::<(), tianbao::master::MasterError>(())
//! ```

mod build;
mod checks;
pub mod header;
mod ids;
pub mod labels;
mod layout_builder;
mod names;
pub mod numbering;
mod rows;
mod sections;

use std::path::Path;

use indexmap::IndexMap;

use crate::cell_text::clean;
use crate::finding::Finding;
use crate::master_layout::Layout;
use crate::model::{Column, Master, Role};
use crate::spec::Spec;
use crate::workbook::{self, Grid, OpenError, Visibility, Workbook};
use header::{ColumnMap, Diagnosis, Mapping};
use labels::Labels;

/// Why a master table could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("{path} has no sheet named \"{sheet}\"; its sheets are: {available}")]
    SheetNotFound {
        path: String,
        sheet: String,
        available: String,
    },
    #[error(transparent)]
    NoHeader(Box<NoHeader>),
    #[error(
        "the table in {path}, sheet \"{sheet}\", has a header (row {row}) but no item rows below it"
    )]
    NoItems {
        path: String,
        sheet: String,
        row: u32,
    },
    #[error("{what} \"{value}\" is not valid: {problem}")]
    Option {
        what: &'static str,
        value: String,
        problem: OptionProblem,
    },
}

/// What is wrong with a reading option (`--map`, `--header-row`, `--units`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionProblem {
    #[error("write LABEL=ROLE, e.g. 具体措施=task")]
    MapSyntax,
    #[error("\"{0}\" is not a role; roles: {roles}", roles = Role::names())]
    NotARole(String),
    #[error("the label or column letter is empty")]
    EmptyLabel,
    #[error("write the row number, e.g. 3, or the first and last rows, e.g. 3-4 (at most 3 rows)")]
    HeaderRows,
    #[error("write NAME=UNIT、UNIT…, e.g. 各县（市、区）=鲤城区、丰泽区")]
    UnitsSyntax,
    #[error("both the name and at least one unit are needed")]
    UnitsEmpty,
}

/// No header was found: where it was looked for and what the nearest candidate held.
#[derive(Debug, thiserror::Error)]
#[error(
    "no table header found in {path} (sheets searched: {searched}){}; a header needs a \
     department column ({departments} …) and a text column ({texts} …). Check that this is \
     the master table, name the sheet with --sheet, or say which column is which with --map, \
     e.g. --map \"承担处室=departments,工作事项=task\" (roles: {roles})",
    if .found.is_empty() { String::new() } else {
        format!("; the nearest, row {} of sheet \"{}\", has {}", .near_row, .near_sheet, .found)
    }
)]
pub struct NoHeader {
    pub path: String,
    pub searched: String,
    /// The nearest candidate row: its sheet, its row (1-based) and what it held.
    pub near_sheet: String,
    pub near_row: u32,
    pub found: String,
    pub departments: String,
    pub texts: String,
    pub roles: String,
}

/// How to read a master: what the user says where detection is not enough.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// Read the table from this sheet.
    pub sheet: Option<String>,
    /// The header's rows, 1-based and inclusive.
    pub header_rows: Option<(u32, u32)>,
    /// Roles of columns by header label or column letter.
    pub columns: Vec<Mapping>,
    /// Names for all units (`各县（市、区）`) and the units each stands for.
    pub units: IndexMap<String, Vec<String>>,
    /// The first department of every cell leads.
    pub first_leads: bool,
}

/// A master table read, with its layout and everything worth telling about it.
#[derive(Debug, Clone)]
pub struct MasterRead {
    pub master: Master,
    pub layout: Layout,
    pub findings: Vec<Finding>,
}

/// Reads the master table in the file at `path`.
pub fn read_master(
    path: &Path,
    spec: &Spec,
    options: &ReadOptions,
) -> Result<MasterRead, MasterError> {
    let workbook = workbook::open(path)?;
    read_master_workbook(&path.display().to_string(), &workbook, spec, options)
}

/// The sheets to search: the named one, or every sheet, visible ones first (a hidden sheet is
/// more likely an old copy than the table).
fn candidates<'w>(
    path: &str,
    workbook: &'w Workbook,
    sheet: Option<&str>,
) -> Result<Vec<&'w workbook::Sheet>, MasterError> {
    if let Some(name) = sheet {
        return workbook
            .sheet(name)
            .map(|s| vec![s])
            .ok_or_else(|| MasterError::SheetNotFound {
                path: path.to_string(),
                sheet: name.to_string(),
                available: quoted(workbook.sheets.iter().map(|s| s.name.as_str())),
            });
    }
    let visible = |s: &&workbook::Sheet| s.visibility == Visibility::Visible;
    Ok(workbook
        .sheets
        .iter()
        .filter(visible)
        .chain(workbook.sheets.iter().filter(|s| !visible(s)))
        .collect())
}

fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the master table in an opened workbook; `path` names it in messages.
pub fn read_master_workbook(
    path: &str,
    workbook: &Workbook,
    spec: &Spec,
    options: &ReadOptions,
) -> Result<MasterRead, MasterError> {
    let labels = Labels::new(&spec.master);
    let sheets = candidates(path, workbook, options.sheet.as_deref())?;
    let rows = options.header_rows.map(|(a, b)| a.saturating_sub(1)..b);
    let mut best: Option<(String, Diagnosis)> = None;
    for sheet in &sheets {
        match header::locate(&sheet.grid, &labels, rows.clone(), &options.columns) {
            Ok(found) => return read_sheet(path, sheet, found, &labels, spec, options),
            Err(diagnosis) => {
                if best
                    .as_ref()
                    .is_none_or(|(_, d)| diagnosis.found.len() > d.found.len())
                {
                    best = Some((sheet.name.clone(), diagnosis));
                }
            }
        }
    }
    Err(no_header(path, &sheets, best, spec))
}

fn no_header(
    path: &str,
    sheets: &[&workbook::Sheet],
    best: Option<(String, Diagnosis)>,
    spec: &Spec,
) -> MasterError {
    let (near_sheet, near_row, found) = match best {
        Some((sheet, d)) if !d.found.is_empty() => (
            sheet,
            d.row,
            d.found
                .iter()
                .map(|(label, role)| format!("{label} ({role})"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => (String::new(), 0, String::new()),
    };
    let some = |list: &[String]| list.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    MasterError::NoHeader(Box::new(NoHeader {
        path: path.to_string(),
        searched: quoted(sheets.iter().map(|s| s.name.as_str())),
        near_sheet,
        near_row,
        found,
        departments: some(&spec.master.departments),
        texts: some(&spec.master.task),
        roles: Role::names(),
    }))
}

fn read_sheet(
    path: &str,
    sheet: &workbook::Sheet,
    found: header::Found,
    labels: &Labels,
    spec: &Spec,
    options: &ReadOptions,
) -> Result<MasterRead, MasterError> {
    let walk = rows::Walk {
        sheet,
        labels,
        mapping: &options.columns,
    };
    let (walked, blocks) = rows::walk(&walk, found.rows.clone(), found.map.clone());
    let split = sections::split(&walked);
    if split.items.is_empty() {
        return Err(MasterError::NoItems {
            path: path.to_string(),
            sheet: sheet.name.clone(),
            row: found.rows.start + 1,
        });
    }
    let mut report = checks::Report::new(&sheet.name, spec);
    report.section_figures(&walked, &split);
    let ctx = build::Context {
        labels,
        units: &options.units,
        first_leads: options.first_leads,
        sheet: &sheet.name,
    };
    let mut built = build::build(&ctx, &walked, &blocks, split, &mut report);
    let layout = layout_builder::build(sheet, found.rows.clone(), &walked, &blocks, &built);
    let parts = &mut built.parts;
    parts.title = title_above(&sheet.grid, found.rows.start);
    parts.columns = columns(&found.map);
    parts.id_label = found
        .map
        .col(Role::Id)
        .map(|c| found.map.labels[c as usize].clone());
    for role in [Role::Weight, Role::Deadline, Role::Leaders, Role::Persons] {
        if let Some(col) = found.map.col(role) {
            parts
                .labels
                .insert(role, found.map.labels[col as usize].clone());
        }
    }
    Ok(MasterRead {
        master: Master::new(std::mem::take(&mut built.parts)),
        layout,
        findings: report.into_findings(),
    })
}

fn columns(map: &ColumnMap) -> Vec<Column> {
    (0..map.width())
        .map(|col| Column {
            index: col,
            label: map.labels[col as usize].clone(),
            role: map.role(col),
            level: map.levels[col as usize],
            why: map.why[col as usize],
        })
        .collect()
}

/// The first text above the header that is not an attachment mark (`附件1`): the title.
fn title_above(grid: &Grid, header_start: u32) -> Option<String> {
    (0..header_start)
        .filter_map(|row| {
            (0..grid.width())
                .map(|col| clean(&grid.raw(row, col).to_text()))
                .find(|t| !t.is_empty())
        })
        .find(|t| !is_attachment_mark(t))
}

fn is_attachment_mark(text: &str) -> bool {
    let t = crate::cell_text::fold(text);
    (t.starts_with("附件") || t.starts_with("附表")) && t.chars().count() <= 6
}

/// `具体措施=task,牵头单位=lead`: roles of columns by label or letter.
pub fn parse_mapping(text: &str) -> Result<Vec<Mapping>, MasterError> {
    let mut out = Vec::new();
    for pair in text
        .split([',', '，', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let invalid = |problem| MasterError::Option {
            what: "--map",
            value: pair.to_string(),
            problem,
        };
        let (key, role) = pair
            .split_once(['=', '＝'])
            .ok_or_else(|| invalid(OptionProblem::MapSyntax))?;
        let role = Role::parse(role)
            .ok_or_else(|| invalid(OptionProblem::NotARole(role.trim().to_string())))?;
        if key.trim().is_empty() {
            return Err(invalid(OptionProblem::EmptyLabel));
        }
        out.push(Mapping {
            key: key.trim().to_string(),
            role,
        });
    }
    Ok(out)
}

/// `3` or `3-4`: the header's rows, 1-based.
pub fn parse_header_rows(text: &str) -> Result<(u32, u32), MasterError> {
    let invalid = || MasterError::Option {
        what: "--header-row",
        value: text.to_string(),
        problem: OptionProblem::HeaderRows,
    };
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok(), b.trim().parse().ok()),
        None => {
            let n = text.trim().parse().ok();
            (n, n)
        }
    };
    match (a, b) {
        (Some(a), Some(b)) if a >= 1 && b >= a && b - a < 3 => Ok((a, b)),
        _ => Err(invalid()),
    }
}

/// `各县（市、区）=鲤城区、丰泽区`: a name for all units and its units.
pub fn parse_units(text: &str) -> Result<(String, Vec<String>), MasterError> {
    let invalid = |problem| MasterError::Option {
        what: "--units",
        value: text.to_string(),
        problem,
    };
    let (token, list) = text
        .split_once(['=', '＝'])
        .ok_or_else(|| invalid(OptionProblem::UnitsSyntax))?;
    let units = crate::cell_text::split_names(list);
    if token.trim().is_empty() || units.is_empty() {
        return Err(invalid(OptionProblem::UnitsEmpty));
    }
    Ok((token.trim().to_string(), units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_say_what_is_wrong() {
        let map = parse_mapping("具体措施=task，牵头单位=lead, C=ignored").unwrap();
        assert_eq!(map.len(), 3);
        assert_eq!(map[1].role, Role::Lead);
        let err = parse_mapping("具体措施=job").unwrap_err().to_string();
        assert!(err.contains("\"job\" is not a role"), "{err}");
        assert_eq!(parse_header_rows("3").unwrap(), (3, 3));
        assert_eq!(parse_header_rows("3-4").unwrap(), (3, 4));
        assert!(parse_header_rows("4-3").is_err());
        assert!(parse_header_rows("0").is_err());
        let (token, units) = parse_units("各县（市、区）=鲤城区、丰泽区").unwrap();
        assert_eq!(token, "各县（市、区）");
        assert_eq!(units, vec!["鲤城区", "丰泽区"]);
    }
}
