//! The account's and one extension's active calls (docs/api.md §1.5).

use axum::http::StatusCode;
use axum::response::Response;

use super::paging::{PageOf, Totals};
use super::request::Incoming;
use super::respond::json_response;
use super::state::AppState;
use crate::error::Result;
use crate::query::{self, ActiveCallsQuery};

/// `GET …/account/{account_id}/active-calls`.
pub(super) fn account(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    list(st, req, None)
}

/// `GET …/extension/{extension_id}/active-calls`.
pub(super) fn extension(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    list(st, req, Some(req.param("extension_id")))
}

fn list(st: &AppState, req: &Incoming<'_>, ext: Option<&str>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let ext = ext.map(|e| st.check_extension(e)).transpose()?;
    let pairs = query::pairs(req.query);
    let q = ActiveCallsQuery::parse(&pairs)?;
    let urls = st.urls(req.headers);
    let data = st.data();
    let active = &data.active;
    let matching: Vec<usize> = (0..active.len())
        .filter(|&i| {
            let c = &active[i];
            q.voice
                && ext.is_none_or(|e| e == c.extension_id)
                && (q.directions.is_empty() || q.directions.contains(&c.direction))
        })
        .collect();
    let list = match ext {
        Some(e) => format!("{}/active-calls", urls.extension(e)),
        None => format!(
            "{}/restapi/v1.0/account/{}/active-calls",
            urls.base, st.cfg.account_id
        ),
    };
    let page = PageOf::new(&list, q.page, q.per_page, |p| q.query_string(p));
    // Like the call log: no totals, no lastPage (docs/api.md §2.1).
    let body = page.of(&matching, Totals::None, |&i| {
        crate::active::render(&urls, &active[i])
    });
    Ok(json_response(StatusCode::OK, body))
}
