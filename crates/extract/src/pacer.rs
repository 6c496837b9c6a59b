//! Client-side model of the server's sliding-window rate limits (docs/api.md §5).
//!
//! The server counts requests per (user, app, group) over a sliding window and punishes an
//! excess with a penalty that every further request restarts. So we never want a 429: one
//! [`Pacer`] per group lets a request go only when fewer than `limit` requests can still be
//! inside the server's window. Requests are not spaced evenly — a burst up to the limit is
//! allowed, which is the least wall time the limits permit.
//!
//! Timing is conservative against latency: an in-flight request holds a slot "now", and a
//! finished request's slot is timed from when its response arrived (the server saw it no
//! later), so a slot is reused only once the server must already have dropped it.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use ringlake_contracts::Stream;

/// Why a request is waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitReason {
    /// The pacer holds the request so the group's limit is not exceeded.
    RateLimit,
    /// The server answered 429; waiting out its `Retry-After` (or the default penalty).
    RetryAfter429,
    /// Exponential backoff after a server error, network fault or unreadable body.
    Backoff,
}

/// A rate-limit group of the API (`x-throttling-group`, docs/api.md §1 and §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RateGroup {
    /// Call log, active calls, recordings: 10 requests per 60 s by default.
    Heavy,
    /// Extension list, attachment content: 40 requests per 60 s by default.
    Medium,
    /// Message store, account: 50 requests per 60 s by default.
    Light,
    /// The token endpoint: 5 requests per 60 s by default.
    Auth,
}

impl RateGroup {
    /// The group of `stream`'s requests (docs/api.md §5): the one place that says it, for
    /// the requests, the dry-run plan and the run's lanes.
    pub const fn of(stream: Stream) -> RateGroup {
        match stream {
            Stream::CallLog | Stream::CallLogSync | Stream::ActiveCalls => RateGroup::Heavy,
            Stream::Extensions => RateGroup::Medium,
            Stream::MessageStore | Stream::Account => RateGroup::Light,
        }
    }

    pub(crate) const ALL: [RateGroup; 4] = [
        RateGroup::Heavy,
        RateGroup::Medium,
        RateGroup::Light,
        RateGroup::Auth,
    ];

    /// Default plan limits per 60 s (docs/api.md §5), assumed until a response tells better.
    pub(crate) fn default_limit(self) -> u32 {
        match self {
            RateGroup::Light => 50,
            RateGroup::Medium => 40,
            RateGroup::Heavy => 10,
            RateGroup::Auth => 5,
        }
    }

    /// Reads an `X-Rate-Limit-Group` value; the server's spelling varies (`light`).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(name))
    }

    fn index(self) -> usize {
        match self {
            RateGroup::Heavy => 0,
            RateGroup::Medium => 1,
            RateGroup::Light => 2,
            RateGroup::Auth => 3,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            RateGroup::Heavy => "Heavy",
            RateGroup::Medium => "Medium",
            RateGroup::Light => "Light",
            RateGroup::Auth => "Auth",
        }
    }
}

impl fmt::Display for RateGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Default window of every group (docs/api.md §5).
pub(crate) const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// Requests allowed per window, and the window, of each rate group.
pub type GroupLimits = BTreeMap<RateGroup, (u32, Duration)>;

/// The limits every pacer starts from, per group: requests per window (docs/api.md §5
/// default plan: Light 50, Medium 40, Heavy 10, Auth 5 per 60 s). The server's
/// `X-Rate-Limit-*` headers replace them as soon as a response carries them.
pub fn default_limits() -> GroupLimits {
    RateGroup::ALL
        .into_iter()
        .map(|g| (g, (g.default_limit(), DEFAULT_WINDOW)))
        .collect()
}
/// The longest `X-Rate-Limit-Window` believed.
const MAX_WINDOW_SECS: u64 = 3600;
/// Wait after a 429 without `Retry-After` when the window is unknown or longer ([docs] §5).
pub(crate) const DEFAULT_429_WAIT: Duration = Duration::from_secs(30);
/// Added to every expiry so that clock granularity never makes us a few µs early.
const SAFETY_MARGIN: Duration = Duration::from_millis(10);

