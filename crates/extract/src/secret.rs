//! Credentials and the wrapper that keeps secrets out of logs and error text.

use std::fmt;

/// A secret string (client secret, JWT, token). `Debug` and `Display` print `<redacted>`;
/// the value is reached only through [`Secret::expose`], at the one place it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value; same as `Secret::from`.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The secret value. Call it only to put the value on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What the client needs to log in with the JWT bearer grant (docs/api.md §4).
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Credentials {
    /// API server, e.g. `https://platform.ringcentral.com`. Only its scheme, host and port
    /// are used: every request, including `nextPage` links, goes to this origin.
    pub server_url: String,
    /// OAuth client id of the app (not secret).
    pub client_id: String,
    /// OAuth client secret of the app, sent in the `Authorization: Basic` header of token
    /// requests.
    pub client_secret: Secret,
    /// The JWT credential made in the Developer Console: the grant's `assertion`, long-lived and
    /// re-sent whenever a new token is needed.
    pub jwt: Secret,
}

impl Credentials {
    /// Credentials for the JWT bearer grant against `server_url`.
    pub fn new(
        server_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
        jwt: Secret,
    ) -> Self {
        Credentials {
            server_url: server_url.into(),
            client_id: client_id.into(),
            client_secret,
            jwt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_hidden_in_debug_and_display() {
        let s = Secret::new("hunter2-very-secret".to_owned());
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2-very-secret");

        let c = Credentials::new(
            "https://example.invalid",
            "client",
            Secret::new("CLIENT-SECRET-X".into()),
            Secret::new("JWT-SECRET-Y".into()),
        );
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("CLIENT-SECRET-X") && !shown.contains("JWT-SECRET-Y"),
            "{shown}"
        );
        assert!(shown.contains("client"), "{shown}");
    }
}
