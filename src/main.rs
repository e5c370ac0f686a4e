//! The `tianbao` binary: parse the command line, run the subcommand, map the outcome to an exit
//! code (0 ok, 1 findings, 2 usage or fatal error).

mod cmd;

use std::process::ExitCode;
use std::sync::Mutex;

/// Where the last panic happened and what it said, kept by the panic hook for the one line
/// printed if the panic reaches `main`.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
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
            eprintln!(
                "error: internal error ({what}); this is a bug in tianbao: please report it with \
                 the command you ran (files are written whole or not at all, so none is half-written)"
            );
            ExitCode::from(2)
        }
    }
}
