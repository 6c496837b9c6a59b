//! Call-log pages → the `calls`, `call_legs` and `call_recordings` tables.

use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono_tz::Tz;
use ringlake_model::{CallLogRecord, CallLogRecordingInfo, Text};

use crate::columns::{
    CallRow, LegRow, RecordingRow, build_batch, build_batch_of, call_columns, extra_json,
    leg_columns, recording_columns,
};
use crate::error::Result;
use crate::layout::PageLayout;
use crate::pipeline::{
    Keyed, PageRows, PageShapes, Read, Stream, TransformOptions, TransformOutput, gather,
    partition_day, starts,
};
use crate::schema::{CALL_LEGS_SCHEMA, CALL_RECORDINGS_SCHEMA, CALLS_SCHEMA, tables};

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
    type PageContext = ();
    const NAME: &'static str = "call-log";
    const TABLE: &'static str = tables::CALLS;
    const SHAPES: PageShapes = PageShapes::List;
    const LAYOUT: PageLayout = PageLayout::DayWindow;

    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)> {
        vec![
            (tables::CALLS, &CALLS_SCHEMA),
            (tables::CALL_LEGS, &CALL_LEGS_SCHEMA),
            (tables::CALL_RECORDINGS, &CALL_RECORDINGS_SCHEMA),
        ]
    }

    fn build_page(&self, calls: &[Box<CallLogRecord>]) -> Result<PageRows, ArrowError> {
        build_page(calls)
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
        bytes: &[u8],
        _ctx: &(),
        tz: Tz,
    ) -> Option<Vec<(Box<CallLogRecord>, chrono::NaiveDate)>> {
        #[derive(serde::Deserialize)]
        struct Page {
            // Boxed as they are read: the page's list then moves pointers, not records.
            #[allow(clippy::vec_box)]
            records: Vec<Box<CallLogRecord>>,
        }
        // Checked as UTF-8 once, so that its strings are not checked one by one.
        let page: Page = serde_json::from_str(std::str::from_utf8(bytes).ok()?).ok()?;
        page.records
            .into_iter()
            .map(|rec| {
                let day = partition_day(rec.base.start_time, tz, "startTime").ok()?;
                Some((rec, day))
            })
            .collect()
    }
}

/// One call-log record and its partition day (`startTime` in `tz`).
pub(crate) fn read_call(raw: &str, tz: Tz) -> Result<(CallLogRecord, chrono::NaiveDate), String> {
    let rec = serde_json::from_str::<CallLogRecord>(raw).map_err(|e| e.to_string())?;
    let day = partition_day(rec.base.start_time, tz, "startTime")?;
    Ok((rec, day))
}

/// The rows of `calls` in the three call-log tables.
fn build_page(calls: &[Box<CallLogRecord>]) -> Result<PageRows, ArrowError> {
    let legs: Vec<(&CallLogRecord, usize)> = calls
        .iter()
        .flat_map(|rec| (0..rec.legs.len()).map(move |i| (&**rec, i)))
        .collect();
    let recordings: Vec<Vec<RecordingRow<'_>>> = calls.iter().map(|c| recordings_of(c)).collect();
    let child_starts = vec![
        starts(calls.iter().map(|c| c.legs.len())),
        starts(recordings.iter().map(Vec::len)),
    ];
    let recordings: Vec<RecordingRow<'_>> = recordings.into_iter().flatten().collect();
    let batches = vec![
        build_batch_of(&CALLS_SCHEMA, &call_columns(), calls, |rec| {
            CallRow::new(rec, None)
        })?,
        build_batch_of(&CALL_LEGS_SCHEMA, &leg_columns(), &legs, |&(rec, i)| {
            let leg = &rec.legs[i];
            LegRow {
                call_id: &rec.id,
                leg_index: i32::try_from(i).unwrap_or(i32::MAX),
                leg,
                extra_json: extra_json(leg.unknown_fields()),
            }
        })?,
        build_batch(&CALL_RECORDINGS_SCHEMA, &recording_columns(), &recordings)?,
    ];
    Ok(PageRows {
        batches,
        child_starts,
    })
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

/// RingOut caller and callee results from the legs (API-NOTES §9): the caller's is the
/// `result` of the `RingOut…ToCaller` leg, the callee's that of the `RingOut…ToSubscriber`
/// leg, for every RingOut flavour (Client, Web, Device, OneLeg). A missing leg means that
/// party was never called (first party busy), so the value is null, not a failure.
pub(crate) fn ringout_results(rec: &CallLogRecord) -> (Option<&str>, Option<&str>) {
    let result_of = |suffix: &str| {
        rec.legs
            .iter()
            .find(|l| {
                l.leg_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with("RingOut") && t.ends_with(suffix))
            })
            .and_then(|l| l.base.result.as_deref())
    };
    (result_of("ToCaller"), result_of("ToSubscriber"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

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
