//! `tianbao serve`: the campaign in a browser on this computer or the office's LAN (the server
//! is [`tianbao::serve`]); `--links` prints the departments' links and `--reissue` replaces
//! one, without serving.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use tianbao::campaign::Campaign;
use tianbao::cell_text::for_terminal;
use tianbao::explain::Said;
use tianbao::serve::{Options, Started};
use tianbao::ui_texts::pad;

use super::{Fatal, Outcome, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to serve: ADDRESS:PORT, or a port on this computer.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// The address in the departments' links.
    #[arg(long)]
    pub url: Option<String>,
    /// Print the departments' links and stop.
    #[arg(long)]
    pub links: bool,
    /// Issue a new link for this department (repeatable) and stop.
    #[arg(long)]
    pub reissue: Vec<String>,
}

/// `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`, `localhost:8080`, or a port alone.
fn parse_bind(text: &str) -> Result<SocketAddr, Fatal> {
    let text = text.trim();
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    if let Some(port) = text
        .strip_prefix("localhost:")
        .and_then(|p| p.parse::<u16>().ok())
    {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    text.parse::<SocketAddr>()
        .map_err(|_| Fatal(Said::new("error.serve.bind_value").text("value", text)))
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let options = Options {
        bind: parse_bind(&args.bind)?,
        url: args.url.clone(),
    };
    let tx = texts();
    if !args.reissue.is_empty() {
        let base = stored_base(&campaign, &options)?;
        for department in &args.reissue {
            let link = tianbao::serve::reissue(&campaign, department, "office@cli")?;
            println!(
                "{}",
                tx.say(
                    "serve.reissued",
                    &[
                        ("department", &for_terminal(department)),
                        ("url", &link.url(&base)),
                    ]
                )
            );
        }
        return Ok(Outcome::Clean);
    }
    if args.links {
        let base = stored_base(&campaign, &options)?;
        let links = tianbao::serve::department_links(&campaign, &base)?;
        let pairs: Vec<(String, String)> = links
            .iter()
            .map(|l| (l.department.clone(), l.url(&base)))
            .collect();
        print_links(&pairs);
        return Ok(Outcome::Clean);
    }
    let title = campaign.config.title.clone();
    tianbao::serve::serve(campaign, &options, |started: &Started| {
        print_started(&title, started);
    })?;
    println!("{}", tx.get("serve.stopped"));
    Ok(Outcome::Clean)
}

/// What the office is told once the server listens: where, its sign-in link and token, the
/// departments' links, and whether the LAN can reach it.
fn print_started(title: &str, started: &Started) {
    let tx = texts();
    let url = format!("http://{}/", started.address);
    println!("{}", tx.say("serve.listening", &[("url", &url)]));
    println!(
        "{}",
        tx.say("serve.campaign", &[("title", &for_terminal(title))])
    );
    println!(
        "{}",
        tx.say("serve.office", &[("url", &started.office_url)])
    );
    let token = started.office_url.rsplit('/').next().unwrap_or("");
    println!("{}", tx.say("serve.office_token", &[("token", token)]));
    print_links(&started.links);
    if started.lan {
        let address = started.address.to_string();
        eprintln!("{}", tx.say("serve.lan", &[("address", &address)]));
        let port = started.address.port().to_string();
        println!(
            "{}",
            tx.say("serve.lan_url", &[("base", &started.base), ("port", &port)])
        );
    } else {
        println!("{}", tx.get("serve.local_only"));
    }
    println!("{}", tx.get("serve.notices"));
    println!("{}", tx.get("serve.stop"));
}

/// The address in the links when not serving: `--url`, else the one the last `serve` used,
/// else the bound one.
fn stored_base(campaign: &Campaign, options: &Options) -> Result<String, Fatal> {
    if options.url.is_none()
        && campaign.store_path().exists()
        && let Ok(store) = tianbao::store::Store::open(&campaign.store_path())
        && let Ok(Some(base)) = store.setting(tianbao::access::URL_SETTING)
    {
        return Ok(base);
    }
    Ok(tianbao::serve::base_url(options, options.bind)?)
}

fn print_links(links: &[(String, String)]) {
    let tx = texts();
    println!("{}", tx.get("serve.links"));
    let shown: Vec<String> = links
        .iter()
        .map(|(d, _)| for_terminal(d).into_owned())
        .collect();
    let width = tianbao::ui_texts::widest(shown.iter().map(String::as_str));
    for (name, (_, url)) in shown.iter().zip(links) {
        println!("  {}  {url}", pad(name, width));
    }
}
