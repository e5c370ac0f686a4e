//! Digests and their text form: SHA-256 in lower-case hex, the hash of a row of cell texts.

use sha2::{Digest, Sha256};

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Bytes from hex (either case); `None` when it is not hex of whole bytes.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of what is written into it, so big data is hashed without being held whole.
#[derive(Default)]
pub struct Hasher(Sha256);

impl Hasher {
    /// The digest in hex.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// SHA-256 of a row's cell texts, separated so that `["ab", "c"]` and `["a", "bc"]` differ.
pub fn row_hash<S: AsRef<str>>(cells: &[S]) -> String {
    let mut hasher = Sha256::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            hasher.update([0x1f]);
        }
        hasher.update(cell.as_ref().as_bytes());
    }
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_hash_separates_cells() {
        assert_ne!(row_hash(&["ab", "c"]), row_hash(&["a", "bc"]));
        assert_eq!(hex(&[0, 255]), "00ff");
        assert_eq!(unhex("00ff"), Some(vec![0, 255]));
        assert_eq!(unhex("0"), None);
    }
}
