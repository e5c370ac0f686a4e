//! Master tables of many shapes, built by the tests themselves, each with its hand-written
//! expected `tianbao inspect --json` result.
//!
//! A fixture is a [`Grid`]: rows of cell values (each row tagged with what it is: title,
//! preamble, header, section, item, total, note, blank, a header repeated at a page break),
//! merged ranges, hidden rows and formulas with a cached value, written to .xlsx bytes with
//! rust_xlsxwriter — not through tianbao's writers. Rows are written from a compact spec, one
//! string per row with cells separated by `|`:
//!
//! - `#12` a number, `%0.25` a number shown as a percent, `=SUM(E4:E9)~96` a formula with its
//!   cached value; anything else is text (trimmed), an empty slot an empty cell.
//!
//! The expected side ([`Table`], [`Item`], [`Finding`]) follows the contract of the new reader
//! (see the brief in `tests/shapes.rs`). What the expectation derives rather than states, it
//! derives by a rule of the contract: `departments` = lead then cooperating, `group` from the
//! id, an item's `indicator`/`task`/`basis` from its `texts` by column role, and the
//! `departments` summary from the items.
#![allow(dead_code)]

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Formula, Workbook};
use serde_json::{Value, json};

/// One cell value of a fixture.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Text(String),
    Num(f64),
    /// A number formatted `0%` (Excel's percent cells: 0.25 shows as 25%).
    Percent(f64),
    /// A formula (with `=`) and its cached result.
    Formula(String, String),
}

impl V {
    /// The value as a reader without a calculator sees it: text, a number, a cached result.
    pub fn text(&self) -> String {
        match self {
            V::Text(t) => t.clone(),
            V::Num(n) | V::Percent(n) => number_text(*n),
            V::Formula(_, cached) => cached.clone(),
        }
    }
}

/// `5` for 5.0, `1.5` for 1.5: how calamine's numbers are compared as text.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// What a row of the fixture is (the reader must tell this itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Title,
    Preamble,
    Header,
    Section,
    Item,
    Total,
    Note,
    Blank,
    RepeatedHeader,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub kind: Kind,
    pub cells: Vec<Option<V>>,
}

/// A merged range, 1-based rows and 0-based columns, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u16,
    pub last_row: u32,
    pub last_col: u16,
}

/// A sheet of cells with merges and hidden rows, plus simple text sheets before it.
#[derive(Debug, Clone)]
pub struct Grid {
    pub sheet: String,
    /// Columns of the table (A.. up to this many).
    pub width: u16,
    pub sheets_before: Vec<(String, Vec<String>)>,
    pub rows: Vec<Row>,
    pub merges: Vec<Merge>,
    /// 1-based rows.
    pub hidden: Vec<u32>,
}

/// Parses one row spec (see the module doc).
fn parse_cells(spec: &str) -> Vec<Option<V>> {
    if spec.is_empty() {
        return Vec::new();
    }
    spec.split('|')
        .map(|raw| {
            let cell = raw.trim();
            if cell.is_empty() {
                None
            } else if let Some(n) = cell.strip_prefix('#') {
                Some(V::Num(n.parse().expect("a number after #")))
            } else if let Some(n) = cell.strip_prefix('%') {
                Some(V::Percent(n.parse().expect("a number after %")))
            } else if cell.starts_with('=') {
                let (formula, cached) = cell.split_once('~').expect("=FORMULA~cached");
                Some(V::Formula(formula.to_string(), cached.to_string()))
            } else {
                Some(V::Text(cell.to_string()))
            }
        })
        .collect()
}

/// 0-based column index of `A`, `B`, … `Z`, `AA`.
pub fn col_index(letters: &str) -> u16 {
    letters
        .bytes()
        .fold(0u16, |n, b| n * 26 + u16::from(b - b'A' + 1))
        - 1
}

/// Column letters of a 0-based index.
pub fn col_letters(mut col: u16) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

/// (0-based col, 1-based row) of `C5`.
fn parse_ref(cell: &str) -> (u16, u32) {
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_uppercase())
        .collect();
    (col_index(&letters), cell[letters.len()..].parse().unwrap())
}

impl Grid {
    pub fn new(sheet: &str, width: u16) -> Grid {
        Grid {
            sheet: sheet.to_string(),
            width,
            sheets_before: Vec::new(),
            rows: Vec::new(),
            merges: Vec::new(),
            hidden: Vec::new(),
        }
    }

    /// Appends a row; returns its 1-based number.
    pub fn push(&mut self, kind: Kind, spec: &str) -> u32 {
        let cells = parse_cells(spec);
        assert!(
            cells.len() <= usize::from(self.width),
            "row wider than the table: {spec}"
        );
        self.rows.push(Row { kind, cells });
        self.rows.len() as u32
    }

    /// A row whose text sits in A, merged across the whole width.
    fn across(&mut self, kind: Kind, text: &str) -> u32 {
        let r = self.push(kind, text);
        self.merge_cols(r, 0, self.width - 1);
        r
    }

    pub fn title(&mut self, text: &str) -> u32 {
        self.across(Kind::Title, text)
    }
    pub fn preamble(&mut self, spec: &str) -> u32 {
        self.push(Kind::Preamble, spec)
    }
    pub fn header(&mut self, spec: &str) -> u32 {
        self.push(Kind::Header, spec)
    }
    pub fn repeated_header(&mut self, spec: &str) -> u32 {
        self.push(Kind::RepeatedHeader, spec)
    }
    /// A section row merged across the table.
    pub fn section(&mut self, text: &str) -> u32 {
        self.across(Kind::Section, text)
    }
    /// A section row with its own cells (number and name apart, points in a column).
    pub fn section_cells(&mut self, spec: &str) -> u32 {
        self.push(Kind::Section, spec)
    }
    pub fn item(&mut self, spec: &str) -> u32 {
        self.push(Kind::Item, spec)
    }
    /// A group row over items (`3. …（共3分）：` over (1) and (2)): neither a section nor an
    /// item; it comes back in the compiled table like a section row.
    pub fn item_group(&mut self, spec: &str) -> u32 {
        self.push(Kind::Section, spec)
    }
    pub fn total(&mut self, spec: &str) -> u32 {
        self.push(Kind::Total, spec)
    }
    /// A note row merged across the table.
    pub fn note(&mut self, text: &str) -> u32 {
        self.across(Kind::Note, text)
    }
    pub fn blank(&mut self) -> u32 {
        self.push(Kind::Blank, "")
    }

    /// Merges an A1 range, e.g. `B5:B7`.
    pub fn merge(&mut self, range: &str) {
        let (from, to) = range.split_once(':').expect("A1:B2");
        let (first_col, first_row) = parse_ref(from);
        let (last_col, last_row) = parse_ref(to);
        assert!(
            (first_row, first_col) != (last_row, last_col),
            "a merge of one cell: {range}"
        );
        self.merges.push(Merge {
            first_row,
            first_col,
            last_row,
            last_col,
        });
    }

    /// Merges column `col` (letters) from row `from` to row `to` (1-based).
    pub fn down(&mut self, col: &str, from: u32, to: u32) {
        self.merge(&format!("{col}{from}:{col}{to}"));
    }

    /// Merges columns `from`..=`to` (0-based) of row `row`.
    pub fn merge_cols(&mut self, row: u32, from: u16, to: u16) {
        let range = format!("{}{row}:{}{row}", col_letters(from), col_letters(to));
        self.merge(&range);
    }

    pub fn hide(&mut self, row: u32) {
        self.hidden.push(row);
    }

    /// The value at (1-based row, 0-based col), as written (not spread over merges).
    pub fn cell(&self, row: u32, col: u16) -> Option<&V> {
        self.rows
            .get(row as usize - 1)
            .and_then(|r| r.cells.get(usize::from(col)))
            .and_then(Option::as_ref)
    }

    /// The value a reader should see at (row, col): a merged range's top-left value spreads
    /// over the range.
    pub fn spread(&self, row: u32, col: u16) -> Option<&V> {
        let merge = self.merges.iter().find(|m| {
            (m.first_row..=m.last_row).contains(&row) && (m.first_col..=m.last_col).contains(&col)
        });
        match merge {
            Some(m) => self.cell(m.first_row, m.first_col),
            None => self.cell(row, col),
        }
    }

    /// Whether (row, col) is covered by a merge without being its top-left cell.
    fn covered(&self, row: u32, col: u16) -> bool {
        self.merges.iter().any(|m| {
            (m.first_row..=m.last_row).contains(&row)
                && (m.first_col..=m.last_col).contains(&col)
                && (row, col) != (m.first_row, m.first_col)
        })
    }

    /// The workbook as .xlsx bytes.
    pub fn to_xlsx(&self) -> Vec<u8> {
        let mut book = Workbook::new();
        for (name, lines) in &self.sheets_before {
            let sheet = book.add_worksheet();
            sheet.set_name(name).unwrap();
            for (i, line) in lines.iter().enumerate() {
                sheet.write_string(i as u32, 0, line).unwrap();
            }
        }
        let cell = Format::new()
            .set_text_wrap()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let percent = cell.clone().set_num_format("0%");
        let sheet = book.add_worksheet();
        sheet.set_name(&self.sheet).unwrap();
        for col in 0..self.width {
            sheet
                .set_column_width(col, if col == 0 { 10 } else { 24 })
                .unwrap();
        }
        let write = |sheet: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, value: &V| {
            let (r, c) = (row - 1, col);
            match value {
                V::Text(t) => sheet.write_string_with_format(r, c, t, &cell),
                V::Num(n) => sheet.write_number_with_format(r, c, *n, &cell),
                V::Percent(n) => sheet.write_number_with_format(r, c, *n, &percent),
                V::Formula(f, cached) => {
                    sheet.write_formula_with_format(r, c, Formula::new(f).set_result(cached), &cell)
                }
            }
            .unwrap();
        };
        for (i, row) in self.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, value) in row.cells.iter().enumerate() {
                let c = c as u16;
                if let Some(value) = value
                    && !self.covered(r, c)
                {
                    write(sheet, r, c, value);
                }
            }
        }
        for m in &self.merges {
            let top_left = self.cell(m.first_row, m.first_col);
            let text = match top_left {
                Some(V::Text(t)) => t.as_str(),
                _ => "",
            };
            sheet
                .merge_range(
                    m.first_row - 1,
                    m.first_col,
                    m.last_row - 1,
                    m.last_col,
                    text,
                    &cell,
                )
                .unwrap();
            if let Some(value @ (V::Num(_) | V::Percent(_) | V::Formula(..))) = top_left {
                write(sheet, m.first_row, m.first_col, value);
            }
        }
        for &r in &self.hidden {
            sheet.set_row_hidden(r - 1).unwrap();
        }
        book.save_to_buffer().unwrap()
    }
}

/// One entry of `columns`.
#[derive(Debug, Clone)]
pub struct Col {
    pub column: String,
    pub label: String,
    pub role: &'static str,
    pub level: Option<u32>,
}

pub fn col(column: &str, label: &str, role: &'static str) -> Col {
    Col {
        column: column.to_string(),
        label: label.to_string(),
        role,
        level: None,
    }
}

/// A category column at `level` (1-based among category columns).
pub fn cat_col(column: &str, label: &str, level: u32) -> Col {
    Col {
        level: Some(level),
        ..col(column, label, "category")
    }
}

/// Roles whose cells go into an item's `texts`.
pub const TEXT_ROLES: [&str; 5] = ["indicator", "task", "basis", "text", "target"];

/// One expected item.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub id_assigned: bool,
    pub category: Vec<String>,
    /// The texts of the table's text columns, in column order ("" for an empty cell).
    pub texts: Vec<String>,
    pub points: Option<f64>,
    pub weight: Option<f64>,
    pub deadline: Option<String>,
    pub leaders: Vec<String>,
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    pub persons: Vec<String>,
    pub row: u32,
    pub hidden: bool,
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// An expected item with id `id` on sheet row `row`; the rest is set by the builders.
pub fn item(id: &str, row: u32) -> Item {
    Item {
        id: id.to_string(),
        id_assigned: false,
        category: Vec::new(),
        texts: Vec::new(),
        points: None,
        weight: None,
        deadline: None,
        leaders: Vec::new(),
        lead: Vec::new(),
        cooperating: Vec::new(),
        persons: Vec::new(),
        row,
        hidden: false,
    }
}

impl Item {
    pub fn cat(mut self, names: &[&str]) -> Item {
        self.category = strings(names);
        self
    }
    pub fn texts(mut self, texts: &[&str]) -> Item {
        self.texts = strings(texts);
        self
    }
    pub fn weight(mut self, weight: f64) -> Item {
        self.weight = Some(weight);
        self
    }
    pub fn points(mut self, points: f64) -> Item {
        self.points = Some(points);
        self
    }
    pub fn deadline(mut self, deadline: &str) -> Item {
        self.deadline = Some(deadline.to_string());
        self
    }
    pub fn leaders(mut self, names: &[&str]) -> Item {
        self.leaders = strings(names);
        self
    }
    pub fn lead(mut self, names: &[&str]) -> Item {
        self.lead = strings(names);
        self
    }
    pub fn coop(mut self, names: &[&str]) -> Item {
        self.cooperating = strings(names);
        self
    }
    pub fn persons(mut self, names: &[&str]) -> Item {
        self.persons = strings(names);
        self
    }
    pub fn assigned(mut self) -> Item {
        self.id_assigned = true;
        self
    }
    pub fn hidden(mut self) -> Item {
        self.hidden = true;
        self
    }

