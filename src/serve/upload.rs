//! A department's upload: received, checked, kept or refused.
//!
//! The file is streamed into a staging folder of the campaign (`.tianbao-upload/`, never in the
//! inbox) under a generated name — `<部门>-<date>-<time>-<random>.<ext>`, the extension told
//! from its content and the name the browser gave only where they agree — never stopping past
//! `limits.max_file_bytes`. It is then checked exactly as `validate` checks a file (gathered with
//! the campaign's `[limits]`, read, identified by its signed identity), and:
//!
//! - **refused** (not kept, not counted; the receipt says why) when it is not a workbook or
//!   zip, over a limit, would take the department past `limits.max_per_department` or the
//!   inbox past `limits.max_files` (counted as `validate` counts: every workbook, those in
//!   zips too), is another department's workbook, another campaign's, stale, not one tianbao
//!   issued, its identity altered, a review workbook (the assessment group's alone), holds
//!   macros, or is unreadable or encrypted;
//! - **kept** otherwise, valid or with errors for the department to fix: moved byte for byte
//!   into `inbox/<部门>/` (`inbox/<期次>/<部门>/` in period mode) under the campaign lock, its receipt (department, token, file, size,
//!   SHA-256, time, client address, status, findings) recorded in the store, and a validate run
//!   of the inbox asked for, so that the office's page and `tianbao compile` count it.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{ConnectInfo, Multipart, Path as UrlPath, State as Extract};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::access::Link;
use crate::app::AppError;
use crate::finding::{Code, Finding};
use crate::returns::{self, Status, gather};
use crate::store::{Upload, UploadStatus};

use super::guard;
use super::state::{Loaded, State};

/// The staging folder's name in the campaign folder.
pub const STAGING: &str = ".tianbao-upload";

/// How much of a refused, oversized body is read (and dropped) before the answer, so that
/// the browser sees the page rather than a broken connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// How long an upload waits for the validate run that counts it.
const REFRESH_WAIT: Duration = Duration::from_secs(20);

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

/// `POST /d/<token>/upload`: a multipart form with `csrf` first, then `file`.
///
/// Nothing of the body is read before the token is verified. The body is then bounded
/// ([`upload_body_limit`]): the `csrf` field to [`CSRF_FIELD_LIMIT`] bytes and everything before
/// the file to [`FORM_PART_LIMIT`] (a longer one is refused with 413, nothing kept); the file
/// streamed to disk, never kept in memory, never written past `limits.max_file_bytes`.
pub async fn upload(
    Extract(state): Extract<Arc<State>>,
    UrlPath(token): UrlPath<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let ip = client.ip();
    let link = match department_of(&state, &token, ip).await {
        Ok(link) => link,
        Err(answer) => return answer,
    };
    let loaded = match state.loaded() {
        Ok(l) => l,
        Err(e) => return guard::app_error(&state, &e),
    };
    let t = loaded.texts();
    let limit = loaded.campaign.config.limits.max_file_bytes;
    let (mut multipart, budget) = match bounded_multipart(&state, &loaded, request).await {
        Ok(bounded) => bounded,
        Err(answer) => return answer,
    };
    let too_long = || {
        guard::error_page(
            &state,
            StatusCode::PAYLOAD_TOO_LARGE,
            t.get("error.field_too_large"),
        )
    };
    // The CSRF field comes first.
    let expected = state.form_token(&format!("department\0{}", link.id));
    let csrf = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf") => small_field(field, &budget).await,
        Err(_) if budget.exceeded() => Small::TooLong,
        _ => Small::Broken,
    };
    let csrf_ok = match csrf {
        Small::Text(text) => State::csrf_ok(&expected, &text),
        Small::TooLong => return too_long(),
        Small::Broken => false,
    };
    if !csrf_ok {
        return guard::error_page(&state, StatusCode::FORBIDDEN, t.get("error.csrf"));
    }
    let field = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("file") => field,
        Err(_) if budget.exceeded() => return too_long(),
        _ => return guard::error_page(&state, StatusCode::BAD_REQUEST, t.get("error.no_file")),
    };
    // The file's part began: from here on the body may grow to the file's bound.
    budget.allow(upload_body_limit(limit));
    let name: String = field.file_name().unwrap_or("").chars().take(255).collect();
    let staging = match staging_dir(&state.dir) {
        Ok(dir) => dir,
        Err(e) => {
            return guard::app_error(&state, &AppError::write_io(&state.dir.join(STAGING), &e));
        }
    };
    let part = staging.join("upload.part");
    let received = match receive(field, &part, limit).await {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return guard::app_error(&state, &AppError::write_io(&part, &e));
        }
    };
    let done = {
        let state = state.clone();
        let client = ip.to_string();
        tokio::task::spawn_blocking(move || {
            let result = keep_or_refuse(
                &state, &loaded, &link, &staging, &part, &name, received, &client,
            );
            let _ = std::fs::remove_dir_all(&staging);
            result
        })
        .await
    };
    match done {
        Ok(Ok(id)) => guard::see_other(&format!("/d/{token}?upload={id}")),
        Ok(Err(e)) => guard::app_error(&state, &e),
        Err(_) => guard::internal(&state),
    }
}

