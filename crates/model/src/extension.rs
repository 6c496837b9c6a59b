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
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub contact: Option<ContactInfo>,
    /// Absent for unassigned extensions.
    #[serde(default)]
    pub extension_number: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub permissions: Option<ExtensionPermissions>,
    #[serde(default)]
    pub profile_image: Option<ProfileImageInfo>,
    #[serde(default)]
    pub partner_id: Option<String>,
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
    #[serde(default)]
    pub call_queue_info: Option<CallQueueExtensionInfo>,
    #[serde(default)]
    pub hidden: Option<bool>,
    #[serde(default)]
    pub roles: Option<Vec<RoleInfo>>,
    #[serde(default)]
    pub site: Option<SiteInfo>,
    #[serde(default)]
    pub assigned_country: Option<AssignedCountryInfo>,
    #[serde(default)]
    pub cost_center: Option<CostCenterInfo>,
    /// Milliseconds since the epoch, UTC.
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub creation_time: Option<i64>,
    /// Seconds (`CallQueueAlertTimerEnum`, an integer enum).
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub alert_timer: Option<i32>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contact` (spec `ContactInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInfo {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub business_phone: Option<String>,
    #[serde(default)]
    pub mobile_phone: Option<String>,
    #[serde(default)]
    pub business_address: Option<BusinessAddressInfo>,
    #[serde(default)]
    pub email_as_login_name: Option<bool>,
    #[serde(default)]
    pub pronounced_name: Option<PronouncedNameInfo>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contact.businessAddress` (spec `ContactBusinessAddressInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessAddressInfo {
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
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
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub prompt: Option<PronouncedNamePromptInfo>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contact.pronouncedName.prompt` (spec `PronouncedNamePromptInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PronouncedNamePromptInfo {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub content_uri: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `permissions` (spec `ExtensionPermissions`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionPermissions {
    #[serde(default)]
    pub admin: Option<PermissionInfo>,
    #[serde(default)]
    pub international_calling: Option<PermissionInfo>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `permissions.admin` / `permissions.internationalCalling`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionInfo {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `profileImage` (spec `ProfileImageInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileImageInfo {
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default, deserialize_with = "opt_timestamp_ms")]
    pub last_modified: Option<i64>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub scales: Option<Vec<ProfileImageScale>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `profileImage.scales[]` (spec `ProfileImageInfoURI`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileImageScale {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `references[]` (spec `ReferenceInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceInfo {
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub r#ref: Option<String>,
    /// `PartnerId` | `CustomerDirectoryId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub ref_acc_id: Option<String>,
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
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub sla_threshold_seconds: Option<i32>,
    #[serde(default)]
    pub include_abandoned_calls: Option<bool>,
    #[serde(default, deserialize_with = "opt_i32_lenient")]
    pub abandoned_threshold_seconds: Option<i32>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `roles[]` (spec `Roles`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_assigned: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_compatible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_restricted: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `site` (spec `ProvisioningSiteInfo`); `id` may be `main-site`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteInfo {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `assignedCountry` (spec `AssignedCountryInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedCountryInfo {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub iso_code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `costCenter` (spec `CostCenterInfo`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostCenterInfo {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
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
