//! Building the [`Layout`] of a master sheet from its walked rows: the rows kept (title rows,
//! header blocks, sections, items, totals, notes — a header repeated at a page break dropped),
//! their cells, and the merges mapped to layout rows, with the merges a dropped header split
//! joined again and a lone title or note text spread over the table.

use std::collections::HashMap;
use std::ops::Range;

use super::build::Built;
use super::rows::{Blocks, Raw, Row};
use super::sections::Decided;
use crate::cell_text::clean;
use crate::master_layout::{HeaderBlock, Layout, LayoutRow, RowKind};
use crate::model::{Item, Role};
use crate::workbook::{Grid, Rect, Sheet, Value};

/// Lays out the master sheet.
pub fn build(
    sheet: &Sheet,
    header: Range<u32>,
    rows: &[Row],
    blocks: &Blocks,
    built: &Built,
) -> Layout {
    let grid = &sheet.grid;
    let width = blocks.maps[0].width();
    let mut layout = Layout {
        sheet: sheet.name.clone(),
        width,
        ..Layout::default()
    };
    let first_text = (0..header.start).find(|&r| !blank(grid, r, width));
    for source in first_text.unwrap_or(header.start)..header.start {
        push(&mut layout, sheet, source, RowKind::Title, 0);
    }
    push_header(&mut layout, sheet, header, blocks.maps[0].roles.clone(), 0);
    kept_rows(&mut layout, sheet, rows, blocks, built);
    let items = &built.parts.items;
    layout.merges = known_merges(grid, &layout);
    join_splits(&mut layout, items);
    spread_lone_texts(&mut layout);
    layout.merges.sort_by_key(|r| (r.first_row, r.first_col));
    layout
}

fn blank(grid: &Grid, row: u32, width: u32) -> bool {
    (0..width).all(|col| grid.spread(row, col).is_empty())
}

fn push(layout: &mut Layout, sheet: &Sheet, source: u32, kind: RowKind, header: usize) {
    let cells = (0..layout.width)
        .filter_map(|col| {
            let value = sheet.grid.raw(source, col);
            (!value.is_empty()).then(|| (col, value.clone()))
        })
        .collect();
    layout.rows.push(LayoutRow {
        source,
        kind,
        header,
        cells,
        hidden: sheet.is_row_hidden(source),
    });
}

fn push_header(
    layout: &mut Layout,
    sheet: &Sheet,
    rows: Range<u32>,
    roles: Vec<Role>,
    index: usize,
) {
    let start = layout.rows.len();
    for source in rows {
        push(layout, sheet, source, RowKind::Header, index);
    }
    layout.headers.push(HeaderBlock {
        rows: start..layout.rows.len(),
        roles,
    });
}

/// The walked rows kept: repeated headers and blank rows inside the table go; blank rows below
/// it stay between notes.
fn kept_rows(layout: &mut Layout, sheet: &Sheet, rows: &[Row], blocks: &Blocks, built: &Built) {
    let table_end = rows
        .iter()
        .enumerate()
        .filter(|(k, r)| {
            !matches!(built.decided[*k], Decided::Other) || matches!(r.raw, Raw::Total { .. })
        })
        .map(|(_, r)| r.row)
        .max()
        .unwrap_or(0);
    let mut blanks: Vec<u32> = Vec::new();
    let mut dropping = false;
    let mut block_of: HashMap<usize, usize> = HashMap::from([(0, 0)]);
    for (k, row) in rows.iter().enumerate() {
        let header = *block_of.get(&row.header).unwrap_or(&0);
        let kind = match (&row.raw, built.decided[k]) {
            (Raw::Header { repeated: true, .. }, _) => {
                dropping = true;
                continue;
            }
            (Raw::HeaderRest, _) if dropping => continue,
            (Raw::Header { rows: block, .. }, _) => {
                dropping = false;
                let index = layout.headers.len();
                block_of.insert(row.header, index);
                push_header(
                    layout,
                    sheet,
                    block.clone(),
                    blocks.maps[row.header].roles.clone(),
                    index,
                );
                continue;
            }
            (Raw::HeaderRest, _) => continue,
            (Raw::Blank, _) => {
                if row.row > table_end {
                    blanks.push(row.row);
                }
                continue;
            }
            (_, Decided::Item(i)) => RowKind::Item(i),
            (_, Decided::Section(s)) => RowKind::Section {
                items: built.sections[s].items.clone(),
            },
            (Raw::Total { .. }, _) => {
                let t = built.total_rows.iter().position(|&at| at == k).unwrap_or(0);
                RowKind::Total(t)
            }
            (Raw::Note(_), _) => RowKind::Note,
            _ if row.row > table_end => RowKind::Note,
            _ => RowKind::Other,
        };
        dropping = false;
        for source in blanks.drain(..) {
            push(layout, sheet, source, RowKind::Note, header);
        }
        push(layout, sheet, row.row, kind, header);
    }
}

