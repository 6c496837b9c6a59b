//! Call-log records (docs/api.md §3.1–3.3; spec schemas `CallLogRecord`,
//! `BaseCallLogRecord`, `CallLogRecordLegInfo` and the objects they hold).
//!
//! Every field of the spec has a field here. The API omits absent values instead of
//! sending `null`, grows enums over time and adds fields, so (docs/api.md §3):
//! - every field is an `Option` except the record's `id` and `startTime`, without which a
//!   row cannot be keyed or partitioned. The spec also marks `uri`, `sessionId`, `type`,
//!   `direction`, `action` (and nested ids) required, but real payloads lack some of them
//!   (the 2013 sync sample has no `sessionId`), and one missing string must not cost the
//!   whole record;
//! - enums are plain text (open sets); strings are [`Text`], inline when short;
//! - nested objects that most records lack (`recording`, `billing`, `device`, …) are boxed:
//!   an absent one then takes a pointer's room in the record, not its whole size;
//! - unknown fields are kept in an `extra` map on every object, so nothing is dropped;
//! - scalars are read leniently and exactly by the readers of the `values` module
//!   (re-exported at the crate root).

use serde_json::{Map, Value};

use crate::open::open_object;
use crate::values::{
    Money, Text, null_as_default, opt_i64_lenient, opt_string_or_number, opt_timestamp_ms,
    string_or_number, timestamp_ms,
};

open_object! {
    /// One call-log record (list, by-id, sync and active-calls endpoints all return these).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogRecord {
        /// Opaque string id (`"IVWtSyis720zMEA"`); a number is read as its digits.
        required(1) "id" => id: Text | string_or_number,
        /// Canonical link to this record; carries `?view=Simple|Detailed` (docs/api.md §3.1).
        "uri" => uri: Option<Text>,
        /// `sessionId`: digits as a string; groups the records of one call. Absent in some old
        /// sync payloads, hence optional.
        "sessionId" => session_id: Option<Text> | opt_string_or_number,
        /// Sent only for deleted records (`showDeleted`, ISync).
        "deleted" => deleted: Option<bool>,
        /// Detailed view only; empty when absent.
        "legs" => legs: Vec<CallLogRecordLegInfo> | null_as_default,
        /// Milliseconds since the epoch, UTC.
        "lastModifiedTime" => last_modified_time: Option<i64> | opt_timestamp_ms,
        base base: BaseCallLogRecord,
        extra,
    }
}

open_object! {
    /// One leg of a Detailed record (docs/api.md §3.2): the base fields plus `legType` and
    /// `master`. Legs have no `id`, `uri` or `sessionId`.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogRecordLegInfo {
        /// `CallLegTypeEnum` (spec: required).
        "legType" => leg_type: Option<Text>,
        /// May be sent only on the master leg, so absent means "not master".
        "master" => master: Option<bool>,
        base base: BaseCallLogRecord,
        extra,
    }
}

open_object! {
    /// The fields records and legs share (spec `BaseCallLogRecord`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct BaseCallLogRecord {
        /// `extension`: the extension that owns the record (absent on some company-level records).
        "extension" => extension: Option<ExtensionInfoCallLog>,
        /// `telephonySessionId` (`s-…`, also `z-…`): the telephony session, shared by the legs of a
        /// call across extensions.
        "telephonySessionId" => telephony_session_id: Option<Text>,
        /// `sipUuidInfo`: SIP call id of the session, as sent.
        "sipUuidInfo" => sip_uuid_info: Option<Text>,
        /// `transferTarget`: the session this call was transferred to.
        "transferTarget" => transfer_target: Option<Box<TransferSessionInfo>>,
        /// `transferee`: the session that was transferred into this call.
        "transferee" => transferee: Option<Box<TransferSessionInfo>>,
        /// `partyId`: the party of the telephony session this record stands for.
        "partyId" => party_id: Option<Text> | opt_string_or_number,
        /// `metadataCategories`, e.g. `["Unknown"]`; `None` when the key is absent.
        "metadataCategories" => metadata_categories: Option<Vec<String>>,
        /// `PSTN` | `VoIP`.
        "transport" => transport: Option<Text>,
        /// The calling party.
        "from" => from: Option<CallLogFromParty>,
        /// The called party.
        "to" => to: Option<CallLogToParty>,
        /// `Voice` | `Fax`.
        "type" => r#type: Option<Text>,
        /// `Inbound` | `Outbound`.
        "direction" => direction: Option<Text>,
        /// `message`: the fax or voicemail this call left in the message store.
        "message" => message: Option<Box<CallLogRecordMessage>>,
        /// `delegate`: the extension that acted on behalf of the owner (delegated lines).
        "delegate" => delegate: Option<Box<CallLogDelegateInfo>>,
        /// `Coworker` | `QueueForwarding` | `Unknown`.
        "delegationType" => delegation_type: Option<Text>,
        /// `CallActionEnum`.
        "action" => action: Option<Text>,
        /// `CallResultEnum`.
        "result" => result: Option<Text>,
        /// `CallResultReasonEnum`.
        "reason" => reason: Option<Text>,
        /// `reasonDescription`: free text that explains `reason`.
        "reasonDescription" => reason_description: Option<Text>,
        /// Milliseconds since the epoch, UTC. Required: it is the partition key.
        required(2) "startTime" => start_time: i64 | timestamp_ms,
        /// Seconds.
        "duration" => duration: Option<i64> | opt_i64_lenient,
        /// Milliseconds; newer than `duration` and not always sent.
        "durationMs" => duration_ms: Option<i64> | opt_i64_lenient,
        /// `recording`: present when the call was recorded (docs/api.md §1.6).
        "recording" => recording: Option<Box<CallLogRecordingInfo>>,
        /// Sent only when `true`.
        "shortRecording" => short_recording: Option<bool>,
        /// `billing`: the call's costs, in the account's currency (docs/api.md §1.10, §8).
        "billing" => billing: Option<Box<BillingInfo>>,
        /// `CallInternalTypeEnum`.
        "internalType" => internal_type: Option<Text>,
        /// `finished`: whether the call had ended when the record was read (active calls).
        "finished" => finished: Option<bool>,
    }
}

