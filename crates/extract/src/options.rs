//! [`ExtractOptions`]: where and how every stream is extracted.

use std::path::PathBuf;

use chrono_tz::Tz;

use crate::error::{Error, Result};

/// Where and how the streams are extracted; shared by every stream.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ExtractOptions {
    /// Raw landing zone root; pages go to `<raw_dir>/<stream>/…`.
    pub raw_dir: PathBuf,
    /// Holds each stream's `<stream>.checkpoint.json`.
    pub state_dir: PathBuf,
    /// Time zone of the partition days.
    pub time_zone: Tz,
    /// Days after a window's end during which it is fetched again (records still change).
    pub lookback_days: u32,
    /// Windows in flight at once; the pacer, not this, limits the request rate.
    pub concurrency: usize,
    /// `perPage` of every list request (1–1000, docs/api.md §1.1, §1.7, §1.8).
    pub per_page: u32,
}

impl ExtractOptions {
    /// Default of [`ExtractOptions::lookback_days`]: records of the last two days may still change.
    pub const DEFAULT_LOOKBACK_DAYS: u32 = 2;
    /// Default of [`ExtractOptions::concurrency`].
    pub const DEFAULT_CONCURRENCY: usize = 4;
    /// Default of [`ExtractOptions::per_page`]: the API's maximum, the fewest requests.
    pub const DEFAULT_PER_PAGE: u32 = 1000;

    /// UTC days, look-back 2 days, 4 windows in flight, 1000 records per page.
    pub fn new(raw_dir: impl Into<PathBuf>, state_dir: impl Into<PathBuf>) -> Self {
        ExtractOptions {
            raw_dir: raw_dir.into(),
            state_dir: state_dir.into(),
            time_zone: Tz::UTC,
            lookback_days: Self::DEFAULT_LOOKBACK_DAYS,
            concurrency: Self::DEFAULT_CONCURRENCY,
            per_page: Self::DEFAULT_PER_PAGE,
        }
    }

    /// Sets [`ExtractOptions::time_zone`], the zone whose midnights bound the partition days.
    pub fn with_time_zone(mut self, time_zone: Tz) -> Self {
        self.time_zone = time_zone;
        self
    }

    /// Sets [`ExtractOptions::lookback_days`].
    pub fn with_lookback_days(mut self, lookback_days: u32) -> Self {
        self.lookback_days = lookback_days;
        self
    }

    /// Sets [`ExtractOptions::concurrency`]; 0 is refused when a stream starts.
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Sets [`ExtractOptions::per_page`]; outside 1–1000 is refused when a stream starts.
    pub fn with_per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page;
        self
    }

    /// The checks every stream makes before its first request.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.concurrency == 0 {
            return Err(Error::Config("concurrency must be at least 1".into()));
        }
        if !(1..=1000).contains(&self.per_page) {
            return Err(Error::Config(format!(
                "per_page must be 1..=1000, not {}",
                self.per_page
            )));
        }
        Ok(())
    }
}

impl Default for ExtractOptions {
    /// `_raw` and `_state` relative to the working directory.
    fn default() -> Self {
        Self::new("_raw", "_state")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_and_defaults() {
        let o = ExtractOptions::new("/r", "/s")
            .with_time_zone(chrono_tz::Europe::Berlin)
            .with_lookback_days(5)
            .with_concurrency(2)
            .with_per_page(10);
        assert_eq!((o.lookback_days, o.concurrency, o.per_page), (5, 2, 10));
        assert_eq!(o.time_zone, chrono_tz::Europe::Berlin);
        let d = ExtractOptions::new("/r", "/s");
        assert_eq!(
            (d.time_zone, d.lookback_days, d.concurrency, d.per_page),
            (Tz::UTC, 2, 4, 1000)
        );
        assert!(d.validate().is_ok());
    }

    #[test]
    fn validation_rejects_zero_concurrency_and_bad_page_sizes() {
        let o = ExtractOptions::new("/r", "/s");
        for bad in [
            o.clone().with_concurrency(0),
            o.clone().with_per_page(0),
            o.clone().with_per_page(1001),
        ] {
            assert!(matches!(bad.validate(), Err(Error::Config(_))), "{bad:?}");
        }
        assert!(o.with_per_page(1).validate().is_ok());
    }
}
