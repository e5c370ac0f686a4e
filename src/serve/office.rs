//! The office's pages, behind the sign-in with the token `tianbao serve` printed: the campaign
//! at a glance, a department's findings and receipts, generate / validate / compile as jobs
//! with their progress, the downloads, the master's columns and findings, the departments'
//! links and the log.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State as Extract};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::{AppError, Stage};
use crate::finding::Code;
use crate::store::UploadStatus;

use super::guard;
use super::html::{Page, Who, badge, csrf_field, e, findings_table, query_value, say, size};
use super::jobs::{JobOutcome, Line, waiting_for_lock};
use super::state::{Attempt, Loaded, State};
use super::view::{View, signoff};

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

fn page(loaded: &Loaded, csrf: &str, here: &str, title: &str, body: &str) -> Response {
    page_refreshing(loaded, csrf, here, title, body, None)
}

fn page_refreshing(
    loaded: &Loaded,
    csrf: &str,
    here: &str,
    title: &str,
    body: &str,
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
        Err(_) => (super::web_texts("zh"), String::new()),
    };
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card narrow\"><h1>{}</h1><p>{}</p>",
        e(t.get("login.title")),
        e(t.get("login.hint"))
    );
    if let Some(error) = error {
        let _ = write!(body, "<p class=\"notice error\">{}</p>", e(error));
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/login\">{}<label>{}<input type=\"password\" name=\"token\" \
         autocomplete=\"off\" required autofocus></label><button type=\"submit\">{}</button></form>\
         <p class=\"meta\">{}</p></section>",
        csrf_field(&state.form_token("login")),
        e(t.get("login.token")),
        e(t.get("login.submit")),
        e(t.get("login.departments"))
    );
    guard::html(
        status,
        Page {
            t,
            campaign: &campaign,
            title: t.get("login.title"),
            who: Who::Other,
            refresh: None,
            body: &body,
        }
        .render(),
    )
}

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

pub async fn login(
    Extract(state): Extract<Arc<State>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Form(form): Form_,
) -> Response {
    let ip = client.ip();
    let t = state
        .loaded()
        .map(|l| l.texts())
        .unwrap_or(super::web_texts("zh"));
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
    let mut body = tiles(loaded, &view);
    body.push_str(&operations(t, csrf));
    body.push_str(&standings(loaded, &view));
    body.push_str(&reviews(loaded, &view));
    body.push_str(&unusable(loaded, &view));
    Ok(page(
        loaded,
        csrf,
        "/office",
        t.get("overview.title"),
        &body,
    ))
}

/// How many departments stand where, and when the inbox was last checked.
fn tiles(loaded: &Loaded, view: &View) -> String {
    let t = loaded.texts();
    let departments = loaded.master.departments();
    let mut counts = [0usize; 3];
    for d in departments {
        let slot = match view.status(&d.name).0 {
            "valid" => 0,
            "invalid" | "confirm" => 1,
            _ => 2,
        };
        counts[slot] += 1;
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"hero\"><h1>{}</h1><div class=\"tiles\">",
        e(t.get("overview.title"))
    );
    for (n, key, class) in [
        (departments.len(), "overview.departments", "all"),
        (counts[0], "overview.valid", "valid"),
        (counts[1], "overview.invalid", "invalid"),
        (counts[2], "overview.missing", "missing"),
    ] {
        let _ = write!(
            body,
            "<div class=\"tile {class}\"><div class=\"n\">{n}</div><div>{}</div></div>",
            e(t.get(key))
        );
    }
    let checked = match &view.run {
        Some(run) => say(
            t,
            "overview.checked",
            &[("at", &crate::time::local(&run.at))],
        ),
        None => e(t.get("overview.never_checked")),
    };
    let _ = write!(body, "</div><p class=\"meta\">{checked}");
    let pending = view.pending();
    if pending > 0 {
        let _ = write!(
            body,
            " · <b>{}</b>",
            e(&t.count("overview.pending", pending, &[]))
        );
    }
    body.push_str("</p></section>");
    body
}

/// Generate, validate and compile.
fn operations(t: &crate::ui_texts::Texts, csrf: &str) -> String {
    format!(
        "<section class=\"card ops\"><h2>{}</h2><div class=\"op-row\">\
         <form method=\"post\" action=\"/office/run/generate\" data-confirm=\"{}\">{csrf_in}<button class=\"secondary\">{}</button></form>\
         <form method=\"post\" action=\"/office/run/validate\">{csrf_in}<button class=\"secondary\">{}</button></form>\
         <form method=\"post\" action=\"/office/run/compile\">{csrf_in}<button>{}</button>\
         <label class=\"check\"><input type=\"checkbox\" name=\"allow_incomplete\" value=\"1\"> {}</label></form>\
         </div><p class=\"meta\">{}</p></section>",
        e(t.get("ops.title")),
        e(t.get("ops.generate_confirm")),
        e(t.get("ops.generate")),
        e(t.get("ops.validate")),
        e(t.get("ops.compile")),
        e(t.get("ops.allow_incomplete")),
        e(t.get("ops.hint")),
        csrf_in = csrf_field(csrf),
    )
}

