//! Periods: a campaign that collects the same report every month or quarter (`2024-01`,
//! `2024-02`, `2024Q1` …). [`start`] begins a new period — recorded in tianbao.toml (`period`)
//! and in the store, the round back to 1 — and issues its workbooks into `outbox/<period>/`,
//! prefilled with each department's last accepted values of the period before for the inputs
//! the spec marks `carry`. Earlier periods' folders (`inbox/<period>/`, `out/<period>/`) and
//! receipts (kept under `inbox/<period>`) are never touched. [`collection_of`] gives any
//! period's returns as its last validate run settled them, for the history sheet of compile.

use std::collections::HashMap;

use super::generate::{GenerateOptions, GenerateOutcome};
use super::standing::Receipted;
use super::{AppError, Progress};
use crate::campaign::Campaign;
use crate::model::Master;
use crate::returns::Collection;
use crate::spec::Spec;
use crate::store::Store;
use crate::template::Prefill;

/// What `period new` should do.
#[derive(Debug, Clone, Default)]
pub struct PeriodOptions {
    /// The new period's name (`2024-03`).
    pub name: String,
    /// RFC 3339 time of the run (the workbooks' issue time).
    pub at: String,
    /// The new period's deadline as departments read it (`2024年8月5日`); None: the period
    /// before's, moved on by the periods' distance (see [`Deadline`]).
    pub deadline: Option<String>,
}

/// Where a new period's deadline came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deadline {
    /// Given for it (`--deadline`).
    Given,
    /// The period before's, moved on by `months` (2024-07's 2024年7月5日 → 2024年8月5日).
    Moved { months: i32 },
    /// Kept as it was: it or the periods' names say no date to move (or none was set).
    Kept,
}

/// A period begun.
#[derive(Debug)]
pub struct Started {
    pub period: String,
    /// The period before (None: the campaign ran without periods until now).
    pub previous: Option<String>,
    /// The departments whose workbook came prefilled with their values of the period before.
    pub carried: Vec<String>,
    /// What issuing the workbooks did; when it was refused nothing was begun.
    pub generated: GenerateOutcome,
    /// The period's deadline, and where it came from.
    pub deadline: (String, Deadline),
}

/// The deadline of period `name` after `previous`: the one given, else the one set moved on
/// by as many months as the periods' ends are apart, in the same words (`2024年7月5日` →
/// `2024年8月5日`); kept when no date or period end can be read.
pub fn next_deadline(
    current: &str,
    previous: Option<&str>,
    name: &str,
    given: Option<&str>,
) -> (String, Deadline) {
    if let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) {
        return (given.to_string(), Deadline::Given);
    }
    let kept = (current.to_string(), Deadline::Kept);
    let (Some(from), Some(to)) = (
        previous.and_then(crate::schedule::period_end),
        crate::schedule::period_end(name),
    ) else {
        return kept;
    };
    let months = (i32::from(to.year()) * 12 + i32::from(to.month()))
        - (i32::from(from.year()) * 12 + i32::from(from.month()));
    let Some(date) = crate::schedule::deadline_date(current, from.year()) else {
        return kept;
    };
    if months <= 0 {
        return kept;
    }
    let Ok(moved) = date.checked_add(jiff::Span::new().months(months)) else {
        return kept;
    };
    let words = if current.contains('年') {
        format!("{}年{}月{}日", moved.year(), moved.month(), moved.day())
    } else {
        moved.to_string()
    };
    // `前` or `止` after the date stays after it.
    let tail: String = current
        .trim()
        .chars()
        .rev()
        .take_while(|c| "前止".contains(*c))
        .collect();
    (format!("{words}{tail}"), Deadline::Moved { months })
}

/// The periods of a campaign in the order they began, the current one last: those recorded in
/// the store, and the current one of tianbao.toml when the store does not have it yet.
pub fn periods(campaign: &Campaign) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = if campaign.store_path().exists() {
        let store = Store::open(&campaign.store_path())?;
        store.periods()?.into_iter().map(|(name, _)| name).collect()
    } else {
        Vec::new()
    };
    if let Some(current) = &campaign.config.period {
        names.retain(|n| n != current);
        names.push(current.clone());
    }
    Ok(names)
}

