//! Whether a workbook carries macros (VBA or LibreOffice Basic), told from its parts alone:
//! `vbaProject.bin` in an .xlsx/.xlsm/.xlsb package whatever the file is named, a `Basic/`
//! module in an .ods, the `_VBA_PROJECT_CUR` storage of an .xls. Nothing is run or removed.

use std::io::Cursor;

/// Whether `bytes` (a workbook file) holds macros.
pub fn has_macros(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"PK") {
        return zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|zip| {
            zip.file_names()
                .filter_map(Result::ok)
                .any(|name| is_macro_part(&name))
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return cfb::CompoundFile::open(Cursor::new(bytes)).is_ok_and(|cfb| {
            cfb.walk()
                .any(|entry| entry.name().eq_ignore_ascii_case("_VBA_PROJECT_CUR"))
        });
    }
    false
}

/// A package part that is a macro project: VBA's, or a LibreOffice Basic module.
fn is_macro_part(name: &str) -> bool {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    let name = name.trim_start_matches('/');
    if name.ends_with("vbaproject.bin") {
        return true;
    }
    // LibreOffice keeps its (possibly empty) library lists in Basic/; a module is any other
    // part there.
    const LISTS: [&str; 4] = ["script-lc.xml", "script-lb.xml", "dialog-lc.xml", "dialog-lb.xml"];
    name.strip_prefix("basic/")
        .is_some_and(|rest| !rest.is_empty() && !rest.ends_with('/') && !LISTS.iter().any(|l| rest.ends_with(l)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for name in names {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(b"x").unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_vba_project_is_found_whatever_the_file_is_named() {
        assert!(has_macros(&zip_with(&["[Content_Types].xml", "xl/vbaProject.bin"])));
        assert!(has_macros(&zip_with(&["xl\\VBAPROJECT.BIN"])));
        assert!(!has_macros(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])));
    }

    #[test]
    fn basic_modules_count_and_empty_library_lists_do_not() {
        assert!(has_macros(&zip_with(&["mimetype", "Basic/Standard/Module1.xml"])));
        assert!(!has_macros(&zip_with(&[
            "mimetype",
            "Basic/script-lc.xml",
            "Basic/Standard/script-lb.xml"
        ])));
    }

    #[test]
    fn an_xls_with_a_vba_storage_has_macros() {
        let mut cfb =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
                .unwrap();
        cfb.create_stream("/Workbook").unwrap().write_all(b"x").unwrap();
        let plain = {
            cfb.flush().unwrap();
            cfb.get_ref().get_ref().clone()
        };
        assert!(!has_macros(&plain));
        cfb.create_storage("/_VBA_PROJECT_CUR").unwrap();
        cfb.flush().unwrap();
        let bytes = cfb.into_inner().into_inner();
        assert!(has_macros(&bytes));
    }
}
