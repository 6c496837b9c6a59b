//! The generated data set: the account, one recipe per call-log record, and the truth.
//!
//! Records are kept sorted by `(startTime, id)` so a date window is two binary searches.
//! Only the recipe `(seed, side)` is stored per record besides the truth; the full record
//! is rebuilt when it is served, which keeps a million-call data set small. Late updates
//! (see `mutate.rs`) are kept as per-record patches applied on rebuild.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, DurationRound, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::America::Los_Angeles;
use chrono_tz::Europe::Berlin;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tracing::info;

use crate::account::Account;
use crate::active::{self, ActiveCall};
use crate::calls::{Call, CallPatch, Side, build_call};
use crate::config::SimConfig;
use crate::messages::MessageStore;
use crate::pick::poisson;
use crate::traffic::{HOME_TZ, HOUR_SHAPE, weekday_weight};
use crate::truth::{Truth, TruthAccount, TruthCall, TruthExtension};

/// Category bits of a record, for fast filtering while paging.
pub(crate) const CAT_FAX: u8 = 1;
pub(crate) const CAT_OUTBOUND: u8 = 2;
pub(crate) const CAT_DELETED: u8 = 4;

/// How a record is rebuilt, and its filter category.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Recipe {
    pub seed: u64,
    pub side: Side,
    pub category: u8,
}

/// Everything served. The server holds it as an `Arc` and replaces it whole on a late
/// update (copy on write), so a request renders from one consistent state without locks.
#[derive(Clone, Debug)]
pub(crate) struct Dataset {
    pub account: Account,
    pub truth: Arc<Truth>,
    /// Parallel to `truth.calls`.
    pub recipes: Vec<Recipe>,
    /// Late updates by index of `truth.calls`.
    pub patches: HashMap<usize, CallPatch>,
    /// Indices of `truth.calls` by `(lastModifiedTime, id)`, for the extract sync.
    pub by_modified: Vec<u32>,
    /// Every extension's message store; `truth.messages` is parallel to it.
    pub messages: MessageStore,
    /// Calls in progress, newest first; `truth.active_calls` lists their ids.
    pub active: Vec<ActiveCall>,
    /// Retention: calls that started and messages created before this are no longer
    /// listed (the truth keeps them: it is what the account did, which an archive must
    /// still hold).
    pub forgotten_before: Option<DateTime<Utc>>,
}

impl Dataset {
    #[cfg(test)]
    pub fn generate(cfg: &SimConfig) -> Self {
        Self::generate_at(cfg, Utc::now())
    }

    /// The data set; active calls are in progress at `now`.
    pub fn generate_at(cfg: &SimConfig, now: DateTime<Utc>) -> Self {
        let started = std::time::Instant::now();
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let account = Account::generate(&mut rng, cfg.account_id, cfg.extensions);
        let starts = schedule(&mut rng, cfg);
        let mut ids = HashSet::with_capacity(starts.len() * 11 / 10);
        let mut rows: Vec<(TruthCall, Recipe)> = Vec::with_capacity(starts.len() * 11 / 10);
        for start in starts {
            let seed = rng.next_u64();
            let call = build_call(&account, seed, Side::Primary, start);
            let callee = call.has_callee_side;
            rows.push(to_row(&mut rng, &mut ids, &call, seed, Side::Primary));
            if callee {
                let call = build_call(&account, seed, Side::Callee, start);
                rows.push(to_row(&mut rng, &mut ids, &call, seed, Side::Callee));
            }
        }
        rows.sort_by(|a, b| (a.0.start_time, &a.0.id).cmp(&(b.0.start_time, &b.0.id)));
        let (calls, recipes): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        let extensions = account
            .extensions
            .iter()
            .map(|e| TruthExtension {
                id: e.id,
                extension_number: e.number.clone(),
                name: e.name.clone(),
                r#type: e.kind.to_string(),
                status: e.status.to_string(),
            })
            .collect();
        let messages = MessageStore::generate(cfg, &account);
        let active = active::generate(cfg.seed, &account, now);
        let by_modified = modified_order(&calls);
        info!(
            calls = calls.len(),
            messages = messages.messages.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Simulator data generated."
        );
        Self {
            truth: Arc::new(Truth {
                account_id: account.id,
                account: TruthAccount {
                    id: account.id,
                    main_number: account.main_number.clone(),
                    time_zone: cfg.time_zone.clone(),
                    currency: cfg.currency.clone(),
                },
                calls,
                extensions,
                messages: messages.truth(),
                active_calls: active.iter().map(|c| c.id.clone()).collect(),
            }),
            account,
            recipes,
            patches: HashMap::new(),
            by_modified,
            messages,
            active,
            forgotten_before: None,
        }
    }

