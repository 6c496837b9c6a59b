//! Building answers: JSON bodies, API error bodies, single headers.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

use crate::error::Error;

pub(super) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

pub(super) fn value_response(status: StatusCode, body: &Value) -> Response {
    json_response(status, serde_json::to_vec(body).unwrap_or_default())
}

/// Any serialisable body as `200 OK` JSON (admin answers, prepared envelopes).
pub(super) fn ok_json(body: &impl serde::Serialize) -> Response {
    json_response(StatusCode::OK, serde_json::to_vec(body).unwrap_or_default())
}

/// The status and RingCentral error body `e` stands for (docs/api.md §6.1).
pub(super) fn error_response(e: &Error) -> Response {
    value_response(e.status(), &e.body())
}

/// Sets `name`; a value that is not a valid header (never expected) leaves it unset.
pub(super) fn set_header(resp: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        resp.headers_mut().insert(name, v);
    }
}