/// The `X-Rate-Limit-*` headers of one response; each may be absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub group: Option<RateGroup>,
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub window: Option<Duration>,
}

impl RateHeaders {
    /// Header names are case-insensitive in `HeaderMap`; unparsable values count as absent.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let number = |name: &str| text(name).and_then(|v| v.parse::<u64>().ok());
        RateHeaders {
            group: text("x-rate-limit-group").and_then(RateGroup::parse),
            limit: number("x-rate-limit-limit").and_then(|v| u32::try_from(v).ok()),
            remaining: number("x-rate-limit-remaining").and_then(|v| u32::try_from(v).ok()),
            // Clamped: a window of years would overflow the clock's arithmetic, and no
            // real window is longer than an hour (docs/api.md §5: 60 s).
            window: number("x-rate-limit-window")
                .filter(|&s| s > 0)
                .map(|s| Duration::from_secs(s.min(MAX_WINDOW_SECS))),
        }
    }
}

/// What [`WindowState::admit`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Send now; a slot is taken (in flight).
    Go,
    /// Ask again at this instant.
    WaitUntil(Instant, WaitReason),
    /// Every slot is held by an in-flight request: ask again when one finishes.
    WaitForRelease,
}

/// The sliding-window arithmetic of one group, with the clock passed in (testable without
/// sleeping).
#[derive(Debug)]
pub(crate) struct WindowState {
    limit: u32,
    window: Duration,
    window_known: bool,
    /// Times at which finished requests' responses arrived, plus phantom entries for
    /// requests that someone else made; ascending.
    entries: VecDeque<Instant>,
    in_flight: u32,
    /// Penalty after a 429: nothing is sent before this.
    blocked_until: Option<Instant>,
    /// 429s since the last answer that was not one.
    strikes: u32,
}

