//! Shared helpers for the workbooks tianbao writes (their formats are in [`crate::style`]): row heights that fit wrapped Chinese text,
//! print setup, and saving a file whole or not at all.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Formula, Worksheet, XlsxError};

/// The font every workbook tianbao writes uses (see [`crate::style`]).
pub use crate::style::FONT;

/// Plain 10 pt text, wrapped, centred vertically: [`crate::style::plain`].
pub fn base_format() -> Format {
    crate::style::plain()
}

/// A font run inside rich text: [`crate::style::run`].
pub fn run_format() -> Format {
    crate::style::run()
}

/// What a cell holds, decided before it is written: the "what to write" half of a writer, kept
/// apart from the rust_xlsxwriter calls so it can be tested as data.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Blank,
    Number(f64),
    Text(String),
    /// A formula (with its `=`) and the value cached with it, if any.
    Formula {
        text: String,
        cached: Option<String>,
    },
}

impl Content {
    /// A formula with its exact value cached.
    pub fn formula(text: impl Into<String>, cached: impl Into<String>) -> Content {
        Content::Formula {
            text: text.into(),
            cached: Some(cached.into()),
        }
    }
}

/// One cell of a planned row: its column, content and format (the palette's, or one built on
/// it such as an indented cell).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub col: u16,
    pub content: Content,
    pub format: std::borrow::Cow<'static, Format>,
}

impl Planned {
    pub fn new(col: u16, content: Content, format: &'static Format) -> Planned {
        Planned {
            col,
            content,
            format: std::borrow::Cow::Borrowed(format),
        }
    }

    /// A cell in a format of its own.
    pub fn owned(col: u16, content: Content, format: Format) -> Planned {
        Planned {
            col,
            content,
            format: std::borrow::Cow::Owned(format),
        }
    }
}

/// Writes planned cells into `row`, in their order.
pub fn write_planned(sheet: &mut Worksheet, row: u32, cells: &[Planned]) -> Result<(), XlsxError> {
    for cell in cells {
        let (col, format) = (cell.col, cell.format.as_ref());
        match &cell.content {
            Content::Blank => sheet.write_blank(row, col, format)?,
            Content::Number(n) => sheet.write_number_with_format(row, col, *n, format)?,
            Content::Text(t) => sheet.write_string_with_format(row, col, t, format)?,
            Content::Formula { text, cached } => {
                let formula = Formula::new(text);
                let formula = match cached {
                    Some(value) => formula.set_result(value),
                    None => formula,
                };
                sheet.write_formula_with_format(row, col, formula, format)?
            }
        };
    }
    Ok(())
}

/// Characters a cell holds at most in Excel, WPS and LibreOffice.
pub const MAX_CELL_CHARS: usize = 32_767;

/// A text cut to what a cell can hold (a return may carry more, read under raised limits),
/// ending with `mark` so nobody takes it for the whole.
pub fn cell_text<'t>(text: &'t str, mark: &str) -> std::borrow::Cow<'t, str> {
    if text.len() <= MAX_CELL_CHARS || text.chars().count() <= MAX_CELL_CHARS {
        return std::borrow::Cow::Borrowed(text);
    }
    let keep = MAX_CELL_CHARS.saturating_sub(mark.chars().count());
    std::borrow::Cow::Owned(text.chars().take(keep).collect::<String>() + mark)
}

/// Points per line of 10–11 pt text, padding included.
pub const LINE_HEIGHT: f64 = 14.5;

/// Display width of a text in Excel column units: CJK and full-width characters take two.
pub fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if (c as u32) < 0x2E80 { 1.1 } else { 2.05 })
        .sum()
}

/// Lines `text` wraps to in a column `width` units wide.
pub fn wrapped_lines(text: &str, width: f64) -> u32 {
    let usable = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| ((display_width(line) / usable).ceil() as u32).max(1))
        .sum()
}

/// Row height (points) that shows `lines` lines.
pub fn height_for(lines: u32) -> f64 {
    (f64::from(lines.max(1)) * LINE_HEIGHT + 4.0).min(409.0)
}

/// A4 landscape, one page wide, `repeat` rows on every page, `第 N 页 / 共 M 页` in the footer.
pub fn print_setup(
    sheet: &mut Worksheet,
    repeat: Option<(u32, u32)>,
    footer: &str,
) -> Result<(), XlsxError> {
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_print_center_horizontally(true);
    if let Some((first, last)) = repeat {
        sheet.set_repeat_rows(first, last)?;
    }
    sheet.set_footer(footer);
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file and an interrupted run leaves the previous file intact. The
/// temporary file is named `.NAME.PID-N.tmp`, N counting this process's writes, so no two
/// writers ever share one ([`is_temp_name`]); one left by a killed run is removed by
/// [`clean_stale_temps`].
pub fn save_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    save_atomic_with(path, |file| match slow_write_for_tests() {
        // Half the file, on disk, then a pause: a test kills the process here.
        Some(pause) => {
            let half = bytes.len() / 2;
            file.write_all(&bytes[..half])?;
            file.sync_all()?;
            std::thread::sleep(pause);
            file.write_all(&bytes[half..])
        }
        None => file.write_all(bytes),
    })
}

