//! Scale benchmark: `generate`, `validate` and `compile` on campaigns of three sizes, run as the
//! release binary in a fresh folder, with wall time, throughput, CPU time and peak memory (the
//! child's max RSS); the floor: calamine alone opening and reading the same returns; and the
//! peer of compile, measured the same way in the same run: `benches/peer_compile.py`, the
//! script a savvy office programmer writes instead (python-calamine reading every return,
//! xlsxwriter writing a consolidated sheet; `pip install python-calamine xlsxwriter`).
//!
//!     cargo bench --bench scale            # S, M and L
//!     cargo bench --bench scale -- S M     # some sizes
//!     TIANBAO_BENCH_REPEAT=5 cargo bench --bench scale -- M   # validate, compile and the peer 5 times, the median
//!     TIANBAO_BENCH_KEEP=1 cargo bench --bench scale -- M     # keep the campaign folders (path on stderr)
//!
//! S is the sample (15 departments, 61 items); M 1,000 / 3,000; L 10,000 / 30,000.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::Reader;
use rayon::prelude::*;
use tianbao::campaign::Campaign;
use tianbao_kit::source::{Layout, write_master};

struct Measure {
    seconds: f64,
    /// User and system CPU time of the process.
    cpu: f64,
    peak_mb: f64,
}

/// The flag under which this benchmark runs as a small go-between (see [`measure`]).
const RUNNER: &str = "--measure-child";

/// Runs the binary with `args` in `dir`: wall time, and its peak resident memory.
///
/// A forked child's max RSS counts the memory of whoever forked it, and this benchmark holds a
/// whole campaign by then; so it re-runs itself as a small go-between ([`RUNNER`]) that starts
/// tianbao and reports the max RSS of its only child.
fn measure(dir: &Path, args: &[&str]) -> Measure {
    let mut command = vec![env!("CARGO_BIN_EXE_tianbao").to_string()];
    command.extend(args.iter().map(|a| a.to_string()));
    command.push("--quiet".into());
    measure_command(dir, &command)
}

