//! The HTTP side: routes, rate limiting, auth checks, envelopes, and the server handle.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

use crate::auth::{GrantProblem, TokenProblem, TokenStore};
use crate::bulk::{self, MAX_BULK_IDS, Part};
use crate::config::{RateLimits, SimConfig};
use crate::dataset::{CAT_DELETED, CAT_FAX, CAT_OUTBOUND, Dataset};
use crate::error::{Error, Result, api_error};
use crate::extract_sync;
use crate::faults::{self, Dice, Fault, Faults};
use crate::limiter::{Decision, Group, Limiter};
use crate::media::{self, Span};
use crate::message_sync::{self, SyncToken};
use crate::mutate::{Mutation, MutationReport};
use crate::query::{
    self, ActiveCallsQuery, CallLogQuery, ExtensionQuery, ExtractSyncQuery, MessageQuery,
    MessageSyncQuery,
};
use crate::render::{self, Urls};
use crate::truth::Truth;

/// Counters of what the simulator answered, from `SimHandle::stats` or `GET /_admin/stats`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SimStats {
    /// Requests per rate-limit group (`Heavy`, `Medium`, `Light`, `Auth`), refused ones included.
    pub requests_by_group: BTreeMap<String, u64>,
    /// 429 answers.
    pub responses_429: u64,
    /// 401 answers (API calls and token endpoint).
    pub responses_401: u64,
    /// Successful JWT bearer grants.
    pub token_grants: u64,
    /// Successful refresh grants.
    pub token_refreshes: u64,
    /// Injected 503 answers.
    pub faults_503: u64,
    /// Injected dropped connections.
    pub faults_dropped: u64,
    /// Injected truncated bodies.
    pub faults_truncated: u64,
    /// Injected slow replies.
    pub faults_slow: u64,
}

#[derive(Debug)]
pub(crate) struct AppState {
    /// The current data set. A request clones the `Arc` and renders from it without
    /// holding the lock; a late update swaps in a new one (see `mutate.rs`).
    data: RwLock<Arc<Dataset>>,
    /// Serialises late updates, so none is lost between clone and swap.
    mutating: Mutex<()>,
    cfg: SimConfig,
    tokens: Mutex<TokenStore>,
    limiter: Mutex<Limiter>,
    faults: Mutex<Dice>,
    stats: Mutex<SimStats>,
    local_addr: SocketAddr,
}

type Shared = Arc<AppState>;

/// A poisoned lock only means another request panicked; the counters are still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn value_response(status: StatusCode, body: &Value) -> Response {
    json_response(status, serde_json::to_vec(body).unwrap_or_default())
}

fn error_response(e: &Error) -> Response {
    value_response(e.status(), &e.body())
}

fn set_header(resp: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        resp.headers_mut().insert(name, v);
    }
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

#[derive(Serialize)]
struct Link {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_pages: Option<u64>,
    per_page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_elements: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_start: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_end: Option<u64>,
}

