//! Fault injection on `/restapi/...` answers: 503s, dropped connections, truncated bodies
//! and slow replies, drawn from a seeded generator so that a seed and the same request
//! order give the same faults.
//!
//! The draw happens where the rate limit is counted (a faulted request reached the server
//! and counts like any other); a 503 replaces the handler, the other kinds change how the
//! handler's answer is delivered, which [`deliver`] does after the handler ran.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::api_error;

/// Default delay of a slow reply.
pub const DEFAULT_SLOW_MS: u64 = 300;
/// Default seed of the fault generator.
pub const DEFAULT_FAULT_SEED: u64 = 1;

/// Which faults the simulator injects, and how often (each rate a probability per request,
/// 0 by default). Applied to every `/restapi/...` request, the token endpoint included, never
/// to `/_admin/...`. Also the JSON body of `POST /_admin/faults` (missing fields: defaults).
///
/// ```
/// use ringlake_sim::Faults;
/// let f = Faults::new().with_503_rate(0.05).with_drop_rate(0.02).with_seed(7);
/// assert_eq!(f.rate_503, 0.05);
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Share of requests answered 503 `CMN-201` (half of them with `Retry-After: 1`).
    pub rate_503: f64,
    /// Share of requests whose connection is dropped after the headers and part of the body.
    pub drop_rate: f64,
    /// Share of requests answered with the normal status and headers but the body cut short.
    pub truncate_rate: f64,
    /// Share of requests answered only after `slow_ms`.
    pub slow_rate: f64,
    /// Delay of a slow reply.
    pub slow_ms: u64,
    /// Seed of the fault generator.
    pub seed: u64,
    /// Endpoints that always fail: every API request whose route ends with one of these
    /// (`/active-calls`, `/extension/{extension_id}/message-store`) is answered with its
    /// status after the token check (403 as a missing permission, 404 as a missing resource,
    /// anything else as a server error).
    pub broken_routes: Vec<BrokenRoute>,
}

/// An endpoint that always fails (see [`Faults::broken_routes`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenRoute {
    /// The end of the route's path pattern.
    pub route_ends_with: String,
    /// The HTTP status it answers.
    pub status: u16,
}

impl BrokenRoute {
    /// The route ending `route_ends_with` answers `status` to every request.
    pub fn new(route_ends_with: &str, status: u16) -> Self {
        Self {
            route_ends_with: route_ends_with.to_owned(),
            status,
        }
    }
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            rate_503: 0.0,
            drop_rate: 0.0,
            truncate_rate: 0.0,
            slow_rate: 0.0,
            slow_ms: DEFAULT_SLOW_MS,
            seed: DEFAULT_FAULT_SEED,
            broken_routes: Vec::new(),
        }
    }
}

impl Faults {
    /// No faults (same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Share of 503 answers.
    pub fn with_503_rate(mut self, rate: f64) -> Self {
        self.rate_503 = rate;
        self
    }

    /// Share of dropped connections.
    pub fn with_drop_rate(mut self, rate: f64) -> Self {
        self.drop_rate = rate;
        self
    }

    /// Share of truncated bodies.
    pub fn with_truncate_rate(mut self, rate: f64) -> Self {
        self.truncate_rate = rate;
        self
    }

    /// Share of slow replies.
    pub fn with_slow_rate(mut self, rate: f64) -> Self {
        self.slow_rate = rate;
        self
    }

    /// Delay of a slow reply.
    pub fn with_slow_ms(mut self, ms: u64) -> Self {
        self.slow_ms = ms;
        self
    }

    /// Seed of the fault generator.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// One more endpoint that always fails.
    pub fn with_broken_route(mut self, route: BrokenRoute) -> Self {
        self.broken_routes.push(route);
        self
    }
}

/// A rate as a probability: NaN and negatives are 0, above 1 is 1.
fn probability(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

/// One fault drawn for one request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fault {
    /// 503 `CMN-201` instead of the handler's answer.
    Unavailable { retry_after: bool },
    /// Headers, then `cut` (0–1) of the body, then the connection is aborted.
    Drop { cut: f64 },
    /// The body cut at `cut` (0–1) of its length, sent as if complete.
    Truncate { cut: f64 },
    /// The answer held back this long.
    Slow { ms: u64 },
}

