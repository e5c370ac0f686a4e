//! `tianbao inspect`: read a master table and show what tianbao understands of it — first which
//! column got which role, then the category tree, the departments and the findings.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;
use tianbao::finding::{Finding, Severity, tally};
use tianbao::master::{MasterRead, read_master};
use tianbao::model::{Category, Item, Master, Role};
use tianbao::spec::Spec;
use tianbao::text::{for_terminal as t, show};

use super::{Fatal, Outcome, ReadArgs};

/// Read a master table (.xlsx, .xlsm, .xls, .ods) and show its columns and their roles, its
/// categories, items, departments and any inconsistencies.
///
/// The table is found by its header labels (序号, 具体措施, 责任单位, 牵头单位, 分值 …) on
/// whichever sheet holds it; title rows, multi-row headers, headers repeated at page breaks,
/// merged cells, section rows (一、… （一）…), notes and 合计 rows are all understood. Where a
/// column's role is not recognised, say it with --map.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao inspect samples/master.xlsx
  tianbao inspect 考评表.xls --sheet 2023年
  tianbao inspect 任务分解表.xlsx --map \"工作事项=task,承担处室=departments\"
  tianbao inspect 县区考评.xlsx --units \"各县（市、区）=鲤城区、丰泽区、洛江区\"
  tianbao inspect master.ods --json > master.json

Exit status: 0 the table was read (warnings allowed), 1 it has errors (e.g. duplicate ids,
missing weights), 2 it could not be read.")]
pub struct Args {
    /// The master table workbook.
    pub master: PathBuf,
    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub read: ReadArgs,
    /// A template spec file (labels and messages) instead of the built-in Chinese one.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let spec = match &args.spec {
        Some(path) => Spec::load(path)?,
        None => Spec::builtin(),
    };
    let options = args.read.reading()?.options()?;
    let read = read_master(&args.master, &spec, &options)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&to_json(&spec, &read))?);
    } else {
        print!(
            "{}",
            human(&spec, &args.master.display().to_string(), &read)
        );
    }
    let (errors, _) = tally(&read.findings);
    Ok(if errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// One item as JSON: today's fields, plus texts by label, lead and cooperating.
pub fn item_json(master: &Master, item: &Item) -> serde_json::Value {
    let mut texts = serde_json::Map::new();
    for t in &item.texts {
        let label = &master.text_columns()[t.column].label;
        texts.insert(label.clone(), json!(t.text));
    }
    json!({
        "id": item.id,
        "id_assigned": item.id_assigned,
        "category": item.category,
        "group": item.group,
        "basis": item.basis(),
        "indicator": item.indicator(),
        "points": item.points,
        "task": item.task(),
        "texts": texts,
        "weight": item.weight,
        "deadline": item.deadline,
        "leaders": item.leaders,
        "departments": item.departments,
        "lead": item.lead(),
        "cooperating": item.cooperating(),
        "persons": item.persons,
        "row": item.row,
        "hidden": item.hidden,
    })
}

fn to_json(spec: &Spec, read: &MasterRead) -> serde_json::Value {
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
        "title": master.title(),
        "sheet": master.sheet(),
        "columns": master.columns().iter().map(|c| json!({
            "column": column_letter(c.index),
            "label": c.label,
            "role": c.role,
            "level": c.level,
        })).collect::<Vec<_>>(),
        "items": master.items().iter().map(|i| item_json(master, i)).collect::<Vec<_>>(),
        "departments": master.departments(),
        "totals": totals,
        "categories": master.categories(),
        "total_rows": master.totals(),
        "findings": read.findings.iter().map(|f| json!({
            "severity": f.severity,
            "code": f.code,
            "cell": f.place(),
            "item": f.item,
            "message": f.message(spec),
        })).collect::<Vec<_>>(),
    })
}

fn column_letter(col: u32) -> String {
    let a1 = tianbao::finding::a1(0, col);
    a1.trim_end_matches('1').to_string()
}

fn human(spec: &Spec, path: &str, read: &MasterRead) -> String {
    let master = &read.master;
    let mut out = String::new();
    if let Some(title) = master.title() {
        let _ = writeln!(out, "{}", t(title));
    }
    let weight = if master.weighted() {
        format!(" · total weight {}", show(master.total_weight()))
    } else {
        " · no weight column".to_string()
    };
    let _ = writeln!(
        out,
        "{} · sheet {} · {} items in {} categories · {} departments{weight}\n",
        t(path),
        t(master.sheet()),
        master.items().len(),
        master.categories().len(),
        master.departments().len(),
    );
    columns(&mut out, master);
    let sums = group_weights(master);
    for category in master.categories() {
        tree(&mut out, master, &sums, category, 0);
    }
    let top: Vec<&Item> = master
        .items()
        .iter()
        .filter(|i| i.category.is_empty())
        .collect();
    items(&mut out, master, &sums, &top, "");
    departments(&mut out, master);
    let (errors, warnings) = tally(&read.findings);
    let _ = writeln!(out, "\nFindings: {errors} errors, {warnings} warnings");
    for finding in &read.findings {
        let _ = writeln!(out, "  {}", finding_line(spec, finding));
    }
    out
}

