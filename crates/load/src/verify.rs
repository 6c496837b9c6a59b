//! Checking a lake against its manifests: what is missing, cut short, altered or extra.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use tracing::info;

use crate::error::Result;
use crate::lake::{Lake, ObjectInfo};
use crate::manifest::{FileEntry, MANIFEST_FILE_NAME, Manifest, sha256_hex};
use crate::partition::{parse_partition_dir_name, partition_dir_name};

/// What [`verify`] found.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct VerifyReport {
    /// The table directories looked at, by name.
    pub tables: Vec<String>,
    /// Files the manifests list that were found and checked (size, then sha256).
    pub files_checked: usize,
    /// Bytes read to check them.
    pub bytes_checked: u64,
    /// Every difference, one per file or directory, by path.
    pub findings: Vec<Finding>,
}

impl VerifyReport {
    /// True when the lake holds exactly what its manifests list.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// One difference between the lake and a manifest. `Display` gives one line:
/// `calls/date=2026-06-02/part-00000.parquet: missing (the manifest of run … lists 123 rows, 45678 bytes)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// What kind of difference it is.
    pub kind: FindingKind,
    /// The file or directory, relative to the lake (`calls/date=2026-06-02/part-00000.parquet`).
    pub path: String,
    /// What is wrong with it, in words.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The kinds of [`Finding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FindingKind {
    /// A file the manifest lists is not there (deleted).
    Missing,
    /// A listed file is shorter than the manifest says.
    Truncated,
    /// A listed file is longer than the manifest says.
    SizeChanged,
    /// A listed file has the right size but other bytes.
    ChecksumChanged,
    /// A file in a listed partition that the manifest does not list.
    Stray,
    /// A `date=` directory that the manifest does not list at all.
    UnlistedPartition,
    /// Something in a table directory that is neither a `date=` directory nor hidden.
    NotAPartition,
    /// A table directory without `_manifest.json`.
    NoManifest,
    /// A `_manifest.json` that cannot be read.
    BadManifest,
}

/// Checks every table of the lake against its `_manifest.json`: each listed file must
/// exist with the listed size and sha256 (every file is read), and nothing but listed
/// files may sit in the table's `date=` directories. Directories and files whose name
/// starts with `_` or `.` (`_tmp`, `_dead_letter`, `_raw`, `_state`, the manifests) are
/// not tables or data and are skipped. Differences are findings, not errors; an error
/// means the lake could not be read.
pub fn verify(lake: &Lake) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    for table in lake.list_top_dirs()? {
        if is_hidden(&table) {
            continue;
        }
        verify_table(lake, &table, &mut report)?;
        report.tables.push(table);
    }
    report
        .findings
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.kind.cmp(&b.kind)));
    info!(
        lake = %lake,
        tables = report.tables.len(),
        files = report.files_checked,
        bytes = report.bytes_checked,
        findings = report.findings.len(),
        "Lake verified."
    );
    Ok(report)
}

fn verify_table(lake: &Lake, table: &str, report: &mut VerifyReport) -> Result<()> {
    let objects: Vec<ObjectInfo> = lake
        .list(table)?
        .into_iter()
        .filter(|o| !o.rel.split('/').any(is_hidden))
        .collect();
    let manifest_rel = format!("{table}/{MANIFEST_FILE_NAME}");
    let finding = |kind, path: String, message: String| Finding {
        kind,
        path,
        message,
    };
    let manifest = match lake.get_object(&manifest_rel)? {
        None => {
            report.findings.push(finding(
                FindingKind::NoManifest,
                table.to_owned(),
                format!(
                    "no {MANIFEST_FILE_NAME}, {} not verified",
                    count(objects.len(), "file")
                ),
            ));
            return Ok(());
        }
        Some(bytes) => match Manifest::from_bytes(&bytes) {
            Ok(m) => m,
            Err(e) => {
                report.findings.push(finding(
                    FindingKind::BadManifest,
                    manifest_rel,
                    format!(
                        "unreadable manifest ({e}), {} not verified",
                        count(objects.len(), "file")
                    ),
                ));
                return Ok(());
            }
        },
    };

    let on_store: BTreeMap<&str, &ObjectInfo> =
        objects.iter().map(|o| (o.rel.as_str(), o)).collect();
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    for entry in manifest.partitions.values() {
        for file in &entry.files {
            listed.insert(file.path.as_str());
            let path = format!("{table}/{}", file.path);
            let Some(found) = on_store.get(file.path.as_str()) else {
                report.findings.push(finding(
                    FindingKind::Missing,
                    path,
                    format!("missing ({})", listed_as(file)),
                ));
                continue;
            };
            if found.size < file.bytes {
                report.findings.push(finding(
                    FindingKind::Truncated,
                    path,
                    format!("truncated to {} bytes ({})", found.size, listed_as(file)),
                ));
                continue;
            }
            if found.size > file.bytes {
                report.findings.push(finding(
                    FindingKind::SizeChanged,
                    path,
                    format!(
                        "{} bytes, more than listed ({})",
                        found.size,
                        listed_as(file)
                    ),
                ));
                continue;
            }
            let Some(bytes) = lake.get_object(&path)? else {
                // Removed between the listing and the read.
                report.findings.push(finding(
                    FindingKind::Missing,
                    path,
                    format!("missing ({})", listed_as(file)),
                ));
                continue;
            };
            report.files_checked += 1;
            report.bytes_checked += bytes.len() as u64;
            let sha = sha256_hex(&bytes);
            if sha != file.sha256 {
                report.findings.push(finding(
                    FindingKind::ChecksumChanged,
                    path,
                    format!(
                        "content changed: sha256 {} ({}, sha256 {})",
                        short(&sha),
                        listed_as(file),
                        short(&file.sha256)
                    ),
                ));
            }
        }
    }

    // What the store holds beyond the manifest, by directory.
    let mut unlisted: BTreeMap<&str, Vec<&ObjectInfo>> = BTreeMap::new();
    for o in objects.iter().filter(|o| !listed.contains(o.rel.as_str())) {
        let dir = o.rel.split_once('/').map_or("", |(d, _)| d);
        unlisted.entry(dir).or_default().push(o);
    }
    for (dir, files) in unlisted {
        let date = parse_partition_dir_name(dir);
        match date {
            Some(d) if manifest.partitions.contains_key(&d) => {
                for o in files {
                    report.findings.push(finding(
                        FindingKind::Stray,
                        format!("{table}/{}", o.rel),
                        format!("stray file, not in the manifest ({} bytes)", o.size),
                    ));
                }
            }
            Some(d) => report.findings.push(finding(
                FindingKind::UnlistedPartition,
                format!("{table}/{}", partition_dir_name(d)),
                format!(
                    "partition not in the manifest ({}, {} bytes)",
                    count(files.len(), "file"),
                    files.iter().map(|o| o.size).sum::<u64>()
                ),
            )),
            None if dir.is_empty() => {
                for o in files {
                    report.findings.push(finding(
                        FindingKind::NotAPartition,
                        format!("{table}/{}", o.rel),
                        "file outside any date= partition directory".into(),
                    ));
                }
            }
            None => report.findings.push(finding(
                FindingKind::NotAPartition,
                format!("{table}/{dir}"),
                format!(
                    "not a date=YYYY-MM-DD partition directory ({})",
                    count(files.len(), "file")
                ),
            )),
        }
    }
    Ok(())
}

fn listed_as(file: &FileEntry) -> String {
    format!(
        "the manifest of run {} lists {} rows, {} bytes",
        file.run_id, file.rows, file.bytes
    )
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('.')
}
