//! Synthetic campaigns for scale: a master table with N departments and M items in the sample's
//! layout and with realistic Chinese texts, each item shared by one to three departments. The
//! table is written by the same writer as the sample master, so everything downstream (reading,
//! generating, filling, validating, compiling) runs its real code path.

use rust_decimal::Decimal;

use crate::source::{MasterSource, SourceItem, SourceRow};

/// A small deterministic generator (xorshift64*): the same size gives the same campaign.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

const PLACES: &[&str] = &[
    "鲤城", "丰泽", "洛江", "泉港", "石狮", "晋江", "南安", "惠安", "安溪", "永春", "德化", "金门",
    "台商", "开发", "东海", "清濛", "江南", "北峰", "城东", "浮桥",
];
const OFFICES: &[&str] = &[
    "办公室",
    "审批科",
    "执法大队",
    "监测站",
    "法规科",
    "督察科",
    "大气科",
    "水生态科",
    "土壤科",
    "固废中心",
    "自然生态科",
    "应急中心",
    "宣教中心",
    "机关党委",
    "人事科",
    "财务科",
    "规划科",
    "科技科",
    "信息中心",
    "辐射站",
    "海洋科",
    "农村科",
    "噪声科",
    "核安全科",
    "统计科",
];
const SURNAMES: &[&str] = &[
    "陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "许", "洪", "苏", "施", "庄",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "敏", "静", "磊", "强", "洁", "涛", "明", "华", "颖", "军", "婷", "斌", "雪", "峰",
    "晨", "宇", "琳", "杰",
];
const VERBS: &[&str] = &[
    "推进",
    "落实",
    "完成",
    "开展",
    "强化",
    "建立健全",
    "组织实施",
    "持续深化",
    "统筹推进",
    "指导",
];
const OBJECTS: &[&str] = &[
    "重点流域水环境综合治理",
    "大气污染防治攻坚行动",
    "土壤污染风险管控",
    "固体废物规范化管理",
    "生态环境执法监管",
    "环境影响评价审批服务",
    "生态环境监测网络建设",
    "突发环境事件应急演练",
    "生态环境宣传教育",
    "党风廉政建设",
    "营商环境优化",
    "数字化监管平台建设",
    "农村生活污水治理",
    "近岸海域污染防治",
    "重点排污单位自动监控",
];
const DETAILS: &[&str] = &[
    "按季度报送工作进展，年底前形成总结报告",
    "确保年度考核指标全部达标",
    "配合上级部门完成督查检查",
    "建立工作台账，实行销号管理",
    "组织专项检查不少于两次",
    "完成问题整改并通过验收",
    "及时处置群众信访投诉",
    "形成可复制推广的经验做法",
];
const DEADLINES: &[&str] = &["6月底前", "9月底前", "11月底前", "12月底前", "全年"];
const WEIGHTS: &[&str] = &["0.5", "1", "1", "1.5", "2", "2", "3"];

/// One to `max` clauses of plausible task text.
fn sentence(rng: &mut Rng, max: usize) -> String {
    let clauses = 1 + rng.below(max);
    let mut out = String::new();
    for i in 0..clauses {
        if i > 0 {
            out.push('，');
        }
        out.push_str(rng.pick(VERBS));
        out.push_str(rng.pick(OBJECTS));
        out.push('，');
        out.push_str(rng.pick(DETAILS));
    }
    out.push('。');
    out
}

/// A person's name: surname and two given characters.
fn person(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        rng.pick(SURNAMES),
        rng.pick(GIVEN),
        rng.pick(GIVEN)
    )
}

/// Department names: unique, in the form offices really have (`晋江大气科`, `晋江大气科2`).
pub fn department_names(count: usize) -> Vec<String> {
    let mut names = Vec::with_capacity(count);
    let base = PLACES.len() * OFFICES.len();
    for i in 0..count {
        let place = PLACES[i / OFFICES.len() % PLACES.len()];
        let office = OFFICES[i % OFFICES.len()];
        let round = i / base;
        if round == 0 {
            names.push(format!("{place}{office}"));
        } else {
            names.push(format!("{place}{office}{}", round + 1));
        }
    }
    names
}

