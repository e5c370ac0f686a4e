//! `tianbao serve`: the campaign in a browser, on the office's own PC or LAN (feature `serve`).
//!
//! Two kinds of visitor, two kinds of page, all rendered here from the application layer's
//! typed results ([`crate::app`]) and the campaign's store — never from the command line:
//!
//! - **the office** ([`office`]), signed in with a token printed at start: the campaign at a
//!   glance (each department: not returned / valid / N errors, when, by whom, its contact), a
//!   department's findings with their cells and its upload receipts, generate, validate and
//!   compile with their progress, downloads of every output, the master's columns and
//!   findings, and the log of what was done;
//! - **each department** ([`department`]), through its private link (`/d/<token>`, see
//!   [`crate::access`]): its workbook to download, an upload form, the findings of what it sent
//!   at once, its feedback workbook, the receipts of its uploads.
//!
//! An upload ([`upload`]) is received into a staging folder under a generated name, checked
//! with the library exactly as `validate` checks a file, and refused with the reason when it is
//! another department's, another campaign's, stale, unreadable or over a `[limits]` limit;
//! otherwise it is moved into `inbox/<部门>/` byte for byte, its receipt kept in the store, and a
//! validate run of the inbox recorded ([`jobs`]), so that the office's page, `tianbao compile`
//! and the department's page all stand on the same receipts. Every writer (uploads, validate,
//! generate, compile) takes the campaign lock as the command line does; one at a time in this
//! process, waiting for a command-line run that holds it.
//!
//! Safety ([`guard`]): bound to 127.0.0.1 unless told otherwise; security headers on every
//! answer (a CSP without inline script, no framing, no referrer to other sites); the Host
//! header checked on loopback; a CSRF token on every form and the Origin checked on every
//! POST; secrets compared in constant time; a right token always opens, wrong ones limited per
//! client address and kind (department links, the office sign-in; never the office sign-in on
//! loopback); connections bounded in number and time ([`connections`]: per address and in all,
//! a header and an idle timeout) and forms in size (an upload's by the campaign's file limit);
//! no path from a request ever reaches the file system (downloads are chosen from a listing,
//! uploads get generated names); every value HTML-escaped ([`html`]). Texts come from
//! `templates/web.<language>.toml` by the spec's language; assets are embedded, so the pages
//! work with no internet.

mod assets;
mod connections;
mod department;
mod guard;
mod html;
mod jobs;
mod office;
mod state;
mod sync;
mod upload;
mod view;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use crate::access::{self, AccessError, Link};
use crate::app::AppError;
use crate::campaign::Campaign;
use crate::store::Store;

pub use html::escape;

/// The texts of the pages in `language` (`zh`, `en`): `templates/web.<language>.toml`.
pub fn web_texts(language: &str) -> &'static crate::ui_texts::Texts {
    static ZH: std::sync::OnceLock<crate::ui_texts::Texts> = std::sync::OnceLock::new();
    static EN: std::sync::OnceLock<crate::ui_texts::Texts> = std::sync::OnceLock::new();
    let parse = |path, text| {
        crate::ui_texts::Texts::parse(path, text).expect("the web texts are checked by a unit test")
    };
    if language == "en" {
        EN.get_or_init(|| {
            parse(
                "templates/web.en.toml",
                include_str!("../../templates/web.en.toml"),
            )
        })
    } else {
        ZH.get_or_init(|| {
            parse(
                "templates/web.zh.toml",
                include_str!("../../templates/web.zh.toml"),
            )
        })
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen (default 127.0.0.1:8080; port 0 takes a free one).
    pub bind: SocketAddr,
    /// The address departments reach the server at (`http://192.168.1.20:8080`), for their
    /// links; default: the bound address, or this computer's name when bound to every address.
    pub url: Option<String>,
}

