//! The transform's one error type.
//!
//! Every message is one line — what is wrong, the file, and what to do — because the CLI
//! prints it as the one line a user sees. So the underlying error is part of the message
//! (not a `#[source]`, which `{:#}` would print a second time), and paths and reasons are
//! printed with their control characters escaped ([`one_line`]): a file name or a parser
//! message with a newline in it cannot break the line.

use std::fmt::Display;
use std::path::PathBuf;

/// Why a transform run failed as a whole. A record that cannot be read is not an error
/// but a [`crate::DeadLetter`]; these are the failures after which nothing may be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A raw page or directory could not be read (vanished, permissions, disk).
    #[error(
        "cannot read {}: {}: check that it exists and that this user may read it, then run the same command again",
        one_line(path.display()),
        one_line(error)
    )]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// `<raw>/<stream>/` does not exist: nothing was extracted there (or a wrong path).
    #[error(
        "raw stream directory {} does not exist: run the extract stage with this raw dir first, or pass the raw dir it wrote to",
        one_line(path.display())
    )]
    MissingStreamDir {
        /// The directory.
        path: PathBuf,
    },
    /// A `.gz`/`.zst` page whose compressed bytes are broken: a corrupt raw file.
    #[error(
        "raw page {} is corrupt ({codec}: {}): {}",
        one_line(path.display()),
        one_line(reason),
        one_line(remedy)
    )]
    Decompress {
        /// The file or directory.
        path: PathBuf,
        /// `zstd` or `gzip`.
        codec: &'static str,
        /// What was wrong with it.
        reason: String,
        /// What to do about it (which directory to delete so that it is fetched again).
        remedy: String,
    },
    /// A page file larger than [`crate::MAX_PAGE_BYTES`], on disk or decompressed: no page
    /// the API sends comes near it, so it is a decompression bomb or not one page, and it
    /// is refused before it fills the memory.
    #[error(
        "raw page {} is too large (more than {limit} bytes {what}; an API page is a few MB): {}",
        one_line(path.display()),
        one_line(remedy)
    )]
    PageTooLarge {
        /// The file.
        path: PathBuf,
        /// The limit it exceeds, in bytes.
        limit: u64,
        /// `on disk` or `decompressed`.
        what: &'static str,
        /// What to do about it (which directory to delete so that it is fetched again).
        remedy: String,
    },
    /// A page file that is not a page of records (a list envelope `{"records": [...]}`;
    /// for the message store also a single message or a bulk array): a corrupt raw file, so
    /// the run stops before anything is written.
    #[error(
        "raw page {} is corrupt (not a JSON page of records: {}): {}",
        one_line(path.display()),
        one_line(reason),
        one_line(remedy)
    )]
    CorruptPage {
        /// The file or directory.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
        /// What to do about it (which directory to delete so that it is fetched again).
        remedy: String,
    },
    /// A page outside the raw layout its stream needs to tell a page's snapshot.
    #[error(
        "raw page {} is not in the raw layout {expected}: move it into that layout or out of the raw dir, then run the same command again",
        one_line(path.display())
    )]
    Layout {
        /// The file or directory.
        path: PathBuf,
        /// The layout, e.g. `<raw>/extensions/<YYYY-MM-DD>/page-NNNNN.json.zst`.
        expected: String,
    },
    /// Building an Arrow batch failed: a schema/builder mismatch (a bug, not bad data), or
    /// a partition day too large for one batch.
    #[error(
        "cannot build the {table} batch for {date}: {}: unless the message says the day holds too much text for one batch, this is a bug in ringlake, please report this line",
        one_line(error)
    )]
    Arrow {
        /// The table.
        table: &'static str,
        /// The partition day.
        date: chrono::NaiveDate,
        /// What Arrow said.
        error: arrow::error::ArrowError,
    },
    /// A day window's page with a record more than two days (the most time zones explain)
    /// before the window, whose day was therefore already handed over without it (a page
    /// moved by hand, or a server that ignored the window): the run stops rather than write
    /// that day again with only the late records.
    #[error(
        "raw page {} holds a record of {day}, more than two days before its window, and that day was already written without it: move the page into the directory of its own window (or out of the raw dir), then run the same command again",
        one_line(path.display())
    )]
    OutsideWindow {
        /// The file or directory.
        path: PathBuf,
        /// The record's partition day.
        day: chrono::NaiveDate,
    },
    /// Building the Arrow rows of one page failed: a schema/builder mismatch (a bug, not
    /// bad data), or a page too large for one batch.
    #[error(
        "cannot build the rows of raw page {}: {}: unless the message says the page holds too much text for one batch, this is a bug in ringlake, please report this line",
        one_line(path.display()),
        one_line(error)
    )]
    PageRows {
        /// The file or directory.
        path: PathBuf,
        /// What Arrow said.
        error: arrow::error::ArrowError,
    },
    /// The caller's `emit` of [`crate::transform_by_day`] failed (loading a day); its
    /// error, whole, for the caller to unwrap.
    #[error(transparent)]
    Emit(Box<dyn std::error::Error + Send + Sync>),
}

/// Result with the transform's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `value` as text with every control character escaped (`\n` → `\\n`), so that it cannot
/// break the one line of an error message.
pub(crate) fn one_line(value: impl Display) -> String {
    let text = value.to_string();
    if !text.chars().any(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, with a newline in each of its values: one line all the same.
    #[test]
    fn every_message_is_one_line() {
        let path = || PathBuf::from("/raw/call-log/2024-01-01\n/page-\r00001.json");
        let io = || std::io::Error::other("line one\nline two");
        let remedy = || {
            let real =
                crate::layout::corrupt_page_remedy(&path(), ringlake_contracts::Layout::DayWindow);
            format!("{real}\nand a second line")
        };
        let all = [
            Error::Io {
                path: path(),
                error: io(),
            },
            Error::MissingStreamDir { path: path() },
            Error::Decompress {
                path: path(),
                codec: "zstd",
                reason: "bad\nframe".into(),
                remedy: remedy(),
            },
            Error::CorruptPage {
                path: path(),
                reason: "expected value at line 1\ncolumn 2".into(),
                remedy: remedy(),
            },
            Error::PageTooLarge {
                path: path(),
                limit: 1,
                what: "decompressed",
                remedy: remedy(),
            },
            Error::Layout {
                path: path(),
                expected: ringlake_contracts::Stream::ActiveCalls.page_pattern(),
            },
            Error::Arrow {
                table: "calls",
                date: chrono::NaiveDate::MIN,
                error: arrow::error::ArrowError::InvalidArgumentError("a\nb".into()),
            },
            Error::OutsideWindow {
                path: path(),
                day: chrono::NaiveDate::MIN,
            },
            Error::PageRows {
                path: path(),
                error: arrow::error::ArrowError::InvalidArgumentError("a\nb".into()),
            },
        ];
        for err in all {
            let msg = err.to_string();
            assert!(!msg.contains(['\n', '\r']), "{msg}");
            assert!(
                msg.contains("run the same command again")
                    || msg.contains("run the extract stage")
                    || msg.contains("please report"),
                "says what to do: {msg}"
            );
            // Nothing is both in the message and a source (`{:#}` would print it twice).
            assert!(std::error::Error::source(&err).is_none(), "{msg}");
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\nb\r\tc\u{0}d"), "a\\nb\\r\\tc\\u{0}d");
        assert_eq!(one_line("plain /é ü"), "plain /é ü");
    }
}
