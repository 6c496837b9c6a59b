//! The API client: one HTTP connection pool, the four pacers, the token, the retry loop and
//! the request counters.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use ringlake_model::{ApiErrorBody, ListPage};
use tracing::{debug, info, warn};

use crate::error::{Error, Result};
use crate::pacer::{Pacers, RateGroup, RateHeaders, WaitReason};
use crate::progress::{NoProgress, Progress};
use crate::retry::RetryPolicy;
use crate::secret::Credentials;
use crate::token::TokenSlot;

/// Waits at least this long are logged at info and reported to the progress sink.
const REPORTED_WAIT: Duration = Duration::from_millis(900);

/// How the client talks to the server.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Attempts per request and backoff between them.
    pub retry: RetryPolicy,
    /// Whole-request timeout (connect, send, read the body).
    pub request_timeout: Duration,
    /// `User-Agent` header of every request; defaults to `ringlake/<version>`.
    pub user_agent: String,
    /// The longest wait one 429 may impose, whatever its `Retry-After` says.
    pub max_429_wait: Duration,
    /// How long after the client is built waiting may go on: a 429 is waited out, never
    /// counted as a failure, so this is what ends a wait that would not. A request that
    /// would wait past it fails with [`Error::Deadline`] (left for the next run).
    pub deadline: Duration,
}

impl ClientOptions {
    /// Default of [`ClientOptions::request_timeout`]: 60 s.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default of [`ClientOptions::max_429_wait`]: 15 minutes.
    pub const DEFAULT_MAX_429_WAIT: Duration = Duration::from_secs(15 * 60);
    /// Default of [`ClientOptions::deadline`]: 6 hours, a night's batch window.
    pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(6 * 3600);

    /// The defaults: [`RetryPolicy::default`], a 60 s request timeout, user agent
    /// `ringlake/<version>`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`ClientOptions::retry`].
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets [`ClientOptions::request_timeout`].
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets [`ClientOptions::deadline`].
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets [`ClientOptions::max_429_wait`].
    pub fn with_max_429_wait(mut self, wait: Duration) -> Self {
        self.max_429_wait = wait;
        self
    }

    /// Sets [`ClientOptions::user_agent`].
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            retry: RetryPolicy::default(),
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            user_agent: format!("ringlake/{}", env!("CARGO_PKG_VERSION")),
            max_429_wait: Self::DEFAULT_MAX_429_WAIT,
            deadline: Self::DEFAULT_DEADLINE,
        }
    }
}

/// Counters of one rate group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// `responses_429`: answers with HTTP 429 (rate limited); 0 when the pacer did its job.
    pub responses_429: u64,
    /// Attempts after the first one of a request.
    pub retries: u64,
    /// Time spent waiting: pacing, 429 penalties, backoff.
    pub waited: Duration,
}

/// Counters of a client, per rate group, for the run summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// One entry per group that saw at least one request.
    pub by_group: BTreeMap<RateGroup, GroupStats>,
}

impl RequestStats {
    /// HTTP requests sent over every group, retries included.
    pub fn total_requests(&self) -> u64 {
        self.by_group.values().map(|g| g.requests).sum()
    }

    /// HTTP 429 answers over every group.
    pub fn total_429(&self) -> u64 {
        self.by_group.values().map(|g| g.responses_429).sum()
    }
}

/// A RingCentral API client. Cheap to clone (an `Arc` inside); share it across tasks.
#[derive(Clone)]
pub struct ApiClient {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("origin", &self.inner.origin)
            .field("client_id", &self.inner.creds.client_id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// `scheme://host[:port]` of the configured server; the only host we ever call.
    pub(crate) origin: String,
    pub(crate) creds: Credentials,
    pub(crate) opts: ClientOptions,
    pub(crate) pacers: Pacers,
    pub(crate) token: TokenSlot,
    stats: Mutex<RequestStats>,
    /// [`ClientOptions::deadline`] from when the client was built; `None`: too far to tell.
    deadline: Option<Instant>,
}

/// A slot of a pacer, taken and not yet used; dropped unused, it keeps its place for a
/// window (the pacer cannot know it was not sent).
pub(crate) struct Slot<'a> {
    permit: crate::pacer::Permit<'a>,
    waited: Duration,
}