impl WindowState {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        WindowState {
            limit: limit.max(1),
            window,
            window_known: false,
            entries: VecDeque::new(),
            in_flight: 0,
            blocked_until: None,
            strikes: 0,
        }
    }

    fn prune(&mut self, now: Instant) {
        while let Some(&first) = self.entries.front() {
            if first + self.window + SAFETY_MARGIN <= now {
                self.entries.pop_front();
            } else {
                break;
            }
        }
    }

    fn push_entry(&mut self, at: Instant) {
        if self.entries.back().is_none_or(|&last| last <= at) {
            self.entries.push_back(at);
        } else {
            let i = self.entries.partition_point(|&e| e <= at);
            self.entries.insert(i, at);
        }
    }

    /// Requests that may still be inside the server's window at `now`.
    pub(crate) fn used(&mut self, now: Instant) -> u32 {
        self.prune(now);
        u32::try_from(self.entries.len())
            .unwrap_or(u32::MAX)
            .saturating_add(self.in_flight)
    }

    pub(crate) fn admit(&mut self, now: Instant) -> Admission {
        if let Some(until) = self.blocked_until {
            if now < until {
                return Admission::WaitUntil(until, WaitReason::RetryAfter429);
            }
            self.blocked_until = None;
        }
        if self.used(now) < self.limit {
            self.in_flight += 1;
            return Admission::Go;
        }
        // Full. If every slot is in flight, only a finishing request can change anything;
        // otherwise a slot frees when enough of the oldest entries have left the window.
        if self.in_flight >= self.limit {
            return Admission::WaitForRelease;
        }
        let free_when_left = (self.limit - self.in_flight) as usize;
        let index = self.entries.len().saturating_sub(free_when_left);
        match self.entries.get(index) {
            Some(&entry) => {
                Admission::WaitUntil(entry + self.window + SAFETY_MARGIN, WaitReason::RateLimit)
            }
            None => Admission::WaitForRelease,
        }
    }

    /// A request's response arrived at `now` (any status, 429 included: it reached the
    /// server and was counted there).
    pub(crate) fn finish(&mut self, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.push_entry(now);
    }

    /// An in-flight request was abandoned (connection error, timeout, cancelled). It may
    /// have reached the server, so it keeps its slot for a window.
    pub(crate) fn abandon(&mut self, now: Instant) {
        self.finish(now);
    }

    /// Applies the limits a response announced. When the server's `Remaining` says more
    /// requests are in its window than ours could be (someone else shares the budget),
    /// the server is right: phantom entries fill the difference.
    pub(crate) fn observe(&mut self, now: Instant, headers: &RateHeaders) {
        if let Some(limit) = headers.limit {
            self.limit = limit.max(1);
        }
        if let Some(window) = headers.window {
            self.window = window;
            self.window_known = true;
        }
        if let Some(remaining) = headers.remaining {
            let server_used = self.limit.saturating_sub(remaining);
            let ours = self.used(now);
            for _ in ours..server_used {
                self.push_entry(now);
            }
        }
    }

    /// A 429 arrived at `now`: stop the whole group until the penalty is over
    /// (docs/api.md §5: every request during the penalty restarts it).
    ///
    /// Each 429 in a row doubles the wait (up to `cap`): the server restarts a penalty at
    /// every request made during it, so two clients of one budget that each wait exactly
    /// `Retry-After` can keep restarting it for each other for ever. Waiting longer lets
    /// the other one through first, and then us.
    pub(crate) fn penalize(
        &mut self,
        now: Instant,
        retry_after: Option<Duration>,
        cap: Duration,
    ) -> Duration {
        let asked = retry_after
            .unwrap_or_else(|| self.default_429_wait())
            .min(cap);
        let wait = asked
            .checked_mul(1u32 << self.strikes.min(16))
            .unwrap_or(cap)
            .min(cap)
            .max(asked);
        self.strikes = self.strikes.saturating_add(1);
        let until = now + wait;
        self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
        wait
    }

    /// ≥ 30 s, or the window when it is known to be shorter (a penalty never outlasts it).
    pub(crate) fn default_429_wait(&self) -> Duration {
        if self.window_known && self.window < DEFAULT_429_WAIT {
            self.window
        } else {
            DEFAULT_429_WAIT
        }
    }

    /// The window currently assumed.
    #[cfg(test)]
    pub(crate) fn window(&self) -> Duration {
        self.window
    }
}

/// One group's pacer: the window state behind a lock, and a wake-up for waiters.
#[derive(Debug)]
pub(crate) struct Pacer {
    state: Mutex<WindowState>,
    released: tokio::sync::Notify,
}

/// A slot taken by an in-flight request. Dropping it unfinished (error, cancellation)
/// keeps the slot for a window, since the request may have reached the server.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    pacer: &'a Pacer,
    done: bool,
}

impl Permit<'_> {
    /// The response arrived now.
    pub(crate) fn finish(mut self) {
        self.done = true;
        self.pacer.lock().finish(Instant::now());
        self.pacer.released.notify_waiters();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.pacer.lock().abandon(Instant::now());
            self.pacer.released.notify_waiters();
        }
    }
}

