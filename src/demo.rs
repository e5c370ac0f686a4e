//! Playing the departments, for the demo, the bundled sample returns and the benchmarks: what a
//! department types into its workbook, correctly or with the mistakes people make. Fills go
//! through the template writer's prefill, the same path as feedback; the one mistake a prefill
//! cannot make (editing a locked master cell) is made afterwards in the workbook's XML, the way
//! another program would.

use std::collections::HashMap;
use std::io::{Read, Write};

use rust_decimal::Decimal;

use crate::cell_text::show;
use crate::model::{Item, Master};
use crate::spec::{InputKind, Spec};
use crate::template::Prefill;

/// The sample master table, built into the binary so the demo needs no files.
pub const SAMPLE_MASTER: &[u8] = include_bytes!("../samples/master.xlsx");

/// A mistake a department makes on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mistake {
    /// A score above the item's weight.
    ScoreAboveWeight(String),
    /// A score below the weight with no deduction reason.
    EmptyDeduction(String),
    /// The item's task text edited (a locked cell).
    ChangedText(String),
}

/// What `department` fills in: full marks on most items, a deduction with its reason on every
/// fifth, a status, progress text, the sign-off — all deterministic.
pub fn fill(master: &Master, department: &str, spec: &Spec, mistakes: &[Mistake]) -> Prefill {
    let mut prefill = Prefill::default();
    let score_key = spec
        .score_input()
        .map(|i| i.key.clone())
        .unwrap_or_default();
    for (index, item) in master.items_of(department).enumerate() {
        let weight = item.weight.unwrap_or_default();
        let deducted = index % 5 == 4 && weight >= Decimal::ONE;
        let mut score = if deducted {
            weight - Decimal::new(5, 1)
        } else {
            weight
        };
        let mut deduction = deducted.then(|| deduction_text(item));
        for mistake in mistakes {
            match mistake {
                Mistake::ScoreAboveWeight(id) if *id == item.id => {
                    score = weight + Decimal::ONE;
                    deduction = None;
                }
                Mistake::EmptyDeduction(id) if *id == item.id => {
                    score = weight - Decimal::new(5, 1).min(weight);
                    deduction = None;
                }
                _ => {}
            }
        }
        let mut values = HashMap::new();
        for input in &spec.inputs {
            let value = match (input.kind, input.key.as_str()) {
                (InputKind::Score, _) => show(score),
                (InputKind::Choice, _) => {
                    let index = usize::from(score < weight);
                    input.choices.get(index).cloned().unwrap_or_default()
                }
                (_, "progress") => progress_text(item),
                (_, "deduction") => deduction.clone().unwrap_or_default(),
                _ => String::new(),
            };
            if !value.is_empty() {
                values.insert(input.key.clone(), value);
            }
        }
        values
            .entry(score_key.clone())
            .or_insert_with(|| show(score));
        prefill.items.insert(item.id.clone(), values);
    }
    let person = master
        .departments()
        .iter()
        .find(|d| d.name == department)
        .and_then(|d| d.persons.first())
        .cloned()
        .unwrap_or_else(|| "张三".into());
    for input in &spec.signoff {
        let value = match input.kind {
            InputKind::Phone => "0595-22345678".to_string(),
            _ => match input.key.as_str() {
                "seal" => department.to_string(),
                "filler" | "head" => person.clone(),
                "date" => "2024-01-08".to_string(),
                _ => String::new(),
            },
        };
        if !value.is_empty() {
            prefill.signoff.insert(input.key.clone(), value);
        }
    }
    prefill
}

fn excerpt(item: &Item) -> String {
    let text = item.task().or(item.indicator()).unwrap_or("");
    text.chars()
        .take_while(|c| !"，。；,;".contains(*c))
        .take(24)
        .collect()
}

fn progress_text(item: &Item) -> String {
    format!(
        "围绕“{}”，已按年度计划推进并完成目标任务，相关台账和佐证材料已整理归档。",
        excerpt(item)
    )
}

fn deduction_text(item: &Item) -> String {
    format!("“{}”中个别事项未在时限内完成，已整改。", excerpt(item))
}

/// Every department of `campaign` returns its workbook filled correctly into inbox/ (in
/// parallel). Returns how many were written.
pub fn return_all(campaign: &crate::campaign::Campaign) -> Result<usize, String> {
    use rayon::prelude::*;
    let spec = campaign.spec().map_err(|e| e.to_string())?;
    let master = campaign
        .read_master(&spec)
        .map_err(|e| e.to_string())?
        .master;
    let config = &campaign.config;
    let issued_at = crate::time::now_utc();
    let issue = config.issue(config.round, &issued_at);
    let form = crate::form::Form::new(&master, &spec);
    let departments: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let names = crate::template::file_names(&config.title, &departments);
    master
        .departments()
        .par_iter()
        .zip(&names)
        .try_for_each(|(d, name)| {
            let prefill = fill(&master, &d.name, &spec, &[]);
            let bytes = crate::template::write_template(
                &master,
                &form,
                &d.name,
                &spec,
                &issue,
                Some(&prefill),
            )
            .map_err(|e| e.to_string())?;
            let path = campaign.inbox().join(name);
            crate::write::save_atomic(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))
        })?;
    Ok(master.departments().len())
}

