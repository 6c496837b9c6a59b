//! The Arrow schemas of every table, declared by hand (DESIGN.md "Tables").
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
///
/// 2: the message-store, extension and active-call tables.
pub const SCHEMA_VERSION: u32 = 2;

/// Table names (directory names in the lake). Other code reads them: do not rename.
pub mod tables {
    /// One row per call-log record.
    pub const CALLS: &str = "calls";
    /// One row per leg of a Detailed record.
    pub const CALL_LEGS: &str = "call_legs";
    /// One row per distinct recording referenced by a call or its legs.
    pub const CALL_RECORDINGS: &str = "call_recordings";
    /// One row per message-store message, per mailbox it was read from.
    pub const MESSAGES: &str = "messages";
    /// One row per entry of a message's `to` list.
    pub const MESSAGE_RECIPIENTS: &str = "message_recipients";
    /// One row per attachment of a message.
    pub const MESSAGE_ATTACHMENTS: &str = "message_attachments";
    /// One row per extension per snapshot date.
    pub const EXTENSIONS: &str = "extensions";
    /// One row per call of an active-calls snapshot.
    pub const ACTIVE_CALLS: &str = "active_calls";

    /// Every table, in the order the transforms return them.
    pub const ALL: [&str; 8] = [
        CALLS,
        CALL_LEGS,
        CALL_RECORDINGS,
        MESSAGES,
        MESSAGE_RECIPIENTS,
        MESSAGE_ATTACHMENTS,
        EXTENSIONS,
        ACTIVE_CALLS,
    ];
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
        tables::MESSAGES => Some(MESSAGES_SCHEMA.clone()),
        tables::MESSAGE_RECIPIENTS => Some(MESSAGE_RECIPIENTS_SCHEMA.clone()),
        tables::MESSAGE_ATTACHMENTS => Some(MESSAGE_ATTACHMENTS_SCHEMA.clone()),
        tables::EXTENSIONS => Some(EXTENSIONS_SCHEMA.clone()),
        tables::ACTIVE_CALLS => Some(ACTIVE_CALLS_SCHEMA.clone()),
        _ => None,
    }
}

pub(crate) static CALLS_SCHEMA: LazyLock<SchemaRef> =
    LazyLock::new(|| schema(call_fields(), "start_time,id"));

/// `calls`' columns, also those of `active_calls` after its `snapshot_time`.
fn call_fields() -> Vec<Field> {
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
    fields
}

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

/// An active-calls snapshot: when it was taken, then the columns of `calls` (legs are
/// counted in `leg_count`; snapshots have no legs table).
pub(crate) static ACTIVE_CALLS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![timestamp("snapshot_time", false)];
    fields.extend(call_fields());
    schema(fields, "snapshot_time,id")
});

/// `messages`: one row per (mailbox, message id). API-NOTES §3.4.
pub(crate) static MESSAGES_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        int64("mailbox_extension_id", false),
        int64("id", false),
        utf8("uri", true),
        utf8("extension_id", true),
        int64("conversation_id", true),
        // `conversation.id`: the same id as text (exact even where docs round the number).
        utf8("conversation_id_string", true),
        utf8("conversation_uri", true),
        utf8("type", true),
        utf8("direction", true),
        timestamp("creation_time", false),
        timestamp("last_modified_time", true),
        utf8("availability", true),
        utf8("message_status", true),
        utf8("read_status", true),
        utf8("priority", true),
        utf8("subject", true),
        utf8("from_phone_number", true),
        utf8("from_name", true),
        utf8("from_extension_number", true),
        utf8("from_extension_id", true),
        utf8("from_location", true),
        int32("recipient_count", false),
        int32("attachment_count", false),
        timestamp("sms_delivery_time", true),
        int32("sms_sending_attempts_count", true),
        utf8("delivery_error_code", true),
        int32("segment_count", true),
        int32("fax_page_count", true),
        utf8("fax_resolution", true),
        int32("cover_index", true),
        utf8("cover_page_text", true),
        boolean("pg_to_department", true),
        utf8("vm_transcription_status", true),
        utf8("owner_name", true),
        utf8("owner_extension_type", true),
        utf8("owner_extension_id", true),
        boolean("private", true),
        timestamp("forwarding_original_creation_time", true),
    ];
    fields.extend(recipient_fields().into_iter().map(|f| {
        let name = format!("forwarding_original_sender_{}", f.name());
        f.with_name(name)
    }));
    fields.extend([
        utf8("vm_side_recipients_json", true),
        utf8("extra_json", true),
    ]);
    schema(fields, "mailbox_extension_id,id")
});

