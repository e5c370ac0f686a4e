//! The history of a campaign that runs in periods (历次进展 / History): each item's measure in
//! every period, the change from the period before (a formula with its value cached), the items
//! that fell behind — their measure went down, or stayed below full while other items moved —
//! marked and listed under the table, and a small column chart per category.
//!
//! [`History::build`] is pure: the periods' collections in, exact decimals out; [`write`] puts
//! it into the compiled workbook. Which input is an item's measure is decided in one place,
//! [`measure_input`].

use rust_decimal::Decimal;
use rust_xlsxwriter::XlsxError;
use rust_xlsxwriter::{Chart, ChartLegendPosition, Formula, Workbook};

use super::Aggregation;
use crate::cell_text::render;
use crate::cell_text::show;
use crate::model::Master;
use crate::returns::Collection;
use crate::spec::{InputKind, InputSpec, Spec};
use crate::style::Palette;

/// The input whose value is an item's measure across periods: the spec's score input if it has
/// one, else its first figure input.
pub fn measure_input(spec: &Spec) -> Option<&InputSpec> {
    let figure = |kind: InputKind| kind.is_numeric();
    spec.inputs
        .iter()
        .find(|i| i.kind == InputKind::Score)
        .or_else(|| spec.inputs.iter().find(|i| figure(i.kind)))
}

/// How an item fell behind from one period to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slip {
    /// Its measure went down.
    Down,
    /// It stayed where it was, below full, while other items moved up.
    Stalled,
}

/// One item's measures, one per period (None where it has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub category: String,
    pub task: String,
    pub weight: Option<Decimal>,
    pub values: Vec<Option<Decimal>>,
}

/// An item that fell behind between period `to - 1` and period `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Behind {
    /// Index into [`History::rows`].
    pub row: usize,
    /// Index of the later period.
    pub to: usize,
    pub slip: Slip,
}

/// The periods in the order they began (the current one last) and each item's measures.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub periods: Vec<String>,
    /// The measure's label (`自评得分`).
    pub measure: String,
    pub rows: Vec<Row>,
    pub behind: Vec<Behind>,
}

impl History {
    /// The history of `master`'s items over `periods`, each with its collection (None: that
    /// period was never validated); shared items are aggregated as the table aggregates them ([`super::measures::figure`]).
    pub fn build(
        master: &Master,
        spec: &Spec,
        rule: Aggregation,
        periods: &[(String, Option<&Collection>)],
    ) -> History {
        let input = measure_input(spec);
        let rows: Vec<Row> = master
            .items()
            .iter()
            .map(|item| Row {
                id: item.id.clone(),
                category: item.category.first().cloned().unwrap_or_default(),
                task: item
                    .text(crate::model::Role::Task)
                    .or_else(|| item.text(crate::model::Role::Indicator))
                    .unwrap_or_default()
                    .to_string(),
                // What "full" is: 100 for a percentage, else the item's weight.
                weight: match input.map(|i| i.kind) {
                    Some(InputKind::Percent) => Some(Decimal::ONE_HUNDRED),
                    Some(InputKind::Score) => item.weight,
                    _ => None,
                },
                values: periods
                    .iter()
                    .map(|(_, c)| {
                        let (input, collection) = (input?, (*c)?);
                        super::measures::figure(spec, master, collection, item, input, rule)
                    })
                    .collect(),
            })
            .collect();
        let behind = slips(&rows, periods.len());
        History {
            periods: periods.iter().map(|(p, _)| p.clone()).collect(),
            measure: input.map(|i| i.label.clone()).unwrap_or_default(),
            rows,
            behind,
        }
    }

    /// The slip of row `row` into period `to`, if it had one.
    pub fn slip(&self, row: usize, to: usize) -> Option<Slip> {
        self.behind
            .iter()
            .find(|b| b.row == row && b.to == to)
            .map(|b| b.slip)
    }
}

/// The items that fell behind between each two periods in a row: down, or stalled below full
/// (below the weight, where the item has one) while some other item moved up.
fn slips(rows: &[Row], periods: usize) -> Vec<Behind> {
    let mut behind = Vec::new();
    for to in 1..periods {
        let pair = |r: &Row| Some((r.values[to - 1]?, r.values[to]?));
        let rose: Vec<usize> = (0..rows.len())
            .filter(|&i| pair(&rows[i]).is_some_and(|(a, b)| b > a))
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let Some((before, after)) = pair(row) else {
                continue;
            };
            let below_full = row.weight.is_none_or(|w| after < w);
            let others_moved = rose.iter().any(|&j| j != i);
            let slip = if after < before {
                Some(Slip::Down)
            } else if after == before && below_full && others_moved {
                Some(Slip::Stalled)
            } else {
                None
            };
            if let Some(slip) = slip {
                behind.push(Behind { row: i, to, slip });
            }
        }
    }
    behind
}

