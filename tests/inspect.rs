//! `tianbao inspect` on the sample master and on layouts of the same table the tests build.

mod common;

use common::*;
use serde_json::{Value, json};
use tianbao_kit::source::{Layout, SourceRow};

fn inspect_json(path: &std::path::Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let run = tianbao(dir.path(), &["inspect", path.to_str().unwrap(), "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn department<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no department {name}"))
}

#[test]
fn sample_master_reads_whole() {
    let json = inspect_json(&sample_master());
    assert_eq!(json["title"], "泉州市生态环境局2023年度绩效目标考评表");
    assert_eq!(json["sheet"], "考评表");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 61);
    assert_eq!(items[0]["id"], "1-1-1");
    assert_eq!(items[60]["id"], "10-1");
    assert_eq!(
        json["totals"],
        json!({"职能工作目标": 68, "行政能力目标": 20, "文明创建": 6, "平安建设": 6, "total": 100})
    );
    assert_eq!(json["departments"].as_array().unwrap().len(), 15);
    assert_eq!(department(&json, "办公室")["items"], 13);
    assert_eq!(department(&json, "人事科")["items"], 1);
    assert_eq!(department(&json, "人事科")["persons"], json!(["黄雪芳"]));
    assert_eq!(department(&json, "机关党委")["persons"], json!(["郑秀勇"]));

    let first = &items[0];
    assert_eq!(first["category"], json!(["职能工作目标", "重点工作目标"]));
    assert_eq!(first["group"], "1-1");
    assert_eq!(first["points"], 5);
    assert_eq!(first["weight"], 2);
    assert_eq!(first["leaders"], json!(["胡碧洲", "林志雄"]));
    assert_eq!(
        first["departments"],
        json!(["办公室", "审批科", "执法支队", "监测综合科"])
    );
    assert_eq!(
        first["persons"],
        json!(["刘涛", "陈颖锋", "陈曦", "李煌伟"])
    );
    let basis = first["basis"].as_str().unwrap();
    assert!(
        basis.starts_with("1.市委2023年工作要点") && basis.contains("\n4.关于印发"),
        "{basis}"
    );

    let by_id = |id: &str| items.iter().find(|i| i["id"] == id).unwrap();
    assert_eq!(by_id("1-6-2")["weight"], json!(1.5));
    assert_eq!(
        by_id("4-1")["category"],
        json!(["行政能力目标", "从严治党"])
    );
    assert_eq!(by_id("4-1")["group"], "4-1");
    assert_eq!(by_id("4-1")["task"], Value::Null);
    assert_eq!(by_id("9-1")["category"], json!(["文明创建"]));
    assert_eq!(by_id("5-4")["departments"], json!(["机关党委", "人事科"]));
    assert_eq!(by_id("5-4")["persons"], json!(["郑秀勇", "黄雪芳"]));
    // Group 1-3's merged cells continue across the page break of the source.
    assert_eq!(by_id("1-3-2")["indicator"], by_id("1-3-1")["indicator"]);
    assert_eq!(by_id("2-4-2")["points"], 2);

    let findings = json["findings"].as_array().unwrap();
    let mismatch = findings
        .iter()
        .find(|f| f["code"] == "group_points_mismatch")
        .expect("the 2-4 points mismatch is reported");
    assert_eq!(mismatch["severity"], "warning");
    assert_eq!(mismatch["cell"], "考评表!E40");
    assert_eq!(mismatch["item"], "2-4-1");
    assert!(mismatch["message"].as_str().unwrap().contains("2-4"));
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "task_empty" && f["item"] == "2-4-1")
    );
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "text_unterminated" && f["item"] == "2-3-2")
    );
    assert!(
        findings.iter().all(|f| f["severity"] == "warning"),
        "{findings:?}"
    );
}

#[test]
fn human_summary_lists_tree_departments_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let run = tianbao(dir.path(), &["inspect", sample_master().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("61 项，4 个类别 · 15 个部门 · 权重合计 100"),
        "{out}"
    );
    assert!(out.contains("职能工作目标（68分，权重合计 68）"), "{out}");
    assert!(out.contains("    2-4（2分，权重合计 3）"), "{out}");
    assert!(out.contains("部门（15 个）"), "{out}");
    assert!(out.contains("发现：0 处错误，4 条提醒"), "{out}");
    assert!(out.contains("提醒  考评表!E40 [2-4-1]  2-4 组"), "{out}");
}

/// Every layout below is the same table: it must give the sample's items exactly.
fn assert_same_table(variant: &Value) {
    let sample = inspect_json(&sample_master());
    assert_eq!(items_without_rows(variant), items_without_rows(&sample));
    assert_eq!(variant["departments"], sample["departments"]);
    assert_eq!(variant["totals"], sample["totals"]);
}

