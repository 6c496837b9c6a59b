//! The account call-log stream: one window per partition day, paged with `nextPage`,
//! every page landed raw before the next is requested, a day published and checkpointed
//! only when all its pages are on disk.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use futures::StreamExt;
use tracing::{debug, info, warn};

use crate::checkpoint::{Checkpoint, CheckpointData, DayRecord, is_settled};
use crate::client::ApiClient;
use crate::error::Result;
use crate::landing::{StreamDir, window_on_disk};
use crate::options::ExtractOptions;
use crate::outcome::{Extracted, RunDays, mb};
use crate::pacer::RateGroup;
use crate::paging::{Window, fetch_pages};
use crate::progress::Progress;
use crate::window::{day_window, format_api_time};
use ringlake_contracts::Stream;
use ringlake_contracts::raw::Window as RawWindow;

/// Stream name: the raw directory `<raw>/call-log/` and the checkpoint key.
pub(crate) const STREAM: Stream = Stream::CallLog;
/// Account-level call log (docs/api.md §1, #1: group Heavy, needs FullCompanyCallLog).
const CALL_LOG_PATH: &str = "/restapi/v1.0/account/~/call-log";

/// What a run of [`extract_call_log`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Distinct days asked for.
    pub days_total: usize,
    /// Days requested from the API in this run (not skipped).
    pub days_fetched: usize,
    /// Done already and settled (see `lookback_days`).
    pub days_skipped: usize,
    /// Pages, records and body bytes (uncompressed) of the days fetched in this run.
    pub pages: u64,
    /// Records on those pages.
    pub records: u64,
    /// Body bytes of those pages, as received (before compression on disk).
    pub bytes: u64,
    /// Days that failed after their retry budget, with the error; not marked done.
    pub failed_days: Vec<(NaiveDate, String)>,
    /// The fewest requests paging allows for the days fetched ([`crate::paging_minimum`]
    /// of each day window).
    pub min_requests: u64,
}

impl Extracted for StreamSummary {
    fn summary(&self) -> String {
        format!(
            "{} days ({} fetched, {} already final), {} pages, {} records, {:.1} MB",
            self.days_total,
            self.days_fetched,
            self.days_skipped,
            self.pages,
            self.records,
            mb(self.bytes)
        )
    }
    fn records(&self) -> u64 {
        self.records
    }
    fn paging_minimum(&self) -> Option<u64> {
        Some(self.min_requests)
    }
    fn failures(&self) -> Vec<String> {
        self.failed_days
            .iter()
            .map(|(day, why)| {
                format!("call-log {day}: {why} (run the same command again to fetch it)")
            })
            .collect()
    }
    /// The range's days but those that failed.
    fn loadable_days(&self, days: RunDays<'_>) -> BTreeSet<NaiveDate> {
        let failed: BTreeSet<NaiveDate> = self.failed_days.iter().map(|(d, _)| *d).collect();
        days.range
            .iter()
            .copied()
            .filter(|d| !failed.contains(d))
            .collect()
    }
}

/// Extracts the account call log for `days` into the raw landing zone.
///
/// Days already done and settled are skipped. A day that fails after its retry budget
/// (rate limits, server errors, network faults, bad pages) is reported in
/// [`StreamSummary::failed_days`] and the others go on; authentication, permission, bad
/// request and local I/O errors abort the run with `Err`.
pub async fn extract_call_log(
    client: &ApiClient,
    opts: &ExtractOptions,
    days: &[NaiveDate],
    progress: &dyn Progress,
) -> Result<StreamSummary> {
    opts.validate()?;
    let stream = StreamDir::new(&opts.raw_dir, STREAM);
    stream.prepare()?;
    let checkpoint = Checkpoint::load(&opts.state_dir, STREAM.name())?;

    let plan = plan_days(&checkpoint.snapshot().await, days, opts);
    let mut summary = StreamSummary {
        days_total: plan.len(),
        ..StreamSummary::default()
    };
    let mut to_fetch = Vec::new();
    for (day, window, settled) in plan {
        if settled {
            summary.days_skipped += 1;
        } else {
            to_fetch.push((day, window));
        }
    }
    progress.days_planned(summary.days_total, to_fetch.len());
    info!(
        days = summary.days_total,
        to_fetch = to_fetch.len(),
        skipped = summary.days_skipped,
        time_zone = %opts.time_zone,
        "Call-log extraction planned."
    );
    if to_fetch.is_empty() {
        return Ok(summary);
    }
    // Log in first: wrong credentials are one clear error, not one per day.
    client.inner.access_token(progress).await?;

    let day_job = |(day, window): (NaiveDate, (DateTime<Utc>, DateTime<Utc>))| {
        let (stream, checkpoint) = (&stream, &checkpoint);
        async move {
            let result = fetch_day(
                client,
                stream,
                checkpoint,
                day,
                window,
                opts.per_page,
                progress,
            )
            .await;
            (day, result)
        }
    };
    let mut results = futures::stream::iter(to_fetch)
        .map(day_job)
        .buffer_unordered(opts.concurrency);
    while let Some((day, result)) = results.next().await {
        match result {
            Ok(done) => {
                summary.days_fetched += 1;
                summary.pages += u64::from(done.pages);
                summary.records += done.records;
                summary.bytes += done.bytes;
                summary.min_requests += crate::paging_minimum(done.records, opts.per_page);
                progress.day_done(day, done.pages, done.records);
            }
            Err(e) if e.is_day_local() => {
                warn!(%day, error = %e, "Day failed; it stays undone and is fetched again next run.");
                summary.failed_days.push((day, e.to_string()));
            }
            // Dropping `results` cancels the other days; their staging is removed.
            Err(e) => return Err(e),
        }
    }
    summary.failed_days.sort();
    info!(
        fetched = summary.days_fetched,
        failed = summary.failed_days.len(),
        pages = summary.pages,
        records = summary.records,
        "Call-log extraction finished."
    );
    Ok(summary)
}