/// What the office is told once the server listens.
#[derive(Debug, Clone)]
pub struct Started {
    /// The address listened on.
    pub address: SocketAddr,
    /// The office's sign-in link (on this computer).
    pub office_url: String,
    /// The address in the departments' links.
    pub base: String,
    /// Each department's link.
    pub links: Vec<(String, String)>,
    /// Listening beyond this computer (a LAN address or every address).
    pub lan: bool,
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "cannot listen on {address}: {source}; another program may use that port (try --bind \
         127.0.0.1:8081), or the address is not this computer's"
    )]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
    #[error(
        "--url \"{url}\" is not an address departments can open: give it as http://NAME:PORT, \
         e.g. http://192.168.1.20:8080"
    )]
    Url { url: String },
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Access(#[from] AccessError),
}

impl From<crate::app::links::LinksError> for ServeError {
    fn from(e: crate::app::links::LinksError) -> ServeError {
        match e {
            crate::app::links::LinksError::App(e) => ServeError::App(e),
            crate::app::links::LinksError::Access(e) => ServeError::Access(e),
        }
    }
}

impl From<crate::store::StoreError> for ServeError {
    fn from(e: crate::store::StoreError) -> ServeError {
        ServeError::App(AppError::Store(e))
    }
}

impl From<crate::campaign::CampaignError> for ServeError {
    fn from(e: crate::campaign::CampaignError) -> ServeError {
        ServeError::App(AppError::Campaign(e))
    }
}

/// The address in the departments' links: `--url`, else the bound address, or this
/// computer's name when bound to every address.
pub fn base_url(options: &Options, address: SocketAddr) -> Result<String, ServeError> {
    if let Some(url) = &options.url {
        let trimmed = url.trim().trim_end_matches('/');
        let rest = trimmed.strip_prefix("http://").unwrap_or("");
        let plain = !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c));
        if !plain {
            return Err(ServeError::Url { url: url.clone() });
        }
        return Ok(trimmed.to_string());
    }
    let port = address.port();
    Ok(match address.ip() {
        ip if ip.is_unspecified() => {
            let host = crate::lock::host_name();
            let host = if host.is_empty()
                || !host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                "localhost".to_string()
            } else {
                host
            };
            format!("http://{host}:{port}")
        }
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
        IpAddr::V4(ip) => format!("http://{ip}:{port}"),
    })
}

/// Every department's link in force, issuing a token for each that has none
/// ([`crate::app::links::ensure`]).
pub fn department_links(campaign: &Campaign, base: &str) -> Result<Vec<Link>, ServeError> {
    Ok(crate::app::links::ensure(campaign, base)?)
}

/// Revokes `department`'s link and issues a new one ([`crate::app::links::reissue`]).
pub fn reissue(campaign: &Campaign, department: &str, actor: &str) -> Result<Link, ServeError> {
    Ok(crate::app::links::reissue(campaign, department, actor)?)
}

