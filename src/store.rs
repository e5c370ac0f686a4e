//! The campaign's store: an SQLite database (`tianbao.db` in the campaign folder) holding the
//! receipts of what `validate` checked — per run, each return's path, size, SHA-256, time,
//! department, round, status and the values read from it — the replacements a person
//! confirmed, the periods of a campaign that runs in periods (each period's receipts are kept
//! under its own inputs key, `inbox/<period>`, so a later period never replaces them), and a
//! log of the office's actions. Every write is one transaction, so a killed
//! run leaves the previous receipts whole; SQLite's own locking lets the command line and the
//! web server share it.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot use the campaign's store {path}: {detail}; if another tianbao is running on this \
         campaign, wait for it; if the file is damaged, move it away and run `tianbao validate` \
         again"
    )]
    Sql { path: String, detail: String },
    #[error(
        "the campaign's store {path} was written by a newer tianbao (schema {found}, this one \
         knows {known}); use the newer tianbao"
    )]
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
}

const SCHEMA: i64 = 1;

/// How many runs on the same inputs keep their receipts.
const KEPT_RUNS: i64 = 5;

/// One return as checked, as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub modified: Option<String>,
    pub department: Option<String>,
    pub round: Option<u32>,
    pub status: String,
    /// Everything read from it (the return, its values and findings) as JSON.
    pub record: String,
}

/// A validate run: when, on which inputs, and what it passed over.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub id: i64,
    pub at: String,
    /// The inputs as given (the inbox, or the paths named), one key.
    pub inputs: String,
    /// The files passed over, as JSON.
    pub skipped: String,
}

