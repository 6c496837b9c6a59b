//! The transform's one error type.

use std::path::PathBuf;

/// Why a transform run failed as a whole. A record that cannot be read is not an error
/// but a [`crate::DeadLetter`]; these are the failures after which nothing may be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A raw page or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `<raw>/<stream>/` does not exist: nothing was extracted there (or a wrong path).
    #[error(
        "raw stream directory {path} does not exist (was the extract stage run with this raw dir?)"
    )]
    MissingStreamDir { path: PathBuf },
    /// A `.gz`/`.zst` page whose compressed bytes are broken.
    #[error("cannot decompress raw page {path}: {reason}")]
    Decompress { path: PathBuf, reason: String },
    /// A page file that is not a page of records (a list envelope `{"records": [...]}`;
    /// for the message store also a single message or a bulk array): a corrupt raw file, so
    /// the run stops before anything is written.
    #[error("raw page {path} is not a JSON page of records: {reason}")]
    CorruptPage { path: PathBuf, reason: String },
    /// A page outside the raw layout its stream needs to tell a page's snapshot.
    #[error("raw page {path} is not in the raw layout: expected {expected}")]
    Layout {
        path: PathBuf,
        expected: &'static str,
    },
    /// Building an Arrow batch failed (a schema/builder mismatch: a bug, not bad data).
    #[error("cannot build the {table} batch for {date}: {source}")]
    Arrow {
        table: &'static str,
        date: chrono::NaiveDate,
        #[source]
        source: arrow::error::ArrowError,
    },
}

/// Result with the transform's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
