//! `tianbao demo`: the whole cycle on the built-in sample master, in one folder, in about a
//! second — init, generate, departments fill in (two with mistakes), validate with feedback,
//! the two fix their feedback workbooks, validate again, compile; then the assessment group's
//! review: the 核定表 issued, filled and returned, validated and compiled into the results.

use std::path::{Path, PathBuf};

use super::render::t;
use tianbao::campaign::Campaign;
use tianbao::demo::{Mistake, SAMPLE_MASTER};
use tianbao::explain::{Explain, Said};
use tianbao::write::save_atomic;

use super::{Fatal, Outcome, shown, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create.
    #[arg(default_value = "tianbao-demo")]
    pub dir: PathBuf,
}

/// The sample office's settings, in the terminal's language.
fn details() -> tianbao::campaign::Details {
    let tx = texts();
    tianbao::campaign::Details {
        title: None,
        contact: tx.get("demo.contact").to_string(),
        deadline: tx.get("demo.deadline").to_string(),
        office: tx.get("demo.office").to_string(),
        return_to: tx.get("demo.return_to").to_string(),
    }
}

/// Marks a folder as made by `demo`, so a second run may replace it.
const MARKER: &str = ".tianbao-demo";

/// The departments that make mistakes, and which.
fn mistakes() -> Vec<(&'static str, Vec<Mistake>)> {
    vec![
        ("大气科", vec![Mistake::ScoreAboveWeight("1-6-1".into())]),
        (
            "水科",
            vec![
                Mistake::EmptyDeduction("1-7-2".into()),
                Mistake::ChangedText("1-8-1".into()),
            ],
        ),
    ]
}

fn step(n: u32, key: &str) {
    println!("\n== {n}. {}", texts().get(key));
}

/// A file the demo could not write.
fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Fatal + '_ {
    move |e| Fatal(tianbao::app::AppError::write_io(path, &e).said())
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let tx = texts();
    let started = std::time::Instant::now();
    let dir = &args.dir;
    prepare(dir)?;

    step(1, "demo.step.init");
    let master_file = dir.join("sample-master.xlsx");
    save_atomic(&master_file, SAMPLE_MASTER).map_err(write_error(&master_file))?;
    let campaign_dir = dir.join("campaign");
    // The campaign speaks the terminal's language: its workbooks and messages too.
    let spec = (tx.language() == "en").then(|| Path::new("en"));
    let (campaign, _) = Campaign::init_with(
        &campaign_dir,
        &master_file,
        spec,
        &details(),
        Default::default(),
    )?;
    let marker = dir.join(MARKER);
    std::fs::write(&marker, "made by tianbao demo\n").map_err(write_error(&marker))?;
    println!(
        "{}",
        tx.say("demo.created", &[("dir", &shown(&campaign.dir))])
    );

    step(2, "demo.step.generate");
    let spec = campaign.spec()?;
    let quiet = tianbao::app::Quiet;
    let generated = tianbao::app::generate::generate(
        &campaign,
        &tianbao::app::generate::GenerateOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    super::generate::render(&spec, generated);

    step(3, "demo.step.fill");
    let count = tianbao::demo::return_with_mistakes(&campaign, &mistakes())?;
    println!(
        "{}",
        tx.count(
            "demo.returned",
            count,
            &[("dir", &shown(&campaign.inbox()))]
        )
    );

    step(4, "demo.step.validate");
    let validated = tianbao::app::check::validate(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::check::ValidateOptions {
            feedback: true,
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    super::validate::render(&validated, false, 3)?;

    step(5, "demo.step.fix");
    for (department, path) in tianbao::demo::return_fixed(&campaign)? {
        println!(
            "{}",
            tx.say(
                "demo.fixed",
                &[("department", &t(&department)), ("path", &shown(&path))]
            )
        );
    }

    step(6, "demo.step.revalidate");
    let validated = tianbao::app::check::validate(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::check::ValidateOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    let outcome = super::validate::render(&validated, false, 0)?;
    if outcome != Outcome::Clean {
        return Err(Fatal(Said::new("error.demo_bug")));
    }

    step(7, "demo.step.compile");
    let compiled = tianbao::app::compile::compile(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::compile::CompileOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    super::compile::render(compiled);

    step(8, "demo.step.review");
    let reviewed = tianbao::app::review::review(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::review::ReviewOptions {
            out: None,
            at: tianbao::time::now_utc(),
        },
        &quiet,
    )?;
    super::review::render(&spec, reviewed);
    let (path, changes, entries) = tianbao::demo::return_review(
        &campaign,
        tx.get("demo.reviewer"),
        tx.get("demo.review_date"),
    )?;
    println!(
        "{}",
        tx.say(
            "demo.reviewed",
            &[
                ("changes", &changes.to_string()),
                ("entries", &entries.to_string()),
                ("path", &shown(&path)),
            ]
        )
    );

    step(9, "demo.step.results");
    let validated = tianbao::app::check::validate(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::check::ValidateOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    if !validated.checked.collection.all_clear() {
        super::validate::render(&validated, false, 0)?;
        return Err(Fatal(Said::new("error.demo_bug")));
    }
    let compiled = tianbao::app::compile::compile(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::compile::CompileOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    let compiled = super::compile::render(compiled);

    println!(
        "\n{}",
        tx.say(
            "demo.done",
            &[
                (
                    "seconds",
                    &format!("{:.2}", started.elapsed().as_secs_f64())
                ),
                ("dir", &shown(&campaign.dir)),
            ]
        )
    );
    Ok(compiled)
}

/// Makes sure `dir` can be used: absent, empty, or an earlier demo (which is removed).
fn prepare(dir: &Path) -> Result<(), Fatal> {
    if dir.exists() {
        let is_demo = dir.join(MARKER).exists();
        let is_empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if is_demo {
            std::fs::remove_dir_all(dir).map_err(|e| {
                Fatal(
                    Said::new("error.demo_replace")
                        .text("dir", dir.display())
                        .io("reason", &e),
                )
            })?;
        } else if !is_empty {
            return Err(Fatal(
                Said::new("error.demo_exists").text("dir", dir.display()),
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(write_error(dir))?;
    Ok(())
}
