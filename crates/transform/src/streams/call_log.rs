//! Call-log pages → the `calls`, `call_legs` and `call_recordings` tables.

use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono_tz::Tz;
use ringlake_model::{CallLogRecord, CallLogRecordingInfo, Text};

use ringlake_contracts::Stream as StreamId;

use super::call_rows::{
    CALL_COLUMNS, CallRow, LEG_COLUMNS, LegRow, RECORDING_COLUMNS, RecordingRow,
};
use super::call_rows::{CALL_LEGS_SCHEMA, CALL_RECORDINGS_SCHEMA, CALLS_SCHEMA};
use crate::columns::{BatchBuilder, extra_json};
use crate::decode::for_each_record;
use crate::error::Result;
use crate::output::{TransformOptions, TransformOutput};
use crate::run::gather;
use crate::schema::tables;
use crate::stream::{
    ChildRows, Keyed, PageBuilder, PageRows, PageShapes, Read, Stop, Stream, partition_day,
};

/// Reads call-log page files (list or sync envelopes of `CallLogRecord`s) into the three
/// call-log tables, split by partition day (`startTime` in [`TransformOptions::time_zone`]).
///
/// Pages are decoded in parallel. A page that is not a JSON list envelope fails the whole
/// run (a corrupt raw file: nothing should be written); a record that cannot be read
/// becomes a [`crate::DeadLetter`] and the rest of its page is kept. A record id seen more
/// than once keeps its copy with the newest `lastModifiedTime` (ties: the later page file by
/// path, then the later position in the page) — windows overlap when the server's
/// `dateTo` is inclusive and on re-fetches.
pub fn transform_call_log(pages: &[PathBuf], opts: &TransformOptions) -> Result<TransformOutput> {
    gather(&CallLog, pages, opts)
}

impl Keyed for CallLogRecord {
    type Key = Text;
    fn key(&self) -> Text {
        self.id.clone()
    }
    fn last_modified(&self) -> Option<i64> {
        self.last_modified_time
    }
}

pub(crate) struct CallLog;

impl Stream for CallLog {
    type Item = CallLogRecord;
    type Builder = CallLogRows;
    type PageContext = ();
    const STREAM: StreamId = StreamId::CallLog;
    const SHAPES: PageShapes = PageShapes::List;

    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)> {
        vec![
            (tables::CALLS, &CALLS_SCHEMA),
            (tables::CALL_LEGS, &CALL_LEGS_SCHEMA),
            (tables::CALL_RECORDINGS, &CALL_RECORDINGS_SCHEMA),
        ]
    }

    fn page_builder(&self, records: usize) -> Result<CallLogRows, ArrowError> {
        CallLogRows::new(records)
    }

    fn page_context(&self, _path: &Path) -> Result<()> {
        Ok(())
    }

    fn read(&self, raw: &str, _ctx: &(), tz: Tz) -> Read<CallLogRecord> {
        match read_call(raw, tz) {
            Ok((rec, day)) => Read::Row(rec, day),
            Err(reason) => Read::Dead(reason),
        }
    }

    fn read_list_page(
        &self,
        text: &str,
        _ctx: &(),
        tz: Tz,
        take: &mut dyn FnMut(CallLogRecord, chrono::NaiveDate) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        for_each_record(text, &mut |rec: CallLogRecord| {
            let day = partition_day(rec.base.start_time, tz, "startTime")
                .map_err(|_| Stop::Unreadable)?;
            take(rec, day)
        })
    }
}

/// One call-log record and its partition day (`startTime` in `tz`).
pub(crate) fn read_call(raw: &str, tz: Tz) -> Result<(CallLogRecord, chrono::NaiveDate), String> {
    let rec = serde_json::from_str::<CallLogRecord>(raw).map_err(|e| e.to_string())?;
    let day = partition_day(rec.base.start_time, tz, "startTime")?;
    Ok((rec, day))
}

/// The rows of a page's calls in the three call-log tables.
pub(crate) struct CallLogRows {
    calls: BatchBuilder,
    legs: ChildRows,
    recordings: ChildRows,
}

impl CallLogRows {
    fn new(calls: usize) -> Result<Self, ArrowError> {
        Ok(CallLogRows {
            calls: BatchBuilder::new(&CALLS_SCHEMA, &CALL_COLUMNS, calls)?,
            // Calls have a few legs and seldom a recording.
            legs: ChildRows::new(&CALL_LEGS_SCHEMA, &LEG_COLUMNS, calls, calls * 2)?,
            recordings: ChildRows::new(
                &CALL_RECORDINGS_SCHEMA,
                &RECORDING_COLUMNS,
                calls,
                calls / 8,
            )?,
        })
    }
}

