//! The terminal speaks the run's language: Chinese by default, English with `--lang en`, with
//! `LANG=en…`, or with a campaign on the English spec — help, summaries, errors and findings,
//! counts that read right, columns aligned by display width, times in the local zone.

mod common;

use std::path::Path;
use std::process::Command;

use common::Run;

/// Runs the binary with extra environment variables.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tianbao"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("the tianbao binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The ASCII words of `text` a Chinese reader would meet, beyond names of things they type:
/// the program, its commands and options, file names and extensions, config keys.
fn english_words(text: &str) -> Vec<String> {
    const ALLOWED: &[&str] = &[
        "tianbao",
        "inspect",
        "init",
        "generate",
        "validate",
        "status",
        "compile",
        "demo",
        "help",
        "toml",
        "xlsx",
        "xlsm",
        "xls",
        "ods",
        "zip",
        "json",
        "db",
        "inbox",
        "outbox",
        "out",
        "feedback",
        "aggregation",
        "min",
        "mean",
        "lead",
        "zh",
        "en",
        "cd",
        "Excel",
        "WPS",
        "JSON",
        "PDF",
        "HTML",
        "CSV",
        "RAR",
        "Office",
        "PowerPoint",
        "Word",
        "limits",
        "max_files",
        "columns",
        "map",
        "units",
        "sheet",
        "master",
        "title",
        "contact",
        "deadline",
        "office",
        "remind",
        "dept",
        "spec",
        "lang",
        "quiet",
        "campaign",
        "version",
        "accept",
        "revalidate",
        "review",
        "kind",
        "assess",
        "progress",
        "data",
        "allow",
        "incomplete",
        "warnings",
        "max",
        "header",
        "row",
        "first",
        "leads",
        "return",
        "to",
        "kpb",
        "example",
        "gov",
        "cn",
        "docx",
        "pptx",
        "xlsb",
        "demo",
        "txt",
        "period",
        "new",
        "list",
        // `tianbao serve`: its name, options and the addresses in its examples.
        "serve",
        "bind",
        "url",
        "links",
        "reissue",
        "http",
        "ipconfig",
        "Ctrl",
    ];
    text.split(|c: char| !c.is_ascii_alphabetic() && c != '_')
        .filter(|w| w.len() >= 2)
        .filter(|w| !ALLOWED.contains(w))
        .map(str::to_string)
        .collect()
}

const COMMANDS: [&str; 10] = [
    "inspect", "init", "generate", "validate", "status", "compile", "review", "period", "serve",
    "demo",
];

#[test]
fn help_is_chinese_by_default_with_no_english_word() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = vec![run_env(dir.path(), &["--help"], &[])];
    for command in COMMANDS {
        pages.push(run_env(dir.path(), &[command, "--help"], &[]));
        pages.push(run_env(dir.path(), &["help", command], &[]));
    }
    for page in &pages {
        assert_eq!(page.code, 0, "{}", page.stderr);
        assert!(page.stdout.contains("用法："), "{}", page.stdout);
        let words = english_words(&page.stdout);
        assert!(
            words.is_empty(),
            "English words {words:?} in:\n{}",
            page.stdout
        );
    }
}

#[test]
fn english_with_lang_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    for run in [
        run_env(dir.path(), &["--lang", "en", "validate", "--help"], &[]),
        run_env(
            dir.path(),
            &["validate", "--help"],
            &[("LANG", "en_US.UTF-8")],
        ),
    ] {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains("Usage: tianbao validate"),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("Options"), "{}", run.stdout);
        assert!(!run.stdout.contains("用法"), "{}", run.stdout);
    }
    // LC_ALL wins over LANG, as on Unix.
    let run = run_env(
        dir.path(),
        &["--help"],
        &[("LANG", "en_US.UTF-8"), ("LC_ALL", "zh_CN.UTF-8")],
    );
    assert!(run.stdout.contains("用法："), "{}", run.stdout);
}

