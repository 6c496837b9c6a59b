//! `GET …/message-store/{message_id}/content/{attachment_id}`: attachment bytes on the
//! media host, with byte ranges and an optional `Content-Disposition` (docs/api.md §1, §1.9).

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;

use super::request::Incoming;
use super::respond::{set_header, value_response};
use super::state::AppState;
use crate::error::{Error, Result, api_error};
use crate::media::{self, Span};
use crate::query;

pub(super) fn content(st: &AppState, req: &Incoming<'_>) -> Result<Response> {
    st.check_account(req.param("account_id"))?;
    let mailbox = st.check_extension(req.param("extension_id"))?;
    let (message_id, attachment_id) = (req.param("message_id"), req.param("attachment_id"));
    let data = st.data();
    let m = message_id
        .parse::<i64>()
        .ok()
        .and_then(|id| data.messages.get(mailbox, id))
        .ok_or_else(|| Error::UnknownMessage {
            message_id: message_id.to_string(),
        })?;
    // A purged message has no attachments left (docs/api.md §7).
    let a = attachment_id
        .parse::<i64>()
        .ok()
        .and_then(|id| m.attachments.iter().find(|a| a.id == id))
        .ok_or_else(|| Error::UnknownAttachment {
            attachment_id: attachment_id.to_string(),
        })?;
    let pairs = query::pairs(req.query);
    // The last occurrence wins, as for every other repeated parameter.
    let param = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let disposition = match param("contentDisposition") {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("Inline") => Some("inline"),
        Some(v) if v.eq_ignore_ascii_case("Attachment") => Some("attachment"),
        Some(v) => {
            return Err(Error::InvalidParameter {
                name: "contentDisposition",
                value: v.to_string(),
            });
        }
    };
    let bytes = media::content(m, a);
    let len = bytes.len() as u64;
    let range = req.headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let mut resp = match media::span(range, len) {
        Span::Whole => {
            let mut r = Response::new(Body::from(bytes));
            set_header(&mut r, "Content-Length", len);
            r
        }
        Span::Part { start, end } => {
            let slice = bytes
                .get(start as usize..=end as usize)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
            let mut r = Response::new(Body::from(slice));
            *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            set_header(
                &mut r,
                "Content-Range",
                format!("bytes {start}-{end}/{len}"),
            );
            set_header(&mut r, "Content-Length", end - start + 1);
            r
        }
        Span::Unsatisfiable => {
            let mut r = value_response(
                StatusCode::RANGE_NOT_SATISFIABLE,
                &api_error("CMN-101", "CMN-101", "Requested range not satisfiable"),
            );
            set_header(&mut r, "Content-Range", format!("bytes */{len}"));
            return Ok(r);
        }
    };
    set_header(&mut resp, "Content-Type", a.content_type);
    set_header(&mut resp, "Accept-Ranges", "bytes");
    if let Some(d) = disposition {
        let value = match param("contentDispositionFilename") {
            Some(name) => format!("{d}; filename=\"{}\"", name.replace(['"', '\\'], "_")),
            None => d.to_string(),
        };
        set_header(&mut resp, "Content-Disposition", value);
    }
    Ok(resp)
}