/// Each department: its standing, when and by whom its return came, how, whom to ask.
fn standings(loaded: &Loaded, view: &View) -> String {
    let t = loaded.texts();
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table class=\"standings\"><thead><tr>\
         <th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("overview.departments_title")),
        e(t.get("col.department")),
        e(t.get("col.status")),
        e(t.get("col.received")),
        e(t.get("col.by")),
        e(t.get("col.via")),
        e(t.get("col.contact")),
    );
    for (i, d) in loaded.master.departments().iter().enumerate() {
        let (status, errors) = view.status(&d.name);
        let chosen = view.chosen(&d.name);
        let received = chosen
            .and_then(|r| r.received.as_deref())
            .map(crate::time::local)
            .unwrap_or_default();
        let (filler, phone) = (signoff(chosen, "filler"), signoff(chosen, "phone"));
        let by = match (filler.is_empty(), phone.is_empty()) {
            (true, true) => String::new(),
            (false, true) => e(filler),
            (true, false) => e(phone),
            (false, false) => format!("{}<br><span class=\"meta\">{}</span>", e(filler), e(phone)),
        };
        let via = match chosen.map(|ret| view.upload_of(ret)) {
            Some(Some(upload)) => say(t, "via.web", &[("client", &upload.client)]),
            Some(None) => e(t.get("via.inbox")),
            None => String::new(),
        };
        let _ = write!(
            body,
            "<tr class=\"{status}\"><td><a href=\"/office/department/{i}\">{}</a></td><td>{}</td>\
             <td>{}</td><td>{by}</td><td>{via}</td><td>{}</td></tr>",
            e(&d.name),
            badge(t, status, errors),
            e(&received),
            e(&d.persons.join(t.get("list.separator"))),
        );
    }
    body.push_str("</tbody></table></section>");
    body
}

/// The files the last run could not use (none: nothing).
fn unusable(loaded: &Loaded, view: &View) -> String {
    let t = loaded.texts();
    let Some(collection) = &view.collection else {
        return String::new();
    };
    let unusable: Vec<&crate::returns::Return> = collection
        .returns
        .iter()
        .filter(|r| r.status == crate::returns::Status::Unrecognized)
        .collect();
    if unusable.is_empty() {
        return String::new();
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("overview.unusable")),
        e(t.get("col.file")),
        e(t.get("findings.message"))
    );
    for r in unusable {
        let message: Vec<String> = r.findings.iter().map(|f| loaded.message(f)).collect();
        let _ = write!(
            body,
            "<tr><td class=\"name\">{}</td><td>{}</td></tr>",
            e(&relative(&loaded.campaign.dir, &r.path)),
            e(&message.join(" "))
        );
    }
    body.push_str("</tbody></table></section>");
    body
}

/// Every review workbook the last validate run met, wherever it lay (the review folder, a
/// department's folder or zip, another period's), whether it counts, and why not.
fn reviews(loaded: &Loaded, view: &View) -> String {
    let t = loaded.texts();
    let Some(collection) = &view.collection else {
        return String::new();
    };
    let met = collection.reviews_met();
    if met.is_empty() {
        return String::new();
    }
    let folder = loaded.campaign.review_inbox_shown();
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(&t.say("overview.reviews", &[("folder", &folder)])),
        e(t.get("col.file")),
        e(t.get("col.status")),
        e(t.get("findings.message"))
    );
    for (r, counted) in met {
        let word = if counted {
            t.get("overview.review_counted")
        } else {
            t.get("overview.review_not_counted")
        };
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
        let class = if counted { "valid" } else { "refused" };
        let _ = write!(
            body,
            "<tr><td class=\"name\">{}</td><td><span class=\"badge {class}\">{}</span></td><td>{}</td></tr>",
            e(&relative(&loaded.campaign.dir, &r.path)),
            e(word),
            e(&message)
        );
    }
    body.push_str("</tbody></table></section>");
    body
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
    let t = loaded.texts();
    let Some(d) = loaded.master.departments().get(n) else {
        return Ok(guard::error_page(
            state,
            StatusCode::NOT_FOUND,
            t.get("error.not_found"),
        ));
    };
    let store = state.store()?;
    let view = View::read(loaded, &store)?;
    let mut body = department_facts(loaded, &view, d);
    if let Some(ret) = view.chosen(&d.name) {
        body.push_str(&department_findings(loaded, ret, csrf));
    }
    body.push_str(&other_files(loaded, &view, &d.name));
    let uploads: Vec<&crate::store::Upload> = view
        .uploads
        .iter()
        .filter(|u| u.department == d.name)
        .collect();
    body.push_str(&uploads_table(t, &uploads, false));
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><p>{}</p><form method=\"post\" action=\"/office/department/{n}/reissue\" data-confirm=\"{}\">{}\
         <button class=\"secondary\">{}</button></form></section>",
        e(t.get("links.reissue_title")),
        e(t.get("links.reissue_hint")),
        e(t.get("links.reissue_confirm")),
        csrf_field(csrf),
        e(t.get("links.reissue"))
    );
    Ok(page(loaded, csrf, "/office", &d.name, &body))
}

