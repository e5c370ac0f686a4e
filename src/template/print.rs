//! Page geometry for printing on A4: how wide a column prints, which scale lets a sheet's
//! columns fit the printable width, which columns to narrow (or, as a last resort, hide) when
//! they cannot fit at a legible scale, and where a manual page break keeps a block of rows on
//! one page. Used by the fill-in sheet (fixed scale) and the compiled 考评表 (orientation).

/// Excel's paper size code of A4.
pub const PAPER_A4: u8 = 9;

/// Page margins in inches: left, right, top, bottom, header, footer.
pub const MARGINS: [f64; 6] = [0.4, 0.4, 0.6, 0.6, 0.3, 0.3];

/// The smallest print scale (%) at which 10 pt text still reads well (8.5 pt on paper).
pub const MIN_SCALE: u16 = 85;

/// A4 in points.
const A4_LONG: f64 = 841.89;
const A4_SHORT: f64 = 595.28;

/// Share of the page counted on at a fixed scale: programs differ in how wide a column and how
/// tall a row print (LibreOffice with Carlito for Calibri prints columns about 6 % wider than
/// Excel; fonts are substituted, pixels rounded). A sheet printed "fit to one page wide" needs
/// no such room ([`FIT_TO_WIDTH`]): the program scales it down the last few percent.
pub const FIXED_SCALE: f64 = 0.93;
pub const FIT_TO_WIDTH: f64 = 1.0;
const SLACK: f64 = FIXED_SCALE;

/// How a sheet is laid on the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

impl Orientation {
    /// Printable width in points (margins off).
    pub fn width(self) -> f64 {
        let paper = match self {
            Orientation::Portrait => A4_SHORT,
            Orientation::Landscape => A4_LONG,
        };
        paper - (MARGINS[0] + MARGINS[1]) * 72.0
    }

    /// Printable height in points (margins off).
    pub fn height(self) -> f64 {
        let paper = match self {
            Orientation::Portrait => A4_LONG,
            Orientation::Landscape => A4_SHORT,
        };
        paper - (MARGINS[2] + MARGINS[3]) * 72.0
    }
}

/// How wide a column `width` Excel units wide prints, in points: 7 pixels a unit (the maximum
/// digit width of the default 11 pt font) plus 5 pixels of padding, at 96 pixels an inch.
pub fn column_points(width: f64) -> f64 {
    ((width * 7.0).round() + 5.0) * 0.75
}

/// The printed width of columns at 100 %, in points.
pub fn total_points(widths: &[f64]) -> f64 {
    widths.iter().map(|w| column_points(*w)).sum()
}

/// The largest whole scale (%, at most 100) at which `points` of columns fit `orientation`'s
/// printable width, counting on [`FIXED_SCALE`] of it.
pub fn fitting_scale(points: f64, orientation: Orientation) -> u16 {
    if points <= 0.0 {
        return 100;
    }
    let scale = (orientation.width() * SLACK / points * 100.0).floor();
    scale.clamp(10.0, 100.0) as u16
}

/// A column as the fitting sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// The width it would like, in Excel units.
    pub width: f64,
    /// The narrowest it may be made (long texts then wrap onto more lines); `width` for a
    /// column that keeps its width.
    pub min: f64,
    /// Whether it may be hidden when nothing else helps, and in which order (lower first).
    pub hide_rank: Option<u8>,
}

/// The fitted columns: their widths, which are hidden, and the scale to print at.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub widths: Vec<f64>,
    pub hidden: Vec<bool>,
    pub scale: u16,
}

impl Fitted {
    /// The printed width of the shown columns at 100 %, in points.
    pub fn points(&self) -> f64 {
        self.widths
            .iter()
            .zip(&self.hidden)
            .filter(|(_, hidden)| !**hidden)
            .map(|(w, _)| column_points(*w))
            .sum()
    }
}

/// Widths and a scale (≥ [`MIN_SCALE`]) at which `columns` fit the width of A4 in
/// `orientation`, counting on `share` of it ([`FIXED_SCALE`] or [`FIT_TO_WIDTH`]): at their
/// own widths when they fit at [`MIN_SCALE`] or more (then the largest such scale, up to
/// 100 %); else at [`MIN_SCALE`] with the narrowable columns made narrower, each by the same
/// share of the room it can give; else, as a last resort, with columns hidden in their
/// `hide_rank` order until the rest fit.
pub fn fit(columns: &[Column], orientation: Orientation, share: f64) -> Fitted {
    let mut hidden = vec![false; columns.len()];
    let own: Vec<f64> = columns.iter().map(|c| c.width).collect();
    let natural = Fitted {
        widths: own,
        hidden: hidden.clone(),
        scale: 100,
    };
    let scale = (orientation.width() * share / natural.points().max(1.0) * 100.0)
        .floor()
        .clamp(10.0, 100.0) as u16;
    if scale >= MIN_SCALE {
        return Fitted { scale, ..natural };
    }
    let budget = orientation.width() * share / (f64::from(MIN_SCALE) / 100.0);
    let mut ranks: Vec<(u8, usize)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.hide_rank.map(|r| (r, i)))
        .collect();
    ranks.sort_unstable();
    let mut ranks = ranks.into_iter();
    loop {
        let narrowed = |share: f64| -> Fitted {
            let widths = columns
                .iter()
                .map(|c| {
                    let w = c.width - share * (c.width - c.min).max(0.0);
                    // Quarter units: the widths Excel keeps.
                    (w * 4.0).floor() / 4.0
                })
                .collect();
            Fitted {
                widths,
                hidden: hidden.clone(),
                scale: MIN_SCALE,
            }
        };
        if narrowed(1.0).points() <= budget {
            // The least narrowing that fits.
            let (mut low, mut high) = (0.0, 1.0);
            for _ in 0..40 {
                let mid = (low + high) / 2.0;
                if narrowed(mid).points() <= budget {
                    high = mid;
                } else {
                    low = mid;
                }
            }
            return narrowed(high);
        }
        match ranks.next() {
            Some((_, i)) => hidden[i] = true,
            // Nothing more to hide: print as narrow as it gets (wider than a page).
            None => return narrowed(1.0),
        }
    }
}

