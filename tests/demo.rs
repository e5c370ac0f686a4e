//! `tianbao demo`: the whole cycle on the built-in sample, the review included, ends with a
//! compiled workbook with the results sheets, and a second run replaces only a folder an
//! earlier demo made.

mod common;

use common::tianbao;

#[test]
fn demo_runs_the_whole_cycle_and_reruns_over_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tianbao(tmp.path(), &["demo", "d"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for step in ["== 1.", "== 4.", "== 5.", "== 7.", "== 8.", "== 9."] {
        assert!(run.stdout.contains(step), "{}", run.stdout);
    }
    assert!(
        run.stdout.contains("有效 13，有误 2，未交 0"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("有效 15，有误 0，未交 0"),
        "{}",
        run.stdout
    );
    let campaign = tmp.path().join("d/campaign");
    let compiled: Vec<_> = std::fs::read_dir(campaign.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-汇总.xlsx"))
        .collect();
    assert_eq!(compiled.len(), 1, "{compiled:?}");
    let feedback = std::fs::read_dir(campaign.join("out/feedback"))
        .unwrap()
        .count();
    assert_eq!(feedback, 2);
    let book = tianbao::workbook::open(&campaign.join("out").join(&compiled[0])).unwrap();
    // The review made the results sheets.
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    for sheet in ["考评表", "部门得分", "公示表", "扣分情况说明"] {
        assert!(names.contains(&sheet), "{names:?}");
    }
    assert!(
        run.stdout.contains("核定后总分 93.5 / 100"),
        "{}",
        run.stdout
    );
    // Again: the earlier demo folder is replaced; any other folder is refused.
    assert_eq!(tianbao(tmp.path(), &["demo", "d"]).code, 0);
    std::fs::create_dir(tmp.path().join("mine")).unwrap();
    std::fs::write(tmp.path().join("mine/keep.txt"), "mine").unwrap();
    let refused = tianbao(tmp.path(), &["demo", "mine"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.starts_with("错误："), "{}", refused.stderr);
    assert!(tmp.path().join("mine/keep.txt").exists());
}
