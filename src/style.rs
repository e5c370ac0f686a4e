//! The one style palette of every workbook tianbao writes — fill-in, feedback, review, report,
//! notices list and compiled: the font, the colours, and each cell format named by its role.
//! Writers take their formats from [`palette`] (or build on [`plain`] / [`run`]) and define none
//! of their own, so one look runs through all of them.

use std::sync::OnceLock;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};

/// The font every workbook tianbao writes uses; LibreOffice substitutes a CJK font of its own.
pub const FONT: &str = "宋体";

/// Fill of a header of master columns, and of the compiled and results sheets' headers.
pub const HEADER_FILL: &str = "#D9D9D9";
/// Fill of a header of input columns (and of columns compile adds to the master's table).
pub const INPUT_HEADER_FILL: &str = "#C6E0B4";
/// Fill of a locked cell of a fill-in or review workbook (the master's text).
pub const LOCKED_FILL: &str = "#EDEDED";
/// Fill of an input cell.
pub const INPUT_FILL: &str = "#FFFFFF";
/// Fill of a cell tianbao computes (a formula).
pub const COMPUTED_FILL: &str = "#E2EFDA";
/// Fill of a cell that asks to be looked at: a finding in a feedback workbook, a changed value in
/// a review workbook, an unscored item in the compiled table.
pub const MARK_FILL: &str = "#FFEB9C";
/// Colour of what is wrong or required: the `*` of a required input, an error, a flagged note.
pub const WARNING_RED: &str = "#C00000";
/// Colour of what is fine in the report.
pub const GOOD_GREEN: &str = "#006100";
/// Fill of a department behind (the history sheets).
pub const BEHIND_FILL: &str = "#FFC7CE";
/// Fill of a reviewer's flagged note in the compiled table.
pub const FLAGGED_FILL: &str = "#FCE4D6";
/// A share with two decimals (`93.50%`).
pub const PERCENT: &str = "0.00%";
/// A share with one decimal (`93.5%`).
pub const PERCENT_ONE_DECIMAL: &str = "0.0%";

/// Plain 10 pt text, wrapped, centred vertically: the base of every cell format.
pub fn plain() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(10)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

/// A font run inside rich text (a bold run, a red required mark).
pub fn run() -> Format {
    Format::new().set_font_name(FONT).set_font_size(10)
}

/// A cell that asks to be looked at in a feedback workbook: `format` filled and framed in red.
pub fn marked(format: &Format) -> Format {
    format
        .clone()
        .set_background_color(MARK_FILL)
        .set_border(FormatBorder::Medium)
        .set_border_color(WARNING_RED)
}

/// Every format of the palette, by role.
#[derive(Debug, Clone)]
pub struct Palette {
    // Text outside the table, no borders.
    /// Plain text ([`plain`]).
    pub plain: Format,
    /// A line under a title, left-aligned.
    pub subtitle: Format,
    /// A note or footer line under a table, 11 pt, left-aligned.
    pub note: Format,
    /// A signature line, right-aligned.
    pub signature: Format,
    /// The text of 填表说明: 11 pt, at the top.
    pub instructions: Format,
    /// The title of a compiled table or results sheet: 16 pt bold, centred.
    pub title: Format,
    /// The title of a fill-in or review workbook: 15 pt bold, centred.
    pub title_form: Format,
    /// The title of a compiled workbook's overview sheets: 14 pt bold, centred.
    pub title_sheet: Format,
    /// The title of a history sheet: 14 pt bold.
    pub title_history: Format,
    /// The title of a list workbook (notices): 16 pt bold, centred, not wrapped.
    pub title_list: Format,
    /// The heading of a sign-off block: 11 pt bold.
    pub signoff_title: Format,

    // Cells of a table, thin borders.
    /// A bordered text cell.
    pub cell: Format,
    /// A bordered cell, centred.
    pub center: Format,
    /// A bordered cell, left-aligned.
    pub left: Format,
    /// A bordered cell in 8 pt.
    pub small: Format,
    /// A header of master (or results) columns: bold, centred, grey.
    pub header: Format,
    /// A header of input columns (or added ones): bold, centred, green.
    pub header_input: Format,
    /// A section row: bold, left-aligned.
    pub section: Format,
    /// A sum or a total: bold, centred.
    pub bold_center: Format,
    /// A category of a merged group: centred, at the top.
    pub level: Format,
    /// A category written vertically: centred, at the top, rotated.
    pub stacked: Format,
    /// A share: centred, two decimals.
    pub percent: Format,
    /// A share: centred, one decimal.
    pub rate: Format,
    /// An unscored item's centred cell.
    pub missing_center: Format,
    /// An unscored item's left-aligned cell.
    pub missing_left: Format,
    /// A flagged note: red bold on orange.
    pub flagged: Format,
    /// A department behind, centred.
    pub behind: Format,
    /// A department behind, text.
    pub behind_text: Format,
    /// An error in the report: red bold.
    pub error: Format,
    /// A good standing in the report: green.
    pub good: Format,

