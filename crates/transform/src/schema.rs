//! The Arrow schemas of the call-log tables, declared by hand (DESIGN.md "Tables").
//!
//! This is the contract analysts and the report stage rely on: a change here is a change of
//! [`SCHEMA_VERSION`] and of the snapshot tests. Column names are snake_case forms of the
//! API names; nested objects are flattened with their parent's name as prefix
//! (`from.phoneNumber` → `from_phone_number`). There is no `date` column: the partition date
//! lives only in the Hive directory name.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Version of the table schemas below. Bump it with any change to a column.
pub const SCHEMA_VERSION: u32 = 1;

/// Table names (directory names in the lake). Other code reads them: do not rename.
pub mod tables {
    /// One row per call-log record.
    pub const CALLS: &str = "calls";
    /// One row per leg of a Detailed record.
    pub const CALL_LEGS: &str = "call_legs";
    /// One row per distinct recording referenced by a call or its legs.
    pub const CALL_RECORDINGS: &str = "call_recordings";
}

/// Schema-level metadata key: the table's sort key, comma separated. The loader declares
/// it as the Parquet sorting columns without knowing any table.
pub const SORT_KEY_METADATA: &str = "ringlake.sort_key";
/// Schema-level metadata key: [`SCHEMA_VERSION`] as text.
pub const SCHEMA_VERSION_METADATA: &str = "ringlake.schema_version";

/// The schema of `table`, or `None` for a name this crate does not produce.
pub fn schema_for(table: &str) -> Option<SchemaRef> {
    match table {
        tables::CALLS => Some(CALLS_SCHEMA.clone()),
        tables::CALL_LEGS => Some(CALL_LEGS_SCHEMA.clone()),
        tables::CALL_RECORDINGS => Some(CALL_RECORDINGS_SCHEMA.clone()),
        _ => None,
    }
}

pub(crate) static CALLS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        utf8("id", false),
        utf8("uri", true),
        utf8("session_id", true),
    ];
    fields.extend(base_fields());
    fields.extend([
        timestamp("last_modified_time", true),
        Field::new("deleted", DataType::Boolean, false),
        Field::new("leg_count", DataType::Int32, false),
        utf8("ringout_caller_result", true),
        utf8("ringout_callee_result", true),
        utf8("extra_json", true),
    ]);
    schema(fields, "start_time,id")
});

pub(crate) static CALL_LEGS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        utf8("call_id", false),
        Field::new("leg_index", DataType::Int32, false),
        utf8("leg_type", true),
        Field::new("master", DataType::Boolean, false),
    ];
    fields.extend(base_fields());
    fields.push(utf8("extra_json", true));
    schema(fields, "start_time,call_id,leg_index")
});

pub(crate) static CALL_RECORDINGS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema(
        vec![
            utf8("recording_id", false),
            utf8("call_id", false),
            timestamp("start_time", false),
            utf8("uri", true),
            utf8("type", true),
            utf8("content_uri", true),
        ],
        "start_time,call_id,recording_id",
    )
});

/// The `BaseCallLogRecord` columns, shared by `calls` and `call_legs` in this order.
fn base_fields() -> Vec<Field> {
    vec![
        utf8("telephony_session_id", true),
        utf8("sip_uuid_info", true),
        utf8("party_id", true),
        utf8("transfer_target_telephony_session_id", true),
        utf8("transferee_telephony_session_id", true),
        Field::new("extension_id", DataType::Int64, true),
        utf8("extension_uri", true),
        timestamp("start_time", false),
        Field::new("duration", DataType::Int64, true),
        Field::new("duration_ms", DataType::Int64, true),
        utf8("type", true),
        utf8("direction", true),
        utf8("action", true),
        utf8("result", true),
        utf8("reason", true),
        utf8("reason_description", true),
        utf8("internal_type", true),
        utf8("transport", true),
        utf8("from_phone_number", true),
        utf8("from_extension_number", true),
        utf8("from_extension_id", true),
        utf8("from_name", true),
        utf8("from_location", true),
        utf8("from_device_id", true),
        utf8("from_device_uri", true),
        utf8("from_dialer_phone_number", true),
        utf8("to_phone_number", true),
        utf8("to_extension_number", true),
        utf8("to_extension_id", true),
        utf8("to_name", true),
        utf8("to_location", true),
        utf8("to_device_id", true),
        utf8("to_device_uri", true),
        utf8("to_dialed_phone_number", true),
        utf8("message_id", true),
        utf8("message_type", true),
        utf8("message_uri", true),
        utf8("delegate_id", true),
        utf8("delegate_name", true),
        utf8("delegation_type", true),
        money("billing_cost_included"),
        money("billing_cost_purchased"),
        utf8("recording_id", true),
        utf8("recording_uri", true),
        utf8("recording_type", true),
        utf8("recording_content_uri", true),
        Field::new("short_recording", DataType::Boolean, true),
        Field::new(
            "metadata_categories",
            DataType::List(Arc::new(list_item())),
            true,
        ),
        Field::new("finished", DataType::Boolean, true),
    ]
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

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn timestamp(name: &str, nullable: bool) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into())),
        nullable,
    )
}

fn money(name: &str) -> Field {
    Field::new(
        name,
        DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
        true,
    )
}

fn schema(fields: Vec<Field>, sort_key: &str) -> SchemaRef {
    let metadata = HashMap::from([
        (SORT_KEY_METADATA.to_owned(), sort_key.to_owned()),
        (
            SCHEMA_VERSION_METADATA.to_owned(),
            SCHEMA_VERSION.to_string(),
        ),
    ]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn known_tables_have_schemas_and_unknown_do_not() {
        for t in [tables::CALLS, tables::CALL_LEGS, tables::CALL_RECORDINGS] {
            assert!(schema_for(t).is_some(), "{t}");
        }
        assert!(schema_for("messages").is_none());
    }

    #[test]
    fn sort_keys_name_real_non_null_columns() {
        for t in [tables::CALLS, tables::CALL_LEGS, tables::CALL_RECORDINGS] {
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
        let from_calls: Vec<_> = calls
            .fields()
            .iter()
            .filter(|f| !call_only.contains(&f.name().as_str()))
            .collect();
        let leg_only = ["call_id", "leg_index", "leg_type", "master"];
        let from_legs: Vec<_> = legs
            .fields()
            .iter()
            .filter(|f| !leg_only.contains(&f.name().as_str()))
            .collect();
        assert_eq!(from_calls, from_legs);
    }

    #[test]
    fn no_date_column_and_unique_names() {
        for t in [tables::CALLS, tables::CALL_LEGS, tables::CALL_RECORDINGS] {
            let s = schema_for(t).unwrap();
            assert!(s.field_with_name("date").is_err());
            let mut names: Vec<_> = s.fields().iter().map(|f| f.name().clone()).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "{t}");
        }
    }
}
