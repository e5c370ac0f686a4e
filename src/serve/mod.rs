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

/// The server's own accept loop around the router: what `axum::serve` did (HTTP/1 over hyper,
/// the client's address to the handlers as [`axum::extract::ConnectInfo`], a graceful stop on
/// Ctrl-C), with bounds, so that slow or idle clients cannot take the server from the others:
///
/// - a request's head must come within [`Limits::header`] (hyper's header-read timeout, which
///   also bounds a kept-alive connection waiting for its next request);
/// - a connection on which nothing moves for [`Limits::idle`] (a body that stops coming, an
///   answer the client does not read) is closed — not while a page is being made or an upload
///   checked;
/// - at most [`PER_CLIENT`] connections at a time from one address and [`TOTAL`] from all
///   addresses together; the office's own PC (127.0.0.1, ::1) has [`OFFICE`] of its own, which
///   other addresses cannot take. A connection past a bound is closed at once.
mod connections {
    use std::collections::HashMap;
    use std::io;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant};

    use axum::body::Bytes;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::net::{TcpListener, TcpStream};

    use super::sync::lock;

    /// Connections at a time from one address (a browser opens about six).
    pub const PER_CLIENT: usize = 32;
    /// Connections at a time from the office's own PC (127.0.0.1, ::1), kept apart from
    /// [`TOTAL`]: the office gets through whatever other addresses do.
    pub const OFFICE: usize = 256;
    /// Connections at a time from every other address together.
    pub const TOTAL: usize = 1024;

    /// The timeouts of connections; from the environment for tests
    /// (`TIANBAO_SERVE_HEADER_TIMEOUT_MS`, `TIANBAO_SERVE_IDLE_TIMEOUT_MS`).
    #[derive(Debug, Clone, Copy)]
    pub struct Limits {
        /// How long a request's head may take to come (default 10 s).
        pub header: Duration,
        /// How long a connection may stay with nothing moving (default 60 s).
        pub idle: Duration,
    }

    impl Limits {
        pub fn from_env() -> Limits {
            let ms = |name: &str, default: u64| {
                let given = std::env::var(name)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|v| *v > 0);
                Duration::from_millis(given.unwrap_or(default))
            };
            Limits {
                header: ms("TIANBAO_SERVE_HEADER_TIMEOUT_MS", 10_000),
                idle: ms("TIANBAO_SERVE_IDLE_TIMEOUT_MS", 60_000),
            }
        }
    }

    /// Serves on `listener` until Ctrl-C; then takes no more connections, lets each finish
    /// the request it is in, and returns once all are closed.
    pub async fn run(listener: TcpListener, app: axum::Router, limits: Limits) {
        let slots = Arc::new(Slots::default());
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let ctrl_c = async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No Ctrl-C to wait for: serve until the process ends.
                std::future::pending::<()>().await;
            }
        };
        tokio::pin!(ctrl_c);
        loop {
            tokio::select! {
                () = &mut ctrl_c => break,
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            if !per_connection(&e) {
                                // Out of file handles or the like: give the others time to close.
                                tokio::time::sleep(Duration::from_millis(100)).await;
                            }
                            continue;
                        }
                    };
                    // Past a bound: closed at once, nothing read.
                    let Some(slot) = Slots::take(&slots, peer.ip()) else {
                        drop(stream);
                        continue;
                    };
                    tokio::spawn(connection(
                        stream,
                        peer,
                        app.clone(),
                        limits,
                        slot,
                        stopping.clone(),
                    ));
                }
            }
        }
        drop(listener);
        drop(stopping);
        let _ = stop.send(true);
        // Every connection holds a receiver; all gone, all closed.
        stop.closed().await;
    }

    /// An accept error of one connection (the server carries on at once).
    fn per_connection(e: &io::Error) -> bool {
        matches!(
            e.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::Interrupted
                | io::ErrorKind::WouldBlock
        )
    }

    /// Whether `ip` is the office's own PC.
    fn is_office(ip: IpAddr) -> bool {
        ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
    }

    /// The connections open, per address and in all.
    #[derive(Default)]
    struct Slots {
        open: Mutex<Open>,
    }

    #[derive(Default)]
    struct Open {
        by_client: HashMap<IpAddr, usize>,
        /// Those of addresses other than the office's.
        others: usize,
    }

    impl Slots {
        /// A slot for a connection from `ip`, if it is within the bounds.
        fn take(slots: &Arc<Slots>, ip: IpAddr) -> Option<Slot> {
            let ip = ip.to_canonical();
            let office = is_office(ip);
            let mut open = lock(&slots.open);
            let mine = open.by_client.get(&ip).copied().unwrap_or(0);
            if office {
                if mine >= OFFICE {
                    return None;
                }
            } else if mine >= PER_CLIENT || open.others >= TOTAL {
                return None;
            }
            *open.by_client.entry(ip).or_insert(0) += 1;
            if !office {
                open.others += 1;
            }
            Some(Slot {
                slots: slots.clone(),
                ip,
                office,
            })
        }
    }

    /// A connection's place within the bounds, given back when it closes.
    struct Slot {
        slots: Arc<Slots>,
        ip: IpAddr,
        office: bool,
    }

    impl Drop for Slot {
        fn drop(&mut self) {
            let mut open = lock(&self.slots.open);
            if let Some(n) = open.by_client.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    open.by_client.remove(&self.ip);
                }
            }
            if !self.office {
                open.others = open.others.saturating_sub(1);
            }
        }
    }

    /// What a connection is doing: when a byte last moved either way, whether a request is
    /// being answered, and whether that answer waits for the request's body.
    struct Activity {
        start: Instant,
        /// Milliseconds from `start`.
        last: AtomicU64,
        answering: AtomicUsize,
        waiting_for_body: AtomicBool,
    }

    impl Activity {
        fn new() -> Activity {
            Activity {
                start: Instant::now(),
                last: AtomicU64::new(0),
                answering: AtomicUsize::new(0),
                waiting_for_body: AtomicBool::new(false),
            }
        }

        fn now(&self) -> u64 {
            u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
        }

        fn touch(&self) {
            self.last.store(self.now(), Ordering::Relaxed);
        }

        fn quiet_for(&self) -> Duration {
            Duration::from_millis(self.now().saturating_sub(self.last.load(Ordering::Relaxed)))
        }

        /// A page is being made or an upload checked (the client has nothing to send).
        fn working(&self) -> bool {
            self.answering.load(Ordering::Relaxed) > 0
                && !self.waiting_for_body.load(Ordering::Relaxed)
        }
    }

    /// Resolves once nothing moved on the connection for `idle` while it was not working.
    async fn watchdog(activity: Arc<Activity>, idle: Duration) {
        loop {
            let quiet = activity.quiet_for();
            if quiet >= idle && !activity.working() {
                return;
            }
            let wait = if quiet >= idle {
                idle.min(Duration::from_secs(1))
            } else {
                idle - quiet
            };
            tokio::time::sleep(wait.max(Duration::from_millis(20))).await;
        }
    }

    /// One connection, served until it closes, times out, or the server stops.
    async fn connection(
        stream: TcpStream,
        peer: SocketAddr,
        app: axum::Router,
        limits: Limits,
        slot: Slot,
        mut stopping: tokio::sync::watch::Receiver<bool>,
    ) {
        let _slot = slot;
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            stream,
            activity: activity.clone(),
        });
        let on_request = activity.clone();
        let service =
            hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let answering = Answering::new(on_request.clone());
                let activity = on_request.clone();
                let mut request =
                    request.map(|inner| axum::body::Body::new(WatchedBody { inner, activity }));
                // As `axum::serve` gives it: the client's address, for the handlers.
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                let app = app.clone();
                async move {
                    let response = tower::ServiceExt::oneshot(app, request).await;
                    drop(answering);
                    response
                }
            });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header)
            .keep_alive(true);
        let served = builder.serve_connection(io, service);
        tokio::pin!(served);
        let idle = watchdog(activity, limits.idle);
        tokio::pin!(idle);
        let mut graceful = false;
        loop {
            tokio::select! {
                _ = served.as_mut() => break,
                // Dropped: closed.
                () = &mut idle => break,
                _ = stopping.changed(), if !graceful => {
                    // The server stops: the request under way is answered, no other taken.
                    graceful = true;
                    served.as_mut().graceful_shutdown();
                }
            }
        }
    }

    /// Counts a request being answered while it lives.
    struct Answering(Arc<Activity>);

    impl Answering {
        fn new(activity: Arc<Activity>) -> Answering {
            activity.answering.fetch_add(1, Ordering::Relaxed);
            activity.touch();
            Answering(activity)
        }
    }

    impl Drop for Answering {
        fn drop(&mut self) {
            self.0.answering.fetch_sub(1, Ordering::Relaxed);
            self.0.touch();
        }
    }

    /// The connection's socket, noting when bytes move.
    struct Watched {
        stream: TcpStream,
        activity: Arc<Activity>,
    }

    impl AsyncRead for Watched {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let this = self.get_mut();
            let before = buf.filled().len();
            let read = Pin::new(&mut this.stream).poll_read(cx, buf);
            if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
                this.activity.touch();
            }
            read
        }
    }

    impl AsyncWrite for Watched {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let written = Pin::new(&mut this.stream).poll_write(cx, buf);
            if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
                this.activity.touch();
            }
            written
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
            if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
                this.activity.touch();
            }
            written
        }

        fn is_write_vectored(&self) -> bool {
            self.stream.is_write_vectored()
        }

        fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().stream).poll_flush(cx)
        }

        fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
        }
    }

    /// A request's body, noting when the answer waits for it (then the client is the slow
    /// one, and the idle bound applies).
    struct WatchedBody<B> {
        inner: B,
        activity: Arc<Activity>,
    }

    impl<B> http_body::Body for WatchedBody<B>
    where
        B: http_body::Body<Data = Bytes> + Unpin,
    {
        type Data = Bytes;
        type Error = B::Error;

        fn poll_frame(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, B::Error>>> {
            let this = self.get_mut();
            let frame = Pin::new(&mut this.inner).poll_frame(cx);
            this.activity
                .waiting_for_body
                .store(frame.is_pending(), Ordering::Relaxed);
            frame
        }

        fn is_end_stream(&self) -> bool {
            self.inner.is_end_stream()
        }

        fn size_hint(&self) -> http_body::SizeHint {
            self.inner.size_hint()
        }
    }

    impl<B> Drop for WatchedBody<B> {
        fn drop(&mut self) {
            self.activity
                .waiting_for_body
                .store(false, Ordering::Relaxed);
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
