//! Feedback workbooks: a department's workbook again, for its next round, prefilled with
//! what its return said and its problems marked. `validate --feedback` writes one for each
//! department with errors to fix ([`write_all`]); a department's page makes its own on
//! request ([`for_department`]). Both make it with [`workbook`].

use std::path::{Path, PathBuf};

use super::AppError;
use crate::campaign::Campaign;
use crate::finding::{Code, Severity};
use crate::form::Form;
use crate::model::Master;
use crate::returns::{Collection, Return, Status, feedback};
use crate::spec::Spec;

/// Whether a return has errors its department can fix (not only a replacement the office
/// must confirm).
pub fn to_fix(ret: &Return) -> bool {
    ret.findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.code != Code::ReplacementUnconfirmed)
}

/// What a feedback workbook is made from.
struct Due<'a> {
    department: &'a str,
    ret: &'a Return,
    round: u32,
}

/// The bytes of `due`'s feedback workbook, issued at `issued_at`; `path` names it in an error.
fn workbook(
    campaign: &Campaign,
    master: &Master,
    form: &Form,
    spec: &Spec,
    due: &Due,
    issued_at: &str,
    path: &Path,
) -> Result<Vec<u8>, AppError> {
    let issue = campaign.config.issue(due.round, issued_at);
    let prefill = feedback::prefill(spec, due.ret);
    crate::template::write_template(master, form, due.department, spec, &issue, Some(&prefill))
        .map_err(|e| AppError::write(path, e))
}

/// The feedback workbook of `department` from `ret`, its return that counts, made now: its
/// file name and bytes; None when the return has nothing to fix.
pub fn for_department(
    campaign: &Campaign,
    master: &Master,
    spec: &Spec,
    department: &str,
    ret: &Return,
    issued_at: &str,
) -> Result<Option<(String, Vec<u8>)>, AppError> {
    if !to_fix(ret) {
        return Ok(None);
    }
    let config = &campaign.config;
    let round = feedback::next_round(ret, config.round);
    let name = feedback::file_name(spec, &config.title, department, round);
    let form = Form::new(master, spec);
    let due = Due {
        department,
        ret,
        round,
    };
    let bytes = workbook(
        campaign,
        master,
        &form,
        spec,
        &due,
        issued_at,
        Path::new(&name),
    )?;
    Ok(Some((name, bytes)))
}

/// One feedback workbook per department whose counted return in `collection` has errors to
/// fix, under `out/feedback/`: each department with the path written.
pub fn write_all(
    campaign: &Campaign,
    spec: &Spec,
    master: &Master,
    collection: &Collection,
    issued_at: &str,
) -> Result<Vec<(String, PathBuf)>, AppError> {
    let dir = campaign.out().join("feedback");
    let config = &campaign.config;
    let form = Form::new(master, spec);
    let due: Vec<Due> = collection
        .departments
        .iter()
        .filter_map(|standing| {
            let ret = standing.chosen.map(|i| &collection.returns[i])?;
            let has_items = master.items_of(&standing.department).next().is_some();
            (ret.status == Status::Invalid && to_fix(ret) && has_items).then(|| Due {
                department: standing.department.as_str(),
                ret,
                round: feedback::next_round(ret, config.round),
            })
        })
        .collect();
    let names = crate::cell_text::unique_file_names(
        due.iter()
            .map(|d| {
                let name = feedback::file_name(spec, &config.title, d.department, d.round);
                (d.department.to_string(), name)
            })
            .collect(),
    );
    let mut written = Vec::new();
    for (due, name) in due.into_iter().zip(names) {
        super::create_dir(&dir)?;
        let path = dir.join(name);
        let bytes = workbook(campaign, master, &form, spec, &due, issued_at, &path)?;
        super::save(campaign, &path, &bytes)?;
        written.push((due.department.to_string(), path));
    }
    Ok(written)
}
