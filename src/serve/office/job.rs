//! Generate, validate and compile from the office's page: `POST /office/run/<what>` starts a
//! job that runs the application layer as the command line runs it (under the campaign lock,
//! waiting for a command that holds it); `GET /office/jobs/<id>` shows its progress, then its
//! outcome in words with what to do next; `GET /office/jobs/<id>/state` is its progress as
//! JSON for the page's script.

use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::super::html::{csrf_field, query_value, text};
use super::super::jobs::{JobOutcome, JobProgress, Line, waiting_for_lock};
use super::super::state::{Loaded, State};
use super::{Form_, as_office, not_found, note, page_refreshing, relative};
use crate::app::compile::{CompileOutcome, Written};
use crate::app::generate::{GenerateOutcome, GenerateWarning};
use crate::app::{AppError, Stage};
use crate::ui_texts::Texts;

/// `POST /office/run/<generate|validate|compile>`.
pub async fn run(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(what): Path<String>,
    Form(form): Form_,
) -> Response {
    let allow_incomplete = form.get("allow_incomplete").is_some_and(|v| v == "1");
    let revalidate = form.get("revalidate").is_some_and(|v| v == "1");
    let shared = state.clone();
    as_office(state, headers, Some(&form), move |state, loaded, _| {
        let kind = match what.as_str() {
            "generate" => "generate",
            "validate" => "validate",
            "compile" => "compile",
            _ => return not_found(state, loaded),
        };
        let mut detail = String::new();
        if allow_incomplete {
            detail.push_str("--allow-incomplete ");
        }
        if revalidate {
            detail.push_str("--revalidate");
        }
        note(state, &client.ip().to_string(), kind, detail.trim());
        let work = Work {
            kind,
            accept: Vec::new(),
            allow_incomplete,
            revalidate,
        };
        start(&shared, loaded, work)
    })
    .await
}

/// What a job of the office's is asked to do.
pub struct Work {
    /// generate | validate | compile | accept
    pub kind: &'static str,
    /// Returns the office confirms (`validate --accept`).
    pub accept: Vec<PathBuf>,
    pub allow_incomplete: bool,
    pub revalidate: bool,
}

/// Starts `work` as a job; the answer leads to its page.
pub fn start(state: &Arc<State>, loaded: &Loaded, work: Work) -> Response {
    let worker = state.clone();
    let t = loaded.texts();
    let failed = t.get("error.internal").to_string();
    let job = state.jobs.start(work.kind, failed, move |progress| {
        run_job(&worker, &work, progress).unwrap_or_else(|error| {
            use crate::explain::Explain;
            let terminal = crate::ui_texts::Texts::builtin(t.language());
            JobOutcome {
                ok: false,
                headline: error.said().render(terminal),
                ..JobOutcome::default()
            }
        })
    });
    super::super::guard::see_other(&format!("/office/jobs/{}", job.id))
}

/// Runs a job through the application layer, as the command line runs it, under the campaign
/// lock (waiting for a command that holds it).
fn run_job(state: &State, work: &Work, progress: &JobProgress) -> Result<JobOutcome, AppError> {
    use crate::app::{check, compile, generate};
    let loaded = state.loaded()?;
    let _writer = state.writer();
    let at = crate::time::now_utc();
    let campaign = &loaded.campaign;
    let t = loaded.texts();
    Ok(match work.kind {
        "generate" => {
            let options = generate::GenerateOptions {
                at,
                ..Default::default()
            };
            let outcome = waiting_for_lock(|| generate::generate(campaign, &options, progress))?;
            generated(t, &loaded.spec, outcome)
        }
        "compile" => {
            let options = compile::CompileOptions {
                allow_incomplete: work.allow_incomplete,
                revalidate: work.revalidate,
                at,
                ..Default::default()
            };
            let outcome =
                waiting_for_lock(|| compile::compile(campaign.clone(), &options, progress))?;
            compiled(t, &campaign.dir, outcome)
        }
        _ => {
            let options = check::ValidateOptions {
                feedback: true,
                accept: work.accept.clone(),
                at,
                ..Default::default()
            };
            let outcome =
                waiting_for_lock(|| check::validate(campaign.clone(), &options, progress))?;
            validated(t, &campaign.dir, outcome)
        }
    })
}