pub struct Store {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating when missing) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let display = path.display().to_string();
        let sql = |e: rusqlite::Error| StoreError::Sql {
            path: display.clone(),
            detail: e.to_string(),
        };
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(sql)?;
        let store = Store {
            conn,
            path: display.clone(),
        };
        store.create()?;
        Ok(store)
    }

    fn sql(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            path: self.path.clone(),
            detail: e.to_string(),
        }
    }

    fn create(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS runs (
                     id INTEGER PRIMARY KEY, at TEXT NOT NULL, command TEXT NOT NULL,
                     inputs TEXT NOT NULL, skipped TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS receipts (
                     run INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL,
                     size INTEGER NOT NULL, sha256 TEXT NOT NULL, modified TEXT,
                     department TEXT, round INTEGER, status TEXT NOT NULL, record TEXT NOT NULL,
                     PRIMARY KEY (run, path));
                 CREATE TABLE IF NOT EXISTS confirmations (
                     department TEXT NOT NULL, accepted TEXT NOT NULL, replaced TEXT NOT NULL,
                     at TEXT NOT NULL, PRIMARY KEY (department, accepted, replaced));
                 CREATE TABLE IF NOT EXISTS periods (
                     name TEXT PRIMARY KEY, seq INTEGER NOT NULL, started_at TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS log (
                     id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
                     action TEXT NOT NULL, detail TEXT NOT NULL);",
            )
            .map_err(|e| self.sql(e))?;
        let found: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        match found.and_then(|v| v.parse::<i64>().ok()) {
            Some(found) if found > SCHEMA => Err(StoreError::Newer {
                path: self.path.clone(),
                found,
                known: SCHEMA,
            }),
            Some(_) => Ok(()),
            None => self
                .conn
                .execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?1)",
                    params![SCHEMA.to_string()],
                )
                .map(|_| ())
                .map_err(|e| self.sql(e)),
        }
    }

    /// Records a run and its receipts, all or nothing. Returns the run's id.
    pub fn record(
        &mut self,
        at: &str,
        command: &str,
        inputs: &str,
        skipped: &str,
        receipts: &[Receipt],
    ) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| StoreError::Sql {
            path: path.clone(),
            detail: e.to_string(),
        };
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute(
            "INSERT INTO runs (at, command, inputs, skipped) VALUES (?1, ?2, ?3, ?4)",
            params![at, command, inputs, skipped],
        )
        .map_err(sql)?;
        let run = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR REPLACE INTO receipts (run, path, size, sha256, modified,
                     department, round, status, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(sql)?;
            for r in receipts {
                insert
                    .execute(params![
                        run,
                        r.path,
                        r.size as i64,
                        r.sha256,
                        r.modified,
                        r.department,
                        r.round,
                        r.status,
                        r.record
                    ])
                    .map_err(sql)?;
            }
        }
        // The receipts of older runs on the same inputs go (the runs stay, for the log).
        tx.execute(
            "DELETE FROM receipts WHERE run IN (SELECT id FROM runs WHERE inputs = ?1
             AND id NOT IN (SELECT id FROM runs WHERE inputs = ?1 ORDER BY id DESC LIMIT ?2))",
            params![inputs, KEPT_RUNS],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(run)
    }

    /// Records that period `name` began at `at`, after every period recorded so far. A
    /// period recorded already keeps its place.
    pub fn start_period(&self, name: &str, at: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO periods (name, seq, started_at) VALUES (?1,
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM periods), ?2)",
                params![name, at],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// The periods recorded, in the order they began: (name, when).
    pub fn periods(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut select = self
            .conn
            .prepare("SELECT name, started_at FROM periods ORDER BY seq")
            .map_err(|e| self.sql(e))?;
        let rows = select
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The last run on `inputs`.
    pub fn last_run(&self, inputs: &str) -> Result<Option<Run>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, at, inputs, skipped FROM runs WHERE inputs = ?1
                 ORDER BY id DESC LIMIT 1",
                params![inputs],
                |r| {
                    Ok(Run {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        inputs: r.get(2)?,
                        skipped: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// The receipts of run `run`, by path.
    pub fn receipts(&self, run: i64) -> Result<Vec<Receipt>, StoreError> {
        let mut select = self
            .conn
            .prepare(
                "SELECT path, size, sha256, modified, department, round, status, record
                 FROM receipts WHERE run = ?1 ORDER BY rowid",
            )
            .map_err(|e| self.sql(e))?;
        let rows = select
            .query_map(params![run], |r| {
                Ok(Receipt {
                    path: r.get(0)?,
                    size: r.get::<_, i64>(1)? as u64,
                    sha256: r.get(2)?,
                    modified: r.get(3)?,
                    department: r.get(4)?,
                    round: r.get(5)?,
                    status: r.get(6)?,
                    record: r.get(7)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The receipts of run `run` without their records (what files were checked, as they were).
    pub fn files(&self, run: i64) -> Result<Vec<Receipt>, StoreError> {
        let mut select = self
            .conn
            .prepare(
                "SELECT path, size, sha256, modified, department, round, status
                 FROM receipts WHERE run = ?1 ORDER BY rowid",
            )
            .map_err(|e| self.sql(e))?;
        let rows = select
            .query_map(params![run], |r| {
                Ok(Receipt {
                    path: r.get(0)?,
                    size: r.get::<_, i64>(1)? as u64,
                    sha256: r.get(2)?,
                    modified: r.get(3)?,
                    department: r.get(4)?,
                    round: r.get(5)?,
                    status: r.get(6)?,
                    record: String::new(),
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The records of run `run`, in order, handed to `each` a chunk at a time (so that tens of
    /// thousands are never held as text all at once).
    pub fn records(
        &self,
        run: i64,
        chunk: usize,
        mut each: impl FnMut(Vec<String>) -> Result<(), String>,
    ) -> Result<Result<(), String>, StoreError> {
        let mut select = self
            .conn
            .prepare("SELECT record FROM receipts WHERE run = ?1 ORDER BY rowid")
            .map_err(|e| self.sql(e))?;
        let mut rows = select.query(params![run]).map_err(|e| self.sql(e))?;
        let mut batch = Vec::with_capacity(chunk);
        while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
            batch.push(row.get::<_, String>(0).map_err(|e| self.sql(e))?);
            if batch.len() == chunk
                && let Err(e) = each(std::mem::take(&mut batch))
            {
                return Ok(Err(e));
            }
        }
        Ok(if batch.is_empty() {
            Ok(())
        } else {
            each(batch)
        })
    }

    /// Records that `accepted` (a file's SHA-256) replaces `replaced` for `department`.
    pub fn confirm(
        &mut self,
        department: &str,
        accepted: &str,
        replaced: &[String],
        at: &str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| StoreError::Sql {
            path: path.clone(),
            detail: e.to_string(),
        };
        let tx = self.conn.transaction().map_err(sql)?;
        for old in replaced {
            tx.execute(
                "INSERT OR REPLACE INTO confirmations (department, accepted, replaced, at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![department, accepted, old, at],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// Every confirmed replacement: (department, accepted SHA-256, replaced SHA-256).
    pub fn confirmations(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut select = self
            .conn
            .prepare("SELECT department, accepted, replaced FROM confirmations")
            .map_err(|e| self.sql(e))?;
        let rows = select
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// Adds a line to the office's log.
    pub fn log(&self, at: &str, actor: &str, action: &str, detail: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO log (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
                params![at, actor, action, detail],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(path: &str) -> Receipt {
        Receipt {
            path: path.into(),
            size: 10,
            sha256: "ab".repeat(32),
            modified: Some("2026-12-01T10:00:00Z".into()),
            department: Some("水科".into()),
            round: Some(1),
            status: "valid".into(),
            record: "{}".into(),
        }
    }

    #[test]
    fn runs_and_receipts_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("tianbao.db")).unwrap();
        assert_eq!(store.last_run("inbox").unwrap(), None);
        store
            .record("t1", "validate", "inbox", "[]", &[receipt("a.xlsx")])
            .unwrap();
        let second = store
            .record(
                "t2",
                "validate",
                "inbox",
                "[]",
                &[receipt("a.xlsx"), receipt("b.xlsx")],
            )
            .unwrap();
        let run = store.last_run("inbox").unwrap().unwrap();
        assert_eq!(run.id, second);
        let receipts = store.receipts(run.id).unwrap();
        assert_eq!(receipts, vec![receipt("a.xlsx"), receipt("b.xlsx")]);
        store
            .confirm("水科", "new", &["old".to_string()], "t3")
            .unwrap();
        assert_eq!(
            store.confirmations().unwrap(),
            vec![("水科".into(), "new".into(), "old".into())]
        );
        drop(store);
        // Reopened: the same.
        let mut store = Store::open(&dir.path().join("tianbao.db")).unwrap();
        assert_eq!(store.receipts(second).unwrap().len(), 2);
        // Only the last runs keep their receipts.
        for n in 0..KEPT_RUNS {
            store
                .record(
                    &format!("t{n}"),
                    "validate",
                    "inbox",
                    "[]",
                    &[receipt("c.xlsx")],
                )
                .unwrap();
        }
        assert!(store.receipts(second).unwrap().is_empty());
        assert_eq!(
            store
                .receipts(store.last_run("inbox").unwrap().unwrap().id)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn periods_keep_their_order_and_their_receipts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        store.start_period("2024-01", "t1").unwrap();
        store.start_period("2024-02", "t2").unwrap();
        store.start_period("2024-01", "t3").unwrap();
        assert_eq!(
            store.periods().unwrap(),
            vec![
                ("2024-01".to_string(), "t1".to_string()),
                ("2024-02".to_string(), "t2".to_string())
            ]
        );
        store
            .record(
                "t1",
                "validate",
                "inbox/2024-01",
                "[]",
                &[receipt("a.xlsx")],
            )
            .unwrap();
        for _ in 0..KEPT_RUNS + 1 {
            store
                .record(
                    "t2",
                    "validate",
                    "inbox/2024-02",
                    "[]",
                    &[receipt("b.xlsx")],
                )
                .unwrap();
        }
        let first = store.last_run("inbox/2024-01").unwrap().unwrap();
        assert_eq!(
            store.files(first.id).unwrap().len(),
            1,
            "an earlier period's receipts went"
        );
    }
}