/// The change from the period before, when both have a measure.
pub fn change(row: &Row, to: usize) -> Option<Decimal> {
    Some((row.values[to]? - row.values[to.checked_sub(1)?]?).normalize())
}

/// Header row of the table, and the first row of its items.
const HEADER_ROW: u32 = 2;
const FIRST_ROW: u32 = HEADER_ROW + 1;
/// The charts: each this big, stacked beside the table.
const CHART_WIDTH: u32 = 480;
const CHART_HEIGHT: u32 = 260;
const CHART_ROWS: u32 = 14;

/// Writes the history sheet into `book`.
pub fn write(book: &mut Workbook, spec: &Spec, title: &str, h: &History) -> Result<(), XlsxError> {
    let f = crate::style::palette();
    let name = spec.word("history.sheet");
    let sheet = book.add_worksheet();
    sheet.set_name(&name)?;
    let periods = h.periods.len() as u16;
    let first_value = 3u16;
    let first_change = first_value + periods;
    let state_col = first_change + periods.saturating_sub(1);
    sheet.write_string_with_format(
        0,
        0,
        render(&spec.word("history.title"), &[("title", title)]),
        &f.title_history,
    )?;
    let note = render(&spec.word("history.note"), &[("measure", &h.measure)]);
    sheet.write_string(1, 0, note)?;
    let mut labels = vec![
        (spec.word("history.id"), 10.0),
        (spec.word("history.category"), 16.0),
        (spec.word("history.item"), 36.0),
    ];
    labels.extend(h.periods.iter().map(|p| (p.clone(), 10.0)));
    labels.extend(
        h.periods
            .iter()
            .skip(1)
            .map(|p| (render(&spec.word("history.change"), &[("period", p)]), 12.0)),
    );
    labels.push((spec.word("history.state"), 10.0));
    for (col, (label, width)) in labels.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_string_with_format(HEADER_ROW, col as u16, label, &f.header)?;
    }
    for (i, row) in h.rows.iter().enumerate() {
        let r = FIRST_ROW + i as u32;
        sheet.write_string_with_format(r, 0, &row.id, &f.cell)?;
        sheet.write_string_with_format(r, 1, &row.category, &f.cell)?;
        sheet.write_string_with_format(r, 2, &row.task, &f.cell)?;
        for (p, value) in row.values.iter().enumerate() {
            let col = first_value + p as u16;
            match value {
                Some(v) => sheet.write_number_with_format(r, col, number(*v), &f.center)?,
                None => sheet.write_blank(r, col, &f.center)?,
            };
        }
        for to in 1..h.periods.len() {
            let col = first_change + to as u16 - 1;
            let format = if h.slip(i, to).is_some() {
                &f.behind
            } else {
                &f.center
            };
            match change(row, to) {
                Some(d) => {
                    let before = a1(r, first_value + to as u16 - 1);
                    let after = a1(r, first_value + to as u16);
                    let formula = Formula::new(format!("={after}-{before}")).set_result(show(d));
                    sheet.write_formula_with_format(r, col, formula, format)?
                }
                None => sheet.write_blank(r, col, format)?,
            };
        }
        let last = h.periods.len().saturating_sub(1);
        match h.slip(i, last) {
            Some(slip) => sheet.write_string_with_format(
                r,
                state_col,
                slip_word(spec, slip),
                &f.behind_text,
            )?,
            None => sheet.write_blank(r, state_col, &f.cell)?,
        };
    }
    sheet.set_freeze_panes(FIRST_ROW, 3)?;
    let below = FIRST_ROW + h.rows.len() as u32 + 1;
    write_behind(sheet, spec, f, h, below)?;
    charts(sheet, spec, &name, h, state_col + 2)
}

