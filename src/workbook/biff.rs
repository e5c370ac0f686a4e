//! BIFF, the record stream of an .xls workbook: its records as a reader splits them and the
//! little-endian numbers in them. Shared by the preflight scan and the layout reader.

/// One BIFF record as the reader splits them: type, data, and where the next begins (CONTINUE
/// records belong to the record before them).
pub(super) fn records(stream: &[u8], from: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = from;
    std::iter::from_fn(move || {
        let head = stream.get(at..at.checked_add(4)?)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        while let Some(next) = stream.get(at..at + 4) {
            if u16::from_le_bytes([next[0], next[1]]) != 0x003C {
                break;
            }
            let len = usize::from(u16::from_le_bytes([next[2], next[3]]));
            if stream.len() < at + 4 + len {
                break;
            }
            at += 4 + len;
        }
        Some((typ, data))
    })
}

pub(super) fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

pub(super) fn u32_at(data: &[u8], at: usize) -> Option<u64> {
    data.get(at..at + 4)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}