/// The department `token` opens, or the answer when it opens none: a token in force always
/// opens; a wrong one is counted as a failed attempt, and answered "too many attempts" once the
/// client made too many.
async fn department_of(state: &Arc<State>, token: &str, ip: IpAddr) -> Result<Link, Response> {
    let link = {
        let state = state.clone();
        let token = token.to_string();
        tokio::task::spawn_blocking(move || state.department_link(&token)).await
    };
    match link {
        Ok(Ok(Some(link))) => Ok(link),
        Ok(Ok(None)) if state.wrong_token(ip, super::state::Attempt::Department) => {
            Err(guard::too_many(state))
        }
        Ok(Ok(None)) => Err(guard::bad_link(state)),
        Ok(Err(e)) => Err(guard::app_error(state, &e)),
        Err(_) => Err(guard::internal(state)),
    }
}

/// What was received of the file field.
#[derive(Debug, Clone, Copy)]
struct Received {
    /// Bytes written (all of them when under the limit).
    size: u64,
    /// The field went past the limit (what came after it was dropped).
    over: bool,
}

fn staging_dir(dir: &Path) -> std::io::Result<PathBuf> {
    let name = crate::access::random_hex(8).map_err(std::io::Error::other)?;
    let staging = dir.join(STAGING).join(name);
    std::fs::create_dir_all(&staging)?;
    Ok(staging)
}

async fn receive(
    mut field: axum::extract::multipart::Field<'_>,
    part: &Path,
    limit: u64,
) -> std::io::Result<Received> {
    let mut file = std::fs::File::create(part)?;
    let mut size = 0u64;
    let mut over = false;
    let mut dropped = 0u64;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            // A broken connection or body: what came is what there is.
            Err(_) => break,
        };
        if over {
            dropped += chunk.len() as u64;
            if dropped > DRAIN_LIMIT {
                break;
            }
            continue;
        }
        if size + chunk.len() as u64 > limit {
            over = true;
            size += chunk.len() as u64;
            continue;
        }
        size += chunk.len() as u64;
        file.write_all(&chunk)?;
    }
    file.flush()?;
    Ok(Received { size, over })
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

/// Checks the staged file and keeps it in the inbox or refuses it; records its receipt.
/// Returns the receipt's id.
#[allow(clippy::too_many_arguments)]
fn keep_or_refuse(
    state: &State,
    loaded: &Loaded,
    link: &Link,
    staging: &Path,
    part: &Path,
    name: &str,
    received: Received,
    client: &str,
) -> Result<i64, AppError> {
    let mut upload = Upload {
        id: 0,
        department: link.department.clone(),
        token: link.id,
        file: None,
        name: name.to_string(),
        size: received.size,
        sha256: String::new(),
        at: crate::time::now_utc(),
        client: client.to_string(),
        status: UploadStatus::Refused,
        findings: String::new(),
    };
    let record = |upload: &mut Upload, verdict: &Verdict| -> Result<i64, AppError> {
        upload.findings = serde_json::to_string(verdict).unwrap_or_default();
        Ok(state.store()?.add_upload(upload)?)
    };
    if let Some(verdict) = refused_unread(loaded, received) {
        return record(&mut upload, &verdict);
    }
    upload.sha256 = gather::sha256_file(part).map_err(|e| AppError::write_io(part, &e))?;
    let Some(ext) = extension_for(name, &head_of(part)) else {
        let verdict = Verdict::refused("refused.not_workbook", &[], Vec::new());
        return record(&mut upload, &verdict);
    };
    let department = &link.department;
    let file_name = crate::text::safe_file_name(&format!("{department}-{}.{ext}", name_stamp()));
    let staged = staging.join(&file_name);
    std::fs::rename(part, &staged).map_err(|e| AppError::write_io(&staged, &e))?;
    let folder = crate::text::safe_file_name(department);
    // Where it is kept, as people find it: `inbox/<部门>/…`, or `inbox/<期次>/<部门>/…`.
    let shown = format!("{}/{folder}/{file_name}", loaded.campaign.inbox_key());
    let (verdict, valid) = check(loaded, department, &staged, &shown)?;
    if !verdict.reason.is_empty() {
        return record(&mut upload, &verdict);
    }
    upload.status = if valid {
        UploadStatus::Valid
    } else {
        UploadStatus::Invalid
    };
    // Kept: into the inbox under the campaign lock, its receipt with it.
    let id = {
        let _writer = state.writer();
        let campaign = &loaded.campaign;
        let _lock = super::jobs::waiting_for_lock(|| {
            Ok(crate::lock::Lock::acquire(&campaign.dir, "serve")?)
        })?;
        let dir = campaign.inbox().join(&folder);
        keep(&staged, &dir, &file_name)?;
        upload.file = Some(shown);
        record(&mut upload, &verdict)?
    };
    // Counted: the inbox validated again (the department's page and the office's show it).
    state.refresh.run_and_wait(REFRESH_WAIT);
    Ok(id)
}