/// As [`save_atomic`], with the content written into the temporary file by `write` (a big
/// workbook streamed to disk rather than held whole in memory).
pub fn save_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        write(&mut file)?;
        // No fsync per file: the rename already keeps a killed run from leaving half a file,
        // and thousands of fsyncs would triple the time of `generate`. Durability across a
        // power cut is left to the operating system.
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `TIANBAO_TEST_SLOW_WRITE_MS=N`: [`save_atomic`] pauses N ms halfway through each file, so
/// that tests can interrupt a run mid-write. For tests only; documented in CONTRIBUTING.md.
fn slow_write_for_tests() -> Option<std::time::Duration> {
    let ms: u64 = std::env::var("TIANBAO_TEST_SLOW_WRITE_MS")
        .ok()?
        .parse()
        .ok()?;
    Some(std::time::Duration::from_millis(ms.min(60_000)))
}

/// The process id in a temporary file name of [`save_atomic`] (`.NAME.PID-N.tmp`, or
/// `.NAME.PID.tmp` of earlier versions), if it is one.
pub fn temp_name_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (stem, id) = rest.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    let pid = match id.split_once('-') {
        Some((pid, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => pid,
        Some(_) => return None,
        None => id,
    };
    pid.parse().ok()
}

/// Whether `name` is a temporary file of [`save_atomic`]: never an output, never an input.
pub fn is_temp_name(name: &str) -> bool {
    temp_name_pid(name).is_some()
}

/// Removes the temporary files in `dir` left by runs that were interrupted (their process is
/// gone, or, where that cannot be told, they are over a day old). Returns what was removed.
pub fn clean_stale_temps(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_name_pid(&name) else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let stale = match crate::lock::process_alive(pid) {
            Some(alive) => !alive,
            None => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 86_400),
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if stale && is_file && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_cells_are_written_as_planned() {
        let f = crate::style::palette();
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let cells = [
            Planned::new(0, Content::Number(2.5), &f.center),
            Planned::new(1, Content::Text("水科".into()), &f.cell),
            Planned::new(2, Content::formula("=A1*2", "5"), &f.bold_center),
            Planned::new(3, Content::Blank, &f.center),
            Planned::owned(4, Content::Text("·".into()), f.cell.clone().set_indent(1)),
        ];
        write_planned(sheet, 0, &cells).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let book = crate::workbook::open_bytes("t.xlsx", bytes).unwrap();
        let grid = &book.sheets[0].grid;
        assert_eq!(grid.raw(0, 0).to_text(), "2.5");
        assert_eq!(grid.raw(0, 1).to_text(), "水科");
        assert_eq!(grid.raw(0, 2).to_text(), "5", "the cached value");
        assert!(grid.raw(0, 3).is_empty());
        assert_eq!(book.sheets[0].formulas[&(0, 2)], "A1*2");
    }

    #[test]
    fn chinese_text_wraps_by_double_width() {
        assert_eq!(wrapped_lines("一二三四五", 12.0), 1);
        assert_eq!(wrapped_lines("一二三四五六七八九十", 12.0), 2);
        assert_eq!(wrapped_lines("a\nb", 12.0), 2);
    }

    #[test]
    fn atomic_save_replaces_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        save_atomic(&path, b"one").unwrap();
        save_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn temp_names_are_told_apart_from_outputs() {
        assert_eq!(temp_name_pid(".考评表-办公室.xlsx.4242.tmp"), Some(4242));
        assert_eq!(temp_name_pid(".考评表-办公室.xlsx.4242-17.tmp"), Some(4242));
        assert!(!is_temp_name(".a.xlsx.42-x.tmp"));
        assert!(!is_temp_name("考评表-办公室.xlsx"));
        assert!(!is_temp_name(".tmp"));
        assert!(!is_temp_name("..1.tmp"));
        assert!(!is_temp_name(".a.xlsx.x1.tmp"));
    }

    #[test]
    fn stale_temps_of_dead_runs_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(format!(".a.xlsx.{}.tmp", u32::MAX - 1));
        let live = dir
            .path()
            .join(format!(".b.xlsx.{}-3.tmp", std::process::id()));
        let output = dir.path().join("a.xlsx");
        for p in [&dead, &live, &output] {
            std::fs::write(p, b"x").unwrap();
        }
        let removed = clean_stale_temps(dir.path());
        if cfg!(target_os = "linux") {
            assert_eq!(removed, vec![dead.clone()]);
            assert!(!dead.exists());
        }
        assert!(live.exists() && output.exists());
    }
}