open_object! {
    /// `extension`: the owner extension. Its id is an int64 (unlike `from.extensionId`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ExtensionInfoCallLog {
        /// int64 id of the extension (`"1477535004"` is read as its digits).
        "id" => id: Option<i64> | opt_i64_lenient,
        /// API link to the extension.
        "uri" => uri: Option<Text>,
        extra,
    }
}

open_object! {
    /// `transferTarget` / `transferee` (warm transfer).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TransferSessionInfo {
        /// The other session's `telephonySessionId`.
        "telephonySessionId" => telephony_session_id: Option<Text>,
        extra,
    }
}

open_object! {
    /// `from` (spec `CallLogFromParty`). Any subset of fields may be present (docs/api.md §3.3).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogFromParty {
        /// Usually E.164 (`+16504445566`); old data may lack the `+` or be formatted.
        "phoneNumber" => phone_number: Option<Text>,
        /// Short internal number of the extension, e.g. `101`.
        "extensionNumber" => extension_number: Option<Text>,
        /// Id of the extension as a **string** (unlike `extension.id`); a number is read as its digits.
        "extensionId" => extension_id: Option<Text> | opt_string_or_number,
        /// Display name; for outside numbers the caller-ID text as sent, padding spaces included.
        "name" => name: Option<Text>,
        /// Caller-ID location, e.g. `Palo Alto, CA`.
        "location" => location: Option<Text>,
        /// The phone or app that placed the call.
        "device" => device: Option<Box<CallLogRecordDeviceInfo>>,
        /// `dialerPhoneNumber`: the number as the caller dialled it.
        "dialerPhoneNumber" => dialer_phone_number: Option<Text>,
        extra,
    }
}

open_object! {
    /// `to` (spec `CallLogToParty`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogToParty {
        /// Usually E.164 (`+18662019834`); old data may lack the `+` or be formatted.
        "phoneNumber" => phone_number: Option<Text>,
        /// Short internal number of the extension, e.g. `101`.
        "extensionNumber" => extension_number: Option<Text>,
        /// Id of the extension as a **string** (unlike `extension.id`); a number is read as its digits.
        "extensionId" => extension_id: Option<Text> | opt_string_or_number,
        /// Display name; for outside numbers the caller-ID text as sent.
        "name" => name: Option<Text>,
        /// Caller-ID location of the called number.
        "location" => location: Option<Text>,
        /// The phone or app that took the call.
        "device" => device: Option<Box<CallLogRecordDeviceInfo>>,
        /// `dialedPhoneNumber`: the number as the caller dialled it, before any forwarding.
        "dialedPhoneNumber" => dialed_phone_number: Option<Text>,
        extra,
    }
}

open_object! {
    /// `from.device` / `to.device`.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogRecordDeviceInfo {
        /// Device id as a string; a number is read as its digits.
        "id" => id: Option<Text> | opt_string_or_number,
        /// API link to the device.
        "uri" => uri: Option<Text>,
        extra,
    }
}

open_object! {
    /// `billing`: per-call costs, exact decimals. The spec gives no currency: a `currency` key
    /// would land in `extra`.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct BillingInfo {
        /// `costIncluded`: cost covered by the plan, exact (e.g. `0.000`).
        "costIncluded" => cost_included: Option<Money>,
        /// `costPurchased`: cost charged beyond the plan, exact (e.g. `0.137`).
        "costPurchased" => cost_purchased: Option<Money>,
        extra,
    }
}

open_object! {
    /// `recording` (spec `CallLogRecordingInfo`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogRecordingInfo {
        /// Recording id, a string; the key of `/recording/{id}` (docs/api.md §1.6).
        "id" => id: Option<Text> | opt_string_or_number,
        /// API link to the recording's metadata.
        "uri" => uri: Option<Text>,
        /// `Automatic` | `OnDemand`.
        "type" => r#type: Option<Text>,
        /// `contentUri`: the audio's link on the media host.
        "contentUri" => content_uri: Option<Text>,
        extra,
    }
}

open_object! {
    /// `message`: the linked fax or voicemail. Its id is a string here, unlike the message
    /// store's integer ids (docs/api.md §8).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogRecordMessage {
        /// Message id as a string; a number is read as its digits.
        "id" => id: Option<Text> | opt_string_or_number,
        /// Message type, e.g. `Fax` or `VoiceMail`.
        "type" => r#type: Option<Text>,
        /// API link to the message-store item.
        "uri" => uri: Option<Text>,
        extra,
    }
}

open_object! {
    /// `delegate`: the secretary extension that acted for the boss.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CallLogDelegateInfo {
        /// Id of the delegate extension, as a string.
        "id" => id: Option<Text> | opt_string_or_number,
        /// Display name of the delegate extension.
        "name" => name: Option<Text>,
        extra,
    }
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
