//! The raw landing zone: `<raw>/<stream>/<window>/page-00001.json.zst`, each name as
//! `ringlake_contracts::raw` formats it (`call-log/<day>`, `extensions/<day>`,
//! `message-store/<FROM>_<TO>/<MAILBOX>`, `active-calls/<day>/<SNAPSHOT>`, …).
//!
//! Every page body is kept byte for byte (zstd-compressed) and written before it is used.
//! A window is fetched into a staging directory beside its final place whose name starts
//! with `.` and renamed into place whole, so a reader of `<raw>/<stream>/*/` never sees half
//! a window; names starting with `.` are what every reader and glob skips.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng;
use ringlake_contracts::raw::{Window, page_file_name};
use ringlake_contracts::{Layout, Stream};
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
                if entry.path().is_dir() {
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

/// Removes (or restores) the dot-entries of one directory level.
fn clean_level(dir: &Path) -> Result<usize> {
    let mut leftovers: Vec<(String, PathBuf)> = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list directory", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list directory", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            leftovers.push((name, entry.path()));
        }
    }
    leftovers.sort();
    let mut removed = 0;
    for (name, path) in leftovers {
        if let Some(window) = name
            .strip_prefix('.')
            .and_then(|n| n.rsplit_once(".old-"))
            .map(|(w, _)| w)
        {
            let target = dir.join(window);
            if !window.is_empty() && !window.starts_with('.') && !target.exists() {
                warn!(path = %path.display(), "Restoring a window copy that an interrupted run had moved aside.");
                fs::rename(&path, &target).map_err(|e| Error::io("restore", &path, e))?;
                continue;
            }
        }
        let result = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        result.map_err(|e| Error::io("remove leftover", &path, e))?;
        removed += 1;
    }
    Ok(removed)
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

    /// Renames the complete window into place, replacing a previous copy.
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
    if had_old && let Err(e) = fs::remove_dir_all(&old) {
        warn!(path = %old.display(), error = %e, "Previous copy of the window not removed; the next run will.");
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
        assert_eq!(names(&dir), ["page-00001.json.zst", "page-00002.json.zst"]);
        assert_eq!(read_page(&dir.join("page-00002.json.zst")), b"B");
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
        fs::create_dir_all(root.join(".2024-02-01_2024-02-02.partial-x")).unwrap();
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
