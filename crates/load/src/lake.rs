//! Where the lake lives: a local directory or an object-store URL, and the few storage
//! operations the writer and the verifier need (put, get, list, delete).
//!
//! Paths inside the lake are `/`-separated strings relative to its root
//! (`calls/date=2024-01-02/part-00000.parquet`), whatever the backend.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File};
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path as ObjPath;
use object_store::{
    MultipartUpload, ObjectStore, ObjectStoreExt, ObjectStoreScheme, PutMode, PutOptions,
    PutPayload, UpdateVersion,
};
use tokio::runtime::Runtime;
use tracing::{info, warn};
use url::Url;

use crate::error::{Error, Result};

/// Directory under the lake for files being written, skipped by readers (leading `_`).
pub const TMP_DIR_NAME: &str = "_tmp";
/// Objects larger than this are uploaded in parts (an upload stays invisible until it is
/// completed, so readers still see the whole object or the old one).
const MULTIPART_THRESHOLD_BYTES: usize = 64 * 1024 * 1024;
/// Part size of a multipart upload (S3 wants ≥ 5 MiB for every part but the last).
const MULTIPART_PART_BYTES: usize = 16 * 1024 * 1024;
/// Entries of `_tmp/` younger than this are left alone by the sweep at a run's start. A
/// file is staged there for the seconds its fsync and rename take (its bytes are ready
/// before it is created), so an hour is far beyond any writer at work; the run lock keeps
/// a second run away, the grace any writer that takes no lock.
const TMP_GRACE: Duration = Duration::from_secs(60 * 60);
/// Suffix of a partition directory that an earlier build moved into `_tmp/` to remove it
/// (an empty day removed its partition then; issue 17).
const REMOVED_DIR_SUFFIX: &str = ".removed";
/// Stem of the object [`Lake::check_writable`] writes; older builds named it
/// `write-check-<pid>`, without the time.
const WRITE_CHECK_STEM: &str = "write-check";

/// A data lake: a local directory or a bucket prefix on S3, Google Cloud Storage or Azure.
///
/// Open it with [`Lake::open`] from what the user wrote: a local path (relative,
/// absolute or `file://`), `s3://bucket/prefix`, `gs://bucket/prefix`,
/// `az://container/prefix` (also `abfss://container@account.dfs.core.windows.net/prefix`,
/// `azure://…`). Credentials and endpoints come from each cloud's environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`,
/// `AWS_ALLOW_HTTP`, `GOOGLE_*`, `AZURE_*`). `Display` shows the location as the user
/// wrote it, without credentials.
///
/// Calls block the calling thread; object-store I/O runs on a small runtime of this
/// crate's own, so a `Lake` may be used from `spawn_blocking` (or any thread) of another
/// tokio runtime without deadlock.
#[derive(Clone)]
pub struct Lake {
    display: String,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Local(PathBuf),
    Remote {
        store: Arc<dyn ObjectStore>,
        prefix: ObjPath,
    },
}

/// The version of a stored object that a conditional replace names (ETag, generation).
pub(crate) type ObjectVersion = UpdateVersion;

/// One stored object, as a listing gives it.
#[derive(Clone, Debug)]
pub(crate) struct ObjectInfo {
    /// Path relative to the listed prefix (`date=2024-01-02/part-00000.parquet`).
    pub(crate) rel: String,
    pub(crate) size: u64,
    pub(crate) modified: Option<DateTime<Utc>>,
}

impl fmt::Debug for Lake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The store's own Debug may show configuration; the display string never does.
        f.debug_struct("Lake").field("url", &self.display).finish()
    }
}

impl fmt::Display for Lake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl Lake {
    /// Opens a lake from a local path or an object-store URL; settings from the
    /// process environment. A URL that cannot be opened is an [`Error::Open`] naming it.
    /// Opening does not touch the storage (no request is sent, no directory is created).
    pub fn open(location: &str) -> Result<Lake> {
        Self::open_with(location, std::iter::empty::<(&str, &str)>())
    }

