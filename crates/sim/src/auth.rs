//! Token issue, refresh and checks (docs/api.md §4).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use serde_json::{Value, json};

use crate::config::SimCredentials;

/// Scopes granted to every token.
const SCOPE: &str = "ReadAccounts ReadCallLog ReadCallRecording ReadMessages";

#[derive(Debug)]
struct AccessToken {
    expires: Instant,
}

#[derive(Debug)]
struct RefreshToken {
    expires: Instant,
    session: u64,
    used: bool,
}

/// Why an API call's bearer token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    NotFound,
    Expired,
}

/// Why the token endpoint refused a request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GrantProblem {
    /// 401 `invalid_client`: missing, malformed or unknown client (OAU-123).
    ClientAuthRequired,
    /// 401 `invalid_client`: known client, wrong secret (OAU-146).
    BadClientSecret,
    /// 400 `invalid_request`: no `grant_type`.
    MissingGrantType,
    /// 400 `unsupported_grant_type`.
    UnsupportedGrant,
    /// 400 `invalid_grant`: wrong JWT assertion.
    BadAssertion,
    /// 400 `invalid_grant`: unknown, reused or expired refresh token.
    BadRefreshToken,
}

impl GrantProblem {
    pub fn status(&self) -> u16 {
        match self {
            Self::ClientAuthRequired | Self::BadClientSecret => 401,
            _ => 400,
        }
    }

    pub fn body(&self) -> Value {
        let (error, code, text) = match self {
            Self::ClientAuthRequired => (
                "invalid_client",
                "OAU-123",
                "Client authentication is required",
            ),
            Self::BadClientSecret => ("invalid_client", "OAU-146", "Invalid client credentials"),
            Self::MissingGrantType => (
                "invalid_request",
                "OAU-101",
                "Parameter [grant_type] is not specified",
            ),
            Self::UnsupportedGrant => (
                "unsupported_grant_type",
                "OAU-102",
                "Unsupported grant type",
            ),
            Self::BadAssertion => ("invalid_grant", "OAU-144", "Invalid JWT token"),
            Self::BadRefreshToken => ("invalid_grant", "OAU-211", "Token is revoked or expired"),
        };
        crate::error::oauth_error(error, code, text)
    }
}

/// Issued tokens. Tokens are opaque random strings; expired ones are kept so that an
/// expired token gets `OAU-128` and not "not found".
#[derive(Debug)]
pub(crate) struct TokenStore {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    /// Current access token of each session, revoked when the session refreshes.
    session_access: HashMap<u64, String>,
    next_session: u64,
    access_ttl: Duration,
    refresh_ttl: Duration,
    owner_id: String,
}

impl TokenStore {
    pub fn new(access_ttl_secs: u64, refresh_ttl_secs: u64, owner_id: i64) -> Self {
        Self {
            access: HashMap::new(),
            refresh: HashMap::new(),
            session_access: HashMap::new(),
            next_session: 1,
            access_ttl: Duration::from_secs(access_ttl_secs),
            refresh_ttl: Duration::from_secs(refresh_ttl_secs),
            owner_id: owner_id.to_string(),
        }
    }

    /// Checks HTTP Basic client authentication against the credentials.
    pub fn check_client(
        authorization: Option<&str>,
        creds: &SimCredentials,
    ) -> Result<(), GrantProblem> {
        let encoded = authorization
            .and_then(|h| {
                h.strip_prefix("Basic ")
                    .or_else(|| h.strip_prefix("basic "))
            })
            .ok_or(GrantProblem::ClientAuthRequired)?;
        let decoded = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(GrantProblem::ClientAuthRequired)?;
        let (id, secret) = decoded
            .split_once(':')
            .ok_or(GrantProblem::ClientAuthRequired)?;
        if id != creds.client_id {
            return Err(GrantProblem::ClientAuthRequired);
        }
        if secret != creds.client_secret {
            return Err(GrantProblem::BadClientSecret);
        }
        Ok(())
    }

    /// A new session for a JWT bearer grant.
    pub fn grant(&mut self, now: Instant) -> Value {
        let session = self.next_session;
        self.next_session += 1;
        self.issue(session, now)
    }

