//! Call-log records (API-NOTES §3.1–3.3; spec schemas `CallLogRecord`,
//! `BaseCallLogRecord`, `CallLogRecordLegInfo` and the objects they hold).
//!
//! Every field of the spec has a field here. The API omits absent values instead of
//! sending `null`, grows enums over time and adds fields, so (API-NOTES §3):
//! - every field is an `Option` except the record's `id` and `startTime`, without which a
//!   row cannot be keyed or partitioned. The spec also marks `uri`, `sessionId`, `type`,
//!   `direction`, `action` (and nested ids) required, but real payloads lack some of them
//!   (the 2013 sync sample has no `sessionId`), and one missing string must not cost the
//!   whole record;
//! - enums are plain `String`s (open sets);
//! - unknown fields are kept in an `extra` map on every object, so nothing is dropped;
//! - scalars are read leniently and exactly by the readers of the `values` module
//!   (re-exported at the crate root).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::values::{
    Money, null_as_default, opt_i64_lenient, opt_string_or_number, opt_timestamp_ms,
    string_or_number, timestamp_ms,
};

/// One call-log record (list, by-id, sync and active-calls endpoints all return these).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogRecord {
    /// Opaque string id (`"IVWtSyis720zMEA"`); a number is read as its digits.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub session_id: Option<String>,
    /// Sent only for deleted records (`showDeleted`, ISync).
    #[serde(default)]
    pub deleted: Option<bool>,
    /// Detailed view only; empty when absent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub legs: Vec<CallLogRecordLegInfo>,
    /// Milliseconds since the epoch, UTC.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub last_modified_time: Option<i64>,
    #[serde(flatten)]
    pub base: BaseCallLogRecord,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One leg of a Detailed record (API-NOTES §3.2): the base fields plus `legType` and
