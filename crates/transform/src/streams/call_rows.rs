//! The rows of the call-log tables and of `active_calls`, and their columns: one list per
//! table, in the table's schema order, from which `schema.rs` derives the schema.

use std::sync::LazyLock;

use arrow::datatypes::SchemaRef;

use ringlake_model::{
    BaseCallLogRecord, CallLogRecord, CallLogRecordLegInfo, CallLogRecordingInfo,
};

use crate::columns::{Column, Getter, RowKind, extra_json};
use crate::columns::{extra_json_column, table_schema};

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

impl RowKind for CallRow<'static> {
    type Row<'a> = CallRow<'a>;
    fn base<'r>(row: &'r CallRow<'_>) -> Option<&'r BaseCallLogRecord> {
        Some(&row.rec.base)
    }
}

/// One `call_legs` row.
pub(crate) struct LegRow<'a> {
    pub call_id: &'a str,
    pub leg_index: i32,
    pub leg: &'a CallLogRecordLegInfo,
    pub extra_json: Option<String>,
}

impl RowKind for LegRow<'static> {
    type Row<'a> = LegRow<'a>;
    fn base<'r>(row: &'r LegRow<'_>) -> Option<&'r BaseCallLogRecord> {
        Some(&row.leg.base)
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

impl RowKind for RecordingRow<'static> {
    type Row<'a> = RecordingRow<'a>;
}

type CallColumn = Column<CallRow<'static>>;
type LegColumn = Column<LegRow<'static>>;
type RecordingColumn = Column<RecordingRow<'static>>;

/// `calls`' columns.
pub(crate) static CALL_COLUMNS: LazyLock<Vec<CallColumn>> = LazyLock::new(call_columns);
/// `active_calls`' columns: the snapshot time, then every `calls` column.
pub(crate) static ACTIVE_CALL_COLUMNS: LazyLock<Vec<CallColumn>> = LazyLock::new(|| {
    let mut cols = vec![
        CallColumn::row("snapshot_time", false, Getter::Ts(|r| r.snapshot_time)).doc(
            "(run)",
            "When the run took the active-calls snapshot the row belongs to, UTC.",
        ),
    ];
    cols.extend(call_columns());
    cols
});
/// `call_legs`' columns.
pub(crate) static LEG_COLUMNS: LazyLock<Vec<LegColumn>> = LazyLock::new(leg_columns);
/// `call_recordings`' columns.
pub(crate) static RECORDING_COLUMNS: LazyLock<Vec<RecordingColumn>> =
    LazyLock::new(recording_columns);