    /// [`Lake::open`] with settings that take precedence over the environment, named
    /// like the environment variables (`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`, …) or like
    /// object_store's keys (`aws_endpoint`). Settings of another cloud than the URL's are
    /// ignored; an unknown one for the URL's cloud is an error. Local lakes take none.
    pub fn open_with<I, K, V>(location: &str, settings: I) -> Result<Lake>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let settings: Vec<(String, String)> = settings
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.into()))
            .collect();
        if !location.contains("://") {
            if location.is_empty() {
                return Err(Error::Open {
                    url: String::new(),
                    reason: "empty location".into(),
                });
            }
            return Ok(Lake::local(location));
        }
        let url = Url::parse(location).map_err(|e| Error::Open {
            url: redact(location),
            reason: format!("not a URL: {e}"),
        })?;
        let display = redacted_url(location, &url);
        let fail = |reason: String| Error::Open {
            url: display.clone(),
            reason: scrub(&reason, &url),
        };
        if url.scheme() == "file" {
            let path = url
                .to_file_path()
                .map_err(|()| fail("not a local file URL".into()))?;
            return Ok(Lake {
                display,
                backend: Backend::Local(path),
            });
        }
        let cloud = matches!(
            url.scheme(),
            "s3" | "s3a" | "gs" | "az" | "adl" | "azure" | "abfs" | "abfss"
        );
        if cloud && url.host_str().is_none_or(str::is_empty) {
            return Err(fail(format!(
                "no bucket or container in the URL (expected {}://<bucket>/<prefix>)",
                url.scheme()
            )));
        }
        let (scheme, prefix) = ObjectStoreScheme::parse(&url).map_err(|_| {
            fail(format!(
                "unsupported scheme {:?} (use a local path, file://, s3://, gs:// or az://)",
                url.scheme()
            ))
        })?;
        // Building the clients may look for a runtime (credential providers); give it ours.
        let _guard = runtime()?.enter();
        // Each cloud's builder: from its environment variables, the URL, then the settings
        // named for it (`aws_…`, `google_…`, `azure_…`).
        macro_rules! build {
            ($builder:ty, $prefix:literal) => {{
                let mut b = <$builder>::from_env().with_url(url.as_str());
                for (k, v) in settings.iter().filter(|(k, _)| k.starts_with($prefix)) {
                    let key = k
                        .parse()
                        .map_err(|_| fail(format!("unknown setting {k}")))?;
                    b = b.with_config(key, v);
                }
                Arc::new(b.build().map_err(|e| fail(e.to_string()))?)
            }};
        }
        let store: Arc<dyn ObjectStore> = match scheme {
            ObjectStoreScheme::AmazonS3 => build!(AmazonS3Builder, "aws_"),
            ObjectStoreScheme::GoogleCloudStorage => build!(GoogleCloudStorageBuilder, "google_"),
            ObjectStoreScheme::MicrosoftAzure => build!(MicrosoftAzureBuilder, "azure_"),
            _ => {
                return Err(fail(format!(
                    "unsupported scheme {:?} (use a local path, file://, s3://, gs:// or az://)",
                    url.scheme()
                )));
            }
        };
        Ok(Lake {
            display,
            backend: Backend::Remote { store, prefix },
        })
    }

    /// A lake in a local directory (not created until something is written).
    pub fn local(path: impl Into<PathBuf>) -> Lake {
        let path = path.into();
        Lake {
            display: path.display().to_string(),
            backend: Backend::Local(path),
        }
    }

    /// The lake's directory when it is local; `None` on an object store.
    pub fn local_path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local(p) => Some(p),
            Backend::Remote { .. } => None,
        }
    }

    /// The location as the user wrote it, without credentials.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Where `rel` (a `/`-separated path in the lake) is, for messages: a local path or a
    /// URL, without credentials.
    pub fn location(&self, rel: &str) -> String {
        match &self.backend {
            Backend::Local(root) => root.join(rel).display().to_string(),
            Backend::Remote { .. } => format!("{}/{rel}", self.display.trim_end_matches('/')),
        }
    }

    /// Stores `bytes` at `rel` (e.g. `_dead_letter/calls/<run>.jsonl`), replacing any
    /// object there whole: locally through `_tmp/` and a rename, on an object store with
    /// one PUT (or one multipart upload). Returns [`Lake::location`] of the object.
    pub fn put(&self, rel: &str, bytes: impl Into<Bytes>) -> Result<String> {
        check_rel(rel)?;
        self.put_object(rel, bytes.into())?;
        Ok(self.location(rel))
    }

    /// The object at `rel`, or `None` when there is none.
    pub fn get(&self, rel: &str) -> Result<Option<Bytes>> {
        check_rel(rel)?;
        self.get_object(rel)
    }

    /// Writes and removes a small object under `_tmp/`: a run checks this before its
    /// long extraction, so a lake it cannot write (no directory, wrong credentials, no
    /// bucket) fails in a second, not after an hour of API paging. Then it sweeps `_tmp/`
    /// of what killed runs left there: only names this crate makes (staged files, a write
    /// check, an earlier build's removed partitions), older than an hour, never a link or
    /// what one points to. A sweep that cannot remove something warns and goes on.
    ///
    /// Incomplete multipart uploads of a killed run are not swept: object_store cannot
    /// list them. On S3 (and GCS) a lifecycle rule `AbortIncompleteMultipartUpload` removes
    /// them (README, "Object stores"); an upload that fails while the run lives is aborted.
    pub fn check_writable(&self) -> Result<()> {
        let rel = format!("{TMP_DIR_NAME}/{}", unique_name(WRITE_CHECK_STEM));
        self.put_object(&rel, Bytes::from_static(b"ringlake write check\n"))?;
        self.delete_object(&rel)?;
        let swept = self.sweep_tmp(SystemTime::now());
        if swept > 0 {
            info!(lake = %self, swept, "Swept what killed runs left in _tmp/.");
        }
        Ok(())
    }

    /// Removes the entries right under `_tmp/` that [`own_tmp_entry`] knows and that
    /// were made [`TMP_GRACE`] before `now` or earlier; returns how many went.
    fn sweep_tmp(&self, now: SystemTime) -> usize {
        let stale = |made: SystemTime| now.duration_since(made).is_ok_and(|age| age >= TMP_GRACE);
        match &self.backend {
            Backend::Local(root) => sweep_local_tmp(&root.join(TMP_DIR_NAME), stale),
            Backend::Remote { .. } => {
                let listed = match self.list(TMP_DIR_NAME) {
                    Ok(l) => l,
                    Err(e) => {
                        warn!(lake = %self, error = %e, "Cannot list _tmp/ to sweep it.");
                        return 0;
                    }
                };
                let mut swept = 0;
                // Only `_tmp/<name>`: this crate puts nothing deeper on a store.
                for o in listed.iter().filter(|o| !o.rel.contains('/')) {
                    let made = match own_tmp_entry(&o.rel) {
                        Some(OwnTmp::Stamped { made, dir: false }) => made,
                        Some(OwnTmp::OldWriteCheck) => match o.modified {
                            Some(t) => t.into(),
                            None => continue,
                        },
                        Some(OwnTmp::Stamped { dir: true, .. }) | None => continue,
                    };
                    if !stale(made) {
                        continue;
                    }
                    match self.delete_object(&format!("{TMP_DIR_NAME}/{}", o.rel)) {
                        Ok(()) => swept += 1,
                        Err(e) => warn!(error = %e, "Cannot sweep a stale temporary object."),
                    }
                }
                swept
            }
        }
    }

    // ----- storage operations used by the writer and the verifier -----

    pub(crate) fn put_object(&self, rel: &str, bytes: Bytes) -> Result<()> {
        match &self.backend {
            Backend::Local(root) => put_local(root, rel, &bytes),
            Backend::Remote { store, prefix } => {
                let store = Arc::clone(store);
                let path = join(prefix, rel);
                let location = self.location(rel);
                block_on(async move { upload(store.as_ref(), &path, bytes).await })?.map_err(
                    |source| Error::Store {
                        op: "upload",
                        location,
                        source,
                    },
                )
            }
        }
    }

    pub(crate) fn get_object(&self, rel: &str) -> Result<Option<Bytes>> {
        match &self.backend {
            Backend::Local(root) => {
                let path = root.join(rel);
                match fs::read(&path) {
                    Ok(b) => Ok(Some(Bytes::from(b))),
                    Err(e) if is_missing(&e) => Ok(None),
                    Err(source) => Err(Error::Io {
                        op: "read",
                        location: path.display().to_string(),
                        source,
                    }),
                }
            }
            Backend::Remote { store, prefix } => {
                let store = Arc::clone(store);
                let path = join(prefix, rel);
                let r = block_on(async move {
                    match store.get(&path).await {
                        Ok(got) => got.bytes().await.map(Some),
                        Err(object_store::Error::NotFound { .. }) => Ok(None),
                        Err(e) => Err(e),
                    }
                })?;
                r.map_err(|source| Error::Store {
                    op: "read",
                    location: self.location(rel),
                    source,
                })
            }
        }
    }

    /// The object at `rel` with the version a conditional replace of it names (no
    /// version on a local lake), or `None` when there is none.
    pub(crate) fn get_versioned(&self, rel: &str) -> Result<Option<(Bytes, ObjectVersion)>> {
        let Backend::Remote { store, prefix } = &self.backend else {
            let unversioned = ObjectVersion {
                e_tag: None,
                version: None,
            };
            return Ok(self.get_object(rel)?.map(|b| (b, unversioned)));
        };
        let store = Arc::clone(store);
        let path = join(prefix, rel);
        let r = block_on(async move {
            match store.get(&path).await {
                Ok(got) => {
                    let version = ObjectVersion {
                        e_tag: got.meta.e_tag.clone(),
                        version: got.meta.version.clone(),
                    };
                    got.bytes().await.map(|b| Some((b, version)))
                }
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        r.map_err(|source| Error::Store {
            op: "read",
            location: self.location(rel),
            source,
        })
    }

    /// Replaces the object at `rel` only if it is still at `expected` (`None`: only if
    /// there is none), in one conditional PUT; `Ok(false)` when another writer replaced or
    /// created it in between. On a local lake a plain replace: there the run's exclusive
    /// lock on the lake keeps other writers away. A store configured without conditional
    /// puts (`aws_conditional_put=disabled`) is replaced plainly, with a warning.
    pub(crate) fn put_if_unchanged(
        &self,
        rel: &str,
        bytes: Bytes,
        expected: Option<&ObjectVersion>,
    ) -> Result<bool> {
        let Backend::Remote { store, prefix } = &self.backend else {
            self.put_object(rel, bytes)?;
            return Ok(true);
        };
        let store = Arc::clone(store);
        let path = join(prefix, rel);
        let mode = expected.map_or(PutMode::Create, |v| PutMode::Update(v.clone()));
        let payload = PutPayload::from(bytes.clone());
        let r =
            block_on(async move { store.put_opts(&path, payload, PutOptions::from(mode)).await })?;
        match r {
            Ok(_) => Ok(true),
            Err(
                object_store::Error::Precondition { .. }
                | object_store::Error::AlreadyExists { .. },
            ) => Ok(false),
            Err(object_store::Error::NotImplemented { .. }) => {
                warn!(object = %self.location(rel), "The store takes no conditional puts: replaced unconditionally, so two writers at once could lose an update.");
                self.put_object(rel, bytes)?;
                Ok(true)
            }
            Err(source) => Err(Error::Store {
                op: "upload",
                location: self.location(rel),
                source,
            }),
        }
    }

    /// Every object under the directory `dir` (recursively), paths relative to `dir`.
    /// A missing directory lists as empty.
    pub(crate) fn list(&self, dir: &str) -> Result<Vec<ObjectInfo>> {
        match &self.backend {
            Backend::Local(root) => {
                let mut out = Vec::new();
                walk_local(&root.join(dir), "", &mut out)?;
                out.sort_by(|a, b| a.rel.cmp(&b.rel));
                Ok(out)
            }
            Backend::Remote { store, prefix } => {
                let store = Arc::clone(store);
                let base = join(prefix, dir);
                let listed =
                    block_on(async move { store.list(Some(&base)).try_collect::<Vec<_>>().await })?
                        .map_err(|source| Error::Store {
                            op: "list",
                            location: self.location(dir),
                            source,
                        })?;
                let base = join(prefix, dir);
                let mut out: Vec<ObjectInfo> = listed
                    .into_iter()
                    .filter_map(|m| {
                        let rel: Vec<String> = m
                            .location
                            .prefix_match(&base)?
                            .map(|p| p.as_ref().to_owned())
                            .collect();
                        Some(ObjectInfo {
                            rel: rel.join("/"),
                            size: m.size,
                            modified: Some(m.last_modified),
                        })
                    })
                    .collect();
                out.sort_by(|a, b| a.rel.cmp(&b.rel));
                Ok(out)
            }
        }
    }

    /// The names of the directories right under the lake's root.
    pub(crate) fn list_top_dirs(&self) -> Result<Vec<String>> {
        match &self.backend {
            Backend::Local(root) => {
                let entries = match fs::read_dir(root) {
                    Ok(e) => e,
                    Err(e) if is_missing(&e) => return Ok(Vec::new()),
                    Err(source) => {
                        return Err(Error::Io {
                            op: "list",
                            location: root.display().to_string(),
                            source,
                        });
                    }
                };
                let mut out = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|source| Error::Io {
                        op: "list",
                        location: root.display().to_string(),
                        source,
                    })?;
                    let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                    if let (true, Some(name)) = (is_dir, entry.file_name().to_str()) {
                        out.push(name.to_owned());
                    }
                }
                out.sort();
                Ok(out)
            }
            Backend::Remote { store, prefix } => {
                let store = Arc::clone(store);
                let base = prefix.clone();
                let listed = block_on(async move {
                    let p = (!base.as_ref().is_empty()).then_some(&base);
                    store.list_with_delimiter(p).await
                })?
                .map_err(|source| Error::Store {
                    op: "list",
                    location: self.display.clone(),
                    source,
                })?;
                let mut out: Vec<String> = listed
                    .common_prefixes
                    .iter()
                    .filter_map(|p| p.filename().map(str::to_owned))
                    .collect();
                out.sort();
                Ok(out)
            }
        }
    }

    /// Deletes the object at `rel`; a missing one is not an error.
    pub(crate) fn delete_object(&self, rel: &str) -> Result<()> {
        match &self.backend {
            Backend::Local(root) => {
                let path = root.join(rel);
                match fs::remove_file(&path) {
                    Ok(()) => Ok(()),
                    Err(e) if is_missing(&e) => Ok(()),
                    Err(source) => Err(Error::Io {
                        op: "remove",
                        location: path.display().to_string(),
                        source,
                    }),
                }
            }
            Backend::Remote { store, prefix } => {
                let store = Arc::clone(store);
                let path = join(prefix, rel);
                let r = block_on(async move {
                    match store.delete(&path).await {
                        Err(object_store::Error::NotFound { .. }) => Ok(()),
                        other => other,
                    }
                })?;
                r.map_err(|source| Error::Store {
                    op: "delete",
                    location: self.location(rel),
                    source,
                })
            }
        }
    }

    /// Local lakes only: the directory of `rel`.
    pub(crate) fn local_dir(&self, rel: &str) -> Option<PathBuf> {
        self.local_path().map(|root| root.join(rel))
    }
}

