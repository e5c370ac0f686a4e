//! `GET /office/department/<n>`: a department as the office sees it — its standing, items,
//! weight and contact, the return that counts (file, when, filler, phone) with its findings,
//! the department's other files and why they do not count, its upload receipts, and its link
//! to reissue; `POST /office/accept` (a replacement confirmed, `validate --accept`) and
//! `POST /office/department/<n>/reissue`. The upload receipts' table is also the log's.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, Path, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};

use super::super::guard;
use super::super::html::{
    FindingRow, badge, csrf_field, finding_rows, findings_table, say, size, text,
};
use super::super::state::{Loaded, State};
use super::super::view::View;
use super::{Form_, as_office, not_found, note, or_error, page, relative};
use crate::app::AppError;
use crate::app::upload::Verdict;
use crate::finding::{Code, Severity};
use crate::store::{Upload, UploadStatus};
use crate::ui_texts::Texts;

/// A department's page for the office.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentView {
    pub index: usize,
    pub name: String,
    pub status: &'static str,
    pub errors: usize,
    /// Items, weight, contact; then, with a return that counts, its file, when it came, its
    /// filler and phone: each a text key and the value.
    pub facts: Vec<(&'static str, String)>,
    /// The return that counts: its path and findings, and whether a replacement waits for
    /// the office's confirmation.
    pub counted: Option<Counted>,
    /// The department's other files the last run saw: file, status, errors, why not.
    pub others: Vec<OtherFile>,
    pub uploads: Vec<UploadRow>,
    pub csrf: String,
}

/// The return that counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    pub path: String,
    pub findings: Vec<FindingRow>,
    pub unconfirmed: bool,
}

/// Another file of the department, and why it is not the one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OtherFile {
    pub file: String,
    pub status: &'static str,
    pub errors: usize,
    pub note: String,
}

/// An upload's receipt as a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadRow {
    pub at: String,
    pub department: String,
    pub name: String,
    pub stored: String,
    pub size: String,
    pub sha256: String,
    pub client: String,
    pub status: &'static str,
    pub errors: usize,
    /// Why it was refused: a text key of the pages and its values.
    pub refused: Option<(String, Vec<(String, String)>)>,
}

impl UploadRow {
    pub fn of(upload: &Upload) -> UploadRow {
        let verdict = Verdict::parse(&upload.findings);
        let errors = verdict
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        UploadRow {
            at: crate::time::local(&upload.at),
            department: upload.department.clone(),
            name: upload.name.clone(),
            stored: upload.file.clone().unwrap_or_else(|| "—".to_string()),
            size: size(upload.size),
            sha256: upload.sha256.clone(),
            client: upload.client.clone(),
            status: upload.status.as_str(),
            errors,
            refused: (upload.status == UploadStatus::Refused)
                .then_some((verdict.reason, verdict.args)),
        }
    }
}

impl DepartmentView {
    pub fn of(loaded: &Loaded, view: &View, index: usize, csrf: &str) -> Option<DepartmentView> {
        let t = loaded.texts();
        let d = loaded.master.departments().get(index)?;
        let (status, errors) = view.status(&d.name);
        let mut facts = vec![
            ("col.items", d.items.to_string()),
            ("col.weight", crate::cell_text::show(d.weight)),
            ("col.contact", d.persons.join(t.get("list.separator"))),
        ];
        let chosen = view.chosen(&d.name);
        if let Some(ret) = chosen {
            let received = ret.received.as_deref().map(crate::time::local);
            facts.extend([
                ("col.file", relative(&loaded.campaign.dir, &ret.path)),
                ("col.received", received.unwrap_or_default()),
                ("col.filler", ret.signoff_text("filler").to_string()),
                ("col.phone", ret.signoff_text("phone").to_string()),
            ]);
        }
        let counted = chosen.map(|ret| Counted {
            path: ret.path.clone(),
            findings: finding_rows(&ret.findings, |f| loaded.message(f)),
            unconfirmed: ret
                .findings
                .iter()
                .any(|f| f.code == Code::ReplacementUnconfirmed),
        });
        Some(DepartmentView {
            index,
            name: d.name.clone(),
            status,
            errors,
            facts,
            counted,
            others: other_files(loaded, view, &d.name),
            uploads: view
                .uploads
                .iter()
                .filter(|u| u.department == d.name)
                .map(UploadRow::of)
                .collect(),
            csrf: csrf.to_string(),
        })
    }
}

/// Every other file of the department the last run saw, with why it is not the one.
fn other_files(loaded: &Loaded, view: &View, department: &str) -> Vec<OtherFile> {
    let Some(collection) = &view.collection else {
        return Vec::new();
    };
    let chosen = view.chosen(department);
    collection
        .returns
        .iter()
        .filter(|r| r.department.as_deref() == Some(department))
        .filter(|r| chosen.is_none_or(|c| c.path != r.path))
        .map(|r| {
            let note: Vec<String> = r
                .findings
                .iter()
                .filter(|f| f.code == Code::DuplicateReturn)
                .map(|f| loaded.message(f))
                .collect();
            OtherFile {
                file: relative(&loaded.campaign.dir, &r.path),
                status: r.status.as_str(),
                errors: r.errors(),
                note: note.join(" "),
            }
        })
        .collect()
}

