//! Robustness: thousands of mutated, truncated and random variants of a valid return and of the
//! master (.xlsx, and .xls/.ods fixtures made by LibreOffice) go through the library in-process
//! (`workbook::open_bytes`, the master reader, `returns::collect`, `gather` of zips): every one
//! must end in a result or findings — never a panic, a hang or an abort. A few go through the
//! binary too, which must exit 0, 1 or 2, never 101.
//!
//! Deterministic: variant `n` of a run is always the same bytes; a failure names it
//! (`ROBUSTNESS_SEED` changes the base seed, `ROBUSTNESS_SCALE=4` runs four times as many).
//!
//! The fixtures in tests/fixtures were made once with LibreOffice from `samples/master.xlsx` and
//! from the seed return written by the ignored test `write_seed_return` (see CONTRIBUTING.md).

mod common;

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tianbao::model::Master;
use tianbao::returns::gather::{self, Data, Gathered, Input, Place};
use tianbao::returns::{self, Context, Limits};
use tianbao::spec::Spec;
use tianbao::template::{Issue, Prefill, write_template};
use tianbao::workbook;

/// The campaign the seed return (and the .xls/.ods fixtures made from it) was issued by.
const CAMPAIGN_ID: &str = "00c0ffee00c0ffee";
const SECRET: &str = "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2";
const DEPARTMENT: &str = "水科";

/// xorshift64*: deterministic, so every failure reproduces.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::repo().join("tests/fixtures").join(name)).unwrap()
}

fn master() -> Master {
    tianbao::master::read_master(
        &common::sample_master(),
        &Spec::builtin(),
        &Default::default(),
    )
    .unwrap()
    .master
}

/// The seed return: the department's workbook as issued by the fixed campaign, filled in.
fn seed_return(master: &Master, spec: &Spec) -> Vec<u8> {
    let mut prefill = Prefill::default();
    for item in master.items_of(DEPARTMENT) {
        let values = prefill.items.entry(item.id.clone()).or_default();
        values.insert(
            "score".into(),
            item.weight.unwrap_or_default().normalize().to_string(),
        );
        values.insert("status".into(), "已完成".into());
        values.insert("progress".into(), format!("{}：按计划完成。", item.id));
    }
    prefill.signoff.insert("filler".into(), "张三".into());
    prefill
        .signoff
        .insert("phone".into(), "0595-22345678".into());
    let issue = Issue {
        title: "2023年度绩效考评",
        deadline: "",
        contact: "",
        password: "",
        campaign_id: CAMPAIGN_ID,
        secret: SECRET,
        round: 1,
        period: None,
        issued_at: "2024-01-02T03:04:05Z",
    };
    write_template(
        master,
        &tianbao::form::Form::new(master, spec),
        DEPARTMENT,
        spec,
        &issue,
        Some(&prefill),
    )
    .unwrap()
}

/// Writes the seed return for making the .xls/.ods fixtures:
/// `ROBUSTNESS_SEED_OUT=/tmp/return.xlsx cargo test --test robustness write_seed_return -- --ignored`
/// The checking context of the seeds' campaign.
fn context<'a>(master: &'a Master, spec: &'a Spec) -> Context<'a> {
    Context::new(master, spec, CAMPAIGN_ID, SECRET, 1, Limits::default())
}

#[test]
#[ignore]
fn write_seed_return() {
    let spec = Spec::builtin();
    let out = std::env::var("ROBUSTNESS_SEED_OUT").unwrap_or("return.xlsx".into());
    std::fs::write(out, seed_return(&master(), &spec)).unwrap();
}

// ---------------------------------------------------------------- mutations

/// An .xlsx or .ods as its parts.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().unwrap().to_string(), data)
        })
        .collect()
}

fn zip_parts(parts: &[(String, Vec<u8>)], stored: bool) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in parts {
        // Duplicate names are refused by the writer; a suffix keeps the variant going.
        if out.start_file(name.as_str(), options).is_err() {
            out.start_file(format!("{name}~"), options).unwrap();
        }
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "4294967295",
    "4294967296",
    "1048576",
    "1048577",
    "16384",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "",
    "A1",
    "XFD1048576",
    "A1:XFD1048576",
    "ZZZZ99999999",
];

