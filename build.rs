//! Test gates only: `TIANBAO_INTEROP=1` sets `cfg(tianbao_interop)`, which turns on the tests
//! that run LibreOffice, `TIANBAO_WINDOWS=1` sets `cfg(tianbao_windows)`, which turns on the
//! Windows tests (`tests/windows.rs`, MinGW and Wine), and `TIANBAO_BROWSER=1` sets
//! `cfg(tianbao_browser)`, which turns on the real-browser test of `tianbao serve`
//! (`tests/browser.rs`, chromium and chromedriver). Without them those tests are reported as
//! ignored — never counted as passed; with them, a missing tool fails the test.

fn main() {
    for (var, cfg) in [
        ("TIANBAO_INTEROP", "tianbao_interop"),
        ("TIANBAO_WINDOWS", "tianbao_windows"),
        ("TIANBAO_BROWSER", "tianbao_browser"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var(var).as_deref() == Ok("1") {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
