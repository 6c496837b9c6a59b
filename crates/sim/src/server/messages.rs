//! An extension's message store: the list (docs/api.md §1.8), messages by id, one or in
//! bulk (§1.9, §6.2), and message sync (§1.9). Attachment content is in `content.rs`.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use tracing::debug;

use super::paging::{PageOf, Totals};
use super::request::Incoming;
use super::respond::{json_response, set_header, value_response};
use super::state::AppState;
use crate::bulk::{self, MAX_BULK_IDS, Part};
use crate::error::{Error, Result};
use crate::message_sync;
use crate::messages::render;
use crate::query::{self, MessageQuery, MessageSyncQuery};

/// `GET …/extension/{extension_id}/message-store`.
pub(super) fn list(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let mailbox = st.check_extension(req.param("extension_id"))?;
    let pairs = query::pairs(req.query);
    let q = MessageQuery::parse(&pairs, Utc::now())?;
    let urls = st.urls(req.headers);
    let data = st.data();
    let store = &data.messages;
    let from = data.served_from(q.date_from);
    let range = store.window(mailbox, from, q.date_to, st.cfg.date_to_inclusive);
    let pass = |v: &Vec<&'static str>, x: &str| v.is_empty() || v.contains(&x);
    // Newest first, ties by id descending (docs/api.md §1.8).
    let matching: Vec<usize> = range
        .rev()
        .filter(|&i| {
            let m = &store.messages[i];
            q.availability.contains(&m.availability)
                && pass(&q.types, m.kind)
                && pass(&q.directions, m.direction)
                && pass(&q.read_status, m.read_status)
        })
        .collect();
    let list = format!("{}/message-store", urls.extension(mailbox));
    let page = PageOf::new(&list, q.page, q.per_page, |p| q.query_string(p));
    let body = page.of(&matching, Totals::CountedWithPrevious, |&i| {
        render(&urls, &store.messages[i])
    });
    debug!(
        page = q.page,
        per_page = q.per_page,
        "Message-store page served."
    );
    Ok(json_response(StatusCode::OK, body))
}

/// `GET …/message-store/{message_id}`: one id, or a comma list answered 207 (docs/api.md
/// §1.9, §6.2).
pub(super) fn item(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let mailbox = st.check_extension(req.param("extension_id"))?;
    let ids = req.param("message_id");
    let urls = st.urls(req.headers);
    let data = st.data();
    let store = &data.messages;
    let find = |id: &str| {
        id.trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| store.get(mailbox, id))
            .ok_or_else(|| Error::UnknownMessage {
                message_id: id.to_string(),
            })
    };
    if !ids.contains(',') {
        let m = find(ids)?;
        return Ok(value_response(StatusCode::OK, &render(&urls, m)));
    }
    let wanted: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.len() > MAX_BULK_IDS {
        return Err(Error::BatchTooLarge {
            count: wanted.len(),
            max: MAX_BULK_IDS,
        });
    }
    if wanted.is_empty() {
        return Err(Error::UnknownMessage {
            message_id: ids.to_string(),
        });
    }
    let parts: Vec<Part> = wanted
        .iter()
        .map(|id| {
            let href = format!("{}/message-store/{id}", urls.extension(mailbox));
            let (status, body) = match find(id) {
                Ok(m) => (StatusCode::OK, render(&urls, m)),
                Err(e) => (e.status(), e.body()),
            };
            Part {
                href,
                resource_id: (*id).to_string(),
                status,
                body,
            }
        })
        .collect();
    let as_json = req
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains(bulk::MULTIPART_JSON));
    debug!(
        ids = parts.len(),
        json = as_json,
        "Bulk message GET served."
    );
    let resp = if as_json {
        let mut r = value_response(StatusCode::MULTI_STATUS, &bulk::json_array(&parts));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(bulk::MULTIPART_JSON),
        );
        r
    } else {
        let boundary = bulk::boundary();
        let mut r = Response::new(Body::from(bulk::multipart_mixed(&parts, &boundary)));
        *r.status_mut() = StatusCode::MULTI_STATUS;
        set_header(
            &mut r,
            "Content-Type",
            format!("multipart/mixed; boundary={boundary}"),
        );
        r
    };
    Ok(resp)
}

/// `GET …/extension/{extension_id}/message-sync` (docs/api.md §1.9).
pub(super) fn sync(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let mailbox = st.check_extension(req.param("extension_id"))?;
    let now = Utc::now();
    let q = MessageSyncQuery::parse(&query::pairs(req.query), now)?;
    let urls = st.urls(req.headers);
    let data = st.data();
    let store = &data.messages;
    let body = match q {
        MessageSyncQuery::Full(f) => {
            message_sync::full(store, &urls, mailbox, &f, st.cfg.date_to_inclusive, now)
        }
        MessageSyncQuery::Incremental { sync_token } => {
            let max_age = i64::try_from(st.cfg.message_sync_token_max_age_secs)
                .ok()
                .and_then(chrono::Duration::try_seconds)
                .unwrap_or(chrono::Duration::MAX);
            message_sync::incremental(store, &urls, mailbox, &sync_token, max_age, now)
                .inspect_err(|e| debug!(error = %e, "Message ISync refused."))?
        }
    };
    debug!(
        records = body["records"].as_array().map_or(0, Vec::len),
        "Message sync served."
    );
    Ok(value_response(StatusCode::OK, &body))
}