#[test]
fn names_on_one_line_and_a_joined_pair_are_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = sample_source();
    for item in source.items_mut() {
        if item.id == "5-4" {
            item.departments = vec!["机关党委人事科".into()];
        }
    }
    let layout = Layout {
        name_separator: " ".into(),
        ..Layout::default()
    };
    let path = write_variant(dir.path(), "spaces.xlsx", &source, &layout);
    let json = inspect_json(&path);
    assert_same_table(&json);
    let repaired: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "names_repaired")
        .collect();
    assert_eq!(repaired.len(), 1, "{repaired:?}");
    assert_eq!(repaired[0]["item"], "5-4");
    assert_eq!(repaired[0]["severity"], "warning");
    assert!(
        repaired[0]["cell"]
            .as_str()
            .unwrap()
            .starts_with("考评表!J")
    );
    assert!(
        repaired[0]["message"]
            .as_str()
            .unwrap()
            .contains("机关党委、人事科")
    );
}

#[test]
fn header_repeated_mid_table_with_split_merges() {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout {
        // 1-3-2 splits group 1-3 and both category levels; 2-4-2 splits group 2-4; 5-2 falls
        // inside the short section, whose repeated header has its own second row.
        repeat_header_before: vec!["1-3-2".into(), "2-4-2".into(), "5-2".into()],
        ..Layout::default()
    };
    let path = write_variant(dir.path(), "repeated.xlsx", &sample_source(), &layout);
    let json = inspect_json(&path);
    assert_same_table(&json);
    let sample = inspect_json(&sample_master());
    assert_eq!(finding_codes(&json), finding_codes(&sample));
}

#[test]
fn table_on_a_second_sheet_after_notes() {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout {
        sheet_name: "2023年".into(),
        sheets_before: vec![(
            "填表说明".into(),
            vec!["本表由办公室汇总。".into(), "权重合计100分。".into()],
        )],
        ..Layout::default()
    };
    let path = write_variant(dir.path(), "second.xlsx", &sample_source(), &layout);
    let json = inspect_json(&path);
    assert_eq!(json["sheet"], "2023年");
    assert_same_table(&json);
}

#[test]
fn title_blank_and_note_rows_are_not_items() {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout {
        rows_above: vec!["单位：泉州市生态环境局".into(), "".into()],
        notes_below: vec![
            "注：1. 权重合计100分。".into(),
            "说明：各科室于12月底前报送。".into(),
        ],
        ..Layout::default()
    };
    let path = write_variant(dir.path(), "notes.xlsx", &sample_source(), &layout);
    let json = inspect_json(&path);
    assert_eq!(json["title"], "泉州市生态环境局2023年度绩效目标考评表");
    assert_same_table(&json);
}

#[test]
fn format_is_detected_by_content_not_extension() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["renamed.xls", "macro.xlsm", "no-extension"] {
        let path = dir.path().join(name);
        std::fs::copy(sample_master(), &path).unwrap();
        let json = inspect_json(&path);
        assert_eq!(json["items"].as_array().unwrap().len(), 61, "{name}");
    }
}

#[test]
fn broken_tables_are_errors_with_cells() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = sample_source();
    for item in source.items_mut() {
        match item.id.as_str() {
            "1-1-2" => item.id = "1-1-1".into(),
            "1-1-3" => item.weight = "两分".into(),
            "4-1" => item.weight = "".into(),
            "4-2" => item.id = "4-x".into(),
            "4-3" => item.departments.clear(),
            _ => {}
        }
    }
    let path = write_variant(dir.path(), "broken.xlsx", &source, &Layout::default());
    let run = tianbao(dir.path(), &["inspect", path.to_str().unwrap(), "--json"]);
    assert_eq!(run.code, 1, "errors in the table exit 1: {}", run.stderr);
    let json = run.json();
    let find = |code: &str| -> Vec<(String, String)> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| {
                assert_eq!(f["severity"], "error", "{f}");
                (
                    f["cell"].as_str().unwrap().to_string(),
                    f["item"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        find("id_duplicate"),
        vec![("考评表!C5".into(), "1-1-1".into())]
    );
    assert_eq!(
        find("weight_not_number"),
        vec![("考评表!G6".into(), "1-1-3".into())]
    );
    let missing = find("weight_missing");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].1, "4-1");
    assert!(missing[0].0.starts_with("考评表!G"));
    assert_eq!(find("id_malformed").len(), 1);
    assert_eq!(find("id_malformed")[0].1, "4-x");
    assert_eq!(find("departments_missing").len(), 1);
}