/// Runs `command` in `dir` through the go-between: wall time, CPU time and peak memory.
fn measure_command(dir: &Path, command: &[String]) -> Measure {
    let started = Instant::now();
    let out = Command::new(std::env::current_exe().expect("the benchmark's own path"))
        .arg(RUNNER)
        .args(command)
        .current_dir(dir)
        .output()
        .expect("the benchmark runs itself");
    let seconds = started.elapsed().as_secs_f64();
    let report = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<f64> = report
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [peak_kb, cpu] = fields[..] else {
        panic!(
            "{command:?}: {report} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    };
    Measure {
        seconds,
        cpu,
        peak_mb: peak_kb / 1024.0,
    }
}

/// The go-between: runs the command, then prints the children's max RSS in KiB.
fn run_child(command: &[String]) -> ! {
    let status = Command::new(&command[0])
        .args(&command[1..])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("the tianbao binary runs");
    let code = status.code().unwrap_or(-1);
    if !(0..=1).contains(&code) {
        eprintln!("exited {code}");
        std::process::exit(1);
    }
    // SAFETY: a zeroed rusage is a valid value for getrusage to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: usage points to a live local.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    println!(
        "{} {}",
        usage.ru_maxrss,
        seconds(usage.ru_utime) + seconds(usage.ru_stime)
    );
    std::process::exit(0);
}

/// The run of median wall time among `TIANBAO_BENCH_REPEAT` runs (one when unset).
fn median_of(run: impl Fn() -> Measure) -> Measure {
    let repeat = std::env::var("TIANBAO_BENCH_REPEAT")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let mut runs: Vec<Measure> = (0..repeat).map(|_| run()).collect();
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    runs.swap_remove(repeat / 2)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// calamine alone: open every file and read every sheet's values.
fn floor(dir: &Path) -> f64 {
    let files = files_in(dir);
    let started = Instant::now();
    files.par_iter().for_each(|path| {
        let mut book = calamine::open_workbook_auto(path).expect("calamine opens the return");
        for name in book.sheet_names() {
            let range = book
                .worksheet_range(&name)
                .expect("calamine reads the sheet");
            std::hint::black_box(range.get_size());
        }
    });
    started.elapsed().as_secs_f64()
}

/// The peer on the inbox, measured as the commands are. Its output is removed first and must be
/// there afterwards: the go-between accepts exit code 1, so a peer that cannot import
/// python-calamine or xlsxwriter would otherwise be timed as if it had worked.
fn peer(dir: &Path) -> Measure {
    let out = dir.join("peer.xlsx");
    let _ = std::fs::remove_file(&out);
    let measured = measure_command(
        dir,
        &[
            "python3".into(),
            concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peer_compile.py").into(),
            "inbox".into(),
            "peer.xlsx".into(),
        ],
    );
    assert!(
        out.is_file(),
        "the peer wrote no peer.xlsx: pip install python-calamine xlsxwriter"
    );
    measured
}

fn run_size(label: &str, departments: usize, items: usize) -> String {
    let tmp = std::env::temp_dir().join(format!("tianbao-bench-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let master = tmp.join("master.xlsx");
    if label == "S" {
        std::fs::write(&master, tianbao::demo::SAMPLE_MASTER).unwrap();
    } else {
        let source = tianbao_kit::synthetic::master_source(departments, items);
        std::fs::write(&master, write_master(&source, &Layout::default()).unwrap()).unwrap();
    }
    let status = Command::new(env!("CARGO_BIN_EXE_tianbao"))
        .args(["init", "c", "--master", "master.xlsx"])
        .current_dir(&tmp)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let dir = tmp.join("c");
    let generate = measure(&dir, &["generate"]);
    let campaign = Campaign::open(&dir).unwrap();
    eprintln!("{label}: filling {departments} returns…");
    tianbao::demo::return_all(&campaign).unwrap();
    let validate = median_of(|| measure(&dir, &["validate"]));
    let compile = median_of(|| measure(&dir, &["compile"]));
    let raw = floor(&campaign.inbox());
    let peer = median_of(|| peer(&dir));
    let rate = |m: &Measure| departments as f64 / m.seconds;
    let row = format!(
        "| {label} | {departments} / {items} | {:.2} s ({:.0}/s, {:.0} MB) | {:.2} s ({:.0}/s, {:.0} MB) | {:.2} s | {:.1}× | {:.2} s (CPU {:.2} s, {:.0} MB) | {:.2} s (CPU {:.2} s, {:.0} MB) | {:.1}× |",
        generate.seconds,
        rate(&generate),
        generate.peak_mb,
        validate.seconds,
        rate(&validate),
        validate.peak_mb,
        raw,
        validate.seconds / raw,
        compile.seconds,
        compile.cpu,
        compile.peak_mb,
        peer.seconds,
        peer.cpu,
        peer.peak_mb,
        peer.seconds / compile.seconds,
    );
    if std::env::var_os("TIANBAO_BENCH_KEEP").is_some() {
        eprintln!("{label}: campaign kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    row
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(RUNNER) {
        run_child(&args[2..]);
    }
    // `cargo bench` passes `--bench`; sizes are the other arguments.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let sizes = [("S", 15, 61), ("M", 1_000, 3_000), ("L", 10_000, 30_000)];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("tianbao scale benchmark, release build, {cores} cores\n");
    println!(
        "| size | departments / items | generate (workbooks/s, peak) | validate (workbooks/s, peak) | calamine floor | validate ÷ floor | compile after validate (CPU, peak) | peer: python-calamine + xlsxwriter (CPU, peak) | peer ÷ compile |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (label, departments, items) in sizes {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == label) {
            continue;
        }
        println!("{}", run_size(label, departments, items));
    }
    let demo_dir = std::env::temp_dir().join(format!("tianbao-bench-demo-{}", std::process::id()));
    let demo = measure(&std::env::temp_dir(), &["demo", demo_dir.to_str().unwrap()]);
    println!(
        "\ndemo, end to end: {:.2} s ({:.0} MB)",
        demo.seconds, demo.peak_mb
    );
    let _ = std::fs::remove_dir_all(&demo_dir);
}
