//! A department's upload, received: the multipart form's CSRF field checked first, the file
//! streamed into a staging folder of the campaign (`.tianbao-upload/`, never in the inbox)
//! under a generated name, never past `limits.max_file_bytes`, the body bounded throughout.
//! The application layer ([`crate::app::upload`]) then checks it exactly as `validate` checks
//! a file and keeps or refuses it; a kept upload asks for a validate run of the inbox
//! ([`super::jobs::Refresh`]), so that the office's page and `tianbao compile` count it.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Multipart, Path as UrlPath, State as Extract};
use axum::http::StatusCode;
use axum::response::Response;

use crate::access::Link;
use crate::app::AppError;
use crate::app::upload::{self, Received};

use super::guard;
use super::state::{Loaded, State};

/// How much of a refused, oversized body is read (and dropped) before the answer, so that
/// the browser sees the page rather than a broken connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// How long an upload waits for the validate run that counts it.
const REFRESH_WAIT: Duration = Duration::from_secs(20);

/// `POST /d/<token>/upload`: a multipart form with `csrf` first, then `file`.
///
/// Nothing of the body is read before the token is verified. The body is then bounded
/// ([`upload_body_limit`]): the `csrf` field to [`CSRF_FIELD_LIMIT`] bytes and everything before
/// the file to [`FORM_PART_LIMIT`] (a longer one is refused with 413, nothing kept); the file
/// streamed to disk, never kept in memory, never written past `limits.max_file_bytes`.
pub async fn upload(
    Extract(state): Extract<Arc<State>>,
    UrlPath(token): UrlPath<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let ip = client.ip();
    let link = match department_of(&state, &token, ip).await {
        Ok(link) => link,
        Err(answer) => return answer,
    };
    let loaded = match state.loaded() {
        Ok(l) => l,
        Err(e) => return guard::app_error(&state, &e),
    };
    let (mut multipart, budget) = match bounded_multipart(&state, &loaded, request).await {
        Ok(bounded) => bounded,
        Err(answer) => return answer,
    };
    let field = match file_field(&state, &loaded, &link, &mut multipart, &budget).await {
        Ok(field) => field,
        Err(answer) => return answer,
    };
    // The file's part began: from here on the body may grow to the file's bound.
    let limit = loaded.campaign.config.limits.max_file_bytes;
    budget.allow(upload_body_limit(limit));
    let name: String = field.file_name().unwrap_or("").chars().take(255).collect();
    let staging = match staging_dir(&state.dir) {
        Ok(dir) => dir,
        Err(e) => {
            let staging = state.dir.join(upload::STAGING);
            return guard::app_error(&state, &AppError::write_io(&staging, &e));
        }
    };
    let part = staging.join("upload.part");
    let received = match receive(field, &part, limit).await {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return guard::app_error(&state, &AppError::write_io(&part, &e));
        }
    };
    let done = {
        let state = state.clone();
        let client = ip.to_string();
        tokio::task::spawn_blocking(move || {
            let incoming = upload::Incoming {
                department: &link.department,
                token: link.id,
                name: &name,
                staging: &staging,
                part: &part,
                received,
                client: &client,
            };
            let result = accept(&state, &loaded, &incoming);
            let _ = std::fs::remove_dir_all(&staging);
            result
        })
        .await
    };
    match done {
        Ok(Ok(id)) => guard::see_other(&format!("/d/{token}?upload={id}")),
        Ok(Err(e)) => guard::app_error(&state, &e),
        Err(_) => guard::internal(&state),
    }
}