/// A master source with `departments` departments and `items` items (at least one item per
/// department), in two categories with groups of about five items, subtotals and a total.
pub fn master_source(departments: usize, items: usize) -> MasterSource {
    let items = items.max(departments).max(1);
    let mut rng = Rng(0x5eed_0000_0000_0001 ^ (departments as u64) << 20 ^ items as u64);
    let names = department_names(departments.max(1));
    let persons: Vec<String> = (0..names.len()).map(|_| person(&mut rng)).collect();
    let leaders: Vec<String> = (0..8).map(|_| person(&mut rng)).collect();
    // 80 % of the items in the first category, the rest in the second.
    let first = (items * 4 / 5).max(1);
    let categories = [("职能工作目标", 0..first), ("行政能力目标", first..items)];
    let mut rows = Vec::new();
    let mut grand_total = Decimal::ZERO;
    let mut plan: Vec<(usize, usize, &str)> = Vec::new(); // (category no, item index, weight)
    for (c, (_, range)) in categories.iter().enumerate() {
        for i in range.clone() {
            plan.push((c, i, rng.pick(WEIGHTS)));
        }
    }
    for (c, (name, range)) in categories.iter().enumerate() {
        if range.is_empty() {
            continue;
        }
        let weights: Vec<Decimal> = plan
            .iter()
            .filter(|(pc, _, _)| *pc == c)
            .map(|(_, _, w)| w.parse().unwrap_or(Decimal::ONE))
            .collect();
        let category_total: Decimal = weights.iter().sum();
        grand_total += category_total;
        let level = format!("{name} ({}分)", tianbao::cell_text::show(category_total));
        let count = range.len();
        let groups = count.div_ceil(5);
        for g in 0..groups {
            let members: Vec<usize> = (g * 5..((g + 1) * 5).min(count)).collect();
            let group_points: Decimal = members.iter().map(|&k| weights[k]).sum();
            let indicator = format!(
                "{}({}分)",
                sentence(&mut rng, 2),
                tianbao::cell_text::show(group_points)
            );
            for (n, &k) in members.iter().enumerate() {
                let index = range.start + k;
                let shared = 1 + rng.below(3);
                let mut depts: Vec<usize> = vec![index % names.len()];
                while depts.len() < shared.min(names.len()) {
                    let d = rng.below(names.len());
                    if !depts.contains(&d) {
                        depts.push(d);
                    }
                }
                rows.push(SourceRow::Item(SourceItem {
                    id: format!("{}-{}-{}", c + 1, g + 1, n + 1),
                    levels: vec![level.clone(), "重点工作目标".into()],
                    basis: None,
                    indicator: Some(indicator.clone()),
                    task: Some(sentence(&mut rng, 4)),
                    weight: plan[index].2.to_string(),
                    deadline: rng.pick(DEADLINES).to_string(),
                    leaders: vec![leaders[rng.below(leaders.len())].clone()],
                    departments: depts.iter().map(|&d| names[d].clone()).collect(),
                    persons: depts.iter().map(|&d| persons[d].clone()).collect(),
                }));
            }
        }
        rows.push(SourceRow::Subtotal {
            label: "合计".into(),
            value: tianbao::cell_text::show(category_total),
        });
    }
    rows.push(SourceRow::Total {
        label: "绩效目标考评得分".into(),
        value: tianbao::cell_text::show(grand_total),
    });
    MasterSource {
        title: format!("模拟{departments}个部门{items}项绩效目标考评表"),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Layout, write_master};

    #[test]
    fn a_synthetic_master_reads_back_whole() {
        let source = master_source(40, 120);
        let bytes = write_master(&source, &Layout::default()).unwrap();
        let book = tianbao::workbook::open_bytes("synthetic.xlsx", bytes).unwrap();
        let spec = tianbao::spec::Spec::builtin();
        let read = tianbao::master::read_master_workbook(
            "synthetic.xlsx",
            &book,
            &spec,
            &tianbao::master::ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(read.master.items().len(), 120);
        assert_eq!(read.master.departments().len(), 40);
        let errors: Vec<_> = read
            .findings
            .iter()
            .filter(|f| f.severity == tianbao::finding::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(
            read.master
                .items()
                .iter()
                .all(|i| (1..=3).contains(&i.departments.len()))
        );
    }

    #[test]
    fn names_are_unique_at_scale() {
        let names = department_names(10_000);
        let set: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(set.len(), 10_000);
    }
}