/// The `BaseCallLogRecord` columns, shared by `calls` and `call_legs` in this order. The
/// sources get `source_prefix` (`legs[].` for legs); descriptions speak of `it` ("call",
/// "leg").
fn base_columns<K: RowKind>(source_prefix: &str, it: &str) -> Vec<Column<K>> {
    use Getter::*;
    let s = |field: &str| format!("{source_prefix}{field}");
    vec![
        Column::base(
            "telephony_session_id",
            true,
            Str(|r| r.telephony_session_id.as_deref()),
        )
        .doc(
            s("telephonySessionId"),
            "Telephony session id (`s-…`), the id the Call Control API uses.",
        ),
        Column::base("sip_uuid_info", true, Str(|r| r.sip_uuid_info.as_deref()))
            .doc(s("sipUuidInfo"), "SIP UUID of the call session."),
        Column::base("party_id", true, Str(|r| r.party_id.as_deref()))
            .doc(s("partyId"), "Telephony party id of the participant."),
        Column::base(
            "transfer_target_telephony_session_id",
            true,
            Str(|r| r.transfer_target.as_ref()?.telephony_session_id.as_deref()),
        )
        .doc(
            s("transferTarget.telephonySessionId"),
            "Warm transfer: the telephony session the call was transferred to.",
        ),
        Column::base(
            "transferee_telephony_session_id",
            true,
            Str(|r| r.transferee.as_ref()?.telephony_session_id.as_deref()),
        )
        .doc(
            s("transferee.telephonySessionId"),
            "Warm transfer: the telephony session of the party that was transferred.",
        ),
        Column::base("extension_id", true, I64(|r| r.extension.as_ref()?.id)).doc(
            s("extension.id"),
            format!(
                "The extension whose log holds the {it} (for a secretary's log, the boss): \
                 joins to `extensions.id`."
            ),
        ),
        Column::base(
            "extension_uri",
            true,
            Str(|r| r.extension.as_ref()?.uri.as_deref()),
        )
        .doc(s("extension.uri"), "API URL of that extension."),
        Column::base("start_time", false, Ts(|r| Some(r.start_time)))
            .doc(s("startTime"), format!("When the {it} started, UTC.")),
        Column::base("duration", true, I64(|r| r.duration)).doc(
            s("duration"),
            format!("Length of the {it} in whole seconds (0 when unanswered)."),
        ),
        Column::base("duration_ms", true, I64(|r| r.duration_ms)).doc(
            s("durationMs"),
            format!("Length of the {it} in milliseconds (newer records only)."),
        ),
        Column::base("type", true, Str(|r| r.r#type.as_deref()))
            .doc(s("type"), "`Voice` or `Fax`."),
        Column::base("direction", true, Str(|r| r.direction.as_deref())).doc(
            s("direction"),
            "`Inbound` or `Outbound`, seen from the extension that logged it.",
        ),
        Column::base("action", true, Str(|r| r.action.as_deref())).doc(
            s("action"),
            "What started it: `Phone Call`, `VoIP Call`, `RingOut Web`, `Transfer`, \
             `Incoming Fax`, … (`CallActionEnum`, an open set).",
        ),
        Column::base("result", true, Str(|r| r.result.as_deref())).doc(
            s("result"),
            "Outcome: `Accepted`, `Call connected`, `Missed`, `Voicemail`, `Busy`, \
             `No Answer`, … (`CallResultEnum`, an open set; mind the casing).",
        ),
        Column::base("reason", true, Str(|r| r.reason.as_deref())).doc(
            s("reason"),
            "Why it ended so, mostly on unsuccessful calls (`CallResultReasonEnum`).",
        ),
        Column::base(
            "reason_description",
            true,
            Str(|r| r.reason_description.as_deref()),
        )
        .doc(s("reasonDescription"), "Free-text detail of `reason`."),
        Column::base("internal_type", true, Str(|r| r.internal_type.as_deref())).doc(
            s("internalType"),
            "Call category: `Local`, `LongDistance`, `International`, `Sip`, `RingOut`, \
             `TollFreeNumber`, … (`CallInternalTypeEnum`).",
        ),
        Column::base("transport", true, Str(|r| r.transport.as_deref()))
            .doc(s("transport"), "`PSTN` or `VoIP`."),
        Column::base(
            "from_phone_number",
            true,
            Str(|r| r.from.as_ref()?.phone_number.as_deref()),
        )
        .doc(
            s("from.phoneNumber"),
            "Caller's phone number as the API gives it: usually E.164 (`+1…`), in old data \
             without `+`, sometimes formatted or short.",
        ),
        Column::base(
            "from_extension_number",
            true,
            Str(|r| r.from.as_ref()?.extension_number.as_deref()),
        )
        .doc(
            s("from.extensionNumber"),
            "Caller's short extension number (internal calls).",
        ),
        Column::base(
            "from_extension_id",
            true,
            Str(|r| r.from.as_ref()?.extension_id.as_deref()),
        )
        .doc(
            s("from.extensionId"),
            "Caller's extension id, as text (cast to compare with `extensions.id`).",
        ),
        Column::base("from_name", true, Str(|r| r.from.as_ref()?.name.as_deref())).doc(
            s("from.name"),
            "Caller's name: the extension's name, or caller-ID (CNAM) text for outside \
             numbers (may carry padding spaces).",
        ),
        Column::base(
            "from_location",
            true,
            Str(|r| r.from.as_ref()?.location.as_deref()),
        )
        .doc(
            s("from.location"),
            "City and state derived from the caller's number.",
        ),
        Column::base(
            "from_device_id",
            true,
            Str(|r| r.from.as_ref()?.device.as_ref()?.id.as_deref()),
        )
        .doc(s("from.device.id"), "Caller's device id."),
        Column::base(
            "from_device_uri",
            true,
            Str(|r| r.from.as_ref()?.device.as_ref()?.uri.as_deref()),
        )
        .doc(s("from.device.uri"), "API URL of the caller's device."),
        Column::base(
            "from_dialer_phone_number",
            true,
            Str(|r| r.from.as_ref()?.dialer_phone_number.as_deref()),
        )
        .doc(
            s("from.dialerPhoneNumber"),
            "Inbound calls: the caller's number exactly as received, unformatted.",
        ),
        Column::base(
            "to_phone_number",
            true,
            Str(|r| r.to.as_ref()?.phone_number.as_deref()),
        )
        .doc(
            s("to.phoneNumber"),
            "Callee's phone number as the API gives it (see `from_phone_number`).",
        ),
        Column::base(
            "to_extension_number",
            true,
            Str(|r| r.to.as_ref()?.extension_number.as_deref()),
        )
        .doc(
            s("to.extensionNumber"),
            "Callee's short extension number (internal calls).",
        ),
        Column::base(
            "to_extension_id",
            true,
            Str(|r| r.to.as_ref()?.extension_id.as_deref()),
        )
        .doc(
            s("to.extensionId"),
            "Callee's extension id, as text (cast to compare with `extensions.id`).",
        ),
        Column::base("to_name", true, Str(|r| r.to.as_ref()?.name.as_deref())).doc(
            s("to.name"),
            "Callee's name: the extension's name, or caller-ID text for outside numbers.",
        ),
        Column::base(
            "to_location",
            true,
            Str(|r| r.to.as_ref()?.location.as_deref()),
        )
        .doc(
            s("to.location"),
            "City and state derived from the callee's number.",
        ),
        Column::base(
            "to_device_id",
            true,
            Str(|r| r.to.as_ref()?.device.as_ref()?.id.as_deref()),
        )
        .doc(s("to.device.id"), "Callee's device id."),
        Column::base(
            "to_device_uri",
            true,
            Str(|r| r.to.as_ref()?.device.as_ref()?.uri.as_deref()),
        )
        .doc(s("to.device.uri"), "API URL of the callee's device."),
        Column::base(
            "to_dialed_phone_number",
            true,
            Str(|r| r.to.as_ref()?.dialed_phone_number.as_deref()),
        )
        .doc(
            s("to.dialedPhoneNumber"),
            "Outbound calls: the number exactly as dialled, unformatted.",
        ),
        Column::base(
            "message_id",
            true,
            Str(|r| r.message.as_ref()?.id.as_deref()),
        )
        .doc(
            s("message.id"),
            "The linked message-store item (fax or voicemail), as text: `messages.id` cast \
             to text.",
        ),
        Column::base(
            "message_type",
            true,
            Str(|r| r.message.as_ref()?.r#type.as_deref()),
        )
        .doc(
            s("message.type"),
            "Type of the linked message (`Fax`, `VoiceMail`, …).",
        ),
        Column::base(
            "message_uri",
            true,
            Str(|r| r.message.as_ref()?.uri.as_deref()),
        )
        .doc(s("message.uri"), "API URL of the linked message."),
        Column::base(
            "delegate_id",
            true,
            Str(|r| r.delegate.as_ref()?.id.as_deref()),
        )
        .doc(
            s("delegate.id"),
            "Delegation: the secretary extension that handled the call for its boss.",
        ),
        Column::base(
            "delegate_name",
            true,
            Str(|r| r.delegate.as_ref()?.name.as_deref()),
        )
        .doc(s("delegate.name"), "Delegation: the secretary's name."),
        Column::base(
            "delegation_type",
            true,
            Str(|r| r.delegation_type.as_deref()),
        )
        .doc(
            s("delegationType"),
            "Delegation: `Coworker`, `QueueForwarding` or `Unknown`.",
        ),
        Column::base(
            "billing_cost_included",
            true,
            Money(|r| r.billing.as_ref()?.cost_included),
        )
        .doc(
            s("billing.costIncluded"),
            format!(
                "Cost of the {it} covered by the service plan: exact decimal, in the \
                 account's currency (the API sends no currency code)."
            ),
        ),
        Column::base(
            "billing_cost_purchased",
            true,
            Money(|r| r.billing.as_ref()?.cost_purchased),
        )
        .doc(
            s("billing.costPurchased"),
            format!(
                "Cost of the {it} charged beyond the service plan: exact decimal, in the \
                 account's currency (the API sends no currency code)."
            ),
        ),
        Column::base(
            "recording_id",
            true,
            Str(|r| r.recording.as_ref()?.id.as_deref()),
        )
        .doc(
            s("recording.id"),
            "Id of the recording: joins to `call_recordings.recording_id`.",
        ),
        Column::base(
            "recording_uri",
            true,
            Str(|r| r.recording.as_ref()?.uri.as_deref()),
        )
        .doc(s("recording.uri"), "API URL of the recording's metadata."),
        Column::base(
            "recording_type",
            true,
            Str(|r| r.recording.as_ref()?.r#type.as_deref()),
        )
        .doc(s("recording.type"), "`Automatic` or `OnDemand`."),
        Column::base(
            "recording_content_uri",
            true,
            Str(|r| r.recording.as_ref()?.content_uri.as_deref()),
        )
        .doc(
            s("recording.contentUri"),
            "URL of the recording's audio on the media host (needs an access token).",
        ),
        Column::base("short_recording", true, Bool(|r| r.short_recording)).doc(
            s("shortRecording"),
            "True when the recording was too short to be kept. The API sends the flag only \
             when true, so null means false.",
        ),
        Column::base(
            "metadata_categories",
            true,
            List(|r| r.metadata_categories.as_deref()),
        )
        .doc(
            s("metadataCategories"),
            format!("Metadata categories applied to the {it}."),
        ),
        Column::base("finished", true, Bool(|r| r.finished)).doc(
            s("finished"),
            format!("Whether the {it} had reached a finished state."),
        ),
    ]
}

/// `calls`' columns, also those of `active_calls` after its `snapshot_time`.
fn call_columns() -> Vec<CallColumn> {
    use Getter::*;
    let mut cols = vec![
        CallColumn::row("id", false, Str(|r| Some(r.rec.id.as_str()))).doc(
            "id",
            "Call-log record id (opaque text, may contain `-` and `_`).",
        ),
        CallColumn::row("uri", true, Str(|r| r.rec.uri.as_deref()))
            .doc("uri", "Canonical API URL of the record."),
        CallColumn::row("session_id", true, Str(|r| r.rec.session_id.as_deref())).doc(
            "sessionId",
            "Call session id (digits, as text): the records of one call share it.",
        ),
    ];
    cols.extend(base_columns("", "call"));
    cols.extend([
        CallColumn::row("last_modified_time", true, Ts(|r| r.rec.last_modified_time)).doc(
            "lastModifiedTime",
            "When RingCentral last changed the record (billing and recordings arrive after \
             the call ends), UTC.",
        ),
        // Sent only for deleted records (docs/api.md §3.1), so absent means not deleted.
        CallColumn::row(
            "deleted",
            false,
            Bool(|r| Some(r.rec.deleted.unwrap_or(false))),
        )
        .doc(
            "deleted",
            "True for a record deleted in RingCentral. The API sends the flag only on \
             deleted records, so absent is false.",
        ),
        CallColumn::row(
            "leg_count",
            false,
            I32(|r| Some(i32::try_from(r.rec.legs.len()).unwrap_or(i32::MAX))),
        )
        .doc(
            "(count of legs[])",
            "Number of legs, the record's rows in `call_legs` (0 when the API sent none).",
        ),
        CallColumn::row(
            "ringout_caller_result",
            true,
            Str(|r| r.ringout_caller_result),
        )
        .doc(
            "legs[].result",
            "RingOut calls: the `result` of the leg that rang the caller's own phone \
             (`RingOut…ToCaller`); null for other calls.",
        ),
        CallColumn::row(
            "ringout_callee_result",
            true,
            Str(|r| r.ringout_callee_result),
        )
        .doc(
            "legs[].result",
            "RingOut calls: the `result` of the leg that rang the callee \
             (`RingOut…ToSubscriber`); null when the callee was never rung (caller busy) \
             and for other calls.",
        ),
        extra_json_column("", Str(|r| r.extra_json.as_deref())),
    ]);
    cols
}

fn leg_columns() -> Vec<LegColumn> {
    use Getter::*;
    let mut cols = vec![
        LegColumn::row("call_id", false, Str(|r| Some(r.call_id)))
            .doc("id", "The parent record's `id`: joins to `calls.id`."),
        LegColumn::row("leg_index", false, I32(|r| Some(r.leg_index))).doc(
            "(position in legs[])",
            "0-based position of the leg in the record's `legs` list, in API order (the \
             API documents no order: use `master` to find the leg that stands for the call).",
        ),
        LegColumn::row("leg_type", true, Str(|r| r.leg.leg_type.as_deref())).doc(
            "legs[].legType",
            "What the leg is: `Accept`, `PstnToSip`, `TransferCall`, `RingOutWebToCaller`, … \
             (`CallLegTypeEnum`, an open set).",
        ),
        // `master` may appear only on the master leg (docs/api.md §3.2).
        LegColumn::row(
            "master",
            false,
            Bool(|r| Some(r.leg.master.unwrap_or(false))),
        )
        .doc(
            "legs[].master",
            "True for the leg that represents the call as a whole. The API sends the flag \
             only on that leg, so absent is false.",
        ),
    ];
    cols.extend(base_columns("legs[].", "leg"));
    cols.push(extra_json_column(
        "legs[].",
        Str(|r| r.extra_json.as_deref()),
    ));
    cols
}

fn recording_columns() -> Vec<RecordingColumn> {
    use Getter::*;
    vec![
        RecordingColumn::row("recording_id", false, Str(|r| Some(r.recording_id))).doc(
            "recording.id, legs[].recording.id",
            "Recording id. Each recording the call or any of its legs references, once \
             per call.",
        ),
        RecordingColumn::row("call_id", false, Str(|r| Some(r.call_id))).doc(
            "id",
            "The call-log record that references the recording: joins to `calls.id`.",
        ),
        RecordingColumn::row("start_time", false, Ts(|r| Some(r.start_time)))
            .doc("startTime", "The parent call's start, UTC."),
        RecordingColumn::row("uri", true, Str(|r| r.rec.uri.as_deref())).doc(
            "recording.uri",
            "API URL of the recording's metadata (from the first reference: the call's \
             own, else its first leg's).",
        ),
        RecordingColumn::row("type", true, Str(|r| r.rec.r#type.as_deref()))
            .doc("recording.type", "`Automatic` or `OnDemand`."),
        RecordingColumn::row("content_uri", true, Str(|r| r.rec.content_uri.as_deref())).doc(
            "recording.contentUri",
            "URL of the audio on the media host (needs an access token). RingCentral \
             keeps recordings about 90 days.",
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

pub(crate) static CALLS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &CALL_COLUMNS,
        "start_time,id",
        "One record of the account's call log (Detailed view): a call as RingCentral logged \
         it; its legs are in `call_legs`, its recordings in `call_recordings`.",
        "The day of `start_time` in the run's time zone.",
    )
});

pub(crate) static CALL_LEGS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &LEG_COLUMNS,
        "start_time,call_id,leg_index",
        "One leg (one hop: an accept, a forward, a transfer, each side of a RingOut…) of a \
         Detailed call-log record.",
        "The parent call's partition (the day of its `start_time` in the run's time zone), \
         even when the leg itself started on another day.",
    )
});

pub(crate) static CALL_RECORDINGS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &RECORDING_COLUMNS,
        "start_time,call_id,recording_id",
        "One recording referenced by a call-log record or its legs.",
        "The parent call's partition (the day of its `start_time` in the run's time zone).",
    )
});

