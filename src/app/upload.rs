//! Accepting a department's upload (the web's, `tianbao serve`): a file received into the
//! staging folder is checked exactly as `validate` checks a file (gathered with the
//! campaign's `[limits]`, read, identified by its signed identity), and refused — its receipt
//! saying why — or kept: moved byte for byte into `inbox/<部门>/` (`inbox/<期次>/<部门>/` in
//! period mode) under the campaign lock, its receipt recorded in the store. Receiving the
//! file and asking for the validate run that counts it are the server's (`serve::upload`).

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::AppError;
use crate::campaign::Campaign;
use crate::finding::{Code, Finding};
use crate::model::Master;
use crate::returns::{self, Status, gather};
use crate::spec::Spec;
use crate::store::{Store, Upload, UploadStatus};

/// The staging folder's name in the campaign folder.
pub const STAGING: &str = ".tianbao-upload";

/// What an upload came to, as its receipt keeps it (`findings` in the store, as JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Verdict {
    /// Why it was refused (a key of the web texts' `refused.*`), empty when kept.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub args: Vec<(String, String)>,
    /// The findings of its check.
    #[serde(default)]
    pub findings: Vec<Finding>,
}

impl Verdict {
    fn refused(reason: &str, args: &[(&str, &str)], findings: Vec<Finding>) -> Verdict {
        Verdict {
            reason: reason.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            findings,
        }
    }

    pub fn parse(text: &str) -> Verdict {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// Removes what an earlier run left in the staging folder.
pub fn clean_staging(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir.join(STAGING));
}

/// The extensions kept as the browser named them.
const KEPT_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods", "et", "zip"];

/// The extension to store a file under: the browser's where it is a workbook's or a zip's and
/// the content agrees, else what the content is; `None` for anything else.
fn extension_for(name: &str, head: &[u8]) -> Option<&'static str> {
    let given = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let is_zip = head.starts_with(b"PK\x03\x04");
    let is_cfb = head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let kept = KEPT_EXTENSIONS.iter().find(|e| **e == given).copied();
    match kept {
        Some(ext @ ("xlsx" | "xlsm" | "ods" | "zip")) if is_zip => Some(ext),
        Some(ext @ ("xls" | "et")) if is_cfb => Some(ext),
        _ if is_zip => Some("zip"),
        _ if is_cfb => Some("xls"),
        _ => None,
    }
}

/// What was received of the file field.
#[derive(Debug, Clone, Copy)]
pub struct Received {
    /// Bytes written (all of them when under the limit).
    pub size: u64,
    /// The field went past the limit (what came after it was dropped).
    pub over: bool,
}

/// The time and a random part of a stored upload's name: `20240105-093012-a1b2c3`.
fn name_stamp() -> String {
    let now = crate::time::now_utc();
    let digits: String = now.chars().filter(char::is_ascii_digit).collect();
    let random = crate::access::random_hex(3).unwrap_or_else(|_| "000000".into());
    format!(
        "{}-{}-{random}",
        &digits[..8.min(digits.len())],
        &digits[8.min(digits.len())..]
    )
}

/// A file received for a department, in the staging folder.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The department whose link it came through, and that link's id.
    pub department: &'a str,
    pub token: i64,
    /// The name the browser gave (at most 255 characters).
    pub name: &'a str,
    /// The staging folder of this upload, and the file received in it.
    pub staging: &'a Path,
    pub part: &'a Path,
    pub received: Received,
    /// The client's address.
    pub client: &'a str,
}

/// The campaign an upload is checked against.
#[derive(Debug, Clone, Copy)]
pub struct On<'a> {
    pub campaign: &'a Campaign,
    pub master: &'a Master,
    pub spec: &'a Spec,
}

/// What became of an upload: its receipt's id, and whether it was kept in the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub id: i64,
    pub kept: bool,
}