/// A response read in full.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// What a list page told the pager (the body itself is kept as bytes).
#[derive(Debug)]
pub(crate) struct PageInfo {
    pub records: usize,
    pub next_page: Option<String>,
    /// `paging.page` and `paging.totalPages`, when sent (message and extension lists send
    /// them, call-log lists do not: docs/api.md §2.1).
    pub page: Option<i64>,
    pub total_pages: Option<i64>,
}

impl ApiClient {
    /// Builds the client; no request is sent yet.
    pub fn new(creds: Credentials, opts: ClientOptions) -> Result<Self> {
        let origin = origin_of(&creds.server_url)?;
        let http = reqwest::Client::builder()
            .timeout(opts.request_timeout)
            .user_agent(opts.user_agent.clone())
            // A redirect could carry the bearer token to another host: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        let deadline = Instant::now().checked_add(opts.deadline);
        Ok(ApiClient {
            inner: Arc::new(Inner {
                http,
                origin,
                creds,
                opts,
                pacers: Pacers::new(),
                token: TokenSlot::default(),
                stats: Mutex::new(RequestStats::default()),
                deadline,
            }),
        })
    }

    /// Logs in with the JWT bearer grant now (otherwise done lazily by the first call), so
    /// that wrong credentials are reported before any work starts.
    pub async fn authenticate(&self) -> Result<()> {
        self.inner.access_token(&NoProgress).await.map(|_| ())
    }

    /// A snapshot of the request counters.
    pub fn stats(&self) -> RequestStats {
        self.inner
            .stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// `scheme://host[:port]` of the server URL, validated.
fn origin_of(server_url: &str) -> Result<String> {
    let url = Url::parse(server_url.trim())
        .map_err(|e| Error::Config(format!("server URL {server_url:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "server URL {server_url:?} must be http(s)://host[:port], e.g. https://platform.ringcentral.com"
        )));
    }
    Ok(url.origin().ascii_serialization())
}

/// The path of a path+query, for messages (queries are never shown).
pub(crate) fn path_only(path_and_query: &str) -> &str {
    path_and_query
        .split(['?', '#'])
        .next()
        .unwrap_or(path_and_query)
}

/// `Retry-After` in seconds (the API sends seconds; an HTTP date is not expected and is
/// treated as absent).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

/// The error body's code, or `-`, and message, or the status text.
pub(crate) fn code_and_message(status: StatusCode, body: &[u8]) -> (String, String, ApiErrorBody) {
    let parsed: ApiErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let code = parsed.code().unwrap_or("-").to_owned();
    let message = parsed
        .message()
        .map(str::to_owned)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("no message").to_owned());
    (code, message, parsed)
}

impl Inner {
    pub(crate) fn count(&self, group: RateGroup, f: impl FnOnce(&mut GroupStats)) {
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        f(stats.by_group.entry(group).or_default());
    }

    pub(crate) fn url(&self, path_and_query: &str) -> Result<Url> {
        Url::parse(&format!("{}{}", self.origin, path_and_query)).map_err(|e| {
            Error::Config(format!(
                "cannot build a URL for {}: {e}",
                path_only(path_and_query)
            ))
        })
    }

    /// Reports and counts a wait; long ones are logged and shown.
    pub(crate) fn note_wait(
        &self,
        group: RateGroup,
        wait: Duration,
        reason: WaitReason,
        progress: &dyn Progress,
    ) {
        if wait >= REPORTED_WAIT {
            info!(group = %group, wait_ms = wait.as_millis() as u64, ?reason, "Waiting before the next request.");
            progress.waiting(group, wait, reason);
        }
    }

