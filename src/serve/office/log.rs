//! `GET /office/log`: the office's actions (who did what, when, with which options, in words)
//! and every upload's receipt.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

use super::super::html::text;
use super::super::state::{Loaded, State};
use super::department::{UploadRow, uploads_table};
use super::{as_office, or_error, page};
use crate::app::AppError;
use crate::ui_texts::Texts;

/// The log: its lines (when, who, what, detail, each in words) and the uploads' receipts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogView {
    pub lines: Vec<[String; 4]>,
    pub uploads: Vec<UploadRow>,
}

impl LogView {
    pub fn of(
        t: &Texts,
        lines: &[crate::store::LogLine],
        uploads: &[crate::store::Upload],
    ) -> LogView {
        LogView {
            lines: lines
                .iter()
                .map(|l| {
                    let action = format!("log.do.{}", l.action);
                    let action = if t.has(&action) {
                        t.get(&action).to_string()
                    } else {
                        l.action.clone()
                    };
                    [
                        crate::time::local(&l.at),
                        actor(t, &l.actor),
                        action,
                        detail(t, &l.detail),
                    ]
                })
                .collect(),
            uploads: uploads.iter().map(UploadRow::of).collect(),
        }
    }
}

/// The log page body.
pub fn render(t: &Texts, view: &LogView) -> Markup {
    html! {
        section.hero { h1 { (text(t.get("log.title"))) } }
        section.card {
            h2 { (text(t.get("log.actions"))) }
            table {
                thead { tr {
                    @for key in ["receipts.at", "log.actor", "log.action", "log.detail"] {
                        th { (text(t.get(key))) }
                    }
                } }
                tbody {
                    @for [at, actor, action, detail] in &view.lines {
                        tr { td { (text(at)) } td { (text(actor)) } td { (text(action)) } td.name { (text(detail)) } }
                    }
                }
            }
        }
        (uploads_table(t, &view.uploads, true))
    }
}

/// A log line's detail, the command line's options of a run in words.
fn detail(t: &Texts, stored: &str) -> String {
    let word = |part: &str| match part {
        "--allow-incomplete" => Some(t.get("ops.allow_incomplete")),
        "--revalidate" => Some(t.get("job.revalidate")),
        _ => None,
    };
    let parts: Vec<&str> = stored.split(' ').collect();
    if !parts.iter().all(|p| word(p).is_some()) {
        return stored.to_string();
    }
    let words: Vec<&str> = parts.iter().filter_map(|p| word(p)).collect();
    words.join(t.get("list.separator"))
}

/// Who did it, as the log keeps it (`office`, `office@<client>`, `office@cli`), in words.
fn actor(t: &Texts, stored: &str) -> String {
    match stored.strip_prefix("office") {
        Some("") => t.get("log.office").to_string(),
        Some("@cli") => t.get("log.office_cli").to_string(),
        Some(rest) if rest.starts_with('@') => t.say("log.office_at", &[("client", &rest[1..])]),
        _ => stored.to_string(),
    }
}

/// `GET /office/log`: the office's actions and every upload's receipt.
pub async fn log(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |state, loaded, csrf| {
        or_error(state, log_page(state, loaded, csrf))
    })
    .await
}

fn log_page(state: &State, loaded: &Loaded, csrf: &str) -> Result<Response, AppError> {
    let t = loaded.texts();
    let store = state.store()?;
    let view = LogView::of(t, &store.log_lines(300)?, &store.uploads(None, 300)?);
    Ok(page(
        loaded,
        csrf,
        "/office/log",
        t.get("log.title"),
        render(t, &view),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_says_who_did_what_in_words() {
        let t = crate::serve::web_texts("zh");
        assert_eq!(actor(t, "office"), t.get("log.office"));
        assert_eq!(actor(t, "office@cli"), t.get("log.office_cli"));
        assert_eq!(actor(t, "水科"), "水科");
        assert_eq!(detail(t, "--revalidate"), t.get("job.revalidate"));
        assert_eq!(detail(t, "水科"), "水科");
        let view = LogView {
            lines: vec![["t".into(), "a".into(), "b".into(), "<d>".into()]],
            uploads: vec![],
        };
        let html = render(t, &view).into_string();
        assert!(html.contains("<tr><td>t</td><td>a</td><td>b</td><td class=\"name\">&lt;d&gt;</td></tr></tbody></table></section><section class=\"card\"><h2>"), "{html}");
    }
}
