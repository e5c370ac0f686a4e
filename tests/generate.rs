//! `tianbao init` and `tianbao generate`: the campaign folder and the fill-in workbooks, read
//! back independently (calamine) and checked cell by cell.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use tianbao::campaign::Campaign;
use tianbao::identity::{Identity, PROP_CAMPAIGN, PROP_DEPARTMENT};
use tianbao::workbook::{self, Value};

fn outbox_files(dir: &Path) -> Vec<PathBuf> {
    workbooks_in(dir)
}

/// Item ids in column A of the fill-in sheet, from row 4 down to the total row.
fn sheet_ids(book: &workbook::Workbook) -> Vec<String> {
    let grid = &book.sheets[0].grid;
    (3..grid.height())
        .map(|r| grid.raw(r, 0).to_text())
        .take_while(|t| !t.is_empty() && t.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect()
}

#[test]
fn init_creates_the_folder_and_refuses_to_overwrite() {
    let (dir, c) = init_campaign();
    for sub in ["outbox", "inbox", "out"] {
        assert!(c.join(sub).is_dir(), "{sub}");
    }
    assert!(c.join("master.xlsx").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(c.join("tianbao.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the config holds the secret: owner only"
        );
    }
    let campaign = Campaign::open(&c).unwrap();
    assert_eq!(
        campaign.config.title,
        "泉州市生态环境局2023年度绩效目标考评表"
    );
    assert_eq!(campaign.config.secret.len(), 64);
    let run = tianbao(
        dir.path(),
        &["init", "c", "--master", sample_master().to_str().unwrap()],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("已有填报任务"), "{}", run.stderr);
}

#[test]
fn generate_writes_each_department_its_items_signed() {
    let (_dir, c) = init_campaign();
    let run = tianbao(&c, &["generate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("已生成 15 份填报表"), "{}", run.stdout);
    let campaign = Campaign::open(&c).unwrap();
    let master = campaign
        .read_master(&campaign.spec().unwrap())
        .unwrap()
        .master;
    let files = outbox_files(&campaign.outbox());
    assert_eq!(files.len(), 15);

    let mut covered: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        let book = workbook::open(file).unwrap();
        let identity = Identity::read(&book).unwrap().expect("an identity sheet");
        assert!(
            identity.verify(&campaign.config.secret),
            "{}",
            file.display()
        );
        assert!(!identity.verify(&"0".repeat(64)));
        let department = identity.department.clone();
        assert!(
            file.to_string_lossy()
                .ends_with(&format!("-{department}.xlsx"))
        );
        assert_eq!(
            book.custom_properties.get(PROP_DEPARTMENT),
            Some(&department)
        );
        assert_eq!(
            book.custom_properties.get(PROP_CAMPAIGN),
            Some(&campaign.config.id)
        );
        assert_eq!(identity.campaign, campaign.config.id);
        assert_eq!(identity.round, 1);
        let expected: Vec<String> = master.items_of(&department).map(|i| i.id.clone()).collect();
        assert_eq!(
            sheet_ids(&book),
            expected,
            "{department}: only its items, in master order"
        );
        let issued: Vec<String> = identity.rows.iter().map(|r| r.item.clone()).collect();
        assert_eq!(issued, expected);
        for id in expected {
            *covered.entry(id).or_default() += 1;
        }
        // The secret never enters a workbook.
        let bytes = std::fs::read(file).unwrap();
        let secret = campaign.config.secret.as_bytes();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret));
        assert_eq!(book.sheets[0].name, "填报表");
        assert_eq!(book.sheets[1].name, "填表说明");
        assert_eq!(book.sheets[2].visibility, workbook::Visibility::Hidden);
    }
    assert_eq!(covered.len(), 61, "together they cover every item");
    let office = master
        .departments()
        .iter()
        .find(|d| d.name == "办公室")
        .unwrap();
    assert_eq!(office.items, 13);
    assert_eq!(
        covered.values().sum::<usize>(),
        master.departments().iter().map(|d| d.items).sum::<usize>()
    );
}

#[test]
fn master_cells_are_locked_and_inputs_unlocked() {
    use calamine::{DataType, Reader, Xlsx};
    let (_dir, c) = init_campaign();
    assert_eq!(tianbao(&c, &["generate", "--dept", "水科"]).code, 0);
    let files = outbox_files(&c.join("outbox"));
    assert_eq!(files.len(), 1);
    let mut book: Xlsx<_> = calamine::open_workbook(&files[0]).unwrap();
    let styles = book.worksheet_style("填报表").unwrap();
    let range = book.worksheet_range("填报表").unwrap();
    let header: Vec<String> = (0..14)
        .map(|c| {
            range
                .get_value((2, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect();
    // The conditionally required input says when it is required, on a line of its own where
    // the column is too narrow for both.
    assert_eq!(
        header[11].replace('\n', ""),
        "扣分原因（扣分时必填）",
        "{header:?}"
    );
    let mut header = header;
    header[11] = "扣分原因（扣分时必填）".into();
    assert_eq!(
        header,
        [
            "序号",
            "一级指标",
            "二级指标",
            "完成时限",
            "分管领导",
            "责任人",
            "共同责任部门",
            "权重",
            "自评得分*",
            "完成情况*",
            "工作进展及成效*",
            "扣分原因（扣分时必填）",
            "佐证材料",
            "备注"
        ]
    );
    let locked = |row: u32, col: u32| {
        styles
            .get((row, col))
            .and_then(|s| s.protection.as_ref())
            .is_none_or(|p| p.locked)
    };
    for row in 3..9 {
        for col in 0..8 {
            assert!(locked(row, col), "master cell ({row},{col}) must be locked");
        }
        for col in 8..14 {
            assert!(
                !locked(row, col),
                "input cell ({row},{col}) must be unlocked"
            );
        }
    }
    // 1-5-3 is shared with 大气科: the other department is shown; its weight sits beside the score.
    assert_eq!(range.get_value((4, 0)).unwrap().to_string(), "1-5-3");
    assert_eq!(range.get_value((4, 6)).unwrap().to_string(), "大气科");
    assert_eq!(range.get_value((4, 7)).unwrap().as_f64(), Some(1.0));
}

#[test]
fn commands_find_the_campaign_upwards_and_name_bad_departments() {
    let (_dir, c) = init_campaign();
    let run = tianbao(&c.join("outbox"), &["generate", "--dept", "人事科"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("已生成 1 份填报表"), "{}", run.stdout);
    let run = tianbao(&c, &["generate", "--dept", "财务科"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("错误：总表中没有“财务科”这个部门"),
        "{}",
        run.stderr
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let run = tianbao(elsewhere.path(), &["generate"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("这里没有填报任务"), "{}", run.stderr);
}

#[test]
fn invalid_config_names_the_key_and_allowed_values() {
    let (_dir, c) = init_campaign();
    let path = c.join("tianbao.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("aggregation = \"min\"", "aggregation = \"max\""),
    )
    .unwrap();
    let run = tianbao(&c, &["generate"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("aggregation"), "{}", run.stderr);
    assert!(
        run.stderr.contains("min") && run.stderr.contains("mean") && run.stderr.contains("lead"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn prefill_goes_into_the_input_cells() {
    use tianbao::spec::Spec;
    use tianbao::template::{Issue, Prefill, write_template};
    let spec = Spec::builtin();
    let master = tianbao::master::read_master(&sample_master(), &spec, &Default::default())
        .unwrap()
        .master;
    let mut prefill = Prefill::default();
    prefill.items.insert(
        "1-5-2".into(),
        [
            ("score", "0.5"),
            ("status", "部分完成"),
            ("deduction", "数据晚报"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    );
    prefill
        .signoff
        .insert("phone".into(), "0595-22345678".into());
    let issue = Issue {
        title: "t",
        deadline: "",
        contact: "",
        password: "",
        campaign_id: "0123456789abcdef",
        secret: "k",
        round: 2,
        period: None,
        issued_at: "2026-11-27T00:00:00Z",
    };
    let bytes = write_template(
        &master,
        &tianbao::form::Form::new(&master, &spec),
        "水科",
        &spec,
        &issue,
        Some(&prefill),
    )
    .unwrap();
    let book = workbook::open_bytes("p.xlsx", bytes).unwrap();
    let grid = &book.sheets[0].grid;
    assert_eq!(grid.raw(3, 0), &Value::Text("1-5-2".into()));
    assert_eq!(grid.raw(3, 8), &Value::Number(0.5));
    assert_eq!(grid.raw(3, 9), &Value::Text("部分完成".into()));
    assert_eq!(grid.raw(3, 11), &Value::Text("数据晚报".into()));
    // Six items, the score and weight totals, a blank, the sign-off title, then 填报部门, 负责人,
    // 填报人, 联系电话.
    assert_eq!(
        grid.raw(3 + 6 + 4 + 3, 2),
        &Value::Text("0595-22345678".into())
    );
    let identity = Identity::read(&book).unwrap().unwrap();
    assert_eq!(identity.round, 2);
    assert!(identity.verify("k"));
}