#[test]
fn missing_id_on_a_row_with_a_weight() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = sample_source();
    if let Some(SourceRow::Item(item)) = source.rows.get_mut(2) {
        item.id = String::new();
    }
    let path = write_variant(dir.path(), "noid.xlsx", &source, &Layout::default());
    let run = tianbao(dir.path(), &["inspect", path.to_str().unwrap(), "--json"]);
    assert_eq!(run.code, 1);
    let json = run.json();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "id_missing")
        .expect("id_missing");
    assert_eq!(f["cell"], "考评表!C6");
    assert_eq!(json["items"].as_array().unwrap().len(), 60);
}

#[test]
fn unreadable_inputs_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.xlsx"), "序号,权重\n1,2\n").unwrap();
    let run = tianbao(dir.path(), &["inspect", "a.xlsx"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.trim(),
        "错误：a.xlsx 是纯文本文件（如 CSV），不是电子表格。请确认选对了文件：应是 .xlsx、.xls 或 .ods 格式的表格（其他格式的表格请在 Excel 或 WPS 中另存为 .xlsx）。"
    );

    let run = tianbao(dir.path(), &["inspect", "missing.xlsx"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("错误：无法读取 missing.xlsx"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);

    let mut truncated = std::fs::read(sample_master()).unwrap();
    truncated.truncate(truncated.len() / 2);
    std::fs::write(dir.path().join("half.xlsx"), truncated).unwrap();
    let run = tianbao(dir.path(), &["inspect", "half.xlsx"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("已损坏或不完整"), "{}", run.stderr);

    let run = tianbao(
        dir.path(),
        &[
            "inspect",
            sample_master().to_str().unwrap(),
            "--sheet",
            "Sheet9",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("中没有名为“Sheet9”的工作表。其中的工作表：\"考评表\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_workbook_without_the_table_says_which_columns_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet.write_string(0, 1, "电话").unwrap();
    book.save(dir.path().join("other.xlsx")).unwrap();
    let run = tianbao(dir.path(), &["inspect", "other.xlsx"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("在 other.xlsx 中找不到表头"),
        "{}",
        run.stderr
    );
    // It says what a header needs and how to name the columns when the labels are unknown.
    assert!(run.stderr.contains("责任部门"), "{}", run.stderr);
    assert!(run.stderr.contains("--map"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn english_spec_speaks_english() {
    let dir = tempfile::tempdir().unwrap();
    let spec = repo().join("templates/en.toml");
    let run = tianbao(
        dir.path(),
        &[
            "inspect",
            sample_master().to_str().unwrap(),
            "--json",
            "--spec",
            spec.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let mismatch = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "group_points_mismatch")
        .unwrap();
    assert_eq!(
        mismatch["message"],
        "Group 2-4 declares 2 points in its indicator, but its item weights add up to 3. Check the points or the weights."
    );
}

#[test]
fn sample_master_is_rebuilt_from_its_source() {
    // samples/master.xlsx must be exactly what the committed source builds.
    let built = tianbao_kit::source::write_master(&sample_source(), &Layout::default()).unwrap();
    let committed = std::fs::read(sample_master()).unwrap();
    assert!(
        built == committed,
        "samples/master.xlsx is stale: run `cargo run --example build_sample_master`"
    );
}

/// A responsible-unit cell written as a path (`../../逃逸科`, split at `/`): `..` is not a unit
/// — an error naming the cell and the item — and no workbook is made for it; the real names
/// in the cell are kept.
#[test]
fn a_unit_that_is_not_a_name_is_an_error_and_gets_no_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("考评表").unwrap();
    for (c, label) in ["序号", "考核内容", "分值", "责任单位"].iter().enumerate() {
        sheet.write_string(0, c as u16, *label).unwrap();
    }
    let rows = [
        ("1", "按时报送信息", 50.0, "../../逃逸科"),
        ("2", "做好档案管理", 30.0, "办公室"),
        ("3", "完成年度培训", 20.0, "办公室、…、"),
    ];
    for (r, (id, task, weight, unit)) in rows.iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_string(row, 0, *id).unwrap();
        sheet.write_string(row, 1, *task).unwrap();
        sheet.write_number(row, 2, *weight).unwrap();
        sheet.write_string(row, 3, *unit).unwrap();
    }
    let master = dir.path().join("master.xlsx");
    book.save(&master).unwrap();
    let run = tianbao(dir.path(), &["inspect", "master.xlsx", "--json"]);
    let json = run.json();
    let invalid: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "department_invalid")
        .map(|f| {
            (
                f["cell"].as_str().unwrap().to_string(),
                f["item"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        invalid,
        [
            ("考评表!D2".to_string(), "1".to_string()),
            ("考评表!D4".to_string(), "3".to_string())
        ],
        "{json}"
    );
    let names: Vec<&str> = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["逃逸科", "办公室"], "{json}");
    let message = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "department_invalid")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("“..”") && message.contains("不是单位名称"),
        "{message}"
    );
}

/// A category column as people often type it: its name once at the top of each run of items,
/// the cells below left empty (not merged, not repeated), under a label tianbao does not know.
/// It is a category column (`filled_down`), its （N分） the category's points; a column of
/// notes that is only sometimes filled, right of the task, stays text.
#[test]
fn a_category_written_once_per_run_is_a_category() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("考评表").unwrap();
    let rows: [[&str; 5]; 6] = [
        ["考评板块", "考核内容", "分值", "责任科室", "说明"],
        ["党建工作（20分）", "理论学习", "10", "机关党委", ""],
        ["", "廉政教育", "10", "办公室", "按季度检查"],
        ["业务工作（80分）", "空气质量", "40", "大气科", ""],
        ["", "水质", "30", "水科", ""],
        ["", "土壤", "10", "土壤科", "见附件"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            match text.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ if text.is_empty() => sheet,
                _ => sheet.write_string(r as u32, c as u16, *text).unwrap(),
            };
        }
    }
    book.save(dir.path().join("master.xlsx")).unwrap();
    let json = inspect_json(&dir.path().join("master.xlsx"));
    let roles: Vec<(String, String)> = json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["role"].as_str().unwrap().to_string(),
                c["why"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        roles[0],
        ("category".into(), "filled_down".into()),
        "{roles:?}"
    );
    assert_eq!(roles[4].0, "text", "{roles:?}");
    let categories: Vec<(String, Value, Vec<Value>)> = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["points"].clone(),
                c["items"].as_array().unwrap().clone(),
            )
        })
        .collect();
    assert_eq!(
        categories,
        [
            (
                "党建工作".to_string(),
                json!(20),
                vec![json!("1"), json!("2")]
            ),
            (
                "业务工作".to_string(),
                json!(80),
                vec![json!("3"), json!("4"), json!("5")]
            ),
        ]
    );
    assert!(
        !json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "category_points_mismatch"),
        "{json}"
    );
}

/// A 考核细则 numbered 一 / 1 / ①: the `1 组织建设 12` row has no department and the rows
/// after it are numbered deeper (①, ②): a group whose leaves are the items, its 12 points
/// theirs; the `2` after them is the group's sibling, back in 一.
#[test]
fn a_row_without_a_department_numbered_above_its_leaves_is_their_group() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("细则").unwrap();
    let rows: [[&str; 5]; 9] = [
        ["序号", "考核内容", "分值", "评分标准", "责任科室"],
        ["一", "党建工作", "20", "", ""],
        ["1", "组织建设", "12", "", ""],
        ["①", "按期换届", "4", "未完成扣4分", "机关党委"],
        ["②", "三会一课", "8", "缺一次扣1分", "机关党委"],
        ["2", "廉政建设", "8", "未签扣8分", "办公室"],
        ["二", "业务工作", "80", "", ""],
        ["1", "空气质量", "40", "未达标不得分", "大气科"],
        ["2", "水质", "40", "未达标不得分", "水科"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            match text.parse::<f64>() {
                Ok(n) if r > 0 && c == 2 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ if text.is_empty() => sheet,
                _ => sheet.write_string(r as u32, c as u16, *text).unwrap(),
            };
        }
    }
    book.save(dir.path().join("master.xlsx")).unwrap();
    let json = inspect_json(&dir.path().join("master.xlsx"));
    let items: Vec<(String, Value, Value, Value)> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["category"].clone(),
                i["weight"].clone(),
                i["group"].clone(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "一-1-①".into(),
                json!(["一 党建工作"]),
                json!(4),
                json!("一-1")
            ),
            (
                "一-1-②".into(),
                json!(["一 党建工作"]),
                json!(8),
                json!("一-1")
            ),
            (
                "一-2".into(),
                json!(["一 党建工作"]),
                json!(8),
                json!("一-2")
            ),
            (
                "二-1".into(),
                json!(["二 业务工作"]),
                json!(40),
                json!("二-1")
            ),
            (
                "二-2".into(),
                json!(["二 业务工作"]),
                json!(40),
                json!("二-2")
            ),
        ],
        "{json}"
    );
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes
            .iter()
            .any(|c| c.ends_with("mismatch") || *c == "departments_missing"),
        "{codes:?}"
    );
}