impl Pacer {
    pub(crate) fn new(group: RateGroup) -> Self {
        Pacer {
            state: Mutex::new(WindowState::new(group.default_limit(), DEFAULT_WINDOW)),
            released: tokio::sync::Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WindowState> {
        // The state stays consistent even if a holder panicked: every method leaves it valid.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a request may be sent. `on_wait` is told of each new wait (its length
    /// and reason); the total time waited is returned with the permit.
    pub(crate) async fn acquire(
        &self,
        on_wait: &(dyn Fn(Duration, WaitReason) + Sync),
    ) -> (Permit<'_>, Duration) {
        let start = Instant::now();
        let mut last_deadline: Option<Instant> = None;
        let mut waited = false;
        loop {
            let notified = self.released.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = Instant::now();
            let admission = self.lock().admit(now);
            match admission {
                Admission::Go => {
                    return (
                        Permit {
                            pacer: self,
                            done: false,
                        },
                        if waited {
                            now.saturating_duration_since(start)
                        } else {
                            Duration::ZERO
                        },
                    );
                }
                Admission::WaitUntil(deadline, reason) => {
                    waited = true;
                    if last_deadline != Some(deadline) {
                        last_deadline = Some(deadline);
                        on_wait(deadline.saturating_duration_since(now), reason);
                    }
                    tokio::select! {
                        () = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)) => {}
                        () = &mut notified => {}
                    }
                }
                Admission::WaitForRelease => {
                    waited = true;
                    notified.await;
                }
            }
        }
    }

    pub(crate) fn observe(&self, headers: &RateHeaders) {
        self.lock().observe(Instant::now(), headers);
    }

    /// Blocks the group after a 429; returns the wait imposed.
    pub(crate) fn penalize(&self, retry_after: Option<Duration>, cap: Duration) -> Duration {
        self.lock().penalize(Instant::now(), retry_after, cap)
    }

    /// An answer that was not a 429: the next 429 waits its `Retry-After` again.
    pub(crate) fn clear_strikes(&self) {
        self.lock().strikes = 0;
    }
}

/// The four pacers of a client.
#[derive(Debug)]
pub(crate) struct Pacers([Pacer; 4]);

impl Pacers {
    pub(crate) fn new() -> Self {
        Pacers(RateGroup::ALL.map(Pacer::new))
    }

    pub(crate) fn get(&self, group: RateGroup) -> &Pacer {
        &self.0[group.index()]
    }

