//! OAuth (docs/api.md §4): JWT bearer grant, refresh grant, proactive refresh, renewal after
//! a 401. One lock guards the token, so only one task renews at a time and the others wait
//! for its result.

use std::time::Instant;

use reqwest::StatusCode;
use ringlake_model::TokenResponse;
use tracing::{debug, info, warn};

use crate::client::{Inner, code_and_message, retry_after};
use crate::error::{Error, Result};
use crate::pacer::RateGroup;
use crate::progress::Progress;
use crate::secret::Secret;
use crate::token::TokenState;

const TOKEN_PATH: &str = "/restapi/oauth/token";
const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant {
    Jwt,
    Refresh,
}

/// Why a token request did not yield a token.
enum TokenFailure {
    /// The server refused the grant (4xx other than 429).
    Rejected {
        status: StatusCode,
        code: String,
        message: String,
        oauth_error: Option<String>,
    },
    /// Retry budget spent, or a local problem.
    Failed(Error),
}

impl Inner {
    /// A valid access token, renewing it first when it is due.
    pub(crate) async fn access_token(&self, progress: &dyn Progress) -> Result<Secret> {
        let mut slot = self.token.0.lock().await;
        if let Some(t) = slot.as_ref()
            && Instant::now() < t.renew_at
        {
            return Ok(t.access.clone());
        }
        let previous = slot.take();
        let fresh = self.renew(previous, progress).await?;
        let access = fresh.access.clone();
        *slot = Some(fresh);
        Ok(access)
    }

    /// After a 401 with `used`: renew unless another task already did.
    pub(crate) async fn renew_after_401(
        &self,
        used: &Secret,
        progress: &dyn Progress,
    ) -> Result<()> {
        let mut slot = self.token.0.lock().await;
        if slot.as_ref().is_some_and(|t| t.access != *used) {
            return Ok(());
        }
        let previous = slot.take();
        *slot = Some(self.renew(previous, progress).await?);
        Ok(())
    }

    /// Refresh grant when a refresh token is at hand, else (or when it is refused) a new
    /// JWT grant — re-presenting the JWT is what the docs prescribe (§4).
    async fn renew(
        &self,
        previous: Option<TokenState>,
        progress: &dyn Progress,
    ) -> Result<TokenState> {
        let now = Instant::now();
        if let Some(refresh) = previous.and_then(|p| p.usable_refresh(now)) {
            match self.token_request(Grant::Refresh, &refresh, progress).await {
                Ok(t) => {
                    debug!("Access token refreshed.");
                    return Ok(t);
                }
                Err(TokenFailure::Rejected { code, .. }) => {
                    info!(
                        code,
                        "Refresh token refused; logging in with the JWT again."
                    );
                }
                Err(TokenFailure::Failed(e)) => {
                    warn!(error = %e, "Refreshing the token failed; logging in with the JWT again.");
                }
            }
        }
        let jwt = self.creds.jwt.clone();
        match self.token_request(Grant::Jwt, &jwt, progress).await {
            Ok(t) => {
                info!("Logged in with the JWT bearer grant.");
                Ok(t)
            }
            Err(TokenFailure::Failed(e)) => Err(e),
            Err(TokenFailure::Rejected {
                status,
                code,
                message,
                oauth_error,
            }) => Err(self.auth_error(status, code, &message, oauth_error.as_deref())),
        }
    }

    /// Names what the server refused and how to fix it — never the secret itself.
    fn auth_error(
        &self,
        status: StatusCode,
        code: String,
        message: &str,
        oauth_error: Option<&str>,
    ) -> Error {
        let client_codes = ["OAU-123", "OAU-146", "OAU-122", "OAU-124"];
        let (what, fix) = match oauth_error {
            Some("invalid_client") => CLIENT_WRONG,
            Some("invalid_grant") => JWT_WRONG,
            Some("unauthorized_client" | "unsupported_grant_type") => (
                "the app may not use the JWT bearer grant",
                "enable the JWT auth flow for the app in the RingCentral Developer Console",
            ),
            _ if client_codes.contains(&code.as_str()) || status == StatusCode::UNAUTHORIZED => {
                CLIENT_WRONG
            }
            _ => (
                "the token request was refused",
                "check the server URL and the credentials (RC_SERVER_URL, RC_CLIENT_ID, RC_CLIENT_SECRET, RC_JWT)",
            ),
        };
        Error::Auth {
            what,
            status: status.as_u16(),
            code,
            message: self.redact(message),
            fix,
        }
    }