/// `s3://bucket/x` → object path `x/<rel>` inside the store.
fn join(prefix: &ObjPath, rel: &str) -> ObjPath {
    rel.split('/')
        .filter(|s| !s.is_empty())
        .fold(prefix.clone(), |p, part| p.join(part))
}

/// One PUT for an object up to [`MULTIPART_THRESHOLD_BYTES`], a multipart upload above.
/// Either way the object appears whole when the call completes, never before.
async fn upload(store: &dyn ObjectStore, path: &ObjPath, bytes: Bytes) -> object_store::Result<()> {
    if bytes.len() <= MULTIPART_THRESHOLD_BYTES {
        store.put(path, PutPayload::from(bytes)).await?;
        return Ok(());
    }
    upload_parts(store.put_multipart(path).await?, bytes).await
}

/// Sends `bytes` in [`MULTIPART_PART_BYTES`] parts and completes the upload; when a part
/// or the completion fails, aborts it, so its parts do not stay stored (and billed)
/// unseen. `WriteMultipart::finish` aborts only a failed completion, not a failed part.
async fn upload_parts(
    mut upload: Box<dyn MultipartUpload>,
    mut bytes: Bytes,
) -> object_store::Result<()> {
    let mut parts = Vec::new();
    while !bytes.is_empty() {
        let part = bytes.split_to(MULTIPART_PART_BYTES.min(bytes.len()));
        parts.push(upload.put_part(PutPayload::from(part)));
    }
    let sent = futures_util::future::try_join_all(parts).await;
    let done = match sent {
        Ok(_) => upload.complete().await.map(drop),
        Err(e) => Err(e),
    };
    if done.is_err()
        && let Err(e) = upload.abort().await
    {
        // The upload's own error is the one to report; the lifecycle rule is the backstop.
        warn!(error = %e, "Cannot abort a failed multipart upload.");
    }
    done
}

