//! The raw landing zone: `<raw>/<stream>/<window>/page-00001.json.zst`, each name as
//! `ringlake_contracts::raw` formats it (`call-log/<day>`, `extensions/<day>`,
//! `message-store/<FROM>_<TO>/<MAILBOX>`, `active-calls/<day>/<SNAPSHOT>`, …).
//!
//! Every page body is kept byte for byte (zstd-compressed) and written before it is used.
//! A window is fetched into a staging directory beside its final place whose name starts
//! with `.` and renamed into place whole, so a reader of `<raw>/<stream>/*/` never sees half
//! a window; names starting with `.` are what every reader and glob skips.
//!
//! Nothing landed is ever lost: a window fetched again keeps the pages of its earlier
//! fetches that the new one does not repeat, byte for byte, in `<window>/history/`
//! (`ringlake_contracts::raw`). The API forgets records; the raw zone does not.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng;
use ringlake_contracts::raw::{
    HISTORY_DIR, Window, history_fetch_dir_name, page_file_name, parse_history_fetch_dir,
    parse_page_file_name,
};
use ringlake_contracts::{Layout, Stream};
use sha2::{Digest, Sha256};
use tracing::{debug, info, warn};

use crate::error::{Error, Result};

/// zstd level for page bodies: JSON compresses ~10x at level 3, fast enough to keep up
/// with the network.
const ZSTD_LEVEL: i32 = 3;

/// The directory of one stream (`<raw>/call-log`).
#[derive(Clone, Debug)]
pub(crate) struct StreamDir {
    root: PathBuf,
    layout: Layout,
    /// Directory levels between the stream root and the page files: 1 for
    /// `<stream>/<day>/`, 2 for `<stream>/<span>/<mailbox>/`.
    depth: usize,
}

/// Whether the published window at `dir` still holds its pages `1..=pages` (a window
/// recorded with no page — a mailbox without a store — has nothing to check).
pub(crate) fn window_on_disk(dir: &Path, pages: u32) -> bool {
    pages == 0 || (1..=pages).all(|p| dir.join(page_file_name(p)).is_file())
}

fn random_suffix() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

impl StreamDir {
    /// `<raw>/<stream>/`, whose windows follow the stream's layout.
    pub(crate) fn new(raw_dir: &Path, stream: Stream) -> Self {
        let layout = stream.layout();
        StreamDir {
            root: raw_dir.join(stream.name()),
            layout,
            depth: match layout {
                Layout::MailboxWindow | Layout::InstantSnapshot => 2,
                _ => 1,
            },
        }
    }

    /// Where `window` is published.
    pub(crate) fn window_dir(&self, window: &Window) -> PathBuf {
        self.root.join(window.rel_dir())
    }

    /// Creates the stream directory and removes what a killed run left, at every level
    /// that holds windows: staging directories, and replaced copies — a replaced copy
    /// whose window is missing (killed between the two renames of a publish) is put back
    /// instead.
    pub(crate) fn prepare(&self) -> Result<usize> {
        fs::create_dir_all(&self.root).map_err(|e| Error::io("create directory", &self.root, e))?;
        let mut removed = clean_level(&self.root)?;
        if self.depth == 2 {
            let entries =
                fs::read_dir(&self.root).map_err(|e| Error::io("list directory", &self.root, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("list directory", &self.root, e))?;
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    removed += clean_level(&entry.path())?;
                }
            }
        }
        if removed > 0 {
            info!(removed, dir = %self.root.display(), "Removed leftovers of an interrupted run.");
        }
        Ok(removed)
    }

    /// A fresh staging directory for `window`, beside where it is published.
    pub(crate) fn stage(&self, window: &Window) -> Result<Staging> {
        if !window.fits(self.layout) {
            return Err(Error::Config(format!(
                "raw window {window:?} does not fit {}",
                self.root.display()
            )));
        }
        let names = window.dir_names();
        let path: Vec<&str> = names.iter().map(String::as_str).collect();
        self.stage_names(&path)
    }

    /// A fresh staging directory for the window at `path` under the stream root (one
    /// name per level, e.g. `["2024-01-02"]` or `["2024-01-01_2024-01-05", "123"]`).
    fn stage_names(&self, path: &[&str]) -> Result<Staging> {
        let [parents @ .., name] = path else {
            return Err(Error::Config("empty raw window path".into()));
        };
        if path.len() != self.depth
            || path
                .iter()
                .any(|p| p.is_empty() || p.starts_with('.') || p.contains(['/', '\\']))
        {
            return Err(Error::Config(format!(
                "raw window path {path:?} does not fit {}",
                self.root.display()
            )));
        }
        let parent = parents.iter().fold(self.root.clone(), |dir, p| dir.join(p));
        let dir = parent.join(format!(".{name}.partial-{}", random_suffix()));
        fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
        Ok(Staging {
            dir,
            parent,
            name: (*name).to_owned(),
            published: false,
        })
    }
}

