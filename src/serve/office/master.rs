//! `GET /office/master`: the master table as read — its file, sheet, items, departments and
//! weight, its columns with their roles, its departments (items, lead and cooperating, weight,
//! contact) and its findings.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

use super::super::html::{FindingRow, finding_rows, findings_table, say, text};
use super::super::state::{Loaded, State};
use super::{as_office, page};
use crate::ui_texts::Texts;

/// The master as the office sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MasterView {
    pub file: String,
    pub sheet: String,
    pub items: usize,
    pub weight: String,
    /// Letter, label, role (its name, as in `role.<name>`), level.
    pub columns: Vec<(String, String, &'static str, Option<u32>)>,
    /// The items of each department are split into lead and cooperating.
    pub cooperating: bool,
    pub departments: Vec<DepartmentRow>,
    pub findings: Vec<FindingRow>,
}

/// A department of the master.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentRow {
    pub name: String,
    pub items: usize,
    pub lead: usize,
    pub cooperating: usize,
    pub weight: String,
    pub contact: String,
}

/// A column's letters (0-based index): A, B, …, AA.
fn column_letters(index: u32) -> String {
    crate::workbook::a1(0, index)
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

impl MasterView {
    pub fn of(loaded: &Loaded) -> MasterView {
        let t = loaded.texts();
        let m = &loaded.master;
        MasterView {
            file: loaded.campaign.config.master.clone(),
            sheet: m.sheet().to_string(),
            items: m.items().len(),
            weight: crate::cell_text::show(m.total_weight()),
            columns: m
                .columns()
                .iter()
                .map(|c| {
                    (
                        column_letters(c.index),
                        c.label.clone(),
                        c.role.as_str(),
                        c.level,
                    )
                })
                .collect(),
            cooperating: m.has_cooperating(),
            departments: m
                .departments()
                .iter()
                .map(|d| DepartmentRow {
                    name: d.name.clone(),
                    items: d.items,
                    lead: d.lead,
                    cooperating: d.cooperating,
                    weight: crate::cell_text::show(d.weight),
                    contact: d.persons.join(t.get("list.separator")),
                })
                .collect(),
            findings: finding_rows(&loaded.findings, |f| loaded.message(f)),
        }
    }
}

/// The master page body.
pub fn render(t: &Texts, view: &MasterView) -> Markup {
    let (items, departments) = (view.items.to_string(), view.departments.len().to_string());
    let lead = [
        ("file", view.file.as_str()),
        ("sheet", view.sheet.as_str()),
        ("items", items.as_str()),
        ("departments", departments.as_str()),
        ("weight", view.weight.as_str()),
    ];
    html! {
        section.hero { h1 { (text(t.get("master.title"))) } p.lead { (say(t, "master.lead", &lead)) } }
        section.card {
            h2 { (text(t.get("master.columns"))) }
            table {
                thead { tr {
                    th { (text(t.get("master.column"))) }
                    th { (text(t.get("master.label"))) }
                    th { (text(t.get("master.role"))) }
                } }
                tbody {
                    @for (letters, label, role, level) in &view.columns {
                        @let word = t.get(&format!("role.{role}"));
                        tr {
                            td.cell { (text(letters)) }
                            td { (text(label)) }
                            td { span class={ "role " (text(role)) } {
                                @match level {
                                    Some(level) => (text(&format!("{word} {level}"))),
                                    None => (text(word)),
                                }
                            } }
                        }
                    }
                }
            }
        }
        (departments_card(t, view))
        section.card {
            h2 { (text(t.get("master.findings"))) }
            @if view.findings.is_empty() {
                p class="notice ok" { (text(t.get("office.no_findings"))) }
            }
            (findings_table(t, &view.findings))
        }
    }
}

/// The master's departments: items (lead and cooperating), weight, contact.
fn departments_card(t: &Texts, view: &MasterView) -> Markup {
    html! {
        section.card {
            h2 { (text(t.get("master.departments"))) }
            table {
                thead { tr {
                    @for key in ["col.department", "col.items", "col.weight", "col.contact"] {
                        th { (text(t.get(key))) }
                    }
                } }
                tbody {
                    @for d in &view.departments {
                        tr {
                            td { (text(&d.name)) }
                            td {
                                @if view.cooperating {
                                    @let (n, lead, cooperating) = (d.items.to_string(), d.lead.to_string(), d.cooperating.to_string());
                                    (say(t, "master.parts", &[("n", &n), ("lead", &lead), ("cooperating", &cooperating)]))
                                } @else {
                                    (d.items)
                                }
                            }
                            td { (text(&d.weight)) }
                            td { (text(&d.contact)) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /office/master`: the master's columns with their roles, departments and findings.
pub async fn master(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |_state, loaded, csrf| {
        let t = loaded.texts();
        let body = render(t, &MasterView::of(loaded));
        page(loaded, csrf, "/office/master", t.get("master.title"), body)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_and_departments_split_into_lead_and_cooperating() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(26), "AA");
        let t = crate::serve::web_texts("zh");
        let view = MasterView {
            file: "<m>.xlsx".into(),
            sheet: "S".into(),
            items: 2,
            weight: "10".into(),
            columns: vec![("B".into(), "考核内容".into(), "category", Some(2))],
            cooperating: true,
            departments: vec![DepartmentRow {
                name: "水科".into(),
                items: 2,
                lead: 1,
                cooperating: 1,
                weight: "10".into(),
                contact: "张三".into(),
            }],
            findings: vec![],
        };
        let html = render(t, &view).into_string();
        assert!(html.contains("&lt;m&gt;.xlsx"), "{html}");
        assert!(
            html.contains(
                "<tr><td class=\"cell\">B</td><td>考核内容</td><td><span class=\"role category\">"
            ),
            "{html}"
        );
        assert!(html.contains(" 2</span></td></tr>"), "{html}");
        assert!(html.contains("<td>水科</td><td>"), "{html}");
        assert!(html.contains("<p class=\"notice ok\">"), "{html}");
        let plain = MasterView {
            cooperating: false,
            ..view
        };
        assert!(
            render(t, &plain)
                .into_string()
                .contains("<td>水科</td><td>2</td><td>10</td>")
        );
    }
}
