//! The account call-log stream: one window per partition day, paged with `nextPage`,
//! every page landed raw before the next is requested, a day published and checkpointed
//! only when all its pages are on disk.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use futures::StreamExt;
use tracing::{debug, info, warn};
use url::Url;

use crate::checkpoint::{Checkpoint, DayRecord, is_settled};
use crate::client::{ApiClient, path_only};
use crate::error::{Error, Result};
use crate::landing::StreamDir;
use crate::pacer::RateGroup;
use crate::progress::Progress;
use crate::window::{day_window, format_api_time};

/// Stream name: the raw directory `<raw>/call-log/` and the checkpoint key.
pub(crate) const STREAM: &str = "call-log";
/// Account-level call log (API-NOTES §1, #1: group Heavy, needs FullCompanyCallLog).
const CALL_LOG_PATH: &str = "/restapi/v1.0/account/~/call-log";
/// More pages than this for one day (10 million calls at 1000 per page) means the server
/// is looping.
const MAX_PAGES_PER_DAY: u32 = 10_000;

/// Where and how the call log is extracted.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct CallLogOptions {
    /// Raw landing zone root; pages go to `<raw_dir>/call-log/<YYYY-MM-DD>/`.
    pub raw_dir: PathBuf,
    /// Holds `checkpoint.json`.
    pub state_dir: PathBuf,
    /// Time zone of the partition days.
    pub time_zone: Tz,
    /// Days after a window's end during which it is fetched again (records still change).
    pub lookback_days: u32,
    /// Days in flight at once; the pacer, not this, limits the request rate.
    pub concurrency: usize,
    /// `perPage` (1–1000, API-NOTES §1.1).
    pub per_page: u32,
}

impl CallLogOptions {
    pub const DEFAULT_LOOKBACK_DAYS: u32 = 2;
    pub const DEFAULT_CONCURRENCY: usize = 4;
    pub const DEFAULT_PER_PAGE: u32 = 1000;

    /// UTC days, look-back 2 days, 4 days in flight, 1000 records per page.
    pub fn new(raw_dir: impl Into<PathBuf>, state_dir: impl Into<PathBuf>) -> Self {
        CallLogOptions {
            raw_dir: raw_dir.into(),
            state_dir: state_dir.into(),
            time_zone: Tz::UTC,
            lookback_days: Self::DEFAULT_LOOKBACK_DAYS,
            concurrency: Self::DEFAULT_CONCURRENCY,
            per_page: Self::DEFAULT_PER_PAGE,
        }
    }

    pub fn with_time_zone(mut self, time_zone: Tz) -> Self {
        self.time_zone = time_zone;
        self
    }

    pub fn with_lookback_days(mut self, lookback_days: u32) -> Self {
        self.lookback_days = lookback_days;
        self
    }

    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    pub fn with_per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page;
        self
    }
}

impl Default for CallLogOptions {
    /// `_raw` and `_state` relative to the working directory.
    fn default() -> Self {
        Self::new("_raw", "_state")
    }
}

/// What a run of [`extract_call_log`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Distinct days asked for.
    pub days_total: usize,
    pub days_fetched: usize,
    /// Done already and settled (see `lookback_days`).
    pub days_skipped: usize,
    /// Pages, records and body bytes (uncompressed) of the days fetched in this run.
    pub pages: u64,
    pub records: u64,
    pub bytes: u64,
    /// Days that failed after their retry budget, with the error; not marked done.
    pub failed_days: Vec<(NaiveDate, String)>,
}

