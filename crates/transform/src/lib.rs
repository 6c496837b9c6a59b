//! Raw pages → typed Arrow record batches, one set per table and partition day.
//!
//! This crate reads the page files the extract stage landed (`.json`, `.json.gz`,
//! `.json.zst`): call-log, message-store, extension-list and active-calls pages. It reads
//! every record with the lenient types of `ringlake-model`, drops duplicates, and builds
//! the batches of the schemas declared in one place ([`schema_for`]): `calls`, `call_legs`,
//! `call_recordings`; `messages`, `message_recipients`, `message_attachments`;
//! `extensions`; `active_calls`. Every column carries its description and the API field it
//! comes from as Arrow field metadata, and [`lake_reference`] renders them as the analysts'
//! reference `docs/lake.md`. It knows JSON, Arrow and the raw zone's directory layout;
//! it never talks HTTP and never writes Parquet (that is `ringlake-load`). Pages are
//! decoded in parallel with rayon; the output does not depend on the thread count or on
//! how the records were split into pages.

mod active_calls;
mod by_day;
mod call_log;
mod columns;
mod error;
mod extension;
mod layout;
mod message;
mod pages;
mod pipeline;
mod reference;
mod schema;

pub use active_calls::transform_active_calls;
pub use by_day::{RawStream, transform_by_day};
pub use call_log::transform_call_log;
pub use error::{Error, Result};
pub use extension::transform_extensions;
pub use message::transform_messages;
pub use pages::find_pages;
pub use pipeline::{
    DayTables, DeadLetter, TableData, TransformOptions, TransformOutput, TransformStats,
    TransformSummary,
};
pub use reference::lake_reference;
pub use schema::{
    DESCRIPTION_METADATA, PARTITION_DATE_METADATA, SCHEMA_VERSION, SCHEMA_VERSION_METADATA,
    SORT_KEY_METADATA, SOURCE_METADATA, schema_for, tables,
};

// Types that appear in this crate's signatures.
pub use arrow::array::RecordBatch;
pub use arrow::datatypes::SchemaRef;
pub use chrono::NaiveDate;
pub use chrono_tz::Tz;