/// Writes under `<root>/_tmp/`, fsyncs, renames over `<root>/<rel>`, fsyncs the dirs: a
/// `kill -9` at any moment leaves the old file or the new one, and debris only in `_tmp`.
fn put_local(root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let io = |op: &'static str, path: &Path| {
        let location = path.display().to_string();
        move |source| Error::Io {
            op,
            location,
            source,
        }
    };
    let final_path = root.join(rel);
    let tmp_dir = root.join(TMP_DIR_NAME);
    fs::create_dir_all(&tmp_dir).map_err(io("create directory", &tmp_dir))?;
    let tmp = tmp_dir.join(unique_name(rel));
    let result = (|| {
        let mut f = File::create(&tmp).map_err(io("create", &tmp))?;
        f.write_all(bytes).map_err(io("write", &tmp))?;
        f.sync_all().map_err(io("fsync", &tmp))?;
        drop(f);
        let dir = final_path.parent().unwrap_or(root);
        // The directories about to be created, deepest first: each new entry must be
        // made durable in its parent, or a crash could lose a published partition.
        let created: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
        fs::create_dir_all(dir).map_err(io("create directory", dir))?;
        fs::rename(&tmp, &final_path).map_err(io("rename into", &final_path))?;
        sync_dir(dir)?;
        for new_dir in created {
            if let Some(parent) = new_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                sync_dir(parent)?;
            }
        }
        Ok(())
    })();
    if result.is_err() {
        // Best effort: the failure being reported matters more than a leftover temp file.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes from the local `_tmp` directory what [`own_tmp_entry`] knows and `stale`
/// finds old enough; returns how many. Links are never followed: a `_tmp` that is a link
/// is not swept, and a link inside it is not ours (this crate makes none).
fn sweep_local_tmp(tmp: &Path, stale: impl Fn(SystemTime) -> bool) -> usize {
    match fs::symlink_metadata(tmp) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            warn!(path = %tmp.display(), "Not a directory (a link?): not swept.");
            return 0;
        }
        Err(e) if is_missing(&e) => return 0,
        Err(e) => {
            warn!(path = %tmp.display(), error = %e, "Cannot inspect _tmp/ to sweep it.");
            return 0;
        }
    }
    let entries = match fs::read_dir(tmp) {
        Ok(e) => e,
        Err(e) => {
            warn!(path = %tmp.display(), error = %e, "Cannot list _tmp/ to sweep it.");
            return 0;
        }
    };
    let mut swept = 0;
    for entry in entries.flatten() {
        let Some(own) = entry.file_name().to_str().and_then(own_tmp_entry) else {
            continue;
        };
        let path = entry.path();
        // lstat: a link is a link here, whatever it points to.
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let (file, dir) = (meta.file_type().is_file(), meta.file_type().is_dir());
        let made = match own {
            OwnTmp::Stamped { made, dir: true } if dir => made,
            OwnTmp::Stamped { made, dir: false } if file => made,
            OwnTmp::OldWriteCheck if file => match meta.modified() {
                Ok(t) => t,
                Err(_) => continue,
            },
            _ => continue,
        };
        if !stale(made) {
            continue;
        }
        // `remove_dir_all` removes links inside the directory, never what they point to.
        let r = if dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match r {
            Ok(()) => swept += 1,
            Err(e) if is_missing(&e) => {}
            Err(e) => {
                warn!(path = %path.display(), error = %e, "Cannot sweep a stale temporary file.")
            }
        }
    }
    swept
}

