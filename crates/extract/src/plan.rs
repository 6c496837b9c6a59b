//! Dry runs: what a run would request, per rate group, and the least wall time the
//! account's limits allow for it — read from the checkpoints, the raw zone and the limits
//! the server announced to the last run. Nothing is requested and nothing is written.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::call_log::{self, DayPlan, plan_call_log};
use crate::checkpoint::{CheckpointData, write_atomically};
use crate::client::ApiClient;
use crate::error::{Error, Result};
use crate::message_store::{self, MailboxPlan, plan_message_store};
use crate::options::ExtractOptions;
use crate::pacer::GroupLimits;
use crate::pacer::{RateGroup, default_limits};
use ringlake_contracts::Stream;

/// The limits the server announced (`X-Rate-Limit-*`) to the last run, kept for dry runs.
const LIMITS_FILE: &str = "rate-limits.json";

/// What a run would do.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct RunPlan {
    /// Every day of the run with its call-log window and whether it is settled (skipped).
    pub call_log: Vec<DayPlan>,
    /// Mailboxes of earlier runs (their checkpoint spans); 0 on a first run, when the
    /// mailboxes are known only once the extension list is read.
    pub mailboxes_known: usize,
    /// Those of them with days left to fetch, each with its one request window.
    pub mailboxes: Vec<MailboxPlan>,
    /// Requests per rate group, at least: one per page the last fetch of a window needed,
    /// one per window never fetched, one for the token.
    pub requests: BTreeMap<RateGroup, u64>,
    /// Requests per window and window length of each group.
    pub limits: GroupLimits,
    /// True when `limits` are what the account's server announced to the last run;
    /// false when they are the default plan's (docs/api.md §5).
    pub limits_from_account: bool,
    /// The least wall time those requests take at those limits (Heavy runs beside
    /// Medium + Light, as in a run); latency not counted.
    pub wall: Duration,
}

/// The plan of a run over `days`.
pub fn plan_run(days: &[NaiveDate], opts: &ExtractOptions, streams: &[Stream]) -> Result<RunPlan> {
    let wants = |s: Stream| streams.contains(&s);
    let mut requests: BTreeMap<RateGroup, u64> = BTreeMap::from([(RateGroup::Auth, 1)]);
    let mut add = |group, n| *requests.entry(group).or_insert(0) += n;

    let call_log = if wants(Stream::CallLog) {
        let plans = plan_call_log(days, opts)?;
        let checkpoint = CheckpointData::read(&opts.state_dir, call_log::STREAM.name())?;
        for (day, _, settled) in &plans {
            if !settled {
                let pages = checkpoint
                    .day(call_log::STREAM.name(), *day)
                    .map_or(1, |d| d.pages);
                add(RateGroup::of(Stream::CallLog), u64::from(pages.max(1)));
            }
        }
        plans
    } else {
        Vec::new()
    };
    // One request each: a snapshot, a sync session's first page, the account.
    for stream in [Stream::ActiveCalls, Stream::CallLogSync, Stream::Account] {
        if wants(stream) {
            add(RateGroup::of(stream), 1);
        }
    }
    // Also when only a stream that needs it was asked for (the message store's mailboxes).
    let needed = |s: Stream| {
        Stream::ALL
            .iter()
            .any(|w| wants(*w) && w.needs().contains(&s))
    };
    if wants(Stream::Extensions) || needed(Stream::Extensions) {
        add(RateGroup::of(Stream::Extensions), 1);
    }
    let (mailboxes_known, mailboxes) = if wants(Stream::MessageStore) {
        let checkpoint = CheckpointData::read(&opts.state_dir, message_store::STREAM.name())?;
        let known: Vec<i64> = checkpoint.mailbox_spans().keys().copied().collect();
        let plans = plan_message_store(&known, days, opts)?;
        add(RateGroup::of(Stream::MessageStore), plans.len() as u64);
        (known.len(), plans)
    } else {
        (0, Vec::new())
    };

    let (limits, limits_from_account) = account_limits(&opts.state_dir)?;
    let least = |group: RateGroup| {
        let n = requests.get(&group).copied().unwrap_or(0);
        let (limit, window) = limits[&group];
        least_wall_time(n, limit, window)
    };
    let wall = least(RateGroup::Auth)
        + least(RateGroup::Heavy).max(least(RateGroup::Medium) + least(RateGroup::Light));
    Ok(RunPlan {
        call_log,
        mailboxes_known,
        mailboxes,
        requests,
        limits,
        limits_from_account,
        wall,
    })
}