const INSERTS: &[&str] = &[
    "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
    "<c r=\"A99999\" t=\"s\"><v>999999</v></c>",
    "<c r=\"B2\"><f t=\"shared\" ref=\"A1:XFD1048576\" si=\"0\">A1</f><v>1</v></c>",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "<mergeCell ref=\"C3:A1\"/>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "<si><t>x</t></si>",
    "<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>",
    "<table:table-cell table:number-columns-repeated=\"4000000000\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell>",
    "<!-- -->",
    "<![CDATA[<]]>",
    "&unknown;",
    "\u{0}",
];

/// One XML mutation of `xml`.
fn mutate_xml(rng: &mut Rng, xml: &mut Vec<u8>) {
    if xml.is_empty() {
        xml.extend_from_slice(INSERTS[rng.below(INSERTS.len())].as_bytes());
        return;
    }
    let at = rng.below(xml.len());
    match rng.below(8) {
        0 => {
            // Delete a span.
            let end = (at + 1 + rng.below(200)).min(xml.len());
            xml.drain(at..end);
        }
        1 => {
            // Duplicate a span.
            let end = (at + 1 + rng.below(400)).min(xml.len());
            let span = xml[at..end].to_vec();
            let to = rng.below(xml.len());
            xml.splice(to..to, span);
        }
        2 | 3 => {
            // A number or attribute value made extreme.
            let quote = xml[at..].iter().position(|&b| b == b'"').map(|p| at + p);
            if let Some(open) = quote
                && let Some(len) = xml[open + 1..].iter().position(|&b| b == b'"')
            {
                let value = EXTREMES[rng.below(EXTREMES.len())].as_bytes().to_vec();
                xml.splice(open + 1..open + 1 + len, value);
            }
        }
        4 => {
            // Content that readers have choked on, at a tag boundary.
            let to = xml[at..]
                .iter()
                .position(|&b| b == b'<')
                .map_or(xml.len(), |p| at + p);
            let insert = INSERTS[rng.below(INSERTS.len())].as_bytes().to_vec();
            xml.splice(to..to, insert);
        }
        5 => xml.truncate(at),
        6 => {
            // A tag renamed.
            if let Some(p) = xml[at..].iter().position(|&b| b == b'<') {
                let i = at + p + 1;
                if i < xml.len() {
                    xml[i] = b"xqz/!?"[rng.below(6)];
                }
            }
        }
        _ => {
            // Text between tags replaced.
            if let Some(p) = xml[at..].iter().position(|&b| b == b'>') {
                let from = at + p + 1;
                let len = xml[from..].iter().position(|&b| b == b'<').unwrap_or(0);
                let value = EXTREMES[rng.below(EXTREMES.len())].as_bytes().to_vec();
                xml.splice(from..from + len, value);
            }
        }
    }
}

/// Byte-level damage: flipped bits, a truncation, overwritten or inserted random bytes.
fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>) {
    if bytes.is_empty() {
        bytes.push(rng.next() as u8);
        return;
    }
    match rng.below(5) {
        0 => {
            for _ in 0..1 + rng.below(16) {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
        }
        1 => {
            let len = rng.below(bytes.len());
            bytes.truncate(len);
        }
        2 => {
            let at = rng.below(bytes.len());
            for i in at..(at + 1 + rng.below(64)).min(bytes.len()) {
                bytes[i] = rng.next() as u8;
            }
        }
        3 => {
            let at = rng.below(bytes.len());
            let extra: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, extra);
        }
        _ => {
            // Little-endian numbers made extreme at a random place (sizes, offsets, counts).
            let at = rng.below(bytes.len().saturating_sub(4).max(1));
            let value: u32 = [0, 1, 0xFFFF, 0xFFFF_FFFF, 0x7FFF_FFFF, 0xFFFF_FFFE][rng.below(6)];
            for (i, b) in value.to_le_bytes().iter().enumerate() {
                if let Some(slot) = bytes.get_mut(at + i) {
                    *slot = *b;
                }
            }
        }
    }
}

