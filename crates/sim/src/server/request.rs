//! The request as a handler sees it, and the one signature every handler has, so that the
//! route table can list handlers side by side and the gate can run any of them.

use axum::http::HeaderMap;
use axum::response::Response;

use super::state::AppState;
use crate::error::Result;

/// One request, already past the router: path captures by name, headers, raw query, body.
#[derive(Debug)]
pub(super) struct Incoming<'a> {
    /// The route's path pattern (`/restapi/v1.0/account/{account_id}/active-calls`).
    pub route: &'static str,
    pub params: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub query: Option<&'a str>,
    /// Empty for GET routes, which never read the body.
    pub body: &'a [u8],
}

impl Incoming<'_> {
    /// The path capture `name` (`{account_id}` → `"account_id"`). The route table declares
    /// the captures each handler reads, so a missing one is a typo in the table; it reads as
    /// empty, which every id check refuses.
    pub(super) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A handler answers from the shared state; an `Err` becomes the API error body.
pub(super) type Handler = fn(&AppState, &Incoming<'_>) -> Result<Response>;
