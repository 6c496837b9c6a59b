//! `POST /restapi/oauth/token` (docs/api.md §4): JWT bearer grants and single-use refresh.

use std::time::Instant;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use tracing::{debug, info};

use super::request::Incoming;
use super::respond::value_response;
use super::state::{AppState, lock};
use crate::auth::{GrantProblem, TokenStore};
use crate::error::{Result, oauth_error};

/// Always `Ok`: a refused grant answers in the OAuth error shape, not the API one.
pub(super) fn token(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    let form = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Ok(value_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &oauth_error(
                "invalid_request",
                "CMN-415",
                "Content-Type must be application/x-www-form-urlencoded",
            ),
        ));
    }
    let resp = match grant(st, req.headers, req.body) {
        Ok(v) => value_response(StatusCode::OK, &v),
        Err(p) => {
            let status = if p.status() == 401 {
                lock(&st.stats).responses_401 += 1;
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::BAD_REQUEST
            };
            debug!(problem = ?p, "Token request refused.");
            value_response(status, &p.body())
        }
    };
    Ok(resp)
}

fn grant(st: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, GrantProblem> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    TokenStore::check_client(auth, &st.cfg.credentials)?;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let now = Instant::now();
    match field("grant_type") {
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            if field("assertion") != Some(st.cfg.credentials.jwt.as_str()) {
                return Err(GrantProblem::BadAssertion);
            }
            let v = lock(&st.tokens).grant(now);
            lock(&st.stats).token_grants += 1;
            info!("Token granted (JWT bearer).");
            Ok(v)
        }
        Some("refresh_token") => {
            let token = field("refresh_token").ok_or(GrantProblem::BadRefreshToken)?;
            let v = lock(&st.tokens).refresh(token, now)?;
            lock(&st.stats).token_refreshes += 1;
            debug!("Token refreshed.");
            Ok(v)
        }
        Some(_) => Err(GrantProblem::UnsupportedGrant),
        None => Err(GrantProblem::MissingGrantType),
    }
}