    /// Refresh grant: single use; the session's previous access token dies at once.
    pub fn refresh(&mut self, token: &str, now: Instant) -> Result<Value, GrantProblem> {
        let entry = self
            .refresh
            .get_mut(token)
            .ok_or(GrantProblem::BadRefreshToken)?;
        if entry.used || now >= entry.expires {
            return Err(GrantProblem::BadRefreshToken);
        }
        entry.used = true;
        let session = entry.session;
        if let Some(old) = self.session_access.remove(&session) {
            self.access.remove(&old);
        }
        Ok(self.issue(session, now))
    }

    /// Checks an `Authorization` header value of an API call.
    pub fn check_bearer(
        &self,
        authorization: Option<&str>,
        now: Instant,
    ) -> Result<(), TokenProblem> {
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenProblem::Missing)?;
        let entry = self.access.get(token).ok_or(TokenProblem::NotFound)?;
        if now >= entry.expires {
            return Err(TokenProblem::Expired);
        }
        Ok(())
    }

    fn issue(&mut self, session: u64, now: Instant) -> Value {
        let access = random_token();
        let refresh = random_token();
        self.access.insert(
            access.clone(),
            AccessToken {
                expires: now + self.access_ttl,
            },
        );
        self.refresh.insert(
            refresh.clone(),
            RefreshToken {
                expires: now + self.refresh_ttl,
                session,
                used: false,
            },
        );
        self.session_access.insert(session, access.clone());
        json!({
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.access_ttl.as_secs(),
            "refresh_token": refresh,
            "refresh_token_expires_in": self.refresh_ttl.as_secs(),
            "scope": SCOPE,
            "owner_id": self.owner_id,
            "endpoint_id": format!("sim-endpoint-{session}"),
            "session_id": format!("{}", 1_000_000_000u64 + session),
        })
    }
}

/// An opaque token shaped like RingCentral's: a short base64url prefix (here `SIM01|`)
/// and random base64url characters.
fn random_token() -> String {
    let mut bytes = [0u8; 33];
    rand::rng().fill_bytes(&mut bytes);
    format!("U0lNMDF8{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    #[test]
    fn client_auth() {
        let c = SimCredentials::default();
        assert_eq!(
            TokenStore::check_client(
                Some(basic("sim-client-id", "sim-client-secret").as_str()),
                &c
            ),
            Ok(())
        );
        assert_eq!(
            TokenStore::check_client(Some(basic("sim-client-id", "nope").as_str()), &c),
            Err(GrantProblem::BadClientSecret)
        );
        assert_eq!(
            TokenStore::check_client(Some(basic("other", "sim-client-secret").as_str()), &c),
            Err(GrantProblem::ClientAuthRequired)
        );
        assert_eq!(
            TokenStore::check_client(None, &c),
            Err(GrantProblem::ClientAuthRequired)
        );
        assert_eq!(
            TokenStore::check_client(Some("Basic %%%"), &c),
            Err(GrantProblem::ClientAuthRequired)
        );
    }

    #[test]
    fn refresh_is_single_use_and_revokes_access() {
        let mut s = TokenStore::new(3600, 600, 1);
        let now = Instant::now();
        let t = s.grant(now);
        let access = format!("Bearer {}", t["access_token"].as_str().unwrap());
        let refresh = t["refresh_token"].as_str().unwrap().to_string();
        assert_eq!(s.check_bearer(Some(access.as_str()), now), Ok(()));
        let t2 = s.refresh(&refresh, now).unwrap();
        assert_eq!(
            s.check_bearer(Some(access.as_str()), now),
            Err(TokenProblem::NotFound)
        );
        assert_eq!(s.refresh(&refresh, now), Err(GrantProblem::BadRefreshToken));
        let access2 = format!("Bearer {}", t2["access_token"].as_str().unwrap());
        assert_eq!(s.check_bearer(Some(access2.as_str()), now), Ok(()));
        assert_eq!(
            s.check_bearer(Some(access2.as_str()), now + Duration::from_secs(3600)),
            Err(TokenProblem::Expired)
        );
        assert_eq!(s.check_bearer(None, now), Err(TokenProblem::Missing));
    }
}