/// A department's name and standing, its items, weight and contact, and the return that
/// counts: its file, when it came, its filler and phone.
fn department_facts(loaded: &Loaded, view: &View, d: &crate::model::Department) -> String {
    let t = loaded.texts();
    let (status, errors) = view.status(&d.name);
    let mut body = String::new();
    let _ = write!(
        body,
        "<p class=\"crumbs\"><a href=\"/office\">{}</a> › {}</p><section class=\"hero\"><h1>{} {}</h1><dl class=\"facts\">",
        e(t.get("nav.overview")),
        e(&d.name),
        e(&d.name),
        badge(t, status, errors),
    );
    let mut facts = vec![
        ("col.items", d.items.to_string()),
        ("col.weight", crate::text::show(d.weight)),
        ("col.contact", d.persons.join(t.get("list.separator"))),
    ];
    if let Some(ret) = view.chosen(&d.name) {
        let received = ret.received.as_deref().map(crate::time::local);
        facts.extend([
            ("col.file", relative(&loaded.campaign.dir, &ret.path)),
            ("col.received", received.unwrap_or_default()),
            ("col.filler", ret.signoff_text("filler").to_string()),
            ("col.phone", ret.signoff_text("phone").to_string()),
        ]);
    }
    for (key, value) in facts {
        let _ = write!(
            body,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            e(t.get(key)),
            e(&value)
        );
    }
    body.push_str("</dl></section>");
    body
}

/// The findings of the return that counts, and the confirmation a replacement needs.
fn department_findings(loaded: &Loaded, ret: &crate::returns::Return, csrf: &str) -> String {
    let t = loaded.texts();
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2>",
        e(t.get("office.findings"))
    );
    if ret.findings.is_empty() {
        let _ = write!(
            body,
            "<p class=\"notice ok\">{}</p>",
            e(t.get("office.no_findings"))
        );
    }
    body.push_str(&findings_table(t, &ret.findings, |f| loaded.message(f)));
    if ret
        .findings
        .iter()
        .any(|f| f.code == Code::ReplacementUnconfirmed)
    {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/office/accept\" class=\"actions\" data-confirm=\"{}\">{}\
             <input type=\"hidden\" name=\"path\" value=\"{}\"><button>{}</button></form>",
            e(t.get("office.accept_confirm")),
            csrf_field(csrf),
            e(&ret.path),
            e(t.get("office.accept"))
        );
    }
    body.push_str("</section>");
    body
}

/// Every other file of the department the last run saw, with why it is not the one.
fn other_files(loaded: &Loaded, view: &View, department: &str) -> String {
    let t = loaded.texts();
    let Some(collection) = &view.collection else {
        return String::new();
    };
    let chosen = view.chosen(department);
    let others: Vec<&crate::returns::Return> = collection
        .returns
        .iter()
        .filter(|r| r.department.as_deref() == Some(department))
        .filter(|r| chosen.is_none_or(|c| c.path != r.path))
        .collect();
    if others.is_empty() {
        return String::new();
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("office.other_files")),
        e(t.get("col.file")),
        e(t.get("col.status")),
        e(t.get("findings.message"))
    );
    for r in others {
        let note: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.code == Code::DuplicateReturn)
            .map(|f| loaded.message(f))
            .collect();
        let _ = write!(
            body,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td></tr>",
            e(&relative(&loaded.campaign.dir, &r.path)),
            badge(t, r.status.as_str(), r.errors()),
            e(&note.join(" "))
        );
    }
    body.push_str("</tbody></table></section>");
    body
}

