//! A campaign's standing from its receipts: the returns the last validate run of some inputs
//! checked, read back from the store, and decided again as validate decided them (which
//! return counts for each department, the office's confirmations applied). Nothing is read
//! from the returns again. `compile`, `period` and the web pages all stand on this one
//! function ([`Receipted::settle`]).

use crate::returns::{self, Collection, Context, Return, receipt};
use crate::store::{Run, Store};

use super::AppError;

/// What the store keeps of one validate run: the run, the returns it checked (as their
/// receipts recorded them) and the office's confirmations of replacements.
#[derive(Debug)]
pub struct Receipted {
    pub run: Run,
    pub returns: Vec<Return>,
    pub confirmed: Vec<(String, String, String)>,
}

impl Receipted {
    /// The receipts of the last validate run on `inputs` (an inbox key such as `inbox` or
    /// `inbox/2024-Q1`, or the paths named); None when those inputs were never validated.
    pub fn last(store: &Store, inputs: &str) -> Result<Option<Receipted>, AppError> {
        match store.last_run(inputs)? {
            Some(run) => Ok(Some(Receipted::of_run(store, run)?)),
            None => Ok(None),
        }
    }

    /// The receipts of `run`, parsed.
    pub fn of_run(store: &Store, run: Run) -> Result<Receipted, AppError> {
        let mut returns = Vec::new();
        store
            .records(run.id, 1_000, |chunk| {
                returns.extend(receipt::parse_records(&chunk)?);
                Ok(())
            })?
            .map_err(AppError::Receipt)?;
        let confirmed = store.confirmations()?;
        Ok(Receipted {
            run,
            returns,
            confirmed,
        })
    }

    /// The campaign's standing: the returns decided again under `ctx` (its confirmations
    /// replaced by the store's), with the files the run passed over. Gives back the run.
    pub fn settle(self, mut ctx: Context<'_>) -> (Collection, Run) {
        ctx.confirmed = self.confirmed;
        let skipped = receipt::skipped_of(&self.run.skipped);
        (returns::settle(&ctx, self.returns, skipped), self.run)
    }
}
