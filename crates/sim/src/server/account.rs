//! The account itself and its extension list (docs/api.md §1.7, §1.10).

use axum::http::StatusCode;
use axum::response::Response;

use super::paging::{PageOf, Totals};
use super::request::Incoming;
use super::respond::{json_response, value_response};
use super::state::AppState;
use crate::error::Result;
use crate::query::{self, ExtensionQuery};
use crate::render;

/// `GET /restapi/v1.0/account/{account_id}`.
pub(super) fn info(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let body = render::account_info(&st.urls(req.headers), &st.data().truth.account);
    Ok(value_response(StatusCode::OK, &body))
}

/// `GET …/extension`: filtered by `status` and `type`, counted, no `previousPage`.
pub(super) fn extensions(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let pairs = query::pairs(req.query);
    let q = ExtensionQuery::parse(&pairs)?;
    let urls = st.urls(req.headers);
    let data = st.data();
    let acc = &data.account;
    let matching: Vec<_> = acc
        .extensions
        .iter()
        .filter(|e| q.statuses.is_empty() || q.statuses.contains(&e.status))
        .filter(|e| q.types.is_empty() || q.types.iter().any(|t| t.eq_ignore_ascii_case(e.kind)))
        .collect();
    let list = format!(
        "{}/restapi/v1.0/account/{}/extension",
        urls.base, st.cfg.account_id
    );
    let page = PageOf::new(&list, q.page, q.per_page, |p| q.query_string(p));
    let body = page.of(&matching, Totals::Counted, |e| {
        render::extension(&urls, &acc.company, e)
    });
    Ok(json_response(StatusCode::OK, body))
}
