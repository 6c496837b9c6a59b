//! The Arrow schemas of every table (DESIGN.md "Tables"), derived from the tables' column
//! lists, each column with its description and the API field it is read from.
//!
//! This is the contract analysts and the report stage rely on: a change here or in a column
//! list is a change of [`SCHEMA_VERSION`], of the snapshot tests and of `docs/lake.md`
//! (rendered from these schemas by [`crate::lake_reference`]). The columns are declared in
//! their stream's file (`streams/`), next to the rows their getters read, as one list of
//! [`Column`]s per table: name, nullability, getter, source and description together, so
//! none can drift from the others. This file adds what belongs to a table as a whole (sort
//! key, what a row is, what the partition date means) and the one rule from a getter to
//! its Arrow type ([`data_type`]). Column names are snake_case forms of the API names;
//! nested objects are flattened with their parent's name as prefix (`from.phoneNumber` →
//! `from_phone_number`). There is no `date` column: the partition date lives only in the
//! Hive directory name.
//!
//! Every field carries two metadata entries: [`DESCRIPTION_METADATA`] (what it means,
//! units, zone) and [`SOURCE_METADATA`] (where it comes from). A source is an API field
//! path as the JSON spells it (`from.phoneNumber`; `legs[].x` is a field of each element of
//! `legs`; `legs[].*` every field of a leg that has no column of its own), alternatives
//! separated by `, `, or a parenthesised note for a value ringlake derives (`(run)`,
//! `(count of legs[])`). The integration test `it::sources` checks the paths against the
//! getters.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::columns::{Col, Column, Getter, RowKind};
use crate::streams::{
    ACCOUNT_COLUMNS, ACTIVE_CALL_COLUMNS, ATTACHMENT_COLUMNS, CALL_COLUMNS, EXTENSION_COLUMNS,
    LEG_COLUMNS, MESSAGE_COLUMNS, RECIPIENT_COLUMNS, RECORDING_COLUMNS,
};

/// Version of the table schemas below. Bump it with any change to a column or its metadata.
///
/// 2: the message-store, extension and active-call tables.
/// 3: field metadata (`description`, `ringlake.source`) on every column, and table-level
///    `description` and `ringlake.partition_date`.
pub const SCHEMA_VERSION: u32 = 3;

pub use ringlake_contracts::metadata::{
    DESCRIPTION_METADATA, PARTITION_DATE_METADATA, SCHEMA_VERSION_METADATA, SORT_KEY_METADATA,
    SOURCE_METADATA,
};
pub use ringlake_contracts::tables;

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

/// `messages`: one row per (mailbox, message id). docs/api.md §3.4.
pub(crate) static MESSAGES_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &MESSAGE_COLUMNS,
        "mailbox_extension_id,id",
        "One message (SMS, fax, voicemail, pager) of one extension's message store, as \
         read from that mailbox. Deleted and purged messages stay, with their \
         `availability`.",
        "The day of `creation_time` in the run's time zone.",
    )
});

pub(crate) static MESSAGE_RECIPIENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &RECIPIENT_COLUMNS,
        "mailbox_extension_id,message_id,recipient_index",
        "One entry of a message's `to` list (a recipient), per mailbox the message was read \
         from.",
        "The parent message's partition (the day of its `creation_time` in the run's time \
         zone).",
    )
});

pub(crate) static MESSAGE_ATTACHMENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &ATTACHMENT_COLUMNS,
        "mailbox_extension_id,message_id,attachment_index",
        "One attachment of a message (its metadata; the content stays on RingCentral's media \
         host), per mailbox the message was read from.",
        "The parent message's partition (the day of its `creation_time` in the run's time \
         zone).",
    )
});

/// `extensions`: docs/api.md §3.5. Nested objects are flattened; lists are JSON text.
pub(crate) static EXTENSIONS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &EXTENSION_COLUMNS,
        "id",
        "One extension (user, call queue, IVR menu, …) as one run's snapshot of the \
         extension list saw it: the table keeps one snapshot per date, so it shows how \
         extensions changed over time.",
        "The snapshot date: the day the run read the extension list, in the run's time zone.",
    )
});

pub(crate) static ACCOUNT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &ACCOUNT_COLUMNS,
        "id",
        "The account as one run read it (`GET /restapi/v1.0/account/~`): its status, home \
         country, time zone and currency; one row per snapshot date. The columns of \
         `regionalSettings` leave that prefix out (`time_zone_name`, `currency_code`).",
        "The snapshot date: the day the run read the account, in the run's time zone.",
    )
});

