//! The server's own accept loop around the router: what `axum::serve` did (HTTP/1 over hyper,
//! the client's address to the handlers as [`axum::extract::ConnectInfo`], a graceful stop on
//! Ctrl-C), with bounds, so that slow or idle clients cannot take the server from the others:
//!
//! - a request's head must come within [`Limits::header`] (hyper's header-read timeout, which
//!   also bounds a kept-alive connection waiting for its next request);
//! - a connection on which nothing moves for [`Limits::idle`] (a body that stops coming, an
//!   answer the client does not read) is closed — not while a page is being made or an upload
//!   checked;
//! - at most [`PER_CLIENT`] connections at a time from one address and [`TOTAL`] from all
//!   addresses together; the office's own PC (127.0.0.1, ::1) has [`OFFICE`] of its own, which
//!   other addresses cannot take. A connection past a bound is closed at once.

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
        self.answering.load(Ordering::Relaxed) > 0 && !self.waiting_for_body.load(Ordering::Relaxed)
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