/// What a killed run can leave at one directory level, by the names [`StreamDir::stage`]
/// and [`publish_dir`] give: a staging directory, or a window copy moved aside by a publish.
/// Any other name is not ours and is left alone.
enum Leftover<'a> {
    Staging,
    MovedAside { window: &'a str },
}

fn leftover(name: &str) -> Option<Leftover<'_>> {
    let rest = name.strip_prefix('.')?;
    let ours = |suffix: &str| !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_hexdigit());
    let window_ok = |w: &str| !w.is_empty() && !w.starts_with('.');
    if let Some((window, suffix)) = rest.rsplit_once(".partial-") {
        return (window_ok(window) && ours(suffix)).then_some(Leftover::Staging);
    }
    let (window, suffix) = rest.rsplit_once(".old-")?;
    (window_ok(window) && ours(suffix)).then_some(Leftover::MovedAside { window })
}

/// Clears one directory level of what a killed run left: removes staging directories, and
/// finishes the publish of a moved-aside copy — put back when its window is missing, else
/// absorbed into the window's history. Returns how many it removed or absorbed.
fn clean_level(dir: &Path) -> Result<usize> {
    let mut leftovers: Vec<(String, PathBuf)> = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list directory", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list directory", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Never through a link: what it points to is not ours to clean.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && leftover(&name).is_some() {
            leftovers.push((name, entry.path()));
        }
    }
    leftovers.sort();
    let mut cleared = 0;
    for (name, path) in &leftovers {
        match leftover(name) {
            Some(Leftover::MovedAside { window }) => {
                let target = dir.join(window);
                if target.exists() {
                    absorb_earlier_copy(path, &target)?;
                } else {
                    warn!(path = %path.display(), "Restoring a window copy that an interrupted run had moved aside.");
                    fs::rename(path, &target).map_err(|e| Error::io("restore", path, e))?;
                    continue;
                }
            }
            _ => fs::remove_dir_all(path).map_err(|e| Error::io("remove leftover", path, e))?,
        }
        cleared += 1;
    }
    Ok(cleared)
}

