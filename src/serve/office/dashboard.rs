//! `GET /office`: the campaign at a glance — how many departments stand where and when the
//! inbox was last checked, generate / validate / compile, each department's standing (when
//! and by whom its return came, how, whom to ask), the review workbooks met and the files
//! that could not be used.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

use super::super::html::{badge, csrf_field, say, text};
use super::super::state::{Loaded, State};
use super::super::view::{View, signoff};
use super::{as_office, or_error, page, relative};
use crate::app::AppError;
use crate::ui_texts::Texts;

/// The campaign at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardView {
    /// Departments in all, valid, invalid (or waiting for a confirmation), missing.
    pub counts: [usize; 4],
    /// When the inbox was last checked (local time); None: never.
    pub checked_at: Option<String>,
    /// Uploads kept that the last check did not see yet.
    pub pending: usize,
    pub csrf: String,
    pub departments: Vec<StandingRow>,
    /// The review folder as shown, and each review workbook the last run met.
    pub review_folder: String,
    pub reviews: Vec<ReviewRow>,
    /// The files the last run could not use.
    pub unusable: Vec<(String, String)>,
}

/// A department's line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandingRow {
    /// Its place in the master (its page's address).
    pub index: usize,
    pub name: String,
    pub status: &'static str,
    pub errors: usize,
    pub received: String,
    pub filler: String,
    pub phone: String,
    pub via: Via,
    pub contact: String,
}

/// How the return that counts came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Via {
    /// No return.
    #[default]
    Nothing,
    /// Uploaded from this client.
    Web(String),
    /// Put in the inbox.
    Inbox,
}

/// A review workbook met: its file, whether it counts, and why not (or that it is valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub file: String,
    pub counted: bool,
    pub message: String,
}

impl DashboardView {
    pub fn of(loaded: &Loaded, view: &View, csrf: &str) -> DashboardView {
        let t = loaded.texts();
        let departments = loaded.master.departments();
        let mut counts = [departments.len(), 0, 0, 0];
        for d in departments {
            let slot = match view.status(&d.name).0 {
                "valid" => 1,
                "invalid" | "confirm" => 2,
                _ => 3,
            };
            counts[slot] += 1;
        }
        let rows = departments
            .iter()
            .enumerate()
            .map(|(index, d)| {
                let (status, errors) = view.status(&d.name);
                let chosen = view.chosen(&d.name);
                StandingRow {
                    index,
                    name: d.name.clone(),
                    status,
                    errors,
                    received: chosen
                        .and_then(|r| r.received.as_deref())
                        .map(crate::time::local)
                        .unwrap_or_default(),
                    filler: signoff(chosen, "filler").to_string(),
                    phone: signoff(chosen, "phone").to_string(),
                    via: match chosen.map(|ret| view.upload_of(ret)) {
                        Some(Some(upload)) => Via::Web(upload.client.clone()),
                        Some(None) => Via::Inbox,
                        None => Via::Nothing,
                    },
                    contact: d.persons.join(t.get("list.separator")),
                }
            })
            .collect();
        DashboardView {
            counts,
            checked_at: view.run.as_ref().map(|run| crate::time::local(&run.at)),
            pending: view.pending(),
            csrf: csrf.to_string(),
            departments: rows,
            review_folder: loaded.campaign.review_inbox_shown(),
            reviews: reviews(loaded, view),
            unusable: unusable(loaded, view),
        }
    }
}

/// Every review workbook the last validate run met, wherever it lay (the review folder, a
/// department's folder or zip, another period's), whether it counts, and why not.
fn reviews(loaded: &Loaded, view: &View) -> Vec<ReviewRow> {
    let t = loaded.texts();
    let Some(collection) = &view.collection else {
        return Vec::new();
    };
    collection
        .reviews_met()
        .into_iter()
        .map(|(r, counted)| {
            let errors: Vec<String> = r
                .findings
                .iter()
                .filter(|f| f.severity == crate::finding::Severity::Error)
                .map(|f| loaded.message(f))
                .collect();
            let message = if errors.is_empty() && counted {
                t.get("overview.review_valid").to_string()
            } else {
                errors.join(" ")
            };
            ReviewRow {
                file: relative(&loaded.campaign.dir, &r.path),
                counted,
                message,
            }
        })
        .collect()
}

