//! Printing: the fill-in sheet on A4 landscape at a fixed scale of at least 85 %, one page
//! wide, its header on every page and its sign-off block on one page; the totals labelled
//! apart; the conditional marker in the header; feedback notes hidden until pointed at; the
//! compiled workbook printing its 考评表 (print area, footer block) and 部门明细 without
//! hashes; 未评 in the overview. Checked in the written XML, and (TIANBAO_INTEROP=1) in the PDF
//! LibreOffice prints.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::play::{self, Campaign};
use common::xlsx::{Xlsx, s};
use common::*;
use tianbao::form::fill_in::FillIn as SheetLayout;
use tianbao::spec::Spec;

/// The value of attribute `name` in the first `<tag …>` of `xml`.
fn tag_attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag} "))?;
    let end = start + xml[start..].find('>')?;
    attr(&xml[start..end], name)
}

/// The value of attribute `name` in one tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

/// Every `<tag …>` of `xml`, as its text.
fn tags<'x>(xml: &'x str, tag: &str) -> Vec<&'x str> {
    let open = format!("<{tag} ");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let end = start + rest[start..].find('>').unwrap();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// The defined names of a workbook: (name, local sheet index, formula).
fn defined_names(book: &Xlsx) -> Vec<(String, Option<u32>, String)> {
    let xml = book.part("xl/workbook.xml");
    let mut out = Vec::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<definedName ") {
        let tag_end = start + rest[start..].find('>').unwrap();
        let close = tag_end + rest[tag_end..].find("</definedName>").unwrap();
        let tag = &rest[start..tag_end];
        out.push((
            attr(tag, "name").unwrap(),
            attr(tag, "localSheetId").map(|v| v.parse().unwrap()),
            rest[tag_end + 1..close].replace("&apos;", "'"),
        ));
        rest = &rest[close..];
    }
    out
}

fn defined(book: &Xlsx, name: &str, sheet: u32) -> Option<String> {
    defined_names(book)
        .into_iter()
        .find(|(n, s, _)| n == name && *s == Some(sheet))
        .map(|(_, _, v)| v)
}

/// The printed width of the shown columns at 100 %, in points, as Excel prints them: a width
/// attribute of `w` (padding included) is `round(7 w)` pixels at 96 dpi.
fn printed_width(sheet_xml: &str) -> f64 {
    tags(sheet_xml, "col")
        .iter()
        .filter(|c| attr(c, "hidden").is_none())
        .map(|c| {
            let min: u32 = attr(c, "min").unwrap().parse().unwrap();
            let max: u32 = attr(c, "max").unwrap().parse().unwrap();
            let width: f64 = attr(c, "width").unwrap().parse().unwrap();
            f64::from(max - min + 1) * (width * 7.0).round() * 0.75
        })
        .sum()
}

/// A4 landscape: printable width and height in points, with the margins the sheet sets.
fn printable(sheet_xml: &str) -> (f64, f64) {
    let margin = |name| -> f64 {
        tag_attr(sheet_xml, "pageMargins", name)
            .unwrap()
            .parse()
            .unwrap()
    };
    (
        841.89 - (margin("left") + margin("right")) * 72.0,
        595.28 - (margin("top") + margin("bottom")) * 72.0,
    )
}

/// Each row's height (0-based), 15 pt where none is set.
fn row_heights(sheet_xml: &str) -> Vec<f64> {
    let mut heights = Vec::new();
    for row in tags(sheet_xml, "row") {
        let r: usize = attr(row, "r").unwrap().parse().unwrap();
        if heights.len() < r {
            heights.resize(r, 15.0);
        }
        if let Some(ht) = attr(row, "ht") {
            heights[r - 1] = ht.parse().unwrap();
        }
    }
    heights
}

fn row_breaks(sheet_xml: &str) -> Vec<u32> {
    match sheet_xml.find("<rowBreaks") {
        Some(at) => tags(&sheet_xml[at..], "brk")
            .iter()
            .map(|b| attr(b, "id").unwrap().parse().unwrap())
            .collect(),
        None => Vec::new(),
    }
}

fn layout_of(campaign: &Campaign, department: &str) -> SheetLayout {
    let form = tianbao::form::Form::new(&campaign.master, &campaign.spec);
    SheetLayout::new(&form, &campaign.spec, campaign.items(department).len())
}