    // Fill-in and review workbooks.
    /// A locked cell (the master's text): grey.
    pub locked: Format,
    /// A locked cell, centred.
    pub locked_center: Format,
    /// An input cell: white, unlocked.
    pub input: Format,
    /// An input cell, centred.
    pub input_center: Format,
    /// A computed cell: green, locked, centred.
    pub computed: Format,
    /// A computed share.
    pub computed_percent: Format,
    /// The label of a total row: bold, right-aligned, grey.
    pub total_label: Format,
    /// The value of a total row: bold, centred, locked.
    pub total_value: Format,

    // Runs of rich text.
    /// The red `*` after a required input's label.
    pub required_mark: Format,
    /// The red condition after an input's label.
    pub condition_mark: Format,
    /// A bold run of a header.
    pub header_run: Format,
}

/// The palette, built once.
pub fn palette() -> &'static Palette {
    static PALETTE: OnceLock<Palette> = OnceLock::new();
    PALETTE.get_or_init(Palette::new)
}

impl Palette {
    fn new() -> Palette {
        let base = plain();
        let cell = base.clone().set_border(FormatBorder::Thin);
        let center = cell.clone().set_align(FormatAlign::Center);
        let left = cell.clone().set_align(FormatAlign::Left);
        let locked = cell.clone().set_background_color(LOCKED_FILL).set_locked();
        let input = cell.clone().set_background_color(INPUT_FILL).set_unlocked();
        let computed = locked
            .clone()
            .set_align(FormatAlign::Center)
            .set_background_color(COMPUTED_FILL);
        let title = |size: u8| base.clone().set_font_size(size).set_bold();
        Palette {
            subtitle: base.clone().set_align(FormatAlign::Left),
            note: base.clone().set_font_size(11).set_align(FormatAlign::Left),
            signature: base.clone().set_align(FormatAlign::Right),
            instructions: base.clone().set_font_size(11).set_align(FormatAlign::Top),
            title: title(16).set_align(FormatAlign::Center),
            title_form: title(15).set_align(FormatAlign::Center),
            title_sheet: title(14).set_align(FormatAlign::Center),
            title_history: title(14),
            title_list: Format::new()
                .set_font_name(FONT)
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            signoff_title: title(11),
            small: cell.clone().set_font_size(8),
            header: center.clone().set_bold().set_background_color(HEADER_FILL),
            header_input: center
                .clone()
                .set_bold()
                .set_background_color(INPUT_HEADER_FILL),
            section: left.clone().set_bold(),
            bold_center: center.clone().set_bold(),
            level: center.clone().set_align(FormatAlign::Top),
            stacked: center.clone().set_align(FormatAlign::Top).set_rotation(270),
            percent: center.clone().set_num_format(PERCENT),
            rate: center.clone().set_num_format(PERCENT_ONE_DECIMAL),
            missing_center: center.clone().set_background_color(MARK_FILL),
            missing_left: left.clone().set_background_color(MARK_FILL),
            flagged: left
                .clone()
                .set_font_color(WARNING_RED)
                .set_bold()
                .set_background_color(FLAGGED_FILL),
            behind: center.clone().set_background_color(BEHIND_FILL),
            behind_text: cell.clone().set_background_color(BEHIND_FILL),
            error: cell.clone().set_font_color(WARNING_RED).set_bold(),
            good: cell.clone().set_font_color(GOOD_GREEN),
            locked_center: locked.clone().set_align(FormatAlign::Center),
            input_center: input.clone().set_align(FormatAlign::Center),
            computed_percent: computed.clone().set_num_format(PERCENT),
            computed,
            total_label: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Right)
                .set_background_color(LOCKED_FILL),
            total_value: locked.clone().set_align(FormatAlign::Center).set_bold(),
            locked,
            input,
            required_mark: run().set_bold().set_font_color(WARNING_RED),
            condition_mark: run().set_font_color(WARNING_RED),
            header_run: run().set_bold(),
            cell,
            center,
            left,
            plain: base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_that_look_alike_are_one_format() {
        let p = palette();
        // A header is a bordered, centred, bold, grey cell however it is built.
        let built = plain()
            .set_border(FormatBorder::Thin)
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_background_color(HEADER_FILL);
        assert_eq!(p.header, built);
        // A footer's vertical centring is the base's.
        assert_eq!(
            p.note,
            p.note.clone().set_align(FormatAlign::VerticalCenter)
        );
        assert_ne!(p.title, p.title_list, "the list title does not wrap");
    }

    #[test]
    fn inputs_are_unlocked_and_the_rest_locked() {
        let p = palette();
        let unlocked = |f: &Format| f.clone().set_unlocked() == *f;
        assert!(unlocked(&p.input) && unlocked(&p.input_center));
        assert!(!unlocked(&p.locked) && !unlocked(&p.computed) && !unlocked(&p.total_value));
    }
}
