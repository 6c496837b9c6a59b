//! The rules that two stages of ringlake must agree on, each written once, below them all:
//!
//! - [`Stream`]: the list of streams ringlake archives, with their raw directories, their
//!   tables and their raw layout;
//! - [`raw`]: the raw landing zone's paths (`<raw>/<stream>/<window>/page-NNNNN.json.zst`),
//!   formatted and parsed side by side;
//! - [`day`]: the day rule — a partition day's UTC window, and the partition day of an
//!   instant — in a time zone;
//! - [`tables`]: the lake's table names;
//! - [`partition`]: the Hive partition directory `date=YYYY-MM-DD`;
//! - [`metadata`]: the Parquet/Arrow metadata keys the transform sets and the loader and
//!   readers rely on.
//!
//! Each rule is tested both ways here (format then parse, day then instant), so that the
//! stage that writes and the stage that reads cannot drift apart. This crate does no I/O
//! and knows nothing of HTTP, JSON, Arrow or Parquet.

#![warn(missing_docs)]
// Unwrapping is how a test fails; outside tests the lints stand.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod day;
pub mod metadata;
pub mod partition;
pub mod raw;
mod stream;
pub mod tables;

pub use raw::Layout;
pub use stream::Stream;

// Types that appear in this crate's signatures.
pub use chrono::{DateTime, NaiveDate, Utc};
pub use chrono_tz::Tz;
