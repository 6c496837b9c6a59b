//! What a run is asked to do, validated by whoever builds it (the command line, the demo).

use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_contracts::Stream;
use ringlake_extract::ExtractOptions;
use ringlake_load::Lake;

/// A run: which streams, which days, and where raw pages, checkpoints and the lake live.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// A name for logs and summaries (the pipeline file's `name`).
    pub name: String,
    /// First day of the run, in [`RunSpec::time_zone`].
    pub from: NaiveDate,
    /// Last day of the run, inclusive.
    pub to: NaiveDate,
    /// The lake the tables go to.
    pub lake: Lake,
    /// The raw landing zone: every page fetched, as `<raw>/<stream>/…/page-NNNNN.json.zst`.
    pub raw: PathBuf,
    /// Checkpoints (settled days, sync tokens, announced limits).
    pub state: PathBuf,
    /// The zone whose days the run's days and the lake's partitions are.
    pub time_zone: Tz,
    /// Days before the newest settled one fetched again, for late records.
    pub lookback_days: u32,
    /// Requests in flight at most per rate group.
    pub concurrency: usize,
    /// Records asked for per page (1..=1000, docs/api.md §1.1).
    pub per_page: u32,
    /// The streams asked for, in [`Stream::ALL`] order.
    pub streams: Vec<Stream>,
    /// How long after the start the run may go on waiting for rate limits
    /// ([`ringlake_extract::ClientOptions::deadline`]).
    pub deadline: std::time::Duration,
}

impl RunSpec {
    /// The run's days, inclusive.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.from
            .iter_days()
            .take_while(|d| *d <= self.to)
            .collect()
    }

    /// The extract stage's options of this run.
    pub fn extract_options(&self) -> ExtractOptions {
        ExtractOptions::new(self.raw.clone(), self.state.clone())
            .with_time_zone(self.time_zone)
            .with_lookback_days(self.lookback_days)
            .with_concurrency(self.concurrency)
            .with_per_page(self.per_page)
    }
}