/// A variant of a zip-based seed: damage to its parts, their XML, its order, or its bytes.
fn zip_variant(rng: &mut Rng, seed: &[u8], seed_parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut parts = seed_parts.to_vec();
    match rng.below(10) {
        0..=4 => {
            // XML mutations of a part, preferring the sheets and strings.
            let interesting: Vec<usize> = (0..parts.len())
                .filter(|&i| {
                    let n = &parts[i].0;
                    n.contains("sheet") || n.contains("content") || n.contains("workbook")
                })
                .collect();
            let i = if !interesting.is_empty() && rng.chance(80) {
                interesting[rng.below(interesting.len())]
            } else {
                rng.below(parts.len())
            };
            for _ in 0..1 + rng.below(3) {
                mutate_xml(rng, &mut parts[i].1);
            }
        }
        5 => {
            let i = rng.below(parts.len());
            parts.remove(i);
        }
        6 => {
            // Shuffled, a part duplicated, or a name in Windows style.
            for i in (1..parts.len()).rev() {
                parts.swap(i, rng.below(i + 1));
            }
            if rng.chance(50) {
                let i = rng.below(parts.len());
                parts.push(parts[i].clone());
            } else {
                let i = rng.below(parts.len());
                parts[i].0 = parts[i].0.replace('/', "\\");
            }
        }
        7 => {
            let i = rng.below(parts.len());
            mutate_bytes(rng, &mut parts[i].1);
        }
        _ => {
            let mut bytes = seed.to_vec();
            for _ in 0..1 + rng.below(4) {
                mutate_bytes(rng, &mut bytes);
            }
            return bytes;
        }
    }
    let mut bytes = zip_parts(&parts, rng.chance(70));
    if rng.chance(15) {
        mutate_bytes(rng, &mut bytes);
    }
    bytes
}

/// A variant of an .xls seed: damage to its bytes, its compound-file header and tables, or its
/// BIFF records.
fn xls_variant(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    match rng.below(4) {
        0 => {
            // Header, DIFAT and FAT: the first sectors.
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(1536.min(bytes.len()));
                bytes[i] = rng.next() as u8;
            }
        }
        1 => {
            // A BIFF record's fields: cells, dimensions, sheet positions, strings.
            let types: [[u8; 2]; 7] = [
                [0x00, 0x02],
                [0x03, 0x02],
                [0xFD, 0x00],
                [0x7E, 0x02],
                [0x85, 0x00],
                [0xFC, 0x00],
                [0xE5, 0x00],
            ];
            let wanted = types[rng.below(types.len())];
            let found: Vec<usize> = bytes
                .windows(2)
                .enumerate()
                .filter(|(_, w)| *w == wanted)
                .map(|(i, _)| i)
                .collect();
            if !found.is_empty() {
                let at = found[rng.below(found.len())];
                for i in at + 2..(at + 20).min(bytes.len()) {
                    if rng.chance(40) {
                        bytes[i] = [0xFF, 0x00, 0x7F, rng.next() as u8][rng.below(4)];
                    }
                }
            }
        }
        2 => {
            // Sectors swapped or repeated.
            let sectors = bytes.len() / 512;
            if sectors > 2 {
                let (a, b) = (1 + rng.below(sectors - 1), 1 + rng.below(sectors - 1));
                let copy = bytes[a * 512..(a + 1) * 512].to_vec();
                bytes[b * 512..(b + 1) * 512].copy_from_slice(&copy);
            }
        }
        _ => {
            for _ in 0..1 + rng.below(4) {
                mutate_bytes(rng, &mut bytes);
            }
        }
    }
    bytes
}

/// Random bytes, sometimes behind a workbook's magic number.
fn random_variant(rng: &mut Rng) -> Vec<u8> {
    let mut bytes: Vec<u8> = match rng.below(4) {
        0 => b"PK\x03\x04".to_vec(),
        1 => vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
        2 => b"PK\x05\x06".to_vec(),
        _ => Vec::new(),
    };
    let len = rng.below(4096);
    bytes.extend((0..len).map(|_| rng.next() as u8));
    bytes
}

