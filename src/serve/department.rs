//! A department's page, reached by its private link `/d/<token>`: its workbook to download,
//! the upload form, what became of its last upload (kept or refused, with the findings at
//! their cells, in the spec's language), where its return stands in the campaign, its feedback
//! workbook when its return has errors to fix, and the receipts of its uploads.

use std::collections::HashMap;
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
use crate::ui_texts::Texts;
use maud::{Markup, html};

use super::guard;
use super::html::{
    FindingRow, Page, Who, badge, csrf_field, finding_rows, findings_table, say, size, text,
};
use super::state::{Attempt, Loaded, State};
use super::view::View;
use crate::app::upload::Verdict;

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
        move |state, loaded, link| match render_page(state, loaded, link, &path_token, upload) {
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

/// A department's page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentPage {
    pub department: String,
    /// The campaign's title, the department's items and weight.
    pub title: String,
    pub items: usize,
    pub weight: String,
    pub deadline: String,
    pub contact: String,
    /// What became of the upload just made, when the page shows one.
    pub result: Option<UploadResult>,
    pub status: &'static str,
    pub errors: usize,
    /// The return that counts: when it came and its filler.
    pub counted: Option<(String, String)>,
    /// The findings of the return that counts, when it has errors and the upload shown is
    /// not it (that one lists them already).
    pub findings: Vec<FindingRow>,
    /// Its workbook is there to download; its feedback workbook can be made.
    pub workbook: bool,
    pub feedback: bool,
    /// `/d/<token>`.
    pub base: String,
    pub csrf: String,
    pub max_file: String,
    /// The receipts of its uploads (the last 20).
    pub receipts: Vec<Receipt>,
}

/// What became of an upload: refused with the reason, or kept (valid — counted, or waiting for
/// the office to confirm that it replaces an earlier valid return — or with errors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadResult {
    pub kept: bool,
    pub ok: bool,
    /// A text key and its values (refused: a `refused.*` key; kept: the notice's key).
    pub notice: (String, Vec<(String, String)>),
    /// Kept with errors: how many.
    pub errors: Option<usize>,
    pub name: String,
    pub size: String,
    pub at: String,
    pub sha: String,
    pub findings: Vec<FindingRow>,
}

/// An upload's receipt as a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Receipt {
    pub at: String,
    pub name: String,
    pub size: String,
    pub sha: String,
    pub status: &'static str,
    pub errors: usize,
}

fn render_page(
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
    let csrf = state.form_token(&format!("department\0{}", link.id));
    let page = DepartmentPage::of(loaded, &view, department, token, shown_upload, &csrf);
    Ok(Page {
        t,
        campaign: &loaded.campaign.config.title,
        title: department,
        who: Who::Other,
        refresh: None,
        body: render(t, &page),
    }
    .render())
}

impl DepartmentPage {
    fn of(
        loaded: &Loaded,
        view: &View,
        department: &str,
        token: &str,
        shown_upload: Option<i64>,
        csrf: &str,
    ) -> DepartmentPage {
        let config = &loaded.campaign.config;
        let info = loaded.master.department(department);
        let mine: Vec<&Upload> = view
            .uploads
            .iter()
            .filter(|u| u.department == department)
            .collect();
        let shown = shown_upload.and_then(|id| mine.iter().copied().find(|u| u.id == id));
        let (status, errors) = view.status(department);
        let chosen = view.chosen(department);
        let result = shown.map(|upload| {
            let waits = status == "confirm" && chosen.is_some_and(|r| r.sha256 == upload.sha256);
            UploadResult::of(loaded, upload, waits)
        });
        // The upload just shown already lists these when it is the one that counts.
        let findings = match chosen.filter(|r| status == "invalid" && !r.findings.is_empty()) {
            Some(ret) if shown.is_none_or(|u| u.sha256 != ret.sha256) => {
                finding_rows(&for_department(&ret.findings), |f| loaded.message(f))
            }
            _ => Vec::new(),
        };
        DepartmentPage {
            department: department.to_string(),
            title: config.title.clone(),
            items: info.map_or(0, |d| d.items),
            weight: info.map_or(String::new(), |d| crate::cell_text::show(d.weight)),
            deadline: config.deadline.clone(),
            contact: config.contact.clone(),
            result,
            status,
            errors,
            counted: chosen.map(|ret| {
                let at = ret.received.as_deref().map(crate::time::local);
                (
                    at.unwrap_or_default(),
                    ret.signoff_text("filler").to_string(),
                )
            }),
            findings,
            workbook: loaded.outbox_file(department).is_some_and(|p| p.is_file()),
            feedback: chosen.is_some_and(to_fix) && status == "invalid",
            base: format!("/d/{token}"),
            csrf: csrf.to_string(),
            max_file: size(config.limits.max_file_bytes),
            receipts: mine.iter().take(20).map(|u| Receipt::of(u)).collect(),
        }
    }
}

