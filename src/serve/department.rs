//! A department's page, reached by its private link `/d/<token>`: its workbook to download,
//! the upload form, what became of its last upload (kept or refused, with the findings at
//! their cells, in the spec's language), where its return stands in the campaign, its feedback
//! workbook when its return has errors to fix, and the receipts of its uploads.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State as Extract};
use axum::http::StatusCode;
use axum::response::Response;

use crate::access::Link;
use crate::app::AppError;
use crate::app::feedback::{self, to_fix};
use crate::finding::{Code, Severity};
use crate::store::{Upload, UploadStatus};

use super::guard;
use super::html::{Page, Who, badge, csrf_field, e, findings_table, say, size};
use super::state::{Attempt, Loaded, State};
use crate::app::upload::Verdict;
use super::view::View;

/// Runs `f` for the department of `token` on a blocking thread. A token in force always opens;
/// one that opens nothing is counted as a failed attempt, and answered "too many attempts"
/// once the client made too many.
async fn with_department(
    state: Arc<State>,
    token: String,
    client: SocketAddr,
    f: impl FnOnce(&State, &Loaded, &Link) -> Response + Send + 'static,
) -> Response {
    let ip = client.ip();
    let worker = state.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let link = match worker.department_link(&token) {
            Ok(Some(link)) => link,
            Ok(None) if worker.wrong_token(ip, Attempt::Department) => {
                return guard::too_many(&worker);
            }
            Ok(None) => return guard::bad_link(&worker),
            Err(e) => return guard::app_error(&worker, &e),
        };
        match worker.loaded() {
            Ok(loaded) => f(&worker, &loaded, &link),
            Err(e) => guard::app_error(&worker, &e),
        }
    })
    .await;
    answer.unwrap_or_else(|_| guard::internal(&state))
}

pub async fn page(
    Extract(state): Extract<Arc<State>>,
    Path(token): Path<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let upload: Option<i64> = query.get("upload").and_then(|v| v.parse().ok());
    let path_token = token.clone();
    with_department(
        state,
        token,
        client,
        move |state, loaded, link| match render(state, loaded, link, &path_token, upload) {
            Ok(page) => guard::html(StatusCode::OK, page),
            Err(e) => guard::app_error(state, &e),
        },
    )
    .await
}

/// The findings a department is shown: not the office's confirmation of a replacement (the
/// department's page says it in words).
fn for_department(findings: &[crate::finding::Finding]) -> Vec<crate::finding::Finding> {
    findings
        .iter()
        .filter(|f| f.code != Code::ReplacementUnconfirmed)
        .cloned()
        .collect()
}

fn render(
    state: &State,
    loaded: &Loaded,
    link: &Link,
    token: &str,
    shown_upload: Option<i64>,
) -> Result<String, AppError> {
    let t = loaded.texts();
    let department = link.department.as_str();
    let store = state.store()?;
    let view = View::read(loaded, &store)?;
    let mine: Vec<&Upload> = view
        .uploads
        .iter()
        .filter(|u| u.department == department)
        .collect();
    let base = format!("/d/{token}");
    let shown = shown_upload.and_then(|id| mine.iter().copied().find(|u| u.id == id));
    let mut body = hero(loaded, department);
    if let Some(upload) = shown {
        let waits = view.status(department).0 == "confirm"
            && view
                .chosen(department)
                .is_some_and(|r| r.sha256 == upload.sha256);
        body.push_str(&result(loaded, upload, waits));
    }
    body.push_str(&standing(loaded, &view, department, &base, shown));
    let csrf = state.form_token(&format!("department\0{}", link.id));
    body.push_str(&upload_form(loaded, &base, &csrf));
    body.push_str(&receipts(t, &mine));
    Ok(Page {
        t,
        campaign: &loaded.campaign.config.title,
        title: department,
        who: Who::Other,
        refresh: None,
        body: &body,
    }
    .render())
}

