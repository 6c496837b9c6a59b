//! The account itself: the answer of `GET /restapi/v1.0/account/~` (docs/api.md §1.10;
//! spec schema `GetAccountInfoResponse`, with `AccountRegionalSettings`, `TimezoneInfoBase`,
//! `CurrencyInfo`, `CountryInfoShortModel` and the language objects).
//!
//! Same rules as the other records: every field an `Option`, enums as strings, unknown
//! fields kept in `extra` on every typed object, int64 ids (`id`, `operator.id`,
//! `currency.id`) read exactly, ids the spec types as strings kept as strings (a number is
//! read as its digits). The objects ringlake keeps whole (`serviceInfo`, `signupInfo`,
//! `statusInfo`, `limits`) stay JSON values. Read once per run, so strings are plain
//! `String`s.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::message::opt_i32_lenient;
use crate::values::{opt_i64_lenient, opt_string_or_number};

/// The account of the token's user (spec `GetAccountInfoResponse`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRecord {
    /// int64; equals the id of the account's system extension.
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub id: Option<i64>,
    /// API link to the account (`…/restapi/v1.0/account/{id}`).
    #[serde(default)]
    pub uri: Option<String>,
    /// Id of the account in the billing system.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub bsid: Option<String>,
    /// `mainNumber`: the company's main phone number.
    #[serde(default)]
    pub main_number: Option<String>,
    /// `operator`: the extension that answers the main number.
    #[serde(default)]
    pub operator: Option<AccountOperatorInfo>,
    /// `partnerId`: the account's id on a partner's side (resold brands), as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub partner_id: Option<String>,
    /// Brand, service plan, billing plan (spec `ServiceInfo`), kept whole.
    #[serde(default)]
    pub service_info: Option<Value>,
    /// `NotStarted` | `Incomplete` | `Completed` | `Unknown`.
    #[serde(default)]
    pub setup_wizard_state: Option<String>,
    /// Spec `SignupInfoResource`, kept whole.
    #[serde(default)]
    pub signup_info: Option<Value>,
    /// `Initial` | `Unconfirmed` | `Confirmed` | `Disabled`.
    #[serde(default)]
    pub status: Option<String>,
    /// Spec `AccountStatusInfo`, kept whole.
    #[serde(default)]
    pub status_info: Option<Value>,
    /// `regionalSettings`: home country, time zone, languages and currency; the currency is the
    /// only one the API gives for call-log `billing` (docs/api.md §1.10).
    #[serde(default)]
    pub regional_settings: Option<AccountRegionalSettings>,
    /// Whether the account is part of a federation of accounts.
    #[serde(default)]
    pub federated: Option<bool>,
    /// The digit dialled before outbound numbers (2–9), when set.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub outbound_call_prefix: Option<i32>,
    /// Customer-facing id (accounts without PBX features).
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub cfid: Option<String>,
    /// Spec `AccountLimitsInfo`, kept whole.
    #[serde(default)]
    pub limits: Option<Value>,
    /// Fields the spec does not define, as sent (nested objects keep their own; see
    /// [`AccountRecord::unknown_fields`]).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AccountRecord {
    /// The fields with no typed home: the record's own `extra`, and under their parent's
    /// key those of each typed object (`regionalSettings` with its own objects' under
    /// theirs).
    pub fn unknown_fields(&self) -> Map<String, Value> {
        let mut out = self.extra.clone();
        if let Some(o) = &self.operator {
            put(&mut out, "operator", o.extra.clone());
        }
        if let Some(rs) = &self.regional_settings {
            let mut inner = rs.extra.clone();
            let nested = [
                ("homeCountry", rs.home_country.as_ref().map(|c| &c.extra)),
                ("timezone", rs.timezone.as_ref().map(|t| &t.extra)),
                ("language", rs.language.as_ref().map(|l| &l.extra)),
                (
                    "greetingLanguage",
                    rs.greeting_language.as_ref().map(|l| &l.extra),
                ),
                (
                    "formattingLocale",
                    rs.formatting_locale.as_ref().map(|l| &l.extra),
                ),
                ("currency", rs.currency.as_ref().map(|c| &c.extra)),
            ];
            for (key, extra) in nested {
                if let Some(extra) = extra {
                    put(&mut inner, key, extra.clone());
                }
            }
            put(&mut out, "regionalSettings", inner);
        }
        out
    }
}

/// Puts `extra` under `key` when it holds anything.
fn put(out: &mut Map<String, Value>, key: &str, extra: Map<String, Value>) {
    if !extra.is_empty() {
        out.insert(key.to_owned(), Value::Object(extra));
    }
}

