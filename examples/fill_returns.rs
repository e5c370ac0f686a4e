//! Plays every department of a campaign: fills its workbook correctly (see `tianbao::demo::fill`)
//! and puts it into the campaign's inbox/. For trying `validate` and `compile` at scale.
//!
//! ```text
//! cargo run --release --example fill_returns -- CAMPAIGN_DIR
//! ```

use tianbao::campaign::Campaign;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: fill_returns CAMPAIGN_DIR")?;
    let campaign = Campaign::open(std::path::Path::new(&dir))?;
    let count = tianbao::demo::return_all(&campaign)?;
    println!("{count} returns in {}", campaign.inbox().display());
    Ok(())
}