impl UploadResult {
    fn of(loaded: &Loaded, upload: &Upload, waits: bool) -> UploadResult {
        let verdict = Verdict::parse(&upload.findings);
        let plain = |key: &str| (key.to_string(), Vec::new());
        let (kept, ok, notice, errors) = match upload.status {
            UploadStatus::Refused => (
                false,
                false,
                (verdict.reason.clone(), verdict.args.clone()),
                None,
            ),
            UploadStatus::Valid if waits => (true, true, plain("result.valid_confirm"), None),
            UploadStatus::Valid => (true, true, plain("result.valid"), None),
            UploadStatus::Invalid => {
                let errors = verdict
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count();
                (true, false, plain("result.invalid"), Some(errors))
            }
        };
        UploadResult {
            kept,
            ok,
            notice,
            errors,
            name: upload.name.clone(),
            size: size(upload.size),
            at: crate::time::local(&upload.at),
            sha: upload.sha256.get(..12).unwrap_or("").to_string(),
            findings: finding_rows(&verdict.findings, |f| loaded.message(f)),
        }
    }
}

impl Receipt {
    fn of(u: &Upload) -> Receipt {
        let verdict = Verdict::parse(&u.findings);
        Receipt {
            at: crate::time::local(&u.at),
            name: u.name.clone(),
            size: size(u.size),
            sha: u.sha256.get(..12).unwrap_or("").to_string(),
            status: u.status.as_str(),
            errors: verdict
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count(),
        }
    }
}

/// The department's page body.
pub fn render(t: &Texts, page: &DepartmentPage) -> Markup {
    html! {
        (hero(t, page))
        @if let Some(result) = &page.result {
            (result_card(t, result))
        }
        (standing(t, page))
        (upload_form(t, page))
        (receipts(t, &page.receipts))
    }
}

/// The department's name, its share of the campaign, the deadline and whom to ask.
fn hero(t: &Texts, page: &DepartmentPage) -> Markup {
    let (items, facts) = (
        page.items.to_string(),
        [
            ("department.deadline", &page.deadline),
            ("department.contact", &page.contact),
        ],
    );
    let lead = [
        ("title", page.title.as_str()),
        ("items", &items),
        ("weight", &page.weight),
    ];
    html! {
        section.hero {
            h1 { (text(&page.department)) }
            p.lead { (say(t, "department.lead", &lead)) }
            @if facts.iter().any(|(_, v)| !v.is_empty()) {
                dl.facts {
                    @for (key, value) in facts {
                        @if !value.is_empty() {
                            div { dt { (text(t.get(key))) } dd { (text(value)) } }
                        }
                    }
                }
            }
        }
    }
}

/// What became of the upload just made, with its receipt and its findings at their cells.
fn result_card(t: &Texts, result: &UploadResult) -> Markup {
    let title = if result.kept {
        "result.kept"
    } else {
        "result.refused"
    };
    let class = if result.ok { "ok" } else { "error" };
    let receipt = [
        ("name", result.name.as_str()),
        ("size", &result.size),
        ("at", &result.at),
        ("sha", &result.sha),
    ];
    let (key, args) = &result.notice;
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    html! {
        section class="card result" id="result" {
            h2 { (text(t.get(title))) }
            p class={ "notice " (class) } {
                @match (result.kept, result.errors) {
                    (false, _) => (say(t, key, &args)),
                    (true, Some(errors)) => (text(&t.count(key, errors, &[]))),
                    (true, None) => (text(t.get(key))),
                }
            }
            p.meta { (say(t, "result.receipt", &receipt)) }
            (findings_table(t, &result.findings))
        }
    }
}

/// Where the department's return stands in the campaign, with its workbook and feedback
/// workbook to download.
fn standing(t: &Texts, page: &DepartmentPage) -> Markup {
    let explain = match page.status {
        "valid" => "department.valid_hint",
        "invalid" => "department.invalid_hint",
        "confirm" => "department.confirm_hint",
        "waiting" => "department.waiting_hint",
        _ => "department.missing_hint",
    };
    html! {
        section.card {
            h2 { (text(t.get("department.standing"))) }
            p.standing {
                (badge(t, page.status, page.errors))
                @if let Some((at, filler)) = &page.counted {
                    " " span.meta { (say(t, "department.counted", &[("at", at), ("filler", filler)])) }
                }
            }
            p { (text(t.get(explain))) }
            (findings_table(t, &page.findings))
            div.actions {
                @if page.workbook {
                    a class="button secondary" href={ (text(&page.base)) "/workbook" } { (text(t.get("department.download"))) }
                }
                @if page.feedback {
                    a.button href={ (text(&page.base)) "/feedback" } { (text(t.get("department.feedback"))) }
                }
            }
        }
    }
}

