//! The master sheet's layout: what compile needs to write the table back as the office made
//! it — title and preamble rows, header blocks with the roles of their columns, section, item,
//! total and note rows with their cells, and the merged regions — so that nothing downstream
//! reads the master's grid again.
//!
//! Made by [`crate::master`] together with the [`crate::model::Master`]. Header blocks repeated
//! at page breaks are already dropped, and the merges they split joined again.

use std::ops::Range;

use crate::model::Role;
use crate::workbook::{Rect, Value};

/// What a row of the layout is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    /// Above the first header: the title and lines such as `单位：…`.
    Title,
    /// A row of a header block.
    Header,
    /// A section (category) row such as `一、环境质量（45分）`, over the items in `items`
    /// (indexes into the master's items).
    Section { items: Range<usize> },
    /// An item: its index in the master's items.
    Item(usize),
    /// A 合计 or total row: its index in the master's totals.
    Total(usize),
    /// A note (`注：…`) or anything else kept below the table.
    Note,
    /// A row inside the table that is none of the above (kept as it was).
    Other,
}

/// One row of the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutRow {
    /// Its 0-based row in the master sheet.
    pub source: u32,
    pub kind: RowKind,
    /// The header block in force (index into [`Layout::headers`]).
    pub header: usize,
    /// The row's values within the table's width, by column (sorted, non-empty only; the
    /// hidden part of a merge holds nothing).
    pub cells: Vec<(u32, Value)>,
    pub hidden: bool,
}

impl LayoutRow {
    pub fn cell(&self, col: u32) -> &Value {
        static EMPTY: Value = Value::Empty;
        match self.cells.binary_search_by_key(&col, |(c, _)| *c) {
            Ok(i) => &self.cells[i].1,
            Err(_) => &EMPTY,
        }
    }
}

/// A header block kept, and what its columns hold for the rows below it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderBlock {
    /// Its rows in the layout.
    pub rows: Range<usize>,
    /// The role of each column of the table, left to right.
    pub roles: Vec<Role>,
}

/// The master sheet as laid out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    pub sheet: String,
    /// Columns of the table: as far as its first header reaches.
    pub width: u32,
    pub rows: Vec<LayoutRow>,
    /// Merged regions; `first_row`/`last_row` index [`Layout::rows`].
    pub merges: Vec<Rect>,
    pub headers: Vec<HeaderBlock>,
}

impl Layout {
    /// Index of the last item, section or total row: rows after it are below the table.
    pub fn table_end(&self) -> usize {
        self.rows
            .iter()
            .rposition(|r| {
                matches!(
                    r.kind,
                    RowKind::Item(_) | RowKind::Total(_) | RowKind::Section { .. }
                )
            })
            .unwrap_or(0)
    }

    /// The role of column `col` for row `row`.
    pub fn role(&self, row: usize, col: u32) -> Role {
        self.headers
            .get(self.rows[row].header)
            .and_then(|h| h.roles.get(col as usize))
            .copied()
            .unwrap_or(Role::Ignored)
    }
}