#[test]
fn usage_errors_are_told_in_words_with_where_to_read_more() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_env(dir.path(), &["valdate"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("错误：没有“valdate”这个命令"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("validate"), "{}", run.stderr);
    assert!(run.stderr.contains("tianbao --help"), "{}", run.stderr);
    let run = run_env(dir.path(), &["validate", "--max-warnings", "x"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("“x”无效"), "{}", run.stderr);
    assert!(
        run.stderr.contains("tianbao validate --help"),
        "{}",
        run.stderr
    );
    assert!(
        english_words(&run.stderr)
            .iter()
            .all(|w| w == "warnings" || w == "max")
    );
    let run = run_env(dir.path(), &["--lang", "en", "status", "--frob"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: unknown argument --frob"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_cycle_in_chinese_meets_no_english_word() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_env(dir.path(), &["demo", "d"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // Paths are the reader's own; what is left must be Chinese.
    let text: String = run
        .stdout
        .lines()
        .map(|l| l.split("d/campaign").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let words = english_words(&text);
    assert!(words.is_empty(), "{words:?}\n{}", run.stdout);
    // Columns align by display width: every ✓/✗ of the first listing stands in one column.
    let marks: Vec<usize> = run
        .stdout
        .lines()
        .filter(|l| l.contains('✓') || l.contains('✗'))
        .take(15)
        .map(|l| {
            let before = &l[..l.find(['✓', '✗']).unwrap()];
            unicode_width::UnicodeWidthStr::width(before)
        })
        .collect();
    assert_eq!(marks.len(), 15, "{}", run.stdout);
    assert!(
        marks.windows(2).all(|w| w[0] == w[1]),
        "{marks:?}\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("有效 13，有误 2，未交 0"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_cycle_in_english_counts_read_right() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_env(dir.path(), &["--lang", "en", "demo", "d"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("wrote 15 workbooks to"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("  1 item  "), "{}", run.stdout);
    assert!(run.stdout.contains("13 items"), "{}", run.stdout);
    assert!(run.stdout.contains("1 error "), "{}", run.stdout);
    assert!(run.stdout.contains("2 errors"), "{}", run.stdout);
    assert!(!run.stdout.contains(" 1 items"), "{}", run.stdout);
    assert!(!run.stdout.contains(" 1 errors"), "{}", run.stdout);
}

#[test]
fn a_campaign_on_the_english_spec_speaks_english() {
    let dir = tempfile::tempdir().unwrap();
    let master = common::sample_master();
    let run = run_env(
        dir.path(),
        &[
            "init",
            "c",
            "--master",
            master.to_str().unwrap(),
            "--spec",
            "en",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("created campaign"), "{}", run.stdout);
    let campaign = dir.path().join("c");
    let run = run_env(&campaign, &["generate"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("wrote 15 workbooks"), "{}", run.stdout);
    let run = run_env(&campaign, &["status"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("missing"), "{}", run.stdout);
    assert!(!run.stdout.contains("未交"), "{}", run.stdout);
}

#[test]
fn times_are_local_on_the_terminal_and_rfc3339_with_offset_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_env(dir.path(), &["demo", "d"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let campaign = dir.path().join("d/campaign");
    let shanghai = [("TZ", "Asia/Shanghai")];
    let run = run_env(&campaign, &["status"], &shanghai);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let received = run
        .stdout
        .lines()
        .find_map(|l| l.split("收到 ").nth(1))
        .expect("a received time");
    // `2026-12-01 17:16`: a date, a space, hours and minutes; no `T`, no `Z`.
    assert_eq!(received.trim().len(), 16, "{received}");
    assert!(
        !received.contains('T') && !received.contains('Z'),
        "{received}"
    );
    let run = run_env(&campaign, &["status", "--json"], &shanghai);
    let json = run.json();
    let at = json["departments"][0]["received"].as_str().unwrap();
    assert!(at.ends_with("+08:00"), "{at}");
    // The same instant as the terminal shows.
    assert!(
        at.replace('T', " ").starts_with(received.trim()),
        "{at} {received}"
    );
}

#[test]
fn status_names_every_unusable_file_and_its_exit_code_follows() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_env(dir.path(), &["demo", "d"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let campaign = dir.path().join("d/campaign");
    let run = run_env(&campaign, &["status"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // A file that is no workbook of this campaign: named, with why; exit 1.
    std::fs::write(campaign.join("inbox/名单.xlsx"), b"PK\x03\x04 not really").unwrap();
    let run = run_env(&campaign, &["status"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("无法使用的文件"), "{}", run.stdout);
    assert!(run.stdout.contains("名单.xlsx"), "{}", run.stdout);
    assert!(run.stdout.contains("无法识别 1"), "{}", run.stdout);
}
