//! The `/_admin` test hooks: read the truth and the counters, apply late updates, change
//! faults and rate limits of the running server. Not part of the RingCentral API, so
//! neither limited nor faulted.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::request::Incoming;
use super::respond::{ok_json, value_response};
use super::state::AppState;
use crate::config::RateLimits;
use crate::error::Result;
use crate::faults::Faults;
use crate::mutate::Mutation;

/// `GET /_admin/truth`: everything the server serves now.
pub(super) fn truth(st: &AppState, _req: &Incoming<'_>) -> Result<Response> {
    Ok(ok_json(&*st.data().truth))
}

/// `GET /_admin/stats`: the counters, as `SimHandle::stats` returns them.
pub(super) fn stats(st: &AppState, _req: &Incoming<'_>) -> Result<Response> {
    Ok(ok_json(&st.stats()))
}

/// `POST /_admin/mutate`: a [`Mutation`]; answers the report.
pub(super) fn mutate(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    Ok(match body::<Mutation>(req.body) {
        Ok(m) => ok_json(&st.mutate(&m)),
        Err(e) => bad_request(e),
    })
}

/// `POST /_admin/faults`: replaces the [`Faults`].
pub(super) fn faults(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    Ok(match body::<Faults>(req.body) {
        Ok(f) => {
            st.set_faults(f);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_request(e),
    })
}

/// `POST /_admin/limits`: replaces the [`RateLimits`].
pub(super) fn limits(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    Ok(match body::<RateLimits>(req.body) {
        Ok(l) => {
            st.set_limits(l);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_request(e),
    })
}

/// An admin body: JSON of `T`, an empty body meaning all defaults; the error text on failure.
fn body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| format!("invalid body: {e}"))
}

/// Admin errors are plain `{"error": …}`: a test reads them, not an API client.
fn bad_request(error: String) -> Response {
    value_response(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": error }),
    )
}
