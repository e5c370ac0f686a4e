//! What the server keeps while it runs: the campaign as last read (read again when
//! `tianbao.toml` or the master changes), the office's sessions, the failed attempts per client,
//! the jobs, and the one writer at a time.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use hmac::{KeyInit, Mac};

use crate::app::AppError;
use crate::campaign::{CONFIG_FILE, Campaign};
use crate::finding::Finding;
use crate::model::Master;
use crate::spec::Spec;
use crate::store::Store;
use crate::ui_texts::Texts;

use super::jobs::{Jobs, Refresh, waiting_for_lock};
use super::sync::lock;

/// Wrong tokens of one kind a client may give within [`WINDOW`] before further wrong ones are
/// answered "too many attempts" (a right token always opens).
pub const MAX_FAILURES: usize = 10;
/// The window of failed attempts, and how long a client that had too many is answered so.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long an office session lasts without use.
const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);

/// The campaign as read: its config, spec, master and the master's findings.
pub struct Loaded {
    pub campaign: Campaign,
    pub spec: Spec,
    pub master: Master,
    pub findings: Vec<Finding>,
    stamp: Stamp,
}

impl Loaded {
    /// The pages' texts, in the spec's language.
    pub fn texts(&self) -> &'static Texts {
        super::web_texts(&self.spec.language)
    }

    /// A finding's message in the spec's language, the campaign folder left out of the paths
    /// it names (`inbox/水科/…`, as the pages show files).
    pub fn message(&self, finding: &Finding) -> String {
        let message = finding.message(&self.spec);
        let dir = self.campaign.dir.display().to_string();
        let mut shown = message;
        for separator in ['/', '\\'] {
            shown = shown.replace(&format!("{dir}{separator}"), "");
        }
        shown
    }

    /// The department names of the master, in its order.
    pub fn departments(&self) -> Vec<&str> {
        self.master
            .departments()
            .iter()
            .map(|d| d.name.as_str())
            .collect()
    }

    /// The generated workbook of `department` in the outbox (it may not exist yet).
    pub fn outbox_file(&self, department: &str) -> Option<PathBuf> {
        let names = self.departments();
        let index = names.iter().position(|d| *d == department)?;
        let files = crate::template::file_names(&self.campaign.config.title, &names);
        Some(self.campaign.outbox().join(&files[index]))
    }
}

/// When the files a [`Loaded`] was read from were last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp(Vec<Option<(SystemTime, u64)>>);

fn stamp(dir: &Path, master: Option<&str>) -> Stamp {
    let mut files = vec![dir.join(CONFIG_FILE)];
    if let Some(m) = master {
        files.push(dir.join(m));
    }
    Stamp(
        files
            .iter()
            .map(|f| {
                let meta = std::fs::metadata(f).ok()?;
                Some((meta.modified().ok()?, meta.len()))
            })
            .collect(),
    )
}

/// An office session: its CSRF token, and when it was last used.
struct Session {
    csrf: String,
    used: Instant,
}

/// What a wrong token was given for: wrong attempts are counted, and limited, per client
/// address and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attempt {
    /// A department's link (`/d/<token>`, its downloads and upload).
    Department,
    /// The office's sign-in (the form or the link).
    Office,
}

/// Failed attempts of one client at one kind of token.
struct Failures {
    times: Vec<Instant>,
}

pub struct State {
    pub dir: PathBuf,
    pub store_path: PathBuf,
    loaded: Mutex<Option<Arc<Loaded>>>,
    office_token: String,
    /// This run's key for CSRF tokens of department pages and the sign-in form.
    key: String,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<(IpAddr, Attempt), Failures>>,
    /// One writer at a time in this process (uploads, validate, generate, compile); the
    /// campaign lock keeps the command line out as well.
    writer: Mutex<()>,
    pub address: SocketAddr,
    pub jobs: Jobs,
    pub refresh: Arc<Refresh>,
}

impl State {
    /// The department a token opens, if it is one in force.
    pub fn department_link(&self, token: &str) -> Result<Option<crate::access::Link>, AppError> {
        if !crate::access::looks_like_token(token) {
            return Ok(None);
        }
        let loaded = self.loaded()?;
        let store = self.store()?;
        let link =
            crate::access::verify(&store, &loaded.campaign.config.secret, token).map_err(|e| {
                match e {
                    crate::access::AccessError::Store(s) => AppError::Store(s),
                    other => AppError::Receipt(other.to_string()),
                }
            })?;
        // A department no longer in the master opens nothing.
        Ok(link.filter(|l| loaded.master.department(&l.department).is_some()))
    }

    pub fn new(
        campaign: Campaign,
        office_token: String,
        address: SocketAddr,
        key: String,
    ) -> Result<State, AppError> {
        let dir = campaign.dir.clone();
        let store_path = campaign.store_path();
        let loaded = read(campaign)?;
        crate::app::upload::clean_staging(&dir);
        let state = State {
            dir: dir.clone(),
            store_path,
            loaded: Mutex::new(Some(Arc::new(loaded))),
            office_token,
            key,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
            writer: Mutex::new(()),
            address,
            jobs: Jobs::default(),
            refresh: Refresh::new(),
        };
        Ok(state)
    }

