//! The company call log: the paged list (docs/api.md §1.1) and the extract sync (§1.4).

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use tracing::debug;

use super::paging::PageOf;
use super::request::Incoming;
use super::respond::json_response;
use super::state::AppState;
use crate::config::SimConfig;
use crate::dataset::{CAT_DELETED, CAT_FAX, CAT_OUTBOUND, Dataset};
use crate::error::Result;
use crate::extract_sync;
use crate::query::{self, CallLogQuery, ExtractSyncQuery};
use crate::render::{self, Urls};

/// `GET …/call-log`.
pub(super) fn list(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let body = page(
        &st.cfg,
        &st.data(),
        &st.urls(req.headers),
        req.query,
        Utc::now(),
    )?;
    Ok(json_response(StatusCode::OK, body))
}

/// The body of `GET /restapi/v1.0/account/~/call-log?<raw>` at `now`: one page of the
/// account call log in the list envelope (docs/api.md §1.1, §2.1). Also what
/// `Simulator::call_log_page` hands benchmarks without a server.
pub(super) fn page(
    cfg: &SimConfig,
    data: &Dataset,
    urls: &Urls,
    raw: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let pairs = query::pairs(raw);
    let q = CallLogQuery::parse(&pairs, now)?;
    let range = data.window(q.date_from, q.date_to, cfg.date_to_inclusive);
    let show_deleted = q.show_deleted.unwrap_or(false);
    let wants = |cat: u8| {
        if cat & CAT_DELETED != 0 && !show_deleted {
            return false;
        }
        let kind = if cat & CAT_FAX != 0 { "Fax" } else { "Voice" };
        let dir = if cat & CAT_OUTBOUND != 0 {
            "Outbound"
        } else {
            "Inbound"
        };
        (q.types.is_empty() || q.types.contains(&kind))
            && (q.directions.is_empty() || q.directions.contains(&dir))
    };
    // Newest first, ties by id descending: the reverse of the stored order, so pages
    // are stable (docs/api.md §1.1, ordering observed in every sample). The window is
    // walked, not counted: the call log has no totals to report (docs/api.md §2.1).
    let skip = u64::from(q.page - 1) * u64::from(q.per_page);
    let mut seen = 0u64;
    let mut picked = Vec::with_capacity(q.per_page.min(1000) as usize);
    let mut more = false;
    for i in range.rev() {
        if !wants(data.recipes[i].category) {
            continue;
        }
        if seen < skip {
            seen += 1;
        } else if picked.len() < q.per_page as usize {
            picked.push(i);
        } else {
            more = true;
            break;
        }
    }
    let calls: Vec<(usize, crate::calls::Call)> = picked
        .iter()
        .filter_map(|&i| data.call(i).map(|c| (i, c)))
        .collect();
    let records: Vec<render::RecordOut<'_>> = calls
        .iter()
        .map(|(i, c)| render::record(urls, &data.truth.calls[*i].id, c, q.detailed))
        .collect();
    let list = format!(
        "{}/restapi/v1.0/account/{}/call-log",
        urls.base, cfg.account_id
    );
    debug!(
        page = q.page,
        per_page = q.per_page,
        records = records.len(),
        "Call-log page served."
    );
    let page = PageOf::new(&list, q.page, q.per_page, |p| q.query_string(p));
    Ok(page.uncounted(records, more))
}

/// `GET …/call-log-extract-sync` (docs/api.md §1.4; ordering in `extract_sync.rs`).
pub(super) fn extract_sync(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let now = Utc::now();
    let q = ExtractSyncQuery::parse(&query::pairs(req.query), now)?;
    let max_age = i64::try_from(st.cfg.extract_sync_token_max_age_secs)
        .ok()
        .and_then(chrono::Duration::try_seconds)
        .unwrap_or(chrono::Duration::MAX);
    let body = extract_sync::serve(&st.data(), &st.urls(req.headers), &q, max_age, now)
        .inspect_err(|e| debug!(error = %e, "Extract ISync refused."))?;
    debug!(bytes = body.len(), "Call-log extract sync served.");
    Ok(json_response(StatusCode::OK, body))
}