/// The department's name, its share of the campaign, the deadline and whom to ask.
fn hero(loaded: &Loaded, department: &str) -> String {
    let t = loaded.texts();
    let config = &loaded.campaign.config;
    let info = loaded.master.department(department);
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"hero\"><h1>{}</h1><p class=\"lead\">{}</p>",
        e(department),
        say(
            t,
            "department.lead",
            &[
                ("title", &config.title),
                ("items", &info.map_or(0, |d| d.items).to_string()),
                (
                    "weight",
                    &info.map_or(String::new(), |d| crate::text::show(d.weight))
                ),
            ]
        )
    );
    let mut facts = String::new();
    for (key, value) in [
        ("department.deadline", &config.deadline),
        ("department.contact", &config.contact),
    ] {
        if !value.is_empty() {
            let _ = write!(
                facts,
                "<div><dt>{}</dt><dd>{}</dd></div>",
                e(t.get(key)),
                e(value)
            );
        }
    }
    if !facts.is_empty() {
        let _ = write!(body, "<dl class=\"facts\">{facts}</dl>");
    }
    body.push_str("</section>");
    body
}

/// What became of the upload just made: refused with the reason, or kept (valid — counted, or
/// waiting for the office to confirm that it replaces an earlier valid return — or with its
/// findings at their cells), with its receipt.
fn result(loaded: &Loaded, upload: &Upload, waits: bool) -> String {
    let t = loaded.texts();
    let verdict = Verdict::parse(&upload.findings);
    let mut body = String::from("<section class=\"card result\" id=\"result\">");
    let (title, class, notice) = match upload.status {
        UploadStatus::Refused => {
            let args: Vec<(&str, &str)> = verdict
                .args
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            ("result.refused", "error", say(t, &verdict.reason, &args))
        }
        UploadStatus::Valid if waits => ("result.kept", "ok", e(t.get("result.valid_confirm"))),
        UploadStatus::Valid => ("result.kept", "ok", e(t.get("result.valid"))),
        UploadStatus::Invalid => {
            let errors = verdict
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let text = t.count("result.invalid", errors, &[]);
            ("result.kept", "error", e(&text))
        }
    };
    let _ = write!(
        body,
        "<h2>{}</h2><p class=\"notice {class}\">{notice}</p><p class=\"meta\">{}</p>",
        e(t.get(title)),
        say(
            t,
            "result.receipt",
            &[
                ("name", &upload.name),
                ("size", &size(upload.size)),
                ("at", &crate::time::local(&upload.at)),
                ("sha", upload.sha256.get(..12).unwrap_or("")),
            ]
        )
    );
    body.push_str(&findings_table(t, &verdict.findings, |f| loaded.message(f)));
    body.push_str("</section>");
    body
}

/// Where the department's return stands in the campaign, with its workbook and feedback
/// workbook to download.
fn standing(
    loaded: &Loaded,
    view: &View,
    department: &str,
    base: &str,
    shown: Option<&Upload>,
) -> String {
    let t = loaded.texts();
    let (status, errors) = view.status(department);
    let chosen = view.chosen(department);
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><p class=\"standing\">{}",
        e(t.get("department.standing")),
        badge(t, status, errors)
    );
    if let Some(ret) = chosen {
        let at = ret.received.as_deref().map(crate::time::local);
        let _ = write!(
            body,
            " <span class=\"meta\">{}</span>",
            say(
                t,
                "department.counted",
                &[
                    ("at", &at.unwrap_or_default()),
                    ("filler", ret.signoff_text("filler")),
                ]
            )
        );
    }
    let explain = match status {
        "valid" => "department.valid_hint",
        "invalid" => "department.invalid_hint",
        "confirm" => "department.confirm_hint",
        "waiting" => "department.waiting_hint",
        _ => "department.missing_hint",
    };
    let _ = write!(body, "</p><p>{}</p>", e(t.get(explain)));
    if let Some(ret) = chosen.filter(|r| status == "invalid" && !r.findings.is_empty()) {
        // The upload just shown already lists these when it is the one that counts.
        if shown.is_none_or(|u| u.sha256 != ret.sha256) {
            let own = for_department(&ret.findings);
            body.push_str(&findings_table(t, &own, |f| loaded.message(f)));
        }
    }
    body.push_str("<div class=\"actions\">");
    if loaded.outbox_file(department).is_some_and(|p| p.is_file()) {
        let _ = write!(
            body,
            "<a class=\"button secondary\" href=\"{base}/workbook\">{}</a>",
            e(t.get("department.download"))
        );
    }
    if chosen.is_some_and(to_fix) && status == "invalid" {
        let _ = write!(
            body,
            "<a class=\"button\" href=\"{base}/feedback\">{}</a>",
            e(t.get("department.feedback"))
        );
    }
    body.push_str("</div></section>");
    body
}

