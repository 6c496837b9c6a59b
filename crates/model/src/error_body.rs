//! Error bodies (docs/api.md §6.1 and the OAuth errors of §4).

use serde::Deserialize;

/// Any error body the API sends: the spec's `errors[]`, the legacy top-level
/// `errorCode`/`message`, and the OAuth `error`/`error_description`. All optional, because
/// real bodies mix these shapes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub errors: Vec<ApiErrorItem>,
    #[serde(default)]
    pub permission_name: Option<String>,
    /// OAuth (RFC 6749) error code such as `invalid_grant`.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default, rename = "error_description")]
    pub error_description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorItem {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub parameter_name: Option<String>,
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
