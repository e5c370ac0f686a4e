//! Interop through a real spreadsheet application (LibreOffice), on when TIANBAO_INTEROP=1.
//! With the variable set and LibreOffice missing, these tests fail; they never skip silently.

mod common;

use common::*;
use tianbao_kit::source::Layout;

fn inspect(path: &std::path::Path) -> serde_json::Value {
    let run = tianbao(
        path.parent().unwrap(),
        &["inspect", path.to_str().unwrap(), "--json"],
    );
    assert_eq!(run.code, 0, "{}: {}", path.display(), run.stderr);
    run.json()
}

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_saves_give_identical_items() {
    require_libreoffice();
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
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_ods_of_a_paged_table_recovers_groups_from_structure() {
    require_libreoffice();
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

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn a_template_filled_and_saved_by_libreoffice_keeps_identity_and_values() {
    require_libreoffice();
    use tianbao::campaign::Campaign;
    use tianbao::identity::Identity;
    use tianbao::workbook::{self, Value};
    let (dir, c) = init_campaign();
    assert_eq!(tianbao(&c, &["generate", "--dept", "水科"]).code, 0);
    let campaign = Campaign::open(&c).unwrap();
    let template = workbooks_in(&c.join("outbox")).remove(0);
    let out_base = dir.path().join("filled");
    let cells = serde_json::json!({"I4": 1, "J4": "已完成", "K4": "按时完成数据采集。", "I5": 0.5, "J5": "部分完成", "K5": "部分数据晚报。", "L5": "数据晚报一次"});
    libreoffice_fill(&template, &out_base, &cells, dir.path());
    for ext in ["xlsx", "xls", "ods"] {
        let path = out_base.with_extension(ext);
        let book = workbook::open(&path).unwrap_or_else(|e| panic!("{ext}: {e}"));
        let identity = Identity::read(&book)
            .unwrap()
            .unwrap_or_else(|| panic!("{ext}: identity lost"));
        assert_eq!(identity.department, "水科", "{ext}");
        assert!(
            identity.verify(&campaign.config.secret),
            "{ext}: signature no longer verifies"
        );
        let grid = &book.sheets[0].grid;
        assert_eq!(grid.raw(3, 8), &Value::Number(1.0), "{ext}");
        assert_eq!(grid.raw(4, 8), &Value::Number(0.5), "{ext}");
        assert_eq!(grid.raw(4, 9), &Value::Text("部分完成".into()), "{ext}");
        assert_eq!(
            grid.raw(4, 11),
            &Value::Text("数据晚报一次".into()),
            "{ext}"
        );
        assert_eq!(
            book.custom_properties
                .get(tianbao::identity::PROP_DEPARTMENT)
                .map(String::as_str),
            Some("水科"),
            "{ext}"
        );
    }
}

/// Fills `cells` of `template` through LibreOffice and saves OUT_BASE.{xlsx,xls,ods}.
fn libreoffice_fill(
    template: &std::path::Path,
    out_base: &std::path::Path,
    cells: &serde_json::Value,
    home: &std::path::Path,
) {
    let status = std::process::Command::new("/usr/bin/python3")
        .arg(repo().join("tests/scripts/lo_fill.py"))
        .arg(template)
        .arg(out_base)
        .arg(cells.to_string())
        .env("HOME", home)
        .output()
        .expect("/usr/bin/python3 (Debian, with python3-uno) runs");
    assert!(
        status.status.success(),
        "lo_fill.py failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn returns_filled_by_libreoffice_validate_clean_and_its_errors_are_found() {
    require_libreoffice();
    let c = common::play::Campaign::new();
    let dept = "水科";
    let mut cells = serde_json::Map::new();
    for item in c.items(dept) {
        let weight: f64 = item.weight.unwrap().to_string().parse().unwrap();
        cells.insert(c.cell(dept, &item.id, "score"), serde_json::json!(weight));
        cells.insert(
            c.cell(dept, &item.id, "status"),
            serde_json::json!("已完成"),
        );
        cells.insert(
            c.cell(dept, &item.id, "progress"),
            serde_json::json!("按计划完成。"),
        );
    }
    cells.insert(c.signoff_cell(dept, "filler"), serde_json::json!("张三"));
    cells.insert(
        c.signoff_cell(dept, "phone"),
        serde_json::json!("13800000000"),
    );
    let good = c.tmp.path().join("good");
    libreoffice_fill(
        &c.outbox_file(dept),
        &good,
        &serde_json::Value::Object(cells.clone()),
        c.tmp.path(),
    );
    let wrong_cell = c.cell(dept, "1-5-2", "score");
    cells.insert(wrong_cell.clone(), serde_json::json!(5));
    let bad = c.tmp.path().join("bad");
    libreoffice_fill(
        &c.outbox_file(dept),
        &bad,
        &serde_json::Value::Object(cells),
        c.tmp.path(),
    );
    for ext in ["xlsx", "xls", "ods"] {
        let path = good.with_extension(ext);
        let run = c.run(&["validate", "--json", path.to_str().unwrap()]);
        let json = run.json();
        let ret = &json["returns"][0];
        assert_eq!(ret["status"], "valid", "{ext}: {ret}");
        assert_eq!(ret["findings"].as_array().unwrap().len(), 0, "{ext}: {ret}");
        let path = bad.with_extension(ext);
        let run = c.run(&["validate", "--json", path.to_str().unwrap()]);
        let json = run.json();
        let list = common::play::findings(&json);
        assert!(
            list.iter()
                .any(|(_, code, cell, item)| code == "out_of_range"
                    && *cell == wrong_cell
                    && item == "1-5-2"),
            "{ext}: {list:?}"
        );
        assert_eq!(list.len(), 1, "{ext}: {list:?}");
    }
}