/// `master`. Legs have no `id`, `uri` or `sessionId`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogRecordLegInfo {
    /// `CallLegTypeEnum` (spec: required).
    #[serde(default)]
    pub leg_type: Option<String>,
    /// May be sent only on the master leg, so absent means "not master".
    #[serde(default)]
    pub master: Option<bool>,
    #[serde(flatten)]
    pub base: BaseCallLogRecord,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The fields records and legs share (spec `BaseCallLogRecord`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseCallLogRecord {
    #[serde(default)]
    pub extension: Option<ExtensionInfoCallLog>,
    #[serde(default)]
    pub telephony_session_id: Option<String>,
    #[serde(default)]
    pub sip_uuid_info: Option<String>,
    #[serde(default)]
    pub transfer_target: Option<TransferSessionInfo>,
    #[serde(default)]
    pub transferee: Option<TransferSessionInfo>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub party_id: Option<String>,
    #[serde(default)]
    pub metadata_categories: Option<Vec<String>>,
    /// `PSTN` | `VoIP`.
    #[serde(default)]
    pub transport: Option<String>,
    #[serde(default)]
    pub from: Option<CallLogFromParty>,
    #[serde(default)]
    pub to: Option<CallLogToParty>,
    /// `Voice` | `Fax`.
    #[serde(default)]
    pub r#type: Option<String>,
    /// `Inbound` | `Outbound`.
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub message: Option<CallLogRecordMessage>,
    #[serde(default)]
    pub delegate: Option<CallLogDelegateInfo>,
    /// `Coworker` | `QueueForwarding` | `Unknown`.
    #[serde(default)]
    pub delegation_type: Option<String>,
    /// `CallActionEnum`.
    #[serde(default)]
    pub action: Option<String>,
    /// `CallResultEnum`.
    #[serde(default)]
    pub result: Option<String>,
    /// `CallResultReasonEnum`.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub reason_description: Option<String>,
    /// Milliseconds since the epoch, UTC. Required: it is the partition key.
    #[serde(deserialize_with = "timestamp_ms")]
    pub start_time: i64,
    /// Seconds.
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub duration: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub duration_ms: Option<i64>,
    #[serde(default)]
    pub recording: Option<CallLogRecordingInfo>,
    /// Sent only when `true`.
    #[serde(default)]
    pub short_recording: Option<bool>,
    #[serde(default)]
    pub billing: Option<BillingInfo>,
    /// `CallInternalTypeEnum`.
    #[serde(default)]
    pub internal_type: Option<String>,
    #[serde(default)]
    pub finished: Option<bool>,
}

/// `extension`: the owner extension. Its id is an int64 (unlike `from.extensionId`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionInfoCallLog {
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub id: Option<i64>,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `transferTarget` / `transferee` (warm transfer).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferSessionInfo {
    #[serde(default)]
    pub telephony_session_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `from` (spec `CallLogFromParty`). Any subset of fields may be present (API-NOTES §3.3).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogFromParty {
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub extension_number: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub extension_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub device: Option<CallLogRecordDeviceInfo>,
    #[serde(default)]
    pub dialer_phone_number: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `to` (spec `CallLogToParty`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogToParty {
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub extension_number: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub extension_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub device: Option<CallLogRecordDeviceInfo>,
    #[serde(default)]
    pub dialed_phone_number: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `from.device` / `to.device`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogRecordDeviceInfo {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `billing`: per-call costs, exact decimals.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingInfo {
    #[serde(default)]
    pub cost_included: Option<Money>,
    #[serde(default)]
    pub cost_purchased: Option<Money>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `recording` (spec `CallLogRecordingInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogRecordingInfo {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    /// `Automatic` | `OnDemand`.
    #[serde(default)]
    pub r#type: Option<String>,
    #[serde(default)]
    pub content_uri: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `message`: the linked fax or voicemail. Its id is a string here, unlike the message
/// store's integer ids (API-NOTES §8).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogRecordMessage {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub r#type: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `delegate`: the secretary extension that acted for the boss.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogDelegateInfo {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CallLogRecord {
    /// Every field the spec does not define, at the place it was found: the record's own
    /// unknown keys, plus `{"from": {"newKey": …}}`-style entries for unknown keys of its
    /// nested objects. Legs keep their own (see [`CallLogRecordLegInfo::unknown_fields`]).
    pub fn unknown_fields(&self) -> Map<String, Value> {
        let mut out = self.extra.clone();
        self.base.nested_unknown_fields(&mut out);
        out
    }
}

impl CallLogRecordLegInfo {
    /// Like [`CallLogRecord::unknown_fields`], for one leg.
    pub fn unknown_fields(&self) -> Map<String, Value> {
        let mut out = self.extra.clone();
        self.base.nested_unknown_fields(&mut out);
        out
    }
}

impl BaseCallLogRecord {
    /// Adds the unknown keys of nested objects under their parent's API name. A known
    /// field's name cannot also be an unknown key, so nothing is overwritten.
    fn nested_unknown_fields(&self, out: &mut Map<String, Value>) {
        fn put(out: &mut Map<String, Value>, key: &str, extra: &Map<String, Value>) {
            if !extra.is_empty() {
                out.insert(key.to_owned(), Value::Object(extra.clone()));
            }
        }
        if let Some(e) = &self.extension {
            put(out, "extension", &e.extra);
        }
        if let Some(t) = &self.transfer_target {
            put(out, "transferTarget", &t.extra);
        }
        if let Some(t) = &self.transferee {
            put(out, "transferee", &t.extra);
        }
        if let Some(p) = &self.from {
            let mut m = p.extra.clone();
            if let Some(d) = p.device.as_ref().filter(|d| !d.extra.is_empty()) {
                m.insert("device".to_owned(), Value::Object(d.extra.clone()));
            }
            put(out, "from", &m);
        }
        if let Some(p) = &self.to {
            let mut m = p.extra.clone();
            if let Some(d) = p.device.as_ref().filter(|d| !d.extra.is_empty()) {
                m.insert("device".to_owned(), Value::Object(d.extra.clone()));
            }
            put(out, "to", &m);
        }
        if let Some(m) = &self.message {
            put(out, "message", &m.extra);
        }
        if let Some(d) = &self.delegate {
            put(out, "delegate", &d.extra);
        }
        if let Some(b) = &self.billing {
            put(out, "billing", &b.extra);
        }
        if let Some(r) = &self.recording {
            put(out, "recording", &r.extra);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    const DETAILED: &str = r#"{
      "uri" : "https://platform.ringcentral.com/restapi/v1.0/account/1/extension/1/call-log/X2AvJPtwNQbNQA?view=Detailed",
      "id" : "X2AvJPtwNQbNQA",
      "sessionId" : "4503991004",
      "telephonySessionId": "s-9a03590172ea4d39a7cf7d5b6dba6a3b",
      "startTime" : "2018-09-11T13:24:09.000Z",
      "duration" : 7,
      "type" : "Voice", "direction" : "Inbound", "action" : "Phone Call", "result" : "Accepted",
      "to" : { "phoneNumber" : "+18662019834", "name" : "Jane Smith" },
      "from" : { "phoneNumber" : "+16504445566", "name" : "John Smith", "location" : "Palo Alto, CA" },
      "extension" : { "uri" : "https://x/extension/1477535004", "id" : 1477535004 },
      "transport" : "PSTN",
      "lastModifiedTime" : "2018-09-11T13:24:12.003Z",
      "billing" : { "costIncluded" : 0.000, "costPurchased" : 0.137 },
      "legs" : [ {
        "startTime" : "2018-09-11T13:24:09.000Z", "duration" : 7,
        "type" : "Voice", "direction" : "Inbound", "action" : "Phone Call", "result" : "Accepted",
        "extension" : { "uri" : "https://x/extension/1477535004", "id" : "1477535004" },
        "legType" : "Accept", "master" : true
      } ]
    }"#;

    #[test]
    fn reads_a_detailed_record() {
        let r: CallLogRecord = serde_json::from_str(DETAILED).unwrap();
        assert_eq!(r.id, "X2AvJPtwNQbNQA");
        assert_eq!(r.session_id.as_deref(), Some("4503991004"));
        assert_eq!(r.base.start_time, 1_536_672_249_000);
        assert_eq!(r.last_modified_time, Some(1_536_672_252_003));
        assert_eq!(r.base.r#type.as_deref(), Some("Voice"));
        assert_eq!(
            r.base.extension.as_ref().and_then(|e| e.id),
            Some(1_477_535_004)
        );
        let billing = r.base.billing.as_ref().unwrap();
        assert_eq!(billing.cost_included, Some(Money(0)));
        assert_eq!(billing.cost_purchased, Some(Money(137_000)));
        assert_eq!(r.legs.len(), 1);
        assert_eq!(r.legs[0].leg_type.as_deref(), Some("Accept"));
        assert_eq!(r.legs[0].master, Some(true));
        assert_eq!(
            r.legs[0].base.extension.as_ref().and_then(|e| e.id),
            Some(1_477_535_004)
        );
        assert!(r.extra.is_empty(), "{:?}", r.extra);
        assert!(r.unknown_fields().is_empty());
        assert!(r.legs[0].unknown_fields().is_empty());
    }

    #[test]
    fn keeps_unknown_fields_at_every_level() {
        let json = r#"{"id":"a","startTime":"2020-01-01T00:00:00Z","newTop":{"x":1},
            "from":{"name":"n","mood":"happy","device":{"id":7,"uri":"u","model":"T46"}},
            "billing":{"costIncluded":0.1,"currency":"USD"},
            "legs":[{"startTime":"2020-01-01T00:00:00Z","legType":"Accept","legNew":true,
                     "recording":{"id":"r","flag":1}}]}"#;
        let r: CallLogRecord = serde_json::from_str(json).unwrap();
        let unknown = serde_json::to_value(r.unknown_fields()).unwrap();
        assert_eq!(
            unknown,
            serde_json::json!({
                "newTop": {"x": 1},
                "from": {"mood": "happy", "device": {"model": "T46"}},
                "billing": {"currency": "USD"}
            })
        );
        assert_eq!(
            r.base
                .from
                .as_ref()
                .and_then(|f| f.device.as_ref())
                .and_then(|d| d.id.as_deref()),
            Some("7")
        );
        let leg_unknown = serde_json::to_value(r.legs[0].unknown_fields()).unwrap();
        assert_eq!(
            leg_unknown,
            serde_json::json!({"legNew": true, "recording": {"flag": 1}})
        );
    }

    #[test]
    fn minimal_record_and_lenient_ids() {
        let r: CallLogRecord =
            serde_json::from_str(r#"{"id":123,"startTime":"2013-06-03T15:16:58.000Z","message":{"id":401678422008,"type":"Fax"},"legs":null}"#)
                .unwrap();
        assert_eq!(r.id, "123");
        assert!(r.legs.is_empty());
        assert_eq!(
            r.base.message.as_ref().and_then(|m| m.id.as_deref()),
            Some("401678422008")
        );
        assert_eq!(r.session_id, None);
    }

    #[test]
    fn refuses_records_without_key_fields_or_with_bad_values() {
        for bad in [
            r#"{"startTime":"2013-06-03T15:16:58.000Z"}"#,
            r#"{"id":"a"}"#,
            r#"{"id":"a","startTime":"not a time"}"#,
            r#"{"id":"a","startTime":"2013-06-03T15:16:58Z","billing":{"costIncluded":"x"}}"#,
            r#"{"id":"a","startTime":"2013-06-03T15:16:58Z","duration":"long"}"#,
            r#"{"id":"a","startTime":"2013-06-03T15:16:58Z","legs":[{"legType":"Accept"}]}"#,
            r#"{"id":"a","startTime":"2013-06-03T15:16:58Z","lastModifiedTime":5}"#,
        ] {
            assert!(serde_json::from_str::<CallLogRecord>(bad).is_err(), "{bad}");
        }
    }
}