/// The entries of `dir` whose name `keep` accepts, by name, never through a link (none
/// when `dir` does not exist).
fn entries_of<T: Ord>(
    dir: &Path,
    keep: impl Fn(&str, fs::FileType) -> Option<T>,
) -> Result<Vec<(T, PathBuf)>> {
    let mut out = Vec::new();
    let list = match fs::read_dir(dir) {
        Ok(list) => list,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io("list directory", dir, e)),
    };
    for entry in list {
        let entry = entry.map_err(|e| Error::io("list directory", dir, e))?;
        let (Some(name), Ok(kind)) = (
            entry.file_name().to_str().map(str::to_owned),
            entry.file_type(),
        ) else {
            continue;
        };
        if let Some(key) = keep(&name, kind) {
            out.push((key, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// The page files of one fetch directory, by name.
fn pages_in(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    entries_of(dir, |name, kind| {
        (kind.is_file() && parse_page_file_name(name).is_some()).then(|| name.to_owned())
    })
}

/// The earlier fetches kept in a window's history, oldest first: (number, directory).
fn history_of(window: &Path) -> Result<Vec<(u32, PathBuf)>> {
    entries_of(&window.join(HISTORY_DIR), |name, kind| {
        parse_history_fetch_dir(name).filter(|_| kind.is_dir())
    })
}

/// sha256 of a page file's bytes. The pages are written by one compressor at one level,
/// so equal bodies give equal files (should a future zstd compress differently, a page is
/// kept twice: nothing is lost).
fn file_digest(path: &Path) -> Result<[u8; 32]> {
    let bytes = fs::read(path).map_err(|e| Error::io("read", path, e))?;
    Ok(Sha256::digest(&bytes).into())
}

/// Moves into `window`'s history what `old` — the copy of that window a publish moved
/// aside — holds and `window` does not: `old`'s own history, fetch by fetch, then its
/// latest pages as the newest earlier fetch. A page whose bytes `window` already holds
/// (latest or history) is left out, so a re-fetch that brings the same pages costs no
/// space. Then removes `old`. Safe to run again after a kill: moved pages are in `window`,
/// the rest still in `old`, and each fetch of `old` maps to the same history number.
fn absorb_earlier_copy(old: &Path, window: &Path) -> Result<()> {
    let mut known: HashSet<[u8; 32]> = HashSet::new();
    for (_, path) in pages_in(window)? {
        known.insert(file_digest(&path)?);
    }
    for (_, dir) in history_of(window)? {
        for (_, path) in pages_in(&dir)? {
            known.insert(file_digest(&path)?);
        }
    }
    let old_history = history_of(old)?;
    let latest_n = match old_history.last() {
        None => 1,
        // Only a history numbered by hand gets this far: stop before anything is moved.
        Some((n, dir)) => n.checked_add(1).ok_or_else(|| {
            Error::io(
                "keep an earlier fetch after",
                dir,
                std::io::Error::other(
                    "no fetch number is left after it; move it out of the raw dir",
                ),
            )
        })?,
    };
    let fetches = old_history
        .into_iter()
        .chain(std::iter::once((latest_n, old.to_path_buf())));
    let mut kept = 0;
    for (n, from) in fetches {
        let to = window.join(HISTORY_DIR).join(history_fetch_dir_name(n));
        for (name, path) in pages_in(&from)? {
            if !known.insert(file_digest(&path)?) {
                continue;
            }
            fs::create_dir_all(&to).map_err(|e| Error::io("create directory", &to, e))?;
            let dest = to.join(&name);
            if dest.exists() {
                // Only when history numbers came from elsewhere: never overwrite a page.
                return Err(Error::io(
                    "keep an earlier fetch",
                    &dest,
                    std::io::Error::other("a different page of that name is already kept"),
                ));
            }
            fs::rename(&path, &dest).map_err(|e| Error::io("keep an earlier fetch", &path, e))?;
            kept += 1;
        }
        if to.is_dir() {
            sync_dir(&to)?;
        }
    }
    if kept > 0 {
        sync_dir(&window.join(HISTORY_DIR))?;
        sync_dir(window)?;
        debug!(window = %window.display(), pages = kept, "Kept the pages of an earlier fetch that the latest does not repeat.");
    }
    fs::remove_dir_all(old).map_err(|e| Error::io("remove", old, e))
}

/// A window being fetched. Dropped unpublished, it removes its directory.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: PathBuf,
    /// Where the window is published, and its name there.
    parent: PathBuf,
    name: String,
    published: bool,
}

impl Staging {
    /// Writes page `page` (compressed, fsynced) before anyone reads it.
    pub(crate) async fn write_page(&self, page: u32, body: Vec<u8>) -> Result<()> {
        let path = self.dir.join(page_file_name(page));
        tokio::task::spawn_blocking(move || write_compressed(&path, &body))
            .await
            .map_err(|e| Error::io("write", &self.dir, std::io::Error::other(e)))?
    }

    /// Renames the complete window into place; a previous copy becomes the window's
    /// history, less the pages this fetch repeats.
    pub(crate) async fn publish(mut self) -> Result<PathBuf> {
        let (dir, parent, name) = (self.dir.clone(), self.parent.clone(), self.name.clone());
        let published = tokio::task::spawn_blocking(move || publish_dir(&dir, &parent, &name))
            .await
            .map_err(|e| Error::io("publish", &self.dir, std::io::Error::other(e)))??;
        self.published = true;
        Ok(published)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published
            && let Err(e) = fs::remove_dir_all(&self.dir)
        {
            debug!(path = %self.dir.display(), error = %e, "Staging directory not removed; the next run will.");
        }
    }
}

fn write_compressed(path: &Path, body: &[u8]) -> Result<()> {
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    let mut encoder =
        zstd::Encoder::new(file, ZSTD_LEVEL).map_err(|e| Error::io("compress", path, e))?;
    encoder
        .write_all(body)
        .map_err(|e| Error::io("write", path, e))?;
    let file = encoder.finish().map_err(|e| Error::io("write", path, e))?;
    file.sync_all().map_err(|e| Error::io("fsync", path, e))
}

fn sync_dir(path: &Path) -> Result<()> {
    // Directory fsync makes the renames durable; not all platforms support opening a
    // directory, so only Unix does it.
    #[cfg(unix)]
    {
        fs::File::open(path)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("fsync directory", path, e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn publish_dir(staging: &Path, parent: &Path, name: &str) -> Result<PathBuf> {
    sync_dir(staging)?;
    let target = parent.join(name);
    let old = parent.join(format!(".{name}.old-{}", random_suffix()));
    let had_old = match fs::rename(&target, &old) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io("move aside", &target, e)),
    };
    fs::rename(staging, &target).map_err(|e| Error::io("rename into place", staging, e))?;
    sync_dir(parent)?;
    if had_old {
        // Killed here, the next run's `prepare` finishes it.
        absorb_earlier_copy(&old, &target)?;
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn read_page(path: &Path) -> Vec<u8> {
        zstd::decode_all(fs::File::open(path).unwrap()).unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[tokio::test]
    async fn staged_day_is_invisible_until_published_and_replaces_old_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let stream = StreamDir::new(tmp.path(), Stream::CallLog);
        stream.prepare().unwrap();
        let day: NaiveDate = "2024-01-02".parse().unwrap();

        let first = stream.stage(&Window::Day(day)).unwrap();
        first
            .write_page(1, b"{\"records\":[1]}".to_vec())
            .await
            .unwrap();
        // Only a dot-name exists while staging.
        assert!(
            names(&tmp.path().join("call-log"))
                .iter()
                .all(|n| n.starts_with('.'))
        );
        let dir = first.publish().await.unwrap();
        assert_eq!(names(&dir), ["page-00001.json.zst"]);
        assert_eq!(
            read_page(&dir.join("page-00001.json.zst")),
            b"{\"records\":[1]}"
        );

        let second = stream.stage(&Window::Day(day)).unwrap();
        second.write_page(1, b"A".to_vec()).await.unwrap();
        second.write_page(2, b"B".to_vec()).await.unwrap();
        second.publish().await.unwrap();
        assert_eq!(names(&tmp.path().join("call-log")), ["2024-01-02"]);
        assert_eq!(
            names(&dir),
            ["history", "page-00001.json.zst", "page-00002.json.zst"]
        );
        assert_eq!(read_page(&dir.join("page-00002.json.zst")), b"B");
        // The first fetch is kept: the API may have forgotten what it held.
        assert_eq!(
            read_page(&dir.join("history/00001/page-00001.json.zst")),
            b"{\"records\":[1]}"
        );

        // The same pages again cost nothing; a changed page keeps the one it replaced.
        let third = stream.stage(&Window::Day(day)).unwrap();
        third.write_page(1, b"A".to_vec()).await.unwrap();
        third.write_page(2, b"B".to_vec()).await.unwrap();
        third.publish().await.unwrap();
        assert_eq!(names(&dir.join("history")), ["00001"]);
        let fourth = stream.stage(&Window::Day(day)).unwrap();
        fourth.write_page(1, b"A".to_vec()).await.unwrap();
        fourth.write_page(2, b"B2".to_vec()).await.unwrap();
        fourth.publish().await.unwrap();
        assert_eq!(names(&dir.join("history")), ["00001", "00002"]);
        assert_eq!(names(&dir.join("history/00002")), ["page-00002.json.zst"]);
        assert_eq!(
            read_page(&dir.join("history/00002/page-00002.json.zst")),
            b"B"
        );
        assert_eq!(
            read_page(&dir.join("history/00001/page-00001.json.zst")),
            b"{\"records\":[1]}"
        );
        assert_eq!(read_page(&dir.join("page-00002.json.zst")), b"B2");
    }

    #[test]
    fn a_publish_killed_after_the_swap_is_finished_by_prepare() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("call-log");
        let window = root.join("2024-01-02");
        let old = root.join(".2024-01-02.old-0123abcd");
        fs::create_dir_all(&window).unwrap();
        fs::create_dir_all(old.join("history/00001")).unwrap();
        write_compressed(&window.join(page_file_name(1)), b"new").unwrap();
        write_compressed(&old.join(page_file_name(1)), b"new").unwrap();
        write_compressed(&old.join(page_file_name(2)), b"forgotten").unwrap();
        write_compressed(
            &old.join("history/00001").join(page_file_name(1)),
            b"oldest",
        )
        .unwrap();
        let stream = StreamDir::new(tmp.path(), Stream::CallLog);
        assert_eq!(stream.prepare().unwrap(), 1);
        assert_eq!(names(&root), ["2024-01-02"]);
        assert_eq!(names(&window.join("history")), ["00001", "00002"]);
        assert_eq!(
            read_page(&window.join("history/00001/page-00001.json.zst")),
            b"oldest"
        );
        assert_eq!(
            names(&window.join("history/00002")),
            ["page-00002.json.zst"]
        );
        assert_eq!(
            read_page(&window.join("history/00002/page-00002.json.zst")),
            b"forgotten"
        );
    }

    /// A history whose last fetch number is `u32::MAX` (a raw zone assembled by hand) has no
    /// number left for the next earlier fetch: a clear error naming it, and nothing moved,
    /// not an overflow (issue 17).
    #[test]
    fn a_history_without_a_next_fetch_number_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("call-log");
        let window = root.join("2024-01-02");
        let old = root.join(".2024-01-02.old-0123abcd");
        let last = old.join(HISTORY_DIR).join(history_fetch_dir_name(u32::MAX));
        fs::create_dir_all(&window).unwrap();
        fs::create_dir_all(&last).unwrap();
        write_compressed(&window.join(page_file_name(1)), b"new").unwrap();
        write_compressed(&old.join(page_file_name(1)), b"forgotten").unwrap();
        write_compressed(&last.join(page_file_name(1)), b"oldest").unwrap();
        let stream = StreamDir::new(tmp.path(), Stream::CallLog);
        let err = stream.prepare().unwrap_err().to_string();
        assert!(err.contains(&last.display().to_string()), "{err}");
        assert!(!err.contains('\n'), "{err}");
        assert_eq!(read_page(&old.join(page_file_name(1))), b"forgotten");
        assert!(!window.join(HISTORY_DIR).exists());
    }

    #[test]
    fn prepare_leaves_what_is_not_ours_and_never_follows_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("message-store");
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir_all(elsewhere.join(".git")).unwrap();
        fs::create_dir_all(elsewhere.join(".1.partial-abc")).unwrap();
        for d in [
            ".git",
            ".snapshot",
            ".x.partial-",
            ".x.partial-zz",
            "_notes",
        ] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(root.join(".DS_Store"), b"").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&elsewhere, root.join("2024-01-01_2024-01-02")).unwrap();
        let stream = StreamDir::new(tmp.path(), Stream::MessageStore);
        assert_eq!(stream.prepare().unwrap(), 0);
        assert_eq!(
            names(&root).len(),
            if cfg!(unix) { 7 } else { 6 },
            "{:?}",
            names(&root)
        );
        assert_eq!(names(&elsewhere), [".1.partial-abc", ".git"]);
    }

    #[tokio::test]
    async fn dropped_staging_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let stream = StreamDir::new(tmp.path(), Stream::CallLog);
        stream.prepare().unwrap();
        let staging = stream
            .stage(&Window::Day("2024-01-02".parse().unwrap()))
            .unwrap();
        staging.write_page(1, b"x".to_vec()).await.unwrap();
        drop(staging);
        assert!(names(&tmp.path().join("call-log")).is_empty());
    }

    #[test]
    fn prepare_removes_leftovers_and_restores_a_moved_aside_day() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("call-log");
        for d in [
            ".2024-01-01.partial-abc",
            ".2024-01-02.old-def",
            ".2024-01-03.old-123",
            "2024-01-03",
            "2024-01-04",
        ] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(
            root.join(".2024-01-02.old-def").join("page-00001.json.zst"),
            b"x",
        )
        .unwrap();
        let stream = StreamDir::new(tmp.path(), Stream::CallLog);
        assert_eq!(stream.prepare().unwrap(), 2);
        assert_eq!(names(&root), ["2024-01-02", "2024-01-03", "2024-01-04"]);
        assert_eq!(names(&root.join("2024-01-02")), ["page-00001.json.zst"]);
    }

    #[tokio::test]
    async fn nested_windows_stage_beside_their_place_and_are_cleaned_at_both_levels() {
        let tmp = tempfile::tempdir().unwrap();
        let stream = StreamDir::new(tmp.path(), Stream::MessageStore);
        stream.prepare().unwrap();
        let span = "2024-01-01_2024-01-05";
        let staging = stream.stage_names(&[span, "123"]).unwrap();
        staging.write_page(1, b"p1".to_vec()).await.unwrap();
        // Staged beside its final place, under a dot-name.
        let root = tmp.path().join("message-store");
        assert_eq!(names(&root), [span]);
        assert!(names(&root.join(span)).iter().all(|n| n.starts_with('.')));
        let dir = staging.publish().await.unwrap();
        assert_eq!(dir, root.join(span).join("123"));
        assert_eq!(read_page(&dir.join("page-00001.json.zst")), b"p1");

        assert!(stream.stage_names(&["2024-01-01"]).is_err(), "wrong depth");
        assert!(stream.stage_names(&[span, "../x"]).is_err());
        assert!(stream.stage_names(&[span, ".x"]).is_err());

        // Leftovers of a killed run, at both levels.
        fs::create_dir_all(root.join(span).join(".124.partial-abc")).unwrap();
        fs::create_dir_all(root.join(span).join(".125.old-abc")).unwrap();
        fs::create_dir_all(root.join(span).join(".123.old-abc")).unwrap();
        fs::create_dir_all(root.join(".2024-02-01_2024-02-02.partial-f00d")).unwrap();
        assert_eq!(stream.prepare().unwrap(), 3);
        assert_eq!(names(&root), [span]);
        assert_eq!(names(&root.join(span)), ["123", "125"]);
    }

    #[test]
    fn a_window_is_on_disk_when_every_counted_page_is() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("2024-01-02");
        assert!(!window_on_disk(&dir, 1));
        assert!(
            window_on_disk(&dir, 0),
            "nothing was landed, nothing to check"
        );
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(page_file_name(1)), b"x").unwrap();
        fs::write(dir.join(page_file_name(3)), b"x").unwrap();
        assert!(window_on_disk(&dir, 1));
        assert!(!window_on_disk(&dir, 3), "page 2 is missing");
    }
}