/// The answer of a broken route (see [`Faults::broken_routes`]).
pub(crate) fn broken(status: u16, route: &str) -> Response {
    // The permission each family of endpoints needs (docs/api.md §1).
    let permission = if route.contains("message") {
        "ReadMessages"
    } else if route.contains("call-log") || route.contains("active-calls") {
        "ReadCallLog"
    } else {
        "ReadAccounts"
    };
    let body = match status {
        403 => api_error(
            "InsufficientPermissions",
            "CMN-401",
            &format!(
                "In order to call this API endpoint, user needs to have [{permission}] permission for requested resource."
            ),
        ),
        404 => api_error(
            "ResourceNotFound",
            "CMN-102",
            "Resource for parameter [accountId] is not found",
        ),
        _ => api_error("InternalServerError", "CMN-500", "Internal server error"),
    };
    let mut resp = Response::new(Body::from(serde_json::to_vec(&body).unwrap_or_default()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    resp
}

/// The seeded generator of faults.
#[derive(Debug)]
pub(crate) struct Dice {
    faults: Faults,
    rng: ChaCha8Rng,
}

impl Dice {
    pub fn new(faults: Faults) -> Self {
        let rng = ChaCha8Rng::seed_from_u64(faults.seed);
        Self { faults, rng }
    }

    /// The faults it draws from.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The fault for the next request, if any. Always consumes the same number of draws,
    /// so the sequence depends only on the request order. The rates are stacked in the
    /// order 503, drop, truncate, slow; together they cover at most every request.
    pub fn draw(&mut self) -> Option<Fault> {
        let u: f64 = self.rng.random();
        let extra: f64 = self.rng.random();
        let f = &self.faults;
        let mut edge = 0.0;
        let mut hit = |rate: f64| {
            edge += probability(rate);
            u < edge
        };
        if hit(f.rate_503) {
            Some(Fault::Unavailable {
                retry_after: extra < 0.5,
            })
        } else if hit(f.drop_rate) {
            Some(Fault::Drop { cut: extra })
        } else if hit(f.truncate_rate) {
            Some(Fault::Truncate { cut: extra })
        } else if hit(f.slow_rate) {
            Some(Fault::Slow { ms: f.slow_ms })
        } else {
            None
        }
    }
}

/// The 503 answer (docs/api.md §6.1: `CMN-201`, legacy top-level fields and `errors[]`; may
/// carry `Retry-After`).
pub(crate) fn unavailable(retry_after: bool) -> Response {
    let body = api_error("CMN-201", "CMN-201", "Service Temporarily Unavailable");
    let mut resp = Response::new(Body::from(serde_json::to_vec(&body).unwrap_or_default()));
    *resp.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    if retry_after {
        h.insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    resp
}

/// Where a body of `len` bytes is cut: at least one byte kept and one lost when it has two.
fn cut_at(len: usize, cut: f64) -> usize {
    if len < 2 {
        return 0;
    }
    let at = (cut.clamp(0.0, 1.0) * (len - 1) as f64) as usize;
    at.clamp(1, len - 1)
}

/// Delivers `resp` the way `fault` says (503s are answered before the handler runs and
/// never reach here).
pub(crate) async fn deliver(resp: Response, fault: Fault) -> Response {
    match fault {
        Fault::Unavailable { .. } => resp,
        Fault::Slow { ms } => {
            // The delay is the fault itself, not a wait for a server.
            tokio::time::sleep(Duration::from_millis(ms)).await;
            resp
        }
        Fault::Truncate { cut } => {
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let kept = bytes.slice(..cut_at(bytes.len(), cut));
            // The length is the cut one, so the client reads a complete, broken document.
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(kept))
        }
        Fault::Drop { cut } => {
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let kept = bytes.slice(..cut_at(bytes.len(), cut));
            // A streamed (chunked) body that fails midway: hyper aborts the connection, and
            // the client sees the headers and part of the body, then the connection close.
            parts.headers.remove(header::CONTENT_LENGTH);
            let chunks: [Result<Bytes, std::io::Error>; 2] = [
                Ok(kept),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "simulated dropped connection",
                )),
            ];
            Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn no_rates_no_faults() {
        let mut d = Dice::new(Faults::new());
        assert!((0..1000).all(|_| d.draw().is_none()));
    }

    #[test]
    fn full_rate_always_and_same_seed_same_sequence() {
        let mut d = Dice::new(Faults::new().with_truncate_rate(1.0));
        assert!((0..100).all(|_| matches!(d.draw(), Some(Fault::Truncate { .. }))));
        let f = Faults::new()
            .with_503_rate(0.1)
            .with_drop_rate(0.1)
            .with_slow_rate(0.1)
            .with_seed(9);
        let a: Vec<_> = {
            let mut d = Dice::new(f.clone());
            (0..200).map(|_| d.draw()).collect()
        };
        let mut d = Dice::new(f);
        let b: Vec<_> = (0..200).map(|_| d.draw()).collect();
        assert_eq!(a, b);
        let n503 = a
            .iter()
            .filter(|x| matches!(x, Some(Fault::Unavailable { .. })))
            .count();
        assert!((5..40).contains(&n503), "{n503}");
    }

    #[test]
    fn rates_are_clamped() {
        let mut d = Dice::new(Faults::new().with_503_rate(f64::NAN).with_drop_rate(7.0));
        assert!((0..50).all(|_| matches!(d.draw(), Some(Fault::Drop { .. }))));
    }

    #[test]
    fn cut_keeps_and_loses_something() {
        assert_eq!(cut_at(0, 0.5), 0);
        assert_eq!(cut_at(1, 0.5), 0);
        assert_eq!(cut_at(2, 0.0), 1);
        assert_eq!(cut_at(2, 1.0), 1);
        assert_eq!(cut_at(101, 0.5), 50);
        assert_eq!(cut_at(100, 0.999), 98);
    }
}
