//! OAuth token response (`TokenInfo`, docs/api.md §4).

use serde::Deserialize;

/// The token endpoint's answer. Holds secrets: never log it (it has no `Debug` output of
/// the tokens).
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    /// Bearer token for `Authorization: Bearer …`. Secret.
    pub access_token: String,
    /// Always `bearer` in practice.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Seconds the access token stays valid (a re-issued token reports what remains).
    pub expires_in: i64,
    /// Token for the `refresh_token` grant; `None` when the app may not refresh. Secret.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Seconds the refresh token stays valid.
    #[serde(default)]
    pub refresh_token_expires_in: Option<i64>,
    /// Space-separated app permissions granted, e.g. `ReadCallLog ReadMessages`.
    #[serde(default)]
    pub scope: Option<String>,
    /// Id of the token's user (extension), a **string** in this answer.
    #[serde(default, deserialize_with = "crate::values::opt_string_or_number")]
    pub owner_id: Option<String>,
    /// Id of the OAuth session the token belongs to.
    #[serde(default)]
    pub session_id: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("refresh_token_expires_in", &self.refresh_token_expires_in)
            .field("scope", &self.scope)
            .field("owner_id", &self.owner_id)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_tokens() {
        let t: TokenResponse = serde_json::from_str(
            r#"{"access_token":"SECRET-A","token_type":"bearer","expires_in":7199,"refresh_token":"SECRET-R","owner_id":"256440016"}"#,
        )
        .unwrap();
        let shown = format!("{t:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert_eq!(t.owner_id.as_deref(), Some("256440016"));
    }
}
