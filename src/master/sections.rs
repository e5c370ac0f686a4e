//! Telling section headings from items, and the sections each item lies in.
//!
//! A candidate row is a section when it reads as a heading (merged across the table, or a
//! number and a name and nothing else) or when the next candidate's id is one level below its
//! own (`1` over `1.1`). Sections nest by their numbering: `一、` above `（一）` above `1.` above
//! `（1）`, dotted ids by depth, unnumbered headings outermost.

use rust_decimal::Decimal;

use super::numbering::{Numbering, Style, is_parent_id, section_key};
use super::rows::{Candidate, Pos, Raw, Row};
use crate::cell_text::split_points;

/// A section heading read.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The heading without its points (`一、环境质量`).
    pub name: String,
    pub points: Option<Decimal>,
    /// Its numbering without punctuation (`一`), for qualified ids.
    pub key: Option<String>,
    pub rank: u32,
    pub cell: Pos,
    /// The id of a section numbered like its items (`1.1` over `1.1.1`).
    pub id: Option<String>,
    /// Index into the walked rows.
    pub row: usize,
    /// Items below it: a range of item indexes (filled in once items are numbered).
    pub items: std::ops::Range<usize>,
    /// A group of items rather than a category: a heading numbered `1.` (or deeper) inside
    /// another section (`3. 加强基层党组织建设（共3分）：` over `(1)`, `(2)`). Its items keep it
    /// in their ids and group, carry its points, and have the sections above it as categories.
    pub group: bool,
}

/// What each walked row turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// An item: index among the items.
    Item(usize),
    /// A section: index among the sections.
    Section(usize),
    /// Anything else.
    Other,
}

/// The candidates of `rows` as items and sections; each item with the sections it lies in,
/// outermost first.
pub struct Split {
    pub decided: Vec<Decided>,
    pub sections: Vec<Section>,
    /// Per item: its walked row index and its section path.
    pub items: Vec<(usize, Vec<usize>)>,
}

/// The rank of a heading numbered in `style`: outer styles rank lower.
fn style_rank(style: Style) -> u32 {
    10 + 10 * style as u32
}

fn rank_of(numbering: Option<&Numbering>, dotted_depth: Option<usize>) -> u32 {
    match (numbering, dotted_depth) {
        (Some(n), _) => style_rank(n.style),
        (None, Some(depth)) => 100 + depth as u32,
        (None, None) => 0,
    }
}

/// Whether the candidate after `i` is a child of candidate `i` by id.
fn has_child(candidates: &[(usize, &Candidate)], k: usize) -> bool {
    let parent = &candidates[k].1.id_spread;
    !parent.is_empty()
        && candidates
            .get(k + 1)
            .is_some_and(|(_, next)| is_parent_id(parent, &next.id_spread))
}

/// How an item's written id is numbered: as a heading is (`1.`, `(1)`, `①`), or bare digits
/// (`1`) as `1.`.
fn id_style(written: &str) -> Option<Style> {
    let t = written.trim();
    super::numbering::heading_numbering(t)
        .map(|n| n.style)
        .or_else(|| {
            (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())).then_some(Style::Arabic)
        })
}

/// Whether candidate `k` has no department and the candidate after it is numbered in a
/// deeper style (`①` after `1`, `(1)` after `1.`): it heads a group of leaves.
fn heads_deeper(candidates: &[(usize, &Candidate)], k: usize) -> bool {
    let c = candidates[k].1;
    let Some(next) = candidates.get(k + 1).map(|(_, n)| n) else {
        return false;
    };
    !c.has_departments()
        && matches!(
            (id_style(&c.id_written), id_style(&next.id_written)),
            (Some(mine), Some(theirs)) if theirs > mine && mine >= Style::Arabic
        )
}

