//! The campaign's store: an SQLite database (`tianbao.db` in the campaign folder) holding the
//! receipts of what `validate` checked — per run, each return's path, size, SHA-256, time,
//! department, round, status and the values read from it — the replacements a person
//! confirmed, the periods of a campaign that runs in periods (each period's receipts are kept
//! under its own inputs key, `inbox/<period>`, so a later period never replaces them), and a
//! log of the office's actions. For `tianbao serve` it also keeps the departments' access
//! tokens (only their SHA-256; see [`crate::access`]) and a receipt of every upload
//! (department, token, file, size, SHA-256, time, client address, status). Every write is one
//! transaction, so a killed run leaves the previous receipts whole; SQLite's own locking (with
//! a wait of up to 30 s) lets the command line and the web server share it.

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

/// A department's access token as the store keeps it: never the token itself, only its
/// SHA-256 and the random nonce it was made from (see [`crate::access`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub department: String,
    pub nonce: String,
    pub hash: String,
    pub created: String,
    pub revoked: Option<String>,
}

/// What became of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStatus {
    /// Stored in inbox/ and checked: no errors.
    Valid,
    /// Stored in inbox/ and checked: errors for the department to fix.
    Invalid,
    /// Not stored in inbox/: another department's, another campaign's, stale, unreadable, over
    /// a limit.
    Refused,
}

impl UploadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Valid => "valid",
            UploadStatus::Invalid => "invalid",
            UploadStatus::Refused => "refused",
        }
    }

    fn parse(text: &str) -> UploadStatus {
        match text {
            "valid" => UploadStatus::Valid,
            "invalid" => UploadStatus::Invalid,
            _ => UploadStatus::Refused,
        }
    }
}

/// The receipt of one upload through `tianbao serve`.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub id: i64,
    pub department: String,
    /// The token it came with.
    pub token: i64,
    /// Where it was stored, relative to the campaign folder (`inbox/水科/…xlsx`); none when
    /// refused before it was kept.
    pub file: Option<String>,
    /// The file name the browser sent (shown, never used as a path).
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// The client's address.
    pub client: String,
    pub status: UploadStatus,
    /// The findings of its check, as JSON.
    pub findings: String,
}