/// Runs the server on `campaign` until Ctrl-C (or the end of the process);
/// `started` is told the addresses once it listens.
pub fn serve(
    campaign: Campaign,
    options: &Options,
    started: impl FnOnce(&Started),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(32)
        .enable_all()
        .thread_name("tianbao-serve")
        .build()
        .map_err(ServeError::Runtime)?;
    let listener =
        std::net::TcpListener::bind(options.bind).map_err(|source| ServeError::Bind {
            address: options.bind.to_string(),
            source,
        })?;
    listener
        .set_nonblocking(true)
        .map_err(ServeError::Runtime)?;
    let address = listener.local_addr().map_err(ServeError::Runtime)?;
    let base = base_url(options, address)?;
    let links = department_links(&campaign, &base)?;
    let office_token = access::random_hex(16)?;
    let local = local_url(address);
    let lan = !address.ip().is_loopback();
    let store = Store::open(&campaign.store_path())?;
    store.log(
        &crate::time::now_utc(),
        "office",
        "serve",
        &format!("{address} {base}"),
    )?;
    drop(store);
    let state = Arc::new(state::State::new(
        campaign,
        office_token.clone(),
        address,
        access::random_hex(32)?,
    )?);
    let weak = Arc::downgrade(&state);
    state.refresh.spawn(move || {
        let state = weak.upgrade().ok_or(jobs::Gone)?;
        Ok(state::validate_inbox(&state).err().map(|e| {
            use crate::explain::Explain;
            e.said().render(crate::ui_texts::Texts::builtin("zh"))
        }))
    });
    started(&Started {
        address,
        office_url: format!("{local}/login/{office_token}"),
        base: base.clone(),
        links: links
            .iter()
            .map(|l| (l.department.clone(), l.url(&base)))
            .collect(),
        lan,
    });
    let app = routes(state.clone());
    let limits = connections::Limits::from_env();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(ServeError::Runtime)?;
        connections::run(listener, app, limits).await;
        Ok::<(), ServeError>(())
    })?;
    // A job still running finishes (and lets go of the campaign lock) before the process ends.
    state.jobs.wait_idle();
    state.refresh.stop();
    let _ = Store::open(&state.store_path)
        .and_then(|s| s.log(&crate::time::now_utc(), "office", "stop", ""));
    Ok(())
}

/// The address of the office's pages in this computer's browser.
fn local_url(address: SocketAddr) -> String {
    match address.ip() {
        ip if ip.is_unspecified() || ip.is_loopback() => {
            format!("http://127.0.0.1:{}", address.port())
        }
        IpAddr::V6(ip) => format!("http://[{ip}]:{}", address.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}", address.port()),
    }
}

/// The largest body of a form other than an upload.
const FORM_LIMIT: usize = 64 * 1024;

fn routes(state: Arc<state::State>) -> axum::Router {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/", get(office::login::root))
        .route("/assets/{name}", get(assets::asset))
        .route("/favicon.ico", get(assets::favicon))
        .route(
            "/login",
            get(office::login::login_page).post(office::login::login),
        )
        .route("/login/{token}", get(office::login::login_link))
        .route("/logout", post(office::login::logout))
        .route("/office", get(office::dashboard::dashboard))
        .route(
            "/office/department/{n}",
            get(office::department::department),
        )
        .route(
            "/office/department/{n}/reissue",
            post(office::department::reissue),
        )
        .route("/office/accept", post(office::department::accept))
        .route("/office/files", get(office::files::files))
        .route("/office/file", get(office::files::file))
        .route("/office/master", get(office::master::master))
        .route("/office/log", get(office::log::log))
        .route("/office/links", get(office::links::links))
        .route("/office/run/{what}", post(office::job::run))
        .route("/office/jobs/{id}", get(office::job::job))
        .route("/office/jobs/{id}/state", get(office::job::job_state))
        .route("/d/{token}", get(department::page))
        .route("/d/{token}/workbook", get(department::workbook))
        .route("/d/{token}/feedback", get(department::feedback))
        // The upload's body is bounded by the handler, by the campaign's `limits.max_file_bytes`
        // as it is when the upload comes (tianbao.toml may change while serving): see
        // `upload::upload_body_limit`.
        .route(
            "/d/{token}/upload",
            post(upload::upload).layer(DefaultBodyLimit::disable()),
        )
        .fallback(guard::not_found)
        // Every other form is small (a CSRF token, the office's token, a choice).
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
}

