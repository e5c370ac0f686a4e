//! Any bytes, read and checked as a returned workbook exactly as `tianbao validate` does:
//! format sniffing, the preflight checks, calamine, the signed identity and every cell. Findings
//! are fine; a panic that escapes, an abort, a timeout or running out of memory is a bug.
//!
//! Seed the corpus with real returns (see CONTRIBUTING.md); the sample master is the campaign.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tianbao::model::Master;
use tianbao::returns::gather::{Data, Gathered, Input, Place};
use tianbao::returns::{Context, Limits, collect};
use tianbao::spec::Spec;

/// The campaign the corpus's returns were issued by (as in tests/robustness.rs).
const CAMPAIGN_ID: &str = "00c0ffee00c0ffee";
const SECRET: &str = "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2";

static CAMPAIGN: LazyLock<(Master, Spec, String)> = LazyLock::new(|| {
    let spec = Spec::builtin();
    let bytes = include_bytes!("../../samples/master.xlsx").to_vec();
    let book =
        tianbao::workbook::open_bytes("master.xlsx", bytes).expect("the sample master opens");
    let master = tianbao::master::read_master_workbook("master.xlsx", &book, &spec, &Default::default())
        .expect("the sample master reads")
        .master;
    let fingerprint = tianbao::identity::fingerprint(&master);
    (master, spec, fingerprint)
});

fuzz_target!(
    init: {
        LazyLock::force(&CAMPAIGN);
        // Panics inside the spreadsheet readers are contained by tianbao (they become
        // `unreadable` findings): keep them from being reported. One that escapes still
        // aborts at the FFI boundary and is caught.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
        let (master, spec, fingerprint) = &*CAMPAIGN;
        let ctx = Context {
            master,
            spec,
            campaign_id: CAMPAIGN_ID,
            secret: SECRET,
            round: 1,
            fingerprint: fingerprint.clone(),
            limits: Limits::default(),
        };
        let gathered = Gathered {
            inputs: vec![Input {
                display: "fuzz.xlsx".into(),
                data: Data::Bytes(data.to_vec()),
                modified: None,
                place: Place::Archive(0),
            }],
            archives: vec!["fuzz".into()],
            ..Gathered::default()
        };
        let collection = collect(&ctx, gathered);
        assert_eq!(collection.returns.len(), 1);
    }
);
