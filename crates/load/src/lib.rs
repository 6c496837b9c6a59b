//! Arrow record batches → date-partitioned Parquet in a lake on a local disk or an
//! object store (S3, Google Cloud Storage, Azure), with a manifest per table and a
//! verifier that checks the lake against it.
//!
//! A partition is `<lake>/<table>/date=YYYY-MM-DD/part-00000.parquet` (more files,
//! `part-00001.parquet`, …, when its Parquet exceeds the file-size target). Files are
//! published whole: locally written under `<lake>/_tmp/`, fsynced and renamed into place;
//! on an object store put in one request (or one multipart upload), which stays
//! invisible until complete. The same rows always give the same bytes, and a file that
//! already holds them is left alone. A partition of one file (all but those above the
//! file-size target, 256 MiB of Parquet by default) is thus replaced atomically; one of
//! several files is replaced file by file, new files first and stale ones removed last,
//! so a reader listing it during the rewrite may see old and new files together (object
//! stores offer no atomic multi-object swap; that is what table formats add). `<lake>/<table>/_manifest.json` lists every file
//! with its rows, size, sha256, schema version and the run that wrote it; [`verify`]
//! reports any difference. A day handed over with no rows keeps the partition the lake
//! holds (an empty answer never deletes an archive); a lost or unreadable manifest is
//! rebuilt from the table's files; on an object store a manifest is replaced with a
//! conditional put, merged and retried when another writer replaced it meanwhile.
//! This crate knows Arrow, Parquet, files and object stores; it
//! never sees JSON records or HTTP APIs, and it does not know any table: the sort key and
//! schema version come from the batch schema's metadata ([`SORT_KEY_METADATA`],
//! [`SCHEMA_VERSION_METADATA`]).

#![warn(missing_docs)]

mod error;
mod lake;
mod manifest;
mod partition;
mod stats;
mod verify;
mod writer;

pub use error::{Error, Result};
pub use lake::{Lake, TMP_DIR_NAME};
pub use manifest::{
    FileEntry, MANIFEST_FILE_NAME, MANIFEST_FORMAT, Manifest, PartitionEntry,
    SCHEMA_VERSION_METADATA,
};
pub use partition::{parse_partition_dir_name, partition_dir};
pub use stats::LoadStats;
pub use verify::{Finding, FindingKind, VerifyReport, verify};
pub use writer::{
    DEFAULT_MAX_ROW_GROUP_ROWS, DEFAULT_TARGET_FILE_BYTES, DEFAULT_ZSTD_LEVEL, LoadOptions,
    PARTITION_FILE_NAME, PartitionWrite, SORT_KEY_METADATA, TableWriter, new_run_id,
    part_file_name, write_table,
};

// Types that appear in this crate's signatures.
pub use arrow::array::RecordBatch;
pub use bytes::Bytes;
pub use chrono::NaiveDate;