fn sheet1(book: &Xlsx) -> String {
    book.part(&book.sheet_part("填报表"))
}

/// The generated sample campaign, shared by the tests that only read it.
fn sample() -> &'static Campaign {
    static SAMPLE: OnceLock<Campaign> = OnceLock::new();
    SAMPLE.get_or_init(Campaign::new)
}

/// `tianbao demo` once: (its temp dir, the campaign folder).
fn demo() -> &'static (tempfile::TempDir, PathBuf) {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let run = tianbao(tmp.path(), &["demo", "d"]);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        let campaign = tmp.path().join("d/campaign");
        (tmp, campaign)
    })
}

fn compiled_path(campaign: &Path) -> PathBuf {
    std::fs::read_dir(campaign.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-汇总.xlsx"))
        .expect("a compiled workbook")
}

#[test]
fn fill_in_sheets_print_a4_landscape_one_page_wide_at_85_percent_or_more() {
    let campaign = sample();
    for department in campaign.master.departments() {
        let book = campaign.template(&department.name);
        let xml = sheet1(&book);
        let name = &department.name;
        assert_eq!(
            tag_attr(&xml, "pageSetup", "paperSize").as_deref(),
            Some("9"),
            "{name}"
        );
        assert_eq!(
            tag_attr(&xml, "pageSetup", "orientation").as_deref(),
            Some("landscape"),
            "{name}"
        );
        let scale: u32 = tag_attr(&xml, "pageSetup", "scale")
            .unwrap_or_else(|| "100".into())
            .parse()
            .unwrap();
        assert!((85..=100).contains(&scale), "{name}: scale {scale}");
        assert!(
            !xml.contains("fitToPage"),
            "{name}: a fixed scale, not shrunk to fit"
        );
        let (width, _) = printable(&xml);
        let printed = printed_width(&xml) * f64::from(scale) / 100.0;
        assert!(
            printed <= width,
            "{name}: {printed:.0} pt of columns on {width:.0} pt at {scale} %"
        );
        // The header row on every page; page numbers in the footer.
        assert_eq!(
            defined(&book, "_xlnm.Print_Titles", 0).as_deref(),
            Some("填报表!$3:$3"),
            "{name}"
        );
        assert!(xml.contains("&amp;P"), "{name}: page numbers");
    }
}

#[test]
fn the_sign_off_block_gets_a_page_break_before_it_where_it_would_straddle_two_pages() {
    let campaign = sample();
    let mut broken = Vec::new();
    for department in campaign.master.departments() {
        let name = &department.name;
        let xml = sheet1(&campaign.template(name));
        let layout = layout_of(campaign, name);
        let title_row = layout.signoff[0].1 - 1;
        let last_row = layout.signoff.last().unwrap().1;
        let breaks = row_breaks(&xml);
        if breaks.is_empty() {
            continue;
        }
        assert_eq!(
            breaks,
            [title_row],
            "{name}: the only break is before 填报信息"
        );
        // From the break, the block fits one page under the repeated header.
        let scale: f64 = tag_attr(&xml, "pageSetup", "scale")
            .unwrap()
            .parse()
            .unwrap();
        let heights = row_heights(&xml);
        let (_, page) = printable(&xml);
        let block: f64 = heights[title_row as usize..=last_row as usize].iter().sum();
        assert!((heights[2] + block) * scale / 100.0 <= page, "{name}");
        broken.push(name.clone());
    }
    // The sample has departments whose block would fall across a page break.
    assert!(!broken.is_empty(), "no sample workbook needed a break");
}

#[test]
fn the_totals_label_weight_and_score_each_beside_its_number() {
    let campaign = sample();
    let department = "水科";
    let book = tianbao::workbook::open(&campaign.outbox_file(department)).unwrap();
    let grid = &book.sheets[0].grid;
    let layout = layout_of(campaign, department);
    let total_row = 3 + campaign.items(department).len() as u32;
    let weight_col = u32::from(layout.shown_col(tianbao::spec::Shown::WEIGHT).unwrap());
    let score_col = u32::from(layout.input_col("score").unwrap());
    assert_eq!(grid.raw(total_row, 0).to_text(), "自评得分合计");
    assert_eq!(grid.raw(total_row + 1, 0).to_text(), "权重合计");
    assert_eq!(grid.raw(total_row + 1, weight_col).to_text(), "10");
    assert!(grid.raw(total_row, weight_col).is_empty());
    assert!(grid.raw(total_row + 1, score_col).is_empty());
    // The score total's label reaches the score; the weight total's, the weight.
    let xml = sheet1(&campaign.template(department));
    let merge = |row: u32| {
        tags(&xml, "mergeCell")
            .iter()
            .filter_map(|m| attr(m, "ref"))
            .find(|r| r.starts_with(&format!("A{}:", row + 1)))
            .unwrap()
    };
    assert_eq!(
        merge(total_row),
        format!(
            "A{0}:{1}{0}",
            total_row + 1,
            shapes::col_letters(weight_col as u16)
        )
    );
    assert_eq!(
        merge(total_row + 1),
        format!(
            "A{0}:{1}{0}",
            total_row + 2,
            shapes::col_letters(weight_col as u16 - 1)
        )
    );
    assert!(
        xml.contains(&format!(
            "<f>SUM({0}4:{0}{1})</f>",
            shapes::col_letters(score_col as u16),
            total_row
        )),
        "the score total sums the scores"
    );
}

#[test]
fn a_conditionally_required_input_says_when_in_its_header_in_either_language() {
    use tianbao::template::{Issue, write_template};
    for (language, label, mark) in [
        ("zh", "扣分原因", "（扣分时必填）"),
        (
            "en",
            "Reason for deduction",
            "(required if points are deducted)",
        ),
    ] {
        let spec = Spec::builtin_language(language).unwrap();
        let master = tianbao::master::read_master(&sample_master(), &spec, &Default::default())
            .unwrap()
            .master;
        let form = tianbao::form::Form::new(&master, &spec);
        let issue = Issue {
            title: "t",
            deadline: "",
            contact: "",
            password: "",
            campaign_id: "0123456789abcdef",
            secret: "k",
            round: 1,
            period: None,
            issued_at: "2026-11-27T00:00:00Z",
        };
        let bytes = write_template(&master, &form, "水科", &spec, &issue, None).unwrap();
        let book = tianbao::workbook::open_bytes("t.xlsx", bytes).unwrap();
        let layout = SheetLayout::new(&form, &spec, 6);
        let grid = &book.sheets[0].grid;
        let header = |key: &str| {
            grid.raw(2, u32::from(layout.input_col(key).unwrap()))
                .to_text()
        };
        let deduction = header("deduction");
        assert!(!deduction.contains('*'), "{language}: {deduction}");
        let squeezed = |t: &str| t.split_whitespace().collect::<String>();
        assert_eq!(
            squeezed(&deduction),
            squeezed(&format!("{label}{mark}")),
            "{language}"
        );
        assert!(header("score").ends_with('*'), "{language}");
        assert!(!header("remark").ends_with('*'), "{language}");
    }
}

#[test]
fn returns_with_the_old_star_label_or_the_new_marker_read_alike() {
    use common::xlsx::Cell;
    let campaign = Campaign::new();
    let department = "水科";
    let layout = layout_of(&campaign, department);
    let header = |key: &str| tianbao::workbook::a1(2, u32::from(layout.input_col(key).unwrap()));
    for (n, label) in [
        "扣分原因*",
        "扣分原因（扣分时必填）",
        "扣分原因\n（扣分时必填）",
        "扣分原因(扣分时必填)",
    ]
    .into_iter()
    .enumerate()
    {
        // 1-7-2 scored below its weight, its reason given; the department swapped the columns
        // 扣分原因 and 佐证材料 (labels and contents), so the reason is read by its label alone.
        let mut book = campaign.template(department);
        campaign.fill(&mut book, department, &[("1-7-2", 1.5)]);
        book.set("填报表", &header("deduction"), s("佐证材料"));
        book.set("填报表", &header("evidence"), s(label));
        book.set(
            "填报表",
            &campaign.cell(department, "1-7-2", "deduction"),
            Cell::Empty,
        );
        book.set(
            "填报表",
            &campaign.cell(department, "1-7-2", "evidence"),
            s("部分工作未按时完成。"),
        );
        let name = format!("{department}-{n}.xlsx");
        let path = campaign.put(&name, &book);
        let json = campaign.run(&["validate", "--json"]).json();
        let findings: Vec<_> = play::findings(&json)
            .into_iter()
            .filter(|f| f.0 == name)
            .collect();
        assert!(findings.is_empty(), "{label:?}: {findings:?}");
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn feedback_notes_stay_hidden_until_pointed_at_and_restorations_say_so() {
    let (_, campaign) = demo();
    let feedback: Vec<PathBuf> = std::fs::read_dir(campaign.join("out/feedback"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!feedback.is_empty());
    let mut restored = 0;
    for path in &feedback {
        let book = Xlsx::read(&std::fs::read(path).unwrap());
        let vml = book.part("xl/drawings/vmlDrawing1.vml");
        let comments = book.part("xl/comments1.xml");
        let notes = comments.matches("<comment ").count();
        assert!(notes > 0, "{}", path.display());
        assert_eq!(vml.matches("visibility:hidden").count(), notes);
        assert!(!vml.contains("visibility:visible"), "{}", path.display());
        // Each noted cell is marked: its style differs from an unmarked input's.
        let xml = sheet1(&book);
        for c in tags(&comments, "comment") {
            let cell = attr(c, "ref").unwrap();
            let tag = xml
                .find(&format!("<c r=\"{cell}\""))
                .map(|at| &xml[at..at + xml[at..].find('>').unwrap()])
                .unwrap_or_else(|| panic!("{cell} is written"));
            assert!(attr(tag, "s").is_some(), "{cell} is styled");
        }
        let strings = book.part("xl/sharedStrings.xml");
        restored += strings.matches("已按原表恢复，请核对").count();
        assert!(!strings.contains("请改回原内容"), "{}", path.display());
        assert!(!strings.contains("请恢复这一行"), "{}", path.display());
    }
    assert!(restored > 0, "the demo restores a changed cell");
}

#[test]
fn the_compiled_workbook_prints_its_table_with_the_footer_block_and_details_without_hashes() {
    let (_, campaign) = demo();
    let path = compiled_path(campaign);
    let book = Xlsx::read(&std::fs::read(&path).unwrap());
    let workbook = book.part("xl/workbook.xml");
    // 考评表 first, and the sheet active when the workbook opens (what Excel prints).
    let first = tags(&workbook, "sheet")[0];
    assert_eq!(attr(first, "name").as_deref(), Some("考评表"));
    assert!(tag_attr(&workbook, "workbookView", "activeTab").is_none_or(|t| t == "0"));
    let table = book.part(&book.sheet_part("考评表"));
    assert_eq!(
        tag_attr(&table, "pageSetup", "paperSize").as_deref(),
        Some("9")
    );
    assert!(table.contains("fitToPage=\"1\""), "one page wide");
    assert_eq!(
        tag_attr(&table, "pageSetup", "fitToHeight").as_deref(),
        Some("0")
    );
    assert_eq!(
        defined(&book, "_xlnm.Print_Titles", 0).as_deref(),
        Some("考评表!$2:$3")
    );
    // The print area: the table and, last, the footer block.
    let read = tianbao::workbook::open(&path).unwrap();
    let sheet = &read.sheets[0].grid;
    let area = defined(&book, "_xlnm.Print_Area", 0).unwrap();
    let (_, end) = area.trim_start_matches("考评表!").split_once(':').unwrap();
    let end_row: u32 = end.rsplit('$').next().unwrap().parse().unwrap();
    let footer = sheet.raw(end_row - 1, 0).to_text();
    assert!(
        footer.starts_with("制表单位：泉州市生态环境局") && footer.contains("审核人："),
        "{area}: {footer}"
    );
    let today = tianbao::time::today_local();
    assert!(footer.ends_with(&format!("制表日期：{today}")), "{footer}");
    assert_eq!(end_row, sheet.height(), "the footer is the last row");
    let last_col = u32::from(shapes::col_index(
        end.trim_start_matches('$').split('$').next().unwrap(),
    ));
    assert_eq!(last_col + 1, sheet.width(), "{area}");
    // 部门明细: its own setup, the hash columns outside its print area.
    let detail_index = tags(&workbook, "sheet")
        .iter()
        .position(|s| attr(s, "name").as_deref() == Some("部门明细"))
        .unwrap() as u32;
    let detail = read.sheets.iter().find(|s| s.name == "部门明细").unwrap();
    let sha_col = (0..detail.grid.width())
        .find(|&c| detail.grid.raw(1, c).to_text() == "文件 SHA-256")
        .unwrap();
    let area = defined(&book, "_xlnm.Print_Area", detail_index).unwrap();
    let (_, end) = area.split_once(':').unwrap();
    let printed_last = shapes::col_index(end.trim_start_matches('$').split('$').next().unwrap());
    assert!(u32::from(printed_last) < sha_col, "{area}");
    for name in ["得分概览", "部门明细", "填报情况"] {
        let xml = book.part(&book.sheet_part(name));
        assert_eq!(
            tag_attr(&xml, "pageSetup", "paperSize").as_deref(),
            Some("9"),
            "{name}"
        );
    }
}

#[test]
fn a_partial_compile_says_not_rated_where_nothing_was_scored() {
    let campaign = Campaign::new();
    // Only 办公室 returns: most categories and groups have nothing scored.
    campaign.put("办公室.xlsx", &campaign.filled("办公室"));
    assert_eq!(campaign.run(&["validate"]).code, 1);
    let run = campaign.run(&["compile", "--allow-incomplete"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let book = tianbao::workbook::open(&compiled_path(&campaign.dir)).unwrap();
    let overview = book.sheets.iter().find(|s| s.name == "得分概览").unwrap();
    let grid = &overview.grid;
    let mut not_rated = 0;
    let mut rated = 0;
    for row in 2..grid.height() {
        let got = grid.raw(row, 2).to_text();
        if got == "未评" {
            not_rated += 1;
            assert_eq!(grid.raw(row, 3).to_text(), "未评", "row {}", row + 1);
        } else if !got.is_empty() && grid.raw(row, 1).to_text() != "满分" {
            rated += 1;
        }
    }
    assert!(
        not_rated > 0 && rated > 0,
        "{not_rated} not rated, {rated} rated"
    );
}

// ---- Through LibreOffice -------------------------------------------------------------------

fn require_pdf_tools() {
    let found = Command::new("pdftotext").arg("-v").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "TIANBAO_INTEROP=1 but pdftotext/pdfinfo are not installed: apt-get install -y poppler-utils"
    );
    // Column widths are counted in the default font's digits (Calibri): LibreOffice prints
    // them as Excel does only with Carlito, its metric twin.
    let font = Command::new("fc-match")
        .arg("Calibri")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    assert!(
        font.contains("Carlito"),
        "TIANBAO_INTEROP=1 but Calibri's metric twin is missing ({font}): apt-get install -y fonts-crosextra-carlito"
    );
}

/// The text of each page of a PDF.
fn pdf_pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Page size in points from `pdfinfo`.
fn pdf_page_size(pdf: &Path) -> (f64, f64) {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap()
        .to_string();
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

/// Checks the printed fill-in sheet: A4 landscape, one page wide (each page shows the first
/// and the last column's header), the sign-off block on one page.
fn check_fill_in_pdf(pdf: &Path) {
    let name = pdf.display();
    let (w, h) = pdf_page_size(pdf);
    assert!(
        (w - 841.9).abs() < 1.0 && (h - 595.3).abs() < 1.0,
        "{name}: {w} x {h}"
    );
    let pages = pdf_pages(pdf);
    let sheet_pages: Vec<&String> = pages
        .iter()
        .take_while(|p| !p.contains("各栏填写要求"))
        .collect();
    assert!(!sheet_pages.is_empty(), "{name}");
    for (i, page) in sheet_pages.iter().enumerate() {
        assert!(
            page.contains("序号") && page.contains("备注"),
            "{name}: page {} does not show the whole width:\n{page}",
            i + 1
        );
    }
    let signoff: Vec<usize> = sheet_pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.contains("填报部门（盖章）") || p.contains("填报日期"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        signoff.len(),
        1,
        "{name}: the sign-off block spans pages {signoff:?}"
    );
    let page = sheet_pages[signoff[0]];
    for label in [
        "填报信息",
        "填报部门（盖章）",
        "部门负责人",
        "填报人",
        "联系电话",
        "填报日期",
    ] {
        assert!(page.contains(label), "{name}: {label} not with the block");
    }
}

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_prints_fill_in_sheets_one_page_wide_with_the_sign_off_on_one_page() {
    require_libreoffice();
    require_pdf_tools();
    use tianbao::template::{Issue, Prefill, write_template};
    let dir = tempfile::tempdir().unwrap();
    // A department with many items and long answers.
    let source = tianbao_kit::synthetic::master_source(2, 90);
    let bytes = tianbao_kit::source::write_master(&source, &Default::default()).unwrap();
    let master_path = dir.path().join("master.xlsx");
    std::fs::write(&master_path, bytes).unwrap();
    let spec = Spec::builtin();
    let master = tianbao::master::read_master(&master_path, &spec, &Default::default())
        .unwrap()
        .master;
    let department = master.departments()[0].name.clone();
    let mut prefill = Prefill::default();
    for item in master.items_of(&department) {
        let answers = [
            ("status", "已完成".to_string()),
            (
                "progress",
                format!(
                    "{}：已按年度计划推进，召开专题会议部署，相关台账和佐证材料已整理归档，成效明显。",
                    item.id
                ),
            ),
        ];
        prefill.items.insert(
            item.id.clone(),
            answers
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
    }
    let many = master.items_of(&department).count();
    assert!(many >= 40, "{many} items");
    let issue = Issue {
        title: "考评表",
        deadline: "2026-12-31",
        contact: "考评办 0595-22345678",
        password: "",
        campaign_id: "0123456789abcdef",
        secret: "k",
        round: 1,
        period: None,
        issued_at: "2026-11-27T00:00:00Z",
    };
    let form = tianbao::form::Form::new(&master, &spec);
    let bytes = write_template(&master, &form, &department, &spec, &issue, Some(&prefill)).unwrap();
    let many_path = dir.path().join("many.xlsx");
    std::fs::write(&many_path, bytes).unwrap();
    // And every workbook of the sample campaign.
    let campaign = sample();
    let mut files = vec![many_path];
    files.extend(
        campaign
            .master
            .departments()
            .iter()
            .map(|d| campaign.outbox_file(&d.name)),
    );
    let pdfs = soffice_convert_all(&files, "pdf", &dir.path().join("pdf"));
    for pdf in &pdfs {
        check_fill_in_pdf(pdf);
    }
    // The many-item sheet runs over several pages, each with the header.
    let pages = pdf_pages(&pdfs[0]);
    assert!(pages.len() > 3, "{} pages", pages.len());
}

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_prints_the_compiled_table_one_page_wide_and_no_hashes() {
    require_libreoffice();
    require_pdf_tools();
    let (tmp, campaign) = demo();
    let pdf = soffice_convert(&compiled_path(campaign), "pdf", &tmp.path().join("pdf"));
    let pages = pdf_pages(&pdf);
    assert!(
        pages[0].contains("泉州市生态环境局2023年度绩效目标考评表"),
        "{}",
        pages[0]
    );
    // 考评表 prints first; the review's results sheets (the demo plays a review) and 得分概览
    // follow it.
    let table: Vec<&String> = pages
        .iter()
        .take_while(|p| !p.contains("得分概览") && !p.contains("部门得分"))
        .collect();
    for (i, page) in table.iter().enumerate() {
        assert!(
            page.contains("项目") && page.contains("扣分说明"),
            "考评表 page {} does not show the whole width:\n{page}",
            i + 1
        );
    }
    let last = table.last().unwrap();
    assert!(
        last.contains("绩效目标考评得分")
            && last.contains("制表单位：")
            && last.contains("审核人："),
        "the last page of 考评表 has the total and the footer block:\n{last}"
    );
    // No SHA-256 (nor any long hexadecimal run) anywhere in print.
    let text = pages.concat();
    let longest_hex = text
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest_hex < 16,
        "a hash is printed ({longest_hex} hex digits)"
    );
    assert!(text.contains("来源文件"), "部门明细 prints its own columns");
}
