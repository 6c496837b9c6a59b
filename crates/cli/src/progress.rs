//! Progress on stderr (indicatif): call-log days done, pages and records of every stream so
//! far, and what the run is waiting for — a rate-limit wait is shown as such, with its expected end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ringlake_extract::{Progress, RateGroup, WaitReason};

#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
    pages: AtomicU64,
    records: AtomicU64,
}

impl Bar {
    /// A bar that draws only when `visible` and stderr is a terminal.
    pub fn new(visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} call-log days {pos}/{len} [{elapsed_precise}] {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar {
            bar,
            pages: AtomicU64::new(0),
            records: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn counts(&self) -> String {
        format!(
            "{} pages, {} records (all streams)",
            self.pages.load(Ordering::Relaxed),
            self.records.load(Ordering::Relaxed)
        )
    }
}

impl Progress for Bar {
    fn days_planned(&self, _total: usize, to_fetch: usize) {
        self.bar.set_length(to_fetch as u64);
    }

    fn page_fetched(&self, _day: NaiveDate, _page: u32, records: usize) {
        self.pages.fetch_add(1, Ordering::Relaxed);
        self.records.fetch_add(records as u64, Ordering::Relaxed);
        self.bar.set_message(self.counts());
    }

    fn day_done(&self, _day: NaiveDate, _pages: u32, _records: u64) {
        self.bar.inc(1);
    }

    fn waiting(&self, group: RateGroup, wait: Duration, reason: WaitReason) {
        let until = chrono::Local::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        let what = match reason {
            WaitReason::RateLimit => format!("{group} rate limit"),
            WaitReason::RetryAfter429 => format!("{group} penalty (429)"),
            WaitReason::Backoff => "a retry".to_string(),
        };
        self.bar.set_message(format!(
            "{} — waiting {:.1} s for {what}, until {}",
            self.counts(),
            wait.as_secs_f64(),
            until.format("%H:%M:%S")
        ));
    }
}