    /// Sleeps a backoff delay before retry number `retry`, at least `floor` (a 503's
    /// `Retry-After`, capped like a 429's); fails at once when it would end past the
    /// deadline.
    pub(crate) async fn backoff(
        &self,
        group: RateGroup,
        retry: u32,
        floor: Option<Duration>,
        progress: &dyn Progress,
    ) -> Result<()> {
        let jittered = self.opts.retry.backoff(retry, &mut rand::rng());
        let floor = floor.map(|f| f.min(self.opts.max_429_wait));
        let wait = floor.map_or(jittered, |f| f.max(jittered));
        if self
            .deadline
            .is_some_and(|d| Instant::now().checked_add(wait).is_none_or(|end| end > d))
        {
            return Err(self.deadline_error(group));
        }
        self.note_wait(group, wait, WaitReason::Backoff, progress);
        self.count(group, |g| g.waited += wait);
        tokio::time::sleep(wait).await;
        Ok(())
    }

    fn deadline_error(&self, group: RateGroup) -> Error {
        Error::Deadline {
            group,
            limit_secs: self.opts.deadline.as_secs(),
        }
    }

    /// Waits for a slot of the group's pacer (reporting long waits), until the deadline.
    pub(crate) async fn pace(&self, group: RateGroup, progress: &dyn Progress) -> Result<Slot<'_>> {
        let on_wait =
            |wait: Duration, reason: WaitReason| self.note_wait(group, wait, reason, progress);
        let acquire = self.pacers.get(group).acquire(&on_wait);
        let (permit, waited) = match self.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), acquire)
                .await
                .map_err(|_| self.deadline_error(group))?,
            None => acquire.await,
        };
        Ok(Slot { permit, waited })
    }

    /// Sends `request` in the slot taken by [`Inner::pace`].
    pub(crate) async fn send_paced(
        &self,
        group: RateGroup,
        slot: Slot<'_>,
        request: reqwest::RequestBuilder,
    ) -> std::result::Result<Reply, reqwest::Error> {
        let Slot { permit, waited } = slot;
        self.count(group, |g| {
            g.requests += 1;
            g.waited += waited;
        });
        // An error below drops the permit unfinished, which keeps its slot for a window.
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        permit.finish();
        let rate = RateHeaders::from_headers(&headers);
        // The response may speak for another group than the one we paced it in.
        self.pacers.get(rate.group.unwrap_or(group)).observe(&rate);
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.count(group, |g| g.responses_429 += 1);
            // Capped: a server (or a proxy) asking for hours must not stall the run past
            // what an operator would wait.
            let wait = self
                .pacers
                .get(group)
                .penalize(retry_after(&headers), self.opts.max_429_wait);
            warn!(group = %group, wait_ms = wait.as_millis() as u64, "Rate limit exceeded (429); pausing the group.");
        } else {
            self.pacers.get(group).clear_strikes();
        }
        Ok(Reply {
            status,
            headers,
            body: body.to_vec(),
        })
    }

    /// GETs one list page (docs/api.md §2.1) with pacing, token, retries. Returns the exact
    /// body bytes once they parse as a list envelope.
    pub(crate) async fn get_list_page(
        &self,
        group: RateGroup,
        path_and_query: &str,
        progress: &dyn Progress,
    ) -> Result<(Vec<u8>, PageInfo)> {
        self.get_page(group, path_and_query, progress, page_info)
            .await
    }

    /// GETs one JSON page with pacing, token, retries. Returns the exact body bytes once
    /// `read` accepts them; a 2xx body it rejects (truncated, not the expected envelope)
    /// is retried like a server error, so it never reaches the raw zone.
    pub(crate) async fn get_page<T>(
        &self,
        group: RateGroup,
        path_and_query: &str,
        progress: &dyn Progress,
        read: fn(&[u8]) -> std::result::Result<T, String>,
    ) -> Result<(Vec<u8>, T)> {
        let url = self.url(path_and_query)?;
        let path = path_only(path_and_query);
        let max_attempts = self.opts.retry.max_attempts.max(1);
        let mut renewed_after_401 = false;
        let mut retry = 0u32;
        let mut last_error: Option<Error> = None;
        // Attempts are what the retry budget counts (a 429 is none); every send after the
        // first, a 429's included, is a retry in the counters.
        let (mut attempt, mut sent) = (0u32, 0u64);
        while attempt < max_attempts {
            attempt += 1;
            if sent > 0 {
                self.count(group, |g| g.retries += 1);
            }
            sent += 1;
            // The token is taken once the pacer lets the request go: a long wait (a 429
            // penalty) must not send a token that expired meanwhile.
            let slot = self.pace(group, progress).await?;
            let token = self.access_token(progress).await?;
            let request = self.http.get(url.clone()).bearer_auth(token.expose());
            let reply = match self.send_paced(group, slot, request).await {
                Ok(reply) => reply,
                Err(e) => {
                    let e = e.without_url();
                    debug!(path, attempt, error = %e, "Request failed; retrying.");
                    last_error = Some(Error::Transport {
                        path: path.to_owned(),
                        attempts: attempt,
                        source: e,
                    });
                    retry += 1;
                    if attempt < max_attempts {
                        self.backoff(group, retry, None, progress).await?;
                    }
                    continue;
                }
            };
            let status = reply.status;
            if status.is_success() {
                match read(&reply.body) {
                    Ok(info) => return Ok((reply.body, info)),
                    Err(detail) => {
                        debug!(path, attempt, %detail, "Unreadable list body; retrying.");
                        last_error = Some(Error::InvalidBody {
                            path: path.to_owned(),
                            attempts: attempt,
                            detail,
                        });
                        retry += 1;
                        if attempt < max_attempts {
                            self.backoff(group, retry, None, progress).await?;
                        }
                        continue;
                    }
                }
            }
            let (code, message, body) = code_and_message(status, &reply.body);
            match status.as_u16() {
                401 if !renewed_after_401 => {
                    // The token died early (revoked, superseded): renew once, retry once.
                    renewed_after_401 = true;
                    debug!(path, code, "401 on a data call; renewing the token.");
                    self.renew_after_401(&token, progress).await?;
                }
                401 => {
                    return Err(Error::Auth {
                        what: "a freshly issued access token was refused too",
                        status: 401,
                        code,
                        message: self.redact(&message),
                        fix: "check that the server URL is the one the credentials belong to",
                    });
                }
                429 => {
                    // Not a failed attempt: another client may share the budget, and the
                    // pacer, which now blocks the whole group, waits out the penalty. Only
                    // the deadline ends such waiting.
                    attempt -= 1;
                }
                403 => return Err(permission_error(path, &code, message, &body)),
                500..=599 => {
                    debug!(
                        path,
                        attempt,
                        status = status.as_u16(),
                        code,
                        "Server error; retrying."
                    );
                    last_error = Some(Error::Server {
                        path: path.to_owned(),
                        status: status.as_u16(),
                        code,
                        attempts: attempt,
                    });
                    retry += 1;
                    if attempt < max_attempts {
                        self.backoff(group, retry, retry_after(&reply.headers), progress)
                            .await?;
                    }
                }
                s => {
                    return Err(Error::Http {
                        path: path.to_owned(),
                        status: s,
                        code,
                        message,
                    });
                }
            }
        }
        Err(last_error.unwrap_or_else(|| Error::Config("retry budget is zero".into())))
    }

    /// Removes our secrets from server-provided text before it goes into an error.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in [self.creds.client_secret.expose(), self.creds.jwt.expose()] {
            if !secret.is_empty() {
                out = out.replace(secret, "<redacted>");
            }
        }
        out
    }
}