/// Why an upload is refused before it is read: over the size limit, or empty.
fn refused_unread(loaded: &Loaded, received: Received) -> Option<Verdict> {
    let limits = &loaded.campaign.config.limits;
    if received.over {
        let limit = super::html::size(limits.max_file_bytes);
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
    loaded: &Loaded,
    department: &str,
    staged: &Path,
    shown: &str,
) -> Result<(Verdict, bool), AppError> {
    let limits = &loaded.campaign.config.limits;
    let gathered = gather::gather(&[staged.to_path_buf()], limits)?;
    let folder = loaded
        .campaign
        .inbox()
        .join(crate::text::safe_file_name(department));
    if let Some(verdict) = over_a_limit(
        &loaded.campaign.inbox(),
        &folder,
        gathered.workbooks(),
        limits,
    )? {
        return Ok((verdict, false));
    }
    let ctx = loaded.campaign.context(&loaded.master, &loaded.spec);
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

/// The most an upload's `csrf` field may hold (its token is 64 characters).
const CSRF_FIELD_LIMIT: usize = 256;

/// The most an upload's body may hold before its file's part begins: the CSRF field and the
/// parts' headers, with room for what the connection hands over at once (hyper reads up to
/// about 400 KiB at a time).
const FORM_PART_LIMIT: u64 = 1024 * 1024;

/// How far past `limits.max_file_bytes` an upload's body is still read (and dropped), so that
/// a file a little over the limit gets the page saying so rather than a broken connection.
const OVER_LIMIT_READ: u64 = 16 * 1024 * 1024;

/// The most an upload's body may hold: the file's limit, what is read past it to say so, and
/// the rest of the form. A body declared larger is refused before it is read; one that grows
/// larger is cut off there.
fn upload_body_limit(max_file_bytes: u64) -> u64 {
    max_file_bytes
        .saturating_add(OVER_LIMIT_READ)
        .saturating_add(FORM_PART_LIMIT)
}

/// How much of an upload's body may be read: [`FORM_PART_LIMIT`] until its file's part
/// begins, then [`upload_body_limit`].
struct Budget {
    allowed: std::sync::atomic::AtomicU64,
    exceeded: std::sync::atomic::AtomicBool,
}

impl Budget {
    fn allow(&self, bytes: u64) {
        self.allowed
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    fn exceeded(&self) -> bool {
        self.exceeded.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A request body that fails once more than its [`Budget`] allows came.
struct Capped {
    inner: axum::body::Body,
    seen: u64,
    budget: Arc<Budget>,
}

impl http_body::Body for Capped {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::sync::atomic::Ordering;
        use std::task::Poll;
        let over = || Poll::Ready(Some(Err(axum::Error::new("the upload is too large"))));
        if self.budget.exceeded() {
            return over();
        }
        let frame = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &frame
            && let Some(data) = frame.data_ref()
        {
            self.seen = self.seen.saturating_add(data.len() as u64);
            if self.seen > self.budget.allowed.load(Ordering::Relaxed) {
                self.budget.exceeded.store(true, Ordering::Relaxed);
                return over();
            }
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}

/// The upload's form, its body bounded; refused with 413 when it says it is larger than
/// [`upload_body_limit`] allows.
async fn bounded_multipart(
    state: &State,
    loaded: &Loaded,
    request: axum::extract::Request,
) -> Result<(Multipart, Arc<Budget>), Response> {
    use axum::extract::FromRequest;
    use axum::response::IntoResponse;
    let max_file_bytes = loaded.campaign.config.limits.max_file_bytes;
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > upload_body_limit(max_file_bytes)) {
        let limit = super::html::size(max_file_bytes);
        let message = loaded
            .texts()
            .say("refused.too_large", &[("limit", &limit)]);
        return Err(guard::error_page(
            state,
            StatusCode::PAYLOAD_TOO_LARGE,
            &message,
        ));
    }
    let budget = Arc::new(Budget {
        allowed: std::sync::atomic::AtomicU64::new(FORM_PART_LIMIT),
        exceeded: std::sync::atomic::AtomicBool::new(false),
    });
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(Capped {
        inner: body,
        seen: 0,
        budget: budget.clone(),
    });
    let request = axum::extract::Request::from_parts(parts, body);
    match Multipart::from_request(request, &()).await {
        Ok(multipart) => Ok((multipart, budget)),
        Err(rejection) => Err(rejection.into_response()),
    }
}

/// A small field of a form, as read.
enum Small {
    Text(String),
    /// Longer than [`CSRF_FIELD_LIMIT`], or the body grew past its budget in it.
    TooLong,
    /// Cut short, or not text.
    Broken,
}

/// Reads a small field by chunks, never more than [`CSRF_FIELD_LIMIT`] bytes of it.
async fn small_field(mut field: axum::extract::multipart::Field<'_>, budget: &Budget) -> Small {
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > CSRF_FIELD_LIMIT {
                    return Small::TooLong;
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) if budget.exceeded() => return Small::TooLong,
            Err(_) => return Small::Broken,
        }
    }
    String::from_utf8(bytes).map_or(Small::Broken, Small::Text)
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