/// Begins period `options.name` and issues its workbooks.
pub fn start(
    mut campaign: Campaign,
    options: &PeriodOptions,
    progress: &dyn Progress,
) -> Result<(Campaign, Started), AppError> {
    let name = options.name.trim().to_string();
    crate::campaign::validate_period(&name).map_err(|e| AppError::PeriodName {
        name: name.clone(),
        detail: e.message.map(|m| m.to_string()).unwrap_or_default(),
    })?;
    let locked = super::lock(&campaign, "period")?;
    let known = periods(&campaign)?;
    if known.contains(&name) {
        return Err(AppError::PeriodUsed {
            name,
            periods: known.join("、"),
        });
    }
    let spec = campaign.spec()?;
    let read = campaign.read_master(&spec)?;
    let previous = campaign.config.period.clone();
    let prefill = match collection_of(&campaign, &read.master, &spec, previous.as_deref())? {
        Some(collection) => carried_values(&spec, &collection),
        None => HashMap::new(),
    };
    let mut config = campaign.config.clone();
    config.period = Some(name.clone());
    config.round = 1;
    let deadline = next_deadline(
        &config.deadline,
        previous.as_deref(),
        &name,
        options.deadline.as_deref(),
    );
    config.deadline = deadline.0.clone();
    let next = Campaign {
        dir: campaign.dir.clone(),
        config: config.clone(),
    };
    let generate = GenerateOptions {
        at: options.at.clone(),
        prefill,
        ..GenerateOptions::default()
    };
    let mut generated = super::generate::write_all(&next, &generate, progress)?;
    let mut carried: Vec<String> = generate.prefill.keys().cloned().collect();
    carried.sort();
    if let GenerateOutcome::Written { took_over, .. } = &mut generated {
        *took_over = locked.took_over.clone();
        record(&mut campaign, config, previous.as_deref(), &options.at)?;
    }
    drop(locked.lock);
    Ok((
        campaign,
        Started {
            period: name,
            previous,
            carried,
            generated,
            deadline,
        },
    ))
}

/// Records the new period: the store first (the period before too, when tianbao.toml named it
/// and the store did not have it), then tianbao.toml.
fn record(
    campaign: &mut Campaign,
    config: crate::campaign::Config,
    previous: Option<&str>,
    at: &str,
) -> Result<(), AppError> {
    let store = Store::open(&campaign.store_path())?;
    if let Some(previous) = previous {
        store.start_period(previous, at)?;
    }
    if let Some(name) = &config.period {
        store.start_period(name, at)?;
    }
    campaign.save_config(config)?;
    Ok(())
}

/// The returns of `period` (None: of the campaign before it ran in periods) as its last
/// validate run settled them; None when that period was never validated.
pub fn collection_of(
    campaign: &Campaign,
    master: &Master,
    spec: &Spec,
    period: Option<&str>,
) -> Result<Option<Collection>, AppError> {
    if !campaign.store_path().exists() {
        return Ok(None);
    }
    let store = Store::open(&campaign.store_path())?;
    let Some(receipted) = Receipted::last(&store, &crate::campaign::inbox_key(period))? else {
        return Ok(None);
    };
    let mut ctx = campaign.context(master, spec);
    ctx.period = period.map(str::to_string);
    Ok(Some(receipted.settle(ctx).0))
}

/// Each department's accepted values of the inputs the spec carries, by item: what its valid
/// return said (empty cells are not carried).
pub fn carried_values(spec: &Spec, collection: &Collection) -> HashMap<String, Prefill> {
    let keys: Vec<&str> = spec
        .inputs
        .iter()
        .filter(|i| i.carry)
        .map(|i| i.key.as_str())
        .collect();
    let mut prefill = HashMap::new();
    if keys.is_empty() {
        return prefill;
    }
    for standing in collection
        .departments
        .iter()
        .filter(|s| s.status == crate::returns::DepartmentStatus::Valid)
    {
        let Some(ret) = collection.chosen(&standing.department) else {
            continue;
        };
        let mut items = HashMap::new();
        for (id, item) in &ret.items {
            let values: HashMap<String, String> = item
                .values
                .iter()
                .filter(|(key, value)| keys.contains(&key.as_str()) && !value.text.is_empty())
                .map(|(key, value)| (key.clone(), value.text.clone()))
                .collect();
            if !values.is_empty() {
                items.insert(id.clone(), values);
            }
        }
        if !items.is_empty() {
            let one = Prefill {
                items,
                ..Prefill::default()
            };
            prefill.insert(standing.department.clone(), one);
        }
    }
    prefill
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_moves_on_with_its_period() {
        let next = |current, previous, name, given| next_deadline(current, previous, name, given);
        assert_eq!(
            next("2024年7月5日", Some("2024-07"), "2024-08", None),
            ("2024年8月5日".into(), Deadline::Moved { months: 1 })
        );
        assert_eq!(
            next("2024年1月31日前", Some("2024-01"), "2024-02", None),
            ("2024年2月29日前".into(), Deadline::Moved { months: 1 })
        );
        assert_eq!(
            next("2024-04-10", Some("2024Q1"), "2024Q2", None),
            ("2024-07-10".into(), Deadline::Moved { months: 3 })
        );
        assert_eq!(
            next(
                "2024年7月5日",
                Some("2024-07"),
                "2024-08",
                Some("2024年8月9日")
            ),
            ("2024年8月9日".into(), Deadline::Given)
        );
        assert_eq!(
            next("每月5日前", Some("2024-07"), "2024-08", None),
            ("每月5日前".into(), Deadline::Kept)
        );
        assert_eq!(
            next("2024年7月5日", None, "2024-08", None),
            ("2024年7月5日".into(), Deadline::Kept)
        );
        assert_eq!(
            next("2024年7月5日", Some("第一期"), "第二期", None),
            ("2024年7月5日".into(), Deadline::Kept)
        );
    }
}
