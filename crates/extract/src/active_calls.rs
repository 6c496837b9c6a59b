//! The account's active calls (docs/api.md §1.5, #8, group Heavy): a snapshot of the calls
//! in progress, landed raw under `<raw>/active-calls/<day>/<SNAPSHOT>/`. Not checkpointed:
//! a snapshot is a moment, and every run takes one.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use tracing::info;

use crate::client::ApiClient;
use crate::error::Result;
use crate::landing::StreamDir;
use crate::options::ExtractOptions;
use crate::outcome::{Extracted, RunDays};
use crate::pacer::RateGroup;
use crate::paging::{Window, fetch_pages};
use crate::progress::Progress;
use ringlake_contracts::Stream;
use ringlake_contracts::day::day_of;
use ringlake_contracts::raw::Window as RawWindow;

/// Stream name: the raw directory `<raw>/active-calls/`.
pub(crate) const STREAM: Stream = Stream::ActiveCalls;
const ACTIVE_CALLS_PATH: &str = "/restapi/v1.0/account/~/active-calls";

/// What [`snapshot_active_calls`] took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotSummary {
    /// When the snapshot started (millisecond precision, as in the directory name).
    pub taken_at: DateTime<Utc>,
    /// The published directory `<raw>/active-calls/<day>/<SNAPSHOT>/`.
    pub dir: PathBuf,
    /// Pages of the active-calls list fetched.
    pub pages: u32,
    /// Call records on those pages.
    pub records: u64,
    /// The fewest requests paging allows for the list ([`crate::paging_minimum`]).
    pub min_requests: u64,
}

impl Extracted for SnapshotSummary {
    fn summary(&self) -> String {
        format!("{} calls in progress, {} pages", self.records, self.pages)
    }
    fn records(&self) -> u64 {
        self.records
    }
    fn paging_minimum(&self) -> Option<u64> {
        Some(self.min_requests)
    }
    /// The day the snapshot was taken, in the run's zone.
    fn loadable_days(&self, days: RunDays<'_>) -> BTreeSet<NaiveDate> {
        BTreeSet::from([self.taken_at.with_timezone(&days.time_zone).date_naive()])
    }
}

/// Takes a snapshot of the account's active calls (`view=Detailed`) into the raw landing
/// zone. Any error aborts it (nothing is published).
pub async fn snapshot_active_calls(
    client: &ApiClient,
    opts: &ExtractOptions,
    progress: &dyn Progress,
) -> Result<SnapshotSummary> {
    opts.validate()?;
    let taken_at = Utc::now().trunc_subsecs(3);
    // Now is always within the day rule's range.
    let day = day_of(taken_at, opts.time_zone).unwrap_or_else(|| taken_at.date_naive());
    let window = RawWindow::Snapshot { day, at: taken_at };
    let stream = StreamDir::new(&opts.raw_dir, STREAM);
    stream.prepare()?;
    let staging = stream.stage(&window)?;
    let label = format!("{STREAM} {}", window.rel_dir().display());
    let done = fetch_pages(
        client,
        RateGroup::of(STREAM),
        first_page(opts.per_page),
        &staging,
        Window { label: &label, day },
        progress,
        &mut |_| {},
    )
    .await?;
    let dir = staging.publish().await?;
    info!(calls = done.records, pages = done.pages, dir = %dir.display(), "Active calls snapshot taken.");
    Ok(SnapshotSummary {
        taken_at,
        dir,
        pages: done.pages,
        records: done.records,
        min_requests: crate::paging_minimum(done.records, opts.per_page),
    })
}

fn first_page(per_page: u32) -> String {
    format!("{ACTIVE_CALLS_PATH}?view=Detailed&perPage={per_page}&page=1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_page_asks_for_the_detailed_view() {
        assert_eq!(
            first_page(1000),
            "/restapi/v1.0/account/~/active-calls?view=Detailed&perPage=1000&page=1"
        );
    }
}