/// Removes everything in a local directory but the names in `keep`; returns how many.
pub(crate) fn remove_local_others(dir: &Path, keep: &[String]) -> Result<usize> {
    let io = |op: &'static str, path: &Path| {
        let location = path.display().to_string();
        move |source| Error::Io {
            op,
            location,
            source,
        }
    };
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if is_missing(&e) => return Ok(0),
        Err(e) => return Err(io("list", dir)(e)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(io("list", dir))?;
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| keep.iter().any(|k| k == n))
        {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().map_err(io("inspect", &path))?.is_dir();
        let r = if is_dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        r.map_err(io("remove", &path))?;
        removed += 1;
    }
    if removed > 0 {
        sync_dir(dir)?;
    }
    Ok(removed)
}

fn walk_local(dir: &Path, rel: &str, out: &mut Vec<ObjectInfo>) -> Result<()> {
    let io = |source| Error::Io {
        op: "list",
        location: dir.display().to_string(),
        source,
    };
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if is_missing(&e) => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io)?;
        // Names that are not UTF-8 cannot be partition files; the listing skips them.
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let meta = entry.metadata().map_err(io)?;
        if meta.is_dir() {
            walk_local(&entry.path(), &child, out)?;
        } else {
            out.push(ObjectInfo {
                rel: child,
                size: meta.len(),
                modified: meta.modified().ok().map(DateTime::<Utc>::from),
            });
        }
    }
    Ok(())
}

