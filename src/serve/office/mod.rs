//! The office's pages, behind the sign-in with the token `tianbao serve` printed: one module per
//! page or group — [`login`] (sign-in and out), [`dashboard`] (the campaign at a glance),
//! [`department`] (a department's findings and receipts, a replacement confirmed, a link
//! reissued), [`job`] (generate / validate / compile started, and a job's page with its progress and outcome), [`files`]
//! (the downloads), [`master`] (the master's columns and findings), [`links`] (the
//! departments' links) and [`log`]. Each route calls the application layer, builds a view
//! value (a plain struct) and renders it with its template.

pub mod dashboard;
pub mod department;
pub mod files;
pub mod job;
pub mod links;
pub mod log;
pub mod login;
pub mod master;

use std::collections::HashMap;
use std::path::Path as FsPath;
use std::sync::Arc;

use axum::Form;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::Markup;

use crate::app::AppError;

use super::guard;
use super::html::{Page, Who};
use super::state::{Loaded, State};

/// The office's session cookie.
const COOKIE: &str = "tb_office";

/// The office's session: its id and CSRF token, when signed in.
fn session(state: &State, headers: &HeaderMap) -> Option<(String, String)> {
    let id = guard::cookie(headers, COOKIE)?;
    let csrf = state.session(id)?;
    Some((id.to_string(), csrf))
}

type Form_ = Form<HashMap<String, String>>;

/// Runs `f` for the signed-in office on a blocking thread (sign-in page otherwise); for a POST,
/// its CSRF token is checked first.
async fn as_office(
    state: Arc<State>,
    headers: HeaderMap,
    form: Option<&HashMap<String, String>>,
    f: impl FnOnce(&State, &Loaded, &str) -> Response + Send + 'static,
) -> Response {
    let Some((_, csrf)) = session(&state, &headers) else {
        return guard::see_other("/login");
    };
    if let Some(form) = form {
        let given = form.get("csrf").map_or("", String::as_str);
        if !State::csrf_ok(&csrf, given) {
            let t = state
                .loaded()
                .map(|l| l.texts())
                .unwrap_or(super::web_texts("zh"));
            return guard::error_page(&state, StatusCode::FORBIDDEN, t.get("error.csrf"));
        }
    }
    let worker = state.clone();
    tokio::task::spawn_blocking(move || match worker.loaded() {
        Ok(loaded) => f(&worker, &loaded, &csrf),
        Err(e) => guard::app_error(&worker, &e),
    })
    .await
    .unwrap_or_else(|_| guard::internal(&state))
}

/// An office's page: `body` under the navigation, `here` marked in it.
fn page(loaded: &Loaded, csrf: &str, here: &str, title: &str, body: Markup) -> Response {
    page_refreshing(loaded, csrf, here, title, body, None)
}

fn page_refreshing(
    loaded: &Loaded,
    csrf: &str,
    here: &str,
    title: &str,
    body: Markup,
    refresh: Option<u32>,
) -> Response {
    guard::html(
        StatusCode::OK,
        Page {
            t: loaded.texts(),
            campaign: &loaded.campaign.config.title,
            title,
            who: Who::Office { csrf, here },
            refresh,
            body,
        }
        .render(),
    )
}

fn or_error(state: &State, result: Result<Response, AppError>) -> Response {
    result.unwrap_or_else(|e| guard::app_error(state, &e))
}

/// The page saying that what was asked for is not there.
fn not_found(state: &State, loaded: &Loaded) -> Response {
    guard::error_page(
        state,
        StatusCode::NOT_FOUND,
        loaded.texts().get("error.not_found"),
    )
}

/// Writes a line to the office's log.
fn note(state: &State, client: &str, action: &str, detail: &str) {
    if let Ok(store) = state.store() {
        let _ = store.log(
            &crate::time::now_utc(),
            &format!("office@{client}"),
            action,
            detail,
        );
    }
}

/// A path as shown on the pages: relative to the campaign folder where it is inside it.
fn relative(dir: &FsPath, path: &str) -> String {
    let p = FsPath::new(path);
    let shown = p
        .strip_prefix(dir)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| path.to_string());
    shown.replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_from_the_campaign_folder() {
        let dir = FsPath::new("/c/campaign");
        assert_eq!(
            relative(dir, "/c/campaign/inbox/水科/a.xlsx"),
            "inbox/水科/a.xlsx"
        );
        assert_eq!(relative(dir, "/elsewhere/a.xlsx"), "/elsewhere/a.xlsx");
    }
}