    /// Limits and windows the server announced, per group that heard from it.
    pub(crate) fn announced_limits(&self) -> GroupLimits {
        RateGroup::ALL
            .into_iter()
            .filter_map(|g| {
                let state = self.get(g).lock();
                state
                    .window_known
                    .then_some((g, (state.limit, state.window)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn burst_up_to_the_limit_then_wait_for_oldest_entry() {
        let t0 = Instant::now();
        let mut w = WindowState::new(3, secs(10.0));
        for _ in 0..3 {
            assert_eq!(w.admit(t0), Admission::Go);
        }
        // All three in flight: nothing to wait for but a release.
        assert_eq!(w.admit(t0), Admission::WaitForRelease);
        w.finish(t0 + secs(1.0));
        w.finish(t0 + secs(2.0));
        // Still full (2 finished in window + 1 in flight): the first entry frees first.
        assert_eq!(
            w.admit(t0 + secs(3.0)),
            Admission::WaitUntil(t0 + secs(11.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
        assert_eq!(
            w.admit(t0 + secs(10.5)),
            Admission::WaitUntil(t0 + secs(11.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
        assert_eq!(w.admit(t0 + secs(11.0) + SAFETY_MARGIN), Admission::Go);
        // And the next one only after the second entry expires.
        assert!(
            matches!(w.admit(t0 + secs(11.5)), Admission::WaitUntil(t, _) if t == t0 + secs(12.0) + SAFETY_MARGIN)
        );
    }

    #[test]
    fn slots_are_timed_from_the_response_not_the_send() {
        let t0 = Instant::now();
        let mut w = WindowState::new(1, secs(5.0));
        assert_eq!(w.admit(t0), Admission::Go);
        // A slow response: 4 s in flight.
        w.finish(t0 + secs(4.0));
        // 5 s after the send is not enough; 5 s after the response is.
        assert!(matches!(w.admit(t0 + secs(5.5)), Admission::WaitUntil(..)));
        assert_eq!(
            w.admit(t0 + secs(9.0)),
            Admission::WaitUntil(t0 + secs(9.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
        assert_eq!(w.admit(t0 + secs(9.02)), Admission::Go);
    }

    #[test]
    fn abandoned_request_keeps_its_slot() {
        let t0 = Instant::now();
        let mut w = WindowState::new(1, secs(5.0));
        assert_eq!(w.admit(t0), Admission::Go);
        w.abandon(t0 + secs(1.0));
        assert!(matches!(w.admit(t0 + secs(2.0)), Admission::WaitUntil(..)));
        assert_eq!(w.admit(t0 + secs(6.1)), Admission::Go);
    }

    #[test]
    fn headers_update_limit_and_window() {
        let t0 = Instant::now();
        let mut w = WindowState::new(10, DEFAULT_WINDOW);
        assert_eq!(w.admit(t0), Admission::Go);
        w.finish(t0);
        w.observe(
            t0,
            &RateHeaders {
                group: Some(RateGroup::Heavy),
                limit: Some(2),
                remaining: Some(1),
                window: Some(secs(3.0)),
            },
        );
        assert_eq!(w.window(), secs(3.0));
        assert_eq!(w.admit(t0), Admission::Go);
        // One slot taken by the first entry, one in flight: the entry leaves first.
        assert_eq!(
            w.admit(t0),
            Admission::WaitUntil(t0 + secs(3.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
        w.finish(t0 + secs(0.5));
        assert_eq!(
            w.admit(t0 + secs(1.0)),
            Admission::WaitUntil(t0 + secs(3.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
        // A known 3 s window bounds the wait after a 429 without Retry-After.
        assert_eq!(w.default_429_wait(), secs(3.0));
    }

    #[test]
    fn server_remaining_lower_than_ours_adds_phantoms() {
        let t0 = Instant::now();
        let mut w = WindowState::new(10, secs(60.0));
        assert_eq!(w.admit(t0), Admission::Go);
        w.finish(t0 + secs(1.0));
        // We sent 1; the server says 6 are in its window (remaining 4 of 10).
        w.observe(
            t0 + secs(1.0),
            &RateHeaders {
                limit: Some(10),
                remaining: Some(4),
                ..RateHeaders::default()
            },
        );
        assert_eq!(w.used(t0 + secs(1.0)), 6);
        for _ in 0..4 {
            assert_eq!(w.admit(t0 + secs(2.0)), Admission::Go);
        }
        // Full: the first real entry, then the phantoms, leave the window first.
        assert_eq!(
            w.admit(t0 + secs(2.0)),
            Admission::WaitUntil(t0 + secs(61.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
        // Phantoms expire with the window like real entries.
        assert_eq!(w.used(t0 + secs(61.1)), 4);
    }

    #[test]
    fn more_entries_than_the_limit_wait_for_enough_to_expire() {
        let t0 = Instant::now();
        let mut w = WindowState::new(5, secs(10.0));
        for i in 0..5 {
            assert_eq!(w.admit(t0), Admission::Go);
            w.finish(t0 + secs(f64::from(i)));
        }
        // The server lowers the limit to 2: three entries must leave before one slot frees
        // (entries at 0,1,2,3,4 s → the one at 3 s is the last that must go).
        w.observe(
            t0 + secs(4.0),
            &RateHeaders {
                limit: Some(2),
                ..RateHeaders::default()
            },
        );
        assert_eq!(
            w.admit(t0 + secs(5.0)),
            Admission::WaitUntil(t0 + secs(13.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
        // With one of the two slots in flight, the last entry must go too.
        assert_eq!(w.admit(t0 + secs(13.5)), Admission::Go);
        assert_eq!(
            w.admit(t0 + secs(13.5)),
            Admission::WaitUntil(t0 + secs(14.0) + SAFETY_MARGIN, WaitReason::RateLimit)
        );
    }

    #[test]
    fn remaining_consistent_with_in_flight_adds_nothing() {
        let t0 = Instant::now();
        let mut w = WindowState::new(10, secs(60.0));
        for _ in 0..3 {
            assert_eq!(w.admit(t0), Admission::Go);
        }
        w.finish(t0 + secs(1.0));
        // The server already counted the two others that are still in flight for us.
        w.observe(
            t0 + secs(1.0),
            &RateHeaders {
                remaining: Some(7),
                ..RateHeaders::default()
            },
        );
        assert_eq!(w.used(t0 + secs(1.0)), 3);
    }

    #[test]
    fn penalty_blocks_until_retry_after() {
        let t0 = Instant::now();
        let mut w = WindowState::new(10, secs(60.0));
        let cap = secs(900.0);
        assert_eq!(w.penalize(t0, Some(secs(7.0)), cap), secs(7.0));
        assert_eq!(
            w.admit(t0 + secs(1.0)),
            Admission::WaitUntil(t0 + secs(7.0), WaitReason::RetryAfter429)
        );
        // A shorter later penalty does not shorten the block.
        w.strikes = 0;
        w.penalize(t0 + secs(1.0), Some(secs(1.0)), cap);
        assert!(
            matches!(w.admit(t0 + secs(3.0)), Admission::WaitUntil(t, _) if t == t0 + secs(7.0))
        );
        assert_eq!(w.admit(t0 + secs(7.0)), Admission::Go);
        // Without Retry-After and without a known window: 30 s.
        w.strikes = 0;
        assert_eq!(w.penalize(t0, None, cap), DEFAULT_429_WAIT);
        // 429s in a row wait longer and longer, up to the cap; Retry-After is capped too.
        let waits: Vec<f64> = (0..4)
            .map(|_| w.penalize(t0, Some(secs(2.0)), secs(12.0)).as_secs_f64())
            .collect();
        assert_eq!(waits, [4.0, 8.0, 12.0, 12.0]);
        w.strikes = 0;
        assert_eq!(w.penalize(t0, Some(secs(86_400.0)), cap), cap);
    }

    #[test]
    fn parses_headers_case_insensitively() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("X-Rate-Limit-Group", "light"),
            ("x-rate-limit-limit", "1000"),
            ("X-RATE-LIMIT-REMAINING", "999"),
            ("X-Rate-Limit-Window", "60"),
        ] {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_static(v),
            );
        }
        let r = RateHeaders::from_headers(&h);
        assert_eq!(
            r,
            RateHeaders {
                group: Some(RateGroup::Light),
                limit: Some(1000),
                remaining: Some(999),
                window: Some(secs(60.0)),
            }
        );
        assert_eq!(
            RateHeaders::from_headers(&HeaderMap::new()),
            RateHeaders::default()
        );
        assert_eq!(RateGroup::parse("HEAVY"), Some(RateGroup::Heavy));
        assert_eq!(RateGroup::parse("SuperHeavy"), None);
        assert_eq!(RateGroup::Auth.to_string(), "Auth");
    }

    #[tokio::test]
    async fn async_pacer_waits_for_release() {
        let pacer = Pacer::new(RateGroup::Auth);
        pacer.observe(&RateHeaders {
            limit: Some(1),
            window: Some(secs(0.05)),
            ..RateHeaders::default()
        });
        let waits = Mutex::new(Vec::new());
        let on_wait = |d: Duration, r: WaitReason| waits.lock().unwrap().push((d, r));
        let (p1, waited) = pacer.acquire(&on_wait).await;
        assert_eq!(waited, Duration::ZERO);
        let second = async {
            let (p2, waited) = pacer.acquire(&on_wait).await;
            p2.finish();
            waited
        };
        let first = async {
            tokio::task::yield_now().await;
            p1.finish();
        };
        let (waited2, ()) = tokio::join!(second, first);
        // The second waited for the release and then for the 50 ms window.
        assert!(waited2 >= secs(0.05), "{waited2:?}");
        assert!(
            waits
                .lock()
                .unwrap()
                .iter()
                .any(|(_, r)| *r == WaitReason::RateLimit)
        );
    }
}