/// A line leading to a file of the campaign (`dir`) to download.
fn file_link(t: &Texts, dir: &FsPath, path: &FsPath, key: &str) -> Line {
    let rel = relative(dir, &path.display().to_string());
    Line::link(
        t.say(key, &[("file", &rel)]),
        format!("/office/file?f={}", query_value(&rel)),
    )
}

/// What generate did, in the page's words; the master's errors in the campaign's spec, as the
/// command line says them.
fn generated(t: &Texts, spec: &crate::spec::Spec, outcome: GenerateOutcome) -> JobOutcome {
    match outcome {
        GenerateOutcome::Refused { errors, .. } => JobOutcome {
            ok: false,
            headline: t.count("job.generate_refused", errors.len(), &[]),
            lines: errors.iter().map(|f| Line::text(f.message(spec))).collect(),
            ..JobOutcome::default()
        },
        GenerateOutcome::Written {
            issued, warnings, ..
        } => {
            let mut lines = vec![Line::link(t.get("job.see_files"), "/office/files")];
            for w in warnings {
                lines.push(Line::text(t.get(match w {
                    GenerateWarning::NoContact => "job.no_contact",
                    GenerateWarning::NoDeadline => "job.no_deadline",
                })));
            }
            JobOutcome {
                ok: true,
                headline: t.count("job.generated", issued.len(), &[]),
                lines,
                ..JobOutcome::default()
            }
        }
    }
}

/// What validate found: how many departments stand where, the report and feedback workbooks.
fn validated(t: &Texts, dir: &FsPath, v: crate::app::check::Validated) -> JobOutcome {
    let c = &v.checked.collection;
    let count = |s: &str| {
        c.departments
            .iter()
            .filter(|d| d.status.as_str() == s)
            .count()
    };
    let mut lines = vec![file_link(t, dir, &v.report, "job.report")];
    for path in &v.feedback {
        lines.push(file_link(t, dir, path, "job.feedback"));
    }
    lines.push(Line::link(t.get("job.back"), "/office"));
    JobOutcome {
        ok: c.all_clear(),
        headline: t.say(
            "job.validated",
            &[
                ("valid", &count("valid").to_string()),
                ("invalid", &count("invalid").to_string()),
                ("missing", &count("missing").to_string()),
            ],
        ),
        lines,
        ..JobOutcome::default()
    }
}

/// How compile ended, in the page's words, with what to do next.
fn compiled(t: &Texts, dir: &FsPath, outcome: CompileOutcome) -> JobOutcome {
    match outcome {
        CompileOutcome::Written(w) => written(t, dir, &w),
        CompileOutcome::Refused { blockers } => JobOutcome {
            ok: false,
            headline: t.count("job.compile_refused", blockers.len(), &[]),
            lines: blockers
                .iter()
                .map(|s| {
                    Line::text(match s.status {
                        crate::returns::DepartmentStatus::Invalid => t.count(
                            "job.blocker_invalid",
                            s.errors,
                            &[("department", &s.department)],
                        ),
                        _ => t.say("job.blocker_missing", &[("department", &s.department)]),
                    })
                })
                .collect(),
            offer_incomplete: true,
            ..JobOutcome::default()
        },
        CompileOutcome::ReviewInvalid { review } => JobOutcome {
            ok: false,
            headline: t.count(
                "job.review_invalid",
                review.errors,
                &[("file", &relative(dir, &review.file))],
            ),
            ..JobOutcome::default()
        },
        CompileOutcome::NotValidated { changes, .. } => {
            let mut lines = Vec::new();
            for (key, list) in [
                ("job.change_new", &changes.new),
                ("job.change_changed", &changes.changed),
                ("job.change_gone", &changes.gone),
            ] {
                for path in list {
                    lines.push(Line::text(t.say(key, &[("file", &relative(dir, path))])));
                }
            }
            JobOutcome {
                ok: false,
                headline: t.get("job.not_validated").to_string(),
                lines,
                offer_revalidate: true,
                ..JobOutcome::default()
            }
        }
    }
}

