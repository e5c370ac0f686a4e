//! A workbook's identity: which campaign issued it, from which master, to which department, in
//! which round, and what each locked row held — signed with the campaign secret (HMAC-SHA256).
//!
//! A workbook of a campaign that runs in periods (monthly, quarterly reports) carries its period
//! too, signed; a workbook issued without one signs exactly what it always signed.
//!
//! It is kept in a hidden sheet, which survives Excel, WPS and LibreOffice saves in .xlsx, .xls
//! and .ods, plus two custom document properties. Anyone can unhide the sheet, so nothing in it
//! is trusted until the signature verifies; the secret itself never enters a workbook.

use hmac::{KeyInit, Mac};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use sha2::Sha256;

use crate::digest::{hex, unhex};
use crate::workbook::{self, Value};

pub const FORMAT_VERSION: u32 = 1;
pub const SHEET_NAME: &str = "_tianbao";
/// First cell of the identity sheet: how it is recognised even when renamed.
pub const MARKER: &str = "tianbao identity";
pub const PROP_CAMPAIGN: &str = "tianbao.campaign";
pub const PROP_DEPARTMENT: &str = "tianbao.department";
/// The kind of a workbook that is not a department's fill-in workbook (`review`).
pub const PROP_KIND: &str = "tianbao.kind";

/// What a workbook tianbao issued is for. A department's fill-in workbook and the assessment
/// group's review workbook are signed alike; the kind is signed too, so that neither can be
/// passed off as the other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A department's fill-in workbook (and its feedback rounds).
    #[default]
    Return,
    /// The assessment group's review workbook (核定表).
    Review,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Return => "return",
            Kind::Review => "review",
        }
    }

    /// The kind named `name` ([`Kind::as_str`]), if any.
    pub fn parse(name: &str) -> Option<Kind> {
        [Kind::Return, Kind::Review]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

type HmacSha256 = hmac::Hmac<Sha256>;

/// The fingerprint of what one department was issued: its items, in order, each with the hash
/// of its locked cells. A master edit changes it only for the departments whose items it
/// touches, so only their workbooks go stale.
pub fn rows_fingerprint<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    use sha2::Digest;
    let mut hasher = Sha256::new();
    for (item, hash) in rows {
        for part in [item, hash] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hex(&hasher.finalize())
}

/// One item row as issued: its id, its 1-based row on the fill-in sheet, and the hash of its
/// locked cells. A review workbook's row is one item of one `department`, and carries the
/// texts of that department's return it showed (`values`), so that a later change of the
/// return is told from an edit of the workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedRow {
    pub item: String,
    pub row: u32,
    pub hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub kind: Kind,
    pub version: u32,
    pub campaign: String,
    pub fingerprint: String,
    pub department: String,
    pub round: u32,
    /// The period it was issued for (`2024-03`), when the campaign runs in periods.
    pub period: Option<String>,
    pub issued_at: String,
    /// The fill-in sheet's name as issued.
    pub sheet: String,
    pub rows: Vec<IssuedRow>,
    pub signature: String,
}