/// Makes a directory's entries (a rename, a new file) durable.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| Error::Io {
                op: "fsync directory",
                location: dir.display().to_string(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened for fsync on this platform; rename is still atomic.
        let _ = dir;
    }
    Ok(())
}

fn is_missing(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::NotFound
}

/// A name no other writer (thread or process) uses at the same time:
/// `<rel with dots for slashes>.<pid>.<nanoseconds since 1970>.<counter>`. The time in it
/// tells the sweep at a run's start how old debris is ([`own_tmp_entry`] reads it back).
fn unique_name(rel: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let flat = rel.replace(['/', '\\'], ".");
    format!("{flat}.{}.{nanos}.{n}", std::process::id())
}

/// What an entry of `_tmp/` is, when this crate made it.
#[derive(Debug, PartialEq, Eq)]
enum OwnTmp {
    /// A [`unique_name`]: a staged file, a write check, or (`dir`) a partition directory
    /// an earlier build moved there to remove it, made at `made`.
    Stamped { made: SystemTime, dir: bool },
    /// An earlier build's `write-check-<pid>`, whose name has no time in it.
    OldWriteCheck,
}

/// The reverse of [`unique_name`] (and of the older names this crate put in `_tmp/`):
/// `None` for any name this crate does not make. Exact: the pid and the counter all
/// digits, the time 19 digits (nanoseconds from 2001 to 2286), a non-empty stem.
fn own_tmp_entry(name: &str) -> Option<OwnTmp> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if name.strip_prefix("write-check-").is_some_and(digits) {
        return Some(OwnTmp::OldWriteCheck);
    }
    let mut fields = name.rsplitn(4, '.');
    let (n, nanos, pid, stem) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if !(digits(n) && digits(pid) && digits(nanos) && nanos.len() == 19) || stem.is_empty() {
        return None;
    }
    let made = UNIX_EPOCH.checked_add(Duration::from_nanos(nanos.parse().ok()?))?;
    Some(OwnTmp::Stamped {
        made,
        dir: stem.ends_with(REMOVED_DIR_SUFFIX),
    })
}

/// A lake-relative path must stay inside the lake: no empty, `.` or `..` components, no
/// leading `/`, no backslashes.
pub(crate) fn check_rel(rel: &str) -> Result<()> {
    let bad = rel.is_empty()
        || rel.contains('\\')
        || rel
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        Err(Error::InvalidPath {
            path: rel.to_owned(),
        })
    } else {
        Ok(())
    }
}

// ----- URLs without secrets -----

