//! Late updates: records that change after they were first served, as real ones do
//! (docs/api.md §7: billing and recordings are attached after a call ends; messages are read
//! and deleted). Seeded, so the same mutation on the same data set changes the same records.

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::calls::{Billing, CallPatch, Money, Recording};
use crate::dataset::{Dataset, modified_order};
use crate::pick::digits;

/// Recordings shorter than this are not kept (docs/api.md §7), so none is added to them.
const MIN_RECORDED_MS: u64 = 30_000;

/// A late update of past data, for [`SimHandle::mutate`](crate::SimHandle::mutate) or the
/// JSON body of `POST /_admin/mutate` (`{"calls": N, "messages": M, "seed": S,
/// "not_before": "<RFC 3339>"}`, every field optional).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mutation {
    /// Call-log records to change: billing re-rated (`costIncluded` and `costPurchased`
    /// both rise), a recording attached when the call has none and lasted over 30 s, and
    /// `lastModifiedTime` set to now. Deleted records are left alone.
    pub calls: u32,
    /// `Alive` messages to change: an unread one is read (half of the time), the others
    /// become `Deleted` (attachments kept until purged); `lastModifiedTime` set to now.
    pub messages: u32,
    /// Which records are picked.
    pub seed: u64,
    /// Only records that started (calls) or were created (messages) at or after this.
    pub not_before: Option<DateTime<Utc>>,
}

impl Mutation {
    /// Changes nothing (same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of call-log records to change.
    pub fn with_calls(mut self, calls: u32) -> Self {
        self.calls = calls;
        self
    }

    /// Number of messages to change.
    pub fn with_messages(mut self, messages: u32) -> Self {
        self.messages = messages;
        self
    }

    /// Seed of the pick.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Only records from this instant on.
    pub fn with_not_before(mut self, not_before: DateTime<Utc>) -> Self {
        self.not_before = Some(not_before);
        self
    }
}

/// What a [`Mutation`] changed. Fewer records than asked when fewer qualify.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutationReport {
    /// Ids of the call-log records changed, oldest `startTime` first.
    pub calls: Vec<String>,
    /// Ids of the records among `calls` that got a recording.
    pub recordings_added: Vec<String>,
    /// Ids of every message changed (read or deleted), in message-store order.
    pub messages: Vec<i64>,
    /// Ids of the messages marked read.
    pub messages_read: Vec<i64>,
    /// Ids of the messages now `Deleted`.
    pub messages_deleted: Vec<i64>,
    /// The new `lastModifiedTime` (records whose old one was later get it + 1 ms instead).
    pub last_modified_time: DateTime<Utc>,
}

/// `n` distinct picks out of `candidates`, in their order.
fn sample(rng: &mut ChaCha8Rng, candidates: Vec<usize>, n: u32) -> Vec<usize> {
    let amount = candidates.len().min(n as usize);
    let mut picked: Vec<usize> = rand::seq::index::sample(rng, candidates.len(), amount)
        .into_iter()
        .map(|k| candidates[k])
        .collect();
    picked.sort_unstable();
    picked
}

/// A time strictly after `old`, normally `now`: the API's timestamps have milliseconds.
fn newer(now: DateTime<Utc>, old: DateTime<Utc>) -> DateTime<Utc> {
    now.max(old + Duration::milliseconds(1))
}

