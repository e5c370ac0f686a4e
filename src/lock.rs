//! One writer per campaign: every command that writes into a campaign folder (generate,
//! validate, compile, demo) holds `.tianbao.lock` in it while it runs.
//!
//! Exclusion comes from the operating system's file lock on that file (`File::try_lock`),
//! which the system releases when the holder ends in any way, `kill -9` and power cuts included:
//! a lock file left behind by a dead holder is simply taken over. The file's content says who
//! holds it (process id, host, command, start time) so that a refused command can say whom it
//! waits for. Where the file system has no locks (some network shares), the recorded process id
//! decides instead: on Linux (`/proc/PID`) and Windows (`OpenProcess`) a holder whose process
//! is gone is stale.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside the campaign folder.
pub const LOCK_FILE: &str = ".tianbao.lock";

/// Who holds (or held) a campaign's lock, as recorded in the lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub command: String,
    /// When the holder took the lock, UTC.
    pub started: String,
}

impl Holder {
    fn this_process(command: &str) -> Holder {
        Holder {
            pid: std::process::id(),
            host: host_name(),
            command: command.to_string(),
            started: crate::time::now_utc(),
        }
    }

    fn to_text(&self) -> String {
        format!(
            "pid = {}\nhost = {}\ncommand = {}\nstarted = {}\n",
            self.pid,
            one_line(&self.host),
            one_line(&self.command),
            one_line(&self.started)
        )
    }

    fn parse(text: &str) -> Option<Holder> {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix('='))
                .map(|v| v.trim().to_string())
        };
        Some(Holder {
            pid: field("pid")?.parse().ok()?,
            host: field("host").unwrap_or_default(),
            command: field("command").unwrap_or_default(),
            started: field("started").unwrap_or_default(),
        })
    }

    /// `tianbao generate (pid 4242 on host pc-01, since 2024-01-05T08:00:00Z)`
    pub fn describe(&self) -> String {
        let host = if self.host.is_empty() || self.host == host_name() {
            String::new()
        } else {
            format!(" on {}", self.host)
        };
        format!(
            "`tianbao {}` (pid {}{host}, since {})",
            self.command, self.pid, self.started
        )
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

pub fn host_name() -> String {
    std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Whether process `pid` of this host is running: `Some` where that can be told (Linux, Windows).
#[cfg(not(windows))]
pub fn process_alive(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") {
        Some(Path::new("/proc").join(pid.to_string()).exists())
    } else {
        None
    }
}

/// Whether process `pid` of this host is running: `Some` where that can be told (Linux, Windows).
#[cfg(windows)]
#[allow(unsafe_code)]
pub fn process_alive(pid: u32) -> Option<bool> {
    use windows_sys::Win32::Foundation::{
        CloseHandle, ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, GetLastError, WAIT_TIMEOUT,
    };
    use windows_sys::Win32::System::Threading::{
        OpenProcess, PROCESS_SYNCHRONIZE, WaitForSingleObject,
    };
    // SAFETY: no pointers are passed; a handle that was opened is closed once.
    unsafe {
        let handle = OpenProcess(PROCESS_SYNCHRONIZE, 0, pid);
        if handle.is_null() {
            return match GetLastError() {
                ERROR_INVALID_PARAMETER => Some(false), // no process has this id
                ERROR_ACCESS_DENIED => Some(true),      // one has, of another user
                _ => None,
            };
        }
        // An ended process whose handle someone still holds is signalled: not running.
        let running = WaitForSingleObject(handle, 0) == WAIT_TIMEOUT;
        CloseHandle(handle);
        Some(running)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "the campaign {dir} is in use by {}; wait for it to finish and run this again \
         (if no tianbao command is running there, delete {path})",
        .holder.as_ref().map_or_else(|| "another tianbao command".to_string(), |h| h.describe())
    )]
    Held {
        dir: String,
        /// Who holds it, when the lock file says.
        holder: Option<Box<Holder>>,
        path: String,
    },
    #[error("cannot lock the campaign {dir} ({path}: {source}); check that the folder is writable")]
    Io {
        dir: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A held campaign lock; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    file: Option<File>,
    /// The holder found in the lock file when it was taken over, if any: a run that died.
    pub stale: Option<Holder>,
}

impl Lock {
    /// Takes the lock of the campaign in `dir` for `command`, or says who holds it.
    pub fn acquire(dir: &Path, command: &str) -> Result<Lock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io = |source: std::io::Error| LockError::Io {
            dir: dir.display().to_string(),
            path: path.display().to_string(),
            source,
        };
        let held = |holder: Option<Holder>| LockError::Held {
            dir: dir.display().to_string(),
            holder: holder.map(Box::new),
            path: path.display().to_string(),
        };
        // A few rounds: a holder that finishes removes the file between our open and our lock.
        let mut last_error = None;
        for _ in 0..20 {
            let mut file = match OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
            {
                Ok(file) => file,
                Err(e) => {
                    // Windows refuses to open a file that is being deleted; try again.
                    last_error = Some(e);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                }
            };
            let recorded = read_holder(&mut file);
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Err(held(recorded)),
                Err(TryLockError::Error(_)) => {
                    // No locks on this file system: the recorded process decides.
                    if let Some(h) = &recorded
                        && h.pid != std::process::id()
                        && (h.host != host_name() || process_alive(h.pid) != Some(false))
                    {
                        return Err(held(recorded));
                    }
                }
            }
            if !still_at(&file, &path) {
                continue;
            }
            // Anything recorded now was left by a holder that ended without cleaning up.
            let recorded = read_holder(&mut file);
            let mine = Holder::this_process(command);
            let written = (|| {
                file.set_len(0)?;
                std::io::Seek::rewind(&mut file)?;
                file.write_all(mine.to_text().as_bytes())?;
                file.sync_all()
            })();
            written.map_err(io)?;
            return Ok(Lock {
                path,
                file: Some(file),
                stale: recorded,
            });
        }
        Err(io(last_error.unwrap_or_else(|| {
            std::io::Error::other("the lock file kept changing")
        })))
    }

    /// Who holds the lock of the campaign in `dir` now, if anyone (for messages and tests).
    pub fn holder(dir: &Path) -> Option<Holder> {
        let mut file = File::open(dir.join(LOCK_FILE)).ok()?;
        match file.try_lock_shared() {
            Ok(()) => None,
            Err(_) => read_holder(&mut file),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove the file while still holding it, then let go.
        let _ = std::fs::remove_file(&self.path);
        drop(self.file.take());
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    std::io::Seek::rewind(file).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    Holder::parse(&text)
}

/// Whether `path` still names the open `file` (and not a newer file or nothing).
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `path` still names the open `file` (and not a newer file or nothing).
#[cfg(windows)]
#[allow(unsafe_code)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        BY_HANDLE_FILE_INFORMATION, GetFileInformationByHandle,
    };
    // The volume and file index identify a file as device and inode do on Unix.
    fn id(file: &File) -> Option<(u32, u32, u32)> {
        let mut info = BY_HANDLE_FILE_INFORMATION::default();
        // SAFETY: `file` is open for the whole call and `info` is the structure it fills.
        let ok = unsafe { GetFileInformationByHandle(file.as_raw_handle(), &mut info) };
        (ok != 0).then_some((
            info.dwVolumeSerialNumber,
            info.nFileIndexHigh,
            info.nFileIndexLow,
        ))
    }
    // A file being deleted cannot be opened: not there any more.
    match (id(file), File::open(path).ok().as_ref().and_then(id)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(not(any(unix, windows)))]
