//! Test gates only: `TIANBAO_INTEROP=1` sets `cfg(tianbao_interop)`, which turns on the tests
//! that run LibreOffice, and `TIANBAO_WINDOWS=1` sets `cfg(tianbao_windows)`, which turns on the
//! Windows tests (`tests/windows.rs`, MinGW and Wine). Without them those tests are reported as
//! ignored — never counted as passed; with them, a missing tool fails the test.

fn main() {
    for (var, cfg) in [
        ("TIANBAO_INTEROP", "tianbao_interop"),
        ("TIANBAO_WINDOWS", "tianbao_windows"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var(var).as_deref() == Ok("1") {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
