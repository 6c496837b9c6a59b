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
    Open { url: String, reason: String },
    /// A local file-system step failed (`op` says which: "create directory", "rename", …).
    #[error("cannot {op} {location}")]
    Io {
        op: &'static str,
        location: String,
        #[source]
        source: std::io::Error,
    },
    /// An object-store request failed (after the client's own retries).
    #[error("cannot {op} {location}")]
    Store {
        op: &'static str,
        location: String,
        #[source]
        source: object_store::Error,
    },
    /// The batch could not be encoded as Parquet.
    #[error("{table}/date={date}: cannot encode Parquet")]
    Parquet {
        table: String,
        date: NaiveDate,
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The partitions handed to `write_table` do not all have the same schema.
    #[error(
        "{table}/date={date}: schema differs from the table's other partitions (every partition of a table must have the same schema)"
    )]
    SchemaMismatch { table: String, date: NaiveDate },
    /// A table name that is not one directory name (empty, `/`, `..`, or starting with
    /// `_`/`.`, which readers skip).
    #[error(
        "invalid table name {table:?}: must be one directory name not starting with '_' or '.'"
    )]
    InvalidTable { table: String },
    /// A path inside the lake that is empty, absolute, or leaves the lake (`..`).
    #[error(
        "invalid path in the lake {path:?}: must be relative, '/'-separated, without '.' or '..'"
    )]
    InvalidPath { path: String },
    /// A [`crate::LoadOptions`] value out of range.
    #[error("invalid load option: {reason}")]
    InvalidOptions { reason: String },
    /// The manifest could not be encoded (a bug, not a data problem).
    #[error("cannot encode the manifest {location}")]
    Manifest {
        location: String,
        #[source]
        source: serde_json::Error,
    },
    /// The runtime that carries object-store I/O could not start or lost a task.
    #[error("object-store I/O runtime: {reason}")]
    Runtime { reason: String },
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
