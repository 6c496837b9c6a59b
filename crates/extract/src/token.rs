//! The token the client holds (docs/api.md §4): the access token, the single-use refresh
//! token, and when each is due. How a token is obtained is `auth.rs`.

use std::time::{Duration, Instant};

use ringlake_model::TokenResponse;

use crate::secret::Secret;

/// Longest token lifetime believed: a year. RingCentral issues access tokens of an hour and
/// refresh tokens of a week; anything longer is read as this.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(366 * 86_400);

/// The current token, if any.
#[derive(Debug, Default)]
pub(crate) struct TokenSlot(pub(crate) tokio::sync::Mutex<Option<TokenState>>);

/// A token and when to renew it.
#[derive(Debug)]
pub(crate) struct TokenState {
    pub(crate) access: Secret,
    /// Single-use: replaced by every refresh (docs/api.md §4).
    pub(crate) refresh: Option<Secret>,
    /// When to renew proactively, before the access token expires.
    pub(crate) renew_at: Instant,
    pub(crate) refresh_expires_at: Option<Instant>,
}

impl TokenState {
    /// The lifetimes the server sends are clamped to [`MAX_TOKEN_LIFETIME`]: a huge
    /// `expires_in` must not overflow the clock's arithmetic.
    pub(crate) fn from_response(t: TokenResponse, now: Instant) -> Self {
        let lifetime = |secs: i64| {
            Duration::from_secs(u64::try_from(secs).unwrap_or(0)).min(MAX_TOKEN_LIFETIME)
        };
        let ttl = lifetime(t.expires_in);
        let at = |d: Duration| now.checked_add(d).unwrap_or(now);
        TokenState {
            access: Secret::new(t.access_token),
            refresh: t.refresh_token.filter(|r| !r.is_empty()).map(Secret::new),
            renew_at: at(ttl.saturating_sub(renew_margin(ttl))),
            refresh_expires_at: t.refresh_token_expires_in.map(|s| at(lifetime(s))),
        }
    }

    pub(crate) fn usable_refresh(self, now: Instant) -> Option<Secret> {
        match self.refresh_expires_at {
            Some(at) if at <= now + Duration::from_secs(5) => None,
            _ => self.refresh,
        }
    }
}

/// How long before expiry to renew: 10 % of the lifetime but at least 60 s, and never more
/// than half of it (test servers issue tokens of a few seconds).
pub(crate) fn renew_margin(ttl: Duration) -> Duration {
    (ttl / 10).max(Duration::from_secs(60)).min(ttl / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renew_margin_for_long_and_short_tokens() {
        assert_eq!(
            renew_margin(Duration::from_secs(3600)),
            Duration::from_secs(360)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(300)),
            Duration::from_secs(60)
        );
        assert_eq!(renew_margin(Duration::from_secs(4)), Duration::from_secs(2));
        assert_eq!(renew_margin(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn token_state_replaces_both_tokens_and_schedules_renewal() {
        let t: TokenResponse = serde_json::from_str(
            r#"{"access_token":"A1","token_type":"bearer","expires_in":3600,"refresh_token":"R1","refresh_token_expires_in":604800}"#,
        )
        .unwrap();
        let now = Instant::now();
        let s = TokenState::from_response(t, now);
        assert_eq!(s.access.expose(), "A1");
        assert_eq!(s.renew_at, now + Duration::from_secs(3240));
        assert_eq!(
            s.usable_refresh(now)
                .map(|r| r.expose().to_owned())
                .as_deref(),
            Some("R1")
        );

        let t: TokenResponse =
            serde_json::from_str(r#"{"access_token":"A2","expires_in":3600,"refresh_token":"R2","refresh_token_expires_in":1}"#).unwrap();
        assert!(
            TokenState::from_response(t, now)
                .usable_refresh(now)
                .is_none()
        );
        // Absurd lifetimes are clamped, not an overflow.
        let t: TokenResponse = serde_json::from_str(&format!(
            r#"{{"access_token":"A3","expires_in":{},"refresh_token":"R3","refresh_token_expires_in":{}}}"#,
            i64::MAX,
            i64::MAX
        ))
        .unwrap();
        let s = TokenState::from_response(t, now);
        assert!(s.renew_at <= now + MAX_TOKEN_LIFETIME);
        assert!(
            s.refresh_expires_at
                .is_some_and(|at| at <= now + MAX_TOKEN_LIFETIME)
        );
    }

    /// Negative lifetimes (issue 17) are read as already expired, not as a huge unsigned
    /// number: the access token is renewed before its first use, and the refresh token is
    /// not offered.
    #[test]
    fn negative_lifetimes_are_expired_tokens() {
        let now = Instant::now();
        for (expires, refresh_expires) in [(-1, -1), (i64::MIN, i64::MIN), (0, -3600)] {
            let t: TokenResponse = serde_json::from_str(&format!(
                r#"{{"access_token":"A4","expires_in":{expires},"refresh_token":"R4","refresh_token_expires_in":{refresh_expires}}}"#
            ))
            .unwrap();
            let s = TokenState::from_response(t, now);
            assert_eq!(s.renew_at, now, "{expires}");
            assert_eq!(s.refresh_expires_at, Some(now), "{refresh_expires}");
            assert!(s.usable_refresh(now).is_none(), "{refresh_expires}");
        }
    }
}