/// Checks a 2xx body is a list envelope and reads what paging needs.
pub(crate) fn page_info(body: &[u8]) -> std::result::Result<PageInfo, String> {
    let page: ListPage<'_> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let paging = page.paging.as_ref();
    Ok(PageInfo {
        records: page.records.len(),
        next_page: page.next_page_uri().map(str::to_owned),
        page: paging.and_then(|p| p.page),
        total_pages: paging.and_then(|p| p.total_pages),
    })
}

/// A 403 as an error that says which permission is missing and how to get it (§6.1).
fn permission_error(path: &str, code: &str, message: String, body: &ApiErrorBody) -> Error {
    let named = body.permission().map(str::to_owned);
    let fix = match code {
        "CMN-401" => format!(
            "grant the app the {} permission in the RingCentral Developer Console, then use a new JWT/token",
            named.as_deref().unwrap_or("ReadCallLog")
        ),
        "CMN-408" => format!(
            "give the JWT's user the {} permission (the account call log needs an admin role with FullCompanyCallLog) in the Admin Portal",
            named.as_deref().unwrap_or("FullCompanyCallLog")
        ),
        "CMN-402" => "use a JWT credential of an account administrator".to_owned(),
        _ => "check the app's permissions and the user's role".to_owned(),
    };
    Error::Permission {
        path: path.to_owned(),
        status: 403,
        code: code.to_owned(),
        permission: named,
        message,
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_keeps_scheme_host_port_only() {
        assert_eq!(
            origin_of("https://platform.ringcentral.com/").unwrap(),
            "https://platform.ringcentral.com"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/restapi").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(matches!(origin_of("ftp://x"), Err(Error::Config(_))));
        assert!(matches!(origin_of("not a url"), Err(Error::Config(_))));
    }

    #[test]
    fn path_only_drops_query() {
        assert_eq!(
            path_only("/restapi/v1.0/account/~/call-log?dateFrom=x&page=2"),
            "/restapi/v1.0/account/~/call-log"
        );
        assert_eq!(path_only("/a"), "/a");
    }

    #[test]
    fn retry_after_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn permission_error_names_the_missing_permission_and_fix() {
        // samples/error_403_insufficient_permissions_readcalllog.json
        let body = r#"{"errorCode":"InsufficientPermissions","message":"In order to call this API endpoint, application needs to have [ReadCallLog] permission","errors":[{"errorCode":"CMN-401","message":"In order to call this API endpoint, application needs to have [ReadCallLog] permission","permissionName":"ReadCallLog"}],"permissionName":"ReadCallLog"}"#;
        let (code, message, parsed) = code_and_message(StatusCode::FORBIDDEN, body.as_bytes());
        let e = permission_error("/restapi/v1.0/account/~/call-log", &code, message, &parsed);
        let text = e.to_string();
        assert!(
            text.contains("CMN-401") && text.contains("grant the app the ReadCallLog permission"),
            "{text}"
        );
        assert!(text.contains("/restapi/v1.0/account/~/call-log"), "{text}");
        assert!(!e.is_retryable());

        let body = br#"{"errors":[{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [FullCompanyCallLog] permission for requested resource.","permissionName":"FullCompanyCallLog"}]}"#;
        let (code, message, parsed) = code_and_message(StatusCode::FORBIDDEN, body);
        let text = permission_error("/p", &code, message, &parsed).to_string();
        assert!(
            text.contains("FullCompanyCallLog") && text.contains("admin"),
            "{text}"
        );
    }

    #[test]
    fn page_info_reads_envelope_and_rejects_truncation() {
        let body = br#"{"uri":"u","records":[{"id":"a"},{"id":"b"}],"navigation":{"nextPage":{"uri":"https://h/x?page=2"}}}"#;
        let info = page_info(body).unwrap();
        assert_eq!(info.records, 2);
        assert_eq!(info.next_page.as_deref(), Some("https://h/x?page=2"));
        assert_eq!((info.page, info.total_pages), (None, None));
        let info = page_info(br#"{"records":[],"paging":{"page":3,"totalPages":3,"perPage":10}}"#)
            .unwrap();
        assert_eq!(
            (info.records, info.page, info.total_pages),
            (0, Some(3), Some(3))
        );
        assert!(page_info(&body[..body.len() - 5]).is_err());
        assert!(page_info(b"").is_err());
    }

    #[test]
    fn stats_totals() {
        let mut s = RequestStats::default();
        s.by_group.insert(
            RateGroup::Heavy,
            GroupStats {
                requests: 5,
                responses_429: 1,
                ..GroupStats::default()
            },
        );
        s.by_group.insert(
            RateGroup::Auth,
            GroupStats {
                requests: 2,
                ..GroupStats::default()
            },
        );
        assert_eq!(s.total_requests(), 7);
        assert_eq!(s.total_429(), 1);
    }
}