/// The files the last run could not use: each file and why.
fn unusable(loaded: &Loaded, view: &View) -> Vec<(String, String)> {
    let Some(collection) = &view.collection else {
        return Vec::new();
    };
    collection
        .returns
        .iter()
        .filter(|r| r.status == crate::returns::Status::Unrecognized)
        .map(|r| {
            let message: Vec<String> = r.findings.iter().map(|f| loaded.message(f)).collect();
            (relative(&loaded.campaign.dir, &r.path), message.join(" "))
        })
        .collect()
}

/// The dashboard's body.
pub fn render(t: &Texts, view: &DashboardView) -> Markup {
    html! {
        (tiles(t, view))
        (operations(t, &view.csrf))
        (standings(t, &view.departments))
        (reviews_card(t, &view.review_folder, &view.reviews))
        @if !view.unusable.is_empty() {
            section.card {
                h2 { (text(t.get("overview.unusable"))) }
                table {
                    thead { tr { th { (text(t.get("col.file"))) } th { (text(t.get("findings.message"))) } } }
                    tbody {
                        @for (file, message) in &view.unusable {
                            tr { td.name { (text(file)) } td { (text(message)) } }
                        }
                    }
                }
            }
        }
    }
}

/// How many departments stand where, and when the inbox was last checked.
fn tiles(t: &Texts, view: &DashboardView) -> Markup {
    let tiles = [
        ("overview.departments", "all"),
        ("overview.valid", "valid"),
        ("overview.invalid", "invalid"),
        ("overview.missing", "missing"),
    ];
    html! {
        section.hero {
            h1 { (text(t.get("overview.title"))) }
            div.tiles {
                @for (n, (key, class)) in view.counts.iter().zip(tiles) {
                    div class={ "tile " (class) } { div.n { (n) } div { (text(t.get(key))) } }
                }
            }
            p.meta {
                @match &view.checked_at {
                    Some(at) => (say(t, "overview.checked", &[("at", at)])),
                    None => (text(t.get("overview.never_checked"))),
                }
                @if view.pending > 0 {
                    " · " b { (text(&t.count("overview.pending", view.pending, &[]))) }
                }
            }
        }
    }
}

/// Generate, validate and compile.
fn operations(t: &Texts, csrf: &str) -> Markup {
    html! {
        section class="card ops" {
            h2 { (text(t.get("ops.title"))) }
            div.op-row {
                form method="post" action="/office/run/generate" data-confirm=(text(t.get("ops.generate_confirm"))) {
                    (csrf_field(csrf)) button.secondary { (text(t.get("ops.generate"))) }
                }
                form method="post" action="/office/run/validate" {
                    (csrf_field(csrf)) button.secondary { (text(t.get("ops.validate"))) }
                }
                form method="post" action="/office/run/compile" {
                    (csrf_field(csrf)) button { (text(t.get("ops.compile"))) }
                    label.check {
                        input type="checkbox" name="allow_incomplete" value="1";
                        " " (text(t.get("ops.allow_incomplete")))
                    }
                }
            }
            p.meta { (text(t.get("ops.hint"))) }
        }
    }
}

/// Each department: its standing, when and by whom its return came, how, whom to ask.
fn standings(t: &Texts, rows: &[StandingRow]) -> Markup {
    html! {
        section.card {
            h2 { (text(t.get("overview.departments_title"))) }
            table.standings {
                thead { tr {
                    @for key in ["col.department", "col.status", "col.received", "col.by", "col.via", "col.contact"] {
                        th { (text(t.get(key))) }
                    }
                } }
                tbody {
                    @for row in rows {
                        tr class=(text(row.status)) {
                            td { a href={ "/office/department/" (row.index) } { (text(&row.name)) } }
                            td { (badge(t, row.status, row.errors)) }
                            td { (text(&row.received)) }
                            td {
                                @match (row.filler.is_empty(), row.phone.is_empty()) {
                                    (true, true) => {}
                                    (false, true) => (text(&row.filler)),
                                    (true, false) => (text(&row.phone)),
                                    (false, false) => { (text(&row.filler)) br; span.meta { (text(&row.phone)) } }
                                }
                            }
                            td {
                                @match &row.via {
                                    Via::Web(client) => (say(t, "via.web", &[("client", client)])),
                                    Via::Inbox => (text(t.get("via.inbox"))),
                                    Via::Nothing => {}
                                }
                            }
                            td { (text(&row.contact)) }
                        }
                    }
                }
            }
        }
    }
}