    /// Lead first, then cooperating (rule 4).
    pub fn departments(&self) -> Vec<String> {
        self.lead.iter().chain(&self.cooperating).cloned().collect()
    }

    /// The id without its last part for ids of 3+ parts, else the id (rule 3).
    pub fn group(&self) -> String {
        let parts: Vec<&str> = self.id.split(['-', '.']).collect();
        if parts.len() < 3 {
            return self.id.clone();
        }
        let last = parts.last().unwrap();
        self.id[..self.id.len() - last.len() - 1].to_string()
    }
}

/// Which item a finding names.
#[derive(Debug, Clone, PartialEq)]
pub enum Of {
    Item(String),
    /// A finding about the whole table (one per table or per token): its `item` is not
    /// checked — the contract does not say which item, if any, it names.
    Table,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub of: Of,
    /// `Sheet!C5`, checked when given.
    pub cell: Option<String>,
    /// Texts the message must contain.
    pub mentions: Vec<String>,
}

pub fn finding(code: &'static str, item: &str) -> Finding {
    Finding {
        code,
        of: Of::Item(item.to_string()),
        cell: None,
        mentions: Vec::new(),
    }
}

pub fn table_finding(code: &'static str) -> Finding {
    Finding {
        code,
        of: Of::Table,
        cell: None,
        mentions: Vec::new(),
    }
}

impl Finding {
    pub fn at(mut self, cell: &str) -> Finding {
        self.cell = Some(cell.to_string());
        self
    }
    pub fn mentioning(mut self, text: &str) -> Finding {
        self.mentions.push(text.to_string());
        self
    }
}

/// The severity the contract gives each code.
pub fn severity(code: &str) -> &'static str {
    match code {
        "id_duplicate"
        | "units_defined_twice"
        | "id_malformed"
        | "id_missing"
        | "units_unknown"
        | "weight_missing"
        | "weight_not_number"
        | "weight_negative"
        | "departments_missing" => "error",
        _ => "warning",
    }
}

/// What `inspect --json` must print for a table it reads.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: Option<String>,
    pub sheet: String,
    pub columns: Vec<Col>,
    pub items: Vec<Item>,
    pub findings: Vec<Finding>,
}

impl Table {
    pub fn has_weights(&self) -> bool {
        self.columns.iter().any(|c| c.role == "weight")
    }