/// The form's `file` field, once its `csrf` field (first) proved the form the department's
/// page; otherwise the answer.
async fn file_field<'m>(
    state: &State,
    loaded: &Loaded,
    link: &Link,
    multipart: &'m mut Multipart,
    budget: &Budget,
) -> Result<axum::extract::multipart::Field<'m>, Response> {
    let t = loaded.texts();
    let too_long = || {
        guard::error_page(
            state,
            StatusCode::PAYLOAD_TOO_LARGE,
            t.get("error.field_too_large"),
        )
    };
    let expected = state.form_token(&format!("department\0{}", link.id));
    let csrf = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf") => small_field(field, budget).await,
        Err(_) if budget.exceeded() => Small::TooLong,
        _ => Small::Broken,
    };
    let csrf_ok = match csrf {
        Small::Text(text) => State::csrf_ok(&expected, &text),
        Small::TooLong => return Err(too_long()),
        Small::Broken => false,
    };
    if !csrf_ok {
        return Err(guard::error_page(
            state,
            StatusCode::FORBIDDEN,
            t.get("error.csrf"),
        ));
    }
    match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("file") => Ok(field),
        Err(_) if budget.exceeded() => Err(too_long()),
        _ => Err(guard::error_page(
            state,
            StatusCode::BAD_REQUEST,
            t.get("error.no_file"),
        )),
    }
}

/// Accepts the upload through the application layer, this process's writer and the campaign
/// lock held while it is kept; once kept, the inbox validated again (the department's page
/// and the office's count it). The receipt's id.
fn accept(state: &State, loaded: &Loaded, incoming: &upload::Incoming) -> Result<i64, AppError> {
    let on = upload::On {
        campaign: &loaded.campaign,
        master: &loaded.master,
        spec: &loaded.spec,
    };
    let accepted = upload::accept(&on, incoming, || {
        let writer = state.writer();
        let lock = super::jobs::waiting_for_lock(|| {
            Ok(crate::lock::Lock::acquire(&loaded.campaign.dir, "serve")?)
        })?;
        Ok((writer, lock))
    })?;
    if accepted.kept {
        state.refresh.run_and_wait(REFRESH_WAIT);
    }
    Ok(accepted.id)
}

/// The department `token` opens, or the answer when it opens none: a token in force always
/// opens; a wrong one is counted as a failed attempt, and answered "too many attempts" once the
/// client made too many.
async fn department_of(state: &Arc<State>, token: &str, ip: IpAddr) -> Result<Link, Response> {
    let link = {
        let state = state.clone();
        let token = token.to_string();
        tokio::task::spawn_blocking(move || state.department_link(&token)).await
    };
    match link {
        Ok(Ok(Some(link))) => Ok(link),
        Ok(Ok(None)) if state.wrong_token(ip, super::state::Attempt::Department) => {
            Err(guard::too_many(state))
        }
        Ok(Ok(None)) => Err(guard::bad_link(state)),
        Ok(Err(e)) => Err(guard::app_error(state, &e)),
        Err(_) => Err(guard::internal(state)),
    }
}

fn staging_dir(dir: &Path) -> std::io::Result<PathBuf> {
    let name = crate::access::random_hex(8).map_err(std::io::Error::other)?;
    let staging = dir.join(upload::STAGING).join(name);
    std::fs::create_dir_all(&staging)?;
    Ok(staging)
}

async fn receive(
    mut field: axum::extract::multipart::Field<'_>,
    part: &Path,
    limit: u64,
) -> std::io::Result<Received> {
    let mut file = std::fs::File::create(part)?;
    let mut size = 0u64;
    let mut over = false;
    let mut dropped = 0u64;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            // A broken connection or body: what came is what there is.
            Err(_) => break,
        };
        if over {
            dropped += chunk.len() as u64;
            if dropped > DRAIN_LIMIT {
                break;
            }
            continue;
        }
        if size + chunk.len() as u64 > limit {
            over = true;
            size += chunk.len() as u64;
            continue;
        }
        size += chunk.len() as u64;
        file.write_all(&chunk)?;
    }
    file.flush()?;
    Ok(Received { size, over })
}

/// The most an upload's `csrf` field may hold (its token is 64 characters).
const CSRF_FIELD_LIMIT: usize = 256;