fn uploads_table(
    t: &crate::ui_texts::Texts,
    uploads: &[&crate::store::Upload],
    department: bool,
) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2>",
        e(t.get("receipts.title"))
    );
    if uploads.is_empty() {
        let _ = write!(
            body,
            "<p class=\"meta\">{}</p></section>",
            e(t.get("receipts.none"))
        );
        return body;
    }
    let _ = write!(
        body,
        "<table class=\"receipts\"><thead><tr><th>{}</th>",
        e(t.get("receipts.at"))
    );
    if department {
        let _ = write!(body, "<th>{}</th>", e(t.get("col.department")));
    }
    let _ = write!(
        body,
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("receipts.name")),
        e(t.get("receipts.stored")),
        e(t.get("receipts.size")),
        e(t.get("receipts.sha")),
        e(t.get("receipts.client")),
        e(t.get("receipts.status")),
    );
    for u in uploads {
        let verdict = crate::app::upload::Verdict::parse(&u.findings);
        let errors = verdict
            .findings
            .iter()
            .filter(|f| f.severity == crate::finding::Severity::Error)
            .count();
        let status = if u.status == UploadStatus::Refused {
            let args: Vec<(&str, &str)> = verdict
                .args
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            format!(
                "{}<br><span class=\"meta\">{}</span>",
                badge(t, "refused", 0),
                say(t, &verdict.reason, &args)
            )
        } else {
            badge(t, u.status.as_str(), errors)
        };
        let _ = write!(body, "<tr><td>{}</td>", e(&crate::time::local(&u.at)));
        if department {
            let _ = write!(body, "<td>{}</td>", e(&u.department));
        }
        let _ = write!(
            body,
            "<td class=\"name\">{}</td><td class=\"name\">{}</td><td>{}</td><td class=\"cell\" title=\"{}\">{}</td><td>{}</td><td>{status}</td></tr>",
            e(&u.name),
            e(u.file.as_deref().unwrap_or("—")),
            e(&size(u.size)),
            e(&u.sha256),
            e(u.sha256.get(..12).unwrap_or("")),
            e(&u.client),
        );
    }
    body.push_str("</tbody></table></section>");
    body
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
            return guard::error_page(
                state,
                StatusCode::NOT_FOUND,
                loaded.texts().get("error.not_found"),
            );
        };
        let actor = format!("office@{}", client.ip());
        match super::reissue(&loaded.campaign, &d.name, &actor) {
            Ok(_) => guard::see_other("/office/links"),
            Err(super::ServeError::App(e)) => guard::app_error(state, &e),
            Err(e) => guard::explained(state, StatusCode::INTERNAL_SERVER_ERROR, &e),
        }
    })
    .await
}

/// `GET /office/links`: every department's link, to send.
pub async fn links(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |state, loaded, csrf| {
        or_error(state, links_page(state, loaded, csrf))
    })
    .await
}

fn links_page(state: &State, loaded: &Loaded, csrf: &str) -> Result<Response, AppError> {
    let t = loaded.texts();
    let store = state.store()?;
    let base = store
        .setting(crate::access::URL_SETTING)?
        .unwrap_or_default();
    let links = crate::access::links(&store, &loaded.campaign.config.secret)
        .map_err(|e| AppError::Receipt(e.to_string()))?;
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"hero\"><h1>{}</h1><p class=\"lead\">{}</p></section><section class=\"card\">\
         <table class=\"links\"><thead><tr><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        e(t.get("links.title")),
        e(t.get("links.hint")),
        e(t.get("col.department")),
        e(t.get("links.link")),
    );
    for (i, d) in loaded.master.departments().iter().enumerate() {
        let url = links
            .iter()
            .find(|l| l.department == d.name)
            .map(|l| l.url(&base))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td>{}</td><td class=\"cell url\"><input readonly value=\"{}\" data-select></td><td>\
             <form method=\"post\" action=\"/office/department/{i}/reissue\" data-confirm=\"{}\">{}\
             <button class=\"link\">{}</button></form></td></tr>",
            e(&d.name),
            e(&url),
            e(t.get("links.reissue_confirm")),
            csrf_field(csrf),
            e(t.get("links.reissue"))
        );
    }
    body.push_str("</tbody></table></section>");
    Ok(page(
        loaded,
        csrf,
        "/office/links",
        t.get("links.title"),
        &body,
    ))
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
            return guard::error_page(
                state,
                StatusCode::NOT_FOUND,
                loaded.texts().get("error.not_found"),
            );
        }
        note(state, &client.ip().to_string(), "accept", &path);
        start(
            &shared,
            loaded,
            "accept",
            vec![PathBuf::from(&path)],
            false,
            false,
        )
    })
    .await
}

/// `POST /office/run/<generate|validate|compile>`.
pub async fn run(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(what): Path<String>,
    Form(form): Form_,
) -> Response {
    let allow_incomplete = form.get("allow_incomplete").is_some_and(|v| v == "1");
    let revalidate = form.get("revalidate").is_some_and(|v| v == "1");
    let shared = state.clone();
    as_office(state, headers, Some(&form), move |state, loaded, _| {
        let kind = match what.as_str() {
            "generate" => "generate",
            "validate" => "validate",
            "compile" => "compile",
            _ => {
                return guard::error_page(
                    state,
                    StatusCode::NOT_FOUND,
                    loaded.texts().get("error.not_found"),
                );
            }
        };
        let mut detail = String::new();
        if allow_incomplete {
            detail.push_str("--allow-incomplete ");
        }
        if revalidate {
            detail.push_str("--revalidate");
        }
        note(state, &client.ip().to_string(), kind, detail.trim());
        start(
            &shared,
            loaded,
            kind,
            Vec::new(),
            allow_incomplete,
            revalidate,
        )
    })
    .await
}

/// What a job of the office's is asked to do.
struct Work {
    kind: &'static str,
    /// Returns the office confirms (`validate --accept`).
    accept: Vec<PathBuf>,
    allow_incomplete: bool,
    revalidate: bool,
}