impl PageBuilder<CallLogRecord> for CallLogRows {
    fn append(&mut self, calls: &[&CallLogRecord]) -> Result<(), ArrowError> {
        let rows: Vec<CallRow<'_>> = calls.iter().map(|rec| CallRow::new(rec, None)).collect();
        self.calls.append(&CALL_COLUMNS, &rows)?;

        let legs: Vec<LegRow<'_>> = calls
            .iter()
            .flat_map(|rec| {
                rec.legs.iter().enumerate().map(|(i, leg)| LegRow {
                    call_id: &rec.id,
                    leg_index: i32::try_from(i).unwrap_or(i32::MAX),
                    leg,
                    extra_json: extra_json(leg.unknown_fields()),
                })
            })
            .collect();
        self.legs
            .append(&LEG_COLUMNS, &legs, calls.iter().map(|c| c.legs.len()))?;

        let recordings: Vec<Vec<RecordingRow<'_>>> =
            calls.iter().map(|c| recordings_of(c)).collect();
        let lengths: Vec<usize> = recordings.iter().map(Vec::len).collect();
        let recordings: Vec<RecordingRow<'_>> = recordings.into_iter().flatten().collect();
        self.recordings
            .append(&RECORDING_COLUMNS, &recordings, lengths)
    }

    fn finish(self) -> Result<PageRows, ArrowError> {
        PageRows::new(self.calls, vec![self.legs, self.recordings])
    }
}

/// The recordings a call references, its own first, then its legs' in API order; each
/// recording id once per call (legs usually repeat the call's recording).
fn recordings_of(rec: &CallLogRecord) -> Vec<RecordingRow<'_>> {
    let all = std::iter::once(rec.base.recording.as_ref())
        .chain(rec.legs.iter().map(|l| l.base.recording.as_ref()))
        .flatten();
    let mut out: Vec<RecordingRow<'_>> = Vec::new();
    for r in all {
        let Some(id) = r.id.as_deref() else { continue };
        if out.iter().any(|o| o.recording_id == id) {
            continue;
        }
        out.push(recording_row(rec, id, r));
    }
    out
}

fn recording_row<'a>(
    call: &'a CallLogRecord,
    id: &'a str,
    r: &'a CallLogRecordingInfo,
) -> RecordingRow<'a> {
    RecordingRow {
        recording_id: id,
        call_id: &call.id,
        start_time: call.base.start_time,
        rec: r,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use crate::streams::call_rows::ringout_results;

    fn rec(json: &str) -> CallLogRecord {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn ringout_flavours() {
        let r = rec(r#"{"id":"a","startTime":"2020-01-01T00:00:00Z","legs":[
            {"startTime":"2020-01-01T00:00:00Z","legType":"RingOutWebToSubscriber","result":"Busy"},
            {"startTime":"2020-01-01T00:00:00Z","legType":"RingOutWebToCaller","result":"Call connected"}]}"#);
        assert_eq!(ringout_results(&r), (Some("Call connected"), Some("Busy")));
        let r = rec(r#"{"id":"a","startTime":"2020-01-01T00:00:00Z","legs":[
            {"startTime":"2020-01-01T00:00:00Z","legType":"RingOutOneLegToCaller","result":"Busy"}]}"#);
        assert_eq!(ringout_results(&r), (Some("Busy"), None));
        let r = rec(r#"{"id":"a","startTime":"2020-01-01T00:00:00Z","legs":[
            {"startTime":"2020-01-01T00:00:00Z","legType":"Accept","result":"Accepted"}]}"#);
        assert_eq!(ringout_results(&r), (None, None));
    }

    #[test]
    fn recordings_once_per_call() {
        let r = rec(r#"{"id":"c","startTime":"2020-01-01T00:00:00Z",
            "recording":{"id":"r1","type":"OnDemand"},
            "legs":[{"startTime":"2020-01-01T00:00:00Z","legType":"Accept","recording":{"id":"r1"}},
                    {"startTime":"2020-01-01T00:00:00Z","legType":"Accept","recording":{"id":"r2"}},
                    {"startTime":"2020-01-01T00:00:00Z","legType":"Accept","recording":{"uri":"no id"}}]}"#);
        let ids: Vec<_> = recordings_of(&r).iter().map(|r| r.recording_id).collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(recordings_of(&r)[0].rec.r#type.as_deref(), Some("OnDemand"));
    }
}
