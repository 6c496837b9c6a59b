//! What stands between a request and its handler, written once for every route: the
//! rate-limit group count, the fault draw, the limiter, the bearer token. The fault the
//! gate draws is delivered after the handler, by the [`inject_faults`] middleware.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tracing::debug;

use super::request::{Handler, Incoming};
use super::respond::{error_response, set_header, value_response};
use super::state::{AppState, Shared, lock};
use crate::auth::TokenProblem;
use crate::error::api_error;
use crate::faults::{self, Fault};
use crate::limiter::{Decision, Group};
use crate::query;

/// How a route is guarded.
#[derive(Clone, Copy, Debug)]
pub(super) enum Access {
    /// No limit, no faults, no token: the `/_admin` test hooks.
    Admin,
    /// Rate limit and faults, no bearer token: the token endpoint, which checks the client
    /// credentials itself.
    Limited(Group),
    /// Rate limit, faults, then `Authorization: Bearer`: every API call.
    Bearer(Group),
    /// Like `Bearer`, but the token may also come as `?access_token=` (docs/api.md §1; media
    /// paths only). The header wins when both are sent.
    Media(Group),
}

/// Runs `handler` behind `access`; an error from the handler becomes its API error body.
pub(super) fn admit(
    st: &AppState,
    access: Access,
    req: &Incoming<'_>,
    handler: Handler,
) -> Response {
    let run = || handler(st, req).unwrap_or_else(|e| error_response(&e));
    match access {
        Access::Admin => run(),
        Access::Limited(g) => limited(st, g, run),
        Access::Bearer(g) => {
            authorized(
                st,
                g,
                bearer_header(req.headers).as_deref(),
                || match broken_status(st, req.route) {
                    Some(status) => faults::broken(status, req.route),
                    None => run(),
                },
            )
        }
        Access::Media(g) => {
            let auth = bearer_header(req.headers).or_else(|| {
                query::pairs(req.query)
                    .into_iter()
                    .find(|(k, _)| k == "access_token")
                    .map(|(_, v)| format!("Bearer {v}"))
            });
            authorized(st, g, auth.as_deref(), run)
        }
    }
}

/// The status a broken route answers, when `route` is one.
fn broken_status(st: &AppState, route: &str) -> Option<u16> {
    lock(&st.faults)
        .faults()
        .broken_routes
        .iter()
        .find(|b| route.ends_with(b.route_ends_with.as_str()))
        .map(|b| b.status)
}

fn bearer_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Rate limit first, then `f`; every answer carries the group headers.
///
/// The fault for the request is drawn here, for every request in arrival order. A
/// request refused by the limit gets its 429 and no fault; an admitted one counts
/// against the limit whatever its fault. A 503 replaces the handler; other faults are
/// left in the response's extensions for [`inject_faults`] to deliver.
fn limited(st: &AppState, g: Group, f: impl FnOnce() -> Response) -> Response {
    *lock(&st.stats)
        .requests_by_group
        .entry(g.name().to_string())
        .or_default() += 1;
    let fault = lock(&st.faults).draw();
    let d = lock(&st.limiter).check(g, Instant::now());
    let mut resp = if !d.allowed {
        lock(&st.stats).responses_429 += 1;
        debug!(group = g.name(), "Request refused by the rate limit.");
        too_many(&d)
    } else if let Some(Fault::Unavailable { retry_after }) = fault {
        lock(&st.stats).faults_503 += 1;
        debug!(group = g.name(), "Injected 503.");
        faults::unavailable(retry_after)
    } else {
        let mut resp = f();
        if let Some(fault) = fault {
            resp.extensions_mut().insert(fault);
        }
        resp
    };
    rate_headers(&mut resp, g, &d);
    resp
}

/// [`limited`], then the bearer token `auth` (`Authorization` value), then `f`.
fn authorized(
    st: &AppState,
    g: Group,
    auth: Option<&str>,
    f: impl FnOnce() -> Response,
) -> Response {
    limited(st, g, || {
        // Bind first so the token lock is released before the handler runs.
        let checked = lock(&st.tokens).check_bearer(auth, Instant::now());
        match checked {
            Ok(()) => f(),
            Err(p) => {
                lock(&st.stats).responses_401 += 1;
                unauthorized(&p)
            }
        }
    })
}

fn rate_headers(resp: &mut Response, group: Group, d: &Decision) {
    set_header(resp, "X-Rate-Limit-Group", group.header_name());
    set_header(resp, "X-Rate-Limit-Limit", d.limit);
    set_header(resp, "X-Rate-Limit-Remaining", d.remaining);
    set_header(resp, "X-Rate-Limit-Window", d.window_secs);
}

fn too_many(d: &Decision) -> Response {
    let mut resp = value_response(
        StatusCode::TOO_MANY_REQUESTS,
        &api_error("CMN-301", "CMN-301", "Request rate exceeded"),
    );
    set_header(&mut resp, "Retry-After", d.retry_after_secs);
    resp
}

fn unauthorized(p: &TokenProblem) -> Response {
    let body = match p {
        TokenProblem::Missing => api_error(
            "InvalidAuthorizationHeader",
            "OAU-123",
            "Authorization header is not specified",
        ),
        TokenProblem::NotFound => api_error("InvalidToken", "OAU-213", "Token not found"),
        TokenProblem::Expired => api_error("TokenExpired", "OAU-128", "Access token expired"),
    };
    value_response(StatusCode::UNAUTHORIZED, &body)
}

/// Delivers the fault [`limited`] left on a response: slow, truncated or dropped.
/// Responses without one (admin routes, 429s, 503s) pass unchanged.
pub(super) async fn inject_faults(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let Some(fault) = resp.extensions_mut().remove::<Fault>() else {
        return resp;
    };
    {
        let mut stats = lock(&st.stats);
        match fault {
            Fault::Unavailable { .. } => {}
            Fault::Drop { .. } => stats.faults_dropped += 1,
            Fault::Truncate { .. } => stats.faults_truncated += 1,
            Fault::Slow { .. } => stats.faults_slow += 1,
        }
    }
    debug!(fault = ?fault, "Injecting a fault.");
    faults::deliver(resp, fault).await
}
