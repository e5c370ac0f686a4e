//! Plays a department in tests: edits a workbook's sheet XML directly, the way scripts and other
//! programs do, without going through tianbao's writer. Cells are written as numbers, inline
//! strings or formulas with a cached value.
#![allow(dead_code)]

use std::io::{Read, Write};

/// A new cell content.
#[derive(Debug, Clone)]
pub enum Cell {
    Num(f64),
    Str(String),
    /// Formula text (without `=`) and its cached value.
    Formula(String, f64),
    Empty,
}

pub fn s(text: &str) -> Cell {
    Cell::Str(text.to_string())
}

/// An .xlsx opened as its parts.
pub struct Xlsx {
    parts: Vec<(String, Vec<u8>)>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// (0-based col, 1-based row) of an A1 reference.
pub fn parse_a1(cell: &str) -> (u32, u32) {
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let col = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    let row = cell[letters.len()..].parse().unwrap();
    (col, row)
}

impl Xlsx {
    pub fn read(bytes: &[u8]) -> Xlsx {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut parts = Vec::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            parts.push((entry.name().unwrap().into_owned(), data));
        }
        Xlsx { parts }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in &self.parts {
            out.start_file(name.as_str(), options).unwrap();
            out.write_all(data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    pub fn part(&self, name: &str) -> String {
        let (_, data) = self
            .parts
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no part {name}"));
        String::from_utf8(data.clone()).unwrap()
    }

    pub fn set_part(&mut self, name: &str, text: String) {
        match self.parts.iter_mut().find(|(n, _)| n == name) {
            Some((_, data)) => *data = text.into_bytes(),
            None => self.parts.push((name.to_string(), text.into_bytes())),
        }
    }

    /// The part holding the sheet named `sheet`.
    pub fn sheet_part(&self, sheet: &str) -> String {
        let workbook = self.part("xl/workbook.xml");
        let at = workbook
            .find(&format!("name=\"{}\"", escape(sheet)))
            .unwrap_or_else(|| panic!("no sheet {sheet}"));
        let rest = &workbook[at..];
        let rid_at = rest.find("r:id=\"").unwrap() + 6;
        let rid = &rest[rid_at..rid_at + rest[rid_at..].find('"').unwrap()];
        let rels = self.part("xl/_rels/workbook.xml.rels");
        let rel_at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
        let tag_start = rels[..rel_at].rfind('<').unwrap();
        let tag = &rels[tag_start..tag_start + rels[tag_start..].find('>').unwrap()];
        let target_at = tag.find("Target=\"").unwrap() + 8;
        let target = &tag[target_at..target_at + tag[target_at..].find('"').unwrap()];
        format!("xl/{}", target.trim_start_matches("/xl/"))
    }

    /// Sets one cell of `sheet`, keeping its style.
    pub fn set(&mut self, sheet: &str, cell: &str, value: Cell) {
        let part = self.sheet_part(sheet);
        let xml = self.part(&part);
        let (col, row) = parse_a1(cell);
        let open = format!("<c r=\"{cell}\"");
        let (xml, style) = match xml.find(&open) {
            Some(start) => {
                let tag_end = start + xml[start..].find('>').unwrap();
                let self_closing = xml.as_bytes()[tag_end - 1] == b'/';
                let end = if self_closing {
                    tag_end + 1
                } else {
                    tag_end + xml[tag_end..].find("</c>").unwrap() + 4
                };
                let tag = &xml[start..tag_end];
                let style = tag
                    .find(" s=\"")
                    .map(|i| {
                        let v = &tag[i + 4..];
                        format!(" s=\"{}\"", &v[..v.find('"').unwrap()])
                    })
                    .unwrap_or_default();
                (format!("{}{{CELL}}{}", &xml[..start], &xml[end..]), style)
            }
            None => (insert_slot(&xml, row, col), String::new()),
        };
        let content = match value {
            Cell::Num(n) => format!("<c r=\"{cell}\"{style}><v>{n}</v></c>"),
            Cell::Str(t) => format!(
                "<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                escape(&t)
            ),
            Cell::Formula(f, v) => {
                format!("<c r=\"{cell}\"{style}><f>{}</f><v>{v}</v></c>", escape(&f))
            }
            Cell::Empty => format!("<c r=\"{cell}\"{style}/>"),
        };
        self.set_part(&part, xml.replacen("{CELL}", &content, 1));
    }

    /// Removes every cell of a row (1-based) of `sheet`: the row as if deleted by clearing it.
    pub fn clear_row(&mut self, sheet: &str, row: u32) {
        let part = self.sheet_part(sheet);
        let xml = self.part(&part);
        let open = format!("<row r=\"{row}\"");
        let Some(start) = xml.find(&open) else {
            return;
        };
        let tag_end = start + xml[start..].find('>').unwrap();
        if xml.as_bytes()[tag_end - 1] == b'/' {
            return;
        }
        let end = tag_end + xml[tag_end..].find("</row>").unwrap();
        let xml = format!("{}{}", &xml[..tag_end + 1], &xml[end..]);
        self.set_part(&part, xml);
    }

    /// Replaces text in a part.
    pub fn replace(&mut self, part: &str, from: &str, to: &str) {
        let xml = self.part(part);
        assert!(xml.contains(from), "{part} lacks {from}");
        self.set_part(part, xml.replace(from, to));
    }

    /// Drops a sheet from the workbook (its part stays, unreferenced, as in a sloppy editor).
    pub fn remove_sheet(&mut self, sheet: &str) {
        let workbook = self.part("xl/workbook.xml");
        let at = workbook
            .find(&format!("name=\"{}\"", escape(sheet)))
            .unwrap();
        let start = workbook[..at].rfind("<sheet ").unwrap();
        let end = at + workbook[at..].find("/>").unwrap() + 2;
        let workbook = format!("{}{}", &workbook[..start], &workbook[end..]);
        self.set_part("xl/workbook.xml", workbook);
        // Defined names (print titles) of the removed sheet would dangle; drop them all.
        let workbook = self.part("xl/workbook.xml");
        if let (Some(s), Some(e)) = (
            workbook.find("<definedNames>"),
            workbook.find("</definedNames>"),
        ) {
            let workbook = format!("{}{}", &workbook[..s], &workbook[e + 15..]);
            self.set_part("xl/workbook.xml", workbook);
        }
    }
}

impl Xlsx {
    /// Adds a part (or replaces it) as raw bytes: a `vbaProject.bin`, say.
    pub fn add_part(&mut self, name: &str, bytes: &[u8]) {
        self.parts.retain(|(n, _)| n != name);
        self.parts.push((name.to_string(), bytes.to_vec()));
    }

    /// Hides row `row` (1-based) of `sheet`, as Excel does (`hidden="1"` on the row).
    pub fn hide_row(&mut self, sheet: &str, row: u32) {
        let part = self.sheet_part(sheet);
        let xml = self.part(&part);
        let open = format!("<row r=\"{row}\"");
        assert!(
            xml.contains(&open),
            "row {row} of {sheet} holds nothing to hide"
        );
        let xml = xml.replacen(&open, &format!("{open} hidden=\"1\""), 1);
        self.set_part(&part, xml);
    }

    /// Sets a sheet's state in workbook.xml: `hidden`, `veryHidden`, or `visible`.
    pub fn set_sheet_state(&mut self, sheet: &str, state: &str) {
        let workbook = self.part("xl/workbook.xml");
        let name = format!("name=\"{}\"", escape(sheet));
        let at = workbook
            .find(&name)
            .unwrap_or_else(|| panic!("no sheet {sheet}"));
        let start = workbook[..at].rfind("<sheet ").unwrap();
        let end = at + workbook[at..].find("/>").unwrap();
        let mut tag = workbook[start..end].to_string();
        if let Some(s) = tag.find(" state=\"") {
            let close = s + 8 + tag[s + 8..].find('"').unwrap() + 1;
            tag.replace_range(s..close, "");
        }
        if state != "visible" {
            tag.push_str(&format!(" state=\"{state}\""));
        }
        let workbook = format!("{}{}{}", &workbook[..start], tag, &workbook[end..]);
        self.set_part("xl/workbook.xml", workbook);
    }

    /// Renames a sheet in workbook.xml (its defined names dropped, as [`Xlsx::remove_sheet`]).
    pub fn rename_sheet(&mut self, from: &str, to: &str) {
        let workbook = self.part("xl/workbook.xml");
        let workbook = workbook.replacen(
            &format!("<sheet name=\"{}\"", escape(from)),
            &format!("<sheet name=\"{}\"", escape(to)),
            1,
        );
        let workbook = match (
            workbook.find("<definedNames>"),
            workbook.find("</definedNames>"),
        ) {
            (Some(s), Some(e)) => format!("{}{}", &workbook[..s], &workbook[e + 15..]),
            _ => workbook,
        };
        self.set_part("xl/workbook.xml", workbook);
    }

    /// Adds a copy of `from` named `to`, last in the workbook: its own part, relationship,
    /// content type and entry in workbook.xml.
    pub fn copy_sheet(&mut self, from: &str, to: &str) {
        let source = self.sheet_part(from);
        let n = (1..)
            .find(|n| {
                !self
                    .parts
                    .iter()
                    .any(|(p, _)| *p == format!("xl/worksheets/sheet{n}.xml"))
            })
            .unwrap();
        let target = format!("worksheets/sheet{n}.xml");
        let xml = self.part(&source);
        self.set_part(&format!("xl/{target}"), xml);
        let rid = format!("rIdCopy{n}");
        let rels = self.part("xl/_rels/workbook.xml.rels").replacen(
            "</Relationships>",
            &format!(
                "<Relationship Id=\"{rid}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"{target}\"/></Relationships>"
            ),
            1,
        );
        self.set_part("xl/_rels/workbook.xml.rels", rels);
        let types = self.part("[Content_Types].xml").replacen(
            "</Types>",
            &format!(
                "<Override PartName=\"/xl/{target}\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>"
            ),
            1,
        );
        self.set_part("[Content_Types].xml", types);
        let workbook = self.part("xl/workbook.xml");
        let ids: Vec<u32> = workbook
            .match_indices("sheetId=\"")
            .filter_map(|(i, _)| workbook[i + 9..].split('"').next()?.parse().ok())
            .collect();
        let id = ids.into_iter().max().unwrap_or(0) + 1;
        let workbook = workbook.replacen(
            "</sheets>",
            &format!(
                "<sheet name=\"{}\" sheetId=\"{id}\" r:id=\"{rid}\"/></sheets>",
                escape(to)
            ),
            1,
        );
        self.set_part("xl/workbook.xml", workbook);
    }
}

/// The XML with a `{CELL}` slot where a new cell (row, col) belongs, in column order.
fn insert_slot(xml: &str, row: u32, col: u32) -> String {
    let open = format!("<row r=\"{row}\"");
    match xml.find(&open) {
        Some(start) => {
            let tag_end = start + xml[start..].find('>').unwrap();
            if xml.as_bytes()[tag_end - 1] == b'/' {
                let tag = &xml[start..tag_end - 1];
                return format!(
                    "{}{tag}>{{CELL}}</row>{}",
                    &xml[..start],
                    &xml[tag_end + 1..]
                );
            }
            let end = tag_end + xml[tag_end..].find("</row>").unwrap();
            // Before the first cell with a greater column.
            let mut pos = end;
            let mut search = tag_end;
            while let Some(i) = xml[search..end].find("<c r=\"") {
                let at = search + i;
                let r = &xml[at + 6..];
                let reference = &r[..r.find('"').unwrap()];
                if parse_a1(reference).0 > col {
                    pos = at;
                    break;
                }
                search = at + 6;
            }
            format!("{}{{CELL}}{}", &xml[..pos], &xml[pos..])
        }
        None => {
            // A new row, before the first row with a greater number.
            let data_end = xml.find("</sheetData>").unwrap();
            let mut pos = data_end;
            let mut search = xml.find("<sheetData").unwrap();
            while let Some(i) = xml[search..data_end].find("<row r=\"") {
                let at = search + i;
                let r = &xml[at + 8..];
                let n: u32 = r[..r.find('"').unwrap()].parse().unwrap();
                if n > row {
                    pos = at;
                    break;
                }
                search = at + 8;
            }
            format!(
                "{}<row r=\"{row}\">{{CELL}}</row>{}",
                &xml[..pos],
                &xml[pos..]
            )
        }
    }
}