/// The upload form (its CSRF token first).
fn upload_form(loaded: &Loaded, base: &str, csrf: &str) -> String {
    let t = loaded.texts();
    let limits = &loaded.campaign.config.limits;
    format!(
        "<section class=\"card\"><h2>{}</h2><p>{}</p>\
         <form method=\"post\" action=\"{base}/upload\" enctype=\"multipart/form-data\" class=\"upload\" data-busy=\"{}\">{}\
         <label class=\"drop\"><input type=\"file\" name=\"file\" required accept=\".xlsx,.xlsm,.xls,.ods,.et,.zip\">\
         <span class=\"pick\">{}</span><span data-file-label>{}</span></label>\
         <button type=\"submit\">{}</button></form><p class=\"meta\">{}</p></section>",
        e(t.get("upload.title")),
        e(t.get("upload.hint")),
        e(t.get("upload.busy")),
        csrf_field(csrf),
        e(t.get("upload.choose")),
        e(t.get("upload.none")),
        e(t.get("upload.submit")),
        say(
            t,
            "upload.limits",
            &[("size", &size(limits.max_file_bytes))]
        )
    )
}

/// The receipts of the department's uploads (the last 20).
fn receipts(t: &crate::ui_texts::Texts, mine: &[&Upload]) -> String {
    if mine.is_empty() {
        return String::new();
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("receipts.title")),
        e(t.get("receipts.at")),
        e(t.get("receipts.name")),
        e(t.get("receipts.size")),
        e(t.get("receipts.sha")),
        e(t.get("receipts.status"))
    );
    for u in mine.iter().take(20) {
        let verdict = Verdict::parse(&u.findings);
        let errors = verdict
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let _ = write!(
            body,
            "<tr><td>{}</td><td class=\"name\">{}</td><td>{}</td><td class=\"cell\">{}</td><td>{}</td></tr>",
            e(&crate::time::local(&u.at)),
            e(&u.name),
            e(&size(u.size)),
            e(u.sha256.get(..12).unwrap_or("")),
            badge(t, u.status.as_str(), errors)
        );
    }
    body.push_str("</tbody></table></section>");
    body
}

/// `GET /d/<token>/workbook`: the department's workbook as generated.
pub async fn workbook(
    Extract(state): Extract<Arc<State>>,
    Path(token): Path<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
) -> Response {
    with_department(state, token, client, |state, loaded, link| {
        let t = loaded.texts();
        let Some(path) = loaded.outbox_file(&link.department).filter(|p| p.is_file()) else {
            return guard::error_page(state, StatusCode::NOT_FOUND, t.get("error.not_generated"));
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read(&path) {
            Ok(bytes) => guard::download(&name, guard::content_type(&name), bytes),
            Err(e) => guard::app_error(state, &AppError::write_io(&path, &e)),
        }
    })
    .await
}

/// `GET /d/<token>/feedback`: a feedback workbook made now from the department's return that
/// counts, as `validate --feedback` makes it (the next round, prefilled, problems marked).
pub async fn feedback(
    Extract(state): Extract<Arc<State>>,
    Path(token): Path<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
) -> Response {
    with_department(state, token, client, |state, loaded, link| {
        let t = loaded.texts();
        let made = (|| -> Result<Option<(String, Vec<u8>)>, AppError> {
            let store = state.store()?;
            let view = View::read(loaded, &store)?;
            let Some(ret) = view.chosen(&link.department) else {
                return Ok(None);
            };
            let at = crate::time::now_utc();
            let (campaign, master, spec) = (&loaded.campaign, &loaded.master, &loaded.spec);
            feedback::for_department(campaign, master, spec, &link.department, ret, &at)
        })();
        match made {
            Ok(Some((name, bytes))) => guard::download(&name, guard::content_type(&name), bytes),
            Ok(None) => guard::error_page(state, StatusCode::NOT_FOUND, t.get("error.no_feedback")),
            Err(e) => guard::app_error(state, &e),
        }
    })
    .await
}