    /// Indices of records with `from <= startTime < to` (`<= to` when inclusive).
    pub fn window(&self, from: DateTime<Utc>, to: DateTime<Utc>, inclusive: bool) -> Range<usize> {
        let from = self.served_from(from);
        let calls = &self.truth.calls;
        let lo = calls.partition_point(|c| c.start_time < from);
        let hi = if inclusive {
            calls.partition_point(|c| c.start_time <= to)
        } else {
            calls.partition_point(|c| c.start_time < to)
        };
        lo..hi.max(lo)
    }

    /// The earliest instant a list starting at `from` serves: retention forgot before it.
    pub fn served_from(&self, from: DateTime<Utc>) -> DateTime<Utc> {
        self.forgotten_before.map_or(from, |t| from.max(t))
    }

    /// This data set with every call and message before `before` forgotten by the list
    /// endpoints, as retention does (docs/api.md §7).
    pub fn forgetting(&self, before: DateTime<Utc>) -> Self {
        Dataset {
            forgotten_before: Some(before),
            ..self.clone()
        }
    }

    /// The full record at `index`.
    pub fn call(&self, index: usize) -> Option<Call> {
        let r = self.recipes.get(index)?;
        let t = self.truth.calls.get(index)?;
        let mut call = build_call(&self.account, r.seed, r.side, t.start_time);
        if let Some(p) = self.patches.get(&index) {
            call.apply(p);
        }
        Some(call)
    }
}

/// Indices of `calls` ordered by `(lastModifiedTime, id)`.
pub(crate) fn modified_order(calls: &[TruthCall]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..calls.len())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&calls[a as usize], &calls[b as usize]);
        (a.last_modified_time, &a.id).cmp(&(b.last_modified_time, &b.id))
    });
    order
}

fn to_row(
    rng: &mut ChaCha8Rng,
    ids: &mut HashSet<String>,
    call: &Call,
    seed: u64,
    side: Side,
) -> (TruthCall, Recipe) {
    let id = loop {
        let id = record_id(rng);
        if ids.insert(id.clone()) {
            break id;
        }
    };
    let (caller, callee) = call.ringout_results();
    let mut category = 0;
    if call.call_type == "Fax" {
        category |= CAT_FAX;
    }
    if call.direction == "Outbound" {
        category |= CAT_OUTBOUND;
    }
    if call.deleted {
        category |= CAT_DELETED;
    }
    let truth = TruthCall {
        id,
        session_id: call.session_id.clone(),
        start_time: call.start,
        r#type: call.call_type.to_string(),
        direction: call.direction.to_string(),
        result: call.result.map(str::to_string),
        deleted: call.deleted,
        leg_count: call.legs.len(),
        billing_cost_included: call.billing.map(|b| b.cost_included.json_text()),
        billing_cost_purchased: call.billing.map(|b| b.cost_purchased.json_text()),
        recording_id: call.recording.as_ref().map(|r| r.id.clone()),
        extension_id: call.extension_id,
        ringout_caller_result: caller.map(str::to_string),
        ringout_callee_result: callee.map(str::to_string),
        last_modified_time: call.last_modified,
    };
    (
        truth,
        Recipe {
            seed,
            side,
            category,
        },
    )
}

/// A call-log id: 15 characters, mostly base62 with an occasional `-`/`_`, like
/// `IWvNToLkbo-7zUA` (docs/api.md §3.1).
fn record_id(rng: &mut ChaCha8Rng) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut s = String::with_capacity(15);
    for i in 0..15 {
        let c = if i > 0 && rng.random_bool(0.03) {
            if rng.random_bool(0.5) { b'-' } else { b'_' }
        } else {
            ALNUM[rng.random_range(0..ALNUM.len())]
        };
        s.push(char::from(c));
    }
    s
}