/// The row before which a manual page break keeps the rows `block` together on one page, when
/// without it they would straddle two (or end within a few percent of the page's foot), given
/// each row's height in points, the rows repeated at the top of every later page (their total
/// height) and the scale. Pages are laid out as a spreadsheet program does, a row at a time,
/// on the whole printable height: rows with a set height print exactly that tall everywhere.
pub fn break_before(
    heights: &[f64],
    repeated: f64,
    block: std::ops::Range<usize>,
    scale: u16,
    orientation: Orientation,
) -> Option<u32> {
    if block.is_empty() || block.end > heights.len() {
        return None;
    }
    let page = orientation.height() / (f64::from(scale) / 100.0);
    // Where the block may end: short of the foot by what programs may differ in.
    let room = page * SLACK;
    let block_height: f64 = heights[block.clone()].iter().sum();
    if repeated + block_height > room {
        // It cannot fit any page: leave the pages as they fall.
        return None;
    }
    let mut used = 0.0;
    for (row, height) in heights.iter().enumerate() {
        if used + height > page && used > 0.0 {
            used = repeated;
        }
        if row == block.start {
            return (used + block_height > room).then_some(row as u32);
        }
        used += height;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(width: f64) -> Column {
        Column {
            width,
            min: width,
            hide_rank: None,
        }
    }

    #[test]
    fn columns_that_fit_print_at_the_largest_scale_up_to_100() {
        let fitted = fit(
            &[fixed(20.0), fixed(20.0)],
            Orientation::Landscape,
            FIXED_SCALE,
        );
        assert_eq!(fitted.scale, 100);
        assert_eq!(fitted.widths, [20.0, 20.0]);
        // About 150 units at 100 % need a scale near 90 %.
        let wide: Vec<Column> = (0..10).map(|_| fixed(15.0)).collect();
        let fitted = fit(&wide, Orientation::Landscape, FIXED_SCALE);
        assert!((85..100).contains(&fitted.scale), "{}", fitted.scale);
        assert!(
            fitted.points() * f64::from(fitted.scale) / 100.0 <= Orientation::Landscape.width()
        );
    }

    #[test]
    fn too_wide_columns_are_narrowed_to_fit_at_the_minimum_scale() {
        let mut columns: Vec<Column> = (0..8).map(|_| fixed(10.0)).collect();
        columns.push(Column {
            width: 60.0,
            min: 20.0,
            hide_rank: None,
        });
        columns.push(Column {
            width: 40.0,
            min: 10.0,
            hide_rank: None,
        });
        let fitted = fit(&columns, Orientation::Landscape, FIXED_SCALE);
        assert_eq!(fitted.scale, MIN_SCALE);
        assert!(fitted.points() * 0.85 <= Orientation::Landscape.width());
        assert_eq!(&fitted.widths[..8], &[10.0; 8]);
        assert!(fitted.widths[8] < 60.0 && fitted.widths[8] >= 20.0);
        assert!(fitted.widths[9] < 40.0 && fitted.widths[9] >= 10.0);
        assert!(fitted.hidden.iter().all(|h| !h));
    }

    #[test]
    fn columns_are_hidden_only_when_narrowing_cannot_fit() {
        let mut columns: Vec<Column> = (0..14).map(|_| fixed(12.0)).collect();
        columns[3].hide_rank = Some(1);
        columns[5].hide_rank = Some(0);
        columns[7].hide_rank = Some(2);
        let fitted = fit(&columns, Orientation::Landscape, FIXED_SCALE);
        assert_eq!(fitted.scale, MIN_SCALE);
        // 14 × 12 units do not fit; hiding the two of lowest rank does.
        assert!(fitted.hidden[5] && fitted.hidden[3] && !fitted.hidden[7]);
        assert!(fitted.points() * 0.85 <= Orientation::Landscape.width());
    }

    #[test]
    fn a_block_that_would_straddle_a_page_gets_a_break_before_it() {
        let page = Orientation::Landscape.height();
        // Rows of 40 pt: about 12 to a page at 100 %.
        let rows = (page / 40.0) as usize;
        let heights = vec![40.0; 40];
        // A block starting two rows before the end of the first page straddles it.
        let start = rows - 2;
        assert_eq!(
            break_before(
                &heights,
                30.0,
                start..start + 4,
                100,
                Orientation::Landscape
            ),
            Some(start as u32)
        );
        // One starting on a fresh page does not.
        assert_eq!(
            break_before(&heights, 30.0, 0..4, 100, Orientation::Landscape),
            None
        );
        // A block taller than a page is left alone.
        assert_eq!(
            break_before(&heights, 30.0, 2..30, 100, Orientation::Landscape),
            None
        );
    }
}
