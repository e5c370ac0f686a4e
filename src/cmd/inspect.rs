//! `tianbao inspect`: read a master table and show what tianbao understands of it — first which
//! column got which role, then the category tree, the departments and the findings.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::render::t;
use serde_json::json;
use tianbao::cell_text::show;
use tianbao::finding::tally;
use tianbao::master::{MasterRead, read_master};
use tianbao::model::{Category, Item, Master, Role};
use tianbao::spec::Spec;
use tianbao::ui_texts::{pad, pad_left};

use super::render::{finding_line, joined, padded};
use super::texts;

use super::{Fatal, Outcome, ReadArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The master table workbook.
    pub master: PathBuf,
    /// One JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub read: ReadArgs,
    /// A template spec: a file, or a built-in one by name (zh, en).
    #[arg(long)]
    pub spec: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let spec = match &args.spec {
        Some(path) => Spec::resolve(path)?,
        None => Spec::builtin_language(super::lang::explicit().unwrap_or(texts().language()))
            .unwrap_or_else(Spec::builtin),
    };
    let options = args.read.reading()?.options()?;
    let read = read_master(&args.master, &spec, &options)?;
    if args.json {
        super::print_json(&to_json(&spec, &read));
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
            "why": c.why,
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
    let a1 = tianbao::workbook::a1(0, col);
    a1.trim_end_matches('1').to_string()
}

fn human(spec: &Spec, path: &str, read: &MasterRead) -> String {
    let tx = texts();
    let master = &read.master;
    let mut out = String::new();
    if let Some(title) = master.title() {
        let _ = writeln!(out, "{}", t(title));
    }
    let weight = if master.weighted() {
        tx.say(
            "inspect.weight",
            &[("weight", &show(master.total_weight()))],
        )
    } else {
        tx.get("inspect.no_weight").to_string()
    };
    let items = tx.count("count.items", master.items().len(), &[]);
    let categories = tx.count("count.categories", master.categories().len(), &[]);
    let departments = tx.count("count.departments", master.departments().len(), &[]);
    let summary = tx.say(
        "inspect.summary",
        &[
            ("path", &t(path)),
            ("sheet", &t(master.sheet())),
            ("items", &items),
            ("categories", &categories),
            ("departments", &departments),
            ("weight", &weight),
        ],
    );
    let _ = writeln!(out, "{summary}\n");
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
    items_lines(&mut out, master, &sums, &top, "");
    departments_lines(&mut out, master);
    let (errors, warnings) = tally(&read.findings);
    let errors = tx.count("count.errors", errors, &[]);
    let warnings = tx.count("count.warnings", warnings, &[]);
    let _ = writeln!(
        out,
        "\n{}",
        tx.say(
            "inspect.findings",
            &[("errors", &errors), ("warnings", &warnings)]
        )
    );
    for finding in &read.findings {
        let _ = writeln!(out, "{}", finding_line(tx, spec, finding));
    }
    out
}

/// A role as the terminal names it (what `--map` accepts too).
fn role_word(role: Role) -> String {
    texts().get(&format!("role.{}", role.as_str())).to_string()
}

/// Which header cell got which role, and which columns are read past.
fn columns(out: &mut String, master: &Master) {
    let tx = texts();
    let _ = writeln!(out, "{}", tx.get("inspect.columns"));
    let labels: Vec<String> = master
        .columns()
        .iter()
        .map(|c| {
            if c.label.is_empty() {
                "—".to_string()
            } else {
                t(&c.label)
            }
        })
        .collect();
    let width = tianbao::ui_texts::widest(labels.iter().map(String::as_str));
    for (c, label) in master.columns().iter().zip(&labels) {
        let level = c
            .level
            .map(|l| tx.say("inspect.level", &[("level", &l.to_string())]))
            .unwrap_or_default();
        let why = tx.get(&format!("inspect.why.{}", c.why.as_str()));
        let _ = writeln!(
            out,
            "  {}  {}  → {}{level}  ({why})",
            pad(&column_letter(c.index), 3),
            pad(label, width),
            role_word(c.role)
        );
    }
    let ignored: Vec<String> = master
        .columns()
        .iter()
        .filter(|c| c.role == Role::Ignored)
        .map(|c| column_letter(c.index))
        .collect();
    if !ignored.is_empty() {
        let list = ignored.join(tx.get("list.separator"));
        let _ = writeln!(out, "{}", tx.say("inspect.ignored", &[("columns", &list)]));
    }
    let _ = writeln!(out);
}

fn departments_lines(out: &mut String, master: &Master) {
    let tx = texts();
    let count = master.departments().len().to_string();
    let _ = writeln!(
        out,
        "\n{}",
        tx.say("inspect.departments", &[("count", &count)])
    );
    let names = padded(master.departments().iter().map(|d| d.name.as_str()));
    let counts: Vec<String> = master
        .departments()
        .iter()
        .map(|d| tx.count("count.items", d.items, &[]))
        .collect();
    let width = tianbao::ui_texts::widest(counts.iter().map(String::as_str));
    for ((d, name), items) in master.departments().iter().zip(&names).zip(&counts) {
        let roles = if d.cooperating > 0 {
            tx.say(
                "inspect.roles",
                &[
                    ("lead", &d.lead.to_string()),
                    ("cooperating", &d.cooperating.to_string()),
                ],
            )
        } else {
            String::new()
        };
        let weight = if master.weighted() {
            tx.say(
                "inspect.department_weight",
                &[("weight", &pad_left(&show(d.weight), 5))],
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {name}  {}{roles}{weight}  {}",
            pad_left(items, width),
            joined(tx, &d.persons),
        );
    }
}

fn points(master: &Master, category: &Category) -> String {
    let tx = texts();
    match (category.points, master.weighted()) {
        (Some(p), true) => tx.say(
            "inspect.points_weights",
            &[("points", &show(p)), ("weight", &show(category.weight))],
        ),
        (Some(p), false) => tx.say("inspect.points", &[("points", &show(p))]),
        (None, true) => tx.say("inspect.weights", &[("weight", &show(category.weight))]),
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
    items_lines(out, master, sums, &items_here, &indent);
}

fn items_lines(out: &mut String, master: &Master, sums: &GroupSums, items: &[&Item], indent: &str) {
    let tx = texts();
    let mut shown_group = None;
    let id_width = tianbao::ui_texts::widest(items.iter().map(|i| i.id.as_str())).max(7);
    for item in items {
        let in_group = item.group != item.id && master.weighted();
        if in_group && shown_group.as_deref() != Some(item.group.as_str()) {
            let sum = sums.get(item.group.as_str()).copied().unwrap_or_default();
            let line = match item.points {
                Some(p) => tx.say(
                    "inspect.points_weights",
                    &[("points", &show(p)), ("weight", &show(sum))],
                ),
                None => tx.say("inspect.weights", &[("weight", &show(sum))]),
            };
            let _ = writeln!(out, "{indent}  {}{line}", t(&item.group));
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
            format!(" + {}", joined(tx, item.cooperating()))
        };
        let _ = writeln!(
            out,
            "{indent}{deeper}{} {}  {}{cooperating}",
            pad(&t(&item.id), id_width),
            pad_left(&weight, 4),
            joined(tx, item.lead())
        );
    }
}