/// An active-calls snapshot: when it was taken, then the columns of `calls` (legs are
/// counted in `leg_count`; snapshots have no legs table).
pub(crate) static ACTIVE_CALLS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &ACTIVE_CALL_COLUMNS,
        "snapshot_time,id",
        "One call in progress (or ended in the last minutes) as one active-calls snapshot \
         saw it; the columns after `snapshot_time` are those of `calls`. A call appears once \
         per snapshot that saw it.",
        "The day of `snapshot_time` in the run's time zone.",
    )
});

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use arrow::array::RecordBatch;
    use arrow::datatypes::SchemaRef;
    use arrow::error::ArrowError;

    use super::*;
    use crate::columns::BatchBuilder;

    /// Builds one batch of `schema` from `rows`, in the order given.
    fn build_batch<K: RowKind>(
        schema: &SchemaRef,
        columns: &[Column<K>],
        rows: &[K::Row<'_>],
    ) -> Result<RecordBatch, ArrowError> {
        let mut batch = BatchBuilder::new(schema, columns, rows.len())?;
        batch.append(columns, rows)?;
        batch.finish()
    }

    /// The builders make the types the schemas derive from the same getters.
    #[test]
    fn empty_batches_build_for_every_table() {
        let calls: Vec<CallRow<'_>> = Vec::new();
        for (schema, columns) in [
            (&CALLS_SCHEMA, &CALL_COLUMNS),
            (&ACTIVE_CALLS_SCHEMA, &ACTIVE_CALL_COLUMNS),
        ] {
            let batch = build_batch(schema, columns, &calls).unwrap();
            assert_eq!(batch.num_rows(), 0);
        }
        let legs: Vec<LegRow<'_>> = Vec::new();
        let batch = build_batch(&CALL_LEGS_SCHEMA, &LEG_COLUMNS, &legs).unwrap();
        assert_eq!(batch.num_rows(), 0);
        let recs: Vec<RecordingRow<'_>> = Vec::new();
        let batch = build_batch(&CALL_RECORDINGS_SCHEMA, &RECORDING_COLUMNS, &recs).unwrap();
        assert_eq!(batch.num_rows(), 0);
    }
}