/// The most an upload's body may hold before its file's part begins: the CSRF field and the
/// parts' headers, with room for what the connection hands over at once (hyper reads up to
/// about 400 KiB at a time).
const FORM_PART_LIMIT: u64 = 1024 * 1024;

/// How far past `limits.max_file_bytes` an upload's body is still read (and dropped), so that
/// a file a little over the limit gets the page saying so rather than a broken connection.
const OVER_LIMIT_READ: u64 = 16 * 1024 * 1024;

/// The most an upload's body may hold: the file's limit, what is read past it to say so, and
/// the rest of the form. A body declared larger is refused before it is read; one that grows
/// larger is cut off there.
fn upload_body_limit(max_file_bytes: u64) -> u64 {
    max_file_bytes
        .saturating_add(OVER_LIMIT_READ)
        .saturating_add(FORM_PART_LIMIT)
}

/// How much of an upload's body may be read: [`FORM_PART_LIMIT`] until its file's part
/// begins, then [`upload_body_limit`].
struct Budget {
    allowed: std::sync::atomic::AtomicU64,
    exceeded: std::sync::atomic::AtomicBool,
}

impl Budget {
    fn allow(&self, bytes: u64) {
        self.allowed
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    fn exceeded(&self) -> bool {
        self.exceeded.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A request body that fails once more than its [`Budget`] allows came.
struct Capped {
    inner: axum::body::Body,
    seen: u64,
    budget: Arc<Budget>,
}

impl http_body::Body for Capped {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::sync::atomic::Ordering;
        use std::task::Poll;
        let over = || Poll::Ready(Some(Err(axum::Error::new("the upload is too large"))));
        if self.budget.exceeded() {
            return over();
        }
        let frame = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &frame
            && let Some(data) = frame.data_ref()
        {
            self.seen = self.seen.saturating_add(data.len() as u64);
            if self.seen > self.budget.allowed.load(Ordering::Relaxed) {
                self.budget.exceeded.store(true, Ordering::Relaxed);
                return over();
            }
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}

/// The upload's form, its body bounded; refused with 413 when it says it is larger than
/// [`upload_body_limit`] allows.
async fn bounded_multipart(
    state: &State,
    loaded: &Loaded,
    request: axum::extract::Request,
) -> Result<(Multipart, Arc<Budget>), Response> {
    use axum::extract::FromRequest;
    use axum::response::IntoResponse;
    let max_file_bytes = loaded.campaign.config.limits.max_file_bytes;
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > upload_body_limit(max_file_bytes)) {
        let limit = upload::size_text(max_file_bytes);
        let message = loaded
            .texts()
            .say("refused.too_large", &[("limit", &limit)]);
        return Err(guard::error_page(
            state,
            StatusCode::PAYLOAD_TOO_LARGE,
            &message,
        ));
    }
    let budget = Arc::new(Budget {
        allowed: std::sync::atomic::AtomicU64::new(FORM_PART_LIMIT),
        exceeded: std::sync::atomic::AtomicBool::new(false),
    });
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(Capped {
        inner: body,
        seen: 0,
        budget: budget.clone(),
    });
    let request = axum::extract::Request::from_parts(parts, body);
    match Multipart::from_request(request, &()).await {
        Ok(multipart) => Ok((multipart, budget)),
        Err(rejection) => Err(rejection.into_response()),
    }
}

/// A small field of a form, as read.
enum Small {
    Text(String),
    /// Longer than [`CSRF_FIELD_LIMIT`], or the body grew past its budget in it.
    TooLong,
    /// Cut short, or not text.
    Broken,
}

/// Reads a small field by chunks, never more than [`CSRF_FIELD_LIMIT`] bytes of it.
async fn small_field(mut field: axum::extract::multipart::Field<'_>, budget: &Budget) -> Small {
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > CSRF_FIELD_LIMIT {
                    return Small::TooLong;
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) if budget.exceeded() => return Small::TooLong,
            Err(_) => return Small::Broken,
        }
    }
    String::from_utf8(bytes).map_or(Small::Broken, Small::Text)
}
