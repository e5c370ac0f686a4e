//! `tianbao demo`: the whole cycle on the built-in sample master, in one folder, in about a
//! second — init, generate, departments fill in (two with mistakes), validate with feedback,
//! the two fix their feedback workbooks, validate again, compile; then the assessment group's
//! review: the 核定表 issued, filled and returned, validated and compiled into the results.

use std::path::{Path, PathBuf};

use super::render::t;
use tianbao::app::check::Validated;
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
    let campaign = create(dir)?;
    cycle(&campaign)?;
    let compiled = review(&campaign)?;
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

/// Step 1: the sample master written into `dir` and a campaign made from it, in the
/// terminal's language (its workbooks and messages too).
fn create(dir: &Path) -> Result<Campaign, Fatal> {
    let tx = texts();
    step(1, "demo.step.init");
    let master_file = dir.join("sample-master.xlsx");
    save_atomic(&master_file, SAMPLE_MASTER).map_err(write_error(&master_file))?;
    let spec = (tx.language() == "en").then(|| Path::new("en"));
    let (campaign, _) = Campaign::init_with(
        &dir.join("campaign"),
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
    Ok(campaign)
}

/// Validates the campaign's inbox, with feedback workbooks when `feedback`.
fn validate(campaign: &Campaign, feedback: bool) -> Result<Validated, Fatal> {
    Ok(tianbao::app::check::validate(
        Campaign::open(&campaign.dir)?,
        &tianbao::app::check::ValidateOptions {
            feedback,
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &tianbao::app::Quiet,
    )?)
}

/// Compiles the campaign and renders what came of it.
fn compile(campaign: &Campaign) -> Result<Outcome, Fatal> {
    let compiled = tianbao::app::compile::compile(
        Campaign::open(&campaign.dir)?,
        &tianbao::app::compile::CompileOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &tianbao::app::Quiet,
    )?;
    Ok(super::compile::render(compiled))
}

/// Steps 2–7: generate, the departments return (two with mistakes), validate with feedback,
/// the two fix theirs, validate again (all valid), compile.
fn cycle(campaign: &Campaign) -> Result<(), Fatal> {
    let tx = texts();
    step(2, "demo.step.generate");
    let spec = campaign.spec()?;
    let generated = tianbao::app::generate::generate(
        campaign,
        &tianbao::app::generate::GenerateOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &tianbao::app::Quiet,
    )?;
    super::generate::render(&spec, generated);

    step(3, "demo.step.fill");
    let count = tianbao::demo::return_with_mistakes(campaign, &mistakes())?;
    println!(
        "{}",
        tx.count(
            "demo.returned",
            count,
            &[("dir", &shown(&campaign.inbox()))]
        )
    );

    step(4, "demo.step.validate");
    super::validate::render(&validate(campaign, true)?, false, 3)?;

    step(5, "demo.step.fix");
    for (department, path) in tianbao::demo::return_fixed(campaign)? {
        println!(
            "{}",
            tx.say(
                "demo.fixed",
                &[("department", &t(&department)), ("path", &shown(&path))]
            )
        );
    }

    step(6, "demo.step.revalidate");
    if super::validate::render(&validate(campaign, false)?, false, 0)? != Outcome::Clean {
        return Err(Fatal(Said::new("error.demo_bug")));
    }

    step(7, "demo.step.compile");
    compile(campaign)?;
    Ok(())
}

/// Steps 8–9: the review workbook issued, the assessment group fills and returns it, then
/// validate and compile into the results.
fn review(campaign: &Campaign) -> Result<Outcome, Fatal> {
    let tx = texts();
    step(8, "demo.step.review");
    let reviewed = tianbao::app::review::review(
        Campaign::open(&campaign.dir)?,
        &tianbao::app::review::ReviewOptions {
            out: None,
            at: tianbao::time::now_utc(),
        },
        &tianbao::app::Quiet,
    )?;
    super::review::render(&campaign.spec()?, reviewed);
    let (path, changes, entries) = tianbao::demo::return_review(
        campaign,
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
    let validated = validate(campaign, false)?;
    if !validated.checked.collection.all_clear() {
        super::validate::render(&validated, false, 0)?;
        return Err(Fatal(Said::new("error.demo_bug")));
    }
    compile(campaign)
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
