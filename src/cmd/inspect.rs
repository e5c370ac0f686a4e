//! `tianbao inspect`: read a master table and show what tianbao understands of it.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;
use tianbao::finding::{Finding, Severity, tally};
use tianbao::master::{MasterRead, read_master};
use tianbao::model::{Category, Item, Master};
use tianbao::spec::Spec;
use tianbao::text::show;

use super::{Fatal, Outcome};

/// Read a master table (.xlsx, .xlsm, .xls, .ods) and show its categories, items, departments and
/// any inconsistencies.
///
/// The table is found by its header labels (序号, 权重, 责任部门 …) on whichever sheet holds it;
/// title rows, a two-row header, headers repeated at page breaks, merged cells and note rows are
/// all understood.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao inspect samples/master.xlsx
  tianbao inspect 考评表.xls --sheet 2023年
  tianbao inspect master.ods --json > master.json

Exit status: 0 the table was read (warnings allowed), 1 it has errors (e.g. duplicate ids,
missing weights), 2 it could not be read.")]
pub struct Args {
    /// The master table workbook.
    pub master: PathBuf,
    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    pub json: bool,
    /// Read the table from this sheet instead of searching every sheet.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// A template spec file (labels and messages) instead of the built-in Chinese one.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let spec = match &args.spec {
        Some(path) => Spec::load(path)?,
        None => Spec::builtin(),
    };
    let read = read_master(&args.master, &spec, args.sheet.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&to_json(&read))?);
    } else {
        print!("{}", human(&args.master.display().to_string(), &read));
    }
    let (errors, _) = tally(&read.findings);
    Ok(if errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn to_json(read: &MasterRead) -> serde_json::Value {
    let master = &read.master;
    let mut totals = serde_json::Map::new();
    for (name, weight) in master.category_weights() {
        totals.insert(name, serde_json::to_value(weight).unwrap_or_default());
    }
    totals.insert(
        "total".into(),
        serde_json::to_value(master.total_weight()).unwrap_or_default(),
    );
    json!({
        "title": master.title,
        "sheet": master.sheet,
        "items": master.items,
        "departments": master.departments,
        "totals": totals,
        "categories": master.categories,
        "total_rows": master.totals,
        "findings": read.findings.iter().map(|f| json!({
            "severity": f.severity,
            "code": f.code,
            "cell": f.place(),
            "item": f.item,
            "message": f.message,
        })).collect::<Vec<_>>(),
    })
}

fn human(path: &str, read: &MasterRead) -> String {
    let master = &read.master;
    let mut out = String::new();
    if let Some(title) = &master.title {
        let _ = writeln!(out, "{title}");
    }
    let _ = writeln!(
        out,
        "{path} · sheet {} · {} items in {} categories · {} departments · total weight {}\n",
        master.sheet,
        master.items.len(),
        master.categories.len(),
        master.departments.len(),
        show(master.total_weight()),
    );
    let sums = group_weights(master);
    for category in &master.categories {
        tree(&mut out, master, &sums, category, 0);
    }
    let _ = writeln!(out, "\nDepartments ({})", master.departments.len());
    let width = master
        .departments
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(0);
    for d in &master.departments {
        let pad = width - d.name.chars().count();
        let _ = writeln!(
            out,
            "  {}{}  {:>3} items  weight {:>5}  {}",
            d.name,
            "  ".repeat(pad),
            d.items,
            show(d.weight),
            d.persons.join("、"),
        );
    }
    let (errors, warnings) = tally(&read.findings);
    let _ = writeln!(out, "\nFindings: {errors} errors, {warnings} warnings");
    for finding in &read.findings {
        let _ = writeln!(out, "  {}", finding_line(finding));
    }
    out
}

fn finding_line(f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Error => "error  ",
        Severity::Warning => "warning",
    };
    let item = f
        .item
        .as_deref()
        .map(|i| format!(" [{i}]"))
        .unwrap_or_default();
    format!("{severity} {} {}{item}: {}", f.code, f.place(), f.message)
}

fn points(category: &Category) -> String {
    match category.points {
        Some(p) => format!("{}分, weights {}", show(p), show(category.weight)),
        None => format!("weights {}", show(category.weight)),
    }
}

type GroupSums = std::collections::HashMap<String, rust_decimal::Decimal>;

/// Each group's weight total.
fn group_weights(master: &Master) -> GroupSums {
    let mut sums = GroupSums::new();
    for item in &master.items {
        *sums.entry(item.group.clone()).or_default() += item.weight.unwrap_or_default();
    }
    sums
}

fn tree(out: &mut String, master: &Master, sums: &GroupSums, category: &Category, depth: usize) {
    let indent = "  ".repeat(depth);
    let _ = writeln!(out, "{indent}{}  ({})", category.name, points(category));
    for child in &category.children {
        tree(out, master, sums, child, depth + 1);
    }
    let items: Vec<&Item> = category
        .items
        .iter()
        .filter_map(|id| master.item(id))
        .collect();
    let mut shown_group = None;
    for item in items {
        let in_group = item.group != item.id;
        if in_group && shown_group.as_deref() != Some(item.group.as_str()) {
            let sum = sums.get(item.group.as_str()).copied().unwrap_or_default();
            let declared = item
                .points
                .map(|p| format!("{}分, ", show(p)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{indent}  {}  ({declared}weights {})",
                item.group,
                show(sum)
            );
            shown_group = Some(item.group.clone());
        }
        let deeper = if in_group { "    " } else { "  " };
        let weight = item.weight.map(show).unwrap_or_else(|| "?".into());
        let _ = writeln!(
            out,
            "{indent}{deeper}{:<7} {:>4}  {}",
            item.id,
            weight,
            item.departments.join("、")
        );
    }
}