fn start(
    state: &Arc<State>,
    loaded: &Loaded,
    kind: &'static str,
    accept: Vec<PathBuf>,
    allow_incomplete: bool,
    revalidate: bool,
) -> Response {
    let worker = state.clone();
    let t = loaded.texts();
    let failed = t.get("error.internal").to_string();
    let work = Work {
        kind,
        accept,
        allow_incomplete,
        revalidate,
    };
    let job = state.jobs.start(kind, failed, move |progress| {
        run_job(&worker, &work, progress).unwrap_or_else(|error| {
            use crate::explain::Explain;
            let terminal = crate::ui_texts::Texts::builtin(t.language());
            JobOutcome {
                ok: false,
                headline: error.said().render(terminal),
                ..JobOutcome::default()
            }
        })
    });
    guard::see_other(&format!("/office/jobs/{}", job.id))
}

/// Runs a job through the application layer, as the command line runs it, under the campaign
/// lock (waiting for a command that holds it).
fn run_job(
    state: &State,
    work: &Work,
    progress: &super::jobs::JobProgress,
) -> Result<JobOutcome, AppError> {
    use crate::app::{check, compile, generate};
    let loaded = state.loaded()?;
    let _writer = state.writer();
    let at = crate::time::now_utc();
    let campaign = &loaded.campaign;
    let t = loaded.texts();
    Ok(match work.kind {
        "generate" => {
            let options = generate::GenerateOptions {
                at,
                ..Default::default()
            };
            let outcome = waiting_for_lock(|| generate::generate(campaign, &options, progress))?;
            generated(t, &loaded.spec, outcome)
        }
        "compile" => {
            let options = compile::CompileOptions {
                allow_incomplete: work.allow_incomplete,
                revalidate: work.revalidate,
                at,
                ..Default::default()
            };
            let outcome =
                waiting_for_lock(|| compile::compile(campaign.clone(), &options, progress))?;
            compiled(t, &loaded, outcome)
        }
        _ => {
            let options = check::ValidateOptions {
                feedback: true,
                accept: work.accept.clone(),
                at,
                ..Default::default()
            };
            let outcome =
                waiting_for_lock(|| check::validate(campaign.clone(), &options, progress))?;
            validated(t, &loaded, outcome)
        }
    })
}

fn file_link(t: &crate::ui_texts::Texts, loaded: &Loaded, path: &FsPath, key: &str) -> Line {
    let rel = relative(&loaded.campaign.dir, &path.display().to_string());
    Line::link(
        t.say(key, &[("file", &rel)]),
        format!("/office/file?f={}", query_value(&rel)),
    )
}

/// What generate did, in the page's words; the master's errors in the campaign's spec, as the
/// command line says them.
fn generated(
    t: &crate::ui_texts::Texts,
    spec: &crate::spec::Spec,
    outcome: crate::app::generate::GenerateOutcome,
) -> JobOutcome {
    use crate::app::generate::{GenerateOutcome, GenerateWarning};
    match outcome {
        GenerateOutcome::Refused { errors, .. } => {
            JobOutcome {
                ok: false,
                headline: t.count("job.generate_refused", errors.len(), &[]),
                lines: errors
                    .iter()
                    .map(|f| Line::text(f.message(spec)))
                    .collect(),
                ..JobOutcome::default()
            }
        }
        GenerateOutcome::Written {
            issued, warnings, ..
        } => {
            let mut lines = vec![Line::link(t.get("job.see_files"), "/office/files")];
            for w in warnings {
                lines.push(Line::text(t.get(match w {
                    GenerateWarning::NoContact => "job.no_contact",
                    GenerateWarning::NoDeadline => "job.no_deadline",
                })));
            }
            JobOutcome {
                ok: true,
                headline: t.count("job.generated", issued.len(), &[]),
                lines,
                ..JobOutcome::default()
            }
        }
    }
}

fn validated(
    t: &crate::ui_texts::Texts,
    loaded: &Loaded,
    v: crate::app::check::Validated,
) -> JobOutcome {
    let c = &v.checked.collection;
    let count = |s: &str| {
        c.departments
            .iter()
            .filter(|d| d.status.as_str() == s)
            .count()
    };
    let mut lines = vec![file_link(t, loaded, &v.report, "job.report")];
    for path in &v.feedback {
        lines.push(file_link(t, loaded, path, "job.feedback"));
    }
    lines.push(Line::link(t.get("job.back"), "/office"));
    JobOutcome {
        ok: c.all_clear(),
        headline: t.say(
            "job.validated",
            &[
                ("valid", &count("valid").to_string()),
                ("invalid", &count("invalid").to_string()),
                ("missing", &count("missing").to_string()),
            ],
        ),
        lines,
        ..JobOutcome::default()
    }
}