impl crate::explain::Explain for ServeError {
    fn said(&self) -> crate::explain::Said {
        use crate::explain::Said;
        match self {
            ServeError::Bind { address, source } => Said::new("error.serve.bind")
                .text("address", address)
                .io("reason", source),
            ServeError::Runtime(e) => Said::new("error.serve.runtime").io("reason", e),
            ServeError::Url { url } => Said::new("error.serve.url").text("url", url),
            ServeError::App(e) => e.said(),
            ServeError::Access(AccessError::Store(e)) => e.said(),
            ServeError::Access(AccessError::Random(detail)) => {
                Said::new("error.serve.random").text("detail", detail)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<String> {
        let mut names: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn both_languages_of_the_pages_have_the_same_texts_with_the_same_placeholders() {
        let (zh, en) = (web_texts("zh"), web_texts("en"));
        assert_eq!((zh.language(), en.language()), ("zh", "en"));
        let mut missing: Vec<String> = zh
            .keys()
            .filter(|k| !en.has(k))
            .map(|k| format!("en lacks {k}"))
            .chain(
                en.keys()
                    .filter(|k| !zh.has(k))
                    .map(|k| format!("zh lacks {k}")),
            )
            .collect();
        missing.sort();
        assert!(missing.is_empty(), "{missing:#?}");
        for key in zh.keys() {
            assert_eq!(
                placeholders(zh.get(key)),
                placeholders(en.get(key)),
                "placeholders of {key}"
            );
        }
    }

    #[test]
    fn links_name_the_address_departments_reach() {
        let options = |url: Option<&str>| Options {
            bind: "127.0.0.1:8080".parse().unwrap(),
            url: url.map(str::to_string),
        };
        let at = |a: &str| a.parse::<SocketAddr>().unwrap();
        assert_eq!(
            base_url(&options(None), at("127.0.0.1:8080")).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url(&options(None), at("[::1]:8080")).unwrap(),
            "http://[::1]:8080"
        );
        assert_eq!(
            base_url(
                &options(Some("http://192.168.1.20:8080/")),
                at("0.0.0.0:8080")
            )
            .unwrap(),
            "http://192.168.1.20:8080"
        );
        for bad in [
            "192.168.1.20:8080",
            "https://x",
            "http://a b",
            "http://x/\"><script>",
        ] {
            assert!(
                base_url(&options(Some(bad)), at("0.0.0.0:8080")).is_err(),
                "{bad}"
            );
        }
    }

    /// The string literals of Rust source (comments and character literals skipped).
    fn string_literals(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '/' if chars.peek() == Some(&'/') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '\'' => {
                    // A character literal ('"', '\'') or a lifetime ('a).
                    let rest: String = chars.clone().take(3).collect();
                    if rest.starts_with("\"'") {
                        chars.nth(1);
                    } else if rest.starts_with("\\") {
                        chars.nth(2);
                    }
                }
                '"' => {
                    let mut literal = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '"' => break,
                            c => literal.push(c),
                        }
                    }
                    out.push(literal);
                }
                _ => {}
            }
        }
        out
    }

    /// Every key of the pages' texts the code names as a literal is in the texts (a missing
    /// one would show its key on a page).
    #[test]
    fn every_text_the_pages_name_is_there() {
        let zh = web_texts("zh");
        let sections: std::collections::BTreeSet<&str> =
            zh.keys().filter_map(|k| k.split('.').next()).collect();
        let sources = [
            include_str!("department.rs"),
            include_str!("guard.rs"),
            include_str!("html.rs"),
            include_str!("office/mod.rs"),
            include_str!("office/dashboard.rs"),
            include_str!("office/department.rs"),
            include_str!("office/files.rs"),
            include_str!("office/job.rs"),
            include_str!("office/links.rs"),
            include_str!("office/log.rs"),
            include_str!("office/login.rs"),
            include_str!("office/master.rs"),
            include_str!("upload.rs"),
            include_str!("view.rs"),
            include_str!("../app/upload.rs"),
        ];
        let mut named = 0;
        for source in sources {
            for literal in string_literals(source) {
                if literal == "upload.part" {
                    continue; // a file name
                }
                let literal = literal.as_str();
                let key_like = literal.contains('.')
                    && literal
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_');
                let section = literal.split('.').next().unwrap_or("");
                if key_like && sections.contains(section) && !literal.ends_with('.') {
                    assert!(zh.has(literal), "no text {literal}");
                    named += 1;
                }
            }
        }
        assert!(named > 100, "{named} keys found");
    }
}
