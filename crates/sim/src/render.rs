//! JSON shapes as the real server sends them: field names and JSON types of docs/api.md §3,
//! absent fields omitted (never `null`), timestamps with milliseconds and `Z`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::account::Extension;
use crate::calls::{Billing, Call, Leg, Party};

/// Timestamp text as the API sends it: `2016-06-06T23:08:23.336Z` (docs/api.md §8).
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Where absolute URLs point: `http://host:port` and the numeric account id.
#[derive(Clone, Debug)]
pub(crate) struct Urls {
    pub base: String,
    pub account_id: i64,
}

impl Urls {
    fn account(&self) -> String {
        format!("{}/restapi/v1.0/account/{}", self.base, self.account_id)
    }

    pub fn extension(&self, id: i64) -> String {
        format!("{}/extension/{id}", self.account())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartyOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
}

impl<'a> From<&'a Party> for PartyOut<'a> {
    fn from(p: &'a Party) -> Self {
        Self {
            phone_number: p.phone_number.as_deref(),
            extension_number: p.extension_number.as_deref(),
            extension_id: p.extension_id.as_deref(),
            name: p.name.as_deref(),
            location: p.location,
        }
    }
}

#[derive(Serialize)]
struct ExtensionRef {
    uri: String,
    id: i64,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct RecordingOut {
    uri: String,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    content_uri: String,
}

#[derive(Serialize, Clone)]
struct MessageOut {
    uri: String,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct DelegateOut<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionRef<'a> {
    telephony_session_id: &'a str,
}

#[derive(Serialize)]
struct NewFeature {
    x: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LegOut<'a> {
    start_time: String,
    duration: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u64>,
    #[serde(rename = "type")]
    kind: &'a str,
    direction: &'a str,
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_description: Option<&'a str>,
    to: PartyOut<'a>,
    from: PartyOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension: Option<ExtensionRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recording: Option<RecordingOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<MessageOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing: Option<Billing>,
    telephony_session_id: &'a str,
    transport: &'a str,
    leg_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    master: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_leg_field: Option<&'static str>,
}

/// One call-log record. Detailed-only fields are `None` in the Simple view.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RecordOut<'a> {
    uri: String,
    id: &'a str,
    session_id: &'a str,
    telephony_session_id: &'a str,
    party_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sip_uuid_info: Option<&'a str>,
    start_time: String,
    duration: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u64>,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_type: Option<&'a str>,
    direction: &'a str,
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_description: Option<&'a str>,
    to: PartyOut<'a>,
    from: PartyOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension: Option<ExtensionRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recording: Option<RecordingOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_recording: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<MessageOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delegate: Option<DelegateOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delegation_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transfer_target: Option<SessionRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transferee: Option<SessionRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transport: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_modified_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing: Option<Billing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    legs: Option<Vec<LegOut<'a>>>,
    // Fields the spec does not know yet: clients must keep them, not fail (docs/api.md §3).
    #[serde(skip_serializing_if = "Option::is_none")]
    sip_trunk_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_feature: Option<NewFeature>,
}

fn recording_out(urls: &Urls, call: &Call) -> Option<RecordingOut> {
    call.recording.as_ref().map(|r| {
        let uri = format!("{}/recording/{}", urls.account(), r.id);
        RecordingOut {
            content_uri: format!("{uri}/content"),
            uri,
            id: r.id.clone(),
            kind: r.kind,
        }
    })
}

fn message_out(urls: &Urls, call: &Call) -> Option<MessageOut> {
    call.message.as_ref().map(|m| MessageOut {
        uri: format!("{}/message-store/{}", urls.extension(m.extension_id), m.id),
        id: m.id.clone(),
        kind: m.kind,
    })
}