impl Dataset {
    /// This data set after `m` at `now`, and what changed.
    pub fn mutated(&self, m: &Mutation, now: DateTime<Utc>) -> (Self, MutationReport) {
        let now = now.duration_trunc(Duration::milliseconds(1)).unwrap_or(now);
        let mut next = self.clone();
        let mut report = MutationReport {
            last_modified_time: now,
            ..MutationReport::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(m.seed);
        let truth = Arc::make_mut(&mut next.truth);

        let lo = m
            .not_before
            .map_or(0, |t| truth.calls.partition_point(|c| c.start_time < t));
        let candidates: Vec<usize> = (lo..truth.calls.len())
            .filter(|&i| !truth.calls[i].deleted)
            .collect();
        for i in sample(&mut rng, candidates, m.calls) {
            let Some(mut call) = self.call(i) else {
                continue;
            };
            let old = call.billing.unwrap_or(Billing {
                cost_included: Money(0),
                cost_purchased: Money(0),
            });
            let billing = Billing {
                cost_included: Money(
                    old.cost_included
                        .0
                        .saturating_add(rng.random_range(1..=500)),
                ),
                cost_purchased: Money(
                    old.cost_purchased
                        .0
                        .saturating_add(rng.random_range(1..=300)),
                ),
            };
            let earlier = self.patches.get(&i).and_then(|p| p.recording.clone());
            let added = (earlier.is_none()
                && call.recording.is_none()
                && call.call_type == "Voice"
                && call.duration_ms > MIN_RECORDED_MS)
                .then(|| Recording {
                    id: format!("{}008", digits(&mut rng, 13)),
                    kind: "Automatic",
                });
            let t = &mut truth.calls[i];
            if added.is_some() {
                report.recordings_added.push(t.id.clone());
            }
            let patch = CallPatch {
                billing,
                recording: earlier.or(added),
                last_modified: newer(now, call.last_modified),
            };
            call.apply(&patch);
            t.billing_cost_included = Some(billing.cost_included.json_text());
            t.billing_cost_purchased = Some(billing.cost_purchased.json_text());
            t.recording_id = call.recording.as_ref().map(|r| r.id.clone());
            t.last_modified_time = patch.last_modified;
            report.calls.push(t.id.clone());
            next.patches.insert(i, patch);
        }
        if !report.calls.is_empty() {
            next.by_modified = modified_order(&truth.calls);
        }

        let store = &mut next.messages.messages;
        let candidates: Vec<usize> = (0..store.len())
            .filter(|&i| {
                let msg = &store[i];
                msg.availability == "Alive" && m.not_before.is_none_or(|t| msg.created >= t)
            })
            .collect();
        for i in sample(&mut rng, candidates, m.messages) {
            let msg = &mut store[i];
            if msg.read_status == "Unread" && rng.random_bool(0.5) {
                msg.read_status = "Read";
                report.messages_read.push(msg.id);
            } else {
                msg.availability = "Deleted";
                report.messages_deleted.push(msg.id);
            }
            report.messages.push(msg.id);
            msg.last_modified = newer(now, msg.last_modified);
            // `truth.messages` is parallel to the store.
            if let Some(t) = truth.messages.get_mut(i) {
                t.read_status = msg.read_status.to_string();
                t.availability = msg.availability.to_string();
                t.last_modified_time = msg.last_modified;
            }
        }
        (next, report)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::config::SimConfig;

    fn data() -> Dataset {
        let from = Utc.with_ymd_and_hms(2024, 3, 4, 0, 0, 0).unwrap();
        let cfg = SimConfig::new()
            .with_extensions(10)
            .with_calls_per_day(300)
            .with_data_range(from, from + Duration::days(2));
        Dataset::generate_at(&cfg, from + Duration::days(3))
    }

    #[test]
    fn calls_and_messages_change_and_truth_follows() {
        let ds = data();
        let now = Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap();
        let m = Mutation::new()
            .with_calls(40)
            .with_messages(30)
            .with_seed(3);
        let (next, report) = ds.mutated(&m, now);
        assert_eq!(report.calls.len(), 40);
        assert_eq!(report.messages.len(), 30);
        assert_eq!(
            report.messages_read.len() + report.messages_deleted.len(),
            30
        );
        assert!(!report.messages_deleted.is_empty());
        assert!(!report.recordings_added.is_empty());
        for id in &report.calls {
            let i = next.truth.calls.iter().position(|c| &c.id == id).unwrap();
            let (old, new) = (&ds.truth.calls[i], &next.truth.calls[i]);
            assert_eq!(new.last_modified_time, now);
            assert_ne!(new.billing_cost_purchased, old.billing_cost_purchased);
            // The served record agrees with the truth.
            let c = next.call(i).unwrap();
            assert_eq!(c.last_modified, now);
            assert_eq!(
                c.billing.map(|b| b.cost_included.json_text()),
                new.billing_cost_included
            );
            assert_eq!(c.recording.map(|r| r.id), new.recording_id);
        }
        for id in &report.recordings_added {
            let t = next.truth.calls.iter().find(|c| &c.id == id).unwrap();
            assert!(t.recording_id.is_some());
        }
        // The original is untouched (copy on write).
        assert!(ds.truth.calls.iter().all(|c| c.last_modified_time < now));
        // The modification index follows.
        let last = *next.by_modified.last().unwrap() as usize;
        assert_eq!(next.truth.calls[last].last_modified_time, now);
        for (msg, t) in next.messages.messages.iter().zip(&next.truth.messages) {
            assert_eq!((msg.id, msg.availability), (t.id, t.availability.as_str()));
        }
        // Same seed, same picks.
        let (_, again) = ds.mutated(&m, now);
        assert_eq!(again, report);
    }

    #[test]
    fn not_before_and_repeated_mutation() {
        let ds = data();
        let cut = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2024, 3, 10, 0, 0, 0).unwrap();
        let m = Mutation::new()
            .with_calls(20)
            .with_messages(5)
            .with_not_before(cut);
        let (once, r1) = ds.mutated(&m, now);
        for id in &r1.calls {
            let t = once.truth.calls.iter().find(|c| &c.id == id).unwrap();
            assert!(t.start_time >= cut);
        }
        // A second mutation of the same records keeps the recordings added by the first.
        let later = now + Duration::hours(1);
        let (twice, r2) = once.mutated(&m, later);
        assert_eq!(r1.calls, r2.calls);
        assert!(r2.recordings_added.is_empty());
        for id in &r1.recordings_added {
            let a = once.truth.calls.iter().find(|c| &c.id == id).unwrap();
            let b = twice.truth.calls.iter().find(|c| &c.id == id).unwrap();
            assert_eq!(a.recording_id, b.recording_id);
            assert_eq!(b.last_modified_time, later);
        }
    }
}