/// Extracts the account call log for `days` into the raw landing zone.
///
/// Days already done and settled are skipped. A day that fails after its retry budget
/// (rate limits, server errors, network faults, bad pages) is reported in
/// [`StreamSummary::failed_days`] and the others go on; authentication, permission, bad
/// request and local I/O errors abort the run with `Err`.
pub async fn extract_call_log(
    client: &ApiClient,
    opts: &CallLogOptions,
    days: &[NaiveDate],
    progress: &dyn Progress,
) -> Result<StreamSummary> {
    if opts.concurrency == 0 {
        return Err(Error::Config("concurrency must be at least 1".into()));
    }
    if !(1..=1000).contains(&opts.per_page) {
        return Err(Error::Config(format!(
            "per_page must be 1..=1000, not {}",
            opts.per_page
        )));
    }
    let stream = StreamDir::new(&opts.raw_dir, STREAM);
    stream.prepare()?;
    let checkpoint = Checkpoint::load(&opts.state_dir)?;

    let unique: BTreeSet<NaiveDate> = days.iter().copied().collect();
    let mut summary = StreamSummary {
        days_total: unique.len(),
        ..StreamSummary::default()
    };
    let mut to_fetch = Vec::new();
    for day in unique {
        let window = day_window(day, opts.time_zone);
        if is_settled(
            checkpoint.get(STREAM, day).await.as_ref(),
            window,
            opts.lookback_days,
        ) {
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
    let staging = stream.stage_day(day)?;
    let mut path_and_query = first_page(window, per_page);
    let mut seen = HashSet::from([path_and_query.clone()]);
    let (mut pages, mut records, mut bytes) = (0u32, 0u64, 0u64);
    loop {
        let (body, info) = client
            .inner
            .get_list_page(RateGroup::Heavy, &path_and_query, progress)
            .await?;
        pages += 1;
        records += info.records as u64;
        bytes += body.len() as u64;
        // Landed before it is used: the next request depends on this page's link.
        staging.write_page(pages, body).await?;
        debug!(%day, page = pages, records = info.records, "Page landed.");
        progress.page_fetched(day, pages, info.records);

        // §2.1: paging ends when nextPage is absent; totals are not sent for call log.
        // An empty page ends it too, whatever its links say.
        let Some(next) = info.next_page.filter(|_| info.records > 0) else {
            break;
        };
        let next = resolve_next_page(&next).map_err(|detail| Error::Paging {
            day,
            path: path_only(&path_and_query).to_owned(),
            detail,
        })?;
        if !seen.insert(next.clone()) {
            return Err(Error::Paging {
                day,
                path: path_only(&next).to_owned(),
                detail: format!("nextPage of page {pages} leads to a page already fetched"),
            });
        }
        if pages >= MAX_PAGES_PER_DAY {
            return Err(Error::Paging {
                day,
                path: path_only(&next).to_owned(),
                detail: format!("more than {MAX_PAGES_PER_DAY} pages"),
            });
        }
        path_and_query = next;
    }
    let dir = staging.publish().await?;
    let record = DayRecord {
        pages,
        records,
        bytes,
        window_from: window.0,
        window_to: window.1,
        fetched_at,
    };
    checkpoint.record(STREAM, day, record.clone()).await?;
    debug!(%day, pages, records, dir = %dir.display(), "Day extracted.");
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

/// The path and query of a `nextPage` link. Its host is ignored on purpose: requests go
/// only to the configured server, so the token is never sent to a host a response named.
pub(crate) fn resolve_next_page(uri: &str) -> std::result::Result<String, String> {
    let url = match Url::parse(uri) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => Url::parse("http://localhost/")
            .and_then(|base| base.join(uri))
            .map_err(|e| format!("nextPage link is not a URL: {e}"))?,
        Err(e) => return Err(format!("nextPage link is not a URL: {e}")),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("nextPage link has scheme {:?}", url.scheme()));
    }
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_keeps_path_and_query_and_drops_the_host() {
        assert_eq!(
            resolve_next_page("https://platform.ringcentral.com/restapi/v1.0/account/1/call-log?view=Detailed&page=2&perPage=1000").unwrap(),
            "/restapi/v1.0/account/1/call-log?view=Detailed&page=2&perPage=1000"
        );
        assert_eq!(
            resolve_next_page(
                "http://evil.example:8443/restapi/v1.0/account/~/call-log?page=3#frag"
            )
            .unwrap(),
            "/restapi/v1.0/account/~/call-log?page=3"
        );
        assert_eq!(
            resolve_next_page("/restapi/v1.0/account/~/call-log?page=2").unwrap(),
            "/restapi/v1.0/account/~/call-log?page=2"
        );
        assert_eq!(
            resolve_next_page("https://h/p?dateFrom=2024-01-02T00%3A00%3A00.000Z&page=2").unwrap(),
            "/p?dateFrom=2024-01-02T00%3A00%3A00.000Z&page=2"
        );
        assert!(resolve_next_page("ftp://h/x").is_err());
        assert!(resolve_next_page("http://[bad").is_err());
    }

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
    fn options_builders() {
        let o = CallLogOptions::new("/r", "/s")
            .with_time_zone(chrono_tz::Europe::Berlin)
            .with_lookback_days(5)
            .with_concurrency(2)
            .with_per_page(10);
        assert_eq!((o.lookback_days, o.concurrency, o.per_page), (5, 2, 10));
        assert_eq!(o.time_zone, chrono_tz::Europe::Berlin);
        let d = CallLogOptions::new("/r", "/s");
        assert_eq!(
            (d.time_zone, d.lookback_days, d.concurrency, d.per_page),
            (Tz::UTC, 2, 4, 1000)
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
        let opts = CallLogOptions::new("/nonexistent/r", "/nonexistent/s");
        let fut = extract_call_log(&client, &opts, &[], &crate::NoProgress);
        assert_send(&fut);
    }
}
