//! The loader's one error type.

use chrono::NaiveDate;

/// Why a lake could not be opened, or a table written or verified. Every variant names
/// what it was working on: the lake URL, the object or file location, the table and
/// partition. Locations never carry credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The lake location is not a path or a URL of a supported object store, or the
    /// store's client could not be configured from it and the environment.
    #[error("cannot open lake {url}: {reason}")]
    Open {
        /// The location as given (credentials never appear in it).
        url: String,
        /// What is wrong with it, or the store client's complaint.
        reason: String,
    },
    /// A local file-system step failed (`op` says which: "create directory", "rename", …).
    #[error("cannot {op} {location}")]
    Io {
        /// The step, as a verb: "create directory", "rename", "fsync", …
        op: &'static str,
        /// The path it was done to.
        location: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An object-store request failed (after the client's own retries).
    #[error("cannot {op} {location}")]
    Store {
        /// The request, as a verb: "put", "get", "list", "delete", …
        op: &'static str,
        /// The object's URL (`s3://bucket/lake/calls/_manifest.json`).
        location: String,
        /// The store client's error.
        #[source]
        source: object_store::Error,
    },
    /// The batch could not be encoded as Parquet.
    #[error("{table}/date={date}: cannot encode Parquet")]
    Parquet {
        /// The table being written.
        table: String,
        /// The partition's day.
        date: NaiveDate,
        /// The Parquet writer's error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The partitions handed to `write_table` do not all have the same schema.
    #[error(
        "{table}/date={date}: schema differs from the table's other partitions (every partition of a table must have the same schema)"
    )]
    SchemaMismatch {
        /// The table being written.
        table: String,
        /// The first partition whose schema differs.
        date: NaiveDate,
    },
    /// A table name that is not one directory name (empty, `/`, `..`, or starting with
    /// `_`/`.`, which readers skip).
    #[error(
        "invalid table name {table:?}: must be one directory name not starting with '_' or '.'"
    )]
    InvalidTable {
        /// The name as given.
        table: String,
    },
    /// A path inside the lake that is empty, absolute, or leaves the lake (`..`).
    #[error(
        "invalid path in the lake {path:?}: must be relative, '/'-separated, without '.' or '..'"
    )]
    InvalidPath {
        /// The path as given.
        path: String,
    },
    /// A [`crate::LoadOptions`] value out of range.
    #[error("invalid load option: {reason}")]
    InvalidOptions {
        /// Which option, its value and the allowed range.
        reason: String,
    },
    /// The manifest could not be encoded (a bug, not a data problem).
    #[error("cannot encode the manifest {location}")]
    Manifest {
        /// Where the manifest was to go.
        location: String,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// A table's manifest kept being replaced by another writer between this writer's
    /// re-read and its conditional replace. The partition files are whole; the manifest
    /// lacks this writer's days until a run writes them again.
    #[error(
        "cannot replace {location}: another writer replaced it each of {attempts} times (is a second run writing this lake?); run again when it is done"
    )]
    ManifestConflict {
        /// The manifest's location.
        location: String,
        /// Conditional replaces tried.
        attempts: usize,
    },
    /// The runtime that carries object-store I/O could not start or lost a task.
    #[error("object-store I/O runtime: {reason}")]
    Runtime {
        /// Why it could not start, or which task was lost.
        reason: String,
    },
}

impl Error {
    /// True when the user must change the configuration (the lake URL, the cloud's
    /// environment variables, the options) before anything can succeed.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            Error::Open { .. } | Error::InvalidOptions { .. } | Error::InvalidTable { .. }
        )
    }
}

/// Result with the loader's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