    /// Labels of the text columns (roles indicator, task, basis, text), in column order.
    pub fn text_columns(&self) -> Vec<&Col> {
        self.columns
            .iter()
            .filter(|c| TEXT_ROLES.contains(&c.role))
            .collect()
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The text of `item` in the first column of `role`, or null when the table has no such
    /// column or the cell is empty.
    pub fn role_text(&self, item: &Item, role: &str) -> Value {
        self.text_columns()
            .iter()
            .zip(&item.texts)
            .find(|(c, _)| c.role == role)
            .map_or(Value::Null, |(_, t)| {
                if t.is_empty() { Value::Null } else { json!(t) }
            })
    }

    /// The expected `texts` object of an item: label → text in column order.
    pub fn texts_json(&self, item: &Item) -> Value {
        let labels = self.text_columns();
        assert_eq!(
            labels.len(),
            item.texts.len(),
            "item {} gives {} texts for {} text columns",
            item.id,
            item.texts.len(),
            labels.len()
        );
        let mut map = serde_json::Map::new();
        for (c, t) in labels.iter().zip(&item.texts) {
            map.insert(c.label.clone(), json!(t));
        }
        Value::Object(map)
    }

    /// The `departments` summary the items imply: order of first appearance, item counts,
    /// weights (tables with weights only), lead/cooperating counts, persons paired by position.
    pub fn departments(&self) -> Vec<Department> {
        let mut out: Vec<Department> = Vec::new();
        for item in &self.items {
            let names = item.departments();
            let paired = item.persons.len() == names.len();
            for (i, name) in names.iter().enumerate() {
                let at = match out.iter().position(|d| &d.name == name) {
                    Some(at) => at,
                    None => {
                        out.push(Department {
                            name: name.clone(),
                            ..Department::default()
                        });
                        out.len() - 1
                    }
                };
                let d = &mut out[at];
                d.items += 1;
                d.weight += item.weight.unwrap_or(0.0);
                if i < item.lead.len() {
                    d.lead += 1;
                } else {
                    d.cooperating += 1;
                }
                if paired && !d.persons.contains(&item.persons[i]) {
                    d.persons.push(item.persons[i].clone());
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Default)]
pub struct Department {
    pub name: String,
    pub persons: Vec<String>,
    pub items: u32,
    pub weight: f64,
    pub lead: u32,
    pub cooperating: u32,
}

/// What the run must give.
#[derive(Debug, Clone)]
pub enum Expect {
    /// Exit 0 (warnings only) or 1 (errors), with this JSON.
    Table(Table),
    /// Exit 2 with one line on stderr containing these texts.
    Refused(Vec<String>),
}

/// A fixture, the extra `inspect` arguments it needs, and what the reader must make of it.
#[derive(Debug, Clone)]
pub struct Shape {
    pub name: &'static str,
    /// One line: what the shape exercises.
    pub about: &'static str,
    pub grid: Grid,
    pub args: Vec<String>,
    pub expect: Expect,
}

impl Shape {
    pub fn table(&self) -> &Table {
        match &self.expect {
            Expect::Table(t) => t,
            Expect::Refused(_) => panic!("{} is refused", self.name),
        }
    }

    pub fn file_name(&self) -> String {
        format!("{}.xlsx", self.name)
    }
}

fn args(list: &[&str]) -> Vec<String> {
    strings(list)
}

/// Every shape, in the order of the brief.
pub fn all() -> Vec<Shape> {
    vec![
        a_task_breakdown(),
        b_sections_restarting_ids(),
        c_county_units(),
        c_county_units_without_list(),
        c_county_units_given(),
        d_chinese_numbering(),
        e_three_levels(),
        f_kpi_text_weights(),
        f_kpi_percent_cells(),
        g_english_scorecard(),
        g_scorecard_broken_ids(),
        h_rules_without_ids(),
        i_dotted_ids(),
        j_lead_in_cell(),
        k_hidden_rows_and_sum(),
        l_single_row_header(),
        m_unknown_labels(),
        m_unknown_labels_mapped(),
        m_unknown_labels_header_row(),
        n_plain_table(),
        o_category_label(),
        o_category_project(),
        o_category_merged(),
        o_category_repeated(),
        o_category_points_mismatch(),
        p_hierarchical_numbering(),
        p_group_points_mismatch(),
        q_token_curly_quotes(),
        q_token_straight_quotes_no_prefix(),
        q_token_spaces(),
        q_token_defined_twice(),
    ]
}

/// The 11 county-level units of 泉州.
pub const QUANZHOU_COUNTIES: [&str; 11] = [
    "鲤城区",
    "丰泽区",
    "洛江区",
    "泉港区",
    "石狮市",
    "晋江市",
    "南安市",
    "惠安县",
    "安溪县",
    "永春县",
    "德化县",
];

// ---------------------------------------------------------------------------------------------
// (a) 重点工作任务分解表: sections merged across, 重点任务 merged down, 牵头/配合 columns, no
// weights; one 序号 merged over three measures (→ 4-1 … 4-3), one cut-off task.

pub fn a_task_breakdown() -> Shape {
    let mut g = Grid::new("任务分解", 7);
    g.title("泉州市2024年优化营商环境重点工作任务分解表");
    g.preamble("填报单位：泉州市优化营商环境工作领导小组办公室||||||填报日期：2024年3月15日");
    g.header("序号|重点任务|具体措施|牵头单位|配合单位|完成时限|备注");
    let s1 = "一、优化营商环境";
    g.section(s1);
    let k1 = "持续优化政务服务，提升企业和群众办事便利度";
    let t1 = "深化“一业一证”改革，将改革行业扩大到30个以上，实现“一证准营”、跨地互认通用，行业综合许可平均办理时间压缩50%以上。";
    let t2 = "推进“高效办成一件事”，年内新增企业开办、不动产登记等集成服务事项15项。";
    let t3 = "推行经营主体准入准营退出“一网通办”，简易注销公告时间由20天压缩至10天。";
    let r1 = g.item(&format!(
        "1|{k1}|{t1}|市发改委|市商务局、市市场监管局|2024年6月底前|"
    ));
    let r2 = g.item(&format!(
        "2||{t2}|市数据管理局|市行政服务中心管委会|2024年9月底前|"
    ));
    let r3 = g.item(&format!(
        "3||{t3}|市市场监管局|市税务局、市人社局、市医保局|2024年12月底前|按季度报送进展"
    ));
    g.down("B", r1, r3);
    let s2 = "二、深化重点领域改革";
    g.section(s2);
    let k2 = "深化国资国企改革，增强国有企业核心功能";
    let t4 = "完成市属国有企业功能界定与分类，制定分类考核办法，建立差异化考核指标体系。";
    let t5 = "推动市属国有企业战略性重组和专业化整合，年内完成2家以上企业整合重组";
    let t6 = "设立规模不低于50亿元的产业引导基金，撬动社会资本投向先进制造业和战略性新兴产业。";
    let r4 = g.item(&format!("4|{k2}|{t4}|市财政局|市国资委|2024年6月底前|"));
    let r5 = g.item(&format!(
        "||{t5}|市国资委|市财政局、市金融监管局|2024年10月底前|"
    ));
    let r6 = g.item(&format!(
        "||{t6}|市金融监管局|人行泉州市分行|2024年12月底前|"
    ));
    g.down("A", r4, r6);
    g.down("B", r4, r6);
    let k3 = "提升工程建设项目审批效率";
    let t7 = "全面推行工程建设项目“用地清单制”改革，土地出让前完成压覆矿产、地质灾害、水土保持、文物考古等区域评估并将评估结果及相关要求纳入";
    let r7 = g.item(&format!(
        "5|{k3}|{t7}|市自然资源局|市住建局|2024年11月底前|"
    ));
    g.blank();
    g.note("注：各牵头单位请于每季度末5日前将工作进展报送市优化营商环境工作领导小组办公室。");

    let table = Table {
        title: Some("泉州市2024年优化营商环境重点工作任务分解表".into()),
        sheet: "任务分解".into(),
        columns: vec![
            col("A", "序号", "id"),
            col("B", "重点任务", "indicator"),
            col("C", "具体措施", "task"),
            col("D", "牵头单位", "lead"),
            col("E", "配合单位", "cooperating"),
            col("F", "完成时限", "deadline"),
            col("G", "备注", "text"),
        ],
        items: vec![
            item("1", r1)
                .cat(&[s1])
                .texts(&[k1, t1, ""])
                .lead(&["市发改委"])
                .coop(&["市商务局", "市市场监管局"])
                .deadline("2024年6月底前"),
            item("2", r2)
                .cat(&[s1])
                .texts(&[k1, t2, ""])
                .lead(&["市数据管理局"])
                .coop(&["市行政服务中心管委会"])
                .deadline("2024年9月底前"),
            item("3", r3)
                .cat(&[s1])
                .texts(&[k1, t3, "按季度报送进展"])
                .lead(&["市市场监管局"])
                .coop(&["市税务局", "市人社局", "市医保局"])
                .deadline("2024年12月底前"),
            item("4-1", r4)
                .cat(&[s2])
                .texts(&[k2, t4, ""])
                .lead(&["市财政局"])
                .coop(&["市国资委"])
                .deadline("2024年6月底前"),
            item("4-2", r5)
                .cat(&[s2])
                .texts(&[k2, t5, ""])
                .lead(&["市国资委"])
                .coop(&["市财政局", "市金融监管局"])
                .deadline("2024年10月底前"),
            item("4-3", r6)
                .cat(&[s2])
                .texts(&[k2, t6, ""])
                .lead(&["市金融监管局"])
                .coop(&["人行泉州市分行"])
                .deadline("2024年12月底前"),
            item("5", r7)
                .cat(&[s2])
                .texts(&[k3, t7, ""])
                .lead(&["市自然资源局"])
                .coop(&["市住建局"])
                .deadline("2024年11月底前"),
        ],
        findings: vec![
            table_finding("id_qualified"),
            finding("text_unterminated", "5").at(&format!("任务分解!C{r7}")),
        ],
    };
    Shape {
        name: "a_task_breakdown",
        about: "重点工作任务分解表: sections merged across, 重点任务 merged down, 牵头/配合 columns, no weights, an id merged over 3 measures, a cut-off task",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (b) 考评表: sections `一、环境质量（45分）` …, 分值, ids 1, 2, 3 restarting per section
// (→ 一-1 …), a final 合计 that is the grand total.

/// (task, weight, 评分标准, 责任单位 cell, lead list, deadline) of (b)'s items.
type BRow = (
    &'static str,
    f64,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

pub fn b_sections_restarting_ids() -> Shape {
    let mut g = Grid::new("考评表", 6);
    g.title("2023年度晋江市生态环境保护目标责任考评表");
    g.preamble("考评单位：晋江市生态环境保护委员会办公室");
    g.header("序号|考核内容及目标|分值|评分标准|责任单位|完成时限");
    let sections: [(&str, &str, Vec<BRow>); 3] = [
        (
            "一、环境质量（45分）",
            "一",
            vec![
                (
                    "全市空气质量优良天数比例达到98.5%以上，细颗粒物（PM2.5）年均浓度控制在20微克/立方米以内。",
                    15.0,
                    "优良天数比例每低于目标0.5个百分点扣2分；PM2.5浓度每超过1微克/立方米扣3分，扣完为止。",
                    "泉州市晋江生态环境局",
                    &["泉州市晋江生态环境局"],
                    "2023年12月底前",
                ),
                (
                    "主要流域国控、省控断面水质优良比例达到100%，小流域省控断面水质优良比例达到95%以上。",
                    15.0,
                    "每有1个断面未达到目标扣5分。",
                    "晋江市水利局、泉州市晋江生态环境局",
                    &["晋江市水利局", "泉州市晋江生态环境局"],
                    "2023年12月底前",
                ),
                (
                    "受污染耕地安全利用率达到93%以上，重点建设用地安全利用得到有效保障。",
                    15.0,
                    "未完成目标不得分。",
                    "晋江市农业农村局、晋江市自然资源局",
                    &["晋江市农业农村局", "晋江市自然资源局"],
                    "2023年11月底前",
                ),
            ],
        ),
        (
            "二、污染防治（30分）",
            "二",
            vec![
                (
                    "完成省下达的挥发性有机物和氮氧化物重点工程减排量，推进重点行业企业深度治理。",
                    10.0,
                    "减排量每少完成10%扣2分。",
                    "泉州市晋江生态环境局、晋江市工业和信息化局",
                    &["泉州市晋江生态环境局", "晋江市工业和信息化局"],
                    "2023年10月底前",
                ),
                (
                    "城市生活污水集中收集率达到70%以上，新建改造污水管网30公里。",
                    10.0,
                    "收集率未达标扣5分；管网建设每少1公里扣0.5分。",
                    "晋江市住房和城乡建设局",
                    &["晋江市住房和城乡建设局"],
                    "2023年12月底前",
                ),
                (
                    "建成区生活垃圾回收利用率达到35%以上",
                    10.0,
                    "未达标不得分。",
                    "晋江市城市管理局",
                    &["晋江市城市管理局"],
                    "2023年12月底前",
                ),
            ],
        ),
        (
            "三、生态保护与监管（25分）",
            "三",
            vec![
                (
                    "完成省级生态文明建设示范区复核，推进安海镇、东石镇创建省级生态乡镇。",
                    10.0,
                    "复核未通过扣10分。",
                    "泉州市晋江生态环境局、晋江市自然资源局",
                    &["泉州市晋江生态环境局", "晋江市自然资源局"],
                    "2023年12月底前",
                ),
                (
                    "开展“双随机、一公开”执法检查，全年检查企业不少于600家次，按时办结群众信访投诉件。",
                    8.0,
                    "检查次数每少50家次扣1分；信访件超期办结每件扣0.5分。",
                    "泉州市晋江生态环境局",
                    &["泉州市晋江生态环境局"],
                    "2023年12月底前",
                ),
                (
                    "组织开展突发环境事件应急演练不少于2次，修订完善突发环境事件应急预案。",
                    7.0,
                    "未开展演练扣4分，预案未修订扣3分。",
                    "泉州市晋江生态环境局、晋江市应急管理局",
                    &["泉州市晋江生态环境局", "晋江市应急管理局"],
                    "2023年9月底前",
                ),
            ],
        ),
    ];
    let mut items = Vec::new();
    for (heading, key, rows) in &sections {
        g.section(heading);
        let name = heading.split('（').next().unwrap();
        for (n, (task, weight, rule, cell, lead, deadline)) in rows.iter().enumerate() {
            let r = g.item(&format!(
                "{}|{task}|#{weight}|{rule}|{cell}|{deadline}",
                n + 1
            ));
            items.push(
                item(&format!("{key}-{}", n + 1), r)
                    .cat(&[name])
                    .texts(&[task, rule])
                    .weight(*weight)
                    .lead(lead)
                    .deadline(deadline),
            );
        }
    }
    let total = g.total("合计||#100|||");
    g.merge(&format!("A{total}:B{total}"));
    g.note("注：考评结果作为年度生态环境保护目标责任考核的重要依据。");

    let table = Table {
        title: Some("2023年度晋江市生态环境保护目标责任考评表".into()),
        sheet: "考评表".into(),
        columns: vec![
            col("A", "序号", "id"),
            col("B", "考核内容及目标", "task"),
            col("C", "分值", "weight"),
            col("D", "评分标准", "text"),
            col("E", "责任单位", "departments"),
            col("F", "完成时限", "deadline"),
        ],
        items,
        findings: vec![table_finding("id_qualified")],
    };
    Shape {
        name: "b_sections_restarting_ids",
        about: "考评表: sections 一、…（45分） merged across with points, 分值, ids 1-2-3 restarting per section (→ 一-1), final 合计 as grand total",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (c) County table: 责任单位 `各县（市、区）` expanded from a note row, from `--units`, or not at
// all (units_unknown).

/// The county table; `note` adds the row listing the 11 counties. Returns the grid and the
/// items with `各县（市、区）` standing for `units`.
fn county_table(note: bool, units: &[&str]) -> (Grid, Vec<Item>) {
    let mut g = Grid::new("Sheet1", 5);
    g.title("泉州市2024年土壤污染防治工作任务清单");
    g.header("序号|工作任务|责任单位|完成时限|备注");
    let rows: [(&str, &str, &[&str], &str, &str); 5] = [
        (
            "完成受污染耕地安全利用率核算，受污染耕地安全利用率达到93%以上。",
            "各县（市、区）",
            &["各县（市、区）"],
            "2024年11月底前",
            "",
        ),
        (
            "开展土壤污染重点监管单位隐患排查“回头看”，督促重点监管单位完成自行监测并公开信息。",
            "市生态环境局、各县（市、区）",
            &["市生态环境局", "各县（市、区）"],
            "2024年10月底前",
            "",
        ),
        (
            "推进涉重金属行业企业减排",
            "市工信局、市发改委",
            &["市工信局", "市发改委"],
            "2024年12月底前",
            "",
        ),
        (
            "化肥农药使用量零增长",
            "市农业农村局\n各县（市、区）",
            &["市农业农村局", "各县（市、区）"],
            "2024年12月底前",
            "以县为单位统计",
        ),
        (
            "建立建设用地土壤污染风险管控和修复名录动态更新机制，严格落实污染地块准入管理。",
            "市自然资源局",
            &["市自然资源局"],
            "2024年6月底前",
            "",
        ),
    ];
    let mut items = Vec::new();
    for (n, (task, cell, names, deadline, remark)) in rows.iter().enumerate() {
        let r = g.item(&format!("{}|{task}|{cell}|{deadline}|{remark}", n + 1));
        let mut lead = Vec::new();
        for name in *names {
            if *name == "各县（市、区）" {
                lead.extend_from_slice(units);
            } else {
                lead.push(*name);
            }
        }
        items.push(
            item(&(n + 1).to_string(), r)
                .texts(&[task, remark])
                .lead(&lead)
                .deadline(deadline),
        );
    }
    if note {
        g.note(&format!(
            "注：各县（市、区）指{}。",
            QUANZHOU_COUNTIES.join("、")
        ));
    }
    (g, items)
}

fn county_columns() -> Vec<Col> {
    vec![
        col("A", "序号", "id"),
        col("B", "工作任务", "task"),
        col("C", "责任单位", "departments"),
        col("D", "完成时限", "deadline"),
        col("E", "备注", "text"),
    ]
}

pub fn c_county_units() -> Shape {
    let (g, items) = county_table(true, &QUANZHOU_COUNTIES);
    Shape {
        name: "c_county_units",
        about: "责任单位 各县（市、区） expanded to the 11 counties of 泉州 by a note row; a line break between names",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市2024年土壤污染防治工作任务清单".into()),
            sheet: "Sheet1".into(),
            columns: county_columns(),
            items,
            findings: vec![table_finding("units_expanded").mentioning("各县（市、区）")],
        }),
    }
}

pub fn c_county_units_without_list() -> Shape {
    let (g, items) = county_table(false, &["各县（市、区）"]);
    Shape {
        name: "c_county_units_without_list",
        about: "the same county table without the note: units_unknown (error, exit 1) saying how to give the list; the token stays a name",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市2024年土壤污染防治工作任务清单".into()),
            sheet: "Sheet1".into(),
            columns: county_columns(),
            items,
            findings: vec![
                table_finding("units_unknown")
                    .mentioning("各县（市、区）")
                    .mentioning("--units"),
            ],
        }),
    }
}

pub fn c_county_units_given() -> Shape {
    let (g, items) = county_table(false, &["鲤城区", "丰泽区", "洛江区"]);
    Shape {
        name: "c_county_units_given",
        about: "the county table without the note, the list given by --units",
        grid: g,
        args: args(&["--units", "各县（市、区）=鲤城区、丰泽区、洛江区"]),
        expect: Expect::Table(Table {
            title: Some("泉州市2024年土壤污染防治工作任务清单".into()),
            sheet: "Sheet1".into(),
            columns: county_columns(),
            items,
            findings: vec![table_finding("units_expanded").mentioning("各县（市、区）")],
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// (d) 一 / （一） / 1. numbering: section rows with the number and the name in separate cells,
// items `1.` `2.` restarting in each （一）; a note makes the first listed unit the lead.

pub fn d_chinese_numbering() -> Shape {
    let mut g = Grid::new("2024年", 5);
    g.title("中共泉州市生态环境局党组2024年全面从严治党主体责任清单");
    g.preamble("单位：中共泉州市生态环境局党组");
    g.preamble("填报日期：2024年1月");
    g.header("序号|工作任务|责任单位|完成时限|备注");
    let c1 = "一 加强党的政治建设";
    let c11 = "（一） 强化理论武装";
    let c12 = "（二） 严肃党内政治生活";
    let c2 = "二 落实全面从严治党责任";
    let c21 = "（一） 压实主体责任";
    let t1 = "落实党组理论学习中心组学习制度，全年开展集中学习不少于12次。";
    let t2 = "开展主题教育成果巩固提升活动，组织党员干部专题培训2期。";
    let t3 = "认真召开年度民主生活会和组织生活会，扎实开展批评和自我批评。";
    let t4 = "落实“三会一课”、主题党日等制度，规范党支部标准化建设。";
    let t5 = "制定年度全面从严治党主体责任清单，党组书记与班子成员签订责任书。";
    let t6 = "开展廉政风险排查，对行政审批、执法检查等重点岗位建立防控台账。";
    let t7 = "加强干部队伍日常监督管理";
    g.section_cells("一|加强党的政治建设|||");
    g.section_cells("（一）|强化理论武装|||");
    let r1 = g.item(&format!("1.|{t1}|机关党委、办公室|2024年12月底前|"));
    let r2 = g.item(&format!("2.|{t2}|机关党委、人事科|2024年10月底前|"));
    g.section_cells("（二）|严肃党内政治生活|||");
    let r3 = g.item(&format!("1.|{t3}|机关党委|2024年2月底前|"));
    let r4 = g.item(&format!(
        "2.|{t4}|机关党委、办公室|2024年12月底前|每季度检查一次"
    ));
    g.section_cells("二|落实全面从严治党责任|||");
    g.section_cells("（一）|压实主体责任|||");
    let r5 = g.item(&format!("1.|{t5}|办公室、机关党委|2024年3月底前|"));
    let r6 = g.item(&format!(
        "2.|{t6}|驻局纪检监察组、行政审批科、执法支队|2024年6月底前|"
    ));
    let r7 = g.item(&format!("3.|{t7}|人事科|2024年12月底前|"));
    g.note("注：责任单位有两个以上的，排在第一位的为牵头单位。");

    let table = Table {
        title: Some("中共泉州市生态环境局党组2024年全面从严治党主体责任清单".into()),
        sheet: "2024年".into(),
        columns: vec![
            col("A", "序号", "id"),
            col("B", "工作任务", "task"),
            col("C", "责任单位", "departments"),
            col("D", "完成时限", "deadline"),
            col("E", "备注", "text"),
        ],
        items: vec![
            item("一-一-1", r1)
                .cat(&[c1, c11])
                .texts(&[t1, ""])
                .lead(&["机关党委"])
                .coop(&["办公室"])
                .deadline("2024年12月底前"),
            item("一-一-2", r2)
                .cat(&[c1, c11])
                .texts(&[t2, ""])
                .lead(&["机关党委"])
                .coop(&["人事科"])
                .deadline("2024年10月底前"),
            item("一-二-1", r3)
                .cat(&[c1, c12])
                .texts(&[t3, ""])
                .lead(&["机关党委"])
                .deadline("2024年2月底前"),
            item("一-二-2", r4)
                .cat(&[c1, c12])
                .texts(&[t4, "每季度检查一次"])
                .lead(&["机关党委"])
                .coop(&["办公室"])
                .deadline("2024年12月底前"),
            item("二-一-1", r5)
                .cat(&[c2, c21])
                .texts(&[t5, ""])
                .lead(&["办公室"])
                .coop(&["机关党委"])
                .deadline("2024年3月底前"),
            item("二-一-2", r6)
                .cat(&[c2, c21])
                .texts(&[t6, ""])
                .lead(&["驻局纪检监察组"])
                .coop(&["行政审批科", "执法支队"])
                .deadline("2024年6月底前"),
            item("二-一-3", r7)
                .cat(&[c2, c21])
                .texts(&[t7, ""])
                .lead(&["人事科"])
                .deadline("2024年12月底前"),
        ],
        findings: vec![table_finding("id_qualified")],
    };
    Shape {
        name: "d_chinese_numbering",
        about: "一 / （一） section rows (number and name in separate cells, no merge), items 1. 2. restarting per （一） (→ 一-一-1), note 排在第一位的为牵头单位, two preamble rows",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (e) 一级指标 / 二级指标 / 三级指标 under a merged 考核指标 (two-row header): 一级 and 二级 are
// category columns merged down with points, 三级 is the task.

pub fn e_three_levels() -> Shape {
    let mut g = Grid::new("考评细则", 7);
    g.title("泉州市生态环境局2024年度科室绩效考评指标体系");
    let h1 = g.header("序号|考核指标|||分值|评分标准|责任科室");
    let h2 = g.header("|一级指标|二级指标|三级指标|||");
    g.merge(&format!("B{h1}:D{h1}"));
    for c in ["A", "E", "F", "G"] {
        g.down(c, h1, h2);
    }
    // (一级, 二级, [(三级, 分值, 评分标准, 责任科室 cell, lead)])
    type Leaf = (
        &'static str,
        f64,
        &'static str,
        &'static str,
        &'static [&'static str],
    );
    type Second = (&'static str, &'static str, Vec<Leaf>);
    let tree: [(&str, &str, [Second; 2]); 3] = [
        (
            "党建工作（20分）",
            "党建工作",
            [
                (
                    "政治建设（8分）",
                    "政治建设",
                    vec![
                        (
                            "落实党组理论学习中心组学习制度，全年集中学习不少于12次。",
                            4.0,
                            "每少1次扣0.5分。",
                            "机关党委",
                            &["机关党委"],
                        ),
                        (
                            "按期完成党支部换届和标准化规范化建设。",
                            4.0,
                            "未按期完成扣2分。",
                            "机关党委、人事科",
                            &["机关党委", "人事科"],
                        ),
                    ],
                ),
                (
                    "党风廉政（12分）",
                    "党风廉政",
                    vec![
                        (
                            "落实党风廉政建设责任制，层层签订责任书。",
                            6.0,
                            "未签订责任书扣3分；发生违纪违法问题的不得分。",
                            "机关党委、办公室",
                            &["机关党委", "办公室"],
                        ),
                        (
                            "开展廉政风险点排查和防控，重点岗位防控措施落实到人。",
                            6.0,
                            "风险点排查不全面扣2分。",
                            "行政审批科；执法支队",
                            &["行政审批科", "执法支队"],
                        ),
                    ],
                ),
            ],
        ),
        (
            "业务工作（60分）",
            "业务工作",
            [
                (
                    "污染防治（35分）",
                    "污染防治",
                    vec![
                        (
                            "完成年度空气质量改善目标，PM2.5年均浓度不高于20微克/立方米。",
                            15.0,
                            "每超过1微克/立方米扣3分。",
                            "大气环境科",
                            &["大气环境科"],
                        ),
                        (
                            "完成主要流域水质考核目标，国省控断面水质优良比例达到100%。",
                            10.0,
                            "每有1个断面不达标扣5分。",
                            "水生态环境科",
                            &["水生态环境科"],
                        ),
                        (
                            "受污染耕地和重点建设用地安全利用率保持100%",
                            10.0,
                            "未达标不得分。",
                            "土壤生态环境科",
                            &["土壤生态环境科"],
                        ),
                    ],
                ),
                (
                    "执法监管（25分）",
                    "执法监管",
                    vec![
                        (
                            "开展“双随机、一公开”监管，按时完成年度检查计划。",
                            15.0,
                            "检查计划每少完成5%扣1分。",
                            "执法支队",
                            &["执法支队"],
                        ),
                        (
                            "依法办理行政处罚案件，案卷评查合格率达到100%。",
                            10.0,
                            "案卷不合格每件扣2分。",
                            "执法支队、法规科",
                            &["执法支队", "法规科"],
                        ),
                    ],
                ),
            ],
        ),
        (
            "机关效能（20分）",
            "机关效能",
            [
                (
                    "作风建设（10分）",
                    "作风建设",
                    vec![
                        (
                            "严格执行考勤和请销假制度，落实首问负责、限时办结等制度。",
                            5.0,
                            "被通报批评的每次扣2分。",
                            "办公室、人事科",
                            &["办公室", "人事科"],
                        ),
                        (
                            "按时办理人大代表建议和政协委员提案，满意率达到100%。",
                            5.0,
                            "超期办理每件扣1分。",
                            "办公室",
                            &["办公室"],
                        ),
                    ],
                ),
                (
                    "服务群众（10分）",
                    "服务群众",
                    vec![(
                        "12345便民服务平台诉求按时办结率达到100%，群众满意率95%以上。",
                        10.0,
                        "按时办结率每低1个百分点扣1分。",
                        "执法支队、办公室",
                        &["执法支队", "办公室"],
                    )],
                ),
            ],
        ),
    ];
    let mut items = Vec::new();
    let mut n = 0;
    for (first, first_name, seconds) in &tree {
        let first_row = g.rows.len() as u32 + 1;
        for (second, second_name, leaves) in seconds {
            let second_row = g.rows.len() as u32 + 1;
            for (i, (task, weight, rule, cell, lead)) in leaves.iter().enumerate() {
                n += 1;
                let (c1, c2) = match i {
                    0 if second_row == first_row => (*first, *second),
                    0 => ("", *second),
                    _ => ("", ""),
                };
                let r = g.item(&format!("{n}|{c1}|{c2}|{task}|#{weight}|{rule}|{cell}"));
                items.push(
                    item(&n.to_string(), r)
                        .cat(&[first_name, second_name])
                        .texts(&[task, rule])
                        .weight(*weight)
                        .lead(lead),
                );
            }
            let last = g.rows.len() as u32;
            if last > second_row {
                g.down("C", second_row, last);
            }
        }
        g.down("B", first_row, g.rows.len() as u32);
    }
    let total = g.total("合计||||#100||");
    g.merge(&format!("A{total}:D{total}"));

    let table = Table {
        title: Some("泉州市生态环境局2024年度科室绩效考评指标体系".into()),
        sheet: "考评细则".into(),
        columns: vec![
            col("A", "序号", "id"),
            cat_col("B", "一级指标", 1),
            cat_col("C", "二级指标", 2),
            col("D", "三级指标", "task"),
            col("E", "分值", "weight"),
            col("F", "评分标准", "text"),
            col("G", "责任科室", "departments"),
        ],
        items,
        findings: Vec::new(),
    };
    Shape {
        name: "e_three_levels",
        about: "two-row header 考核指标 over 一级/二级/三级指标: 一级 and 二级 are categories merged down with points, 三级 the task; 分值, 评分标准, 责任科室",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (f) KPI sheet: 序号 | 指标名称 | 目标值 | 权重（%） | 责任部门 | 数据来源, weights written as
// text (`8分`, `５`, `5.0`, `6 分`, `20%`), and the same with Excel percent cells.

/// (指标名称, 目标值, weight cell spec, weight, 责任部门 cell, lead, 数据来源)
type KpiRow = (
    &'static str,
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static [&'static str],
    &'static str,
);

const KPI_ROWS: [KpiRow; 8] = [
    (
        "数字经济增加值增速",
        "≥12%",
        "#20",
        20.0,
        "市发改委",
        &["市发改委"],
        "市统计局",
    ),
    (
        "规模以上电子信息制造业营业收入",
        "≥1800亿元",
        "8分",
        8.0,
        "市工信局",
        &["市工信局"],
        "市统计局",
    ),
    (
        "5G基站累计建成数",
        "1.6万个",
        "５",
        5.0,
        "市工信局、市通信发展管理办公室",
        &["市工信局", "市通信发展管理办公室"],
        "市通信发展管理办公室",
    ),
    (
        "工业互联网标识解析二级节点",
        "新增2个",
        "5.0",
        5.0,
        "市工信局",
        &["市工信局"],
        "企业报送",
    ),
    (
        "政务数据共享率",
        "≥95%",
        "6 分",
        6.0,
        "市数据管理局",
        &["市数据管理局"],
        "市政务数据汇聚共享平台",
    ),
    (
        "数字经济核心产业企业数",
        "新增100家以上",
        "20%",
        20.0,
        "市发改委/市工信局",
        &["市发改委", "市工信局"],
        "市市场监管局",
    ),
    (
        "上云企业数",
        "累计1.2万家",
        "#16",
        16.0,
        "市工信局",
        &["市工信局"],
        "省工业互联网平台",
    ),
    (
        "跨境电商交易额",
        "增长15%",
        "#20",
        20.0,
        "市商务局",
        &["市商务局"],
        "泉州海关",
    ),
];

/// The KPI sheet; `weight_cell` gives each row's weight cell spec.
fn kpi_table(weight_cell: impl Fn(&KpiRow) -> String) -> (Grid, Vec<Item>, Vec<u32>) {
    let mut g = Grid::new("KPI", 6);
    g.title("泉州市2024年数字经济发展主要指标分解表");
    g.preamble("单位：亿元、个、%");
    g.header("序号|指标名称|目标值|权重（%）|责任部门|数据来源");
    let mut items = Vec::new();
    let mut rows = Vec::new();
    for (n, row) in KPI_ROWS.iter().enumerate() {
        let (name, target, _, weight, cell, lead, source) = row;
        let r = g.item(&format!(
            "{}|{name}|{target}|{}|{cell}|{source}",
            n + 1,
            weight_cell(row)
        ));
        rows.push(r);
        items.push(
            item(&(n + 1).to_string(), r)
                .texts(&[name, target, source])
                .weight(*weight)
                .lead(lead),
        );
    }
    (g, items, rows)
}

fn kpi_columns() -> Vec<Col> {
    vec![
        col("A", "序号", "id"),
        col("B", "指标名称", "task"),
        col("C", "目标值", "target"),
        col("D", "权重（%）", "weight"),
        col("E", "责任部门", "departments"),
        col("F", "数据来源", "text"),
    ]
}

pub fn f_kpi_text_weights() -> Shape {
    let (g, items, rows) = kpi_table(|row| row.2.to_string());
    let findings = KPI_ROWS
        .iter()
        .zip(&rows)
        .enumerate()
        .filter(|(_, (row, _))| !row.2.starts_with('#'))
        .map(|(n, (_, r))| finding("weight_text", &(n + 1).to_string()).at(&format!("KPI!D{r}")))
        .collect();
    Shape {
        name: "f_kpi_text_weights",
        about: "KPI sheet (指标名称 is the task, 目标值 is the target, 数据来源 a text column), weights written 8分 ５ 5.0 6 分 20%: read as numbers with weight_text",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市2024年数字经济发展主要指标分解表".into()),
            sheet: "KPI".into(),
            columns: kpi_columns(),
            items,
            findings,
        }),
    }
}

pub fn f_kpi_percent_cells() -> Shape {
    let (g, items, _) = kpi_table(|row| format!("%{}", row.3 / 100.0));
    Shape {
        name: "f_kpi_percent_cells",
        about: "the KPI sheet with Excel percent cells (0.2 shown 20%) adding up to 1: read ×100 with one weight_percent",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市2024年数字经济发展主要指标分解表".into()),
            sheet: "KPI".into(),
            columns: kpi_columns(),
            items,
            findings: vec![table_finding("weight_percent")],
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// (g) English scorecard: No. | Objective | KPI | Target | Weight | Owner | Due date, no title,
// Objective merged down; and the same with a duplicated and a malformed id.

fn scorecard(ids: [&str; 7]) -> (Grid, Vec<Item>) {
    let mut g = Grid::new("Scorecard", 7);
    g.header("No.|Objective|KPI|Target|Weight|Owner|Due date");
    let o1 = "Attract quality foreign investment";
    let o2 = "Grow foreign trade";
    let o3 = "Improve the business environment";
    // (objective, KPI, target, weight, Owner cell, owners, due)
    type ScoreRow = (
        &'static str,
        &'static str,
        &'static str,
        f64,
        &'static str,
        &'static [&'static str],
        &'static str,
    );
    let rows: [ScoreRow; 7] = [
        (
            o1,
            "Actual FDI utilised",
            "USD 1.2 bn",
            20.0,
            "Investment",
            &["Investment"],
            "2024-12-31",
        ),
        (
            o1,
            "New foreign-funded projects signed",
            "≥ 40 projects",
            15.0,
            "Investment/Commerce",
            &["Investment", "Commerce"],
            "2024-12-31",
        ),
        (
            o2,
            "Export value growth",
            "+6% YoY",
            20.0,
            "Commerce",
            &["Commerce"],
            "2024-12-31",
        ),
        (
            o2,
            "E-commerce platforms launched",
            "3 platforms",
            10.0,
            "Commerce, Ports",
            &["Commerce", "Ports"],
            "2024-09-30",
        ),
        (
            o3,
            "Average days to register a company",
            "≤ 1 day",
            15.0,
            "Services",
            &["Services"],
            "2024-06-30",
        ),
        (
            o3,
            "Online service rate",
            "≥ 98%",
            10.0,
            "Services;IT",
            &["Services", "IT"],
            "2024-09-30",
        ),
        (
            o3,
            "Business satisfaction score",
            "≥ 90 points",
            10.0,
            "Services",
            &["Services"],
            "Q4 2024",
        ),
    ];
    let mut items = Vec::new();
    let mut first_of = Vec::new();
    for (n, (objective, kpi, target, weight, cell, owners, due)) in rows.iter().enumerate() {
        let shown = if n == 0 || rows[n - 1].0 != *objective {
            *objective
        } else {
            ""
        };
        let r = g.item(&format!(
            "{}|{shown}|{kpi}|{target}|#{weight}|{cell}|{due}",
            ids[n]
        ));
        if !shown.is_empty() {
            first_of.push(r);
        }
        items.push(
            item(ids[n], r)
                .texts(&[objective, kpi, target])
                .weight(*weight)
                .lead(owners)
                .deadline(due),
        );
    }
    let last = g.rows.len() as u32;
    first_of.push(last + 1);
    for pair in first_of.windows(2) {
        if pair[1] - 1 > pair[0] {
            g.down("B", pair[0], pair[1] - 1);
        }
    }
    (g, items)
}

fn scorecard_columns() -> Vec<Col> {
    vec![
        col("A", "No.", "id"),
        col("B", "Objective", "indicator"),
        col("C", "KPI", "task"),
        col("D", "Target", "target"),
        col("E", "Weight", "weight"),
        col("F", "Owner", "departments"),
        col("G", "Due date", "deadline"),
    ]
}

pub fn g_english_scorecard() -> Shape {
    let (g, items) = scorecard(["1", "2", "3", "4", "5", "6", "7"]);
    Shape {
        name: "g_english_scorecard",
        about: "English scorecard with the header on row 1 (title null), Objective merged down, short KPI texts (no text_unterminated), owners split on / , ;",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: None,
            sheet: "Scorecard".into(),
            columns: scorecard_columns(),
            items,
            findings: Vec::new(),
        }),
    }
}

pub fn g_scorecard_broken_ids() -> Shape {
    let (g, items) = scorecard(["1", "2", "2", "4-x", "5", "6", "7"]);
    let dup_row = items[2].row;
    Shape {
        name: "g_scorecard_broken_ids",
        about: "the scorecard with a duplicated id (no sections to explain it) and a malformed id: id_duplicate and id_malformed errors, exit 1",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: None,
            sheet: "Scorecard".into(),
            columns: scorecard_columns(),
            items,
            findings: vec![
                finding("id_duplicate", "2").at(&format!("Scorecard!A{dup_row}")),
                finding("id_malformed", "4-x"),
            ],
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// (h) 考评细则 without ids: 考评项目 | 考评内容 | 评分标准 | 分值 | 责任科室, sections merged across
// with points (one with its points in the 分值 column), 小计 rows, 总分, `各科室` from a note.

pub fn h_rules_without_ids() -> Shape {
    let mut g = Grid::new("考评细则", 5);
    g.title("泉州市生态环境局2024年度机关内部绩效考评细则");
    g.preamble("考评周期：2024年1月1日至12月31日");
    g.header("考评项目|考评内容|评分标准|分值|责任科室");
    let units = ["办公室", "人事科", "法规科", "大气环境科", "水生态环境科"];
    let mut items = Vec::new();

    g.section("一、党建工作（30分）");
    let c1 = "一、党建工作";
    let p1 = "党风廉政建设";
    let t1 = "落实党风廉政建设责任制，签订责任书并开展廉政谈话。";
    let s1 = "未签订责任书扣4分，未开展廉政谈话扣4分。";
    let t2 = "开展廉政风险点排查，制定并落实防控措施。";
    let s2 = "风险点排查不到位扣3分。";
    let p3 = "意识形态工作";
    let t3 = "落实意识形态工作责任制，按时报送意识形态工作分析研判报告。";
    let s3 = "未按时报送每次扣3分。";
    let r1 = g.item(&format!("{p1}|{t1}|{s1}|#8|机关党委"));
    let r2 = g.item(&format!("|{t2}|{s2}|#7|各科室"));
    g.down("A", r1, r2);
    let r3 = g.item(&format!("{p3}|{t3}|{s3}|#15|机关党委、办公室"));
    items.push(
        item("一-1", r1)
            .assigned()
            .cat(&[c1, p1])
            .texts(&[t1, s1])
            .weight(8.0)
            .lead(&["机关党委"]),
    );
    items.push(
        item("一-2", r2)
            .assigned()
            .cat(&[c1, p1])
            .texts(&[t2, s2])
            .weight(7.0)
            .lead(&units),
    );
    items.push(
        item("一-3", r3)
            .assigned()
            .cat(&[c1, p3])
            .texts(&[t3, s3])
            .weight(15.0)
            .lead(&["机关党委", "办公室"]),
    );
    let sub = g.total("小计|||#30|");
    g.merge(&format!("A{sub}:C{sub}"));

    g.section("二、业务工作（50分）");
    let c2 = "二、业务工作";
    let p4 = "环境质量改善";
    let t4 = "完成年度空气质量改善目标任务，PM2.5年均浓度持续下降。";
    let s4 = "未完成目标不得分。";
    let t5 = "完成主要流域和近岸海域水质考核目标。";
    let s5 = "每有1个断面未达标扣5分。";
    let p6 = "环评审批服务";
    let t6 = "环评审批时限压缩至法定时限的50%以内，推行环评与排污许可“两证联办”。";
    let s6 = "超时限办结每件扣2分。";
    let r4 = g.item(&format!("{p4}|{t4}|{s4}|#20|大气环境科"));
    let r5 = g.item(&format!("|{t5}|{s5}|#15|水生态环境科"));
    g.down("A", r4, r5);
    let r6 = g.item(&format!("{p6}|{t6}|{s6}|#15|行政审批科、执法支队"));
    items.push(
        item("二-1", r4)
            .assigned()
            .cat(&[c2, p4])
            .texts(&[t4, s4])
            .weight(20.0)
            .lead(&["大气环境科"]),
    );
    items.push(
        item("二-2", r5)
            .assigned()
            .cat(&[c2, p4])
            .texts(&[t5, s5])
            .weight(15.0)
            .lead(&["水生态环境科"]),
    );
    items.push(
        item("二-3", r6)
            .assigned()
            .cat(&[c2, p6])
            .texts(&[t6, s6])
            .weight(15.0)
            .lead(&["行政审批科", "执法支队"]),
    );
    let sub = g.total("小计|||#50|");
    g.merge(&format!("A{sub}:C{sub}"));

    let sec = g.section_cells("三、机关效能|||#20|");
    g.merge(&format!("A{sec}:C{sec}"));
    let c3 = "三、机关效能";
    let p7 = "公文办理";
    let t7 = "公文办理及时准确，全年无超期办理情况。";
    let s7 = "超期办理每件扣1分。";
    let p8 = "信息公开";
    let t8 = "按规定主动公开政府信息，依申请公开答复率达到100%。";
    let s8 = "未按期答复每件扣2分。";
    let r7 = g.item(&format!("{p7}|{t7}|{s7}|#10|办公室"));
    let r8 = g.item(&format!("{p8}|{t8}|{s8}|#10|办公室、法规科"));
    items.push(
        item("三-1", r7)
            .assigned()
            .cat(&[c3, p7])
            .texts(&[t7, s7])
            .weight(10.0)
            .lead(&["办公室"]),
    );
    items.push(
        item("三-2", r8)
            .assigned()
            .cat(&[c3, p8])
            .texts(&[t8, s8])
            .weight(10.0)
            .lead(&["办公室", "法规科"]),
    );
    let sub = g.total("小计|||#20|");
    g.merge(&format!("A{sub}:C{sub}"));
    let grand = g.total("总分|||#100|");
    g.merge(&format!("A{grand}:C{grand}"));
    g.note(&format!("注：各科室包括{}。", units.join("、")));

    let table = Table {
        title: Some("泉州市生态环境局2024年度机关内部绩效考评细则".into()),
        sheet: "考评细则".into(),
        columns: vec![
            cat_col("A", "考评项目", 1),
            col("B", "考评内容", "task"),
            col("C", "评分标准", "text"),
            col("D", "分值", "weight"),
            col("E", "责任科室", "departments"),
        ],
        items,
        findings: vec![
            table_finding("id_assigned"),
            table_finding("units_expanded").mentioning("各科室"),
        ],
    };
    Shape {
        name: "h_rules_without_ids",
        about: "考评细则 without an id column (→ assigned 一-1 …), sections merged across with points in the text or in 分值, 小计 rows and 总分, 考评项目 merged down (a category by its label), 各科室 listed by a 包括 note",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (i) Dotted ids 1 / 1.1 / 1.1.1 with points on the 1 and 1.1 rows; mixed depths.

pub fn i_dotted_ids() -> Shape {
    let mut g = Grid::new("Sheet1", 5);
    g.title("泉州市2024年生态环境保护工作目标责任书考核内容");
    g.header("编号|考核内容及目标|分值|责任单位|完成时间");
    let c1 = "1 污染防治攻坚";
    let c11 = "1.1 大气污染防治";
    let c12 = "1.2 水污染防治";
    let c2 = "2 生态保护修复";
    let c3 = "3 环境安全与监管";
    let c31 = "3.1 核与辐射安全";
    let t111 =
        "细颗粒物（PM2.5）年均浓度控制在21微克/立方米以内，空气质量优良天数比例达到98%以上。";
    let t112 = "完成重点行业挥发性有机物综合治理项目30个";
    let t121 = "国控、省控断面水质优良比例保持100%，县级以上集中式饮用水水源地水质达标率100%。";
    let t122 = "新建改造城市污水管网60公里";
    let t21 = "推进泉港区、德化县国家生态文明建设示范区建设，完成年度生态保护红线监管任务。";
    let t22 = "完成营造林面积10万亩，森林覆盖率保持在58%以上";
    let t311 = "开展核与辐射安全隐患排查，废旧放射源安全收贮率100%";
    let t32 =
        "建立健全突发环境事件应急联动机制，组织开展跨部门应急演练不少于2次，妥善处置突发环境事件。";
    g.section_cells("1|污染防治攻坚|#40||");
    g.section_cells("1.1|大气污染防治|#20||");
    let r111 = g.item(&format!("1.1.1|{t111}|#10|市生态环境局|2024年12月"));
    let r112 = g.item(&format!(
        "1.1.2|{t112}|#10|市生态环境局、市工信局|2024年10月"
    ));
    g.section_cells("1.2|水污染防治|#20||");
    let r121 = g.item(&format!(
        "1.2.1|{t121}|#12|市生态环境局、市水利局|2024年12月"
    ));
    let r122 = g.item(&format!("1.2.2|{t122}|#8|市住建局|2024年11月"));
    g.section_cells("2|生态保护修复|#30||");
    let r21 = g.item(&format!(
        "2.1|{t21}|#15|市生态环境局、市自然资源局|2024年12月"
    ));
    let r22 = g.item(&format!("2.2|{t22}|#15|市林业局|2024年12月"));
    g.section_cells("3|环境安全与监管|#30||");
    g.section_cells("3.1|核与辐射安全|#10||");
    let r311 = g.item(&format!("3.1.1|{t311}|#10|市生态环境局|2024年9月"));
    let r32 = g.item(&format!(
        "3.2|{t32}|#20|市生态环境局、市应急管理局、市消防救援支队|2024年12月"
    ));

    let table = Table {
        title: Some("泉州市2024年生态环境保护工作目标责任书考核内容".into()),
        sheet: "Sheet1".into(),
        columns: vec![
            col("A", "编号", "id"),
            col("B", "考核内容及目标", "task"),
            col("C", "分值", "weight"),
            col("D", "责任单位", "departments"),
            col("E", "完成时间", "deadline"),
        ],
        items: vec![
            item("1.1.1", r111)
                .cat(&[c1, c11])
                .texts(&[t111])
                .weight(10.0)
                .lead(&["市生态环境局"])
                .deadline("2024年12月"),
            item("1.1.2", r112)
                .cat(&[c1, c11])
                .texts(&[t112])
                .weight(10.0)
                .lead(&["市生态环境局", "市工信局"])
                .deadline("2024年10月"),
            item("1.2.1", r121)
                .cat(&[c1, c12])
                .texts(&[t121])
                .weight(12.0)
                .lead(&["市生态环境局", "市水利局"])
                .deadline("2024年12月"),
            item("1.2.2", r122)
                .cat(&[c1, c12])
                .texts(&[t122])
                .weight(8.0)
                .lead(&["市住建局"])
                .deadline("2024年11月"),
            item("2.1", r21)
                .cat(&[c2])
                .texts(&[t21])
                .weight(15.0)
                .lead(&["市生态环境局", "市自然资源局"])
                .deadline("2024年12月"),
            item("2.2", r22)
                .cat(&[c2])
                .texts(&[t22])
                .weight(15.0)
                .lead(&["市林业局"])
                .deadline("2024年12月"),
            item("3.1.1", r311)
                .cat(&[c3, c31])
                .texts(&[t311])
                .weight(10.0)
                .lead(&["市生态环境局"])
                .deadline("2024年9月"),
            item("3.2", r32)
                .cat(&[c3])
                .texts(&[t32])
                .weight(20.0)
                .lead(&["市生态环境局", "市应急管理局", "市消防救援支队"])
                .deadline("2024年12月"),
        ],
        findings: Vec::new(),
    };
    Shape {
        name: "i_dotted_ids",
        about: "dotted ids 1 / 1.1 / 1.1.1 with points in 分值 on the 1 and 1.1 rows, leaves at depth 2 and 3, 编号 as id label",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (j) 牵头：/配合： inside one 责任单位 cell and `A（牵头）` markers, with 责任人 paired, 依据 as
// basis; weights add up to 90 (total_unexpected).

pub fn j_lead_in_cell() -> Shape {
    let mut g = Grid::new("任务清单", 7);
    g.title("泉州市2024年“无废城市”建设工作任务清单");
    g.header("序号|工作任务|依据|分值|责任单位|责任人|完成时限");
    let plan = "《泉州市“无废城市”建设实施方案》（泉政办〔2023〕15号）";
    // (task, basis, weight, 责任单位 cell, lead, cooperating, 责任人 cell, persons, deadline)
    type JRow = (
        &'static str,
        &'static str,
        f64,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static str,
        &'static [&'static str],
        &'static str,
    );
    let rows: [JRow; 6] = [
        (
            "深化工业固体废物源头减量，一般工业固体废物综合利用率达到90%以上。",
            plan,
            20.0,
            "牵头：市生态环境局；配合：市工信局、市住建局",
            &["市生态环境局"],
            &["市工信局", "市住建局"],
            "陈志强、林美华、黄建新",
            &["陈志强", "林美华", "黄建新"],
            "2024年12月底前",
        ),
        (
            "建成区生活垃圾分类覆盖率达到95%以上",
            "《泉州市生活垃圾分类管理办法》",
            15.0,
            "市城管局（牵头）、市商务局",
            &["市城管局"],
            &["市商务局"],
            "王丽娟、吴俊杰",
            &["王丽娟", "吴俊杰"],
            "2024年12月底前",
        ),
        (
            "推进畜禽粪污资源化利用，规模养殖场粪污处理设施装备配套率保持100%。",
            "《福建省“十四五”农业农村现代化规划》",
            15.0,
            "牵头：市农业农村局\n配合：市生态环境局",
            &["市农业农村局"],
            &["市生态环境局"],
            "郑海涛\n陈志强",
            &["郑海涛", "陈志强"],
            "2024年11月底前",
        ),
        (
            "新增绿色建筑面积200万平方米",
            "",
            10.0,
            "市住建局",
            &["市住建局"],
            &[],
            "黄建新",
            &["黄建新"],
            "2024年12月底前",
        ),
        (
            "推动港口船舶污染物接收转运处置联单管理，船舶污染物接收处置率达到100%。",
            "《泉州港船舶污染物接收转运及处置联合监管制度》",
            15.0,
            "市交通运输局（牵头）、市港口发展中心、市生态环境局",
            &["市交通运输局"],
            &["市港口发展中心", "市生态环境局"],
            "刘晓辉、蔡文彬、陈志强",
            &["刘晓辉", "蔡文彬", "陈志强"],
            "2024年10月底前",
        ),
        (
            "培育资源综合利用骨干企业5家以上",
            plan,
            15.0,
            "牵头：市工信局；配合：市发改委",
            &["市工信局"],
            &["市发改委"],
            "林美华、许志鹏",
            &["林美华", "许志鹏"],
            "2024年12月底前",
        ),
    ];
    let mut items = Vec::new();
    for (n, (task, basis, weight, cell, lead, coop, person_cell, persons, deadline)) in
        rows.iter().enumerate()
    {
        let r = g.item(&format!(
            "{}|{task}|{basis}|#{weight}|{cell}|{person_cell}|{deadline}",
            n + 1
        ));
        items.push(
            item(&(n + 1).to_string(), r)
                .texts(&[task, basis])
                .weight(*weight)
                .lead(lead)
                .coop(coop)
                .persons(persons)
                .deadline(deadline),
        );
    }
    g.blank();
    g.note("说明：分值由各牵头单位会同配合单位共同承担。");

    let table = Table {
        title: Some("泉州市2024年“无废城市”建设工作任务清单".into()),
        sheet: "任务清单".into(),
        columns: vec![
            col("A", "序号", "id"),
            col("B", "工作任务", "task"),
            col("C", "依据", "basis"),
            col("D", "分值", "weight"),
            col("E", "责任单位", "departments"),
            col("F", "责任人", "persons"),
            col("G", "完成时限", "deadline"),
        ],
        items,
        findings: vec![table_finding("total_unexpected")],
    };
    Shape {
        name: "j_lead_in_cell",
        about: "牵头：A；配合：B、C inside one cell (also across a line break) and A（牵头） markers, 责任人 paired, 依据 as basis (one empty), weights 90 → total_unexpected",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (k) The sample's shape (项目 | 序号 | 一级指标 | 二级指标 | 权重 | 分管领导 | 责任部门 | 责任人,
// two-row header) with hidden item rows, a header repeated at a page break, and a lone 合计 whose
// `=SUM` cached value (96) disagrees with the weights (100).

pub fn k_hidden_rows_and_sum() -> Shape {
    let mut g = Grid::new("考评表", 8);
    g.title("泉州市洛江区生态环境局2023年度绩效考评表");
    let header = |g: &mut Grid, kind: Kind| {
        let h1 = g.push(kind, "项目|序号|考核指标||权重|责任分解||");
        let h2 = g.push(kind, "||一级指标|二级指标||分管领导|责任部门|责任人");
        g.down("A", h1, h2);
        g.down("B", h1, h2);
        g.merge(&format!("C{h1}:D{h1}"));
        g.down("E", h1, h2);
        g.merge(&format!("F{h1}:H{h1}"));
    };
    header(&mut g, Kind::Header);
    // (项目, [(一级指标, points, [(id, 二级指标, weight, leaders cell, leaders, 部门 cell, 部门, 责任人 cell, persons, hidden)])])
    type Leaf = (
        &'static str,
        &'static str,
        f64,
        &'static str,
        &'static [&'static str],
        &'static str,
        &'static [&'static str],
        &'static str,
        &'static [&'static str],
        bool,
    );
    type Group = (&'static str, f64, Vec<Leaf>);
    let parts: [(&str, &str, Vec<Group>); 2] = [
        (
            "共性指标（40分）",
            "共性指标",
            vec![
                (
                    "落实全面从严治党主体责任，推进清廉机关建设。（6分）",
                    6.0,
                    vec![
                        (
                            "1-1-1",
                            "制定年度党风廉政建设工作要点，召开党风廉政建设工作会议，层层签订责任书。",
                            2.0,
                            "张文华",
                            &["张文华"],
                            "机关党委",
                            &["机关党委"],
                            "陈丽萍",
                            &["陈丽萍"],
                            false,
                        ),
                        (
                            "1-1-2",
                            "开展警示教育活动不少于2次，组织党员干部参观廉政教育基地。",
                            2.0,
                            "张文华",
                            &["张文华"],
                            "机关党委\n办公室",
                            &["机关党委", "办公室"],
                            "陈丽萍\n黄志明",
                            &["陈丽萍", "黄志明"],
                            false,
                        ),
                        (
                            "1-1-3",
                            "落实意识形态工作责任制，按时报送分析研判报告。",
                            2.0,
                            "张文华",
                            &["张文华"],
                            "办公室",
                            &["办公室"],
                            "黄志明",
                            &["黄志明"],
                            false,
                        ),
                    ],
                ),
                (
                    "坚持依法行政，推进法治机关建设。（4分）",
                    4.0,
                    vec![
                        (
                            "1-2-1",
                            "落实行政执法“三项制度”，行政执法案卷评查合格率100%。",
                            2.0,
                            "李国庆",
                            &["李国庆"],
                            "法规股",
                            &["法规股"],
                            "苏雅琴",
                            &["苏雅琴"],
                            false,
                        ),
                        (
                            "1-2-2",
                            "开展“八五”普法，落实“谁执法谁普法”责任制。",
                            2.0,
                            "李国庆",
                            &["李国庆"],
                            "法规股\n执法大队",
                            &["法规股", "执法大队"],
                            "苏雅琴\n洪伟东",
                            &["苏雅琴", "洪伟东"],
                            true,
                        ),
                    ],
                ),
                (
                    "持续优化营商环境，提升政务服务效能。（30分）",
                    30.0,
                    vec![
                        (
                            "1-3-1",
                            "环评审批时限压缩至法定时限的40%以内，推行告知承诺制审批。",
                            15.0,
                            "李国庆",
                            &["李国庆"],
                            "审批股",
                            &["审批股"],
                            "郭晓燕",
                            &["郭晓燕"],
                            false,
                        ),
                        (
                            "1-3-2",
                            "开展“企业环保服务月”活动，帮扶企业解决环保难题不少于30个。",
                            15.0,
                            "李国庆\n张文华",
                            &["李国庆", "张文华"],
                            "审批股\n执法大队",
                            &["审批股", "执法大队"],
                            "郭晓燕\n洪伟东",
                            &["郭晓燕", "洪伟东"],
                            false,
                        ),
                    ],
                ),
            ],
        ),
        (
            "个性指标（60分）",
            "个性指标",
            vec![
                (
                    "深入打好污染防治攻坚战。（35分）",
                    35.0,
                    vec![
                        (
                            "2-1-1",
                            "空气质量优良天数比例达到98%以上，PM2.5年均浓度控制在18微克/立方米以内。",
                            15.0,
                            "王建新",
                            &["王建新"],
                            "大气股",
                            &["大气股"],
                            "林志伟",
                            &["林志伟"],
                            true,
                        ),
                        (
                            "2-1-2",
                            "洛阳江、北峰溪等主要流域断面水质达标率100%。",
                            10.0,
                            "王建新",
                            &["王建新"],
                            "水生态股",
                            &["水生态股"],
                            "蔡明辉",
                            &["蔡明辉"],
                            false,
                        ),
                        (
                            "2-1-3",
                            "完成受污染耕地安全利用任务",
                            10.0,
                            "王建新",
                            &["王建新"],
                            "土壤股",
                            &["土壤股"],
                            "吴淑贞",
                            &["吴淑贞"],
                            false,
                        ),
                    ],
                ),
                (
                    "加强生态环境执法监管。（25分）",
                    25.0,
                    vec![
                        (
                            "2-2-1",
                            "全年开展“双随机、一公开”执法检查不少于300家次，依法查处环境违法案件。",
                            15.0,
                            "李国庆",
                            &["李国庆"],
                            "执法大队",
                            &["执法大队"],
                            "洪伟东",
                            &["洪伟东"],
                            false,
                        ),
                        (
                            "2-2-2",
                            "按时办结群众信访投诉件，办结率100%。",
                            10.0,
                            "李国庆",
                            &["李国庆"],
                            "执法大队\n监测站",
                            &["执法大队", "监测站"],
                            "洪伟东\n庄丽娜",
                            &["洪伟东", "庄丽娜"],
                            false,
                        ),
                    ],
                ),
            ],
        ),
    ];
    let mut items = Vec::new();
    let mut first_item_row = 0;
    let mut last_item_row = 0;
    for (p, (part, part_name, groups)) in parts.iter().enumerate() {
        if p == 1 {
            // A page break: the header again, between the two 项目.
            header(&mut g, Kind::RepeatedHeader);
        }
        let part_row = g.rows.len() as u32 + 1;
        for (indicator, points, leaves) in groups {
            let group_row = g.rows.len() as u32 + 1;
            for (i, leaf) in leaves.iter().enumerate() {
                let (id, task, weight, lc, leaders, dc, depts, pc, persons, hidden) = *leaf;
                let part_cell = if group_row == part_row && i == 0 {
                    *part
                } else {
                    ""
                };
                let ind_cell = if i == 0 { *indicator } else { "" };
                let r = g.item(&format!(
                    "{part_cell}|{id}|{ind_cell}|{task}|#{weight}|{lc}|{dc}|{pc}"
                ));
                if first_item_row == 0 {
                    first_item_row = r;
                }
                last_item_row = r;
                let mut it = item(id, r)
                    .cat(&[part_name])
                    .texts(&[indicator, task])
                    .points(*points)
                    .weight(weight)
                    .leaders(leaders)
                    .lead(depts)
                    .persons(persons);
                if hidden {
                    g.hide(r);
                    it = it.hidden();
                }
                items.push(it);
            }
            let last = g.rows.len() as u32;
            if last > group_row {
                g.down("C", group_row, last);
            }
        }
        g.down("A", part_row, g.rows.len() as u32);
    }
    let total = g.total(&format!(
        "合计||||=SUM(E{first_item_row}:E{last_item_row})~96|||"
    ));
    g.merge(&format!("A{total}:D{total}"));

    let hidden: Vec<Finding> = items
        .iter()
        .filter(|i| i.hidden)
        .map(|i| finding("row_hidden", &i.id))
        .collect();
    let mut findings = hidden;
    findings.push(table_finding("total_mismatch").at(&format!("考评表!E{total}")));
    let table = Table {
        title: Some("泉州市洛江区生态环境局2023年度绩效考评表".into()),
        sheet: "考评表".into(),
        columns: vec![
            cat_col("A", "项目", 1),
            col("B", "序号", "id"),
            col("C", "一级指标", "indicator"),
            col("D", "二级指标", "task"),
            col("E", "权重", "weight"),
            col("F", "分管领导", "leaders"),
            col("G", "责任部门", "departments"),
            col("H", "责任人", "persons"),
        ],
        items,
        findings,
    };
    Shape {
        name: "k_hidden_rows_and_sum",
        about: "the sample's shape (项目, 一级指标 with （N分） points merged down, 分管领导, 责任人) with two hidden item rows, the two-row header repeated at a page break, a lone 合计 =SUM cached 96 ≠ 100",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (l) A single-row header where 考评内容 is the task column, 标准分 the weight, 责任股室 the
// departments, a 自评得分 column to ignore; the table on the second sheet, a blank row inside.

pub fn l_single_row_header() -> Shape {
    let mut g = Grid::new("2024年", 7);
    g.sheets_before.push((
        "填表说明".into(),
        vec![
            "1. 本表由各股室对照考评内容逐项填写。".into(),
            "2. 标准分合计100分，自评得分不得超过标准分。".into(),
        ],
    ));
    g.title("永春县生态环境局2024年度股室工作考评表");
    g.preamble("单位：永春县生态环境局||||||日期：2024年12月");
    g.header("序号|考评内容|评分办法|标准分|责任股室|自评得分|备注");
    // (task, 评分办法, weight, 责任股室 cell, lead, 备注)
    type LRow = (
        &'static str,
        &'static str,
        f64,
        &'static str,
        &'static [&'static str],
        &'static str,
    );
    let rows: [LRow; 6] = [
        (
            "完成年度环评审批和排污许可证核发任务，审批办结率100%。",
            "未按时办结每件扣2分。",
            20.0,
            "环评股",
            &["环评股"],
            "",
        ),
        (
            "开展生态环境执法检查，全年检查企业不少于200家次。",
            "每少20家次扣1分。",
            15.0,
            "执法大队",
            &["执法大队"],
            "",
        ),
        (
            "完成县域空气、地表水自动监测站运维和数据审核。",
            "数据有效率低于90%的扣5分。",
            15.0,
            "监测站",
            &["监测站"],
            "含新建站点",
        ),
        (
            "推进桃溪、湖洋溪流域综合治理，断面水质达到考核要求。",
            "每有1个断面不达标扣5分。",
            20.0,
            "自然生态股 执法大队",
            &["自然生态股", "执法大队"],
            "",
        ),
        (
            "做好机关日常运转、公文办理和信息公开工作。",
            "超期办理每件扣1分。",
            15.0,
            "综合股",
            &["综合股"],
            "",
        ),
        (
            "完成法治宣传和行政复议应诉工作",
            "败诉每件扣5分。",
            15.0,
            "法规股，综合股",
            &["法规股", "综合股"],
            "",
        ),
    ];
    let mut items = Vec::new();
    for (n, (task, rule, weight, cell, lead, remark)) in rows.iter().enumerate() {
        if n == 3 {
            g.blank();
        }
        let r = g.item(&format!(
            "{}|{task}|{rule}|#{weight}|{cell}||{remark}",
            n + 1
        ));
        items.push(
            item(&(n + 1).to_string(), r)
                .texts(&[task, rule, remark])
                .weight(*weight)
                .lead(lead),
        );
    }
    let total = g.total("合计|||#100|||");
    g.merge(&format!("A{total}:C{total}"));

    let table = Table {
        title: Some("永春县生态环境局2024年度股室工作考评表".into()),
        sheet: "2024年".into(),
        columns: vec![
            col("A", "序号", "id"),
            col("B", "考评内容", "task"),
            col("C", "评分办法", "text"),
            col("D", "标准分", "weight"),
            col("E", "责任股室", "departments"),
            col("F", "自评得分", "ignored"),
            col("G", "备注", "text"),
        ],
        items,
        findings: Vec::new(),
    };
    Shape {
        name: "l_single_row_header",
        about: "single-row header, 考评内容 = task, 标准分 = weight, 责任股室, 自评得分 ignored, 评分办法 kept as text; on a second sheet after 填表说明, a blank row mid-table, names split on space and ，",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// (m) Labels tianbao cannot recognise (工作事项 | 承担处室 | 截止日期): refused with a hint, then
// read with `--map` (labels and a column letter), also with `--header-row`.

fn unknown_labels() -> (Grid, Vec<Item>) {
    let mut g = Grid::new("台账", 5);
    g.title("2024年度重点工作台账");
    g.header("序号|工作事项|承担处室|截止日期|备注");
    let rows: [(&str, &str, &[&str], &str, &str); 4] = [
        (
            "编制全省生态环境保护“十五五”规划前期研究报告",
            "综合处、规划财务处",
            &["综合处", "规划财务处"],
            "2024年6月30日",
            "",
        ),
        (
            "完成2023年度生态环境状况公报编制和发布。",
            "监测处",
            &["监测处"],
            "2024年5月31日",
            "需会签",
        ),
        (
            "推进生态环境导向的开发（EOD）项目储备和申报。",
            "规划财务处、生态处",
            &["规划财务处", "生态处"],
            "2024年9月30日",
            "",
        ),
        (
            "组织开展全省生态环境系统执法大练兵。",
            "执法总队",
            &["执法总队"],
            "2024年10月31日",
            "",
        ),
    ];
    let mut items = Vec::new();
    for (n, (task, cell, lead, deadline, remark)) in rows.iter().enumerate() {
        let r = g.item(&format!("{}|{task}|{cell}|{deadline}|{remark}", n + 1));
        items.push(
            item(&(n + 1).to_string(), r)
                .texts(&[task, remark])
                .lead(lead)
                .deadline(deadline),
        );
    }
    (g, items)
}

fn mapped(name: &'static str, about: &'static str, extra: &[&str]) -> Shape {
    let (g, items) = unknown_labels();
    let mut a = args(extra);
    a.extend(args(&[
        "--map",
        "工作事项=task,C=departments,截止日期=deadline",
    ]));
    Shape {
        name,
        about,
        grid: g,
        args: a,
        expect: Expect::Table(Table {
            title: Some("2024年度重点工作台账".into()),
            sheet: "台账".into(),
            columns: vec![
                col("A", "序号", "id"),
                col("B", "工作事项", "task"),
                col("C", "承担处室", "departments"),
                col("D", "截止日期", "deadline"),
                col("E", "备注", "text"),
            ],
            items,
            findings: Vec::new(),
        }),
    }
}

pub fn m_unknown_labels() -> Shape {
    let (g, _) = unknown_labels();
    Shape {
        name: "m_unknown_labels",
        about: "headers 工作事项 | 承担处室 | 截止日期: no header found, exit 2, one line naming the labels found (序号) and --map",
        grid: g,
        args: Vec::new(),
        expect: Expect::Refused(args(&["序号", "--map"])),
    }
}

pub fn m_unknown_labels_mapped() -> Shape {
    mapped(
        "m_unknown_labels_mapped",
        "the same read with --map \"工作事项=task,C=departments,截止日期=deadline\" (labels and a column letter)",
        &[],
    )
}

pub fn m_unknown_labels_header_row() -> Shape {
    mapped(
        "m_unknown_labels_header_row",
        "the same with --header-row 2 besides --map",
        &["--header-row", "2"],
    )
}

// ---------------------------------------------------------------------------------------------
// (n) A plain table of the kind today's reader already reads (序号 | 二级指标 | 权重 | 责任部门 |
// 责任人, ids 1-1): a control, so that a failing cycle test points at the reader, not the harness.

pub fn n_plain_table() -> Shape {
    let mut g = Grid::new("考评表", 5);
    g.title("泉州市生态环境局机关服务中心2024年度考评表");
    g.header("序号|二级指标|权重|责任部门|责任人");
    let t1 = "完成机关办公用房维修改造和节能改造任务。";
    let t2 = "做好公务用车管理，全年无安全责任事故。";
    let t3 = "落实机关食堂食品安全管理制度。";
    let r1 = g.item(&format!("1-1|{t1}|#40|办公室、人事科|刘建国、陈美玲"));
    let r2 = g.item(&format!("1-2|{t2}|#30|办公室|刘建国"));
    let r3 = g.item(&format!("2-1|{t3}|#30||"));
    g.down("D", r2, r3);
    g.down("E", r2, r3);
    let total = g.total("合计||#100||");
    g.merge(&format!("A{total}:B{total}"));
    g.note("注：本表权重合计100分，由办公室负责汇总。");
    let table = Table {
        title: Some("泉州市生态环境局机关服务中心2024年度考评表".into()),
        sheet: "考评表".into(),
        columns: vec![
            col("A", "序号", "id"),
            col("B", "二级指标", "task"),
            col("C", "权重", "weight"),
            col("D", "责任部门", "departments"),
            col("E", "责任人", "persons"),
        ],
        items: vec![
            item("1-1", r1)
                .texts(&[t1])
                .weight(40.0)
                .lead(&["办公室", "人事科"])
                .persons(&["刘建国", "陈美玲"]),
            item("1-2", r2)
                .texts(&[t2])
                .weight(30.0)
                .lead(&["办公室"])
                .persons(&["刘建国"]),
            // 责任部门 and 责任人 merged over 1-2 and 2-1 spread to 2-1.
            item("2-1", r3)
                .texts(&[t3])
                .weight(30.0)
                .lead(&["办公室"])
                .persons(&["刘建国"]),
        ],
        findings: Vec::new(),
    };
    Shape {
        name: "n_plain_table",
        about: "a plain table today's reader also reads (序号 | 二级指标 | 权重 | 责任部门 | 责任人, 责任部门/责任人 merged over two items): a control for the harness",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 20: the shapes read wrong before. (o) category columns by label, by merged cells and by
// repeated text; (p) 一、/（一）/1./(1) numbering with groups; (q) tokens defined in note rows;
// (r) unit names that are not names.

/// (category cell, category name, [(task, weight, 评分标准, 责任科室 cell, lead)])
type CatRow = (
    &'static str,
    &'static str,
    Vec<(
        &'static str,
        f64,
        &'static str,
        &'static str,
        &'static [&'static str],
    )>,
);

fn category_tree() -> Vec<CatRow> {
    vec![
        (
            "党建工作（20分）",
            "党建工作",
            vec![
                (
                    "落实党组理论学习中心组学习制度，全年集中学习不少于12次。",
                    10.0,
                    "每少1次扣1分。",
                    "机关党委",
                    &["机关党委"],
                ),
                (
                    "落实党风廉政建设责任制，签订党风廉政建设责任书。",
                    10.0,
                    "未签订责任书扣5分。",
                    "机关党委、办公室",
                    &["机关党委", "办公室"],
                ),
            ],
        ),
        (
            "业务工作（60分）",
            "业务工作",
            vec![
                (
                    "完成年度空气质量改善目标，PM2.5年均浓度不高于20微克/立方米。",
                    25.0,
                    "每超过1微克/立方米扣3分。",
                    "大气环境科",
                    &["大气环境科"],
                ),
                (
                    "完成主要流域水质考核目标，国省控断面水质优良比例达到100%。",
                    20.0,
                    "每有1个断面不达标扣5分。",
                    "水生态环境科、执法支队",
                    &["水生态环境科", "执法支队"],
                ),
                (
                    "依法办理行政处罚案件，案卷评查合格率达到100%。",
                    15.0,
                    "案卷不合格每件扣2分。",
                    "执法支队",
                    &["执法支队"],
                ),
            ],
        ),
        (
            "机关效能（20分）",
            "机关效能",
            vec![(
                "按时办理人大代表建议和政协委员提案，满意率达到100%。",
                20.0,
                "超期办理每件扣2分。",
                "办公室",
                &["办公室"],
            )],
        ),
    ]
}

/// The category table: `label` over column B, B merged down over each category's items when
/// `merged`, else the category text repeated on every item row (`repeat`) or written once.
fn category_table(
    sheet: &str,
    header: &str,
    merged: bool,
    repeat: bool,
    ids: bool,
) -> (Grid, Vec<Item>) {
    let mut g = Grid::new(sheet, if ids { 6 } else { 5 });
    g.title("泉州市生态环境局2024年度机关科室绩效考评细则");
    g.header(header);
    let mut items = Vec::new();
    let mut n = 0;
    for (cell, name, leaves) in category_tree() {
        let first = g.rows.len() as u32 + 1;
        for (i, (task, weight, rule, units, lead)) in leaves.iter().enumerate() {
            n += 1;
            let c = if i == 0 || repeat { cell } else { "" };
            let id = if ids { format!("{n}|") } else { String::new() };
            let r = g.item(&format!("{id}{c}|{task}|#{weight}|{rule}|{units}"));
            let id = n.to_string();
            let it = item(&id, r)
                .cat(&[name])
                .texts(&[task, rule])
                .weight(*weight)
                .lead(lead);
            items.push(if ids { it } else { it.assigned() });
        }
        let last = g.rows.len() as u32;
        if merged && last > first {
            g.down(if ids { "B" } else { "A" }, first, last);
        }
    }
    let total = if ids {
        g.total("合计|||#100||")
    } else {
        g.total("合计||#100||")
    };
    g.merge(&format!("A{total}:{}{total}", if ids { "C" } else { "B" }));
    (g, items)
}

fn category_columns(ids: bool, category: &str, task: &str, departments: &str) -> Vec<Col> {
    let mut cols = Vec::new();
    let letters = ["A", "B", "C", "D", "E", "F"];
    let at = |k: usize| letters[k + usize::from(ids)];
    if ids {
        cols.push(col("A", "序号", "id"));
    }
    cols.push(cat_col(at(0), category, 1));
    cols.push(col(at(1), task, "task"));
    cols.push(col(at(2), "分值", "weight"));
    cols.push(col(at(3), "评分标准", "text"));
    cols.push(col(at(4), departments, "departments"));
    cols
}

pub fn o_category_label() -> Shape {
    let (g, items) = category_table(
        "考评细则",
        "序号|考评项目|考核内容|分值|评分标准|责任科室",
        true,
        false,
        true,
    );
    Shape {
        name: "o_category_label",
        about: "考评项目 (a category by its label) merged down over its items with （N分） points, 考核内容 the task, 分值, a final 合计",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市生态环境局2024年度机关科室绩效考评细则".into()),
            sheet: "考评细则".into(),
            columns: category_columns(true, "考评项目", "考核内容", "责任科室"),
            items,
            findings: Vec::new(),
        }),
    }
}

pub fn o_category_project() -> Shape {
    let (g, items) = category_table(
        "考核表",
        "考核项目|KPI指标|分值|评分标准|责任单位",
        false,
        true,
        false,
    );
    Shape {
        name: "o_category_project",
        about: "考核项目 before a narrower KPI指标 column is the category; no 序号 (ids assigned); the category repeated on every row, no merges",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市生态环境局2024年度机关科室绩效考评细则".into()),
            sheet: "考核表".into(),
            columns: category_columns(false, "考核项目", "KPI指标", "责任单位"),
            items,
            findings: vec![table_finding("id_assigned")],
        }),
    }
}

pub fn o_category_merged() -> Shape {
    let (g, items) = category_table(
        "细则",
        "序号|工作板块|考评内容|分值|评分标准|责任科室",
        true,
        false,
        true,
    );
    Shape {
        name: "o_category_merged",
        about: "an unknown label (工作板块) whose cells are merged down over runs of items left of the task column: a category by its merged cells",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市生态环境局2024年度机关科室绩效考评细则".into()),
            sheet: "细则".into(),
            columns: category_columns(true, "工作板块", "考评内容", "责任科室"),
            items,
            findings: Vec::new(),
        }),
    }
}

pub fn o_category_repeated() -> Shape {
    let (g, items) = category_table(
        "细则",
        "序号|领域|考核内容|分值|评分标准|责任科室",
        false,
        true,
        true,
    );
    Shape {
        name: "o_category_repeated",
        about: "an unknown label (领域) whose text repeats down runs of items left of the task column, no merges (as an export writes it): a category by repeated text",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(Table {
            title: Some("泉州市生态环境局2024年度机关科室绩效考评细则".into()),
            sheet: "细则".into(),
            columns: category_columns(true, "领域", "考核内容", "责任科室"),
            items,
            findings: Vec::new(),
        }),
    }
}

pub fn o_category_points_mismatch() -> Shape {
    let mut shape = o_category_merged();
    for row in &mut shape.grid.rows {
        for cell in row.cells.iter_mut().flatten() {
            if *cell == V::Text("机关效能（20分）".into()) {
                *cell = V::Text("机关效能（25分）".into());
            }
        }
    }
    let Expect::Table(table) = &mut shape.expect else {
        unreachable!()
    };
    table.findings = vec![
        table_finding("category_points_mismatch")
            .mentioning("机关效能")
            .mentioning("25"),
    ];
    shape.name = "o_category_points_mismatch";
    shape.about = "the merged-cell category table with 机关效能（25分） over items of 20: the category's points are checked like a subtotal";
    shape
}

// ---------------------------------------------------------------------------------------------
// (p) 一、/（一）/1./(1) in the 序号 column (also 1、, ①, 1）): 一、 and （一） rows are category
// levels with their （N分） points; `3. …（共3分）：` over (1) and (2) is a group whose leaves are
// the items; ids from the path.

pub fn p_hierarchical_numbering() -> Shape {
    let mut g = Grid::new("考核细则", 5);
    g.title("泉州市生态环境局2024年度机关党建和业务工作考核细则");
    g.header("序号|考核内容|分值|评分标准|责任单位");
    let mut items = Vec::new();
    let c1 = "一、党的建设";
    let c11 = "（一） 政治建设";
    let c12 = "（二） 党风廉政";
    let c2 = "二、业务工作";
    let c21 = "（一） 污染防治";
    let c22 = "（二） 执法监管";
    g.section_cells("一、|党的建设（30分）|||");
    g.section_cells("（一）|政治建设（12分）|||");
    let leaf = |g: &mut Grid, n: &str, task: &str, w: f64, rule: &str, units: &str| {
        g.item(&format!("{n}|{task}|#{w}|{rule}|{units}"))
    };
    let t = [
        "落实党组理论学习中心组学习制度，全年集中学习不少于12次。",
        "严格落实“第一议题”制度，及时传达学习上级重要会议精神。",
        "按期完成党支部换届选举。",
        "规范落实“三会一课”和主题党日制度。",
        "落实党风廉政建设责任制，层层签订责任书。",
        "开展廉政风险点排查，重点岗位防控措施落实到人。",
        "完成年度空气质量改善目标，PM2.5年均浓度不高于20微克/立方米。",
        "完成主要流域水质考核目标，国省控断面水质优良比例达到100%。",
        "开展“双随机、一公开”监管，按时完成年度检查计划。",
        "依法办理行政处罚案件，案卷评查合格率达到100%。",
    ];
    let rule = "未完成不得分。";
    let r1 = leaf(&mut g, "1.", t[0], 4.0, rule, "机关党委");
    let r2 = leaf(&mut g, "2.", t[1], 5.0, rule, "机关党委、办公室");
    let group = "加强基层党组织建设（共3分）：";
    g.item_group(&format!("3.|{group}|||"));
    let r3 = leaf(&mut g, "(1)", t[2], 1.5, rule, "机关党委");
    let r4 = leaf(&mut g, "(2)", t[3], 1.5, rule, "机关党委、人事科");
    g.section_cells("（二）|党风廉政（18分）|||");
    let r5 = leaf(&mut g, "1、", t[4], 10.0, rule, "机关党委");
    let r6 = leaf(&mut g, "2、", t[5], 8.0, rule, "办公室");
    g.section_cells("二、|业务工作（70分）|||");
    g.section_cells("（一）|污染防治（40分）|||");
    let r7 = leaf(&mut g, "①", t[6], 20.0, rule, "大气环境科");
    let r8 = leaf(&mut g, "②", t[7], 20.0, rule, "水生态环境科");
    g.section_cells("（二）|执法监管（30分）|||");
    let r9 = leaf(&mut g, "1）", t[8], 15.0, rule, "执法支队");
    let r10 = leaf(&mut g, "2）", t[9], 15.0, rule, "执法支队、法规科");
    let total = g.total("合计||#100||");
    g.merge(&format!("A{total}:B{total}"));
    let it = |id: &str, r: u32, cat: &[&str], k: usize, w: f64, lead: &[&str]| {
        item(id, r)
            .cat(cat)
            .texts(&[t[k], rule])
            .weight(w)
            .lead(lead)
    };
    items.push(it("一-一-1", r1, &[c1, c11], 0, 4.0, &["机关党委"]));
    items.push(it(
        "一-一-2",
        r2,
        &[c1, c11],
        1,
        5.0,
        &["机关党委", "办公室"],
    ));
    items.push(it("一-一-3-(1)", r3, &[c1, c11], 2, 1.5, &["机关党委"]).points(3.0));
    items.push(
        it(
            "一-一-3-(2)",
            r4,
            &[c1, c11],
            3,
            1.5,
            &["机关党委", "人事科"],
        )
        .points(3.0),
    );
    items.push(it("一-二-1", r5, &[c1, c12], 4, 10.0, &["机关党委"]));
    items.push(it("一-二-2", r6, &[c1, c12], 5, 8.0, &["办公室"]));
    items.push(it("二-一-①", r7, &[c2, c21], 6, 20.0, &["大气环境科"]));
    items.push(it("二-一-②", r8, &[c2, c21], 7, 20.0, &["水生态环境科"]));
    items.push(it("二-二-(1)", r9, &[c2, c22], 8, 15.0, &["执法支队"]));
    items.push(it(
        "二-二-(2)",
        r10,
        &[c2, c22],
        9,
        15.0,
        &["执法支队", "法规科"],
    ));
    let table = Table {
        title: Some("泉州市生态环境局2024年度机关党建和业务工作考核细则".into()),
        sheet: "考核细则".into(),
        columns: vec![
            col("A", "序号", "id"),
            col("B", "考核内容", "task"),
            col("C", "分值", "weight"),
            col("D", "评分标准", "text"),
            col("E", "责任单位", "departments"),
        ],
        items,
        findings: vec![table_finding("id_qualified")],
    };
    Shape {
        name: "p_hierarchical_numbering",
        about: "序号 一、/（一）/1./(1) with 1、, ①, 1） too: 一、 and （一） rows are categories with （N分）, `3. …（共3分）：` over (1) (2) a group of two items, ids from the path (一-一-3-(1), 二-一-①; 1） read as (1))",
        grid: g,
        args: Vec::new(),
        expect: Expect::Table(table),
    }
}

pub fn p_group_points_mismatch() -> Shape {
    let mut shape = p_hierarchical_numbering();
    for row in &mut shape.grid.rows {
        for cell in row.cells.iter_mut().flatten() {
            if *cell == V::Text("加强基层党组织建设（共3分）：".into()) {
                *cell = V::Text("加强基层党组织建设（共4分）：".into());
            }
        }
    }
    let Expect::Table(table) = &mut shape.expect else {
        unreachable!()
    };
    for item in &mut table.items {
        if item.points.is_some() {
            item.points = Some(4.0);
        }
    }
    table.findings.push(
        finding("group_points_mismatch", "一-一-3-(1)")
            .at("考核细则!A7")
            .mentioning("4"),
    );
    shape.name = "p_group_points_mismatch";
    shape.about = "the numbered table with its group declaring （共4分） over leaves of 1.5 + 1.5: checked like a subtotal";
    shape
}

// ---------------------------------------------------------------------------------------------
// (q) Tokens defined in note rows: quotes around the token, with or without 注：, the list
// separated by 、，or spaces; a token defined twice differently.

/// The county table whose last row is `note` instead of the plain `注：各县（市、区）指…。`.
fn county_note(
    name: &'static str,
    about: &'static str,
    note: &str,
    findings: Vec<Finding>,
) -> Shape {
    let mut shape = c_county_units();
    let last = shape.grid.rows.len() - 1;
    assert_eq!(shape.grid.rows[last].kind, Kind::Note);
    shape.grid.rows[last].cells = vec![Some(V::Text(note.to_string()))];
    let Expect::Table(table) = &mut shape.expect else {
        unreachable!()
    };
    table.findings = findings;
    shape.name = name;
    shape.about = about;
    shape
}

fn expanded() -> Vec<Finding> {
    vec![table_finding("units_expanded").mentioning("各县（市、区）")]
}

pub fn q_token_curly_quotes() -> Shape {
    county_note(
        "q_token_curly_quotes",
        "注：“各县（市、区）”指… in curly quotes, the list separated by 、: the units are the names in the list only",
        &format!("注：“各县（市、区）”指{}。", QUANZHOU_COUNTIES.join("、")),
        expanded(),
    )
}

pub fn q_token_straight_quotes_no_prefix() -> Shape {
    county_note(
        "q_token_straight_quotes_no_prefix",
        "\"各县（市、区）\"指… in straight quotes without 注：, the list separated by ，",
        &format!("\"各县（市、区）\"指{}。", QUANZHOU_COUNTIES.join("，")),
        expanded(),
    )
}

pub fn q_token_spaces() -> Shape {
    county_note(
        "q_token_spaces",
        "说明：各县（市、区）包括 … separated by spaces",
        &format!("说明：各县（市、区）包括 {}", QUANZHOU_COUNTIES.join(" ")),
        expanded(),
    )
}

pub fn q_token_defined_twice() -> Shape {
    let mut shape = q_token_curly_quotes();
    let second = shape.grid.note("注：各县（市、区）指鲤城区、丰泽区。");
    let Expect::Table(table) = &mut shape.expect else {
        unreachable!()
    };
    let first = second - 1;
    table.findings.push(
        table_finding("units_defined_twice")
            .at(&format!("Sheet1!A{second}"))
            .mentioning(&format!("Sheet1!A{first}"))
            .mentioning(&format!("Sheet1!A{second}")),
    );
    shape.name = "q_token_defined_twice";
    shape.about = "各县（市、区） defined by two notes with different lists: units_defined_twice names both notes; the first list is used";
    shape
}
