//! Plays every department of a campaign: fills its workbook correctly (see `tianbao::demo::fill`)
//! and puts it into the campaign's inbox/. For trying `validate` and `compile` at scale.
//!
//! ```text
//! cargo run --release --example fill_returns -- CAMPAIGN_DIR
//! ```

use rayon::prelude::*;
use tianbao::campaign::Campaign;
use tianbao::template::{Issue, file_name, write_template};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: fill_returns CAMPAIGN_DIR")?;
    let campaign = Campaign::open(std::path::Path::new(&dir))?;
    let spec = campaign.spec()?;
    let master = campaign.read_master(&spec)?.master;
    let config = &campaign.config;
    let issued_at = tianbao::time::now_utc();
    let issue = Issue {
        title: &config.title,
        deadline: &config.deadline,
        contact: &config.contact,
        password: &config.password,
        campaign_id: &config.id,
        secret: &config.secret,
        round: config.round,
        issued_at: &issued_at,
    };
    master
        .departments
        .par_iter()
        .try_for_each(|d| -> Result<(), String> {
            let prefill = tianbao::demo::fill(&master, &d.name, &spec, &[]);
            let bytes = write_template(&master, &d.name, &spec, &issue, Some(&prefill))
                .map_err(|e| e.to_string())?;
            let path = campaign.inbox().join(file_name(&config.title, &d.name));
            tianbao::write::save_atomic(&path, &bytes).map_err(|e| e.to_string())
        })?;
    println!(
        "{} returns in {}",
        master.departments.len(),
        campaign.inbox().display()
    );
    Ok(())
}