fn compiled(
    t: &crate::ui_texts::Texts,
    loaded: &Loaded,
    outcome: crate::app::compile::CompileOutcome,
) -> JobOutcome {
    use crate::app::compile::CompileOutcome;
    match outcome {
        CompileOutcome::Written(w) => {
            let scores = &w.scores;
            let mut lines = vec![file_link(t, loaded, &w.path, "job.compiled_file")];
            if scores.is_partial() {
                let names: Vec<&str> = w.blockers.iter().map(|s| s.department.as_str()).collect();
                lines.push(Line::text(t.say(
                    "job.partial",
                    &[("departments", &names.join(t.get("list.separator")))],
                )));
            }
            let headline = if w.checked.spec.score_input().is_none() {
                // Progress reporting and data collection have no total.
                t.say(
                    "job.compiled_measured",
                    &[("items", &w.checked.master.items().len().to_string())],
                )
            } else {
                t.say(
                    "job.compiled",
                    &[
                        ("total", &crate::text::show(scores.total())),
                        ("full", &crate::text::show(w.checked.master.total_weight())),
                    ],
                )
            };
            JobOutcome {
                ok: true,
                headline,
                lines,
                ..JobOutcome::default()
            }
        }
        CompileOutcome::Refused { blockers } => JobOutcome {
            ok: false,
            headline: t.count("job.compile_refused", blockers.len(), &[]),
            lines: blockers
                .iter()
                .map(|s| {
                    Line::text(match s.status {
                        crate::returns::DepartmentStatus::Invalid => t.count(
                            "job.blocker_invalid",
                            s.errors,
                            &[("department", &s.department)],
                        ),
                        _ => t.say("job.blocker_missing", &[("department", &s.department)]),
                    })
                })
                .collect(),
            offer_incomplete: true,
            ..JobOutcome::default()
        },
        CompileOutcome::ReviewInvalid { review } => JobOutcome {
            ok: false,
            headline: t.count(
                "job.review_invalid",
                review.errors,
                &[("file", &relative(&loaded.campaign.dir, &review.file))],
            ),
            ..JobOutcome::default()
        },
        CompileOutcome::NotValidated { changes, .. } => {
            let mut lines = Vec::new();
            for (key, list) in [
                ("job.change_new", &changes.new),
                ("job.change_changed", &changes.changed),
                ("job.change_gone", &changes.gone),
            ] {
                for path in list {
                    lines.push(Line::text(
                        t.say(key, &[("file", &relative(&loaded.campaign.dir, path))]),
                    ));
                }
            }
            JobOutcome {
                ok: false,
                headline: t.get("job.not_validated").to_string(),
                lines,
                offer_revalidate: true,
                ..JobOutcome::default()
            }
        }
    }
}

fn stage_word(t: &crate::ui_texts::Texts, stage: Option<Stage>) -> &str {
    t.get(match stage {
        Some(Stage::Generating) => "job.stage.generating",
        Some(Stage::Checking) => "job.stage.checking",
        Some(Stage::Hashing) => "job.stage.hashing",
        None => "job.stage.waiting",
    })
}

/// `GET /office/jobs/<id>`: a job's progress, then its outcome.
pub async fn job(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    as_office(state, headers, None, move |state, loaded, csrf| {
        let t = loaded.texts();
        let Some(job) = state.jobs.get(id) else {
            return guard::error_page(state, StatusCode::NOT_FOUND, t.get("error.not_found"));
        };
        let title = t.get(&format!("job.kind.{}", job.kind)).to_string();
        let mut body = String::new();
        let _ = write!(
            body,
            "<p class=\"crumbs\"><a href=\"/office\">{}</a> › {}</p><section class=\"card job\"><h1>{}</h1>",
            e(t.get("nav.overview")),
            e(&title),
            e(&title)
        );
        let refresh = match job.finished() {
            None => {
                let (stage, done, total) = job.progress.now();
                let percent = (done * 100).checked_div(total).unwrap_or(0);
                let _ = write!(
                    body,
                    "<div class=\"progress\" data-job=\"{id}\"><div class=\"label\" data-stage>{}</div>\
                     <progress max=\"100\" value=\"{percent}\" data-bar></progress><div class=\"meta\" data-count>{}</div></div>",
                    e(stage_word(t, stage)),
                    e(&format!("{done} / {total}"))
                );
                Some(1)
            }
            Some(outcome) => {
                body.push_str(&outcome_html(t, &outcome, csrf));
                None
            }
        };
        body.push_str("</section>");
        page_refreshing(loaded, csrf, "/office", &title, &body, refresh)
    })
    .await
}