/// The `extra_json` column of a row read from the object at `source_prefix` (`""`,
/// `legs[].`, …); `get` reads the row's unknown fields, made by
/// [`crate::columns::extra_json`].
pub(crate) fn extra_json_column<K: RowKind>(source_prefix: &str, get: Getter<K>) -> Column<K> {
    Column::row("extra_json", true, get).doc(
        format!("{source_prefix}*"),
        "Every field the API sent that has no column of its own (those of nested objects \
         under their parent's name), as one JSON object with sorted keys; null when there \
         is none.",
    )
}

/// The item field of `List<Utf8>` columns: items are never null.
pub(crate) fn list_item() -> Field {
    Field::new("item", DataType::Utf8, false)
}

/// Precision and scale of money columns: `decimal(18, 6)`, exact micro-units.
pub(crate) const MONEY_PRECISION: u8 = 18;
pub(crate) const MONEY_SCALE: i8 = 6;

/// Time zone of every timestamp column.
pub(crate) const UTC: &str = "UTC";

/// The Arrow type of a column read by `getter`; the batch builders of `columns.rs` build
/// the same types (and `RecordBatch::try_new` checks that they do).
fn data_type<K: RowKind>(getter: &Getter<K>) -> DataType {
    match getter {
        Getter::Str(_) => DataType::Utf8,
        Getter::I64(_) => DataType::Int64,
        Getter::I32(_) => DataType::Int32,
        Getter::Bool(_) => DataType::Boolean,
        Getter::Ts(_) => DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into())),
        Getter::Money(_) => DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
        Getter::List(_) => DataType::List(Arc::new(list_item())),
    }
}

