//! Error bodies (docs/api.md §6.1 and the OAuth errors of §4).

use serde::Deserialize;

/// Any error body the API sends: the spec's `errors[]`, the legacy top-level
/// `errorCode`/`message`, and the OAuth `error`/`error_description`. All optional, because
/// real bodies mix these shapes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    /// Legacy top-level code: a spec code (`CMN-102`) or a word (`InsufficientPermissions`).
    #[serde(default)]
    pub error_code: Option<String>,
    /// Legacy top-level message: for people, not for decisions.
    #[serde(default)]
    pub message: Option<String>,
    /// The spec's `errors[]`; empty when the body has none (older and OAuth bodies).
    #[serde(default)]
    pub errors: Vec<ApiErrorItem>,
    /// Legacy top-level `permissionName` of a 403, e.g. `ReadCallLog`.
    #[serde(default)]
    pub permission_name: Option<String>,
    /// OAuth (RFC 6749) error code such as `invalid_grant`.
    #[serde(default)]
    pub error: Option<String>,
    /// OAuth human-readable explanation of `error`.
    #[serde(default, rename = "error_description")]
    pub error_description: Option<String>,
}

/// One entry of `errors[]` (docs/api.md §6.1).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorItem {
    /// The code to decide on, e.g. `CMN-301` or `OAU-128`.
    #[serde(default)]
    pub error_code: Option<String>,
    /// Human message, e.g. `Request rate exceeded`.
    #[serde(default)]
    pub message: Option<String>,
    /// `parameterName` of a parameter error (`CMN-101`, `CMN-102`), e.g. `syncToken`.
    #[serde(default)]
    pub parameter_name: Option<String>,
    /// `permissionName` of a 403 (`CMN-401`), e.g. `ReadCallLog`.
    #[serde(default)]
    pub permission_name: Option<String>,
}

impl ApiErrorBody {
    /// The most specific code: `errors[0].errorCode` (`CMN-301`, `OAU-128`, …), else the
    /// legacy top-level code, else the OAuth `error`. Codes, not messages, are what to rely on.
    pub fn code(&self) -> Option<&str> {
        self.errors
            .iter()
            .find_map(|e| e.error_code.as_deref())
            .or(self.error_code.as_deref())
            .or(self.error.as_deref())
    }

    /// The most helpful human message.
    pub fn message(&self) -> Option<&str> {
        self.errors
            .iter()
            .find_map(|e| e.message.as_deref())
            .or(self.message.as_deref())
            .or(self.error_description.as_deref())
    }

    /// The permission a 403 names, if any (`ReadCallLog`, …).
    pub fn permission(&self) -> Option<&str> {
        self.errors
            .iter()
            .find_map(|e| e.permission_name.as_deref())
            .or(self.permission_name.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_spec_legacy_and_oauth_shapes() {
        let b: ApiErrorBody = serde_json::from_str(
            r#"{"errorCode":"InsufficientPermissions","message":"m","errors":[{"errorCode":"CMN-401","message":"needs [ReadCallLog]","permissionName":"ReadCallLog"}],"permissionName":"ReadCallLog"}"#,
        )
        .unwrap();
        assert_eq!(b.code(), Some("CMN-401"));
        assert_eq!(b.permission(), Some("ReadCallLog"));

        let b: ApiErrorBody = serde_json::from_str(
            r#"{"error":"invalid_client","error_description":"Client authentication is required"}"#,
        )
        .unwrap();
        assert_eq!(b.code(), Some("invalid_client"));
        assert_eq!(b.message(), Some("Client authentication is required"));
    }
}
