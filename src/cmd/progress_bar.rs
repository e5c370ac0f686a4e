//! Progress for people: a bar on stderr when it is a terminal, a plain line every tenth
//! otherwise — and only once a run has taken about a second. `--quiet` silences it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Set once from the command line.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

const GRACE: Duration = Duration::from_secs(1);

pub struct Progress {
    label: &'static str,
    total: usize,
    started: Instant,
    bar: Option<ProgressBar>,
    /// The last tenth reported as a plain line.
    tenth: AtomicUsize,
}

impl Progress {
    pub fn new(label: &'static str, total: usize) -> Progress {
        let bar = (!quiet() && std::io::stderr().is_terminal()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(label);
            bar
        });
        Progress {
            label,
            total,
            started: Instant::now(),
            bar,
            tenth: AtomicUsize::new(0),
        }
    }

    /// `done` of `total` are finished.
    pub fn set(&self, done: usize) {
        if quiet() || self.started.elapsed() < GRACE {
            return;
        }
        match &self.bar {
            Some(bar) => {
                if bar.is_hidden() {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                }
                bar.set_position(done as u64);
            }
            None => {
                let tenth = done * 10 / self.total.max(1);
                if self.tenth.fetch_max(tenth, Ordering::Relaxed) < tenth {
                    eprintln!("{}: {done}/{}", self.label, self.total);
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The application layer's progress, shown on the terminal: a [`Progress`] per stage.
#[derive(Default)]
pub struct Terminal {
    current: std::sync::Mutex<Option<Progress>>,
}

impl Terminal {
    fn with(&self, f: impl FnOnce(&Progress)) {
        if let Ok(current) = self.current.lock()
            && let Some(progress) = current.as_ref()
        {
            f(progress);
        }
    }
}

impl tianbao::app::Progress for Terminal {
    fn start(&self, stage: tianbao::app::Stage, total: usize) {
        let key = match stage {
            tianbao::app::Stage::Generating => "progress.generating",
            tianbao::app::Stage::Checking => "progress.checking",
            tianbao::app::Stage::Hashing => "progress.hashing",
        };
        let label = super::texts().get(key);
        if let Ok(mut current) = self.current.lock() {
            *current = Some(Progress::new(label, total));
        }
    }

    fn set(&self, done: usize) {
        self.with(|p| p.set(done));
    }

    fn finish(&self) {
        self.with(|p| p.finish());
    }
}
