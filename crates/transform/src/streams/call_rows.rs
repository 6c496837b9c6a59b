//! The rows of the call-log tables and of `active_calls`, column by column: one list of
//! `(column, getter)` per table, in the table's schema order.

use ringlake_model::{
    BaseCallLogRecord, CallLogRecord, CallLogRecordLegInfo, CallLogRecordingInfo,
};

use crate::columns::{Col, Getter, HasBase, extra_json};

/// One `calls` row, or one `active_calls` row (with its snapshot time).
pub(crate) struct CallRow<'a> {
    pub rec: &'a CallLogRecord,
    pub snapshot_time: Option<i64>,
    pub ringout_caller_result: Option<&'a str>,
    pub ringout_callee_result: Option<&'a str>,
    pub extra_json: Option<String>,
}

impl<'a> CallRow<'a> {
    pub fn new(rec: &'a CallLogRecord, snapshot_time: Option<i64>) -> Self {
        let (caller, callee) = ringout_results(rec);
        CallRow {
            rec,
            snapshot_time,
            ringout_caller_result: caller,
            ringout_callee_result: callee,
            extra_json: extra_json(rec.unknown_fields()),
        }
    }
}

impl HasBase for CallRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        Some(&self.rec.base)
    }
}

/// One `call_legs` row.
pub(crate) struct LegRow<'a> {
    pub call_id: &'a str,
    pub leg_index: i32,
    pub leg: &'a CallLogRecordLegInfo,
    pub extra_json: Option<String>,
}

impl HasBase for LegRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        Some(&self.leg.base)
    }
}

/// One `call_recordings` row.
pub(crate) struct RecordingRow<'a> {
    pub recording_id: &'a str,
    pub call_id: &'a str,
    /// The parent call's start.
    pub start_time: i64,
    pub rec: &'a CallLogRecordingInfo,
}

impl HasBase for RecordingRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        None
    }
}

