//! What one stream's extraction brought, in the terms the run needs: a summary line, the
//! paging minimum of its requests, what failed, and which partitions the load may rewrite.
//! Each stream's summary type implements it beside its extraction, so that the run and the
//! CLI handle every stream the same way.

use std::any::Any;
use std::collections::BTreeSet;
use std::fmt::Debug;

use chrono::NaiveDate;
use chrono_tz::Tz;

/// The days of a run, as a stream's outcome reads them.
#[derive(Clone, Copy, Debug)]
pub struct RunDays<'a> {
    /// The partition days of the run's range, oldest first.
    pub range: &'a [NaiveDate],
    /// The date a snapshot stream files its pages under (today, in the run's zone).
    pub snapshot_day: NaiveDate,
    /// The run's partition zone.
    pub time_zone: Tz,
}

/// What one stream's extraction brought. A caller that needs a summary's own figures
/// upcasts to `&dyn Any` and downcasts.
pub trait Extracted: Debug + Send + Sync + Any {
    /// One line for the run summary (what was fetched, pages, records, size).
    fn summary(&self) -> String;
    /// Records landed.
    fn records(&self) -> u64;
    /// The fewest requests paging allows for what was fetched (the difference to the
    /// requests made is retries, 429s and empty last pages); `None` when paging gives no
    /// such bound.
    fn paging_minimum(&self) -> Option<u64>;
    /// What failed, one sentence each that says what to do; empty when nothing did.
    fn failures(&self) -> Vec<String> {
        Vec::new()
    }
    /// The partitions the load may rewrite from the raw zone after this extraction. A day
    /// that could not be fetched keeps whatever the lake has for it: writing it from an
    /// incomplete raw zone would replace good rows with fewer.
    fn loadable_days(&self, days: RunDays<'_>) -> BTreeSet<NaiveDate>;
}

/// Megabytes, for summary lines.
pub(crate) fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
