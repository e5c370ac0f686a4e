//! `GET /office/links`: every department's link to send, each with its form to reissue it
//! (`POST /office/department/<n>/reissue`, in [`super::department`]).

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

use super::super::html::{csrf_field, text};
use super::super::state::{Loaded, State};
use super::{as_office, or_error, page};
use crate::app::AppError;
use crate::ui_texts::Texts;

/// Each department (in the master's order) and its link ("" when it has none in force).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinksView {
    pub links: Vec<(String, String)>,
    pub csrf: String,
}

/// The links page body.
pub fn render(t: &Texts, view: &LinksView) -> Markup {
    html! {
        section.hero { h1 { (text(t.get("links.title"))) } p.lead { (text(t.get("links.hint"))) } }
        section.card {
            table.links {
                thead { tr { th { (text(t.get("col.department"))) } th { (text(t.get("links.link"))) } th {} } }
                tbody {
                    @for (i, (department, url)) in view.links.iter().enumerate() {
                        tr {
                            td { (text(department)) }
                            td class="cell url" { input readonly value=(text(url)) data-select; }
                            td {
                                form method="post" action={ "/office/department/" (i) "/reissue" } data-confirm=(text(t.get("links.reissue_confirm"))) {
                                    (csrf_field(&view.csrf))
                                    button.link { (text(t.get("links.reissue"))) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /office/links`: every department's link, to send.
pub async fn links(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |state, loaded, csrf| {
        or_error(state, links_page(loaded, csrf))
    })
    .await
}

fn links_page(loaded: &Loaded, csrf: &str) -> Result<Response, AppError> {
    use crate::app::links::{LinksError, in_force};
    let t = loaded.texts();
    let links = in_force(&loaded.campaign, &loaded.master).map_err(|e| match e {
        LinksError::App(e) => e,
        LinksError::Access(e) => AppError::Receipt(e.to_string()),
    })?;
    let view = LinksView {
        links,
        csrf: csrf.to_string(),
    };
    let body = render(t, &view);
    Ok(page(
        loaded,
        csrf,
        "/office/links",
        t.get("links.title"),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_link_is_there_to_copy_with_its_reissue_form() {
        let t = crate::serve::web_texts("zh");
        let view = LinksView {
            links: vec![
                ("水科".into(), "http://h:1/d/abc".into()),
                ("林<业>".into(), String::new()),
            ],
            csrf: "c".into(),
        };
        let html = render(t, &view).into_string();
        assert!(html.contains("<th></th></tr></thead>"), "{html}");
        assert!(html.contains(
            "<tr><td>水科</td><td class=\"cell url\"><input readonly value=\"http://h:1/d/abc\" data-select></td><td><form method=\"post\" action=\"/office/department/0/reissue\" data-confirm=\""
        ), "{html}");
        assert!(html.contains("<td>林&lt;业&gt;</td>"), "{html}");
        assert!(
            html.contains("action=\"/office/department/1/reissue\""),
            "{html}"
        );
        assert!(html.contains("<button class=\"link\">"), "{html}");
    }
}