/// The review workbooks met (none: nothing).
fn reviews_card(t: &Texts, folder: &str, rows: &[ReviewRow]) -> Markup {
    html! {
        @if !rows.is_empty() {
            section.card {
                h2 { (text(&t.say("overview.reviews", &[("folder", folder)]))) }
                table {
                    thead { tr {
                        th { (text(t.get("col.file"))) }
                        th { (text(t.get("col.status"))) }
                        th { (text(t.get("findings.message"))) }
                    } }
                    tbody {
                        @for r in rows {
                            @let (class, word) = if r.counted {
                                ("valid", t.get("overview.review_counted"))
                            } else {
                                ("refused", t.get("overview.review_not_counted"))
                            };
                            tr {
                                td.name { (text(&r.file)) }
                                td { span class={ "badge " (class) } { (text(word)) } }
                                td { (text(&r.message)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /office`: the campaign at a glance.
pub async fn dashboard(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |state, loaded, csrf| {
        or_error(state, dashboard_page(state, loaded, csrf))
    })
    .await
}

fn dashboard_page(state: &State, loaded: &Loaded, csrf: &str) -> Result<Response, AppError> {
    let t = loaded.texts();
    let store = state.store()?;
    let view = View::read(loaded, &store)?;
    let body = render(t, &DashboardView::of(loaded, &view, csrf));
    Ok(page(loaded, csrf, "/office", t.get("overview.title"), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, status: &'static str) -> StandingRow {
        StandingRow {
            name: name.into(),
            status,
            ..StandingRow::default()
        }
    }

    #[test]
    fn the_dashboard_counts_lists_and_offers_the_operations() {
        let t = crate::serve::web_texts("zh");
        let view = DashboardView {
            counts: [3, 1, 1, 1],
            checked_at: None,
            pending: 2,
            csrf: "tok".into(),
            departments: vec![
                StandingRow {
                    index: 0,
                    filler: "张三".into(),
                    phone: "<1>".into(),
                    via: Via::Web("127.0.0.1".into()),
                    ..row("水<科>", "valid")
                },
                StandingRow {
                    index: 1,
                    errors: 2,
                    via: Via::Inbox,
                    ..row("林业", "invalid")
                },
                StandingRow {
                    index: 2,
                    ..row("财政", "missing")
                },
            ],
            review_folder: "review".into(),
            reviews: vec![],
            unusable: vec![("inbox/x.pdf".into(), "不是工作簿".into())],
        };
        let html = render(t, &view).into_string();
        assert!(html.starts_with("<section class=\"hero\"><h1>"), "{html}");
        assert!(
            html.contains("<div class=\"tile all\"><div class=\"n\">3</div>"),
            "{html}"
        );
        assert!(html.contains(" · <b>"), "{html}");
        assert_eq!(
            html.matches("<input type=\"hidden\" name=\"csrf\" value=\"tok\">")
                .count(),
            3
        );
        assert!(html.contains(
            "<label class=\"check\"><input type=\"checkbox\" name=\"allow_incomplete\" value=\"1\"> "
        ));
        assert!(
            html.contains(
                "<tr class=\"valid\"><td><a href=\"/office/department/0\">水&lt;科&gt;</a></td>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<td>张三<br><span class=\"meta\">&lt;1&gt;</span></td>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"badge invalid\">"), "{html}");
        assert!(html.contains("<td class=\"name\">inbox/x.pdf</td><td>不是工作簿</td>"));
        assert!(
            !html.contains("review"),
            "no review card without reviews: {html}"
        );
    }

    #[test]
    fn review_workbooks_say_whether_they_count() {
        let t = crate::serve::web_texts("en");
        let rows = [
            ReviewRow {
                file: "review/a.xlsx".into(),
                counted: true,
                message: "valid".into(),
            },
            ReviewRow {
                file: "inbox/b.xlsx".into(),
                counted: false,
                message: "<no>".into(),
            },
        ];
        let html = reviews_card(t, "review/", &rows).into_string();
        assert!(html.contains("<span class=\"badge valid\">"), "{html}");
        assert!(html.contains("<span class=\"badge refused\">"), "{html}");
        assert!(html.contains("<td>&lt;no&gt;</td>"), "{html}");
    }
}