fn leg_out<'a>(
    urls: &Urls,
    call: &'a Call,
    leg: &'a Leg,
    recording: &Option<RecordingOut>,
    message: &Option<MessageOut>,
) -> LegOut<'a> {
    LegOut {
        start_time: timestamp(leg.start),
        duration: leg.duration_ms / 1000,
        duration_ms: call.send_duration_ms.then_some(leg.duration_ms),
        kind: call.call_type,
        direction: leg.direction,
        action: leg.action,
        result: leg.result,
        reason: leg.reason.map(|r| r.0),
        reason_description: leg.reason.map(|r| r.1),
        to: (&leg.to).into(),
        from: (&leg.from).into(),
        extension: leg.extension_id.map(|id| ExtensionRef {
            uri: urls.extension(id),
            id,
        }),
        recording: if leg.with_recording {
            recording.clone()
        } else {
            None
        },
        message: if leg.with_message {
            message.clone()
        } else {
            None
        },
        billing: leg.billing,
        telephony_session_id: &call.telephony_session_id,
        transport: leg.transport,
        leg_type: leg.leg_type,
        // `master` appears only on the master leg (docs/api.md §3.2).
        master: leg.master.then_some(true),
        new_leg_field: leg.extra_field.then_some("v1"),
    }
}

/// A call-log record in the Simple or Detailed view.
pub(crate) fn record<'a>(
    urls: &Urls,
    id: &'a str,
    call: &'a Call,
    detailed: bool,
) -> RecordOut<'a> {
    let recording = recording_out(urls, call);
    let message = message_out(urls, call);
    let view = if detailed { "Detailed" } else { "Simple" };
    let legs = detailed.then(|| {
        call.legs
            .iter()
            .map(|l| leg_out(urls, call, l, &recording, &message))
            .collect()
    });
    RecordOut {
        uri: format!("{}/call-log/{id}?view={view}", urls.account()),
        id,
        session_id: &call.session_id,
        telephony_session_id: &call.telephony_session_id,
        party_id: &call.party_id,
        sip_uuid_info: call.sip_uuid_info.as_deref(),
        start_time: timestamp(call.start),
        duration: call.duration_ms / 1000,
        duration_ms: call.send_duration_ms.then_some(call.duration_ms),
        kind: call.call_type,
        internal_type: call.internal_type,
        direction: call.direction,
        action: call.action,
        result: call.result,
        reason: call.reason.map(|r| r.0),
        reason_description: call.reason.map(|r| r.1),
        to: (&call.to).into(),
        from: (&call.from).into(),
        extension: call.extension_id.map(|id| ExtensionRef {
            uri: urls.extension(id),
            id,
        }),
        recording,
        short_recording: call.short_recording.then_some(true),
        message,
        delegate: call
            .delegate
            .as_ref()
            .map(|(id, name, _)| DelegateOut { id, name }),
        delegation_type: call.delegate.as_ref().map(|d| d.2),
        transfer_target: call.transfer.as_ref().map(|t| SessionRef {
            telephony_session_id: &t.0,
        }),
        transferee: call.transfer.as_ref().map(|t| SessionRef {
            telephony_session_id: &t.1,
        }),
        deleted: call.deleted.then_some(true),
        transport: detailed.then_some(call.transport),
        last_modified_time: detailed.then(|| timestamp(call.last_modified)),
        billing: if detailed { call.billing } else { None },
        legs,
        sip_trunk_id: call
            .extra_fields
            .then(|| format!("st-{}", &call.session_id[..6.min(call.session_id.len())])),
        new_feature: call.extra_fields.then_some(NewFeature { x: 1 }),
    }
}

/// An extension-list record, shaped like samples/extension_list_perpage_max_sdkfixture.json.
pub(crate) fn extension(urls: &Urls, company: &str, e: &Extension) -> Value {
    let uri = urls.extension(e.id);
    let mut contact = serde_json::Map::new();
    contact.insert("firstName".into(), json!(e.first_name));
    if let Some(last) = &e.last_name {
        contact.insert("lastName".into(), json!(last));
    }
    contact.insert("company".into(), json!(company));
    contact.insert("email".into(), json!(e.email));
    if let Some(phone) = &e.direct_number {
        contact.insert("businessPhone".into(), json!(phone));
    }
    contact.insert("emailAsLoginName".into(), json!(true));
    contact.insert(
        "pronouncedName".into(),
        json!({ "type": "TextToSpeech", "text": e.name }),
    );
    let mut rec = serde_json::Map::new();
    rec.insert("uri".into(), json!(uri));
    rec.insert("id".into(), json!(e.id));
    if let Some(n) = &e.number {
        rec.insert("extensionNumber".into(), json!(n));
    }
    rec.insert("contact".into(), Value::Object(contact));
    rec.insert("name".into(), json!(e.name));
    rec.insert("type".into(), json!(e.kind));
    rec.insert("status".into(), json!(e.status));
    rec.insert(
        "permissions".into(),
        json!({
            "admin": { "enabled": e.admin },
            "internationalCalling": { "enabled": e.international },
        }),
    );
    rec.insert(
        "profileImage".into(),
        json!({ "uri": format!("{uri}/profile-image") }),
    );
    Value::Object(rec)
}