/// The fields of a `MessageStoreCallerInfoResponseTo`, shared by `message_recipients` and
/// `messages.forwarding_original_sender_*`.
fn recipient_fields() -> Vec<Field> {
    vec![
        utf8("phone_number", true),
        utf8("extension_number", true),
        utf8("extension_id", true),
        utf8("name", true),
        utf8("location", true),
        boolean("target", true),
        utf8("message_status", true),
        utf8("fax_error_code", true),
        utf8("recipient_id", true),
    ]
}

pub(crate) static MESSAGE_RECIPIENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        int64("mailbox_extension_id", false),
        int64("message_id", false),
        int32("recipient_index", false),
    ];
    fields.extend(recipient_fields());
    fields.push(utf8("extra_json", true));
    schema(fields, "mailbox_extension_id,message_id,recipient_index")
});

pub(crate) static MESSAGE_ATTACHMENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema(
        vec![
            int64("mailbox_extension_id", false),
            int64("message_id", false),
            int32("attachment_index", false),
            int64("attachment_id", true),
            utf8("uri", true),
            utf8("type", true),
            utf8("content_type", true),
            int32("vm_duration", true),
            utf8("file_name", true),
            int64("size", true),
            int32("height", true),
            int32("width", true),
            utf8("extra_json", true),
        ],
        "mailbox_extension_id,message_id,attachment_index",
    )
});

/// `extensions`: API-NOTES §3.5. Nested objects are flattened; lists are JSON text.
pub(crate) static EXTENSIONS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema(
        vec![
            int64("id", false),
            utf8("uri", true),
            utf8("extension_number", true),
            utf8("name", true),
            utf8("type", true),
            utf8("sub_type", true),
            utf8("status", true),
            utf8("contact_first_name", true),
            utf8("contact_last_name", true),
            utf8("contact_name", true),
            utf8("contact_company", true),
            utf8("contact_job_title", true),
            utf8("contact_email", true),
            utf8("contact_business_phone", true),
            utf8("contact_mobile_phone", true),
            utf8("contact_business_address_country", true),
            utf8("contact_business_address_state", true),
            utf8("contact_business_address_city", true),
            utf8("contact_business_address_street", true),
            utf8("contact_business_address_zip", true),
            boolean("contact_email_as_login_name", true),
            utf8("contact_pronounced_name_type", true),
            utf8("contact_pronounced_name_text", true),
            utf8("contact_pronounced_name_prompt_id", true),
            utf8("contact_pronounced_name_prompt_content_uri", true),
            utf8("contact_pronounced_name_prompt_content_type", true),
            utf8("contact_department", true),
            boolean("permissions_admin_enabled", true),
            boolean("permissions_international_calling_enabled", true),
            utf8("profile_image_uri", true),
            utf8("profile_image_etag", true),
            timestamp("profile_image_last_modified", true),
            utf8("profile_image_content_type", true),
            utf8("profile_image_scales_json", true),
            utf8("partner_id", true),
            utf8("references_json", true),
            int32("call_queue_info_sla_goal", true),
            int32("call_queue_info_sla_threshold_seconds", true),
            boolean("call_queue_info_include_abandoned_calls", true),
            int32("call_queue_info_abandoned_threshold_seconds", true),
            boolean("hidden", true),
            utf8("roles_json", true),
            utf8("site_id", true),
            utf8("site_uri", true),
            utf8("site_name", true),
            utf8("site_code", true),
            utf8("assigned_country_id", true),
            utf8("assigned_country_uri", true),
            utf8("assigned_country_iso_code", true),
            utf8("assigned_country_name", true),
            utf8("cost_center_id", true),
            utf8("cost_center_name", true),
            timestamp("creation_time", true),
            int32("alert_timer", true),
            utf8("extra_json", true),
        ],
        "id",
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

fn int64(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Int64, nullable)
}

fn int32(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Int32, nullable)
}

fn boolean(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Boolean, nullable)
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
}