/// The department's page body.
pub fn render(t: &Texts, view: &DepartmentView) -> Markup {
    html! {
        p.crumbs { a href="/office" { (text(t.get("nav.overview"))) } " › " (text(&view.name)) }
        section.hero {
            h1 { (text(&view.name)) " " (badge(t, view.status, view.errors)) }
            dl.facts {
                @for (key, value) in &view.facts {
                    div { dt { (text(t.get(key))) } dd { (text(value)) } }
                }
            }
        }
        @if let Some(counted) = &view.counted {
            (findings_card(t, counted, &view.csrf))
        }
        (others_card(t, &view.others))
        (uploads_table(t, &view.uploads, false))
        section.card {
            h2 { (text(t.get("links.reissue_title"))) }
            p { (text(t.get("links.reissue_hint"))) }
            form method="post" action={ "/office/department/" (view.index) "/reissue" } data-confirm=(text(t.get("links.reissue_confirm"))) {
                (csrf_field(&view.csrf))
                button.secondary { (text(t.get("links.reissue"))) }
            }
        }
    }
}

/// The findings of the return that counts, and the confirmation a replacement needs.
fn findings_card(t: &Texts, counted: &Counted, csrf: &str) -> Markup {
    html! {
        section.card {
            h2 { (text(t.get("office.findings"))) }
            @if counted.findings.is_empty() {
                p class="notice ok" { (text(t.get("office.no_findings"))) }
            }
            (findings_table(t, &counted.findings))
            @if counted.unconfirmed {
                form method="post" action="/office/accept" class="actions" data-confirm=(text(t.get("office.accept_confirm"))) {
                    (csrf_field(csrf))
                    input type="hidden" name="path" value=(text(&counted.path));
                    button { (text(t.get("office.accept"))) }
                }
            }
        }
    }
}

