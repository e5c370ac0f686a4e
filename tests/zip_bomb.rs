//! Zip bombs, built here: archives of a few kilobytes whose entries declare or expand to
//! gigabytes, and a workbook whose own parts do. Each is refused from its headers within a
//! second, with memory measured by a counting allocator (this file is its own test binary,
//! with a single test, so nothing else allocates meanwhile).
#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::play::Campaign;
use tianbao::returns::{self, gather};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let grow = new_size - layout.size();
                let now = CURRENT.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MB: usize = 1024 * 1024;

fn options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false)
}

/// A zip holding `copies` entries named by `name(i)`, each `data`, compressed once and copied raw.
fn zip_copies(data: &[u8], copies: usize, name: impl Fn(usize) -> String) -> Vec<u8> {
    let mut one = zip::ZipWriter::new(Cursor::new(Vec::new()));
    one.start_file("x", options()).unwrap();
    one.write_all(data).unwrap();
    let one = one.finish().unwrap().into_inner();
    let mut source = zip::ZipArchive::new(Cursor::new(one)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..copies {
        let entry = source.by_index(0).unwrap();
        out.raw_copy_file_rename(entry, name(i)).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Sets every entry's declared uncompressed size (local headers and central directory).
fn declare_sizes(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    let mut at = 0;
    while at + 30 <= zip.len() {
        match &zip[at..at + 4] {
            b"PK\x03\x04" => zip[at + 22..at + 26].copy_from_slice(&size.to_le_bytes()),
            b"PK\x01\x02" => zip[at + 24..at + 28].copy_from_slice(&size.to_le_bytes()),
            _ => {}
        }
        at += 1;
    }
    zip
}

struct Outcome {
    codes: Vec<(String, String)>,
    took: Duration,
    peak: usize,
}

/// Gathers and checks `path` in-process as `validate` does, measuring time and peak memory.
fn check(c: &Campaign, path: &std::path::Path) -> Outcome {
    let campaign = tianbao::campaign::Campaign::open(&c.dir).unwrap();
    let spec = campaign.spec().unwrap();
    let read = campaign.read_master(&spec).unwrap();
    let ctx = campaign.context(&read.master, &spec);
    PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
    let base = CURRENT.load(Ordering::Relaxed);
    let started = Instant::now();
    let gathered = gather::gather(&[path.to_path_buf()], &ctx.limits).unwrap();
    let collection = returns::collect(&ctx, gathered);
    let took = started.elapsed();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let codes = collection
        .returns
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .map(move |f| (r.path.clone(), f.code.as_str().to_string()))
        })
        .collect();
    Outcome { codes, took, peak }
}

fn report(what: &str, bytes: usize, expands: u64, outcome: &Outcome) {
    eprintln!(
        "{what}: {bytes} bytes expanding to {expands} bytes: refused in {:?}, peak {} KiB",
        outcome.took,
        outcome.peak / 1024
    );
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::repo().join("tests/fixtures").join(name)).unwrap()
}

/// Replaces the first `from` in the zip part `part` of `bytes`.
fn edit_part(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == part {
            let text = String::from_utf8(data).unwrap();
            assert!(text.contains(from), "{part} lacks {from}");
            data = text.replacen(from, to, 1).into_bytes();
        }
        // An .ods keeps its `mimetype` first and stored, which is how it is recognised.
        let options = if name == "mimetype" {
            options().compression_method(zip::CompressionMethod::Stored)
        } else {
            options()
        };
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Finds the first BIFF record of type `typ` and length `len` in an .xls and lets `edit` change
/// its data.
fn edit_record(mut bytes: Vec<u8>, typ: u16, len: u16, edit: impl Fn(&mut [u8])) -> Vec<u8> {
    let mut head = typ.to_le_bytes().to_vec();
    head.extend(len.to_le_bytes());
    let at = bytes.windows(4).position(|w| w == head.as_slice()).unwrap();
    edit(&mut bytes[at + 4..at + 4 + usize::from(len)]);
    bytes
}

/// (name, bytes, what the error says) of files crafted to make the reader allocate gigabytes.
fn crafted() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let master = std::fs::read(common::sample_master()).unwrap();
    let far_xlsx = edit_part(
        &master,
        "xl/worksheets/sheet1.xml",
        "</sheetData>",
        "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
    );
    let sst = edit_part(
        &master,
        "xl/sharedStrings.xml",
        "uniqueCount=\"",
        "uniqueCount=\"9999999999",
    );
    let ods_rows = edit_part(
        &fixture("master.ods"),
        "content.xml",
        "</table:table>",
        "<table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell \
         table:number-columns-repeated=\"90\" office:value-type=\"float\" \
         office:value=\"1\"/></table:table-row></table:table>",
    );
    let xls_dimensions = edit_record(fixture("master.xls"), 0x0200, 14, |d| {
        d[4..8].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes())
    });
    let xls_far = edit_record(fixture("master.xls"), 0x00FD, 10, |d| {
        d[0..4].copy_from_slice(&[0xFF; 4])
    });
    vec![
        ("far.xlsx", far_xlsx, "past the limit"),
        ("sst.xlsx", sst, "shared-string table"),
        ("rows.ods", ods_rows, "past the limit of 100000 rows"),
        ("dimensions.xls", xls_dimensions, "DIMENSIONS"),
        ("far.xls", xls_far, "past the limit"),
    ]
}