/// The location as written when it holds no credentials; otherwise the URL without its
/// password and query (Azure SAS tokens travel in the query). User names stay: in
/// `abfss://container@account…` the user part is the container.
fn redacted_url(written: &str, url: &Url) -> String {
    if url.password().is_none() && url.query().is_none() {
        return written.to_owned();
    }
    let mut clean = url.clone();
    let _ = clean.set_password(None);
    clean.set_query(None);
    clean.to_string()
}

/// For text that did not even parse as a URL: cut anything after `@` in the authority or
/// after `?`, where secrets would be.
fn redact(written: &str) -> String {
    let no_query = written.split('?').next().unwrap_or_default();
    match no_query.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => no_query.to_owned(),
        },
        None => no_query.to_owned(),
    }
}

/// Removes the URL's secrets from a library's message (which may quote the URL).
fn scrub(text: &str, url: &Url) -> String {
    let mut out = text.to_owned();
    if let Some(p) = url.password().filter(|p| !p.is_empty()) {
        out = out.replace(p, "***");
    }
    if let Some(q) = url.query().filter(|q| !q.is_empty()) {
        out = out.replace(q, "***");
    }
    out.replace(['\n', '\r'], " ")
}

// ----- the I/O runtime -----

/// The runtime all object-store I/O runs on: two worker threads of this crate's own,
/// built on first use and never dropped (dropping a runtime inside another one panics).
fn runtime() -> Result<&'static Runtime> {
    static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("ringlake-load-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|reason| Error::Runtime {
            reason: reason.clone(),
        })
}

/// Runs `fut` on [`runtime`] and waits for it on this thread. The future runs on the
/// runtime's own workers and the caller only waits on a channel, so this neither panics
/// inside another runtime's context (as `Runtime::block_on` would) nor deadlocks when
/// that runtime has a single thread.
fn block_on<F>(fut: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = runtime()?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv().map_err(|_| Error::Runtime {
        reason: "an object-store task stopped before it finished".into(),
    })
}