/// The heading of a section: its heading text, or the id and texts of a parent row.
fn heading_text(c: &Candidate) -> String {
    if let Some(h) = &c.heading {
        return h.text.clone();
    }
    let mut parts = vec![c.id_written.clone()];
    parts.extend(c.texts.iter().map(|(_, _, p)| p.text.clone()));
    // (empty texts are dropped below)
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

fn section_of(c: &Candidate, row: usize, dotted: bool) -> Section {
    let text = heading_text(c);
    let (name, declared) = split_points(&text);
    let numbering = c.heading.as_ref().and_then(|h| h.numbering.clone());
    let depth = dotted.then(|| super::numbering::id_depth(&c.id_spread));
    Section {
        name,
        points: declared.or(c.weight.number()),
        key: numbering
            .as_ref()
            .map(|n| n.key.clone())
            .or_else(|| section_key(&c.id_spread).filter(|_| dotted))
            .or_else(|| section_key(&text)),
        rank: rank_of(numbering.as_ref(), depth),
        cell: c.heading.as_ref().map_or(c.id_cell, |h| h.cell),
        id: dotted.then(|| c.id_spread.clone()),
        row,
        items: 0..0,
        group: false,
    }
}

/// Splits the candidates of `rows` into sections and items.
pub fn split(rows: &[Row]) -> Split {
    let candidates: Vec<(usize, &Candidate)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.raw {
            Raw::Candidate(c) => Some((i, c.as_ref())),
            _ => None,
        })
        .collect();
    let mut decided = vec![Decided::Other; rows.len()];
    let mut sections: Vec<Section> = Vec::new();
    let mut items = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut k = 0;
    for (row, walked) in rows.iter().enumerate() {
        if matches!(walked.raw, Raw::Total { .. }) {
            // A total row closes every section.
            stack.clear();
        }
        if candidates.get(k).is_none_or(|(r, _)| *r != row) {
            continue;
        }
        let c = candidates[k].1;
        let parent = has_child(&candidates, k);
        // A row with no department numbered above the rows after it (`1 组织建设 12` over ①
        // ②): the group of those leaves, its weight their points.
        let leads_deeper = c.heading.is_none() && !parent && heads_deeper(&candidates, k);
        k += 1;
        if c.heading.is_none() && !parent && !leads_deeper {
            // An item numbered as its group is (`2` after the group `1`) is past it.
            let rank = id_style(&c.id_written).map(style_rank);
            while stack.last().is_some_and(|&top| {
                sections[top].group && rank.is_some_and(|r| sections[top].rank >= r)
            }) {
                stack.pop();
            }
            // An item numbered like its sections lies only in those its id is below.
            while stack.last().is_some_and(|&top| {
                sections[top]
                    .id
                    .as_ref()
                    .is_some_and(|id| !is_parent_id(id, &c.id_spread) && !c.id_spread.is_empty())
            }) {
                stack.pop();
            }
            decided[row] = Decided::Item(items.len());
            items.push((row, stack.clone()));
            continue;
        }
        let mut section = section_of(c, row, parent && c.heading.is_none());
        if leads_deeper && let Some(style) = id_style(&c.id_written) {
            section.rank = style_rank(style);
            section.key = section_key(&c.id_written);
        }
        while stack
            .last()
            .is_some_and(|&top| sections[top].rank >= section.rank)
        {
            stack.pop();
        }
        let numbered_deep = c
            .heading
            .as_ref()
            .and_then(|h| h.numbering.as_ref())
            .is_some_and(|n| n.style >= Style::Arabic);
        section.group = (numbered_deep || leads_deeper) && !stack.is_empty();
        decided[row] = Decided::Section(sections.len());
        stack.push(sections.len());
        sections.push(section);
    }
    fill_ranges(&mut sections, &items);
    Split {
        decided,
        sections,
        items,
    }
}

/// Each section's items: the contiguous run of items whose path holds it.
fn fill_ranges(sections: &mut [Section], items: &[(usize, Vec<usize>)]) {
    for (s, section) in sections.iter_mut().enumerate() {
        let inside: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, (_, path))| path.contains(&s))
            .map(|(i, _)| i)
            .collect();
        section.items = match (inside.first(), inside.last()) {
            (Some(&a), Some(&b)) => a..b + 1,
            _ => 0..0,
        };
    }
}
