//! Signing in and out: the sign-in form (the token `tianbao serve` printed), the sign-in link
//! it printed (`/login/<token>`), and signing out.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, Path, State as Extract};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};

use super::super::guard;
use super::super::html::{Page, Who, csrf_field, text};
use super::super::state::{Attempt, State};
use super::{COOKIE, Form_, note, session};
use crate::ui_texts::Texts;

/// The sign-in form: its CSRF token, and what was wrong with the last try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginView {
    pub csrf: String,
    pub error: Option<String>,
}

/// The sign-in card.
pub fn render(t: &Texts, view: &LoginView) -> Markup {
    html! {
        section class="card narrow" {
            h1 { (text(t.get("login.title"))) }
            p { (text(t.get("login.hint"))) }
            @if let Some(error) = &view.error {
                p class="notice error" { (text(error)) }
            }
            form method="post" action="/login" {
                (csrf_field(&view.csrf))
                label {
                    (text(t.get("login.token")))
                    input type="password" name="token" autocomplete="off" required autofocus;
                }
                button type="submit" { (text(t.get("login.submit"))) }
            }
            p.meta { (text(t.get("login.departments"))) }
        }
    }
}

pub async fn root(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    if session(&state, &headers).is_some() {
        guard::see_other("/office")
    } else {
        guard::see_other("/login")
    }
}

fn login_form(state: &State, error: Option<&str>, status: StatusCode) -> Response {
    let (t, campaign) = match state.loaded() {
        Ok(l) => (l.texts(), l.campaign.config.title.clone()),
        Err(_) => (super::super::web_texts("zh"), String::new()),
    };
    let view = LoginView {
        csrf: state.form_token("login"),
        error: error.map(str::to_string),
    };
    guard::html(
        status,
        Page {
            t,
            campaign: &campaign,
            title: t.get("login.title"),
            who: Who::Other,
            refresh: None,
            body: render(t, &view),
        }
        .render(),
    )
}

/// `GET /login`.
pub async fn login_page(Extract(state): Extract<Arc<State>>) -> Response {
    login_form(&state, None, StatusCode::OK)
}

fn signed_in(state: &State, client: &str) -> Response {
    let Some((id, _)) = state.new_session() else {
        return guard::internal(state);
    };
    note(state, client, "login", "");
    let mut response = guard::see_other("/office");
    if let Ok(value) =
        HeaderValue::from_str(&format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict"))
    {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `POST /login`: the office's token typed in.
pub async fn login(
    Extract(state): Extract<Arc<State>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Form(form): Form_,
) -> Response {
    let ip = client.ip();
    let t = state
        .loaded()
        .map(|l| l.texts())
        .unwrap_or(super::super::web_texts("zh"));
    let csrf = form.get("csrf").map_or("", String::as_str);
    if !State::csrf_ok(&state.form_token("login"), csrf) {
        return guard::error_page(&state, StatusCode::FORBIDDEN, t.get("error.csrf"));
    }
    let token = form.get("token").map_or("", |s| s.trim());
    if state.is_office_token(token) {
        signed_in(&state, &ip.to_string())
    } else if state.wrong_token(ip, Attempt::Office) {
        guard::too_many(&state)
    } else {
        login_form(&state, Some(t.get("login.wrong")), StatusCode::UNAUTHORIZED)
    }
}

/// `GET /login/<token>`: the sign-in link `tianbao serve` printed.
pub async fn login_link(
    Extract(state): Extract<Arc<State>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let ip = client.ip();
    if state.is_office_token(&token) {
        signed_in(&state, &ip.to_string())
    } else if state.wrong_token(ip, Attempt::Office) {
        guard::too_many(&state)
    } else {
        guard::bad_link(&state)
    }
}

/// `POST /logout`.
pub async fn logout(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Form(form): Form_,
) -> Response {
    if let Some((id, csrf)) = session(&state, &headers)
        && State::csrf_ok(&csrf, form.get("csrf").map_or("", String::as_str))
    {
        state.end_session(&id);
    }
    let mut response = guard::see_other("/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("tb_office=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_form_posts_the_token_with_its_csrf_field() {
        let t = crate::serve::web_texts("zh");
        let view = LoginView {
            csrf: "k1".into(),
            error: Some("<wrong>".into()),
        };
        let html = render(t, &view).into_string();
        assert!(
            html.starts_with("<section class=\"card narrow\"><h1>"),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"notice error\">&lt;wrong&gt;</p>"),
            "{html}"
        );
        assert!(html.contains(
            "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"k1\"><label>"
        ));
        assert!(html.contains(
            "<input type=\"password\" name=\"token\" autocomplete=\"off\" required autofocus></label><button type=\"submit\">"
        ));
        let quiet = render(
            t,
            &LoginView {
                csrf: "k".into(),
                error: None,
            },
        )
        .into_string();
        assert!(!quiet.contains("notice error"));
    }
}