/// Every department of `campaign` returns its workbook into inbox/, filled with the
/// `mistakes` given for it (none for the others). Returns how many were written.
pub fn return_with_mistakes(
    campaign: &crate::campaign::Campaign,
    mistakes: &[(&str, Vec<Mistake>)],
) -> Result<usize, crate::app::AppError> {
    use crate::app::AppError;
    let spec = campaign.spec()?;
    let master = campaign.read_master(&spec)?.master;
    let config = &campaign.config;
    let issued_at = crate::time::now_utc();
    let issue = config.issue(config.round, &issued_at);
    let form = crate::form::Form::new(&master, &spec);
    for department in master.departments() {
        let name = department.name.as_str();
        let theirs: &[Mistake] = mistakes
            .iter()
            .find(|(d, _)| *d == name)
            .map_or(&[], |(_, m)| m.as_slice());
        let prefill = fill(&master, name, &spec, theirs);
        let path = campaign
            .inbox()
            .join(crate::template::file_name(&config.title, name));
        let mut bytes =
            crate::template::write_template(&master, &form, name, &spec, &issue, Some(&prefill))
                .map_err(|e| AppError::write(&path, e))?;
        for mistake in theirs {
            if let Mistake::ChangedText(id) = mistake
                && let Some(item) = master.item(id)
            {
                bytes = change_locked_text(&bytes, item).unwrap_or(bytes);
            }
        }
        // Returns go into the inbox, which tianbao's own outputs never may.
        crate::write::save_atomic(&path, &bytes).map_err(|e| AppError::write_io(&path, &e))?;
    }
    Ok(master.departments().len())
}

/// The departments whose returns had errors fix them in the feedback workbooks they got
/// (scores within the weight, the missing deduction reasons written) and return those into
/// inbox/. Returns each department with the file it returned.
pub fn return_fixed(
    campaign: &crate::campaign::Campaign,
) -> Result<Vec<(String, std::path::PathBuf)>, crate::app::AppError> {
    use crate::app::AppError;
    use crate::returns::{self, feedback, gather};
    let spec = campaign.spec()?;
    let master = campaign.read_master(&spec)?.master;
    let config = &campaign.config;
    let issued_at = crate::time::now_utc();
    let form = crate::form::Form::new(&master, &spec);
    let feedback_dir = campaign.out().join("feedback");
    let ctx = campaign.context(&master, &spec);
    let gathered = gather::gather(std::slice::from_ref(&feedback_dir), &ctx.limits)?;
    let collection = returns::collect(&ctx, gathered);
    let mut returned = Vec::new();
    for ret in &collection.returns {
        let Some(department) = &ret.department else {
            continue;
        };
        // What the feedback workbook holds, corrected; the locked text is already restored.
        let mut prefill = feedback::prefill(&spec, ret);
        prefill.marks.clear();
        for item in master.items_of(department) {
            let values = prefill.items.entry(item.id.clone()).or_default();
            let weight = item.weight.unwrap_or_default();
            let score = values
                .get("score")
                .and_then(|s| crate::cell_text::parse_decimal(s));
            if score.is_none_or(|s| s > weight) {
                values.insert("score".into(), show(weight));
            }
            let below = score.is_some_and(|s| s < weight);
            if below && values.get("deduction").is_none_or(|d| d.trim().is_empty()) {
                values.insert("deduction".into(), "个别事项未按时完成，已整改。".into());
            }
        }
        let round = ret.round.unwrap_or(config.round);
        let issue = config.issue(round, ret.issued_at.as_deref().unwrap_or(&issued_at));
        let path =
            campaign
                .inbox()
                .join(feedback::file_name(&spec, &config.title, department, round));
        let bytes = crate::template::write_template(
            &master,
            &form,
            department,
            &spec,
            &issue,
            Some(&prefill),
        )
        .map_err(|e| AppError::write(&path, e))?;
        // Returns go into the inbox, which tianbao's own outputs never may.
        crate::write::save_atomic(&path, &bytes).map_err(|e| AppError::write_io(&path, &e))?;
        returned.push((department.clone(), path));
    }
    Ok(returned)
}

/// The workbook `bytes` with the locked task text of `item` edited, as a person might in a
/// program that ignores the sheet protection. `None` when the text is not found.
pub fn change_locked_text(bytes: &[u8], item: &Item) -> Option<Vec<u8>> {
    let task = item.task()?;
    let escaped = xml_escape(task);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut changed = false;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).ok()?;
        let name = entry.name().ok()?.into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).ok()?;
        if name == "xl/sharedStrings.xml" {
            let text = String::from_utf8(data).ok()?;
            if text.contains(&escaped) {
                changed = true;
            }
            data = text
                .replacen(&escaped, &format!("{escaped}（已按实际调整）"), 1)
                .into_bytes();
        }
        out.start_file(name, options).ok()?;
        out.write_all(&data).ok()?;
    }
    let bytes = out.finish().ok()?.into_inner();
    changed.then_some(bytes)
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What the demo's assessment group enters in the review workbook: two 核定 changes (half a
/// point off the first department's first item, one point off the third's), a 加分 and two
/// 扣分 of the spec's first categories of each kind, and the sign-off.
pub fn review_entries(
    checked: &crate::app::check::Checked,
    reviewer: &str,
    date: &str,
) -> crate::template::review::ReviewPrefill {
    let (master, spec) = (&checked.master, &checked.spec);
    let mut entered = crate::template::review::ReviewPrefill::default();
    let names: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    entered.scores = score_changes(checked, &names);
    entered.adjustments = adjustments(spec, &names);
    for (key, value) in [("reviewer", reviewer), ("date", date)] {
        entered.signoff.insert(key.to_string(), value.to_string());
    }
    entered
}

