//! The streams, one file each: how a stream's pages are read and which tables its records
//! become. Adding one is a file here and an arm in [`with_stream!`]; everything else (the
//! run, deduplication, day assembly) is shared.

mod account;
mod active_calls;
mod call_log;
mod call_rows;
mod extension;
mod message;
#[cfg(test)]
mod schema_checks;

use std::path::PathBuf;

use arrow::datatypes::SchemaRef;
use ringlake_contracts::Stream;

pub use active_calls::transform_active_calls;
pub use call_log::transform_call_log;
pub use extension::transform_extensions;
pub use message::transform_messages;

use crate::error::Result;
use crate::output::{DayTables, TransformOptions, TransformOutput, TransformSummary};
use crate::run::{gather, run};
use crate::stream::Stream as _;

/// Runs `$body` with `$s` bound to the transform of `$stream`'s tables (both call-log modes
/// share one). The one list of the transforms: a stream without one does not compile.
macro_rules! with_stream {
    ($stream:expr, $s:ident => $body:expr) => {
        match $stream {
            Stream::CallLog | Stream::CallLogSync => {
                let $s = &call_log::CallLog;
                $body
            }
            Stream::MessageStore => {
                let $s = &message::Messages;
                $body
            }
            Stream::Extensions => {
                let $s = &extension::Extensions;
                $body
            }
            Stream::ActiveCalls => {
                let $s = &active_calls::ActiveCalls;
                $body
            }
            Stream::Account => {
                let $s = &account::Account;
                $body
            }
        }
    };
}

/// Transforms `pages` of `stream` (pages of every stream that fills its tables, see
/// [`Stream::sources`]) and hands each partition day to `emit` in day order as soon as no
/// later page can change it, so that memory holds a few days of rows, not the whole input,
/// and loading overlaps decoding. An error of `emit` stops the run and is returned.
pub fn transform_by_day(
    stream: Stream,
    pages: &[PathBuf],
    opts: &TransformOptions,
    mut emit: impl FnMut(DayTables) -> Result<()>,
) -> Result<TransformSummary> {
    let emit = &mut emit;
    with_stream!(stream, s => run(s, pages, opts, emit))
}

/// [`transform_by_day`] with the days gathered into whole tables, for callers that want
/// them all at once (tests, small inputs).
pub fn transform(
    stream: Stream,
    pages: &[PathBuf],
    opts: &TransformOptions,
) -> Result<TransformOutput> {
    with_stream!(stream, s => gather(s, pages, opts))
}

/// The tables `stream` makes, parent table first, each with its schema.
pub fn stream_tables(stream: Stream) -> Result<Vec<(&'static str, &'static SchemaRef)>> {
    with_stream!(stream, s => Ok(s.tables()))
}

/// The schema of `table`, or `None` for a name this crate does not produce.
pub fn schema_for(table: &str) -> Option<SchemaRef> {
    Stream::ALL
        .into_iter()
        .filter_map(|s| stream_tables(s).ok())
        .flatten()
        .find(|(name, _)| *name == table)
        .map(|(_, schema)| SchemaRef::clone(schema))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    /// Every stream of the list has a transform whose tables are the list's, and every
    /// table has a schema.
    #[test]
    fn every_stream_is_registered_with_its_tables() {
        for stream in Stream::ALL {
            let tables: Vec<&str> = stream_tables(stream)
                .unwrap_or_else(|e| panic!("{stream}: {e}"))
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            assert_eq!(tables, stream.tables(), "{stream}");
            let out = transform(stream, &[], &TransformOptions::new()).unwrap();
            let names: Vec<&str> = out.tables.iter().map(|t| t.name).collect();
            assert_eq!(names, stream.tables(), "{stream}");
        }
        for table in ringlake_contracts::tables::ALL {
            assert!(schema_for(table).is_some(), "{table}");
        }
        assert!(schema_for("nope").is_none());
    }
}
