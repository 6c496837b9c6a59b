//! The account's active calls (API-NOTES §1.5, #8, group Heavy): a snapshot of the calls
//! in progress, landed raw under `<raw>/active-calls/<day>/<SNAPSHOT>/`. Not checkpointed:
//! a snapshot is a moment, and every run takes one.

use std::path::PathBuf;

use chrono::{DateTime, SubsecRound, Utc};
use tracing::info;

use crate::client::ApiClient;
use crate::error::Result;
use crate::landing::{StreamDir, day_dir_name};
use crate::options::ExtractOptions;
use crate::pacer::RateGroup;
use crate::paging::{Window, fetch_pages};
use crate::progress::Progress;

/// Stream name: the raw directory `<raw>/active-calls/`.
pub(crate) const STREAM: &str = "active-calls";
const ACTIVE_CALLS_PATH: &str = "/restapi/v1.0/account/~/active-calls";
/// `<SNAPSHOT>` of the issue-3 contract: the UTC instant the snapshot started.
const SNAPSHOT_FORMAT: &str = "%Y%m%dT%H%M%S%.3fZ";

/// What [`snapshot_active_calls`] took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotSummary {
    /// When the snapshot started (millisecond precision, as in the directory name).
    pub taken_at: DateTime<Utc>,
    /// The published directory `<raw>/active-calls/<day>/<SNAPSHOT>/`.
    pub dir: PathBuf,
    pub pages: u32,
    pub records: u64,
    /// The fewest requests paging allows for the list ([`crate::paging_minimum`]).
    pub min_requests: u64,
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
    let day = taken_at.with_timezone(&opts.time_zone).date_naive();
    let (day_name, snapshot) = (
        day_dir_name(day),
        taken_at.format(SNAPSHOT_FORMAT).to_string(),
    );
    let stream = StreamDir::nested(&opts.raw_dir, STREAM);
    stream.prepare()?;
    let staging = stream.stage(&[&day_name, &snapshot])?;
    let label = format!("{STREAM} {day_name}/{snapshot}");
    let done = fetch_pages(
        client,
        RateGroup::Heavy,
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
    use chrono::TimeZone;

    #[test]
    fn snapshot_name_follows_the_contract() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 3, 49, 12).unwrap()
            + chrono::Duration::milliseconds(345);
        assert_eq!(
            t.format(SNAPSHOT_FORMAT).to_string(),
            "20261122T034912.345Z"
        );
        let whole = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            whole.format(SNAPSHOT_FORMAT).to_string(),
            "20260102T030405.000Z"
        );
        assert_eq!(
            first_page(1000),
            "/restapi/v1.0/account/~/active-calls?view=Detailed&perPage=1000&page=1"
        );
    }
}
