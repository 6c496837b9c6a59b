//! The loader's one error type.

use std::path::PathBuf;

use chrono::NaiveDate;

/// Why a partition or table could not be written. Every variant names the table and,
/// where there is one, the partition and the path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system step failed (`op` says which: "create directory", "rename", …).
    #[error("{table}/date={date}: cannot {op} {path}: {source}")]
    Io {
        table: String,
        date: NaiveDate,
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The batch could not be encoded as Parquet.
    #[error("{table}/date={date}: cannot encode Parquet: {source}")]
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
    /// A [`crate::LoadOptions`] value out of range.
    #[error("invalid load option: {reason}")]
    InvalidOptions { reason: String },
}

/// Result with the loader's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