fn outcome_html(t: &crate::ui_texts::Texts, outcome: &JobOutcome, csrf: &str) -> String {
    let mut body = String::new();
    let class = if outcome.ok { "ok" } else { "error" };
    let _ = write!(
        body,
        "<p class=\"notice {class}\" data-done>{}</p><ul class=\"lines\">",
        e(&outcome.headline)
    );
    for line in &outcome.lines {
        match &line.href {
            Some(href) => {
                let _ = write!(
                    body,
                    "<li><a href=\"{}\">{}</a></li>",
                    e(href),
                    e(&line.text)
                );
            }
            None => {
                let _ = write!(body, "<li>{}</li>", e(&line.text));
            }
        }
    }
    body.push_str("</ul><div class=\"actions\">");
    if outcome.offer_revalidate {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/office/run/compile\">{}<input type=\"hidden\" name=\"revalidate\" value=\"1\">\
             <button>{}</button></form>",
            csrf_field(csrf),
            e(t.get("job.revalidate"))
        );
    }
    if outcome.offer_incomplete {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/office/run/compile\" data-confirm=\"{}\">{}<input type=\"hidden\" name=\"allow_incomplete\" value=\"1\">\
             <button class=\"secondary\">{}</button></form>",
            e(t.get("job.incomplete_confirm")),
            csrf_field(csrf),
            e(t.get("job.incomplete"))
        );
    }
    let _ = write!(
        body,
        "<a class=\"button secondary\" href=\"/office\">{}</a></div>",
        e(t.get("job.back"))
    );
    body
}

/// `GET /office/jobs/<id>/state`: a job's progress as JSON, for the page's script.
pub async fn job_state(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    as_office(state, headers, None, move |state, loaded, _| {
        let t = loaded.texts();
        let Some(job) = state.jobs.get(id) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let (stage, done, total) = job.progress.now();
        let value = serde_json::json!({
            "done": job.finished().is_some(),
            "stage": stage_word(t, stage),
            "n": done,
            "total": total,
        });
        (
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response()
    })
    .await
}

/// A file the office may download: under outbox/ or out/, relative path with `/`.
struct Listed {
    rel: String,
    path: PathBuf,
    size: u64,
    modified: Option<String>,
}

/// Every file under outbox/ and out/ (three levels at most), temporary files left out.
fn listing(loaded: &Loaded) -> Vec<Listed> {
    fn walk(dir: &FsPath, rel: &str, depth: usize, out: &mut Vec<Listed>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let here = format!("{rel}/{name}");
            if kind.is_dir() && depth < 3 {
                walk(&entry.path(), &here, depth + 1, out);
            } else if kind.is_file() && !crate::returns::gather::is_lock_file(&name) {
                let meta = entry.metadata().ok();
                out.push(Listed {
                    rel: here,
                    path: entry.path(),
                    size: meta.as_ref().map_or(0, |m| m.len()),
                    modified: meta
                        .and_then(|m| m.modified().ok())
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map(|d| crate::time::utc_from_unix(d.as_secs())),
                });
            }
        }
    }
    let mut out = Vec::new();
    walk(&loaded.campaign.out(), "out", 1, &mut out);
    walk(&loaded.campaign.outbox(), "outbox", 1, &mut out);
    out
}

/// `GET /office/files`: every output to download.
pub async fn files(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |_state, loaded, csrf| {
        let t = loaded.texts();
        let list = listing(loaded);
        let mut body = String::new();
        let _ = write!(
            body,
            "<section class=\"hero\"><h1>{}</h1><p class=\"lead\">{}</p></section>",
            e(t.get("files.title")),
            e(t.get("files.hint"))
        );
        for (area, key) in [("out/", "files.out"), ("outbox/", "files.outbox")] {
            let here: Vec<&Listed> = list.iter().filter(|l| l.rel.starts_with(area)).collect();
            let _ = write!(body, "<section class=\"card\"><h2>{}</h2>", e(t.get(key)));
            if here.is_empty() {
                let _ = write!(body, "<p class=\"meta\">{}</p></section>", e(t.get("files.none")));
                continue;
            }
            let _ = write!(
                body,
                "<table class=\"files\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                e(t.get("col.file")),
                e(t.get("receipts.size")),
                e(t.get("files.modified"))
            );
            for l in here {
                let _ = write!(
                    body,
                    "<tr><td class=\"name\"><a href=\"/office/file?f={}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    query_value(&l.rel),
                    e(&l.rel),
                    e(&size(l.size)),
                    e(&l.modified.as_deref().map(crate::time::local).unwrap_or_default())
                );
            }
            body.push_str("</tbody></table></section>");
        }
        page(loaded, csrf, "/office/files", t.get("files.title"), &body)
    })
    .await
}

/// `GET /office/file?f=<relative path>`: a file of the listing (the name is looked up in it;
/// nothing from the request is joined to a path).
pub async fn file(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let wanted = query.get("f").cloned().unwrap_or_default();
    as_office(state, headers, None, move |state, loaded, _| {
        let Some(found) = listing(loaded).into_iter().find(|l| l.rel == wanted) else {
            return guard::error_page(
                state,
                StatusCode::NOT_FOUND,
                loaded.texts().get("error.not_found"),
            );
        };
        let name = found
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read(&found.path) {
            Ok(bytes) => {
                note(state, &client.ip().to_string(), "download", &found.rel);
                guard::download(&name, guard::content_type(&name), bytes)
            }
            Err(e) => guard::app_error(state, &AppError::write_io(&found.path, &e)),
        }
    })
    .await
}