/// The list of the items that fell behind, from `row` down.
fn write_behind(
    sheet: &mut rust_xlsxwriter::Worksheet,
    spec: &Spec,
    f: &Palette,
    h: &History,
    row: u32,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(
        row,
        0,
        spec.word("history.behind_heading"),
        &f.title_history,
    )?;
    if h.behind.is_empty() {
        sheet.write_string(row + 1, 0, spec.word("history.behind_none"))?;
        return Ok(());
    }
    let labels = [
        "history.period",
        "history.id",
        "history.item",
        "history.before",
        "history.after",
        "history.change_short",
        "history.state",
    ];
    for (col, key) in labels.iter().enumerate() {
        sheet.write_string_with_format(row + 1, col as u16, spec.word(key), &f.header)?;
    }
    for (n, b) in h.behind.iter().enumerate() {
        let r = row + 2 + n as u32;
        let item = &h.rows[b.row];
        let span = format!("{} → {}", h.periods[b.to - 1], h.periods[b.to]);
        sheet.write_string_with_format(r, 0, span, &f.cell)?;
        sheet.write_string_with_format(r, 1, &item.id, &f.cell)?;
        sheet.write_string_with_format(r, 2, &item.task, &f.cell)?;
        let before = item.values[b.to - 1].unwrap_or_default();
        let after = item.values[b.to].unwrap_or_default();
        sheet.write_number_with_format(r, 3, number(before), &f.center)?;
        sheet.write_number_with_format(r, 4, number(after), &f.center)?;
        let formula = Formula::new(format!("={}-{}", a1(r, 4), a1(r, 3)))
            .set_result(show((after - before).normalize()));
        sheet.write_formula_with_format(r, 5, formula, &f.center)?;
        sheet.write_string_with_format(r, 6, slip_word(spec, b.slip), &f.behind_text)?;
    }
    Ok(())
}

/// A column chart per category (its items' measures, one series per period), beside the table.
fn charts(
    sheet: &mut rust_xlsxwriter::Worksheet,
    spec: &Spec,
    name: &str,
    h: &History,
    col: u16,
) -> Result<(), XlsxError> {
    let mut start = 0;
    let mut placed = 0u32;
    while start < h.rows.len() {
        let category = &h.rows[start].category;
        let end = (start..h.rows.len())
            .find(|&i| &h.rows[i].category != category)
            .unwrap_or(h.rows.len());
        let (first, last) = (FIRST_ROW + start as u32, FIRST_ROW + end as u32 - 1);
        let mut chart = Chart::new_column();
        for p in 0..h.periods.len() {
            let value_col = 3 + p as u16;
            chart
                .add_series()
                .set_name((name, HEADER_ROW, value_col))
                .set_categories((name, first, 0, last, 0))
                .set_values((name, first, value_col, last, value_col));
        }
        let title = if category.is_empty() {
            spec.word("history.chart_title")
        } else {
            category.clone()
        };
        chart.title().set_name(&title);
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
        sheet.insert_chart(placed * CHART_ROWS, col, &chart)?;
        placed += 1;
        start = end;
    }
    Ok(())
}

fn slip_word(spec: &Spec, slip: Slip) -> String {
    spec.word(match slip {
        Slip::Down => "history.down",
        Slip::Stalled => "history.stalled",
    })
}

fn number(d: Decimal) -> f64 {
    show(d).parse().unwrap_or(0.0)
}

fn a1(row: u32, col: u16) -> String {
    crate::workbook::a1(row, u32::from(col))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn row(id: &str, weight: &str, values: &[Option<&str>]) -> Row {
        Row {
            id: id.into(),
            category: String::new(),
            task: String::new(),
            weight: Some(d(weight)),
            values: values.iter().map(|v| v.map(d)).collect(),
        }
    }

    #[test]
    fn down_and_stalled_below_full_while_others_moved_fall_behind() {
        let rows = vec![
            row("1", "2", &[Some("1"), Some("1.5"), Some("2")]),
            row("2", "2", &[Some("1.5"), Some("1"), Some("1")]),
            row("3", "2", &[Some("2"), Some("2"), Some("2")]),
            row("4", "2", &[None, Some("1"), Some("1")]),
        ];
        let behind = slips(&rows, 3);
        let got: Vec<(&str, usize, Slip)> = behind
            .iter()
            .map(|b| (rows[b.row].id.as_str(), b.to, b.slip))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2", 1, Slip::Down),
                ("2", 2, Slip::Stalled),
                ("4", 2, Slip::Stalled),
            ]
        );
    }

    #[test]
    fn nothing_stalls_when_nothing_moved() {
        let rows = vec![
            row("1", "2", &[Some("1"), Some("1")]),
            row("2", "2", &[Some("1.5"), Some("1.5")]),
        ];
        assert!(slips(&rows, 2).is_empty());
    }

    #[test]
    fn the_change_is_exact() {
        let r = row("1", "3", &[Some("0.1"), Some("0.3"), None]);
        assert_eq!(change(&r, 1), Some(d("0.2")));
        assert_eq!(change(&r, 2), None);
        assert_eq!(change(&r, 0), None);
    }

    #[test]
    fn the_measure_is_the_score() {
        let spec = Spec::builtin();
        assert_eq!(measure_input(&spec).map(|i| i.key.as_str()), Some("score"));
    }
}