/// Start times of the primary records over `[data_from, data_to)`, unsorted.
fn schedule(rng: &mut ChaCha8Rng, cfg: &SimConfig) -> Vec<DateTime<Utc>> {
    let (from, to) = (cfg.data_from, cfg.data_to);
    let mut out = Vec::new();
    if to <= from {
        return out;
    }
    let hour_total: f64 = HOUR_SHAPE.iter().sum();
    // About 7.7 % of primaries also produce a callee record; keep the mean per day on target.
    let per_day = f64::from(cfg.calls_per_day) / 1.077;
    let Ok(mut hour) = from.duration_trunc(Duration::hours(1)) else {
        return out;
    };
    while hour < to {
        let local = hour.with_timezone(&HOME_TZ);
        let lambda =
            per_day * weekday_weight(local.weekday()) * HOUR_SHAPE[local.hour() as usize % 24]
                / hour_total;
        let n = poisson(rng, lambda);
        for _ in 0..n {
            let ms = rng.random_range(0..3_600_000i64);
            let mut t = hour + Duration::milliseconds(ms);
            // Older records have whole seconds (`.000Z`, docs/api.md §8).
            if rng.random_bool(0.15)
                && let Ok(tt) = t.duration_trunc(Duration::seconds(1))
            {
                t = tt;
            }
            if t >= from && t < to {
                out.push(t);
            }
        }
        hour += Duration::hours(1);
    }
    // Day boundaries: a call at every UTC midnight (sometimes two, to exercise ties) and at
    // the local midnights of Los Angeles and Berlin.
    let mut day = from.date_naive();
    while day.and_time(NaiveTime::MIN).and_utc() < to + Duration::days(1) {
        let midnight = day.and_time(NaiveTime::MIN);
        let utc = midnight.and_utc();
        let la = Los_Angeles
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.to_utc());
        let berlin = Berlin
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.to_utc());
        let twice = rng.random_bool(0.3);
        for t in [Some(utc), twice.then_some(utc), la, berlin]
            .into_iter()
            .flatten()
        {
            if t >= from && t < to {
                out.push(t);
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn cfg(days: i64, per_day: u32) -> SimConfig {
        let from = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
        SimConfig::new()
            .with_calls_per_day(per_day)
            .with_data_range(from, from + Duration::days(days))
    }

    #[test]
    fn volume_and_shape() {
        let ds = Dataset::generate(&cfg(28, 400));
        let n = ds.truth.calls.len() as f64;
        let mean = n / 28.0;
        assert!((mean - 400.0).abs() < 40.0, "mean per day {mean}");
        let weekend = ds
            .truth
            .calls
            .iter()
            .filter(|c| {
                matches!(
                    c.start_time.with_timezone(&HOME_TZ).weekday(),
                    Weekday::Sat | Weekday::Sun
                )
            })
            .count() as f64;
        assert!(weekend / n < 0.1, "weekend share {}", weekend / n);
        assert_eq!(ds.recipes.len(), ds.truth.calls.len());
    }

    #[test]
    fn midnights_present_and_sorted() {
        let ds = Dataset::generate(&cfg(10, 50));
        let calls = &ds.truth.calls;
        assert!(
            calls
                .windows(2)
                .all(|w| (w[0].start_time, &w[0].id) < (w[1].start_time, &w[1].id))
        );
        for d in 0..10 {
            let m = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap() + Duration::days(d);
            assert!(calls.iter().any(|c| c.start_time == m), "no call at {m}");
        }
        // 2024-03-05 00:00 in Los Angeles is 08:00Z; in Berlin 2024-03-04T23:00Z.
        let la = Utc.with_ymd_and_hms(2024, 3, 5, 8, 0, 0).unwrap();
        let berlin = Utc.with_ymd_and_hms(2024, 3, 4, 23, 0, 0).unwrap();
        assert!(calls.iter().any(|c| c.start_time == la));
        assert!(calls.iter().any(|c| c.start_time == berlin));
    }

    #[test]
    fn rebuilt_record_matches_truth() {
        let ds = Dataset::generate(&cfg(3, 200));
        for (i, t) in ds.truth.calls.iter().enumerate() {
            let c = ds.call(i).unwrap();
            assert_eq!(c.session_id, t.session_id);
            assert_eq!(c.legs.len(), t.leg_count);
            assert_eq!(c.deleted, t.deleted);
            assert_eq!(c.last_modified, t.last_modified_time);
        }
    }

    #[test]
    fn window_bounds() {
        let ds = Dataset::generate(&cfg(3, 100));
        let m = Utc.with_ymd_and_hms(2024, 3, 2, 0, 0, 0).unwrap();
        let excl = ds.window(m - Duration::hours(1), m, false);
        let incl = ds.window(m - Duration::hours(1), m, true);
        let at = ds.truth.calls.iter().filter(|c| c.start_time == m).count();
        assert!(at >= 1);
        assert_eq!(incl.len(), excl.len() + at);
    }
}
