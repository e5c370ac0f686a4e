//! The built-in specs by name from any folder (issue 20, item 4): `--spec en`, the source-tree
//! path `templates/en.toml`, `--lang en`, and `spec = "templates/en.toml"` in tianbao.toml all
//! select the English spec built into the binary; a spec file that exists is still read.

mod common;

use common::{shapes, tianbao};
use serde_json::Value;

/// A Chinese character in `text`.
fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn inspect_messages(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let run = tianbao(dir, args);
    assert!(run.code <= 1, "{args:?}: exit {}: {}", run.code, run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn inspect_takes_the_english_spec_by_name_or_source_path_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    let shape = shapes::h_rules_without_ids();
    std::fs::write(dir.path().join("m.xlsx"), shape.grid.to_xlsx()).unwrap();
    let zh = inspect_messages(dir.path(), &["inspect", "m.xlsx", "--json"]);
    assert!(!zh.is_empty() && zh.iter().all(|m| has_han(m)), "{zh:?}");
    for args in [
        &["inspect", "m.xlsx", "--json", "--spec", "en"][..],
        &["inspect", "m.xlsx", "--json", "--spec", "templates/en.toml"],
        &["--lang", "en", "inspect", "m.xlsx", "--json"],
    ] {
        let en = inspect_messages(dir.path(), args);
        assert_eq!(en.len(), zh.len(), "{args:?}");
        let id_assigned = en.iter().find(|m| m.contains("numbered")).cloned();
        assert!(id_assigned.is_some(), "{args:?}: English messages: {en:?}");
    }
    // A path that names no file and no built-in spec is still an error naming it.
    let run = tianbao(
        dir.path(),
        &["inspect", "m.xlsx", "--spec", "nowhere/x.toml"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nowhere/x.toml"), "{}", run.stderr);
}

#[test]
fn init_and_the_campaign_take_the_english_spec_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let shape = shapes::g_english_scorecard();
    std::fs::write(dir.path().join("m.xlsx"), shape.grid.to_xlsx()).unwrap();
    for (name, args) in [
        (
            "a",
            &["--lang", "en", "init", "a", "--master", "m.xlsx"][..],
        ),
        (
            "b",
            &[
                "init",
                "b",
                "--master",
                "m.xlsx",
                "--spec",
                "templates/en.toml",
            ],
        ),
        ("c", &["init", "c", "--master", "m.xlsx", "--spec", "en"]),
    ] {
        let run = tianbao(dir.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        let config = std::fs::read_to_string(dir.path().join(name).join("tianbao.toml")).unwrap();
        assert!(config.contains("spec = \"en\""), "{name}: {config}");
    }
    // A setting written as the source-tree path works outside the checkout.
    let config_path = dir.path().join("b/tianbao.toml");
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(
        &config_path,
        config.replace("spec = \"en\"", "spec = \"templates/en.toml\""),
    )
    .unwrap();
    let run = tianbao(dir.path(), &["-C", "b", "generate"]);
    assert_eq!(run.code, 0, "generate: {}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("templates/en.toml"), "{}", run.stderr);
    assert!(
        run.stdout.contains("items"),
        "English output: {}",
        run.stdout
    );
}