impl Paging {
    /// `page`, `pageStart`, `pageEnd` are omitted on an empty page (docs/api.md §2.1).
    fn new(page: u32, per_page: u32, count: usize) -> Self {
        let start = u64::from(page - 1) * u64::from(per_page);
        let filled = count > 0;
        Self {
            page: filled.then_some(page),
            total_pages: None,
            per_page,
            total_elements: None,
            page_start: filled.then_some(start),
            page_end: filled.then(|| start + count as u64 - 1),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Navigation {
    first_page: Link,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_page: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_page: Option<Link>,
}

#[derive(Serialize)]
struct ListPage<R> {
    uri: String,
    records: Vec<R>,
    paging: Paging,
    navigation: Navigation,
}

impl AppState {
    fn data(&self) -> Arc<Dataset> {
        self.data.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn mutate(&self, m: &Mutation) -> MutationReport {
        let _one_at_a_time = lock(&self.mutating);
        // Built outside the write lock so requests keep being served meanwhile.
        let (next, report) = self.data().mutated(m, Utc::now());
        *self.data.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        info!(
            calls = report.calls.len(),
            recordings = report.recordings_added.len(),
            messages_read = report.messages_read.len(),
            messages_deleted = report.messages_deleted.len(),
            "Late updates applied."
        );
        report
    }

    fn set_limits(&self, limits: RateLimits) {
        info!(
            light = limits.light,
            medium = limits.medium,
            heavy = limits.heavy,
            auth = limits.auth,
            window_secs = limits.window_secs,
            "Rate limits changed."
        );
        lock(&self.limiter).set_limits(limits);
    }

    fn set_faults(&self, faults: Faults) {
        info!(faults = ?faults, "Faults changed.");
        *lock(&self.faults) = Dice::new(faults);
    }

    fn count_group(&self, g: Group) {
        *lock(&self.stats)
            .requests_by_group
            .entry(g.name().to_string())
            .or_default() += 1;
    }

    /// Rate limit first, then the handler; every answer carries the group headers.
    ///
    /// The fault for the request is drawn here, for every request in arrival order. A
    /// request refused by the limit gets its 429 and no fault; an admitted one counts
    /// against the limit whatever its fault. A 503 replaces the handler; other faults are
    /// left in the response's extensions for [`inject_faults`] to deliver.
    fn limited(&self, g: Group, f: impl FnOnce() -> Response) -> Response {
        self.count_group(g);
        let fault = lock(&self.faults).draw();
        let d = lock(&self.limiter).check(g, Instant::now());
        let mut resp = if !d.allowed {
            lock(&self.stats).responses_429 += 1;
            debug!(group = g.name(), "Request refused by the rate limit.");
            too_many(&d)
        } else if let Some(Fault::Unavailable { retry_after }) = fault {
            lock(&self.stats).faults_503 += 1;
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

    /// An API call: rate limit, then the bearer token, then the handler.
    fn api(&self, g: Group, headers: &HeaderMap, f: impl FnOnce() -> Response) -> Response {
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        self.authorized(g, auth, f)
    }

    /// A media-host call: like [`Self::api`], but the token may also come as
    /// `?access_token=` (docs/api.md §1; media paths only). The header wins when both are sent.
    fn media(
        &self,
        g: Group,
        headers: &HeaderMap,
        raw: Option<&str>,
        f: impl FnOnce() -> Response,
    ) -> Response {
        let header = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let auth = header.or_else(|| {
            query::pairs(raw)
                .into_iter()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| format!("Bearer {v}"))
        });
        self.authorized(g, auth.as_deref(), f)
    }

    fn authorized(&self, g: Group, auth: Option<&str>, f: impl FnOnce() -> Response) -> Response {
        self.limited(g, || {
            // Bind first so the token lock is released before the handler runs.
            let checked = lock(&self.tokens).check_bearer(auth, Instant::now());
            match checked {
                Ok(()) => f(),
                Err(p) => {
                    lock(&self.stats).responses_401 += 1;
                    unauthorized(&p)
                }
            }
        })
    }

    fn urls(&self, headers: &HeaderMap) -> Urls {
        // Absolute URIs follow the Host the client used, like the real server's.
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| self.local_addr.to_string());
        Urls {
            base: format!("http://{host}"),
            account_id: self.cfg.account_id,
        }
    }

    fn check_account(&self, account: &str) -> Result<()> {
        if account == "~" || account == self.cfg.account_id.to_string() {
            Ok(())
        } else {
            Err(Error::UnknownAccount {
                account_id: account.to_string(),
            })
        }
    }

    /// `~` is the token owner: the account's main extension, whose id is the account id.
    fn check_extension(&self, ext: &str) -> Result<i64> {
        if ext == "~" {
            return Ok(self.cfg.account_id);
        }
        ext.parse::<i64>()
            .ok()
            .filter(|id| self.data().account.extensions.iter().any(|e| e.id == *id))
            .ok_or_else(|| Error::UnknownExtension {
                extension_id: ext.to_string(),
            })
    }

    fn message_store(
        &self,
        account: &str,
        ext: &str,
        headers: &HeaderMap,
        raw: Option<&str>,
    ) -> Result<Response> {
        self.check_account(account)?;
        let mailbox = self.check_extension(ext)?;
        let pairs = query::pairs(raw);
        let q = MessageQuery::parse(&pairs, Utc::now())?;
        let urls = self.urls(headers);
        let data = self.data();
        let store = &data.messages;
        let range = store.window(mailbox, q.date_from, q.date_to, self.cfg.date_to_inclusive);
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
        let body = paged(
            &list,
            &matching,
            q.page,
            q.per_page,
            true,
            |p| q.query_string(p),
            |&i| crate::messages::render(&urls, &store.messages[i]),
        );
        debug!(
            page = q.page,
            per_page = q.per_page,
            "Message-store page served."
        );
        Ok(json_response(StatusCode::OK, body))
    }

    /// `GET …/message-store/{messageId}`: one id, or a comma list answered 207 (docs/api.md
    /// §1.9, §6.2).
    fn message_item(
        &self,
        account: &str,
        ext: &str,
        ids: &str,
        headers: &HeaderMap,
    ) -> Result<Response> {
        self.check_account(account)?;
        let mailbox = self.check_extension(ext)?;
        let urls = self.urls(headers);
        let data = self.data();
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
            return Ok(value_response(
                StatusCode::OK,
                &crate::messages::render(&urls, m),
            ));
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
                    Ok(m) => (StatusCode::OK, crate::messages::render(&urls, m)),
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
        let as_json = headers
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

    /// `GET …/message-sync` (docs/api.md §1.9).
    fn message_sync(
        &self,
        account: &str,
        ext: &str,
        headers: &HeaderMap,
        raw: Option<&str>,
    ) -> Result<Response> {
        self.check_account(account)?;
        let mailbox = self.check_extension(ext)?;
        let now = Utc::now();
        let q = MessageSyncQuery::parse(&query::pairs(raw), now)?;
        let urls = self.urls(headers);
        let data = self.data();
        let store = &data.messages;
        let body = match q {
            MessageSyncQuery::Full(f) => {
                message_sync::full(store, &urls, mailbox, &f, self.cfg.date_to_inclusive, now)
            }
            MessageSyncQuery::Incremental { sync_token } => {
                let max_age = i64::try_from(self.cfg.message_sync_token_max_age_secs)
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

    /// `GET …/message-store/{m}/content/{a}` on the media host (docs/api.md §1, §1.9).
    fn message_content(
        &self,
        account: &str,
        ext: &str,
        message_id: &str,
        attachment_id: &str,
        headers: &HeaderMap,
        raw: Option<&str>,
    ) -> Result<Response> {
        self.check_account(account)?;
        let mailbox = self.check_extension(ext)?;
        let data = self.data();
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
        let pairs = query::pairs(raw);
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
        let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
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

    fn active_calls(
        &self,
        account: &str,
        ext: Option<&str>,
        headers: &HeaderMap,
        raw: Option<&str>,
    ) -> Result<Response> {
        self.check_account(account)?;
        let ext = ext.map(|e| self.check_extension(e)).transpose()?;
        let pairs = query::pairs(raw);
        let q = ActiveCallsQuery::parse(&pairs)?;
        let urls = self.urls(headers);
        let data = self.data();
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
                urls.base, self.cfg.account_id
            ),
        };
        // Like the call log: no totals, no lastPage (docs/api.md §2.1).
        let body = paged(
            &list,
            &matching,
            q.page,
            q.per_page,
            false,
            |p| q.query_string(p),
            |&i| crate::active::render(&urls, &active[i]),
        );
        Ok(json_response(StatusCode::OK, body))
    }

    fn token(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !form {
            return value_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &crate::error::oauth_error(
                    "invalid_request",
                    "CMN-415",
                    "Content-Type must be application/x-www-form-urlencoded",
                ),
            );
        }
        let result = self.grant(headers, body);
        match result {
            Ok(v) => value_response(StatusCode::OK, &v),
            Err(p) => {
                let status = if p.status() == 401 {
                    lock(&self.stats).responses_401 += 1;
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::BAD_REQUEST
                };
                debug!(problem = ?p, "Token request refused.");
                value_response(status, &p.body())
            }
        }
    }

    fn grant(&self, headers: &HeaderMap, body: &[u8]) -> Result<Value, GrantProblem> {
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        TokenStore::check_client(auth, &self.cfg.credentials)?;
        let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let now = Instant::now();
        match field("grant_type") {
            Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
                if field("assertion") != Some(self.cfg.credentials.jwt.as_str()) {
                    return Err(GrantProblem::BadAssertion);
                }
                let v = lock(&self.tokens).grant(now);
                lock(&self.stats).token_grants += 1;
                info!("Token granted (JWT bearer).");
                Ok(v)
            }
            Some("refresh_token") => {
                let token = field("refresh_token").ok_or(GrantProblem::BadRefreshToken)?;
                let v = lock(&self.tokens).refresh(token, now)?;
                lock(&self.stats).token_refreshes += 1;
                debug!("Token refreshed.");
                Ok(v)
            }
            Some(_) => Err(GrantProblem::UnsupportedGrant),
            None => Err(GrantProblem::MissingGrantType),
        }
    }

    fn call_log(&self, account: &str, headers: &HeaderMap, raw: Option<&str>) -> Result<Response> {
        self.check_account(account)?;
        let body = call_log_page(
            &self.cfg,
            &self.data(),
            &self.urls(headers),
            raw,
            Utc::now(),
        )?;
        Ok(json_response(StatusCode::OK, body))
    }

    /// `GET …/call-log-extract-sync` (docs/api.md §1.4; ordering in `extract_sync.rs`).
    fn extract_sync(
        &self,
        account: &str,
        headers: &HeaderMap,
        raw: Option<&str>,
    ) -> Result<Response> {
        self.check_account(account)?;
        let now = Utc::now();
        let q = ExtractSyncQuery::parse(&query::pairs(raw), now)?;
        let max_age = i64::try_from(self.cfg.extract_sync_token_max_age_secs)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .unwrap_or(chrono::Duration::MAX);
        let body = extract_sync::serve(&self.data(), &self.urls(headers), &q, max_age, now)
            .inspect_err(|e| debug!(error = %e, "Extract ISync refused."))?;
        debug!(bytes = body.len(), "Call-log extract sync served.");
        Ok(json_response(StatusCode::OK, body))
    }

    fn account_info(&self, account: &str, headers: &HeaderMap) -> Result<Response> {
        self.check_account(account)?;
        let body = render::account_info(&self.urls(headers), &self.data().truth.account);
        Ok(value_response(StatusCode::OK, &body))
    }

    fn extensions(
        &self,
        account: &str,
        headers: &HeaderMap,
        raw: Option<&str>,
    ) -> Result<Response> {
        self.check_account(account)?;
        let pairs = query::pairs(raw);
        let q = ExtensionQuery::parse(&pairs)?;
        let urls = self.urls(headers);
        let data = self.data();
        let acc = &data.account;
        let matching: Vec<_> = acc
            .extensions
            .iter()
            .filter(|e| q.statuses.is_empty() || q.statuses.contains(&e.status))
            .filter(|e| {
                q.types.is_empty() || q.types.iter().any(|t| t.eq_ignore_ascii_case(e.kind))
            })
            .collect();
        let total = matching.len() as u64;
        let per_page = u64::from(q.per_page);
        let total_pages = total.div_ceil(per_page);
        let start = u64::from(q.page - 1) * per_page;
        let records: Vec<Value> = matching
            .iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(q.per_page as usize)
            .map(|e| render::extension(&urls, &acc.company, e))
            .collect();
        let list = format!(
            "{}/restapi/v1.0/account/{}/extension",
            urls.base, self.cfg.account_id
        );
        let link = |page: u32| Link {
            uri: format!("{list}?{}", q.query_string(page)),
        };
        let mut paging = Paging::new(q.page, q.per_page, records.len());
        paging.total_pages = Some(total_pages);
        paging.total_elements = Some(total);
        let last = u32::try_from(total_pages.max(1)).unwrap_or(u32::MAX);
        let page = ListPage {
            uri: link(q.page).uri,
            paging,
            navigation: Navigation {
                first_page: link(1),
                next_page: (u64::from(q.page) < total_pages).then(|| link(q.page + 1)),
                previous_page: None,
                last_page: Some(link(last)),
            },
            records,
        };
        Ok(json_response(
            StatusCode::OK,
            serde_json::to_vec(&page).unwrap_or_default(),
        ))
    }
}

/// The body of `GET /restapi/v1.0/account/~/call-log?<raw>` at `now`: one page of the
/// account call log in the list envelope (docs/api.md §1.1, §2.1).
fn call_log_page(
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
    // are stable (docs/api.md §1.1, ordering observed in every sample).
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
    let link = |page: u32| Link {
        uri: format!("{list}?{}", q.query_string(page)),
    };
    let page = ListPage {
        uri: link(q.page).uri,
        paging: Paging::new(q.page, q.per_page, records.len()),
        navigation: Navigation {
            first_page: link(1),
            // No lastPage: the call log knows no totals (docs/api.md §2.1).
            next_page: more.then(|| link(q.page + 1)),
            previous_page: None,
            last_page: None,
        },
        records,
    };
    debug!(
        page = q.page,
        per_page = q.per_page,
        records = page.records.len(),
        "Call-log page served."
    );
    Ok(serde_json::to_vec(&page).unwrap_or_default())
}

/// One page of `items` in the list envelope (docs/api.md §2.1). `totals`: `paging` carries
/// totalPages/totalElements and navigation lastPage/previousPage (message store); without,
/// call-log style (active calls).
fn paged<T>(
    list: &str,
    items: &[T],
    page: u32,
    per_page: u32,
    totals: bool,
    query: impl Fn(u32) -> String,
    render: impl Fn(&T) -> Value,
) -> Vec<u8> {
    let start = usize::try_from(u64::from(page - 1) * u64::from(per_page)).unwrap_or(usize::MAX);
    let records: Vec<Value> = items
        .iter()
        .skip(start)
        .take(per_page as usize)
        .map(render)
        .collect();
    let total = items.len() as u64;
    let total_pages = total.div_ceil(u64::from(per_page));
    let link = |p: u32| Link {
        uri: format!("{list}?{}", query(p)),
    };
    let mut paging = Paging::new(page, per_page, records.len());
    let more = u64::from(page) < total_pages;
    let navigation = if totals {
        paging.total_pages = Some(total_pages);
        paging.total_elements = Some(total);
        let last = u32::try_from(total_pages.max(1)).unwrap_or(u32::MAX);
        Navigation {
            first_page: link(1),
            next_page: more.then(|| link(page + 1)),
            previous_page: (page > 1).then(|| link((page - 1).min(last))),
            last_page: Some(link(last)),
        }
    } else {
        Navigation {
            first_page: link(1),
            next_page: more.then(|| link(page + 1)),
            previous_page: None,
            last_page: None,
        }
    };
    let body = ListPage {
        uri: link(page).uri,
        records,
        paging,
        navigation,
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

async fn message_store(
    State(st): State<Shared>,
    Path((account, ext)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.api(Group::Light, &headers, || {
        st.message_store(&account, &ext, &headers, raw.as_deref())
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn message_item(
    State(st): State<Shared>,
    Path((account, ext, ids)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    st.api(Group::Light, &headers, || {
        st.message_item(&account, &ext, &ids, &headers)
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn message_sync(
    State(st): State<Shared>,
    Path((account, ext)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.api(Group::Light, &headers, || {
        st.message_sync(&account, &ext, &headers, raw.as_deref())
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn message_content(
    State(st): State<Shared>,
    Path((account, ext, message, attachment)): Path<(String, String, String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.media(Group::Medium, &headers, raw.as_deref(), || {
        st.message_content(
            &account,
            &ext,
            &message,
            &attachment,
            &headers,
            raw.as_deref(),
        )
        .unwrap_or_else(|e| error_response(&e))
    })
}

async fn account_active_calls(
    State(st): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.api(Group::Heavy, &headers, || {
        st.active_calls(&account, None, &headers, raw.as_deref())
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn extension_active_calls(
    State(st): State<Shared>,
    Path((account, ext)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.api(Group::Heavy, &headers, || {
        st.active_calls(&account, Some(&ext), &headers, raw.as_deref())
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn token(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    st.limited(Group::Auth, || st.token(&headers, &body))
}

async fn call_log(
    State(st): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.api(Group::Heavy, &headers, || {
        st.call_log(&account, &headers, raw.as_deref())
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn extract_sync(
    State(st): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.api(Group::Heavy, &headers, || {
        st.extract_sync(&account, &headers, raw.as_deref())
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn account_info(
    State(st): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
) -> Response {
    st.api(Group::Light, &headers, || {
        st.account_info(&account, &headers)
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn extensions(
    State(st): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    st.api(Group::Medium, &headers, || {
        st.extensions(&account, &headers, raw.as_deref())
            .unwrap_or_else(|e| error_response(&e))
    })
}

async fn admin_truth(State(st): State<Shared>) -> Response {
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&*st.data().truth).unwrap_or_default(),
    )
}

/// An admin body: JSON of `T`, an empty body meaning all defaults; the error text on failure.
fn admin_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| format!("invalid body: {e}"))
}

fn admin_bad_request(error: String) -> Response {
    value_response(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": error }),
    )
}

async fn admin_mutate(State(st): State<Shared>, body: Bytes) -> Response {
    match admin_body::<Mutation>(&body) {
        Ok(m) => {
            let report = st.mutate(&m);
            json_response(
                StatusCode::OK,
                serde_json::to_vec(&report).unwrap_or_default(),
            )
        }
        Err(e) => admin_bad_request(e),
    }
}

async fn admin_faults(State(st): State<Shared>, body: Bytes) -> Response {
    match admin_body::<Faults>(&body) {
        Ok(f) => {
            st.set_faults(f);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => admin_bad_request(e),
    }
}

async fn admin_limits(State(st): State<Shared>, body: Bytes) -> Response {
    match admin_body::<RateLimits>(&body) {
        Ok(l) => {
            st.set_limits(l);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => admin_bad_request(e),
    }
}

/// Delivers the fault [`AppState::limited`] left on a response: slow, truncated or
/// dropped. Responses without one (admin routes, 429s, 503s) pass unchanged.
async fn inject_faults(State(st): State<Shared>, req: Request, next: Next) -> Response {
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

async fn admin_stats(State(st): State<Shared>) -> Response {
    let stats = lock(&st.stats).clone();
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&stats).unwrap_or_default(),
    )
}

async fn not_found() -> Response {
    value_response(
        StatusCode::NOT_FOUND,
        &api_error("CMN-120", "CMN-120", "Resource not found"),
    )
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/restapi/oauth/token", post(token))
        .route("/restapi/v1.0/account/{account_id}", get(account_info))
        .route("/restapi/v1.0/account/{account_id}/call-log", get(call_log))
        .route(
            "/restapi/v1.0/account/{account_id}/extension",
            get(extensions),
        )
        .route(
            "/restapi/v1.0/account/{account_id}/extension/{extension_id}/message-store",
            get(message_store),
        )
        .route(
            "/restapi/v1.0/account/{account_id}/extension/{extension_id}/message-store/{message_id}",
            get(message_item),
        )
        .route(
            "/restapi/v1.0/account/{account_id}/extension/{extension_id}/message-store/{message_id}/content/{attachment_id}",
            get(message_content),
        )
        .route(
            "/restapi/v1.0/account/{account_id}/extension/{extension_id}/message-sync",
            get(message_sync),
        )
        .route(
            "/restapi/v1.0/account/{account_id}/active-calls",
            get(account_active_calls),
        )
        .route(
            "/restapi/v1.0/account/{account_id}/extension/{extension_id}/active-calls",
            get(extension_active_calls),
        )
        .route("/_admin/truth", get(admin_truth))
        .route(
            "/restapi/v1.0/account/{account_id}/call-log-extract-sync",
            get(extract_sync),
        )
        .route("/_admin/stats", get(admin_stats))
        .route("/_admin/mutate", post(admin_mutate))
        .route("/_admin/faults", post(admin_faults))
        .route("/_admin/limits", post(admin_limits))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .with_state(state)
}

/// A RingCentral API stand-in with a generated, seeded data set.
#[derive(Debug)]
pub struct Simulator {
    cfg: SimConfig,
    data: Arc<Dataset>,
}

impl Simulator {
    /// Generates the data set, deterministically from `cfg.seed`.
    pub fn new(cfg: SimConfig) -> Self {
        let data = Arc::new(Dataset::generate_at(&cfg, Utc::now()));
        Self { cfg, data }
    }

    /// Everything the server will serve (before any late update).
    pub fn truth(&self) -> &Truth {
        &self.data.truth
    }

    /// The body the server would answer `GET /restapi/v1.0/account/~/call-log?<query>`
    /// with now (absolute URIs on `https://platform.ringcentral.com`), without serving it:
    /// for benchmarks that need raw pages in bulk.
    pub fn call_log_page(&self, query: &str) -> Result<Vec<u8>> {
        let urls = Urls {
            base: "https://platform.ringcentral.com".into(),
            account_id: self.cfg.account_id,
        };
        call_log_page(&self.cfg, &self.data, &urls, Some(query), Utc::now())
    }

    /// Binds `addr` (tests pass `127.0.0.1:0`) and serves in a spawned task until
    /// [`SimHandle::shutdown`] or the handle is dropped.
    pub async fn serve(self, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let state = Arc::new(AppState {
            tokens: Mutex::new(TokenStore::new(
                self.cfg.access_token_ttl_secs,
                self.cfg.refresh_token_ttl_secs,
                self.cfg.account_id,
            )),
            limiter: Mutex::new(Limiter::new(self.cfg.limits.clone())),
            faults: Mutex::new(Dice::new(self.cfg.faults.clone())),
            stats: Mutex::new(SimStats::default()),
            data: RwLock::new(self.data),
            mutating: Mutex::new(()),
            cfg: self.cfg,
            local_addr,
        });
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // A dropped handle stops the server too.
                    let _ = rx.await;
                })
                .await
        });
        info!(addr = %local_addr, calls = state.data().truth.calls.len(), "Simulator listening.");
        Ok(SimHandle {
            addr: local_addr,
            state,
            stop: Some(tx),
            task,
        })
    }
}

/// A running simulator. Dropping it stops the server as well.
pub struct SimHandle {
    addr: SocketAddr,
    state: Shared,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Everything the server serves now, late updates included.
    pub fn truth(&self) -> Arc<Truth> {
        self.state.data().truth.clone()
    }

    /// Changes past data as [`Mutation`] says; every endpoint and [`Self::truth`] serve the
    /// new state from the next request on. Same as `POST /_admin/mutate`.
    pub fn mutate(&self, mutation: &Mutation) -> MutationReport {
        self.state.mutate(mutation)
    }

    /// Replaces the rate limits of the running server (a 429 storm when lowered). Requests
    /// already counted in the window stay counted. Same as `POST /_admin/limits`.
    pub fn set_limits(&self, limits: RateLimits) {
        self.state.set_limits(limits);
    }

    /// Replaces the injected faults; the fault generator restarts from `faults.seed`.
    /// Same as `POST /_admin/faults`.
    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults);
    }

    /// A message-sync token as an `FSync` of extension `extension_id` (no filters) at `at`
    /// would have issued it, for tests that start an `ISync` from a chosen instant. The
    /// server hands tokens out only in `syncInfo`; `ISync` refuses tokens older than
    /// `SimConfig::message_sync_token_max_age_secs`.
    pub fn message_sync_token(&self, extension_id: i64, at: DateTime<Utc>) -> String {
        SyncToken::new(extension_id, at, &[], &[]).encode()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> SimStats {
        lock(&self.state.stats).clone()
    }

    /// Stops accepting, lets open requests finish, and returns when the server is down.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(Ok(())) => info!(addr = %self.addr, "Simulator stopped."),
            Ok(Err(e)) => warn!(addr = %self.addr, error = %e, "Simulator stopped with an error."),
            Err(e) => warn!(addr = %self.addr, error = %e, "Simulator task failed."),
        }
    }
}
