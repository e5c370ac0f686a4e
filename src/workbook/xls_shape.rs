//! Hidden rows and columns of an .xls (BIFF8, and BIFF5 where the records agree), read from
//! the workbook stream, which calamine does not expose.
//!
//! A row is hidden when its ROW record (0x0208) has fDyZero (0x20) in its option flags or a
//! zero height; a column when a COLINFO record (0x007D) covering it has fHidden (0x0001) or a
//! zero width. Sheets come in the order of the BoundSheet records of the workbook globals, which
//! is the order calamine lists them in.

use std::collections::HashMap;

use super::biff::{records, u16_at, u32_at};
use super::spans::{Hidden, SpansBuilder};

/// Every sheet's hidden rows and columns, by BoundSheet order (each substream read once,
/// however many BoundSheet records point at it).
pub(super) fn hidden(stream: &[u8]) -> Vec<Hidden> {
    let mut read: HashMap<usize, Hidden> = HashMap::new();
    records(stream, 0)
        .take_while(|(typ, _)| *typ != 0x000A)
        .filter(|(typ, _)| *typ == 0x0085)
        .map(|(_, data)| {
            let start = u32_at(data, 0).map_or(usize::MAX, |p| p as usize);
            read.entry(start)
                .or_insert_with(|| sheet(stream, start))
                .clone()
        })
        .collect()
}

/// The hidden rows and columns of the sheet substream at `start`, nested substreams (charts)
/// skipped.
fn sheet(stream: &[u8], start: usize) -> Hidden {
    let (mut rows, mut cols) = (SpansBuilder::new(), SpansBuilder::new());
    let mut depth = 0usize;
    let mut seen_bof = false;
    for (typ, data) in records(stream, start.min(stream.len())) {
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A if depth > 0 => depth -= 1,
            0x000A => break,
            _ if depth > 0 => {}
            0x0208 if row_hidden(data) => {
                if let Some(row) = u16_at(data, 0) {
                    rows.add(u64::from(row), 1);
                }
            }
            0x007D if col_hidden(data) => {
                if let (Some(first), Some(last)) = (u16_at(data, 0), u16_at(data, 2))
                    && first <= last
                {
                    // Excel writes 256 for "to the last column"; a sheet has 256.
                    let last = last.min(255);
                    if first <= last {
                        cols.add(u64::from(first), u64::from(last - first) + 1);
                    }
                }
            }
            _ => {}
        }
    }
    Hidden {
        rows: rows.build(),
        cols: cols.build(),
    }
}

/// ROW: height (twips, bit 15 "default height" in BIFF5) at 6, option flags at 12.
fn row_hidden(data: &[u8]) -> bool {
    let flags = u16_at(data, 12).unwrap_or(0);
    let height = u16_at(data, 6).unwrap_or(1);
    flags & 0x20 != 0 || height == 0
}

/// COLINFO: width (1/256 of a character) at 4, options at 8.
fn col_hidden(data: &[u8]) -> bool {
    let width = u16_at(data, 4).unwrap_or(1);
    let options = u16_at(data, 8).unwrap_or(0);
    options & 0x0001 != 0 || width == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
        out
    }

    fn row(r: u16, height: u16, flags: u16) -> Vec<u8> {
        let mut d = vec![0; 16];
        d[0..2].copy_from_slice(&r.to_le_bytes());
        d[6..8].copy_from_slice(&height.to_le_bytes());
        d[12..14].copy_from_slice(&flags.to_le_bytes());
        record(0x0208, &d)
    }

    fn colinfo(first: u16, last: u16, width: u16, options: u16) -> Vec<u8> {
        let mut d = vec![0; 12];
        d[0..2].copy_from_slice(&first.to_le_bytes());
        d[2..4].copy_from_slice(&last.to_le_bytes());
        d[4..6].copy_from_slice(&width.to_le_bytes());
        d[8..10].copy_from_slice(&options.to_le_bytes());
        record(0x007D, &d)
    }

    /// Globals with one BoundSheet pointing at a sheet substream holding `body`.
    fn stream(body: &[Vec<u8>]) -> Vec<u8> {
        let bof = record(0x0809, &[0; 16]);
        let eof = record(0x000A, &[]);
        // BoundSheet: position, visible, worksheet, a name of one compressed character.
        let start = (bof.len() + 4 + 9 + eof.len()) as u32;
        let mut bound = start.to_le_bytes().to_vec();
        bound.extend([0, 0, 1, 0, b'S']);
        let mut out = [bof.clone(), record(0x0085, &bound), eof.clone(), bof].concat();
        // A nested chart substream whose records do not count.
        out.extend(record(0x0809, &[0; 16]));
        out.extend(row(9, 0, 0x20));
        out.extend(record(0x000A, &[]));
        for r in body {
            out.extend(r);
        }
        out.extend(eof);
        out
    }

    #[test]
    fn rows_and_columns_hidden_by_flag_or_zero_size() {
        let s = stream(&[
            row(1, 300, 0x20),
            row(2, 300, 0),
            row(3, 0, 0),
            row(4, 300, 0x20),
            colinfo(2, 3, 2000, 1),
            colinfo(5, 5, 0, 0),
            colinfo(7, 256, 2000, 1),
            colinfo(9, 8, 0, 1),
        ]);
        let sheets = hidden(&s);
        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].rows.ranges(), &[(1, 1), (3, 4)]);
        assert_eq!(sheets[0].cols.ranges(), &[(2, 3), (5, 5), (7, 255)]);
    }

    #[test]
    fn a_hostile_stream_is_no_panic() {
        let s = stream(&[row(1, 300, 0x20)]);
        for cut in 0..s.len() {
            let _ = hidden(&s[..cut]);
        }
        let mut bad = s.clone();
        let middle = bad.len() / 2;
        bad[middle] ^= 0xFF;
        let _ = hidden(&bad);
    }
}