/// The compiled workbook written: its total (or what was collected), the departments left out.
fn written(t: &Texts, dir: &FsPath, w: &Written) -> JobOutcome {
    let scores = &w.scores;
    let mut lines = vec![file_link(t, dir, &w.path, "job.compiled_file")];
    if scores.is_partial() {
        let names: Vec<&str> = w.blockers.iter().map(|s| s.department.as_str()).collect();
        lines.push(Line::text(t.say(
            "job.partial",
            &[("departments", &names.join(t.get("list.separator")))],
        )));
    }
    let headline = if w.checked.spec.score_input().is_none() {
        // Progress reporting and data collection have no total.
        t.say(
            "job.compiled_measured",
            &[("items", &w.checked.master.items().len().to_string())],
        )
    } else {
        t.say(
            "job.compiled",
            &[
                ("total", &crate::cell_text::show(scores.total())),
                (
                    "full",
                    &crate::cell_text::show(w.checked.master.total_weight()),
                ),
            ],
        )
    };
    JobOutcome {
        ok: true,
        headline,
        lines,
        ..JobOutcome::default()
    }
}

fn stage_word(t: &Texts, stage: Option<Stage>) -> &str {
    t.get(match stage {
        Some(Stage::Generating) => "job.stage.generating",
        Some(Stage::Checking) => "job.stage.checking",
        Some(Stage::Hashing) => "job.stage.hashing",
        None => "job.stage.waiting",
    })
}

/// A job's page: its progress while it runs, then its outcome.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: u64,
    pub title: String,
    pub state: JobState,
    pub csrf: String,
}

/// Where a job is.
#[derive(Debug, Clone)]
pub enum JobState {
    /// Running: its stage in words, how many are done of how many.
    Running {
        stage: String,
        done: usize,
        total: usize,
    },
    Finished(JobOutcome),
}

/// The job's page body.
pub fn render(t: &Texts, view: &JobView) -> Markup {
    html! {
        p.crumbs { a href="/office" { (text(t.get("nav.overview"))) } " › " (text(&view.title)) }
        section class="card job" {
            h1 { (text(&view.title)) }
            @match &view.state {
                JobState::Running { stage, done, total } => {
                    div.progress data-job=(view.id) {
                        div.label data-stage { (text(stage)) }
                        progress max="100" value=((done * 100).checked_div(*total).unwrap_or(0)) data-bar {}
                        div.meta data-count { (text(&format!("{done} / {total}"))) }
                    }
                }
                JobState::Finished(outcome) => (outcome_html(t, outcome, &view.csrf)),
            }
        }
    }
}

fn outcome_html(t: &Texts, outcome: &JobOutcome, csrf: &str) -> Markup {
    let class = if outcome.ok { "ok" } else { "error" };
    html! {
        p class={ "notice " (class) } data-done { (text(&outcome.headline)) }
        ul.lines {
            @for line in &outcome.lines {
                li {
                    @match &line.href {
                        Some(href) => a href=(text(href)) { (text(&line.text)) },
                        None => (text(&line.text)),
                    }
                }
            }
        }
        div.actions {
            @if outcome.offer_revalidate {
                form method="post" action="/office/run/compile" {
                    (csrf_field(csrf))
                    input type="hidden" name="revalidate" value="1";
                    button { (text(t.get("job.revalidate"))) }
                }
            }
            @if outcome.offer_incomplete {
                form method="post" action="/office/run/compile" data-confirm=(text(t.get("job.incomplete_confirm"))) {
                    (csrf_field(csrf))
                    input type="hidden" name="allow_incomplete" value="1";
                    button.secondary { (text(t.get("job.incomplete"))) }
                }
            }
            a class="button secondary" href="/office" { (text(t.get("job.back"))) }
        }
    }
}