/// A line of the office's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
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
                     action TEXT NOT NULL, detail TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS tokens (
                     id INTEGER PRIMARY KEY, department TEXT NOT NULL, nonce TEXT NOT NULL,
                     hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL, revoked TEXT);
                 CREATE TABLE IF NOT EXISTS uploads (
                     id INTEGER PRIMARY KEY, department TEXT NOT NULL,
                     token INTEGER NOT NULL REFERENCES tokens(id), file TEXT,
                     name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
                     at TEXT NOT NULL, client TEXT NOT NULL, status TEXT NOT NULL,
                     findings TEXT NOT NULL);",
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

    /// The last `limit` lines of the office's log, newest first.
    pub fn log_lines(&self, limit: usize) -> Result<Vec<LogLine>, StoreError> {
        let mut select = self
            .conn
            .prepare("SELECT at, actor, action, detail FROM log ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.sql(e))?;
        let rows = select
            .query_map(params![limit as i64], |r| {
                Ok(LogLine {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// A setting kept in the store (`serve.url`).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![format!("setting.{key}")],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Keeps a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![format!("setting.{key}"), value],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Adds a department's token (its SHA-256 and nonce). Returns its id.
    pub fn add_token(
        &self,
        department: &str,
        nonce: &str,
        hash: &str,
        at: &str,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO tokens (department, nonce, hash, created) VALUES (?1, ?2, ?3, ?4)",
                params![department, nonce, hash, at],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Revokes every token of `department` still in force. Returns how many.
    pub fn revoke_tokens(&self, department: &str, at: &str) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "UPDATE tokens SET revoked = ?2 WHERE department = ?1 AND revoked IS NULL",
                params![department, at],
            )
            .map_err(|e| self.sql(e))
    }

    fn token_row(r: &rusqlite::Row) -> rusqlite::Result<Token> {
        Ok(Token {
            id: r.get(0)?,
            department: r.get(1)?,
            nonce: r.get(2)?,
            hash: r.get(3)?,
            created: r.get(4)?,
            revoked: r.get(5)?,
        })
    }

    /// The tokens in force, one per department at most (the newest), oldest department first.
    pub fn active_tokens(&self) -> Result<Vec<Token>, StoreError> {
        let mut select = self
            .conn
            .prepare(
                "SELECT id, department, nonce, hash, created, revoked FROM tokens
                 WHERE revoked IS NULL AND id IN
                     (SELECT MAX(id) FROM tokens WHERE revoked IS NULL GROUP BY department)
                 ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = select
            .query_map([], Store::token_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The token in force whose SHA-256 is `hash`, if any.
    pub fn token_by_hash(&self, hash: &str) -> Result<Option<Token>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, department, nonce, hash, created, revoked FROM tokens
                 WHERE hash = ?1 AND revoked IS NULL",
                params![hash],
                Store::token_row,
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Records an upload's receipt. Returns its id.
    pub fn add_upload(&self, upload: &Upload) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO uploads (department, token, file, name, size, sha256, at, client,
                 status, findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    upload.department,
                    upload.token,
                    upload.file,
                    upload.name,
                    upload.size as i64,
                    upload.sha256,
                    upload.at,
                    upload.client,
                    upload.status.as_str(),
                    upload.findings
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn upload_row(r: &rusqlite::Row) -> rusqlite::Result<Upload> {
        Ok(Upload {
            id: r.get(0)?,
            department: r.get(1)?,
            token: r.get(2)?,
            file: r.get(3)?,
            name: r.get(4)?,
            size: r.get::<_, i64>(5)? as u64,
            sha256: r.get(6)?,
            at: r.get(7)?,
            client: r.get(8)?,
            status: UploadStatus::parse(&r.get::<_, String>(9)?),
            findings: r.get(10)?,
        })
    }

    /// The uploads of `department` (every department's when `None`), newest first, at most
    /// `limit`.
    pub fn uploads(
        &self,
        department: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Upload>, StoreError> {
        let mut select = self
            .conn
            .prepare(
                "SELECT id, department, token, file, name, size, sha256, at, client, status,
                 findings FROM uploads WHERE (?1 IS NULL OR department = ?1)
                 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|e| self.sql(e))?;
        let rows = select
            .query_map(params![department, limit as i64], Store::upload_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// How many uploads were kept in inbox/ (not refused).
    pub fn kept_uploads(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM uploads WHERE status != 'refused'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
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
    fn tokens_and_uploads_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("tianbao.db")).unwrap();
        let first = store.add_token("水科", "n1", "h1", "t1").unwrap();
        store.add_token("大气科", "n2", "h2", "t1").unwrap();
        assert_eq!(store.token_by_hash("h1").unwrap().unwrap().id, first);
        assert_eq!(store.revoke_tokens("水科", "t2").unwrap(), 1);
        assert_eq!(store.token_by_hash("h1").unwrap(), None);
        let again = store.add_token("水科", "n3", "h3", "t3").unwrap();
        let active: Vec<(String, i64)> = store
            .active_tokens()
            .unwrap()
            .into_iter()
            .map(|t| (t.department, t.id))
            .collect();
        assert_eq!(active, vec![("大气科".into(), 2), ("水科".into(), again)]);
        let upload = Upload {
            id: 0,
            department: "水科".into(),
            token: again,
            file: Some("inbox/水科/a.xlsx".into()),
            name: "a.xlsx".into(),
            size: 3,
            sha256: "ab".into(),
            at: "t4".into(),
            client: "127.0.0.1".into(),
            status: UploadStatus::Invalid,
            findings: "[]".into(),
        };
        let id = store.add_upload(&upload).unwrap();
        let read = store.uploads(Some("水科"), 10).unwrap();
        assert_eq!(read, vec![Upload { id, ..upload }]);
        assert!(store.uploads(Some("大气科"), 10).unwrap().is_empty());
        assert_eq!(store.kept_uploads().unwrap(), 1);
        store.set_setting("serve.url", "http://pc:8080").unwrap();
        assert_eq!(
            store.setting("serve.url").unwrap().as_deref(),
            Some("http://pc:8080")
        );
        store.log("t5", "office", "compile", "done").unwrap();
        assert_eq!(store.log_lines(5).unwrap()[0].action, "compile");
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
