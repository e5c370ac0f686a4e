//! Work that runs longer than a page: the office's generate, validate and compile (each a
//! [`Job`] with its progress, shown on its page), and the validate run of the inbox recorded
//! after uploads ([`Refresh`]), so that the receipts the office's page, `tianbao compile` and
//! the departments' pages read are those of every file in the inbox.
//!
//! Each takes the campaign lock through the application layer, one at a time in this process;
//! when the command line holds it, they wait for it.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::app::{AppError, Progress, Stage};
use crate::lock::LockError;

use super::sync::lock;

/// How long a writer waits for a campaign lock the command line holds.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Runs `f` again while it fails because another program holds the campaign lock, for at
/// most [`LOCK_WAIT`].
pub fn waiting_for_lock<T>(mut f: impl FnMut() -> Result<T, AppError>) -> Result<T, AppError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        match f() {
            Err(AppError::Lock(LockError::Held { .. })) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(250));
            }
            other => return other,
        }
    }
}

/// Progress of a job, read by its page.
#[derive(Debug, Default)]
pub struct JobProgress {
    stage: Mutex<Option<Stage>>,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Progress for JobProgress {
    fn start(&self, stage: Stage, total: usize) {
        *lock(&self.stage) = Some(stage);
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }
    fn set(&self, done: usize) {
        self.done.store(done, Ordering::Relaxed);
    }
}

impl JobProgress {
    /// The stage, how many are done of how many.
    pub fn now(&self) -> (Option<Stage>, usize, usize) {
        (
            *lock(&self.stage),
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// One line of a job's result: a text, and where it leads.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub href: Option<String>,
}

impl Line {
    pub fn text(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            href: None,
        }
    }
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            href: Some(href.into()),
        }
    }
}

/// What a job came to.
#[derive(Debug, Clone, Default)]
pub struct JobOutcome {
    pub ok: bool,
    pub headline: String,
    pub lines: Vec<Line>,
    /// Compile was refused because files changed since they were checked: offer to check
    /// them first.
    pub offer_revalidate: bool,
    /// Compile was refused because departments have no valid return: offer to compile anyway.
    pub offer_incomplete: bool,
}

/// A job of the office's.
#[derive(Debug)]
pub struct Job {
    pub id: u64,
    /// generate | validate | compile | accept
    pub kind: String,
    pub progress: JobProgress,
    pub outcome: Mutex<Option<JobOutcome>>,
}

impl Job {
    pub fn finished(&self) -> Option<JobOutcome> {
        lock(&self.outcome).clone()
    }
}

/// The office's jobs of this run (the last ones).
#[derive(Debug, Default)]
pub struct Jobs {
    inner: Arc<JobsInner>,
}

#[derive(Debug, Default)]
struct JobsInner {
    list: Mutex<Vec<Arc<Job>>>,
    next: AtomicU64,
    running: Mutex<usize>,
    idle: Condvar,
}

impl Jobs {
    /// Starts `work` as a job of `kind` on a thread of its own; `failed` is its headline if
    /// it fails unexpectedly.
    pub fn start(
        &self,
        kind: &str,
        failed: String,
        work: impl FnOnce(&JobProgress) -> JobOutcome + Send + 'static,
    ) -> Arc<Job> {
        let inner = &self.inner;
        let job = Arc::new(Job {
            id: inner.next.fetch_add(1, Ordering::Relaxed) + 1,
            kind: kind.to_string(),
            progress: JobProgress::default(),
            outcome: Mutex::new(None),
        });
        {
            let mut list = lock(&inner.list);
            list.push(job.clone());
            let excess = list.len().saturating_sub(50);
            list.drain(..excess);
        }
        *lock(&inner.running) += 1;
        let running = job.clone();
        let jobs = inner.clone();
        std::thread::spawn(move || {
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&running.progress)))
                    .unwrap_or_else(|_| JobOutcome {
                        ok: false,
                        headline: failed,
                        ..JobOutcome::default()
                    });
            *lock(&running.outcome) = Some(outcome);
            let mut n = lock(&jobs.running);
            *n -= 1;
            jobs.idle.notify_all();
        });
        job
    }

    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        lock(&self.inner.list).iter().find(|j| j.id == id).cloned()
    }

    /// Waits (at most ten minutes) until no job runs.
    pub fn wait_idle(&self) {
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut n = lock(&self.inner.running);
        while *n > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            n = self
                .inner
                .idle
                .wait_timeout(n, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// What a refresh was for is gone (the server stopped).
#[derive(Debug, Clone, Copy)]
pub struct Gone;

/// The validate runs of the inbox after uploads: one at a time, a request made while one
/// runs answered by the next (which checks every upload made until it starts).
#[derive(Debug, Default)]
pub struct Refresh {
    inner: Mutex<Wanted>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Wanted {
    /// Runs asked for.
    asked: u64,
    /// Runs asked for that a finished run answered.
    answered: u64,
    stop: bool,
    /// The last run's failure, if it failed.
    failure: Option<String>,
}

impl Refresh {
    pub fn new() -> Arc<Refresh> {
        Arc::new(Refresh::default())
    }

    /// Starts the thread that runs them: each run is `run`, which says why it failed (None:
    /// it did not), or that there is nothing to run for any more (`Err(Gone)`).
    pub fn spawn(
        self: &Arc<Refresh>,
        run: impl Fn() -> Result<Option<String>, Gone> + Send + 'static,
    ) {
        let refresh = self.clone();
        std::thread::spawn(move || refresh.work(run));
    }

    fn work(&self, run: impl Fn() -> Result<Option<String>, Gone>) {
        loop {
            let target = {
                let mut w = lock(&self.inner);
                while w.asked == w.answered && !w.stop {
                    w = self.changed.wait(w).unwrap_or_else(|e| e.into_inner());
                }
                if w.stop {
                    return;
                }
                w.asked
            };
            let Ok(failure) = run() else {
                return;
            };
            let mut w = lock(&self.inner);
            w.answered = target;
            w.failure = failure;
            self.changed.notify_all();
        }
    }

    /// Asks for a run and waits (at most `wait`) until one that started after now has ended.
    /// Returns whether it did.
    pub fn run_and_wait(&self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        let mut w = lock(&self.inner);
        w.asked += 1;
        let ticket = w.asked;
        self.changed.notify_all();
        while w.answered < ticket {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || w.stop {
                return false;
            }
            w = self
                .changed
                .wait_timeout(w, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        w.failure.is_none()
    }

    pub fn stop(&self) {
        lock(&self.inner).stop = true;
        self.changed.notify_all();
    }
}