    /// The campaign, read again when its tianbao.toml or master changed.
    pub fn loaded(&self) -> Result<Arc<Loaded>, AppError> {
        let mut guard = lock(&self.loaded);
        if let Some(current) = guard.as_ref() {
            let now = stamp(&self.dir, Some(&current.campaign.config.master));
            if now == current.stamp {
                return Ok(current.clone());
            }
        }
        let campaign = Campaign::open(&self.dir)?;
        let fresh = Arc::new(read(campaign)?);
        *guard = Some(fresh.clone());
        Ok(fresh)
    }

    pub fn store(&self) -> Result<Store, AppError> {
        Ok(Store::open(&self.store_path)?)
    }

    /// The one writer of this process: held while a writer runs.
    pub fn writer(&self) -> MutexGuard<'_, ()> {
        lock(&self.writer)
    }

    /// Whether `token` is the office's.
    pub fn is_office_token(&self, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(token.as_bytes().ct_eq(self.office_token.as_bytes()))
    }

    /// A new office session: its id (the cookie) and CSRF token; none when the system gives
    /// no random bytes.
    pub fn new_session(&self) -> Option<(String, String)> {
        let id = crate::access::random_hex(32).ok()?;
        let csrf = crate::access::random_hex(32).ok()?;
        let mut sessions = lock(&self.sessions);
        sessions.retain(|_, s| s.used.elapsed() < SESSION_IDLE);
        sessions.insert(
            id.clone(),
            Session {
                csrf: csrf.clone(),
                used: Instant::now(),
            },
        );
        Some((id, csrf))
    }

    /// The CSRF token of the office session `id`, if it is one in force.
    pub fn session(&self, id: &str) -> Option<String> {
        use subtle::ConstantTimeEq;
        let mut sessions = lock(&self.sessions);
        // Compared in constant time with each session id, not looked up by it.
        let found = sessions
            .iter()
            .find(|(k, _)| bool::from(k.as_bytes().ct_eq(id.as_bytes())))
            .map(|(k, _)| k.clone())?;
        let session = sessions.get_mut(&found)?;
        if session.used.elapsed() >= SESSION_IDLE {
            sessions.remove(&found);
            return None;
        }
        session.used = Instant::now();
        Some(session.csrf.clone())
    }

    pub fn end_session(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }

    /// The CSRF token of a form that is not the office's: made with this run's key from what
    /// the form is for (a department's token id, the sign-in form).
    pub fn form_token(&self, purpose: &str) -> String {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.key.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"tianbao form\0");
        mac.update(purpose.as_bytes());
        crate::digest::hex(&mac.finalize().into_bytes())
    }

    /// Whether `given` is the CSRF token `expected`, compared in constant time.
    pub fn csrf_ok(expected: &str, given: &str) -> bool {
        use subtle::ConstantTimeEq;
        !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    }

    /// Counts a wrong token of `client` at `kind` (a department's link, the office's sign-in);
    /// true when it is one too many: the client already made [`MAX_FAILURES`] wrong attempts of
    /// that kind within [`WINDOW`], and is then answered "too many attempts" rather than "wrong".
    ///
    /// Called only once a token was verified and found wrong: a right token always opens, from
    /// any address, however many wrong ones came from there (an office's shared address
    /// cannot be locked out by a neighbour's guesses). The office's own PC (loopback) is never
    /// refused the office's sign-in.
    pub fn wrong_token(&self, client: IpAddr, kind: Attempt) -> bool {
        let client = client.to_canonical();
        if kind == Attempt::Office && client.is_loopback() {
            return false;
        }
        let mut failures = lock(&self.failures);
        if failures.len() > 10_000 {
            failures.retain(|_, f| f.times.iter().any(|t| t.elapsed() < WINDOW));
        }
        let entry = failures
            .entry((client, kind))
            .or_insert(Failures { times: Vec::new() });
        entry.times.retain(|t| t.elapsed() < WINDOW);
        if entry.times.len() >= MAX_FAILURES {
            // Refused, not counted: the window ends WINDOW after the last counted attempt.
            return true;
        }
        entry.times.push(Instant::now());
        false
    }
}

fn read(campaign: Campaign) -> Result<Loaded, AppError> {
    let spec = campaign.spec()?;
    let read = campaign.read_master(&spec)?;
    let stamp = stamp(&campaign.dir, Some(&campaign.config.master));
    Ok(Loaded {
        campaign,
        spec,
        master: read.master,
        findings: read.findings,
        stamp,
    })
}

/// Validates the inbox as `tianbao validate --feedback` does, recording its receipts.
pub fn validate_inbox(state: &State) -> Result<crate::app::check::Validated, AppError> {
    let loaded = state.loaded()?;
    let _writer = state.writer();
    let options = crate::app::check::ValidateOptions {
        feedback: true,
        at: crate::time::now_utc(),
        ..Default::default()
    };
    waiting_for_lock(|| {
        crate::app::check::validate(loaded.campaign.clone(), &options, &crate::app::Quiet)
    })
}
