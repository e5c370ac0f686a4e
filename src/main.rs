//! The `tianbao` binary: parse the command line, run the subcommand, map the outcome to an exit
//! code (0 ok, 1 findings, 2 usage or fatal error).

mod cmd;

/// mimalloc returns freed memory to the system: with glibc's allocator the big transient
/// buffers of reading a large master (and of thousands of returns on every core) kept the
/// process's resident memory at three times its live heap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;
use std::sync::Mutex;

/// Where the last panic happened and what it said, kept by the panic hook for the one line
/// printed if the panic reaches `main`.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// mimalloc's `arena_eager_commit` and `purge_delay` options (their places in `mi_option_e`,
/// which keeps its order across versions): commit arenas as they are used, and give freed
/// memory back at once, so that peak memory follows what is live.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[allow(unsafe_code)]
fn tune_allocator() {
    // SAFETY: mi_option_set only stores an option value; it is called before any thread starts.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    // Panics are contained where untrusted files are read (they become findings) and must not
    // print Rust's message and backtrace hint there; one that reaches this far is a bug, reported
    // as one line with exit 2, never Rust's 101. TIANBAO_DEBUG=1 keeps Rust's own report.
    if std::env::var_os("TIANBAO_DEBUG").is_none() {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(format!("{message}{place}").replace(['\n', '\r'], " "));
            }
        }));
    }
    let run = || {
        // For the test of this last resort (see CONTRIBUTING.md).
        if std::env::var_os("TIANBAO_TEST_PANIC").is_some() {
            panic!("TIANBAO_TEST_PANIC is set");
        }
        cmd::main()
    };
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => {
            let what = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut l| l.take())
                .unwrap_or_default();
            let t = cmd::texts();
            eprintln!(
                "{}{}",
                t.get("error.prefix"),
                t.say("error.internal", &[("what", &what)])
            );
            ExitCode::from(2)
        }
    }
}