/// Lists of objects per partition date of one table: `date=…/` children only.
pub(crate) fn group_by_partition(
    objects: Vec<ObjectInfo>,
) -> (BTreeMap<String, Vec<ObjectInfo>>, Vec<ObjectInfo>) {
    let mut parts: BTreeMap<String, Vec<ObjectInfo>> = BTreeMap::new();
    let mut others = Vec::new();
    for o in objects {
        match o.rel.split_once('/') {
            Some((dir, rest)) => {
                let dir = dir.to_owned();
                let rest = rest.to_owned();
                parts
                    .entry(dir)
                    .or_default()
                    .push(ObjectInfo { rel: rest, ..o });
            }
            None => others.push(o),
        }
    }
    (parts, others)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn local_locations() {
        for written in ["lake", "./lake", "/abs/lake", "rel/dir/"] {
            let lake = Lake::open(written).unwrap();
            assert_eq!(lake.display(), written);
            assert_eq!(lake.local_path(), Some(Path::new(written)));
        }
        let lake = Lake::open("file:///tmp/some%20lake").unwrap();
        assert_eq!(lake.local_path(), Some(Path::new("/tmp/some lake")));
        assert_eq!(lake.to_string(), "file:///tmp/some%20lake");
        assert!(Lake::open("").is_err());
    }

    #[test]
    fn object_store_urls_open_without_io() {
        let settings = [
            ("AWS_ACCESS_KEY_ID", "k"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_REGION", "us-east-1"),
        ];
        for url in ["s3://bucket", "s3://bucket/prefix/lake", "s3a://bucket/x"] {
            let lake = Lake::open_with(url, settings).unwrap();
            assert_eq!(lake.display(), url);
            assert!(lake.local_path().is_none());
        }
        let lake = Lake::open_with("s3://b/p/", settings).unwrap();
        assert_eq!(
            lake.location("calls/_manifest.json"),
            "s3://b/p/calls/_manifest.json"
        );
        let az = Lake::open_with(
            "az://container/lake",
            [
                ("AZURE_STORAGE_ACCOUNT_NAME", "acct"),
                ("AZURE_STORAGE_ACCOUNT_KEY", "a2V5"),
            ],
        )
        .unwrap();
        assert_eq!(az.display(), "az://container/lake");
        let abfss = Lake::open_with(
            "abfss://container@acct.dfs.core.windows.net/lake",
            [("AZURE_STORAGE_ACCOUNT_KEY", "a2V5")],
        )
        .unwrap();
        assert_eq!(
            abfss.display(),
            "abfss://container@acct.dfs.core.windows.net/lake"
        );
    }

    #[test]
    fn bad_urls_are_one_line_errors_naming_the_url() {
        for url in [
            "ftp://host/lake",
            "s3://",
            "memory:///x",
            "http://example.invalid/x",
        ] {
            let err = Lake::open(url).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Open { .. }), "{url}: {text}");
            assert!(text.contains(url), "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
        let err = Lake::open_with("s3://b/p", [("AWS_NOT_A_SETTING", "x")]).unwrap_err();
        assert!(err.to_string().contains("aws_not_a_setting"), "{err}");
    }

    #[test]
    fn credentials_never_shown() {
        let lake = Lake::open_with(
            "s3://user:hunter2@bucket/p?token=s3cr3t",
            [("AWS_REGION", "us-east-1")],
        );
        match lake {
            Ok(l) => {
                assert!(!l.display().contains("hunter2") && !l.display().contains("s3cr3t"));
                assert!(!format!("{l:?}").contains("hunter2"));
            }
            Err(e) => {
                let t = e.to_string();
                assert!(!t.contains("hunter2") && !t.contains("s3cr3t"), "{t}");
            }
        }
        let err = Lake::open("s3://user:hunter2@/p?sig=s3cr3t").unwrap_err();
        let t = err.to_string();
        assert!(!t.contains("hunter2") && !t.contains("s3cr3t"), "{t}");
        assert_eq!(redact("x://u:pw@host/p?sig=1"), "x://***@host/p");
    }

    #[test]
    fn relative_paths_stay_inside() {
        for ok in ["a", "_dead_letter/calls/r.jsonl", "calls/date=2024-01-01/x"] {
            assert!(check_rel(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/abs", "a//b", "../x", "a/./b", "a\\b", "a/"] {
            assert!(check_rel(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tmp_names_are_made_and_read_back_by_one_pair() {
        let before = SystemTime::now() - Duration::from_millis(1);
        for rel in ["calls/date=2024-01-02/part-00000.parquet", WRITE_CHECK_STEM] {
            let name = unique_name(rel);
            match own_tmp_entry(&name) {
                Some(OwnTmp::Stamped { made, dir: false }) => {
                    assert!(made >= before && made <= SystemTime::now(), "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        let removed = unique_name(&format!("date=2024-01-02{REMOVED_DIR_SUFFIX}"));
        assert!(matches!(
            own_tmp_entry(&removed),
            Some(OwnTmp::Stamped { dir: true, .. })
        ));
        assert_eq!(
            own_tmp_entry("write-check-4242"),
            Some(OwnTmp::OldWriteCheck)
        );
        for foreign in [
            "notes.txt",
            "write-check-",
            "write-check-12a",
            "x.1.2.3",
            ".1.1796412638615326211.0",
            "x.4242.1796412638615326211",
            "x.a.1796412638615326211.0",
            "x.1.1796412638615326211.",
            "x.1.17964126386153262110.0",
        ] {
            assert_eq!(own_tmp_entry(foreign), None, "{foreign}");
        }
    }

    /// A multipart upload whose part fails: `fail_part` fails, the rest succeed; records
    /// whether it was completed or aborted.
    #[derive(Debug)]
    struct FakeUpload {
        parts: usize,
        fail_part: Option<usize>,
        log: Arc<std::sync::Mutex<Vec<&'static str>>>,
    }

    #[async_trait::async_trait]
    impl MultipartUpload for FakeUpload {
        fn put_part(&mut self, _data: PutPayload) -> object_store::UploadPart {
            let fail = self.fail_part == Some(self.parts);
            self.parts += 1;
            Box::pin(async move {
                if fail {
                    Err(object_store::Error::Generic {
                        store: "fake",
                        source: "part refused".into(),
                    })
                } else {
                    Ok(())
                }
            })
        }
        async fn complete(&mut self) -> object_store::Result<object_store::PutResult> {
            self.log.lock().unwrap().push("complete");
            Ok(object_store::PutResult {
                e_tag: None,
                version: None,
            })
        }
        async fn abort(&mut self) -> object_store::Result<()> {
            self.log.lock().unwrap().push("abort");
            Ok(())
        }
    }

    #[test]
    fn a_failed_part_aborts_the_upload() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = Bytes::from(vec![7u8; MULTIPART_PART_BYTES * 2 + 1]);
        for (fail_part, expect) in [(None, "complete"), (Some(1), "abort")] {
            let log = Arc::default();
            let upload = FakeUpload {
                parts: 0,
                fail_part,
                log: Arc::clone(&log),
            };
            let r = rt.block_on(upload_parts(Box::new(upload), bytes.clone()));
            assert_eq!(r.is_ok(), fail_part.is_none());
            assert_eq!(*log.lock().unwrap(), [expect]);
        }
    }

    #[test]
    fn join_nests_under_the_prefix() {
        let p = ObjPath::parse("lake/x").unwrap();
        assert_eq!(
            join(&p, "calls/date=2024-01-01/f").as_ref(),
            "lake/x/calls/date=2024-01-01/f"
        );
        assert_eq!(join(&ObjPath::default(), "a/b").as_ref(), "a/b");
    }
}
