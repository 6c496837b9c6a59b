//! Per-group sliding-window rate limits with a penalty interval (docs/api.md §5).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::config::RateLimits;

/// A rate-limit group (`x-throttling-group`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    Light,
    Medium,
    Heavy,
    Auth,
}

impl Group {
    /// Name as counted in `SimStats`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Light => "Light",
            Self::Medium => "Medium",
            Self::Heavy => "Heavy",
            Self::Auth => "Auth",
        }
    }

    /// Name as sent in `X-Rate-Limit-Group` (lowercase like the doc sample).
    pub fn header_name(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Medium => "medium",
            Self::Heavy => "heavy",
            Self::Auth => "auth",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What the limiter decided for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    pub window_secs: u64,
    pub retry_after_secs: u64,
}

#[derive(Debug, Default)]
struct GroupState {
    arrivals: VecDeque<Instant>,
    penalty_until: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct Limiter {
    limits: RateLimits,
    groups: [GroupState; 4],
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            groups: Default::default(),
        }
    }

    /// New limits from the next request on; arrivals and penalties already running stay.
    pub fn set_limits(&mut self, limits: RateLimits) {
        self.limits = limits;
    }

    fn limit_of(&self, g: Group) -> u32 {
        match g {
            Group::Light => self.limits.light,
            Group::Medium => self.limits.medium,
            Group::Heavy => self.limits.heavy,
            Group::Auth => self.limits.auth,
        }
    }

    /// Admits or refuses a request arriving at `now`.
    pub fn check(&mut self, g: Group, now: Instant) -> Decision {
        let limit = self.limit_of(g);
        let window = Duration::from_secs(self.limits.window_secs);
        let penalty = Duration::from_secs(self.limits.penalty_secs);
        let state = &mut self.groups[g.index()];
        let refused = Decision {
            allowed: false,
            limit,
            remaining: 0,
            window_secs: self.limits.window_secs,
            retry_after_secs: self.limits.penalty_secs,
        };
        if let Some(until) = state.penalty_until {
            if now < until {
                // Every request during the penalty restarts it (docs/api.md §5).
                state.penalty_until = Some(now + penalty);
                return refused;
            }
            state.penalty_until = None;
        }
        while state
            .arrivals
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            state.arrivals.pop_front();
        }
        if state.arrivals.len() >= limit as usize {
            state.penalty_until = Some(now + penalty);
            return refused;
        }
        state.arrivals.push_back(now);
        Decision {
            allowed: true,
            limit,
            remaining: limit.saturating_sub(state.arrivals.len() as u32),
            window_secs: self.limits.window_secs,
            retry_after_secs: 0,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn window_penalty_and_restart() {
        let mut l = Limiter::new(RateLimits::scaled(10).with_counts(50, 40, 3, 5));
        let t0 = Instant::now();
        for i in 0..3 {
            let d = l.check(Group::Heavy, t0);
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i);
        }
        // Other groups are independent.
        assert!(l.check(Group::Light, t0).allowed);
        let d = l.check(Group::Heavy, t0 + Duration::from_secs(1));
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, 10);
        // A request at +8 s restarts the penalty to +18 s.
        assert!(!l.check(Group::Heavy, t0 + Duration::from_secs(8)).allowed);
        assert!(!l.check(Group::Heavy, t0 + Duration::from_secs(17)).allowed);
        // Quiet for a full penalty: admitted again, window emptied by then.
        let d = l.check(Group::Heavy, t0 + Duration::from_secs(28));
        assert!(d.allowed);
        assert_eq!(d.remaining, 2);
    }
}