/// Why an identity sheet could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the identity sheet lacks \"{0}\"")]
    Missing(&'static str),
    #[error("the identity sheet's \"{key}\" is not valid: \"{value}\"")]
    Garbled { key: &'static str, value: String },
}

impl Identity {
    /// Everything the signature covers, in a fixed order and encoding. A department's
    /// workbook signs what it always signed; a review signs its kind too.
    fn signed_bytes(&self) -> Vec<u8> {
        if let Some(period) = &self.period {
            return serde_json::to_vec(&(
                self.kind,
                period,
                self.version,
                &self.campaign,
                &self.fingerprint,
                &self.department,
                self.round,
                &self.issued_at,
                &self.sheet,
                &self.rows,
            ))
            .expect("plain data serialises");
        }
        if self.kind != Kind::Return {
            return serde_json::to_vec(&(
                self.kind,
                self.version,
                &self.campaign,
                &self.fingerprint,
                &self.department,
                self.round,
                &self.issued_at,
                &self.sheet,
                &self.rows,
            ))
            .expect("plain data serialises");
        }
        serde_json::to_vec(&(
            self.version,
            &self.campaign,
            &self.fingerprint,
            &self.department,
            self.round,
            &self.issued_at,
            &self.sheet,
            &self.rows,
        ))
        .expect("plain data serialises")
    }

    fn mac(secret: &str) -> HmacSha256 {
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length")
    }

    pub fn sign(&mut self, secret: &str) {
        let mut mac = Identity::mac(secret);
        mac.update(&self.signed_bytes());
        self.signature = hex(&mac.finalize().into_bytes());
    }

    /// Whether the signature is this campaign's, compared in constant time.
    pub fn verify(&self, secret: &str) -> bool {
        let Some(signature) = unhex(&self.signature) else {
            return false;
        };
        let mut mac = Identity::mac(secret);
        mac.update(&self.signed_bytes());
        mac.verify_slice(&signature).is_ok()
    }

    /// Adds the hidden identity sheet to a workbook being written.
    pub fn write(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let sheet = book.add_worksheet();
        sheet.set_name(SHEET_NAME)?;
        let bold = Format::new().set_bold();
        sheet.write_string_with_format(0, 0, MARKER, &bold)?;
        sheet.write_string(0, 1, "generated by tianbao; do not edit")?;
        let fields: [(&str, String); 8] = [
            ("format", self.version.to_string()),
            ("campaign", self.campaign.clone()),
            ("fingerprint", self.fingerprint.clone()),
            ("department", self.department.clone()),
            ("round", self.round.to_string()),
            ("issued_at", self.issued_at.clone()),
            ("sheet", self.sheet.clone()),
            ("signature", self.signature.clone()),
        ];
        for (i, (key, value)) in fields.iter().enumerate() {
            sheet.write_string(i as u32 + 1, 0, *key)?;
            sheet.write_string(i as u32 + 1, 1, value)?;
        }
        let mut start = fields.len() as u32 + 2;
        if self.kind != Kind::Return {
            sheet.write_string(start - 1, 0, "kind")?;
            sheet.write_string(start - 1, 1, self.kind.as_str())?;
            start += 1;
        }
        if let Some(period) = &self.period {
            sheet.write_string(start - 1, 0, "period")?;
            sheet.write_string(start - 1, 1, period)?;
            start += 1;
        }
        sheet.write_string_with_format(start, 0, "item", &bold)?;
        sheet.write_string_with_format(start, 1, "row", &bold)?;
        sheet.write_string_with_format(start, 2, "hash", &bold)?;
        if self.kind == Kind::Review {
            sheet.write_string_with_format(start, 3, "department", &bold)?;
            sheet.write_string_with_format(start, 4, "values", &bold)?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            let r = start + 1 + i as u32;
            sheet.write_string(r, 0, &row.item)?;
            sheet.write_string(r, 1, row.row.to_string())?;
            sheet.write_string(r, 2, &row.hash)?;
            if let Some(department) = &row.department {
                sheet.write_string(r, 3, department)?;
            }
            if let Some(values) = &row.values {
                // As JSON in one cell: any text, in any program, reads back as written.
                let json = serde_json::to_string(values).expect("plain data serialises");
                sheet.write_string(r, 4, json)?;
            }
        }
        sheet.set_column_width(0, 14)?;
        sheet.set_column_width(1, 30)?;
        sheet.set_column_width(2, 70)?;
        sheet.protect();
        sheet.set_hidden(true);
        Ok(())
    }

    /// The identity of an opened workbook: `Ok(None)` when it has none (not a tianbao workbook).
    pub fn read(book: &workbook::Workbook) -> Result<Option<Identity>, IdentityError> {
        let Some(sheet) = book
            .sheets
            .iter()
            .find(|s| s.name == SHEET_NAME || s.grid.raw(0, 0).to_text().trim() == MARKER)
        else {
            return Ok(None);
        };
        let grid = &sheet.grid;
        let value_of = |key: &'static str| -> Result<String, IdentityError> {
            (1..grid.height())
                .find(|&r| cell(grid, r, 0) == key)
                .map(|r| cell(grid, r, 1))
                .ok_or(IdentityError::Missing(key))
        };
        let version = number("format", value_of("format")?)?;
        let campaign = value_of("campaign")?;
        let fingerprint = value_of("fingerprint")?;
        let department = value_of("department")?;
        let round = number("round", value_of("round")?)?;
        let issued_at = value_of("issued_at")?;
        let sheet_name = value_of("sheet")?;
        let signature = value_of("signature")?;
        let kind = match value_of("kind") {
            Err(_) => Kind::Return,
            Ok(value) if Kind::parse(&value) == Some(Kind::Review) => Kind::Review,
            Ok(value) => return Err(IdentityError::Garbled { key: "kind", value }),
        };
        let header = (1..grid.height())
            .find(|&r| cell(grid, r, 0) == "item" && cell(grid, r, 1) == "row")
            .ok_or(IdentityError::Missing("item"))?;
        // Only among the fields above the rows: an item id is never taken for the key.
        let period = (1..header)
            .find(|&r| cell(grid, r, 0) == "period")
            .map(|r| cell(grid, r, 1));
        let rows = issued_rows(grid, header, kind)?;
        Ok(Some(Identity {
            kind,
            version,
            campaign,
            fingerprint,
            department,
            round,
            period,
            issued_at,
            sheet: sheet_name,
            rows,
            signature,
        }))
    }
}

/// A cell of the identity sheet as text.
fn cell(grid: &workbook::Grid, row: u32, col: u32) -> String {
    match grid.raw(row, col) {
        Value::Number(n) => workbook::format_number(*n),
        other => other.to_text().trim().to_string(),
    }
}

/// A field's whole number.
fn number(key: &'static str, value: String) -> Result<u32, IdentityError> {
    value
        .parse()
        .map_err(|_| IdentityError::Garbled { key, value })
}

