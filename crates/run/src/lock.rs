//! One run at a time: a run holds an exclusive lock on every directory it writes (the
//! state, the raw zone, a local lake) from before it touches anything until it ends.
//!
//! The lock is the operating system's advisory file lock (`flock`) on `_ringlake.lock` in
//! each directory, so it dies with its process: a `kill -9`ed run can never leave a lock
//! that blocks the next one. The file also tells who holds it (pid, host, start, command),
//! for the second run's error line. A run that ends cleanly empties the file; a non-empty
//! file found when the lock is free was left by a run that died, and taking it over is
//! logged with that run's identity.
//!
//! An object-store lake has no `flock`: it gets a lease object instead
//! ([`ringlake_load::Lake::lease`]).

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use tracing::{debug, warn};

/// The lock file's name in each locked directory (leading `_`: lake readers skip it).
pub const LOCK_FILE_NAME: &str = "_ringlake.lock";

/// Who holds (or held) a lock: written into the lock file, named in the error of a run that
/// finds the lock taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Process id of the run.
    pub pid: u32,
    /// Host name of the machine it runs on.
    pub host: String,
    /// When it started, RFC 3339 UTC.
    pub started: String,
    /// What it runs: `run daily-calls`, `transform`.
    pub command: String,
}

impl Holder {
    /// This process, started now, running `command`.
    pub fn this_process(command: &str) -> Holder {
        Holder {
            pid: std::process::id(),
            host: host_name(),
            started: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            command: command.to_owned(),
        }
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`, pid {} on host {}, started {}",
            self.command, self.pid, self.host, self.started
        )
    }
}

/// Another run holds a lock this run needs.
#[derive(Debug)]
pub struct Locked {
    /// The lock file.
    pub path: PathBuf,
    /// Who holds it, when the file says (it is empty for the instant after it was taken).
    pub holder: Option<Holder>,
}

impl fmt::Display for Locked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is locked by another ringlake run",
            self.path.display()
        )?;
        match &self.holder {
            Some(h) => write!(f, " ({h})")?,
            None => write!(
                f,
                " (a transform reading it, or a run that has just started)"
            )?,
        }
        write!(
            f,
            "; one run at a time: wait for it to finish, or stop it (a stopped run's lock is released with its process)"
        )
    }
}

impl std::error::Error for Locked {}

/// The locks of one run; dropping it releases them (and empties the files, which tells the
/// next run that this one ended cleanly).
#[derive(Debug)]
pub struct RunLock {
    files: Vec<(PathBuf, File)>,
}

impl RunLock {
    /// Locks `dirs` (created if missing; a directory named twice, or through a different
    /// path, is locked once) for `holder`, or fails naming the run that holds one of them.
    /// Fails at once: a second run must not wait behind the first.
    pub fn acquire<'a>(
        dirs: impl IntoIterator<Item = &'a Path>,
        holder: &Holder,
    ) -> anyhow::Result<RunLock> {
        let mut lock = RunLock { files: Vec::new() };
        let mut seen = BTreeSet::new();
        for dir in dirs {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create directory {}: {e}", dir.display()))?;
            if let Some(path) = lock_path(dir, &mut seen)? {
                let file = open(&path).map_err(|e| io("open the lock file", &path, e))?;
                lock.files
                    .push((path.clone(), take(file, &path, Some(holder))?));
            }
        }
        Ok(lock)
    }

    /// Adds a shared lock on `dir`, for a command that only reads it (`transform` reading
    /// a raw zone): readers go side by side, but not beside a run writing there. A
    /// directory where no lock file can be made (read-only, another user's) is read
    /// unlocked: we cannot write there, so no run of ours can either.
    pub fn share(mut self, dir: &Path) -> anyhow::Result<RunLock> {
        let mut seen = self.files.iter().map(|(p, _)| p.clone()).collect();
        if let Some(path) = lock_path(dir, &mut seen)? {
            match open(&path) {
                Ok(file) => {
                    let file = take(file, &path, None)?;
                    self.files.push((path, file));
                }
                Err(e) => {
                    debug!(lock = %path.display(), error = %e, "No lock file can be made here; reading unlocked.");
                }
            }
        }
        Ok(self)
    }
}

/// `<dir>/_ringlake.lock` by the directory's canonical path; `None` when `seen` has it.
fn lock_path(dir: &Path, seen: &mut BTreeSet<PathBuf>) -> anyhow::Result<Option<PathBuf>> {
    let canonical = dir
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("cannot resolve {}: {e}", dir.display()))?;
    let path = canonical.join(LOCK_FILE_NAME);
    Ok(seen.insert(path.clone()).then_some(path))
}

fn io(op: &str, path: &Path, e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot {op} {}: {e}", path.display())
}

fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

impl Drop for RunLock {
    fn drop(&mut self) {
        for (path, file) in &self.files {
            // Emptied while still locked: nobody can read a half-cleared file as a dead
            // run's. The lock itself goes with the file handle.
            if let Err(e) = file.set_len(0) {
                warn!(lock = %path.display(), error = %e, "Cannot clear the lock file.");
            }
        }
    }
}

/// Locks `file` exclusively for `holder` (and writes it in), or shared when `None`.
fn take(mut file: File, path: &Path, holder: Option<&Holder>) -> anyhow::Result<File> {
    let tried = match holder {
        Some(_) => file.try_lock(),
        None => file.try_lock_shared(),
    };
    match tried {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(Locked {
                path: path.to_owned(),
                holder: read_holder(&mut file),
            }
            .into());
        }
        Err(TryLockError::Error(e)) => return Err(io("lock", path, e)),
    }
    let Some(holder) = holder else {
        return Ok(file);
    };
    if let Some(dead) = read_holder(&mut file) {
        warn!(lock = %path.display(), previous = %dead, "Taking over the lock of a run that ended without releasing it (killed or crashed).");
    }
    let text = serde_json::to_string(holder)
        .map_err(|e| anyhow::anyhow!("cannot encode the lock holder: {e}"))?;
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(format!("{text}\n").as_bytes()))
        .and_then(|()| file.sync_data())
        .map_err(|e| io("write the lock file", path, e))?;
    Ok(file)
}

/// The holder the lock file names, if it names one (empty: released cleanly or just taken).
fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.rewind().ok()?;
    // A lock file is one short line; never read more than a few KB of whatever it holds.
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

/// The machine's name, for the lock file; `unknown` when the system does not say.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_at_once_naming_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("state"), tmp.path().join("raw"));
        let first = Holder::this_process("run first");
        let held = RunLock::acquire([a.as_path(), b.as_path()], &first).unwrap();
        // Another open file description of the same file conflicts, as another process would.
        let err = RunLock::acquire([b.as_path()], &Holder::this_process("run second"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "{}",
                b.canonicalize().unwrap().join(LOCK_FILE_NAME).display()
            )),
            "{err}"
        );
        assert!(
            err.contains("`run first`") && err.contains(&format!("pid {}", first.pid)),
            "{err}"
        );
        drop(held);
        let again = RunLock::acquire(
            [a.as_path(), b.as_path()],
            &Holder::this_process("run third"),
        );
        assert!(again.is_ok());
    }

    #[test]
    fn one_directory_named_twice_is_locked_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("zone");
        let via_dot = tmp.path().join(".").join("zone");
        let lock = RunLock::acquire(
            [dir.as_path(), via_dot.as_path()],
            &Holder::this_process("run"),
        );
        assert_eq!(lock.unwrap().files.len(), 1);
    }

    #[test]
    fn a_clean_release_empties_the_file_and_a_dead_holder_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(LOCK_FILE_NAME);
        drop(RunLock::acquire([tmp.path()], &Holder::this_process("run")).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        // What a killed run leaves: its line, no lock.
        let dead = Holder {
            pid: 999_999,
            host: "elsewhere".into(),
            started: "2026-01-01T00:00:00Z".into(),
            command: "run nightly".into(),
        };
        std::fs::write(&path, serde_json::to_string(&dead).unwrap()).unwrap();
        let mut file = File::open(&path).unwrap();
        assert_eq!(read_holder(&mut file), Some(dead));
        let me = Holder::this_process("run");
        let _lock = RunLock::acquire([tmp.path()], &me).unwrap();
        let mut file = File::open(&path).unwrap();
        assert_eq!(read_holder(&mut file), Some(me));
    }
}
