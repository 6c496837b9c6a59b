//! Retry budget and exponential backoff with full jitter (docs/api.md §6.1: 2 s doubling,
//! cap ~60 s).

use std::time::Duration;

use rand::Rng;

/// How often and how patiently a request is retried.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (a 429 is not one: it is waited out).
    pub max_attempts: u32,
    /// Backoff ceiling of the first retry; it doubles per retry.
    pub base_delay: Duration,
    /// Largest backoff ceiling.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Default of [`RetryPolicy::max_attempts`].
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
    /// Default of [`RetryPolicy::base_delay`]: 2 s, as docs/api.md §6.1 advises.
    pub const DEFAULT_BASE_DELAY: Duration = Duration::from_secs(2);
    /// Default of [`RetryPolicy::max_delay`]: about the cap docs/api.md §6.1 gives.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(60);

    /// A policy with these values; `max_attempts` is raised to at least 1.
    pub fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            base_delay,
            max_delay,
        }
    }

    /// Sets [`RetryPolicy::max_attempts`]; 0 counts as 1.
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sets [`RetryPolicy::base_delay`].
    pub fn with_base_delay(mut self, base_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self
    }

    /// Sets [`RetryPolicy::max_delay`].
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Upper bound of the backoff before retry number `retry` (1 = first retry):
    /// `min(max_delay, base_delay * 2^(retry-1))`.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(30);
        self.base_delay
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// "Full jitter": uniform in `[0, ceiling]`, so that concurrent clients that failed
    /// together do not retry together.
    pub(crate) fn backoff(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(retry);
        if ceiling.is_zero() {
            return ceiling;
        }
        ceiling.mul_f64(rng.random::<f64>())
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            base_delay: Self::DEFAULT_BASE_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ceiling_doubles_and_caps() {
        let p = RetryPolicy::default();
        let got: Vec<u64> = (1..=7).map(|r| p.ceiling(r).as_secs()).collect();
        assert_eq!(got, [2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn backoff_stays_within_bounds() {
        let p = RetryPolicy::new(8, Duration::from_millis(10), Duration::from_millis(300));
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut max_seen = Duration::ZERO;
        for retry in 1..=10 {
            for _ in 0..200 {
                let d = p.backoff(retry, &mut rng);
                assert!(d <= p.ceiling(retry), "{d:?} > {:?}", p.ceiling(retry));
                max_seen = max_seen.max(d);
            }
        }
        // Jitter really spreads: the cap is approached, not only tiny values.
        assert!(max_seen > Duration::from_millis(250), "{max_seen:?}");
        assert_eq!(
            RetryPolicy::new(0, Duration::ZERO, Duration::ZERO).max_attempts,
            1
        );
    }
}
