//! Only a test gate: `TIANBAO_WINDOWS=1` sets `cfg(tianbao_windows)`, which turns on the Windows
//! tests (`tests/windows.rs`, MinGW and Wine). Without it they are reported as ignored — never
//! counted as passed.

fn main() {
    println!("cargo::rerun-if-env-changed=TIANBAO_WINDOWS");
    println!("cargo::rustc-check-cfg=cfg(tianbao_windows)");
    if std::env::var("TIANBAO_WINDOWS").as_deref() == Ok("1") {
        println!("cargo::rustc-cfg=tianbao_windows");
    }
}