/// `operator` (spec `AccountOperatorInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountOperatorInfo {
    /// int64 id of the operator extension.
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub id: Option<i64>,
    /// API link to the operator extension.
    #[serde(default)]
    pub uri: Option<String>,
    /// Short internal number of the operator extension, e.g. `0`.
    #[serde(default)]
    pub extension_number: Option<String>,
    /// The operator's id on a partner's side, as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub partner_id: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `regionalSettings` (spec `AccountRegionalSettings`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRegionalSettings {
    /// `homeCountry`: the account's country.
    #[serde(default)]
    pub home_country: Option<CountryInfo>,
    /// The account's time zone.
    #[serde(default)]
    pub timezone: Option<TimezoneInfo>,
    /// Language of the user interface.
    #[serde(default)]
    pub language: Option<LanguageInfo>,
    /// `greetingLanguage`: language of the prompts callers hear.
    #[serde(default)]
    pub greeting_language: Option<LanguageInfo>,
    /// `formattingLocale`: locale of dates and numbers.
    #[serde(default)]
    pub formatting_locale: Option<LanguageInfo>,
    /// `12h` | `24h`.
    #[serde(default)]
    pub time_format: Option<String>,
    /// The account's currency (docs/api.md §1.10).
    #[serde(default)]
    pub currency: Option<CurrencyInfo>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `homeCountry` (spec `CountryInfoShortModel`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountryInfo {
    /// Country id as a string, e.g. `1` for the US.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// API link to the country.
    #[serde(default)]
    pub uri: Option<String>,
    /// English name, e.g. `United States`.
    #[serde(default)]
    pub name: Option<String>,
    /// ISO 3166 alpha-2, e.g. `US`.
    #[serde(default)]
    pub iso_code: Option<String>,
    /// E.164 country calling code, e.g. `1`.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub calling_code: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `timezone` (spec `TimezoneInfoBase`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimezoneInfo {
    /// Time zone id, as a string (RingCentral's numbering, not IANA).
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// API link to the time zone.
    #[serde(default)]
    pub uri: Option<String>,
    /// IANA name, e.g. `America/New_York`.
    #[serde(default)]
    pub name: Option<String>,
    /// Human description, e.g. `Eastern Time`.
    #[serde(default)]
    pub description: Option<String>,
    /// Offset from UTC as RingCentral spells it, e.g. `-05:00`.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub bias: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `language`, `greetingLanguage`, `formattingLocale` (spec `RegionalLanguageInfo` and its
/// two twins, which have the same fields).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LanguageInfo {
    /// Language id, as a string (RingCentral's numbering), e.g. `1033`.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// e.g. `en-US`.
    #[serde(default)]
    pub locale_code: Option<String>,
    /// English name, e.g. `English (United States)`.
    #[serde(default)]
    pub name: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `currency` (spec `CurrencyInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyInfo {
    /// int64 currency id (RingCentral's numbering).
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub id: Option<i64>,
    /// ISO 4217, e.g. `USD`.
    #[serde(default)]
    pub code: Option<String>,
    /// English name, e.g. `US Dollar`.
    #[serde(default)]
    pub name: Option<String>,
    /// Symbol, e.g. `$`.
    #[serde(default)]
    pub symbol: Option<String>,
    /// `minorSymbol`: symbol of the minor unit, e.g. `¢`.
    #[serde(default)]
    pub minor_symbol: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn reads_the_regional_settings_and_keeps_the_rest() {
        let a: AccountRecord = serde_json::from_str(
            r#"{"id":9007199254740993,"bsid":1234,"status":"Confirmed","newThing":1,
                "serviceInfo":{"brand":{"name":"RingCentral"}},
                "regionalSettings":{"timezone":{"id":"58","name":"America/New_York","bias":"-05:00"},
                  "currency":{"id":1,"code":"USD","symbol":"$","x":true},
                  "homeCountry":{"id":1,"isoCode":"US","callingCode":"1"}}}"#,
        )
        .unwrap();
        assert_eq!(a.id, Some(9_007_199_254_740_993));
        assert_eq!(a.bsid.as_deref(), Some("1234"));
        assert_eq!(
            serde_json::Value::Object(a.unknown_fields()),
            serde_json::json!({"newThing": 1, "regionalSettings": {"currency": {"x": true}}})
        );
        let rs = a.regional_settings.unwrap();
        assert_eq!(
            rs.timezone.unwrap().name.as_deref(),
            Some("America/New_York")
        );
        let cur = rs.currency.unwrap();
        assert_eq!((cur.id, cur.code.as_deref()), (Some(1), Some("USD")));
        assert!(cur.extra.contains_key("x"));
        assert_eq!(rs.home_country.unwrap().id.as_deref(), Some("1"));
        assert!(a.extra.contains_key("newThing"));
        assert!(a.service_info.is_some());
        assert!(serde_json::from_str::<AccountRecord>("[1]").is_err());
    }
}
