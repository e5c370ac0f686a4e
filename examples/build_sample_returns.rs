//! Rebuilds the sample campaign `samples/campaign/`: its config (created once, then kept so the
//! returns stay signed by the same secret), the master copy, and in `inbox/` a few returned
//! workbooks — valid ones and ones with the mistakes people make — for trying `validate`.
//!
//! ```text
//! cargo run --example build_sample_returns
//! ```

use std::io::Write;
use std::path::Path;

use tianbao::campaign::Campaign;
use tianbao::demo::{Mistake, change_locked_text, fill};
use tianbao::template::write_template;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let dir = root.join("campaign");
    let campaign = if dir.join("tianbao.toml").exists() {
        Campaign::open(&dir)?
    } else {
        Campaign::init(
            &dir,
            &root.join("master.xlsx"),
            None,
            None,
            Default::default(),
        )?
        .0
    };
    let spec = campaign.spec()?;
    let master = campaign.read_master(&spec)?.master;
    let form = tianbao::form::Form::new(&master, &spec);
    let config = &campaign.config;
    let inbox = campaign.inbox();
    let _ = std::fs::remove_dir_all(&inbox);
    std::fs::create_dir_all(&inbox)?;
    let issue = config.issue(config.round, "2024-01-02T09:00:00Z");
    // (file, department, mistakes)
    let returns: Vec<(&str, &str, Vec<Mistake>)> = vec![
        ("水科-填报表.xlsx", "水科", vec![]),
        ("人事科.xlsx", "人事科", vec![]),
        ("监测综合科-已填.xlsx", "监测综合科", vec![]),
        (
            "大气科（得分超过权重）.xlsx",
            "大气科",
            vec![Mistake::ScoreAboveWeight("1-6-1".into())],
        ),
        (
            "审批科（缺扣分原因、改了指标内容）.xlsx",
            "审批科",
            vec![
                Mistake::EmptyDeduction("1-1-2".into()),
                Mistake::ChangedText("1-1-3".into()),
            ],
        ),
    ];
    for (name, department, mistakes) in &returns {
        let prefill = fill(&master, department, &spec, mistakes);
        let mut bytes = write_template(&master, &form, department, &spec, &issue, Some(&prefill))?;
        for mistake in mistakes {
            if let Mistake::ChangedText(id) = mistake {
                let item = master.item(id).ok_or("no such item")?;
                bytes = change_locked_text(&bytes, item).ok_or("text not found")?;
            }
        }
        std::fs::write(inbox.join(name), bytes)?;
        println!("wrote inbox/{name}");
    }
    // 办公室 sends its workbook with one of its two evidence files in a zip.
    let mut prefill = fill(&master, "办公室", &spec, &[]);
    let first = master
        .items_of("办公室")
        .next()
        .ok_or("办公室 has no items")?;
    prefill
        .items
        .entry(first.id.clone())
        .or_default()
        .insert("evidence".into(), "会议纪要.pdf、现场照片.jpg".into());
    let bytes = write_template(&master, &form, "办公室", &spec, &issue, Some(&prefill))?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("办公室/办公室-填报表.xlsx", options)?;
    zip.write_all(&bytes)?;
    zip.start_file("办公室/佐证材料/会议纪要.pdf", options)?;
    zip.write_all(b"%PDF-1.4\n% sample evidence: minutes of the meeting\n")?;
    std::fs::write(inbox.join("办公室.zip"), zip.finish()?.into_inner())?;
    println!("wrote inbox/办公室.zip");
    // The master itself, sent back by mistake.
    std::fs::copy(root.join("master.xlsx"), inbox.join("考评表（总表）.xlsx"))?;
    println!("wrote inbox/考评表（总表）.xlsx");
    Ok(())
}
