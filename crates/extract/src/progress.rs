//! The progress sink the caller (the CLI's progress bar) implements.

use std::time::Duration;

use chrono::NaiveDate;

use crate::pacer::{RateGroup, WaitReason};

/// Receives progress events. Every method has an empty default body; implementations
/// must be cheap (they are called from the extraction tasks).
pub trait Progress: Send + Sync {
    /// Days asked for, and how many of them will be fetched (the rest are done already).
    fn days_planned(&self, total: usize, to_fetch: usize) {
        let _ = (total, to_fetch);
    }
    /// A page of a day is on disk.
    fn page_fetched(&self, day: NaiveDate, page: u32, records: usize) {
        let _ = (day, page, records);
    }
    /// A page of the incremental call-log sync is staged (`page` counts from 1 per session).
    fn sync_page_fetched(&self, page: u32, records: usize) {
        let _ = (page, records);
    }
    /// All pages of a day are in place and checkpointed.
    fn day_done(&self, day: NaiveDate, pages: u32, records: u64) {
        let _ = (day, pages, records);
    }
    /// A request will wait `wait` (reported for waits of about a second or more).
    fn waiting(&self, group: RateGroup, wait: Duration, reason: WaitReason) {
        let _ = (group, wait, reason);
    }
}

/// A [`Progress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