/// Checks the staged file and keeps it in the inbox or refuses it; records its receipt.
/// `hold` is called before the file is moved into the inbox, and what it gives is held until
/// it is there and its receipt recorded (the server's writer and the campaign lock).
pub fn accept<G>(
    on: &On,
    incoming: &Incoming,
    hold: impl FnOnce() -> Result<G, AppError>,
) -> Result<Accepted, AppError> {
    let Incoming { part, name, .. } = *incoming;
    let mut upload = Upload {
        id: 0,
        department: incoming.department.to_string(),
        token: incoming.token,
        file: None,
        name: name.to_string(),
        size: incoming.received.size,
        sha256: String::new(),
        at: crate::time::now_utc(),
        client: incoming.client.to_string(),
        status: UploadStatus::Refused,
        findings: String::new(),
    };
    let refused = |upload: &mut Upload, verdict: &Verdict| -> Result<Accepted, AppError> {
        let id = record(on.campaign, upload, verdict)?;
        Ok(Accepted { id, kept: false })
    };
    if let Some(verdict) = refused_unread(on.campaign, incoming.received) {
        return refused(&mut upload, &verdict);
    }
    upload.sha256 = gather::sha256_file(part).map_err(|e| AppError::write_io(part, &e))?;
    let Some(ext) = extension_for(name, &head_of(part)) else {
        let verdict = Verdict::refused("refused.not_workbook", &[], Vec::new());
        return refused(&mut upload, &verdict);
    };
    let department = incoming.department;
    let file_name =
        crate::cell_text::safe_file_name(&format!("{department}-{}.{ext}", name_stamp()));
    let staged = incoming.staging.join(&file_name);
    std::fs::rename(part, &staged).map_err(|e| AppError::write_io(&staged, &e))?;
    let folder = crate::cell_text::safe_file_name(department);
    // Where it is kept, as people find it: `inbox/<部门>/…`, or `inbox/<期次>/<部门>/…`.
    let shown = format!("{}/{folder}/{file_name}", on.campaign.inbox_key());
    let (verdict, valid) = check(on, department, &staged, &shown)?;
    if !verdict.reason.is_empty() {
        return refused(&mut upload, &verdict);
    }
    upload.status = if valid {
        UploadStatus::Valid
    } else {
        UploadStatus::Invalid
    };
    // Kept: into the inbox, held, its receipt with it.
    let _held = hold()?;
    keep(&staged, &on.campaign.inbox().join(&folder), &file_name)?;
    upload.file = Some(shown);
    let id = record(on.campaign, &mut upload, &verdict)?;
    Ok(Accepted { id, kept: true })
}

/// Records an upload's receipt with its verdict; its id.
fn record(campaign: &Campaign, upload: &mut Upload, verdict: &Verdict) -> Result<i64, AppError> {
    upload.findings = serde_json::to_string(verdict).unwrap_or_default();
    Ok(Store::open(&campaign.store_path())?.add_upload(upload)?)
}

/// A size in bytes as people read it.
pub fn size_text(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Why an upload is refused before it is read: over the size limit, or empty.
fn refused_unread(campaign: &Campaign, received: Received) -> Option<Verdict> {
    let limits = &campaign.config.limits;
    if received.over {
        let limit = size_text(limits.max_file_bytes);
        return Some(Verdict::refused(
            "refused.too_large",
            &[("limit", &limit)],
            Vec::new(),
        ));
    }
    (received.size == 0).then(|| Verdict::refused("refused.empty", &[], Vec::new()))
}

/// A file's first bytes (what it is).
fn head_of(path: &Path) -> Vec<u8> {
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    head[..n].to_vec()
}

/// Checks the staged file as `validate` checks a file: the verdict (a reason when refused),
/// and whether the department's workbook in it is valid. Findings name the file where it
/// will be kept (`shown`).
fn check(
    on: &On,
    department: &str,
    staged: &Path,
    shown: &str,
) -> Result<(Verdict, bool), AppError> {
    let limits = &on.campaign.config.limits;
    let gathered = gather::gather(&[staged.to_path_buf()], limits)?;
    let folder = on
        .campaign
        .inbox()
        .join(crate::cell_text::safe_file_name(department));
    if let Some(verdict) =
        over_a_limit(&on.campaign.inbox(), &folder, gathered.workbooks(), limits)?
    {
        return Ok((verdict, false));
    }
    let ctx = on.campaign.context(on.master, on.spec);
    let collection = returns::collect(&ctx, gathered);
    drop(ctx);
    let staged_shown = staged.display().to_string();
    let mut findings: Vec<Finding> = collection
        .returns
        .iter()
        .flat_map(|r| r.findings.iter().cloned())
        .filter(|f| !matches!(f.code, Code::MissingReturn | Code::DuplicateReturn))
        .collect();
    for f in &mut findings {
        retarget(f, &staged_shown, shown);
    }
    let valid = collection
        .returns
        .iter()
        .filter(|r| r.department.as_deref() == Some(department))
        .all(|r| r.status == Status::Valid);
    Ok((judge(&collection, department, findings), valid))
}

/// Moves the staged file into the department's folder of the inbox, byte for byte, its file
/// time after every earlier upload's there.
fn keep(staged: &Path, dir: &Path, file_name: &str) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::write_io(dir, &e))?;
    let target = dir.join(file_name);
    if target.exists() {
        return Err(AppError::write(
            &target,
            "a file of that name is already there",
        ));
    }
    let time = later_than_every_file(dir);
    std::fs::rename(staged, &target).map_err(|e| AppError::write_io(&target, &e))?;
    set_file_time(&target, time).map_err(|e| AppError::write_io(&target, &e))
}

/// The file time for an upload kept in `dir` (a department's folder of the inbox): now, or a
/// second past the newest file there. A department's later upload then always has the later
/// file time, which is how `validate` chooses among a department's returns of one round (file
/// times are compared to the second; two uploads within a second would otherwise be told
/// apart by their names).
fn later_than_every_file(dir: &Path) -> SystemTime {
    let now = SystemTime::now();
    let newest = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .max();
    let whole = |t: SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    match newest {
        Some(newest) if whole(newest) >= whole(now) => {
            std::time::UNIX_EPOCH + Duration::from_secs(whole(newest) + 1)
        }
        _ => now,
    }
}