/// The `BaseCallLogRecord` columns, in schema order.
fn base_columns<R>() -> Vec<(&'static str, Col<R>)> {
    use Getter::*;
    let b = |g: Getter<BaseCallLogRecord>| Col::Base(g);
    vec![
        (
            "telephony_session_id",
            b(Str(|r| r.telephony_session_id.as_deref())),
        ),
        ("sip_uuid_info", b(Str(|r| r.sip_uuid_info.as_deref()))),
        ("party_id", b(Str(|r| r.party_id.as_deref()))),
        (
            "transfer_target_telephony_session_id",
            b(Str(|r| {
                r.transfer_target.as_ref()?.telephony_session_id.as_deref()
            })),
        ),
        (
            "transferee_telephony_session_id",
            b(Str(|r| {
                r.transferee.as_ref()?.telephony_session_id.as_deref()
            })),
        ),
        ("extension_id", b(I64(|r| r.extension.as_ref()?.id))),
        (
            "extension_uri",
            b(Str(|r| r.extension.as_ref()?.uri.as_deref())),
        ),
        ("start_time", b(Ts(|r| Some(r.start_time)))),
        ("duration", b(I64(|r| r.duration))),
        ("duration_ms", b(I64(|r| r.duration_ms))),
        ("type", b(Str(|r| r.r#type.as_deref()))),
        ("direction", b(Str(|r| r.direction.as_deref()))),
        ("action", b(Str(|r| r.action.as_deref()))),
        ("result", b(Str(|r| r.result.as_deref()))),
        ("reason", b(Str(|r| r.reason.as_deref()))),
        (
            "reason_description",
            b(Str(|r| r.reason_description.as_deref())),
        ),
        ("internal_type", b(Str(|r| r.internal_type.as_deref()))),
        ("transport", b(Str(|r| r.transport.as_deref()))),
        (
            "from_phone_number",
            b(Str(|r| r.from.as_ref()?.phone_number.as_deref())),
        ),
        (
            "from_extension_number",
            b(Str(|r| r.from.as_ref()?.extension_number.as_deref())),
        ),
        (
            "from_extension_id",
            b(Str(|r| r.from.as_ref()?.extension_id.as_deref())),
        ),
        ("from_name", b(Str(|r| r.from.as_ref()?.name.as_deref()))),
        (
            "from_location",
            b(Str(|r| r.from.as_ref()?.location.as_deref())),
        ),
        (
            "from_device_id",
            b(Str(|r| r.from.as_ref()?.device.as_ref()?.id.as_deref())),
        ),
        (
            "from_device_uri",
            b(Str(|r| r.from.as_ref()?.device.as_ref()?.uri.as_deref())),
        ),
        (
            "from_dialer_phone_number",
            b(Str(|r| r.from.as_ref()?.dialer_phone_number.as_deref())),
        ),
        (
            "to_phone_number",
            b(Str(|r| r.to.as_ref()?.phone_number.as_deref())),
        ),
        (
            "to_extension_number",
            b(Str(|r| r.to.as_ref()?.extension_number.as_deref())),
        ),
        (
            "to_extension_id",
            b(Str(|r| r.to.as_ref()?.extension_id.as_deref())),
        ),
        ("to_name", b(Str(|r| r.to.as_ref()?.name.as_deref()))),
        (
            "to_location",
            b(Str(|r| r.to.as_ref()?.location.as_deref())),
        ),
        (
            "to_device_id",
            b(Str(|r| r.to.as_ref()?.device.as_ref()?.id.as_deref())),
        ),
        (
            "to_device_uri",
            b(Str(|r| r.to.as_ref()?.device.as_ref()?.uri.as_deref())),
        ),
        (
            "to_dialed_phone_number",
            b(Str(|r| r.to.as_ref()?.dialed_phone_number.as_deref())),
        ),
        ("message_id", b(Str(|r| r.message.as_ref()?.id.as_deref()))),
        (
            "message_type",
            b(Str(|r| r.message.as_ref()?.r#type.as_deref())),
        ),
        (
            "message_uri",
            b(Str(|r| r.message.as_ref()?.uri.as_deref())),
        ),
        (
            "delegate_id",
            b(Str(|r| r.delegate.as_ref()?.id.as_deref())),
        ),
        (
            "delegate_name",
            b(Str(|r| r.delegate.as_ref()?.name.as_deref())),
        ),
        ("delegation_type", b(Str(|r| r.delegation_type.as_deref()))),
        (
            "billing_cost_included",
            b(Money(|r| r.billing.as_ref()?.cost_included)),
        ),
        (
            "billing_cost_purchased",
            b(Money(|r| r.billing.as_ref()?.cost_purchased)),
        ),
        (
            "recording_id",
            b(Str(|r| r.recording.as_ref()?.id.as_deref())),
        ),
        (
            "recording_uri",
            b(Str(|r| r.recording.as_ref()?.uri.as_deref())),
        ),
        (
            "recording_type",
            b(Str(|r| r.recording.as_ref()?.r#type.as_deref())),
        ),
        (
            "recording_content_uri",
            b(Str(|r| r.recording.as_ref()?.content_uri.as_deref())),
        ),
        ("short_recording", b(Bool(|r| r.short_recording))),
        (
            "metadata_categories",
            b(List(|r| r.metadata_categories.as_deref())),
        ),
        ("finished", b(Bool(|r| r.finished))),
    ]
}

pub(crate) fn call_columns<'a>() -> Vec<(&'static str, Col<CallRow<'a>>)> {
    use Getter::*;
    let mut cols: Vec<(&'static str, Col<CallRow<'a>>)> = vec![
        ("id", Col::Row(Str(|r| Some(r.rec.id.as_str())))),
        ("uri", Col::Row(Str(|r| r.rec.uri.as_deref()))),
        ("session_id", Col::Row(Str(|r| r.rec.session_id.as_deref()))),
    ];
    cols.extend(base_columns());
    let tail: Vec<(&'static str, Col<CallRow<'a>>)> = vec![
        (
            "last_modified_time",
            Col::Row(Ts(|r| r.rec.last_modified_time)),
        ),
        // Sent only for deleted records (docs/api.md §3.1), so absent means not deleted.
        (
            "deleted",
            Col::Row(Bool(|r| Some(r.rec.deleted.unwrap_or(false)))),
        ),
        (
            "leg_count",
            Col::Row(I32(|r| {
                Some(i32::try_from(r.rec.legs.len()).unwrap_or(i32::MAX))
            })),
        ),
        (
            "ringout_caller_result",
            Col::Row(Str(|r| r.ringout_caller_result)),
        ),
        (
            "ringout_callee_result",
            Col::Row(Str(|r| r.ringout_callee_result)),
        ),
        ("extra_json", Col::Row(Str(|r| r.extra_json.as_deref()))),
    ];
    cols.extend(tail);
    cols
}

/// `active_calls`: the snapshot time, then every `calls` column.
pub(crate) fn active_call_columns<'a>() -> Vec<(&'static str, Col<CallRow<'a>>)> {
    let mut cols: Vec<(&'static str, Col<CallRow<'a>>)> =
        vec![("snapshot_time", Col::Row(Getter::Ts(|r| r.snapshot_time)))];
    cols.extend(call_columns());
    cols
}

pub(crate) fn leg_columns<'a>() -> Vec<(&'static str, Col<LegRow<'a>>)> {
    use Getter::*;
    let mut cols: Vec<(&'static str, Col<LegRow<'a>>)> = vec![
        ("call_id", Col::Row(Str(|r| Some(r.call_id)))),
        ("leg_index", Col::Row(I32(|r| Some(r.leg_index)))),
        ("leg_type", Col::Row(Str(|r| r.leg.leg_type.as_deref()))),
        // `master` may appear only on the master leg (docs/api.md §3.2).
        (
            "master",
            Col::Row(Bool(|r| Some(r.leg.master.unwrap_or(false)))),
        ),
    ];
    cols.extend(base_columns());
    cols.push(("extra_json", Col::Row(Str(|r| r.extra_json.as_deref()))));
    cols
}

pub(crate) fn recording_columns<'a>() -> Vec<(&'static str, Col<RecordingRow<'a>>)> {
    use Getter::*;
    vec![
        ("recording_id", Col::Row(Str(|r| Some(r.recording_id)))),
        ("call_id", Col::Row(Str(|r| Some(r.call_id)))),
        ("start_time", Col::Row(Ts(|r| Some(r.start_time)))),
        ("uri", Col::Row(Str(|r| r.rec.uri.as_deref()))),
        ("type", Col::Row(Str(|r| r.rec.r#type.as_deref()))),
        (
            "content_uri",
            Col::Row(Str(|r| r.rec.content_uri.as_deref())),
        ),
    ]
}

/// RingOut caller and callee results from the legs (docs/api.md §9): the caller's is the
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
    use arrow::array::RecordBatch;
    use arrow::datatypes::SchemaRef;
    use arrow::error::ArrowError;

    use super::*;
    use crate::columns::BatchBuilder;
    use crate::schema::{
        ACTIVE_CALLS_SCHEMA, CALL_LEGS_SCHEMA, CALL_RECORDINGS_SCHEMA, CALLS_SCHEMA,
    };

    /// Builds one batch of `schema` from `rows`, in the order given.
    fn build_batch<R: HasBase>(
        schema: &SchemaRef,
        columns: &[(&'static str, Col<R>)],
        rows: &[R],
    ) -> Result<RecordBatch, ArrowError> {
        let mut batch = BatchBuilder::new(schema, columns, rows.len())?;
        batch.append(columns, rows)?;
        batch.finish()
    }

    fn names<R>(cols: &[(&'static str, Col<R>)]) -> Vec<&'static str> {
        cols.iter().map(|(n, _)| *n).collect()
    }

    fn schema_names(s: &SchemaRef) -> Vec<String> {
        s.fields().iter().map(|f| f.name().clone()).collect()
    }

    #[test]
    fn getters_match_schemas_by_name() {
        assert_eq!(names(&call_columns()), schema_names(&CALLS_SCHEMA));
        assert_eq!(names(&leg_columns()), schema_names(&CALL_LEGS_SCHEMA));
        assert_eq!(
            names(&active_call_columns()),
            schema_names(&ACTIVE_CALLS_SCHEMA)
        );
        assert_eq!(
            names(&recording_columns()),
            schema_names(&CALL_RECORDINGS_SCHEMA)
        );
    }

    #[test]
    fn empty_batches_build_for_every_table() {
        let calls: Vec<CallRow<'_>> = Vec::new();
        assert_eq!(
            build_batch(&CALLS_SCHEMA, &call_columns(), &calls)
                .unwrap()
                .num_rows(),
            0
        );
        let legs: Vec<LegRow<'_>> = Vec::new();
        assert_eq!(
            build_batch(&CALL_LEGS_SCHEMA, &leg_columns(), &legs)
                .unwrap()
                .num_rows(),
            0
        );
        let recs: Vec<RecordingRow<'_>> = Vec::new();
        assert_eq!(
            build_batch(&CALL_RECORDINGS_SCHEMA, &recording_columns(), &recs)
                .unwrap()
                .num_rows(),
            0
        );
    }

    #[test]
    fn mismatched_getters_are_an_error_not_a_wrong_column() {
        let rows: Vec<RecordingRow<'_>> = Vec::new();
        let mut cols = recording_columns();
        cols.swap(3, 4);
        assert!(build_batch(&CALL_RECORDINGS_SCHEMA, &cols, &rows).is_err());
    }
}
