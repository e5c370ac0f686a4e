//! What every request passes: the Host header (on loopback, only this computer's names, so
//! that a web page elsewhere cannot reach the server through a name it points at 127.0.0.1),
//! the Origin of every POST (only this server's own pages post), and the security headers on
//! every answer. Also the answers every page shares: errors, "not found", "too many attempts".

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::html::{Page, Who, text};
use super::state::State;
use crate::ui_texts::Texts;

/// The Content-Security-Policy: nothing but this server's own styles, script and images; no
/// inline script; no framing; forms post only here.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn guard(Extract(state): Extract<Arc<State>>, request: Request, next: Next) -> Response {
    let host_ok = host_allowed(&state, request.headers());
    let origin_ok = request.method() != Method::POST || origin_allowed(request.headers());
    let mut response = if !host_ok {
        // Not even the campaign's title to a page that reached this server by another name.
        let t = texts(&state);
        page_of_error(t, "", StatusCode::MISDIRECTED_REQUEST, t.get("error.host"))
    } else if !origin_ok {
        let t = texts(&state);
        error_page(&state, StatusCode::FORBIDDEN, t.get("error.origin"))
    } else {
        said_in_words(&state, next.run(request).await)
    };
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // No referrer to other sites (a department's link holds its token); to this server its own
    // pages' origin, which a browser then also sends as the Origin of their forms (with
    // `no-referrer` it sends `Origin: null`, which the check above refuses).
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(
        headers,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        headers,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// A refusal that is not one of the pages' (a request the routes could not take: a malformed
/// path, form or upload, a method a page does not take) as a page in the pages' language.
fn said_in_words(state: &State, response: Response) -> Response {
    let status = response.status();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    if !status.is_client_error() || html {
        return response;
    }
    let t = texts(state);
    let key = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "error.not_found",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        _ => "error.bad_request",
    };
    error_page(state, status, t.get(key))
}

/// On loopback, the Host must name this computer (127.0.0.1, localhost, [::1]) with the
/// port; bound to a LAN address or every address, any host (the office's LAN names it).
fn host_allowed(state: &State, headers: &HeaderMap) -> bool {
    if !state.address.ip().is_loopback() {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let port = state.address.port();
    [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ]
    .iter()
    .any(|h| h.eq_ignore_ascii_case(host))
}

/// A POST from a browser carries Origin: it must be this server (the Host it was sent to).
/// One without Origin (no browser sends a cross-site POST without it) passes to the CSRF
/// token check.
fn origin_allowed(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin
        .to_str()
        .is_ok_and(|o| o.eq_ignore_ascii_case(&format!("http://{host}")))
}

fn texts(state: &State) -> &'static crate::ui_texts::Texts {
    match state.loaded() {
        Ok(loaded) => loaded.texts(),
        Err(_) => super::web_texts("zh"),
    }
}

/// A page saying what went wrong, in words.
pub fn error_page(state: &State, status: StatusCode, message: &str) -> Response {
    let campaign = state
        .loaded()
        .map(|l| l.campaign.config.title.clone())
        .unwrap_or_default();
    page_of_error(texts(state), &campaign, status, message)
}

/// The page of an error, under `campaign`'s title (empty: none).
fn page_of_error(t: &Texts, campaign: &str, status: StatusCode, message: &str) -> Response {
    let body = error_body(t, message);
    html(
        status,
        Page {
            t,
            campaign,
            title: t.get("error.title"),
            who: Who::Other,
            refresh: None,
            body,
        }
        .render(),
    )
}

/// The body of an error's page: what went wrong, and the way back.
fn error_body(t: &Texts, message: &str) -> maud::Markup {
    maud::html! {
        section.card {
            h1 { (text(t.get("error.title"))) }
            p class="notice error" { (text(message)) }
            p { a href="/" data-back { (text(t.get("error.back"))) } }
        }
    }
}

/// An error of the application layer, in the pages' language.
pub fn app_error(state: &State, error: &crate::app::AppError) -> Response {
    let status = match error {
        crate::app::AppError::Lock(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    explained(state, status, error)
}

/// An error said in the pages' language (the terminal's texts of that language).
pub fn explained(
    state: &State,
    status: StatusCode,
    error: &dyn crate::explain::Explain,
) -> Response {
    let t = texts(state);
    let terminal = crate::ui_texts::Texts::builtin(t.language());
    error_page(state, status, &error.said().render(terminal))
}

/// Something that should not happen (a worker thread that failed).
pub fn internal(state: &State) -> Response {
    let t = texts(state);
    error_page(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        t.get("error.internal"),
    )
}

/// Too many failed attempts from this client.
pub fn too_many(state: &State) -> Response {
    let t = texts(state);
    let minutes = (super::state::WINDOW.as_secs() / 60).to_string();
    let mut response = error_page(
        state,
        StatusCode::TOO_MANY_REQUESTS,
        &t.say("error.too_many", &[("minutes", &minutes)]),
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&super::state::WINDOW.as_secs().to_string())
            .unwrap_or(HeaderValue::from_static("900")),
    );
    response
}

/// A link that opens nothing (a wrong, revoked or mistyped token).
pub fn bad_link(state: &State) -> Response {
    let t = texts(state);
    error_page(state, StatusCode::NOT_FOUND, t.get("error.bad_link"))
}

pub async fn not_found(Extract(state): Extract<Arc<State>>) -> Response {
    let t = texts(&state);
    error_page(&state, StatusCode::NOT_FOUND, t.get("error.not_found"))
}

/// An HTML answer.
pub fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A redirect after a POST (to a page to GET).
pub fn see_other(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// A file to download, under `name` (any characters: said to the browser in RFC 5987 form,
/// with an ASCII stand-in for old browsers).
pub fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        super::html::query_value(name)
    );
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, disposition)
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The content type of a file by its extension.
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "zip" => "application/zip",
        "txt" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The value of cookie `name`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_this_host() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(origin_allowed(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(origin_allowed(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!origin_allowed(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!origin_allowed(&headers));
    }

    #[test]
    fn an_error_page_says_what_went_wrong_as_text() {
        let t = crate::serve::web_texts("zh");
        let html = error_body(t, "<b>坏了</b>").into_string();
        assert!(html.starts_with("<section class=\"card\"><h1>"), "{html}");
        assert!(
            html.contains(
                "<p class=\"notice error\">&lt;b&gt;坏了&lt;/b&gt;</p><p><a href=\"/\" data-back>"
            ),
            "{html}"
        );
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tb_office=xyz"),
        );
        assert_eq!(cookie(&headers, "tb_office"), Some("xyz"));
        assert_eq!(cookie(&headers, "b"), None);
    }
}
