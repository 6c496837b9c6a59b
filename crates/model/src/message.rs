//! Message-store records (docs/api.md §3.4, §1.9; spec schemas `GetMessageInfoResponse`,
//! `GetSingleMessageInfoResponse`, `MessageAttachmentInfo`,
//! `MessageStoreCallerInfoResponseFrom`/`To`, `ConversationInfo`, `OwnerResource`,
//! `GetMessageForwardingInfo`) and the items of a bulk (207) response (docs/api.md §6.2).
//!
//! Same rules as the call log: every field is an `Option` (the spec marks none required,
//! and message-sync records of deleted messages carry only `id` and `availability`), enums
//! are plain strings, unknown fields are kept in an `extra` map on every object, and
//! integers are read exactly: `conversationId` exceeds 2^53 (docs/api.md §3.4) and must never
//! pass through `f64`. serde_json hands integers over as `u64`/`i64`, also when
//! `#[serde(flatten)]` buffers the object first, and the readers of the `values` module
//! accept a numeric string too.

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::values::{
    ValueError, null_as_default, opt_i64_lenient, opt_string_or_number, opt_timestamp_ms,
};

/// One message of the message store (list, sync, by-id and bulk endpoints all return
/// these; the by-id endpoint adds `vmSideRecipients`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRecord {
    /// int64 in REST responses (a string in push notifications; both are read).
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub id: Option<i64>,
    /// API link to the message.
    #[serde(default)]
    pub uri: Option<String>,
    /// A string in the spec (unlike `id`).
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub extension_id: Option<String>,
    /// Empty when absent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub attachments: Vec<MessageAttachmentInfo>,
    /// `Alive` | `Deleted` | `Purged`.
    #[serde(default)]
    pub availability: Option<String>,
    /// int64 above 2^53: read exactly (docs/api.md §3.4).
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub conversation_id: Option<i64>,
    /// `conversation`: the thread the message belongs to (SMS, pager); prefer its `id` to
    /// `conversationId`.
    #[serde(default)]
    pub conversation: Option<ConversationInfo>,
    /// Milliseconds since the epoch, UTC. The partition key.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub creation_time: Option<i64>,
    /// `deliveryErrorCode` of a failed SMS, as sent.
    #[serde(default)]
    pub delivery_error_code: Option<String>,
    /// `segmentCount`: SMS segments the text was split into.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub segment_count: Option<i32>,
    /// `Inbound` | `Outbound`.
    #[serde(default)]
    pub direction: Option<String>,
    /// `faxPageCount`: pages of a fax; 0 for failed or queued faxes.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub fax_page_count: Option<i32>,
    /// `High` | `Low`.
    #[serde(default)]
    pub fax_resolution: Option<String>,
    /// Absent on some outbound faxes.
    #[serde(default)]
    pub from: Option<MessageStoreCallerInfoFrom>,
    /// `lastModifiedTime`: milliseconds since the epoch, UTC; changes when the message is read,
    /// deleted, etc.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub last_modified_time: Option<i64>,
    /// `MessageStatusEnum`.
    #[serde(default)]
    pub message_status: Option<String>,
    /// Pager only.
    #[serde(default)]
    pub pg_to_department: Option<bool>,
    /// `Normal` | `High`.
    #[serde(default)]
    pub priority: Option<String>,
    /// `Read` | `Unread`.
    #[serde(default)]
    pub read_status: Option<String>,
    /// `smsDeliveryTime`: milliseconds since the epoch, UTC; when the SMS was delivered.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub sms_delivery_time: Option<i64>,
    /// `smsSendingAttemptsCount`: how often sending an outbound SMS was tried.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub sms_sending_attempts_count: Option<i32>,
    /// The text of an SMS or pager message; on inbound faxes often the sender's number.
    #[serde(default)]
    pub subject: Option<String>,
    /// Absent on some inbound faxes; empty then.
    #[serde(default, deserialize_with = "null_as_default")]
    pub to: Vec<MessageStoreCallerInfoTo>,
    /// `Fax` | `SMS` | `VoiceMail` | `Pager` | `Text`.
    #[serde(default)]
    pub r#type: Option<String>,
    /// VoiceMail only.
    #[serde(default)]
    pub vm_transcription_status: Option<String>,
    /// Outbound fax cover page: 0 = none, 1–13.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub cover_index: Option<i32>,
    /// `coverPageText`: text on the fax cover page (≤ 1024 characters).
    #[serde(default)]
    pub cover_page_text: Option<String>,
    /// Shared voicemail / SMS only.
    #[serde(default)]
    pub owner: Option<MessageOwnerInfo>,
    /// `private`: a private message (default `false`).
    #[serde(default)]
    pub private: Option<bool>,
    /// `forwarding`: who the message was forwarded from, for forwarded messages.
    #[serde(default)]
    pub forwarding: Option<MessageForwardingInfo>,
    /// Single-message GET only (`GetSingleMessageInfoResponse`).
    #[serde(default)]
    pub vm_side_recipients: Option<Vec<MessageStoreCallerInfoTo>>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `from` (spec `MessageStoreCallerInfoResponseFrom`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageStoreCallerInfoFrom {
    /// `extensionNumber` of the sender, for internal senders.
    #[serde(default)]
    pub extension_number: Option<String>,
    /// `extensionId` of the sender, as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub extension_id: Option<String>,
    /// Caller-ID location of the sender.
    #[serde(default)]
    pub location: Option<String>,
    /// Display name of the sender.
    #[serde(default)]
    pub name: Option<String>,
    /// `phoneNumber` of the sender, usually E.164.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An entry of `to`, `vmSideRecipients`, or `forwarding.originalSender` (spec
/// `MessageStoreCallerInfoResponseTo`). Serializable (camelCase, absent fields left out)
/// because `vmSideRecipients` is kept as JSON text.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageStoreCallerInfoTo {
    /// `extensionNumber` of the recipient, for internal recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    /// `extensionId` of the recipient, as a string.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<String>,
    /// Caller-ID location of the recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `target`: whether this recipient was the one the message was addressed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<bool>,
    /// `MessageStatusEnum`: this recipient's delivery status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_status: Option<String>,
    /// `FaxErrorCodeEnum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax_error_code: Option<String>,
    /// Display name of the recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `phoneNumber` of the recipient, usually E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// `recipientId`: id of the recipient entry, as a string.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub recipient_id: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `attachments[]` (spec `MessageAttachmentInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageAttachmentInfo {
    /// int64; often the message id, `1` in old data.
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub id: Option<i64>,
    /// Link to the attachment's bytes on the media host (docs/api.md §1.9 #15).
    #[serde(default)]
    pub uri: Option<String>,
    /// `MessageAttachmentTypeEnum`; absent in old data.
    #[serde(default)]
    pub r#type: Option<String>,
    /// `contentType` of the bytes, e.g. `audio/x-wav`, `application/pdf`, `text/plain`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Seconds (voicemail).
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub vm_duration: Option<i32>,
    /// `fileName` as uploaded, when there is one.
    #[serde(default)]
    pub file_name: Option<String>,
    /// Bytes. int32 in the spec; read as int64 so a large file is not a dead letter.
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub size: Option<i64>,
    /// Pixels (MMS images).
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub height: Option<i32>,
    /// Pixels (MMS images).
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub width: Option<i32>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `conversation` (spec `ConversationInfo`): its `id` is the exact string form of
/// `conversationId`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationInfo {
    /// The conversation id as an exact string (safe where `conversationId` would be rounded).
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// Deprecated in the spec, still sent.
    #[serde(default)]
    pub uri: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `owner` (spec `OwnerResource`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageOwnerInfo {
    /// Display name of the owning extension.
    #[serde(default)]
    pub name: Option<String>,
    /// `AllExtensionTypesEnum`.
    #[serde(default)]
    pub extension_type: Option<String>,
    /// `extensionId` of the owning extension, as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub extension_id: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `forwarding` (spec `GetMessageForwardingInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageForwardingInfo {
    /// `originalSender`: who sent the message before it was forwarded.
    #[serde(default)]
    pub original_sender: Option<MessageStoreCallerInfoTo>,
    /// `originalCreationTime`: milliseconds since the epoch, UTC, of the original message.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub original_creation_time: Option<i64>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One item of a bulk GET answered as `application/vnd.ringcentral.multipart+json`: a JSON
/// array of `{resourceId, status, body}` (docs/api.md §1.9, §6.2). The body stays raw: it is
/// a record when `status` is 200 and an error body otherwise.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkItem<'a> {
    /// `resourceId`: the message id this item answers, as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub resource_id: Option<String>,
    /// HTTP status of this item alone, e.g. 200 or 404.
    #[serde(default)]
    pub status: Option<u16>,
    /// The record (status 200) or an error body (docs/api.md §6.1), raw; `None` when absent.
    #[serde(default, borrow)]
    pub body: Option<&'a RawValue>,
}

impl MessageRecord {
    /// Every field the spec does not define, at the place it was found: the record's own
    /// unknown keys plus `{"from": {"newKey": …}}`-style entries for its nested objects.
    /// `to[]` and `attachments[]` entries keep their own (they become rows of their own);
    /// `vmSideRecipients` is kept whole as JSON text.
    pub fn unknown_fields(&self) -> Map<String, Value> {
        let mut out = self.extra.clone();
        let mut put = |key: &str, extra: Map<String, Value>| {
            if !extra.is_empty() {
                out.insert(key.to_owned(), Value::Object(extra));
            }
        };
        if let Some(f) = &self.from {
            put("from", f.extra.clone());
        }
        if let Some(c) = &self.conversation {
            put("conversation", c.extra.clone());
        }
        if let Some(o) = &self.owner {
            put("owner", o.extra.clone());
        }
        if let Some(f) = &self.forwarding {
            let mut m = f.extra.clone();
            if let Some(s) = f.original_sender.as_ref().filter(|s| !s.extra.is_empty()) {
                m.insert("originalSender".to_owned(), Value::Object(s.extra.clone()));
            }
            put("forwarding", m);
        }
        out
    }
}

/// Reads an optional int32 (counts, sizes) like [`opt_i64_lenient`]; a value outside the
/// int32 range is an error, not a wrapped number.
pub(crate) fn opt_i32_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    opt_i64_lenient(d)?
        .map(|v| {
            i32::try_from(v).map_err(|_| {
                D::Error::custom(ValueError::Integer {
                    text: v.to_string(),
                })
            })
        })
        .transpose()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn conversation_id_above_2_pow_53_is_exact_through_flatten() {
        // `extra` is `#[serde(flatten)]`, so serde buffers the whole object before the
        // field readers run: the integers must survive that buffering exactly.
        for (json, want) in [
            (r#"{"id":1,"conversationId":9223372036854775807}"#, i64::MAX),
            (
                r#"{"id":1,"conversationId":8234962969801171948}"#,
                8_234_962_969_801_171_948,
            ),
            (
                r#"{"id":1,"conversationId":"8234962969801171948"}"#,
                8_234_962_969_801_171_948,
            ),
            (
                r#"{"id":1,"conversationId":"9223372036854775807","newField":true}"#,
                i64::MAX,
            ),
        ] {
            let m: MessageRecord = serde_json::from_str(json).unwrap();
            assert_eq!(m.conversation_id, Some(want), "{json}");
        }
        let m: MessageRecord = serde_json::from_str(r#"{"id":9223372036854775807}"#).unwrap();
        assert_eq!(m.id, Some(i64::MAX));
        // Out of range or rounded-by-float values are refused, never approximated.
        for bad in [
            r#"{"conversationId":9223372036854775808}"#,
            r#"{"conversationId":8.234962969801172e18}"#,
            r#"{"conversationId":"82349x"}"#,
            r#"{"faxPageCount":2147483648}"#,
        ] {
            assert!(serde_json::from_str::<MessageRecord>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_a_full_message_and_keeps_unknown_fields() {
        let json = r#"{
          "uri": "https://platform.ringcentral.com/restapi/v1.0/account/1/extension/2/message-store/3",
          "id": 3, "extensionId": 2, "type": "Fax", "direction": "Outbound",
          "creationTime": "2020-01-01T00:00:00.000Z", "lastModifiedTime": "2020-01-01T00:00:01.500Z",
          "from": {"phoneNumber": "+1", "contact": {"name": "legacy"}},
          "to": [{"phoneNumber": "+2", "target": true, "faxErrorCode": "LineBusy", "recipientId": 77}],
          "attachments": [{"id": "3", "size": 12, "vmDuration": 4, "type": "RenderedDocument", "pages": 2}],
          "conversation": {"id": "42", "uri": "u"},
          "owner": {"extensionId": 5, "extensionType": "User"},
          "forwarding": {"originalCreationTime": "2019-12-31T23:00:00Z", "originalSender": {"name": "n", "k": 1}},
          "vmSideRecipients": [{"name": "vm", "extensionId": "9"}],
          "private": true, "coverIndex": 2, "segmentCount": 1, "smsDeliveryTime": "2020-01-01T00:00:02Z",
          "brandNew": [1]
        }"#;
        let m: MessageRecord = serde_json::from_str(json).unwrap();
        assert_eq!(m.id, Some(3));
        assert_eq!(m.extension_id.as_deref(), Some("2"));
        assert_eq!(m.creation_time, Some(1_577_836_800_000));
        assert_eq!(m.last_modified_time, Some(1_577_836_801_500));
        assert_eq!(m.to[0].recipient_id.as_deref(), Some("77"));
        assert_eq!(m.attachments[0].id, Some(3));
        assert_eq!(m.attachments[0].size, Some(12));
        assert_eq!(m.owner.as_ref().unwrap().extension_id.as_deref(), Some("5"));
        assert_eq!(
            m.forwarding.as_ref().unwrap().original_creation_time,
            Some(1_577_833_200_000)
        );
        assert_eq!(
            serde_json::to_value(m.vm_side_recipients.as_ref().unwrap()).unwrap(),
            serde_json::json!([{"name": "vm", "extensionId": "9"}])
        );
        assert_eq!(
            serde_json::to_value(m.unknown_fields()).unwrap(),
            serde_json::json!({
                "brandNew": [1],
                "from": {"contact": {"name": "legacy"}},
                "forwarding": {"originalSender": {"k": 1}}
            })
        );
        assert_eq!(
            serde_json::to_value(&m.attachments[0].extra).unwrap(),
            serde_json::json!({"pages": 2})
        );
    }

    #[test]
    fn deleted_sync_stub_reads_with_only_id_and_availability() {
        let m: MessageRecord =
            serde_json::from_str(r#"{"id":"5","availability":"Purged","to":null}"#).unwrap();
        assert_eq!(m.id, Some(5));
        assert_eq!(m.creation_time, None);
        assert!(m.to.is_empty() && m.attachments.is_empty());
    }

    #[test]
    fn bulk_items() {
        let items: Vec<BulkItem<'_>> = serde_json::from_str(
            r#"[{"resourceId":"1","status":200,"body":{"id":1}},{"resourceId":2,"status":404,"body":{"errorCode":"CMN-102"}}]"#,
        )
        .unwrap();
        assert_eq!(items[0].status, Some(200));
        assert_eq!(items[0].body.unwrap().get(), r#"{"id":1}"#);
        assert_eq!(items[1].resource_id.as_deref(), Some("2"));
    }
}