/// The least time `requests` take under a sliding window of `limit` per `window`: the
/// first `limit` go at once, each further batch a window later.
pub fn least_wall_time(requests: u64, limit: u32, window: Duration) -> Duration {
    let batches = requests.div_ceil(u64::from(limit.max(1)));
    window.saturating_mul(u32::try_from(batches.saturating_sub(1)).unwrap_or(u32::MAX))
}

#[derive(Serialize, Deserialize)]
struct SavedLimit {
    limit: u32,
    window_secs: f64,
}

fn limits_path(state_dir: &Path) -> PathBuf {
    state_dir.join(LIMITS_FILE)
}

/// The default plan's limits, overlaid by those the server announced to the last run.
fn account_limits(state_dir: &Path) -> Result<(GroupLimits, bool)> {
    let mut limits = default_limits();
    let path = limits_path(state_dir);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((limits, false)),
        Err(e) => return Err(Error::io("read", &path, e)),
    };
    let saved: BTreeMap<String, SavedLimit> =
        serde_json::from_slice(&bytes).map_err(|e| Error::Checkpoint {
            path: path.clone(),
            detail: e.to_string(),
        })?;
    let mut any = false;
    for (name, s) in saved {
        if let (Some(group), Ok(window)) = (
            RateGroup::parse(&name),
            Duration::try_from_secs_f64(s.window_secs),
        ) {
            limits.insert(group, (s.limit.max(1), window));
            any = true;
        }
    }
    Ok((limits, any))
}

impl ApiClient {
    /// Keeps the limits the server announced during this client's life in
    /// `<state_dir>/rate-limits.json` for dry runs; groups it heard nothing about keep
    /// what the file had.
    pub fn save_announced_limits(&self, state_dir: &Path) -> Result<()> {
        let announced = self.inner.pacers.announced_limits();
        if announced.is_empty() {
            return Ok(());
        }
        let path = limits_path(state_dir);
        let mut saved: BTreeMap<String, SavedLimit> = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(_) => BTreeMap::new(),
        };
        for (group, (limit, window)) in announced {
            saved.insert(
                group.to_string(),
                SavedLimit {
                    limit,
                    window_secs: window.as_secs_f64(),
                },
            );
        }
        fs::create_dir_all(state_dir).map_err(|e| Error::io("create", state_dir, e))?;
        let bytes = serde_json::to_vec_pretty(&saved).map_err(|e| Error::Checkpoint {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        write_atomically(&path, ".rate-limits.tmp-", &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_wall_time_counts_whole_windows_after_the_first_burst() {
        let w = Duration::from_secs(60);
        assert_eq!(least_wall_time(0, 10, w), Duration::ZERO);
        assert_eq!(least_wall_time(10, 10, w), Duration::ZERO);
        assert_eq!(least_wall_time(11, 10, w), w);
        assert_eq!(least_wall_time(64, 10, w), w * 6);
        assert_eq!(least_wall_time(5, 0, w), w * 4);
    }

    #[test]
    fn a_first_run_plans_every_day_at_the_default_limits() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state"));
        let days: Vec<NaiveDate> = (1..=30)
            .map(|d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap())
            .collect();
        let plan = plan_run(&days, &opts, &Stream::DEFAULT).unwrap();
        assert_eq!(plan.call_log.len(), 30);
        assert!(plan.call_log.iter().all(|(_, _, settled)| !settled));
        assert_eq!(plan.requests[&RateGroup::Heavy], 31);
        assert_eq!(plan.requests[&RateGroup::Medium], 1);
        // The account; no mailbox is known before the extension list is read.
        assert_eq!(plan.requests.get(&RateGroup::Light), Some(&1));
        assert_eq!(plan.mailboxes_known, 0);
        assert!(!plan.limits_from_account);
        // 31 Heavy requests at 10 per 60 s: three more windows after the first burst.
        assert_eq!(plan.wall, Duration::from_secs(180));
    }

    #[test]
    fn saved_limits_replace_the_defaults_and_a_broken_file_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(
            tmp.path().join(LIMITS_FILE),
            r#"{"Heavy": {"limit": 2, "window_secs": 3.0}, "Bogus": {"limit": 1, "window_secs": 1.0}}"#,
        )
        .unwrap();
        let (limits, from_account) = account_limits(tmp.path()).unwrap();
        assert!(from_account);
        assert_eq!(limits[&RateGroup::Heavy], (2, Duration::from_secs(3)));
        assert_eq!(limits[&RateGroup::Light], (50, Duration::from_secs(60)));
        fs::write(tmp.path().join(LIMITS_FILE), "{").unwrap();
        let err = account_limits(tmp.path()).unwrap_err().to_string();
        assert!(err.contains(LIMITS_FILE), "{err}");
    }
}