/// The answer of `GET /restapi/v1.0/account/~` (spec `GetAccountInfoResponse`), with the
/// configured time zone and currency.
pub(crate) fn account_info(urls: &Urls, acc: &crate::truth::TruthAccount) -> Value {
    // RingCentral's ids, descriptions and biases of a few zones; others get the name.
    let (tz_id, tz_description, bias) = match acc.time_zone.as_str() {
        "America/New_York" => ("58", "Eastern Time (US & Canada)", "-05:00"),
        "America/Chicago" => ("59", "Central Time (US & Canada)", "-06:00"),
        "America/Denver" => ("60", "Mountain Time (US & Canada)", "-07:00"),
        "America/Los_Angeles" => ("62", "Pacific Time (US & Canada)", "-08:00"),
        "Europe/London" => ("28", "Dublin, Edinburgh, Lisbon, London", "00:00"),
        "Europe/Paris" => ("31", "Brussels, Copenhagen, Madrid, Paris", "+01:00"),
        other => ("1", other, "00:00"),
    };
    let (currency_id, currency_name, symbol, minor) = match acc.currency.as_str() {
        "USD" => (1, "US Dollar", "$", "¢"),
        "EUR" => (4, "Euro", "€", "c"),
        "GBP" => (3, "Pound Sterling", "£", "p"),
        other => (0, other, other, ""),
    };
    let en_us = json!({"id": "1033", "localeCode": "en-US", "name": "English (United States)"});
    json!({
        "uri": urls.account(),
        "id": acc.id,
        "serviceInfo": {
            "uri": format!("{}/service-info", urls.account()),
            "brand": {"id": "1210", "name": "RingCentral", "homeCountry": {"id": "1", "uri": format!("{}/restapi/v1.0/dictionary/country/1", urls.base)}},
            "servicePlan": {"id": "19009", "name": "RingCentral MVP Premium", "edition": "Premium", "freemiumProductType": "Freyja"},
            "billingPlan": {"id": "2", "name": "Monthly-109.98-Premium 5", "durationUnit": "Month", "duration": 1, "type": "Regular", "includedPhoneLines": 5}
        },
        "operator": {
            "uri": urls.extension(acc.id),
            "id": acc.id,
            "extensionNumber": "101"
        },
        "mainNumber": acc.main_number,
        "status": "Confirmed",
        "setupWizardState": "Completed",
        "signupInfo": {"tosAccepted": true, "signupState": ["AccountConfirmed"], "marketingAccepted": false},
        "regionalSettings": {
            "homeCountry": {
                "id": "1",
                "uri": format!("{}/restapi/v1.0/dictionary/country/1", urls.base),
                "name": "United States",
                "isoCode": "US",
                "callingCode": "1"
            },
            "timezone": {
                "id": tz_id,
                "uri": format!("{}/restapi/v1.0/dictionary/timezone/{tz_id}", urls.base),
                "name": acc.time_zone,
                "description": tz_description,
                "bias": bias
            },
            "language": en_us,
            "greetingLanguage": en_us,
            "formattingLocale": en_us,
            "timeFormat": "12h",
            "currency": {
                "id": currency_id,
                "code": acc.currency,
                "name": currency_name,
                "symbol": symbol,
                "minorSymbol": minor
            }
        },
        "federated": false,
        "limits": {"freeSoftPhoneLinesPerExtension": 1, "meetingSize": 100, "maxMonitoredExtensionsPerUser": 100, "maxExtensionNumberLength": 5, "siteCodeLength": 0, "shortExtensionNumberLength": 3}
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamp_format() {
        let t = Utc.with_ymd_and_hms(2016, 6, 6, 23, 8, 23).unwrap()
            + chrono::Duration::milliseconds(336);
        assert_eq!(timestamp(t), "2016-06-06T23:08:23.336Z");
        let t = Utc.with_ymd_and_hms(2016, 6, 6, 0, 0, 0).unwrap();
        assert_eq!(timestamp(t), "2016-06-06T00:00:00.000Z");
    }
}
