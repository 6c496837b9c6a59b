//! Extension-list records (docs/api.md §1.7, §3.5; spec schema `GetExtensionListInfoResponse`
//! and the objects it holds: `ContactInfo`, `ContactBusinessAddressInfo`,
//! `PronouncedNameInfo`, `ExtensionPermissions`, `ProfileImageInfo`, `ReferenceInfo`,
//! `CallQueueExtensionInfo`, `Roles`, `ProvisioningSiteInfo`, `AssignedCountryInfo`,
//! `CostCenterInfo`).
//!
//! Same rules as the other records: every field an `Option`, enums as strings, unknown
//! fields kept in `extra` on every object, `id` read exactly as an int64. The list items
//! (`references`, `roles`, `profileImage.scales`) are serializable because the transform
//! keeps them as JSON text.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::message::opt_i32_lenient;
use crate::values::{opt_i64_lenient, opt_string_or_number, opt_timestamp_ms};

/// One record of the extension list.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionRecord {
    /// int64 (docs/api.md §8). The account's system extension id equals the account id.
    #[serde(default, deserialize_with = "opt_i64_lenient")]
    pub id: Option<i64>,
    /// API link to the extension.
    #[serde(default)]
    pub uri: Option<String>,
    /// `contact`: the person or queue behind the extension (names, email, phones, address).
    #[serde(default)]
    pub contact: Option<ContactInfo>,
    /// Absent for unassigned extensions.
    #[serde(default)]
    pub extension_number: Option<String>,
    /// Display name (≤ 129 characters); possibly absent (unconfirmed).
    #[serde(default)]
    pub name: Option<String>,
    /// `permissions`: admin and international-calling flags.
    #[serde(default)]
    pub permissions: Option<ExtensionPermissions>,
    /// `profileImage`: the avatar's link and sizes.
    #[serde(default)]
    pub profile_image: Option<ProfileImageInfo>,
    /// `partnerId`: the extension's id on a partner's side (resold brands).
    #[serde(default)]
    pub partner_id: Option<String>,
    /// `references`: ids of the extension in outside systems; kept as JSON text by the transform.
    #[serde(default)]
    pub references: Option<Vec<ReferenceInfo>>,
    /// `ExtensionStatusEnumFull`.
    #[serde(default)]
    pub status: Option<String>,
    /// `AllExtensionTypesEnum`.
    #[serde(default)]
    pub r#type: Option<String>,
    /// `AllExtensionSubtypesEnum`.
    #[serde(default)]
    pub sub_type: Option<String>,
    /// `callQueueInfo`: service-level settings, call queues only.
    #[serde(default)]
    pub call_queue_info: Option<CallQueueExtensionInfo>,
    /// Whether the extension is hidden from the company directory.
    #[serde(default)]
    pub hidden: Option<bool>,
    /// `roles`: the user roles assigned; kept as JSON text by the transform.
    #[serde(default)]
    pub roles: Option<Vec<RoleInfo>>,
    /// `site`: the site (office) the extension belongs to; `main-site` when there is one.
    #[serde(default)]
    pub site: Option<SiteInfo>,
    /// `assignedCountry`: the country the extension is assigned to.
    #[serde(default)]
    pub assigned_country: Option<AssignedCountryInfo>,
    /// `costCenter`: the cost center billed for the extension.
    #[serde(default)]
    pub cost_center: Option<CostCenterInfo>,
    /// Milliseconds since the epoch, UTC.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub creation_time: Option<i64>,
    /// Seconds (`CallQueueAlertTimerEnum`, an integer enum).
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub alert_timer: Option<i32>,
    /// Fields the spec does not define, as sent (nested objects keep their own; see
    /// [`ExtensionRecord::unknown_fields`]).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contact` (spec `ContactInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInfo {
    /// `firstName`.
    #[serde(default)]
    pub first_name: Option<String>,
    /// `lastName`.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Full display name, e.g. for call queues that have no first or last name.
    #[serde(default)]
    pub name: Option<String>,
    /// Company name.
    #[serde(default)]
    pub company: Option<String>,
    /// `jobTitle`.
    #[serde(default)]
    pub job_title: Option<String>,
    /// Email address; also the login name when `email_as_login_name` is true.
    #[serde(default)]
    pub email: Option<String>,
    /// `businessPhone`, usually E.164.
    #[serde(default)]
    pub business_phone: Option<String>,
    /// `mobilePhone`, usually E.164.
    #[serde(default)]
    pub mobile_phone: Option<String>,
    /// `businessAddress`: postal address of the office.
    #[serde(default)]
    pub business_address: Option<BusinessAddressInfo>,
    /// `emailAsLoginName`: whether the user signs in with the email address.
    #[serde(default)]
    pub email_as_login_name: Option<bool>,
    /// `pronouncedName`: how the name is spoken to callers.
    #[serde(default)]
    pub pronounced_name: Option<PronouncedNameInfo>,
    /// Department, free text.
    #[serde(default)]
    pub department: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contact.businessAddress` (spec `ContactBusinessAddressInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessAddressInfo {
    /// Country name as entered, e.g. `United States`.
    #[serde(default)]
    pub country: Option<String>,
    /// State or province.
    #[serde(default)]
    pub state: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Street line.
    #[serde(default)]
    pub street: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub zip: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contact.pronouncedName` (spec `PronouncedNameInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PronouncedNameInfo {
    /// `Default` | `TextToSpeech` | `Recorded`.
    #[serde(default)]
    pub r#type: Option<String>,
    /// Text read by text-to-speech when `type` is `TextToSpeech`.
    #[serde(default)]
    pub text: Option<String>,
    /// The recorded name, when `type` is `Recorded`.
    #[serde(default)]
    pub prompt: Option<PronouncedNamePromptInfo>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contact.pronouncedName.prompt` (spec `PronouncedNamePromptInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PronouncedNamePromptInfo {
    /// Prompt id, as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// `contentUri`: link to the recorded audio.
    #[serde(default)]
    pub content_uri: Option<String>,
    /// `contentType`, e.g. `audio/wav`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `permissions` (spec `ExtensionPermissions`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionPermissions {
    /// Whether the user has account-admin rights.
    #[serde(default)]
    pub admin: Option<PermissionInfo>,
    /// `internationalCalling`: whether the extension may call abroad.
    #[serde(default)]
    pub international_calling: Option<PermissionInfo>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `permissions.admin` / `permissions.internationalCalling`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionInfo {
    /// The permission's state; `None` when the server left it out.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `profileImage` (spec `ProfileImageInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileImageInfo {
    /// Link to the default-size image.
    #[serde(default)]
    pub uri: Option<String>,
    /// HTTP entity tag of the image, for conditional downloads.
    #[serde(default)]
    pub etag: Option<String>,
    /// `lastModified`: milliseconds since the epoch, UTC.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub last_modified: Option<i64>,
    /// `contentType`, e.g. `image/png`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Links to the other sizes of the image.
    #[serde(default)]
    pub scales: Option<Vec<ProfileImageScale>>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `profileImage.scales[]` (spec `ProfileImageInfoURI`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileImageScale {
    /// Link to the image at this size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Fields the spec does not define, as sent (e.g. the size); kept in the JSON text.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `references[]` (spec `ReferenceInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceInfo {
    /// The id in the outside system.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub r#ref: Option<String>,
    /// `PartnerId` | `CustomerDirectoryId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// `refAccId`: the account the reference belongs to, as a string.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub ref_acc_id: Option<String>,
    /// Fields the spec does not define, as sent; kept in the JSON text.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `callQueueInfo` (spec `CallQueueExtensionInfo`), call queues only.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallQueueExtensionInfo {
    /// Percent.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub sla_goal: Option<i32>,
    /// `slaThresholdSeconds`: seconds within which a call must be answered to count toward
    /// `sla_goal`.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub sla_threshold_seconds: Option<i32>,
    /// `includeAbandonedCalls`: whether abandoned calls count against the SLA.
    #[serde(default)]
    pub include_abandoned_calls: Option<bool>,
    /// `abandonedThresholdSeconds`: calls abandoned sooner than this many seconds are not
    /// counted.
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub abandoned_threshold_seconds: Option<i32>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `roles[]` (spec `Roles`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleInfo {
    /// API link to the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Role id, as a string.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `autoAssigned`: whether the role comes from the default assignment, not an admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_assigned: Option<bool>,
    /// `displayName`, e.g. `Super Admin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `siteCompatible`: whether the role can be scoped to a site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_compatible: Option<bool>,
    /// `siteRestricted`: whether the role is limited to the extension's site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_restricted: Option<bool>,
    /// Fields the spec does not define, as sent; kept in the JSON text.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `site` (spec `ProvisioningSiteInfo`); `id` may be `main-site`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteInfo {
    /// Site id, as a string; `main-site` for the account's main site.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// API link to the site.
    #[serde(default)]
    pub uri: Option<String>,
    /// Site name.
    #[serde(default)]
    pub name: Option<String>,
    /// Site code, the short prefix of the site's extension numbers.
    #[serde(default)]
    pub code: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `assignedCountry` (spec `AssignedCountryInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedCountryInfo {
    /// Country id, as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// API link to the country.
    #[serde(default)]
    pub uri: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub iso_code: Option<String>,
    /// English name, e.g. `United States`.
    #[serde(default)]
    pub name: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `costCenter` (spec `CostCenterInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostCenterInfo {
    /// Cost-center id, as a string.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    /// Cost-center name.
    #[serde(default)]
    pub name: Option<String>,
    /// Fields the spec does not define, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ExtensionRecord {
    /// Every field the spec does not define, at the place it was found (nested objects'
    /// unknown keys under their parent's API name). The items of `references`, `roles` and
    /// `profileImage.scales` keep theirs inside their JSON text.
    pub fn unknown_fields(&self) -> Map<String, Value> {
        fn nest(m: &mut Map<String, Value>, key: &str, extra: Map<String, Value>) {
            if !extra.is_empty() {
                m.insert(key.to_owned(), Value::Object(extra));
            }
        }
        let mut out = self.extra.clone();
        if let Some(c) = &self.contact {
            let mut m = c.extra.clone();
            if let Some(a) = &c.business_address {
                nest(&mut m, "businessAddress", a.extra.clone());
            }
            if let Some(p) = &c.pronounced_name {
                let mut pm = p.extra.clone();
                if let Some(pr) = &p.prompt {
                    nest(&mut pm, "prompt", pr.extra.clone());
                }
                nest(&mut m, "pronouncedName", pm);
            }
            nest(&mut out, "contact", m);
        }
        if let Some(p) = &self.permissions {
            let mut m = p.extra.clone();
            if let Some(a) = &p.admin {
                nest(&mut m, "admin", a.extra.clone());
            }
            if let Some(i) = &p.international_calling {
                nest(&mut m, "internationalCalling", i.extra.clone());
            }
            nest(&mut out, "permissions", m);
        }
        if let Some(p) = &self.profile_image {
            nest(&mut out, "profileImage", p.extra.clone());
        }
        if let Some(q) = &self.call_queue_info {
            nest(&mut out, "callQueueInfo", q.extra.clone());
        }
        if let Some(s) = &self.site {
            nest(&mut out, "site", s.extra.clone());
        }
        if let Some(a) = &self.assigned_country {
            nest(&mut out, "assignedCountry", a.extra.clone());
        }
        if let Some(c) = &self.cost_center {
            nest(&mut out, "costCenter", c.extra.clone());
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn reads_every_nested_object_and_keeps_unknown_fields() {
        let json = r#"{
          "id": "208594004", "uri": "u", "extensionNumber": "101", "name": "N", "type": "User",
          "subType": "Unknown", "status": "Enabled", "hidden": false, "partnerId": "p",
          "contact": {"firstName": "A", "email": "a@x", "emailAsLoginName": true, "nick": "z",
                      "businessAddress": {"city": "Belmont", "planet": "Earth"},
                      "pronouncedName": {"type": "Recorded", "prompt": {"id": 7, "contentType": "audio/wav", "q": 1}}},
          "permissions": {"admin": {"enabled": true}, "internationalCalling": {"enabled": false, "x": 1}},
          "profileImage": {"uri": "p", "lastModified": "2020-01-01T00:00:00Z", "scales": [{"uri": "s", "w": 1}]},
          "references": [{"ref": "r", "type": "PartnerId", "refAccId": 5}],
          "roles": [{"id": "1", "autoAssigned": true}],
          "callQueueInfo": {"slaGoal": 80, "includeAbandonedCalls": true},
          "site": {"id": "main-site", "name": "HQ"},
          "assignedCountry": {"id": "1", "isoCode": "US"},
          "costCenter": {"id": "c", "name": "Sales"},
          "creationTime": "2019-05-01T10:00:00.000Z", "alertTimer": 15,
          "newThing": 1
        }"#;
        let e: ExtensionRecord = serde_json::from_str(json).unwrap();
        assert_eq!(e.id, Some(208_594_004));
        let c = e.contact.as_ref().unwrap();
        assert_eq!(
            c.business_address.as_ref().unwrap().city.as_deref(),
            Some("Belmont")
        );
        assert_eq!(
            c.pronounced_name
                .as_ref()
                .unwrap()
                .prompt
                .as_ref()
                .unwrap()
                .id
                .as_deref(),
            Some("7")
        );
        assert_eq!(
            e.profile_image.as_ref().unwrap().last_modified,
            Some(1_577_836_800_000)
        );
        assert_eq!(e.alert_timer, Some(15));
        assert_eq!(
            serde_json::to_value(e.references.as_ref().unwrap()).unwrap(),
            serde_json::json!([{"ref": "r", "type": "PartnerId", "refAccId": "5"}])
        );
        assert_eq!(
            serde_json::to_value(e.unknown_fields()).unwrap(),
            serde_json::json!({
                "newThing": 1,
                "contact": {"nick": "z", "businessAddress": {"planet": "Earth"},
                            "pronouncedName": {"prompt": {"q": 1}}},
                "permissions": {"internationalCalling": {"x": 1}}
            })
        );
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in [
            r#"{"id": 1.5}"#,
            r#"{"id": "abc"}"#,
            r#"{"creationTime": "soon"}"#,
            r#"{"alertTimer": 99999999999}"#,
        ] {
            assert!(
                serde_json::from_str::<ExtensionRecord>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