fn still_at(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_named() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path(), "generate").unwrap();
        let err = Lock::acquire(dir.path(), "validate").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`tianbao generate`")
                && text.contains(&format!("pid {}", std::process::id()))
                && text.contains(LOCK_FILE),
            "{text}"
        );
        assert_eq!(
            Lock::holder(dir.path()).map(|h| h.command),
            Some("generate".into())
        );
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists());
        assert_eq!(Lock::holder(dir.path()), None);
        let again = Lock::acquire(dir.path(), "validate").unwrap();
        assert_eq!(again.stale, None);
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let dead = Holder {
            pid: u32::MAX - 1,
            host: host_name(),
            command: "generate".into(),
            started: "2024-01-01T00:00:00Z".into(),
        };
        std::fs::write(dir.path().join(LOCK_FILE), dead.to_text()).unwrap();
        let lock = Lock::acquire(dir.path(), "validate").unwrap();
        assert_eq!(lock.stale, Some(dead));
        let text = std::fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert!(text.contains("command = validate"), "{text}");
    }

    #[test]
    fn holders_round_trip_and_garbage_is_no_holder() {
        let h = Holder::this_process("compile");
        assert_eq!(Holder::parse(&h.to_text()), Some(h));
        assert_eq!(Holder::parse("garbage\u{0}"), None);
        assert_eq!(Holder::parse(""), None);
    }

    #[test]
    fn this_process_is_alive() {
        if cfg!(any(target_os = "linux", windows)) {
            assert_eq!(process_alive(std::process::id()), Some(true));
            assert_eq!(process_alive(u32::MAX - 1), Some(false));
        }
    }
}