/// Sets a file's modification time (its content untouched).
fn set_file_time(path: &Path, time: SystemTime) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .set_modified(time)
}

/// Shows a finding's staged path as where the file is kept.
fn retarget(f: &mut Finding, staged: &str, shown: &str) {
    if let Some(file) = &mut f.file {
        *file = file.replace(staged, shown);
    }
    for value in f.args.values_mut() {
        if value.contains(staged) {
            *value = value.replace(staged, shown);
        }
    }
}

/// Whether an upload of `department` is kept: the reason it is refused, if it is.
fn judge(collection: &returns::Collection, department: &str, findings: Vec<Finding>) -> Verdict {
    const REFUSING: &[Code] = &[
        Code::ForeignCampaign,
        Code::NotATemplate,
        Code::SignatureInvalid,
        Code::SecretChanged,
        Code::StaleTemplate,
        Code::Unreadable,
        Code::Encrypted,
        Code::TooLarge,
        Code::TooManyReturns,
        Code::MacrosInside,
        Code::ReviewMisplaced,
    ];
    if let Some(other) = collection
        .returns
        .iter()
        .filter_map(|r| r.department.as_deref().or(r.claimed.as_deref()))
        .find(|d| *d != department)
    {
        let other = other.to_string();
        return Verdict::refused(
            "refused.other_department",
            &[("department", department), ("other", &other)],
            findings,
        );
    }
    if findings.iter().any(|f| REFUSING.contains(&f.code)) {
        let refusing: Vec<Finding> = findings
            .iter()
            .filter(|f| REFUSING.contains(&f.code))
            .cloned()
            .collect();
        let code = refusing[0].code;
        let key = match code {
            Code::ForeignCampaign => "refused.foreign",
            Code::StaleTemplate => "refused.stale",
            Code::NotATemplate => "refused.not_template",
            Code::SignatureInvalid | Code::SecretChanged => "refused.altered",
            Code::TooLarge => "refused.too_large_inside",
            Code::TooManyReturns => "refused.too_many_department",
            Code::MacrosInside => "refused.macros",
            Code::ReviewMisplaced => "refused.review",
            _ => "refused.unreadable",
        };
        let first = &refusing[0];
        let arg = |name: &str| first.args.get(name).cloned().unwrap_or_default();
        let (limit, count) = (arg("max"), arg("count"));
        return Verdict::refused(key, &[("limit", &limit), ("count", &count)], refusing);
    }
    if !collection
        .returns
        .iter()
        .any(|r| r.department.as_deref() == Some(department))
    {
        return Verdict::refused("refused.no_workbook", &[], findings);
    }
    Verdict {
        findings,
        ..Verdict::default()
    }
}

/// Whether keeping `adding` workbooks in the department's `folder` of the `inbox` takes the
/// department past `limits.max_per_department`, or the run past `limits.max_files` with the
/// department's the source dropped: counted as `validate` counts (every workbook, those in
/// zips too), so that an upload kept is one validate reads, and one department's excess
/// refuses that department's uploads only.
fn over_a_limit(
    inbox: &Path,
    folder: &Path,
    adding: usize,
    limits: &returns::Limits,
) -> Result<Option<Verdict>, AppError> {
    let mut sources = gather::source_counts(inbox, limits)?;
    let mine = match sources.iter().position(|(path, _)| path == folder) {
        Some(i) => i,
        None => {
            sources.push((folder.to_path_buf(), 0));
            sources.len() - 1
        }
    };
    let already = sources[mine].1;
    sources[mine].1 += adding;
    let counts: Vec<usize> = sources.iter().map(|(_, n)| *n).collect();
    let refused = gather::refusals(&counts, limits)[mine];
    Ok(refused.map(|(limit, which)| {
        let (key, count) = match which {
            "department" => ("refused.too_many_department", already),
            _ => ("refused.too_many", counts.iter().sum::<usize>() - adding),
        };
        Verdict::refused(
            key,
            &[("limit", &limit.to_string()), ("count", &count.to_string())],
            vec![],
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_come_from_the_content() {
        let zip = b"PK\x03\x04rest";
        let cfb = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        assert_eq!(extension_for("水科.xlsx", zip), Some("xlsx"));
        assert_eq!(extension_for("a.ZIP", zip), Some("zip"));
        assert_eq!(extension_for("../../etc/passwd", zip), Some("zip"));
        assert_eq!(extension_for("a.xlsx", &cfb), Some("xls"));
        assert_eq!(extension_for("a.xls", &cfb), Some("xls"));
        assert_eq!(extension_for("a.exe", b"MZ\x90\x00"), None);
        assert_eq!(extension_for("a.pdf", b"%PDF-1.7"), None);
    }

    #[test]
    fn stored_names_have_the_time_and_a_random_part() {
        let stamp = name_stamp();
        assert_eq!(stamp.len(), "20240105-093012-a1b2c3".len(), "{stamp}");
        assert!(stamp.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