/// The 核定 changes of [`review_entries`]: the first and third departments' first item scored
/// at least the cut, lowered by it.
fn score_changes(
    checked: &crate::app::check::Checked,
    names: &[&str],
) -> HashMap<(String, String), (String, String)> {
    let master = &checked.master;
    let mut scores = HashMap::new();
    let own = |department: &str, item: &str| {
        checked
            .collection
            .chosen(department)
            .and_then(|r| r.items.get(item))
            .and_then(|i| i.score)
    };
    let changes = [
        (0, Decimal::new(5, 1), "佐证材料不全，核减 0.5 分。"),
        (2, Decimal::ONE, "部分任务未在时限内完成，核减 1 分。"),
    ];
    for (index, cut, note) in changes {
        let Some(department) = names.get(index) else {
            continue;
        };
        let found = master.items_of(department).find_map(|item| {
            own(department, &item.id)
                .filter(|s| *s >= cut)
                .map(|s| (item, s))
        });
        if let Some((item, score)) = found {
            scores.insert(
                (item.id.clone(), department.to_string()),
                (show(score - cut), note.to_string()),
            );
        }
    }
    scores
}

/// The 加减分 entries of [`review_entries`]: a bonus and two deductions.
fn adjustments(spec: &Spec, names: &[&str]) -> Vec<[String; 4]> {
    use crate::spec::AdjustKind;
    let mut out = Vec::new();
    let first_of = |kind: AdjustKind, skip: usize| {
        spec.review
            .categories
            .iter()
            .filter(|c| c.kind == kind)
            .nth(skip)
            .or_else(|| spec.review.categories.iter().find(|c| c.kind == kind))
            .map(|c| c.name.clone())
    };
    let entries = [
        (
            1,
            first_of(AdjustKind::Bonus, 0),
            "1",
            "获省级表彰（闽环发〔2023〕12号）。",
        ),
        (
            3,
            first_of(AdjustKind::Deduction, 0),
            "1.5",
            "督察通报问题整改滞后。",
        ),
        (
            4,
            first_of(AdjustKind::Deduction, 1),
            "0.5",
            "未按时报送信息一次。",
        ),
    ];
    for (index, category, points, basis) in entries {
        if let (Some(department), Some(category)) = (names.get(index), category) {
            out.push([
                department.to_string(),
                category,
                points.to_string(),
                basis.to_string(),
            ]);
        }
    }
    out
}

/// The assessment group returns the review workbook into review/ filled as [`review_entries`]
/// says (through the review writer's prefill, as departments fill through the template's).
/// Returns its path and how many 核定 changes and 加减分 entries it holds.
pub fn return_review(
    campaign: &crate::campaign::Campaign,
    reviewer: &str,
    date: &str,
) -> Result<(std::path::PathBuf, usize, usize), crate::app::AppError> {
    let quiet = crate::app::Quiet;
    let campaign = crate::campaign::Campaign::open(&campaign.dir)?;
    let checked = crate::app::check::check(campaign, &[], &quiet)?;
    let entered = review_entries(&checked, reviewer, date);
    let round = crate::app::review::next_round(&checked);
    let at = crate::time::now_utc();
    let made = crate::app::review::review_workbook(&checked, round, &at, &entered)?;
    let spec = &checked.spec;
    let name = crate::cell_text::render(
        &spec.word("review.file"),
        &[("title", &checked.campaign.config.title)],
    );
    let folder = checked.campaign.review_inbox();
    std::fs::create_dir_all(&folder).map_err(|e| crate::app::AppError::write_io(&folder, &e))?;
    let path = folder.join(crate::cell_text::safe_file_name(&name));
    crate::write::save_atomic(&path, &made.bytes)
        .map_err(|e| crate::app::AppError::write_io(&path, &e))?;
    Ok((path, entered.scores.len(), entered.adjustments.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_master_is_built_in() {
        let book = crate::workbook::open_bytes("master.xlsx", SAMPLE_MASTER.to_vec()).unwrap();
        let read = crate::master::read_master_workbook(
            "master.xlsx",
            &book,
            &Spec::builtin(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(read.master.items().len(), 61);
        let prefill = fill(&read.master, "水科", &Spec::builtin(), &[]);
        assert_eq!(prefill.items.len(), 6);
        assert_eq!(prefill.items["1-7-1"]["score"], "2");
        assert_eq!(prefill.signoff["phone"], "0595-22345678");
    }
}