/// A table's schema: its columns' fields, sort key, what one row is and what its partition
/// date means (both shown in `docs/lake.md`).
fn table_schema<K: RowKind>(
    columns: &[Column<K>],
    sort_key: &str,
    row: &str,
    partition_date: &str,
) -> SchemaRef {
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| {
            let data_type = match &c.get {
                Col::Row(g) => data_type(g),
                Col::Base(g) => data_type(g),
            };
            Field::new(c.name.as_str(), data_type, c.nullable).with_metadata(HashMap::from([
                (SOURCE_METADATA.to_owned(), c.source.clone()),
                (DESCRIPTION_METADATA.to_owned(), c.description.clone()),
            ]))
        })
        .collect();
    let metadata = HashMap::from([
        (SORT_KEY_METADATA.to_owned(), sort_key.to_owned()),
        (
            SCHEMA_VERSION_METADATA.to_owned(),
            SCHEMA_VERSION.to_string(),
        ),
        (DESCRIPTION_METADATA.to_owned(), row.to_owned()),
        (
            PARTITION_DATE_METADATA.to_owned(),
            partition_date.to_owned(),
        ),
    ]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use crate::streams::schema_for;

    #[test]
    fn known_tables_have_schemas_and_unknown_do_not() {
        for t in tables::ALL {
            assert!(schema_for(t).is_some(), "{t}");
        }
        assert!(schema_for("message").is_none());
    }

    #[test]
    fn sort_keys_name_real_non_null_columns() {
        for t in tables::ALL {
            let s = schema_for(t).unwrap();
            let key = &s.metadata()[SORT_KEY_METADATA];
            for col in key.split(',') {
                let f = s.field_with_name(col).unwrap();
                assert!(!f.is_nullable(), "{t}.{col}");
            }
        }
    }

    #[test]
    fn legs_carry_every_base_column_of_calls() {
        let calls = schema_for(tables::CALLS).unwrap();
        let legs = schema_for(tables::CALL_LEGS).unwrap();
        let call_only = [
            "id",
            "uri",
            "session_id",
            "deleted",
            "last_modified_time",
            "leg_count",
            "ringout_caller_result",
            "ringout_callee_result",
        ];
        // Names, types and nullability; the sources differ (`legs[].…`).
        let shape = |f: &Arc<Field>| (f.name().clone(), f.data_type().clone(), f.is_nullable());
        let from_calls: Vec<_> = calls
            .fields()
            .iter()
            .filter(|f| !call_only.contains(&f.name().as_str()))
            .map(shape)
            .collect();
        let leg_only = ["call_id", "leg_index", "leg_type", "master"];
        let from_legs: Vec<_> = legs
            .fields()
            .iter()
            .filter(|f| !leg_only.contains(&f.name().as_str()))
            .map(shape)
            .collect();
        assert_eq!(from_calls, from_legs);
        // …and every base column of a leg is read from the leg.
        for f in legs.fields() {
            if !leg_only.contains(&f.name().as_str()) {
                assert!(
                    f.metadata()[SOURCE_METADATA].starts_with("legs[]."),
                    "{f:?}"
                );
            }
        }
    }

    #[test]
    fn active_calls_are_calls_with_a_snapshot_time() {
        let calls = schema_for(tables::CALLS).unwrap();
        let active = schema_for(tables::ACTIVE_CALLS).unwrap();
        assert_eq!(active.field(0).name(), "snapshot_time");
        assert_eq!(&active.fields()[1..], &calls.fields()[..]);
    }

    #[test]
    fn design_columns_are_present() {
        // DESIGN.md "Tables": the columns other tools rely on, by name.
        for (t, cols) in [
            (
                tables::MESSAGES,
                &[
                    "id",
                    "mailbox_extension_id",
                    "extension_id",
                    "conversation_id",
                    "type",
                    "direction",
                    "creation_time",
                    "last_modified_time",
                    "availability",
                    "message_status",
                    "read_status",
                    "priority",
                    "subject",
                    "from_phone_number",
                    "from_name",
                    "from_extension_number",
                    "fax_page_count",
                    "fax_resolution",
                    "vm_transcription_status",
                    "attachment_count",
                ][..],
            ),
            (
                tables::MESSAGE_RECIPIENTS,
                &[
                    "message_id",
                    "recipient_index",
                    "phone_number",
                    "extension_number",
                    "name",
                    "location",
                    "message_status",
                ][..],
            ),
            (
                tables::MESSAGE_ATTACHMENTS,
                &[
                    "message_id",
                    "attachment_id",
                    "type",
                    "content_type",
                    "size",
                    "vm_duration",
                    "file_name",
                    "uri",
                ][..],
            ),
            (
                tables::EXTENSIONS,
                &["id", "extension_number", "name", "type", "status"][..],
            ),
        ] {
            let s = schema_for(t).unwrap();
            for c in cols {
                assert!(s.field_with_name(c).is_ok(), "{t}.{c}");
            }
        }
    }

    #[test]
    fn no_date_column_and_unique_names() {
        for t in tables::ALL {
            let s = schema_for(t).unwrap();
            assert!(s.field_with_name("date").is_err());
            let mut names: Vec<_> = s.fields().iter().map(|f| f.name().clone()).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "{t}");
        }
    }

    #[test]
    fn every_column_and_table_is_documented() {
        for t in tables::ALL {
            let s = schema_for(t).unwrap();
            for key in [DESCRIPTION_METADATA, PARTITION_DATE_METADATA] {
                assert!(!s.metadata()[key].trim().is_empty(), "{t}: {key}");
            }
            for f in s.fields() {
                let source = &f.metadata()[SOURCE_METADATA];
                let description = &f.metadata()[DESCRIPTION_METADATA];
                assert!(!source.trim().is_empty(), "{t}.{}", f.name());
                // One line each: they become Markdown table cells.
                assert!(!description.contains('\n'), "{t}.{}", f.name());
                assert!(
                    description.ends_with('.') && description.len() > 10,
                    "{t}.{}: {description:?}",
                    f.name()
                );
                // No doubled spaces from line continuations.
                assert!(
                    !description.contains("  "),
                    "{t}.{}: {description:?}",
                    f.name()
                );
                assert_eq!(f.metadata().len(), 2, "{t}.{}", f.name());
            }
        }
    }

    #[test]
    fn sources_are_api_paths_or_notes() {
        for t in tables::ALL {
            for f in schema_for(t).unwrap().fields() {
                let source = &f.metadata()[SOURCE_METADATA];
                if source.starts_with('(') {
                    assert!(source.ends_with(')'), "{t}.{}: {source}", f.name());
                    continue;
                }
                for path in source.split(", ") {
                    for (i, seg) in path.split('.').enumerate() {
                        let seg = seg.strip_suffix("[]").unwrap_or(seg);
                        let ok = seg == "*"
                            || (seg.chars().all(|c| c.is_ascii_alphanumeric())
                                && seg.starts_with(|c: char| c.is_ascii_lowercase()));
                        assert!(ok, "{t}.{}: {source} (segment {i})", f.name());
                    }
                }
            }
        }
    }
}