// ---------------------------------------------------------------- running

#[derive(Clone, Copy, Debug)]
enum Target {
    /// Checked as a return (open, identity, every cell), through `returns::collect`.
    Return,
    /// Read as a master table.
    Master,
    /// Gathered as a .zip of returns from disk, then collected.
    Archive,
}

/// Makes one variant's bytes from its random source.
type Make = Box<dyn Fn(&mut Rng) -> Vec<u8> + Send + Sync>;

/// A family of variants: `count` (times the scale) made by `make` from one seed each.
struct Family {
    label: &'static str,
    count: usize,
    target: Target,
    make: Make,
}

struct Variant {
    label: String,
    target: Target,
    bytes: Vec<u8>,
}

impl Family {
    /// Variant `i` of this family: always the same bytes.
    fn variant(&self, i: usize) -> Variant {
        let seed = base_seed() ^ ((i as u64) << 8) ^ hash(self.label);
        let mut rng = Rng::new(seed);
        Variant {
            label: format!("{} #{i} (seed {seed})", self.label),
            target: self.target,
            bytes: (self.make)(&mut rng),
        }
    }
}

/// Runs one variant through the library; any panic escaping it is a failure.
fn run_variant(ctx: &Context, spec: &Spec, dir: &std::path::Path, v: &Variant) {
    match v.target {
        Target::Return => {
            let gathered = Gathered {
                inputs: vec![Input {
                    display: v.label.clone(),
                    data: Data::Bytes(v.bytes.clone()),
                    modified: None,
                    place: Place::Archive(0),
                    in_review_folder: false,
                }],
                archives: vec!["variants".into()],
                ..Gathered::default()
            };
            let collection = returns::collect(ctx, gathered);
            assert_eq!(collection.returns.len(), 1);
        }
        Target::Master => {
            if let Ok(book) = workbook::open_bytes(&v.label, v.bytes.clone()) {
                let _ = tianbao::master::read_master_workbook(
                    &v.label,
                    &book,
                    spec,
                    &Default::default(),
                );
            }
        }
        Target::Archive => {
            let path = dir.join(format!("{}.zip", v.label.replace(['/', ' '], "_")));
            std::fs::write(&path, &v.bytes).unwrap();
            if let Ok(gathered) = gather::gather(std::slice::from_ref(&path), &ctx.limits) {
                returns::collect(ctx, gathered);
            }
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn scale() -> usize {
    std::env::var("ROBUSTNESS_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn base_seed() -> u64 {
    std::env::var("ROBUSTNESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_240_101)
}

/// The families of variants of this run.
fn families(spec: &Spec, master: &Master) -> Vec<Family> {
    let ret = Arc::new(seed_return(master, spec));
    let ret_parts = Arc::new(parts(&ret));
    let master_xlsx = Arc::new(std::fs::read(common::sample_master()).unwrap());
    let master_parts = Arc::new(parts(&master_xlsx));
    let ret_ods = Arc::new(fixture("return.ods"));
    let ret_ods_parts = Arc::new(parts(&ret_ods));
    let master_ods = Arc::new(fixture("master.ods"));
    let master_ods_parts = Arc::new(parts(&master_ods));
    let ret_xls = Arc::new(fixture("return.xls"));
    let master_xls = Arc::new(fixture("master.xls"));
    let zipped = |seed: &Arc<Vec<u8>>, parts: &Arc<Vec<(String, Vec<u8>)>>| {
        let (seed, parts) = (seed.clone(), parts.clone());
        Box::new(move |r: &mut Rng| zip_variant(r, &seed, &parts)) as Make
    };
    let xls = |seed: &Arc<Vec<u8>>| {
        let seed = seed.clone();
        Box::new(move |r: &mut Rng| xls_variant(r, &seed)) as Make
    };
    let archive = {
        let (ret, ret_parts) = (ret.clone(), ret_parts.clone());
        Box::new(move |r: &mut Rng| {
            let mut files = vec![
                (
                    "水科/水科.xlsx".to_string(),
                    zip_variant(r, &ret, &ret_parts),
                ),
                ("说明.pdf".to_string(), b"%PDF-1.7".to_vec()),
            ];
            if r.chance(50) {
                files.push((
                    "内层.zip".into(),
                    zip_parts(&[("a.xlsx".into(), ret.to_vec())], true),
                ));
            }
            let mut bytes = zip_parts(&files, r.chance(70));
            if r.chance(50) {
                mutate_bytes(r, &mut bytes);
            }
            bytes
        })
    };
    let family = |label, count, target, make| Family {
        label,
        count: count * scale(),
        target,
        make,
    };
    vec![
        family(
            "return.xlsx",
            1400,
            Target::Return,
            zipped(&ret, &ret_parts),
        ),
        family(
            "master.xlsx",
            500,
            Target::Master,
            zipped(&master_xlsx, &master_parts),
        ),
        family(
            "return.ods",
            300,
            Target::Return,
            zipped(&ret_ods, &ret_ods_parts),
        ),
        family(
            "master.ods",
            150,
            Target::Master,
            zipped(&master_ods, &master_ods_parts),
        ),
        family("return.xls", 400, Target::Return, xls(&ret_xls)),
        family("master.xls", 200, Target::Master, xls(&master_xls)),
        family("random", 300, Target::Return, Box::new(random_variant)),
        family("archive", 120, Target::Archive, archive),
    ]
}

fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Silences panic messages (the readers' contained panics are expected) while `f` runs.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(previous);
    out
}

#[test]
fn mutated_returns_and_masters_never_panic_or_hang() {
    let spec = Arc::new(Spec::builtin());
    let master = Arc::new(master());
    let started = Instant::now();
    let families = Arc::new(families(&spec, &master));
    let all: Arc<Vec<(usize, usize)>> = Arc::new(
        families
            .iter()
            .enumerate()
            .flat_map(|(f, family)| (0..family.count).map(move |i| (f, i)))
            .collect(),
    );
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    let outcomes: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    // Per worker: the variant it is on and since when (ms since start), for the watchdog.
    let current: Arc<Vec<(AtomicUsize, AtomicU64)>> = Arc::new(
        (0..threads)
            .map(|_| (AtomicUsize::new(usize::MAX), AtomicU64::new(0)))
            .collect(),
    );
    let done = Arc::new(AtomicBool::new(false));
    quietly(|| {
        let workers: Vec<_> = (0..threads)
            .map(|w| {
                let (spec, master, all, families, dir, next, failures, outcomes, current) = (
                    spec.clone(),
                    master.clone(),
                    all.clone(),
                    families.clone(),
                    dir.clone(),
                    next.clone(),
                    failures.clone(),
                    outcomes.clone(),
                    current.clone(),
                );
                std::thread::spawn(move || {
                    let ctx = context(&master, &spec);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(f, n)) = all.get(i) else { break };
                        current[w]
                            .1
                            .store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                        current[w].0.store(i, Ordering::Relaxed);
                        let family = &families[f];
                        let result = catch_unwind(AssertUnwindSafe(|| {
                            let v = family.variant(n);
                            run_variant(&ctx, &spec, dir.path(), &v);
                        }));
                        current[w].0.store(usize::MAX, Ordering::Relaxed);
                        match result {
                            Ok(()) => {
                                *outcomes.lock().unwrap().entry("ok".into()).or_default() += 1
                            }
                            Err(payload) => {
                                let message = payload
                                    .downcast_ref::<String>()
                                    .cloned()
                                    .or_else(|| {
                                        payload.downcast_ref::<&str>().map(|s| s.to_string())
                                    })
                                    .unwrap_or_default();
                                let label = format!("{} #{n}", family.label);
                                failures.lock().unwrap().push(format!("{label}: {message}"));
                            }
                        }
                    }
                })
            })
            .collect();
        // Watchdog: no variant may take more than 20 s (a debug build reads one in milliseconds).
        loop {
            std::thread::sleep(Duration::from_millis(50));
            if workers.iter().all(|w| w.is_finished()) {
                break;
            }
            let now = started.elapsed().as_millis() as u64;
            for (i, since) in current.iter() {
                let i = i.load(Ordering::Relaxed);
                if i != usize::MAX && now.saturating_sub(since.load(Ordering::Relaxed)) > 20_000 {
                    done.store(true, Ordering::Relaxed);
                    let (f, n) = all[i];
                    panic!("hang: {} #{n} has run for over 20 s", families[f].label);
                }
            }
        }
        for w in workers {
            w.join().unwrap();
        }
    });
    let failures = failures.lock().unwrap();
    eprintln!(
        "robustness: {} variants in {:?} on {threads} threads; {} panics",
        all.len(),
        started.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "panics:\n{}", failures.join("\n"));
    assert!(all.len() >= 3000);
}

#[test]
fn the_seeds_read_as_they_should() {
    // The unmutated seeds are valid returns and readable masters: the variants start from real files.
    let spec = Spec::builtin();
    let master = master();
    let ctx = context(&master, &spec);
    for (name, bytes) in [
        ("return.xlsx", seed_return(&master, &spec)),
        ("return.ods", fixture("return.ods")),
        ("return.xls", fixture("return.xls")),
    ] {
        let gathered = Gathered {
            inputs: vec![Input {
                display: name.into(),
                data: Data::Bytes(bytes),
                modified: None,
                place: Place::Archive(0),
                in_review_folder: false,
            }],
            archives: vec!["seeds".into()],
            ..Gathered::default()
        };
        let collection = returns::collect(&ctx, gathered);
        let ret = &collection.returns[0];
        let errors: Vec<_> = ret.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            ret.department.as_deref(),
            Some(DEPARTMENT),
            "{name}: {errors:?}"
        );
        if name.ends_with("xlsx") {
            assert_eq!(ret.status, returns::Status::Valid, "{name}: {errors:?}");
        }
    }
    for name in ["master.xls", "master.ods"] {
        let book = workbook::open_bytes(name, fixture(name)).unwrap();
        let read =
            tianbao::master::read_master_workbook(name, &book, &spec, &Default::default()).unwrap();
        assert_eq!(read.master.items().len(), master.items().len(), "{name}");
    }
}

#[test]
fn mutated_files_through_the_binary_exit_0_1_or_2_never_101() {
    let c = common::play::Campaign::new();
    let spec = Spec::builtin();
    let ret = c.filled(DEPARTMENT).to_bytes();
    let ret_parts = parts(&ret);
    let master = std::fs::read(common::sample_master()).unwrap();
    let master_parts = parts(&master);
    let mut rng = Rng::new(base_seed());
    let mut masters: Vec<PathBuf> = Vec::new();
    for i in 0..40 {
        let bytes = match i % 4 {
            0 => xls_variant(&mut rng, &fixture("return.xls")),
            1 => random_variant(&mut rng),
            _ => zip_variant(&mut rng, &ret, &ret_parts),
        };
        c.put_bytes(&format!("变体{i}.xlsx"), &bytes);
    }
    for i in 0..12 {
        let bytes = match i % 3 {
            0 => xls_variant(&mut rng, &fixture("master.xls")),
            _ => zip_variant(&mut rng, &master, &master_parts),
        };
        let path = c.tmp.path().join(format!("master{i}.xlsx"));
        std::fs::write(&path, bytes).unwrap();
        masters.push(path);
    }
    let _ = spec;
    for args in [
        &["validate", "--json"][..],
        &["status"],
        &["validate", "--feedback"],
    ] {
        let run = c.run(args);
        assert!(
            run.code == 0 || run.code == 1,
            "{args:?} exited {}: {}",
            run.code,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    for path in masters {
        let run = c.run(&["inspect", path.to_str().unwrap()]);
        assert!(
            (0..=2).contains(&run.code),
            "{}: exit {}: {}",
            path.display(),
            run.code,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        if run.code == 2 {
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        }
    }
}