/// The master's merges in layout rows, clipped to the table's columns.
fn known_merges(grid: &Grid, layout: &Layout) -> Vec<Rect> {
    let out: HashMap<u32, u32> = layout
        .rows
        .iter()
        .enumerate()
        .map(|(k, l)| (l.source, k as u32))
        .collect();
    let mut rects = Vec::new();
    for rect in grid.merges() {
        if rect.first_col >= layout.width {
            continue;
        }
        let last_row = rect.last_row.min(grid.height());
        let mut kept = (rect.first_row..=last_row).filter_map(|r| out.get(&r).copied());
        let Some(first) = kept.next() else {
            continue;
        };
        let last = kept.next_back().unwrap_or(first);
        let mapped = Rect {
            first_row: first,
            last_row: last,
            first_col: rect.first_col,
            last_col: rect.last_col.min(layout.width - 1),
        };
        if mapped.first_row != mapped.last_row || mapped.first_col != mapped.last_col {
            rects.push(mapped);
        }
    }
    rects
}

/// The region holding (row, col): a merge (with its index) or the cell alone.
fn region(rects: &[Rect], row: u32, col: u32) -> (Option<usize>, Rect) {
    match rects.iter().position(|r| r.contains(row, col)) {
        Some(i) => (Some(i), rects[i]),
        None => (
            None,
            Rect {
                first_row: row,
                first_col: col,
                last_row: row,
                last_col: col,
            },
        ),
    }
}

/// Columns whose empty cell continues the item above — category levels and group-level columns —
/// with whether items `a` and `b` belong together there.
fn continuing_columns(roles: &[Role], a: &Item, b: &Item) -> Vec<(u32, bool)> {
    let mut columns = Vec::new();
    let mut level = 0;
    for (col, role) in roles.iter().enumerate() {
        let same = match role {
            Role::Category => {
                level += 1;
                a.category.len() >= level
                    && b.category.len() >= level
                    && a.category[..level] == b.category[..level]
            }
            Role::Basis | Role::Indicator => a.group == b.group && a.text(*role) == b.text(*role),
            _ => continue,
        };
        columns.push((col as u32, same));
    }
    columns
}

fn cell_text(row: &LayoutRow, col: u32) -> String {
    clean(&row.cell(col).to_text())
}

/// Joins the merges a dropped header block split: the region above the break and the one below
/// it, when the cell below is empty (or repeats the text) and the items belong together.
fn join_splits(layout: &mut Layout, items: &[Item]) {
    for k in 1..layout.rows.len() {
        let (a, b) = (&layout.rows[k - 1], &layout.rows[k]);
        let (RowKind::Item(ia), RowKind::Item(ib)) = (&a.kind, &b.kind) else {
            continue;
        };
        if b.source == a.source + 1 {
            continue;
        }
        let roles = layout.headers[b.header].roles.clone();
        for (col, same) in continuing_columns(&roles, &items[*ia], &items[*ib]) {
            if same {
                join_at(layout, k, col);
            }
        }
    }
}

fn join_at(layout: &mut Layout, k: usize, col: u32) {
    let rects = &mut layout.merges;
    let (above_index, above) = region(rects, k as u32 - 1, col);
    let (below_index, below) = region(rects, k as u32, col);
    if below.first_row != k as u32
        || above.first_col != below.first_col
        || above.last_col != below.last_col
    {
        return;
    }
    let above_text = cell_text(&layout.rows[above.first_row as usize], above.first_col);
    let below_text = cell_text(&layout.rows[k], below.first_col);
    if !below_text.is_empty() && below_text != above_text {
        return;
    }
    let joined = Rect {
        first_row: above.first_row,
        last_row: below.last_row,
        ..above
    };
    let mut indexes: Vec<usize> = [above_index, below_index].into_iter().flatten().collect();
    indexes.sort_unstable();
    for i in indexes.into_iter().rev() {
        rects.remove(i);
    }
    rects.push(joined);
}

/// A title or note row with one text and no merge: the text spreads over the table's width.
fn spread_lone_texts(layout: &mut Layout) {
    let end = layout.table_end();
    let mut added = Vec::new();
    for (k, row) in layout.rows.iter().enumerate() {
        let outside = row.kind == RowKind::Title || (row.kind == RowKind::Note && k > end);
        let r = k as u32;
        if !outside
            || layout
                .merges
                .iter()
                .any(|m| (m.first_row..=m.last_row).contains(&r))
        {
            continue;
        }
        let filled: Vec<u32> = row
            .cells
            .iter()
            .filter(|(_, v)| !matches!(v, Value::Empty))
            .map(|(c, _)| *c)
            .collect();
        if let [col] = filled[..]
            && col + 1 < layout.width
        {
            added.push(Rect {
                first_row: r,
                first_col: col,
                last_row: r,
                last_col: layout.width - 1,
            });
        }
    }
    layout.merges.extend(added);
}