/// The department's other files (none: nothing).
fn others_card(t: &Texts, others: &[OtherFile]) -> Markup {
    html! {
        @if !others.is_empty() {
            section.card {
                h2 { (text(t.get("office.other_files"))) }
                table {
                    thead { tr {
                        th { (text(t.get("col.file"))) }
                        th { (text(t.get("col.status"))) }
                        th { (text(t.get("findings.message"))) }
                    } }
                    tbody {
                        @for r in others {
                            tr {
                                td.name { (text(&r.file)) }
                                td { (badge(t, r.status, r.errors)) }
                                td { (text(&r.note)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The upload receipts: when, (whose,) the name given, the file kept, size, SHA-256, client,
/// status (a refusal with its reason).
pub fn uploads_table(t: &Texts, uploads: &[UploadRow], department: bool) -> Markup {
    html! {
        section.card {
            h2 { (text(t.get("receipts.title"))) }
            @if uploads.is_empty() {
                p.meta { (text(t.get("receipts.none"))) }
            } @else {
                table.receipts {
                    thead { tr {
                        th { (text(t.get("receipts.at"))) }
                        @if department { th { (text(t.get("col.department"))) } }
                        @for key in ["receipts.name", "receipts.stored", "receipts.size", "receipts.sha", "receipts.client", "receipts.status"] {
                            th { (text(t.get(key))) }
                        }
                    } }
                    tbody {
                        @for u in uploads {
                            tr {
                                td { (text(&u.at)) }
                                @if department { td { (text(&u.department)) } }
                                td.name { (text(&u.name)) }
                                td.name { (text(&u.stored)) }
                                td { (text(&u.size)) }
                                td.cell title=(text(&u.sha256)) { (text(u.sha256.get(..12).unwrap_or(""))) }
                                td { (text(&u.client)) }
                                td {
                                    @match &u.refused {
                                        Some((reason, args)) => {
                                            @let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                                            (badge(t, "refused", 0)) br; span.meta { (say(t, reason, &args)) }
                                        }
                                        None => (badge(t, u.status, u.errors)),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /office/department/<n>`: a department's return, its findings, its uploads and link.
pub async fn department(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Path(n): Path<usize>,
) -> Response {
    as_office(state, headers, None, move |state, loaded, csrf| {
        or_error(state, department_page(state, loaded, csrf, n))
    })
    .await
}

fn department_page(
    state: &State,
    loaded: &Loaded,
    csrf: &str,
    n: usize,
) -> Result<Response, AppError> {
    let store = state.store()?;
    let view = View::read(loaded, &store)?;
    let Some(department) = DepartmentView::of(loaded, &view, n, csrf) else {
        return Ok(not_found(state, loaded));
    };
    let body = render(loaded.texts(), &department);
    Ok(page(loaded, csrf, "/office", &department.name, body))
}

/// `POST /office/department/<n>/reissue`: a new link for the department, the old one revoked.
pub async fn reissue(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(n): Path<usize>,
    Form(form): Form_,
) -> Response {
    as_office(state, headers, Some(&form), move |state, loaded, _csrf| {
        let Some(d) = loaded.master.departments().get(n) else {
            return not_found(state, loaded);
        };
        let actor = format!("office@{}", client.ip());
        match crate::app::links::reissue(&loaded.campaign, &d.name, &actor) {
            Ok(_) => guard::see_other("/office/links"),
            Err(crate::app::links::LinksError::App(e)) => guard::app_error(state, &e),
            Err(e) => {
                let e = super::super::ServeError::from(e);
                guard::explained(state, StatusCode::INTERNAL_SERVER_ERROR, &e)
            }
        }
    })
    .await
}

/// `POST /office/accept`: the office confirms that a return replaces its department's earlier
/// one (`validate --accept`).
pub async fn accept(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Form(form): Form_,
) -> Response {
    let path = form.get("path").cloned().unwrap_or_default();
    let shared = state.clone();
    as_office(state, headers, Some(&form), move |state, loaded, _| {
        // The path must be a return of the last run (never a path the request makes up).
        let found = state.store().and_then(|store| View::read(loaded, &store));
        let known = match found {
            Ok(view) => view.collection.is_some_and(|c| {
                c.returns.iter().any(|r| {
                    r.path == path
                        && r.findings
                            .iter()
                            .any(|f| f.code == Code::ReplacementUnconfirmed)
                })
            }),
            Err(e) => return guard::app_error(state, &e),
        };
        if !known {
            return not_found(state, loaded);
        }
        note(state, &client.ip().to_string(), "accept", &path);
        let work = super::job::Work {
            kind: "accept",
            accept: vec![PathBuf::from(&path)],
            allow_incomplete: false,
            revalidate: false,
        };
        super::job::start(&shared, loaded, work)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> DepartmentView {
        DepartmentView {
            index: 4,
            name: "水<科>".into(),
            status: "invalid",
            errors: 1,
            facts: vec![
                ("col.items", "3".into()),
                ("col.file", "inbox/a'.xlsx".into()),
            ],
            counted: Some(Counted {
                path: "/c/inbox/a\".xlsx".into(),
                findings: vec![],
                unconfirmed: true,
            }),
            others: vec![OtherFile {
                file: "inbox/b.xlsx".into(),
                status: "superseded",
                errors: 0,
                note: "older".into(),
            }],
            uploads: vec![],
            csrf: "c".into(),
        }
    }

    #[test]
    fn a_department_shows_its_facts_findings_and_reissue_form() {
        let t = crate::serve::web_texts("zh");
        let html = render(t, &view()).into_string();
        assert!(
            html.starts_with("<p class=\"crumbs\"><a href=\"/office\">"),
            "{html}"
        );
        assert!(html.contains(" › 水&lt;科&gt;</p><section class=\"hero\"><h1>水&lt;科&gt; <span class=\"badge invalid\">"), "{html}");
        assert!(html.contains("<dd>inbox/a&#39;.xlsx</dd>"), "{html}");
        assert!(
            html.contains("<p class=\"notice ok\">"),
            "no findings: {html}"
        );
        assert!(
            html.contains(
                "<form method=\"post\" action=\"/office/accept\" class=\"actions\" data-confirm=\""
            ),
            "{html}"
        );
        assert!(
            html.contains("<input type=\"hidden\" name=\"path\" value=\"/c/inbox/a&quot;.xlsx\">"),
            "{html}"
        );
        assert!(
            html.contains("<td class=\"name\">inbox/b.xlsx</td>"),
            "{html}"
        );
        assert!(
            html.contains("action=\"/office/department/4/reissue\""),
            "{html}"
        );
    }

    #[test]
    fn receipts_say_why_an_upload_was_refused() {
        let t = crate::serve::web_texts("en");
        let row = UploadRow {
            at: "2024-01-05 09:30".into(),
            department: "水科".into(),
            name: "a<b>.xlsx".into(),
            stored: "—".into(),
            size: "1 B".into(),
            sha256: "0123456789abcdef".into(),
            client: "10.0.0.2".into(),
            status: "refused",
            errors: 0,
            refused: Some((
                "refused.too_large".into(),
                vec![("limit".into(), "<1 MB>".into())],
            )),
        };
        let html = uploads_table(t, &[row], true).into_string();
        assert!(html.contains("<td>水科</td>"), "{html}");
        assert!(
            html.contains("<td class=\"name\">a&lt;b&gt;.xlsx</td>"),
            "{html}"
        );
        assert!(
            html.contains("<td class=\"cell\" title=\"0123456789abcdef\">0123456789ab</td>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"badge refused\">"), "{html}");
        assert!(html.contains("&lt;1 MB&gt;"), "{html}");
        let none = uploads_table(t, &[], false).into_string();
        assert!(none.contains("<p class=\"meta\">"), "{none}");
    }
}