/// The upload form (its CSRF token first).
fn upload_form(t: &Texts, page: &DepartmentPage) -> Markup {
    html! {
        section.card {
            h2 { (text(t.get("upload.title"))) }
            p { (text(t.get("upload.hint"))) }
            form method="post" action={ (text(&page.base)) "/upload" } enctype="multipart/form-data" class="upload" data-busy=(text(t.get("upload.busy"))) {
                (csrf_field(&page.csrf))
                label.drop {
                    input type="file" name="file" required accept=".xlsx,.xlsm,.xls,.ods,.et,.zip";
                    span.pick { (text(t.get("upload.choose"))) }
                    span data-file-label { (text(t.get("upload.none"))) }
                }
                button type="submit" { (text(t.get("upload.submit"))) }
            }
            p.meta { (say(t, "upload.limits", &[("size", &page.max_file)])) }
        }
    }
}

/// The receipts of the department's uploads (none: nothing).
fn receipts(t: &Texts, mine: &[Receipt]) -> Markup {
    html! {
        @if !mine.is_empty() {
            section.card {
                h2 { (text(t.get("receipts.title"))) }
                table {
                    thead { tr {
                        @for key in ["receipts.at", "receipts.name", "receipts.size", "receipts.sha", "receipts.status"] {
                            th { (text(t.get(key))) }
                        }
                    } }
                    tbody {
                        @for u in mine {
                            tr {
                                td { (text(&u.at)) }
                                td.name { (text(&u.name)) }
                                td { (text(&u.size)) }
                                td.cell { (text(&u.sha)) }
                                td { (badge(t, u.status, u.errors)) }
                            }
                        }
                    }
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> DepartmentPage {
        DepartmentPage {
            department: "水<科>".into(),
            title: "2024年度考评".into(),
            items: 3,
            weight: "10".into(),
            deadline: "3月1日".into(),
            contact: String::new(),
            status: "invalid",
            errors: 2,
            counted: Some(("2024-01-05 09:30".into(), "张三".into())),
            workbook: true,
            feedback: true,
            base: "/d/tok".into(),
            csrf: "c".into(),
            max_file: "20.0 MB".into(),
            ..DepartmentPage::default()
        }
    }

    #[test]
    fn a_department_sees_its_standing_downloads_and_upload_form() {
        let t = crate::serve::web_texts("zh");
        let html = render(t, &page()).into_string();
        assert!(
            html.starts_with("<section class=\"hero\"><h1>水&lt;科&gt;</h1><p class=\"lead\">"),
            "{html}"
        );
        // Only the facts there are.
        assert_eq!(html.matches("<dt>").count(), 1, "{html}");
        assert!(
            html.contains("<p class=\"standing\"><span class=\"badge invalid\">"),
            "{html}"
        );
        assert!(html.contains("</span> <span class=\"meta\">"), "{html}");
        assert!(
            html.contains("<a class=\"button secondary\" href=\"/d/tok/workbook\">"),
            "{html}"
        );
        assert!(
            html.contains("<a class=\"button\" href=\"/d/tok/feedback\">"),
            "{html}"
        );
        assert!(html.contains("<form method=\"post\" action=\"/d/tok/upload\" enctype=\"multipart/form-data\" class=\"upload\" data-busy=\""), "{html}");
        assert!(html.contains("\"><input type=\"hidden\" name=\"csrf\" value=\"c\"><label class=\"drop\"><input type=\"file\" name=\"file\" required accept=\".xlsx,.xlsm,.xls,.ods,.et,.zip\"><span class=\"pick\">"), "{html}");
        assert!(!html.contains("id=\"result\""), "{html}");
        assert!(!html.contains("<table"), "no receipts, no findings: {html}");
    }

    #[test]
    fn an_upload_refused_says_why() {
        let t = crate::serve::web_texts("en");
        let result = UploadResult {
            kept: false,
            ok: false,
            notice: (
                "refused.too_large".into(),
                vec![("limit".into(), "<1 MB>".into())],
            ),
            name: "a<b>.xlsx".into(),
            ..UploadResult::default()
        };
        let html = result_card(t, &result).into_string();
        assert!(
            html.starts_with("<section class=\"card result\" id=\"result\"><h2>"),
            "{html}"
        );
        assert!(html.contains("<p class=\"notice error\">"), "{html}");
        assert!(html.contains("&lt;1 MB&gt;"), "{html}");
        assert!(html.contains("a&lt;b&gt;.xlsx"), "{html}");
        let kept = UploadResult {
            kept: true,
            ok: false,
            notice: ("result.invalid".into(), vec![]),
            errors: Some(2),
            ..UploadResult::default()
        };
        let html = result_card(t, &kept).into_string();
        assert!(html.contains(&t.count("result.invalid", 2, &[])), "{html}");
    }

    #[test]
    fn receipts_list_the_last_uploads() {
        let t = crate::serve::web_texts("zh");
        let row = Receipt {
            at: "t".into(),
            name: "n".into(),
            size: "1 B".into(),
            sha: "0123456789ab".into(),
            status: "valid",
            errors: 0,
        };
        let html = receipts(t, &[row]).into_string();
        assert!(html.contains("<tr><td>t</td><td class=\"name\">n</td><td>1 B</td><td class=\"cell\">0123456789ab</td><td><span class=\"badge valid\">"), "{html}");
        assert!(receipts(t, &[]).into_string().is_empty());
    }
}
