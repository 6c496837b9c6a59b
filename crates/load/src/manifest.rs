//! `<lake>/<table>/_manifest.json`: what the lake should hold, file by file.
//!
//! One object per table, replaced whole (one PUT, or a rename locally) after the table's
//! partitions are written. The JSON is deterministic: keys in a fixed (alphabetical)
//! order, partitions by date, files by path, pretty-printed with a final newline, so the
//! same lake state gives the same bytes and an unchanged manifest is not rewritten.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// File name of a table's manifest (leading `_`: readers skip it).
pub const MANIFEST_FILE_NAME: &str = "_manifest.json";
/// Schema-level metadata key holding the table's schema version (set by the transform).
pub use ringlake_contracts::metadata::SCHEMA_VERSION_METADATA;
/// Version of the manifest's own layout.
pub const MANIFEST_FORMAT: u32 = 1;

/// A table's manifest. Fields are declared in alphabetical order: that is the JSON order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`] of the writer.
    pub format: u32,
    /// Every partition the lake holds for the table, by date.
    pub partitions: BTreeMap<NaiveDate, PartitionEntry>,
    /// The table's schema version at the last write ([`SCHEMA_VERSION_METADATA`]).
    pub schema_version: Option<String>,
    /// The table's name, which is also its directory under the lake.
    pub table: String,
}

/// The files of one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PartitionEntry {
    /// By path: `part-00000.parquet`, `part-00001.parquet`, …
    pub files: Vec<FileEntry>,
    /// Schema version of the rows in these files.
    pub schema_version: Option<String>,
}

/// One Parquet file of a partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileEntry {
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Relative to the table directory: `date=2024-01-02/part-00000.parquet`.
    pub path: String,
    /// Rows in the file.
    pub rows: u64,
    /// The run that wrote (or, for a file found whole but unlisted, vouched for) the file.
    pub run_id: String,
    /// sha256 of the file, lower-case hex: what `sha256sum` prints.
    pub sha256: String,
    /// When the file was written, RFC 3339 UTC to the second.
    pub written_at: String,
}

impl Manifest {
    /// An empty manifest of `table`.
    pub fn new(table: &str) -> Self {
        Self {
            format: MANIFEST_FORMAT,
            partitions: BTreeMap::new(),
            schema_version: None,
            table: table.to_owned(),
        }
    }

    /// The manifest as stored: deterministic pretty JSON with a final newline.
    pub(crate) fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        let mut sorted = self.clone();
        for p in sorted.partitions.values_mut() {
            p.files.sort_by(|a, b| a.path.cmp(&b.path));
        }
        let mut out = serde_json::to_vec_pretty(&sorted)?;
        out.push(b'\n');
        Ok(out)
    }

    /// Parses a stored manifest.
    pub fn from_bytes(bytes: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }

    /// The entry of the file at `path` (relative to the table directory), if listed.
    pub(crate) fn file(&self, date: NaiveDate, path: &str) -> Option<&FileEntry> {
        self.partitions
            .get(&date)?
            .files
            .iter()
            .find(|f| f.path == path)
    }
}

/// sha256 of `bytes` as lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn json_is_deterministic_and_round_trips() {
        let mut m = Manifest::new("calls");
        m.schema_version = Some("3".into());
        let file = |path: &str| FileEntry {
            bytes: 10,
            path: path.into(),
            rows: 2,
            run_id: "r1".into(),
            sha256: "00".into(),
            written_at: "2024-01-01T00:00:00Z".into(),
        };
        m.partitions.insert(
            NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
            PartitionEntry {
                files: vec![
                    file("date=2024-01-02/part-00001.parquet"),
                    file("date=2024-01-02/part-00000.parquet"),
                ],
                schema_version: Some("3".into()),
            },
        );
        m.partitions.insert(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            PartitionEntry {
                files: vec![file("date=2024-01-01/part-00000.parquet")],
                schema_version: Some("3".into()),
            },
        );
        let bytes = m.to_bytes().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.ends_with("}\n"));
        // Dates ascending, files by path, keys alphabetical.
        let d1 = text.find("\"2024-01-01\"").unwrap();
        let d2 = text.find("\"2024-01-02\"").unwrap();
        assert!(d1 < d2);
        let p0 = text.find("date=2024-01-02/part-00000").unwrap();
        let p1 = text.find("date=2024-01-02/part-00001").unwrap();
        assert!(p0 < p1);
        let keys: Vec<usize> = [
            "\"format\"",
            "\"partitions\"",
            "\"schema_version\"",
            "\"table\"",
        ]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");

        let back = Manifest::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes().unwrap(), bytes);
        assert!(
            back.file(
                NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
                "date=2024-01-02/part-00001.parquet"
            )
            .is_some()
        );
    }
}
