//! Interop through a real spreadsheet application (LibreOffice), on when TIANBAO_INTEROP=1.
//! With the variable set and LibreOffice missing, these tests fail; they never skip silently.

mod common;

use common::*;
use tianbao::master::source::Layout;

fn inspect(path: &std::path::Path) -> serde_json::Value {
    let run = tianbao(
        path.parent().unwrap(),
        &["inspect", path.to_str().unwrap(), "--json"],
    );
    assert_eq!(run.code, 0, "{}: {}", path.display(), run.stderr);
    run.json()
}

#[test]
fn libreoffice_saves_give_identical_items() {
    if !interop_enabled() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let original = inspect(&sample_master());
    let master = dir.path().join("master.xlsx");
    std::fs::copy(sample_master(), &master).unwrap();
    for format in ["xlsx", "xls", "ods"] {
        let converted = soffice_convert(&master, format, &dir.path().join(format));
        let json = inspect(&converted);
        assert_eq!(
            json["items"], original["items"],
            "items differ after a LibreOffice {format} save"
        );
        assert_eq!(json["departments"], original["departments"], "{format}");
        assert_eq!(json["totals"], original["totals"], "{format}");
        assert_eq!(json["findings"], original["findings"], "{format}");
    }
}

#[test]
fn libreoffice_ods_of_a_paged_table_recovers_groups_from_structure() {
    if !interop_enabled() {
        return;
    }
    // .ods merges are invisible to the reader: groups and categories come from structure.
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout {
        repeat_header_before: vec!["1-3-2".into(), "2-4-2".into(), "5-2".into()],
        name_separator: " ".into(),
        ..Layout::default()
    };
    let path = write_variant(dir.path(), "paged.xlsx", &sample_source(), &layout);
    let ods = soffice_convert(&path, "ods", &dir.path().join("ods"));
    let json = inspect(&ods);
    let sample = inspect(&sample_master());
    assert_eq!(items_without_rows(&json), items_without_rows(&sample));
    assert_eq!(finding_codes(&json), finding_codes(&sample));
}