/// Which header cell got which role, and which columns are read past.
fn columns(out: &mut String, master: &Master) {
    let _ = writeln!(out, "Columns");
    for c in master.columns() {
        let level = c.level.map(|l| format!(" {l}")).unwrap_or_default();
        let label = if c.label.is_empty() { "—" } else { &c.label };
        let _ = writeln!(
            out,
            "  {:<3} {}  → {}{level}",
            column_letter(c.index),
            t(label),
            c.role
        );
    }
    let ignored: Vec<String> = master
        .columns()
        .iter()
        .filter(|c| c.role == Role::Ignored)
        .map(|c| column_letter(c.index))
        .collect();
    if !ignored.is_empty() {
        let _ = writeln!(out, "  ignored: {}", ignored.join(", "));
    }
    let _ = writeln!(out);
}

fn departments(out: &mut String, master: &Master) {
    let _ = writeln!(out, "\nDepartments ({})", master.departments().len());
    let width = master
        .departments()
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(0);
    for d in master.departments() {
        let pad = width - d.name.chars().count();
        let roles = if d.cooperating > 0 {
            format!(" ({} lead, {} cooperating)", d.lead, d.cooperating)
        } else {
            String::new()
        };
        let weight = if master.weighted() {
            format!("  weight {:>5}", show(d.weight))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {}{}  {:>3} items{roles}{weight}  {}",
            t(&d.name),
            "  ".repeat(pad),
            d.items,
            t(&d.persons.join("、")),
        );
    }
}

fn finding_line(spec: &Spec, f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Error => "error  ",
        Severity::Warning => "warning",
    };
    let item = f
        .item
        .as_deref()
        .map(|i| format!(" [{i}]"))
        .unwrap_or_default();
    format!(
        "{severity} {} {}{}: {}",
        f.code,
        t(&f.place()),
        t(&item),
        t(&f.message(spec))
    )
}

fn points(master: &Master, category: &Category) -> String {
    match (category.points, master.weighted()) {
        (Some(p), true) => format!("  ({}分, weights {})", show(p), show(category.weight)),
        (Some(p), false) => format!("  ({}分)", show(p)),
        (None, true) => format!("  (weights {})", show(category.weight)),
        (None, false) => String::new(),
    }
}

type GroupSums = std::collections::HashMap<String, rust_decimal::Decimal>;

/// Each group's weight total.
fn group_weights(master: &Master) -> GroupSums {
    let mut sums = GroupSums::new();
    for item in master.items() {
        *sums.entry(item.group.clone()).or_default() += item.weight.unwrap_or_default();
    }
    sums
}

fn tree(out: &mut String, master: &Master, sums: &GroupSums, category: &Category, depth: usize) {
    let indent = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{indent}{}{}",
        t(&category.name),
        points(master, category)
    );
    for child in &category.children {
        tree(out, master, sums, child, depth + 1);
    }
    let items_here: Vec<&Item> = category
        .items
        .iter()
        .filter_map(|id| master.item(id))
        .collect();
    items(out, master, sums, &items_here, &indent);
}

fn items(out: &mut String, master: &Master, sums: &GroupSums, items: &[&Item], indent: &str) {
    let mut shown_group = None;
    for item in items {
        let in_group = item.group != item.id && master.weighted();
        if in_group && shown_group.as_deref() != Some(item.group.as_str()) {
            let sum = sums.get(item.group.as_str()).copied().unwrap_or_default();
            let declared = item
                .points
                .map(|p| format!("{}分, ", show(p)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{indent}  {}  ({declared}weights {})",
                t(&item.group),
                show(sum)
            );
            shown_group = Some(item.group.clone());
        }
        let deeper = if in_group { "    " } else { "  " };
        let weight = match (master.weighted(), item.weight) {
            (false, _) => String::new(),
            (true, Some(w)) => show(w),
            (true, None) => "?".into(),
        };
        let cooperating = if item.cooperating().is_empty() {
            String::new()
        } else {
            format!(" + {}", t(&item.cooperating().join("、")))
        };
        let _ = writeln!(
            out,
            "{indent}{deeper}{:<7} {:>4}  {}{cooperating}",
            t(&item.id),
            weight,
            t(&item.lead().join("、"))
        );
    }
}