/// The issued rows below the `header` row, up to the first without an item; a review's carry
/// their department and the texts they showed.
fn issued_rows(
    grid: &workbook::Grid,
    header: u32,
    kind: Kind,
) -> Result<Vec<IssuedRow>, IdentityError> {
    let mut rows = Vec::new();
    for r in header + 1..grid.height() {
        let item = cell(grid, r, 0);
        if item.is_empty() {
            break;
        }
        let (department, values) = if kind == Kind::Review {
            let values = cell(grid, r, 4);
            let values: Vec<String> =
                serde_json::from_str(&values).map_err(|_| IdentityError::Garbled {
                    key: "values",
                    value: values.clone(),
                })?;
            (Some(cell(grid, r, 3)), Some(values))
        } else {
            (None, None)
        };
        rows.push(IssuedRow {
            item,
            row: number("row", cell(grid, r, 1))?,
            hash: cell(grid, r, 2),
            department,
            values,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            kind: Kind::Return,
            version: FORMAT_VERSION,
            campaign: "0123456789abcdef".into(),
            fingerprint: "f".repeat(64),
            department: "办公室".into(),
            round: 1,
            period: None,
            issued_at: "2026-11-27T20:00:00Z".into(),
            sheet: "填报表".into(),
            rows: vec![IssuedRow {
                item: "1-1-1".into(),
                row: 4,
                hash: "a".repeat(64),
                department: None,
                values: None,
            }],
            signature: String::new(),
        }
    }

    #[test]
    fn signature_covers_every_field() {
        let secret = "s".repeat(64);
        let mut id = identity();
        id.sign(&secret);
        assert!(id.verify(&secret));
        assert!(!id.verify("another secret"));
        let mut changed = id.clone();
        changed.department = "审批科".into();
        assert!(!changed.verify(&secret));
        let mut changed = id.clone();
        changed.rows[0].hash = "b".repeat(64);
        assert!(!changed.verify(&secret));
        let mut changed = id.clone();
        changed.signature = "zz".into();
        assert!(!changed.verify(&secret));
    }

    /// The signature of a department's workbook is what it was before reviews had a kind:
    /// workbooks already issued still verify.
    #[test]
    fn a_returns_signature_is_unchanged_by_kinds() {
        let id = identity();
        let old = serde_json::to_vec(&(
            id.version,
            &id.campaign,
            &id.fingerprint,
            &id.department,
            id.round,
            &id.issued_at,
            &id.sheet,
            vec![serde_json::json!({"item": "1-1-1", "row": 4, "hash": "a".repeat(64)})],
        ))
        .unwrap();
        assert_eq!(id.signed_bytes(), old);
    }

    #[test]
    fn a_reviews_kind_is_signed() {
        let secret = "s".repeat(64);
        let mut id = identity();
        id.kind = Kind::Review;
        id.department = String::new();
        id.rows[0].department = Some("办公室".into());
        id.rows[0].values = Some(vec!["2".into(), "已完成".into()]);
        id.sign(&secret);
        assert!(id.verify(&secret));
        let mut changed = id.clone();
        changed.kind = Kind::Return;
        assert!(!changed.verify(&secret), "a review passed off as a return");
        let mut changed = id.clone();
        changed.rows[0].values = Some(vec!["1".into(), "已完成".into()]);
        assert!(!changed.verify(&secret), "a self-score shown changed");
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "x").unwrap();
        id.write(&mut book).unwrap();
        let read = workbook::open_bytes("t.xlsx", book.save_to_buffer().unwrap()).unwrap();
        let back = Identity::read(&read).unwrap().unwrap();
        assert_eq!(back, id);
        assert!(back.verify(&secret));
    }

    #[test]
    fn identity_round_trips_through_a_workbook() {
        let secret = "s".repeat(64);
        let mut id = identity();
        id.sign(&secret);
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "x").unwrap();
        id.write(&mut book).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let read = workbook::open_bytes("t.xlsx", bytes).unwrap();
        let back = Identity::read(&read).unwrap().unwrap();
        assert_eq!(back, id);
        assert!(back.verify(&secret));
    }

    /// The period is signed: a workbook of one period cannot be passed off as another's, and
    /// it reads back from the sheet as written.
    #[test]
    fn a_period_is_signed_and_read_back() {
        let secret = "s".repeat(64);
        let mut id = identity();
        let old = id.signed_bytes();
        id.period = Some("2024-02".into());
        assert_ne!(id.signed_bytes(), old);
        id.sign(&secret);
        assert!(id.verify(&secret));
        let mut changed = id.clone();
        changed.period = Some("2024-03".into());
        assert!(!changed.verify(&secret), "a period changed");
        let mut changed = id.clone();
        changed.period = None;
        assert!(!changed.verify(&secret), "a period dropped");
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "x").unwrap();
        id.write(&mut book).unwrap();
        let read = workbook::open_bytes("t.xlsx", book.save_to_buffer().unwrap()).unwrap();
        let back = Identity::read(&read).unwrap().unwrap();
        assert_eq!(back, id);
        assert!(back.verify(&secret));
    }
}
