//! One entry point for callers that load as they go: any stream's pages → its partition
//! days, each handed over as soon as it is complete.

use std::path::PathBuf;

use crate::active_calls::ActiveCalls;
use crate::call_log::CallLog;
use crate::error::Result;
use crate::extension::Extensions;
use crate::message::Messages;
use crate::pipeline::{DayTables, TransformOptions, TransformSummary, run};

/// The streams of the raw zone, by what their pages hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawStream {
    /// `call-log/` (and call-log sync sessions): `calls`, `call_legs`, `call_recordings`.
    CallLog,
    /// `message-store/`: `messages`, `message_recipients`, `message_attachments`.
    MessageStore,
    /// `extensions/`: `extensions`.
    Extensions,
    /// `active-calls/`: `active_calls`.
    ActiveCalls,
}

/// Transforms `pages` of `stream` like [`crate::transform_call_log`] and its siblings, but
/// hands each partition day to `emit` in day order as soon as no later page can change it,
/// so that memory holds a few days of records, not the whole input, and loading overlaps
/// decoding. An error of `emit` stops the run and is returned.
pub fn transform_by_day(
    stream: RawStream,
    pages: &[PathBuf],
    opts: &TransformOptions,
    mut emit: impl FnMut(DayTables) -> Result<()>,
) -> Result<TransformSummary> {
    let emit = &mut emit;
    match stream {
        RawStream::CallLog => run(&CallLog, pages, opts, emit),
        RawStream::MessageStore => run(&Messages, pages, opts, emit),
        RawStream::Extensions => run(&Extensions, pages, opts, emit),
        RawStream::ActiveCalls => run(&ActiveCalls, pages, opts, emit),
    }
}