/// A day of a call-log plan: the partition day, its UTC query window `[from, to)`, and
/// whether it is settled (a run would skip it).
pub type DayPlan = (NaiveDate, (DateTime<Utc>, DateTime<Utc>), bool);

/// What a run of [`extract_call_log`] over `days` would do, read from the checkpoint and
/// the raw zone only (no request is sent, nothing is written): each distinct day in
/// order, its UTC query window, and whether it is settled — done, fetched at least
/// `lookback_days` after it ended, and its pages still in `<raw>/call-log/<day>/` — so
/// that the run would skip it.
pub fn plan_call_log(days: &[NaiveDate], opts: &ExtractOptions) -> Result<Vec<DayPlan>> {
    let checkpoint = CheckpointData::read(&opts.state_dir, STREAM.name())?;
    Ok(plan_days(&checkpoint, days, opts))
}

/// The one skip rule of the call log, for runs and dry runs: settled in the checkpoint
/// AND on disk, so that deleting a day's raw directory (a corrupt page) gets it fetched
/// again.
fn plan_days(
    checkpoint: &CheckpointData,
    days: &[NaiveDate],
    opts: &ExtractOptions,
) -> Vec<DayPlan> {
    let stream_dir = StreamDir::new(&opts.raw_dir, STREAM);
    let unique: BTreeSet<NaiveDate> = days.iter().copied().collect();
    unique
        .into_iter()
        .map(|day| {
            let window = day_window(day, opts.time_zone);
            let done = checkpoint.day(STREAM.name(), day);
            let settled = is_settled(done, window, opts.lookback_days)
                && done.is_some_and(|d| {
                    window_on_disk(&stream_dir.window_dir(&RawWindow::Day(day)), d.pages)
                });
            (day, window, settled)
        })
        .collect()
}

/// Fetches all pages of one day into staging, publishes the day, records it done.
async fn fetch_day(
    client: &ApiClient,
    stream: &StreamDir,
    checkpoint: &Checkpoint,
    day: NaiveDate,
    window: (DateTime<Utc>, DateTime<Utc>),
    per_page: u32,
    progress: &dyn Progress,
) -> Result<DayRecord> {
    // Freshness is that of the first request: later changes may be missing.
    let fetched_at = Utc::now();
    let staging = stream.stage(&RawWindow::Day(day))?;
    let label = format!("{STREAM} {day}");
    let done = fetch_pages(
        client,
        RateGroup::of(STREAM),
        first_page(window, per_page),
        &staging,
        Window { label: &label, day },
        progress,
        &mut |_| {},
    )
    .await?;
    let dir = staging.publish().await?;
    let record = DayRecord {
        pages: done.pages,
        records: done.records,
        bytes: done.bytes,
        window_from: window.0,
        window_to: window.1,
        fetched_at,
    };
    checkpoint
        .record(STREAM.name(), day, record.clone())
        .await?;
    debug!(%day, pages = done.pages, records = done.records, dir = %dir.display(), "Day extracted.");
    Ok(record)
}

/// Path and query of the first page of a window.
fn first_page(window: (DateTime<Utc>, DateTime<Utc>), per_page: u32) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("view", "Detailed")
        .append_pair("showDeleted", "true")
        .append_pair("perPage", &per_page.to_string())
        .append_pair("dateFrom", &format_api_time(window.0))
        .append_pair("dateTo", &format_api_time(window.1))
        .append_pair("page", "1")
        .finish();
    format!("{CALL_LOG_PATH}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_page_query() {
        let w = day_window(
            "2024-01-02".parse().unwrap(),
            chrono_tz::America::Los_Angeles,
        );
        let pq = first_page(w, 1000);
        assert_eq!(
            pq,
            "/restapi/v1.0/account/~/call-log?view=Detailed&showDeleted=true&perPage=1000\
             &dateFrom=2024-01-02T08%3A00%3A00.000Z&dateTo=2024-01-03T08%3A00%3A00.000Z&page=1"
        );
    }

    #[test]
    fn extract_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let client = ApiClient::new(
            crate::Credentials::new(
                "http://127.0.0.1:9",
                "id",
                crate::Secret::new("s".into()),
                crate::Secret::new("j".into()),
            ),
            crate::ClientOptions::default(),
        )
        .unwrap();
        let opts = ExtractOptions::new("/nonexistent/r", "/nonexistent/s");
        let fut = extract_call_log(&client, &opts, &[], &crate::NoProgress);
        assert_send(&fut);
    }
}