#[test]
fn zip_bombs_are_refused_from_their_headers_quickly_with_little_memory() {
    let c = Campaign::new();
    let inbox = c.path("inbox");

    // 1. Entries whose headers declare 4 GB each: refused from the central directory.
    let small = zip_copies(b"just a few bytes", 4, |i| format!("部门{i}.xlsx"));
    let declared = declare_sizes(small, 0xFFFF_FFF0);
    std::fs::write(inbox.join("declared.zip"), &declared).unwrap();
    let out = check(&c, &inbox.join("declared.zip"));
    report("declared", declared.len(), 4 * 0xFFFF_FFF0, &out);
    assert!(declared.len() < 4096);
    assert!(
        out.codes.iter().any(|(_, code)| code == "too_large"),
        "{:?}",
        out.codes
    );

    // 2. 42.zip-style nesting: 16 × 16 × 16 entries of 4 MB of zeros, 16 GB in all.
    let zeros = vec![0u8; 4 * MB];
    let level1 = zip_copies(&zeros, 16, |i| format!("d{i}.xlsx"));
    let level2 = zip_copies(&level1, 16, |i| format!("l1-{i}.zip"));
    let level3 = zip_copies(&level2, 16, |i| format!("l2-{i}.zip"));
    drop(zeros);
    std::fs::write(inbox.join("nested.zip"), &level3).unwrap();
    let out = check(&c, &inbox.join("nested.zip"));
    report("nested", level3.len(), 16 * 16 * 16 * 4 * MB as u64, &out);
    assert!(
        out.codes.iter().all(|(_, code)| code == "too_large"),
        "{:?}",
        out.codes
    );
    assert!(!out.codes.is_empty());

    // 3. An entry whose header understates it: 1 KB declared, 8 MB of zeros inside.
    let liar = zip_copies(&vec![0u8; 8 * MB], 1, |_| "r.xlsx".into());
    let liar = declare_sizes(liar, 1024);
    std::fs::write(inbox.join("liar.zip"), &liar).unwrap();
    let out = check(&c, &inbox.join("liar.zip"));
    report("liar", liar.len(), 8 * MB as u64, &out);
    assert!(
        out.codes
            .iter()
            .any(|(_, code)| code == "unreadable" || code == "too_large"),
        "{:?}",
        out.codes
    );

    // 4. A workbook whose own sheet part declares 4 GB.
    let book = c.filled("水科").to_bytes();
    let bomb = declare_sizes(book, 0xFFFF_FFF0);
    std::fs::write(inbox.join("sheet-bomb.xlsx"), &bomb).unwrap();
    let out = check(&c, &inbox.join("sheet-bomb.xlsx"));
    report("sheet-bomb", bomb.len(), 0xFFFF_FFF0, &out);
    assert_eq!(
        out.codes,
        vec![(
            inbox.join("sheet-bomb.xlsx").display().to_string(),
            "too_large".to_string()
        )]
    );

    // 5. Files that used to abort the process from a few bytes: the reader allocated what
    //    they state (a dense block between two far cells, an .xls DIMENSIONS record, .ods
    //    repeats). Each is now refused with little memory.
    for (name, bytes, expected) in crafted() {
        PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
        let base = CURRENT.load(Ordering::Relaxed);
        let started = Instant::now();
        let result = tianbao::workbook::open_bytes(name, bytes);
        let took = started.elapsed();
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        eprintln!("{name}: {result:?} in {took:?}, peak {} KiB", peak / 1024);
        let err = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(expected), "{name}: {err}");
        assert!(took < Duration::from_secs(1), "{name}: {took:?}");
        assert!(peak < 32 * MB, "{name}: {peak} bytes");
    }

    for name in ["declared.zip", "nested.zip", "liar.zip", "sheet-bomb.xlsx"] {
        let out = check(&c, &inbox.join(name));
        assert!(out.took < Duration::from_secs(1), "{name}: {:?}", out.took);
        assert!(out.peak < 32 * MB, "{name}: {} bytes", out.peak);
    }

    // And through the binary, all at once: exit 1 (findings), well within a second or two.
    let started = Instant::now();
    let run = c.run(&["validate", "--json", "inbox"]);
    let took = started.elapsed();
    eprintln!("validate of all bombs: {took:?}");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(took < Duration::from_secs(5), "{took:?}");
}
