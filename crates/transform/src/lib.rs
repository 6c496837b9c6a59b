//! Raw call-log pages → typed Arrow record batches, one set per table and partition day.
//!
//! This crate reads the page files the extract stage landed (`.json`, `.json.gz`,
//! `.json.zst` list envelopes), reads every record with the lenient types of
//! `ringlake-model`, drops duplicate ids, and builds the `calls`, `call_legs` and
//! `call_recordings` batches of the schemas declared in one place ([`schema_for`]). It
//! knows JSON and Arrow; it never talks HTTP and never writes Parquet (that is
//! `ringlake-load`). Pages are decoded in parallel with rayon; the output does not depend
//! on the thread count or on how the records were split into pages.

mod call_log;
mod columns;
mod error;
mod pages;
mod schema;

pub use call_log::{
    CallLogOutput, DeadLetter, TableData, TransformOptions, TransformStats, transform_call_log,
};
pub use error::{Error, Result};
pub use pages::find_pages;
pub use schema::{SCHEMA_VERSION, SCHEMA_VERSION_METADATA, SORT_KEY_METADATA, schema_for, tables};

// Types that appear in this crate's signatures.
pub use arrow::array::RecordBatch;
pub use arrow::datatypes::SchemaRef;
pub use chrono::NaiveDate;
pub use chrono_tz::Tz;