/// `GET /office/jobs/<id>`: a job's progress, then its outcome.
pub async fn job(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    as_office(state, headers, None, move |state, loaded, csrf| {
        let t = loaded.texts();
        let Some(job) = state.jobs.get(id) else {
            return not_found(state, loaded);
        };
        let title = t.get(&format!("job.kind.{}", job.kind)).to_string();
        let job_state = match job.finished() {
            None => {
                let (stage, done, total) = job.progress.now();
                let stage = stage_word(t, stage).to_string();
                JobState::Running { stage, done, total }
            }
            Some(outcome) => JobState::Finished(outcome),
        };
        let refresh = matches!(job_state, JobState::Running { .. }).then_some(1);
        let view = JobView {
            id,
            title,
            state: job_state,
            csrf: csrf.to_string(),
        };
        page_refreshing(
            loaded,
            csrf,
            "/office",
            &view.title,
            render(t, &view),
            refresh,
        )
    })
    .await
}

/// `GET /office/jobs/<id>/state`: a job's progress as JSON, for the page's script.
pub async fn job_state(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    as_office(state, headers, None, move |state, loaded, _| {
        let t = loaded.texts();
        let Some(job) = state.jobs.get(id) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let (stage, done, total) = job.progress.now();
        let value = serde_json::json!({
            "done": job.finished().is_some(),
            "stage": stage_word(t, stage),
            "n": done,
            "total": total,
        });
        (
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_job_shows_its_progress() {
        let t = crate::serve::web_texts("zh");
        let view = JobView {
            id: 7,
            title: "校验".into(),
            state: JobState::Running {
                stage: "<检查>".into(),
                done: 1,
                total: 4,
            },
            csrf: "c".into(),
        };
        let html = render(t, &view).into_string();
        assert!(html.contains("<section class=\"card job\"><h1>校验</h1><div class=\"progress\" data-job=\"7\"><div class=\"label\" data-stage>&lt;检查&gt;</div>"), "{html}");
        assert!(html.contains("<progress max=\"100\" value=\"25\" data-bar></progress><div class=\"meta\" data-count>1 / 4</div></div></section>"), "{html}");
        let none = JobView {
            state: JobState::Running {
                stage: String::new(),
                done: 0,
                total: 0,
            },
            ..view
        };
        assert!(render(t, &none).into_string().contains("value=\"0\""));
    }

    #[test]
    fn an_outcome_offers_what_to_do_next() {
        let t = crate::serve::web_texts("en");
        let outcome = JobOutcome {
            ok: false,
            headline: "<refused>".into(),
            lines: vec![
                Line::link("report", "/office/file?f=a&b"),
                Line::text("水科"),
            ],
            offer_revalidate: true,
            offer_incomplete: true,
        };
        let html = outcome_html(t, &outcome, "tok").into_string();
        assert!(html.starts_with("<p class=\"notice error\" data-done>&lt;refused&gt;</p><ul class=\"lines\"><li><a href=\"/office/file?f=a&amp;b\">report</a></li><li>水科</li></ul>"), "{html}");
        assert!(
            html.contains("<input type=\"hidden\" name=\"revalidate\" value=\"1\">"),
            "{html}"
        );
        assert!(html.contains("<input type=\"hidden\" name=\"allow_incomplete\" value=\"1\"><button class=\"secondary\">"), "{html}");
        assert!(html.ends_with("</a></div>"), "{html}");
    }

    #[test]
    fn generate_refused_says_the_masters_errors_in_the_campaigns_spec() {
        use crate::finding::{Code, Finding};
        let t = crate::serve::web_texts("zh");
        let mut spec = crate::spec::Spec::builtin();
        let error = Finding::error(Code::MissingReturn);
        let key = error.message_key().to_string();
        spec.messages.insert(key, "本考评自己的话".into());
        let outcome = GenerateOutcome::Refused {
            master: PathBuf::from("总表.xlsx"),
            errors: vec![error],
        };
        let shown = generated(t, &spec, outcome);
        assert!(!shown.ok);
        assert_eq!(shown.lines.len(), 1);
        assert_eq!(shown.lines[0].text, "本考评自己的话");
    }
}