    /// `POST /restapi/oauth/token` with HTTP Basic client auth and a form body, paced in the
    /// Auth group, retried on 429/5xx/network faults.
    async fn token_request(
        &self,
        grant: Grant,
        credential: &Secret,
        progress: &dyn Progress,
    ) -> std::result::Result<TokenState, TokenFailure> {
        let group = RateGroup::Auth;
        let url = self.url(TOKEN_PATH).map_err(TokenFailure::Failed)?;
        let max_attempts = self.opts.retry.max_attempts.max(1);
        let mut retry = 0u32;
        let mut last_error: Option<Error> = None;
        // Attempts are what the retry budget counts (a 429 is none); every send after the
        // first, a 429's included, is a retry in the counters.
        let (mut attempt, mut sent) = (0u32, 0u64);
        while attempt < max_attempts {
            attempt += 1;
            if sent > 0 {
                self.count(group, |g| g.retries += 1);
            }
            sent += 1;
            let form: [(&str, &str); 2] = match grant {
                Grant::Jwt => [
                    ("grant_type", JWT_GRANT),
                    ("assertion", credential.expose()),
                ],
                Grant::Refresh => [
                    ("grant_type", "refresh_token"),
                    ("refresh_token", credential.expose()),
                ],
            };
            let request = self
                .http
                .post(url.clone())
                .basic_auth(
                    &self.creds.client_id,
                    Some(self.creds.client_secret.expose()),
                )
                .form(&form);
            let mut floor = None;
            let slot = self
                .pace(group, progress)
                .await
                .map_err(TokenFailure::Failed)?;
            match self.send_paced(group, slot, request).await {
                Err(e) => {
                    last_error = Some(Error::Transport {
                        path: TOKEN_PATH.to_owned(),
                        attempts: attempt,
                        source: e.without_url(),
                    });
                }
                Ok(reply) if reply.status.is_success() => {
                    match serde_json::from_slice::<TokenResponse>(&reply.body) {
                        Ok(t) => return Ok(TokenState::from_response(t, Instant::now())),
                        // Never echo the body: it may hold a (partial) token.
                        Err(e) => {
                            last_error = Some(Error::InvalidBody {
                                path: TOKEN_PATH.to_owned(),
                                attempts: attempt,
                                detail: format!(
                                    "token response is not TokenInfo JSON (at line {} column {})",
                                    e.line(),
                                    e.column()
                                ),
                            });
                        }
                    }
                }
                Ok(reply) if reply.status == StatusCode::TOO_MANY_REQUESTS => {
                    // Not a failed attempt: the pacer waits out the penalty (until the
                    // deadline at most).
                    attempt -= 1;
                    continue;
                }
                Ok(reply) if reply.status.is_server_error() => {
                    let (code, _, _) = code_and_message(reply.status, &reply.body);
                    floor = retry_after(&reply.headers);
                    last_error = Some(Error::Server {
                        path: TOKEN_PATH.to_owned(),
                        status: reply.status.as_u16(),
                        code,
                        attempts: attempt,
                    });
                }
                Ok(reply) => {
                    let (code, message, body) = code_and_message(reply.status, &reply.body);
                    return Err(TokenFailure::Rejected {
                        status: reply.status,
                        code,
                        message,
                        oauth_error: body.error,
                    });
                }
            }
            retry += 1;
            if attempt < max_attempts {
                self.backoff(group, retry, floor, progress)
                    .await
                    .map_err(TokenFailure::Failed)?;
            }
        }
        Err(TokenFailure::Failed(last_error.unwrap_or_else(|| {
            Error::Config("retry budget is zero".into())
        })))
    }
}

const CLIENT_WRONG: (&str, &str) = (
    "the client id / client secret were rejected",
    "check RC_CLIENT_ID and RC_CLIENT_SECRET against the app in the RingCentral Developer Console (and that RC_SERVER_URL is the app's environment)",
);
const JWT_WRONG: (&str, &str) = (
    "the JWT credential was rejected",
    "check RC_JWT: it must be a JWT credential of a user of this account, valid for this app, not expired or revoked",
);
