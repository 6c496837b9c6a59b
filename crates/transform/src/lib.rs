//! Raw pages → typed Arrow record batches, one set per table and partition day.
//!
//! This crate reads the page files the extract stage landed (`.json`, `.json.gz`,
//! `.json.zst`) for each stream of [`ringlake_contracts::Stream`] — call log, message
//! store, extension list, active calls, account — with the lenient types of
//! `ringlake-model`, drops duplicates, and builds the batches of the tables' schemas. Every
//! column carries its description and the API field it comes from as Arrow field metadata,
//! and [`lake_reference`] renders them as the analysts' reference `docs/lake.md`. It knows
//! JSON, Arrow and what the raw zone's directories say about their pages; it never talks
//! HTTP and never writes Parquet (that is `ringlake-load`). Pages are decoded in parallel
//! with rayon; the output does not depend on the thread count or on how the records were
//! split into pages.
//!
//! The way through the crate: [`transform_by_day`] picks the stream's transform
//! (`streams/`, one file each), `run` schedules its pages window by window, `decode` turns
//! one page into rows, `days` assembles and sorts a partition day, `output` holds what
//! comes back.

#![warn(missing_docs)]

mod columns;
mod days;
mod decode;
mod error;
mod layout;
mod output;
mod pages;
mod reference;
mod run;
mod schema;
mod stream;
mod streams;

pub use error::{Error, Result};
pub use output::{
    DayTables, DeadLetter, TableData, TransformOptions, TransformOutput, TransformStats,
    TransformSummary,
};
pub use pages::{MAX_PAGE_BYTES, find_pages};
pub use reference::lake_reference;
pub use schema::{
    DESCRIPTION_METADATA, PARTITION_DATE_METADATA, SCHEMA_VERSION, SCHEMA_VERSION_METADATA,
    SORT_KEY_METADATA, SOURCE_METADATA, tables,
};
pub use streams::{
    schema_for, stream_tables, transform, transform_active_calls, transform_by_day,
    transform_call_log, transform_extensions, transform_messages,
};

// Types that appear in this crate's signatures.
pub use arrow::array::RecordBatch;
pub use arrow::datatypes::SchemaRef;
pub use chrono::NaiveDate;
pub use chrono_tz::Tz;
pub use ringlake_contracts::Stream;