/// A column's letters (0-based index): A, B, …, AA.
fn column_letters(index: u32) -> String {
    crate::finding::a1(0, index)
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

/// `GET /office/master`: the master's columns with their roles, departments and findings.
pub async fn master(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |_state, loaded, csrf| {
        let t = loaded.texts();
        let m = &loaded.master;
        let mut body = String::new();
        let _ = write!(
            body,
            "<section class=\"hero\"><h1>{}</h1><p class=\"lead\">{}</p></section>",
            e(t.get("master.title")),
            say(
                t,
                "master.lead",
                &[
                    ("file", &loaded.campaign.config.master),
                    ("sheet", m.sheet()),
                    ("items", &m.items().len().to_string()),
                    ("departments", &m.departments().len().to_string()),
                    ("weight", &crate::text::show(m.total_weight())),
                ]
            )
        );
        body.push_str(&master_columns(loaded));
        body.push_str(&master_departments(loaded));
        let _ = write!(
            body,
            "<section class=\"card\"><h2>{}</h2>",
            e(t.get("master.findings"))
        );
        if loaded.findings.is_empty() {
            let _ = write!(
                body,
                "<p class=\"notice ok\">{}</p>",
                e(t.get("office.no_findings"))
            );
        }
        body.push_str(&findings_table(t, &loaded.findings, |f| loaded.message(f)));
        body.push_str("</section>");
        page(loaded, csrf, "/office/master", t.get("master.title"), &body)
    })
    .await
}

/// The master's columns: letter, label, role.
fn master_columns(loaded: &Loaded) -> String {
    let t = loaded.texts();
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("master.columns")),
        e(t.get("master.column")),
        e(t.get("master.label")),
        e(t.get("master.role"))
    );
    for c in loaded.master.columns() {
        let mut role = t.get(&format!("role.{}", c.role.as_str())).to_string();
        if let Some(level) = c.level {
            role = format!("{role} {level}");
        }
        let _ = write!(
            body,
            "<tr><td class=\"cell\">{}</td><td>{}</td><td><span class=\"role {}\">{}</span></td></tr>",
            e(&column_letters(c.index)),
            e(&c.label),
            e(c.role.as_str()),
            e(&role)
        );
    }
    body.push_str("</tbody></table></section>");
    body
}

/// The master's departments: items (lead and cooperating), weight, contact.
fn master_departments(loaded: &Loaded) -> String {
    let t = loaded.texts();
    let m = &loaded.master;
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("master.departments")),
        e(t.get("col.department")),
        e(t.get("col.items")),
        e(t.get("col.weight")),
        e(t.get("col.contact"))
    );
    for d in m.departments() {
        let items = if m.has_cooperating() {
            let (n, lead, cooperating) = (
                d.items.to_string(),
                d.lead.to_string(),
                d.cooperating.to_string(),
            );
            say(
                t,
                "master.parts",
                &[("n", &n), ("lead", &lead), ("cooperating", &cooperating)],
            )
        } else {
            d.items.to_string()
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{items}</td><td>{}</td><td>{}</td></tr>",
            e(&d.name),
            e(&crate::text::show(d.weight)),
            e(&d.persons.join(t.get("list.separator")))
        );
    }
    body.push_str("</tbody></table></section>");
    body
}

/// `GET /office/log`: the office's actions and every upload's receipt.
fn log_page(state: &State, loaded: &Loaded, csrf: &str) -> Result<Response, AppError> {
    let t = loaded.texts();
    let store = state.store()?;
    let lines = store.log_lines(300)?;
    let uploads = store.uploads(None, 300)?;
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"hero\"><h1>{}</h1></section><section class=\"card\"><h2>{}</h2>\
         <table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("log.title")),
        e(t.get("log.actions")),
        e(t.get("receipts.at")),
        e(t.get("log.actor")),
        e(t.get("log.action")),
        e(t.get("log.detail"))
    );
    for l in &lines {
        let action = format!("log.do.{}", l.action);
        let action = if t.has(&action) {
            t.get(&action).to_string()
        } else {
            l.action.clone()
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"name\">{}</td></tr>",
            e(&crate::time::local(&l.at)),
            e(&actor(t, &l.actor)),
            e(&action),
            e(&detail(t, &l.detail))
        );
    }
    body.push_str("</tbody></table></section>");
    let refs: Vec<&crate::store::Upload> = uploads.iter().collect();
    body.push_str(&uploads_table(t, &refs, true));
    Ok(page(loaded, csrf, "/office/log", t.get("log.title"), &body))
}

/// A log line's detail, the command line's options of a run in words.
fn detail(t: &crate::ui_texts::Texts, stored: &str) -> String {
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
fn actor(t: &crate::ui_texts::Texts, stored: &str) -> String {
    match stored.strip_prefix("office") {
        Some("") => t.get("log.office").to_string(),
        Some("@cli") => t.get("log.office_cli").to_string(),
        Some(rest) if rest.starts_with('@') => t.say("log.office_at", &[("client", &rest[1..])]),
        _ => stored.to_string(),
    }
}

pub async fn log(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |state, loaded, csrf| {
        or_error(state, log_page(state, loaded, csrf))
    })
    .await
}
