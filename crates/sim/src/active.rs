//! Calls in progress, served by the active-calls lists (docs/api.md §1.5): call-log-shaped
//! records that started in the last few minutes before the simulator was created.

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::account::Account;
use crate::calls::EXTERNAL;
use crate::pick::{digits, pick, pick_weighted};
use crate::render::{Urls, timestamp};

/// Separate stream from calls and messages, so neither changes when this one does.
const ACTIVE_SEED_SALT: u64 = 0x6163_7469_7665;

/// One call in progress.
#[derive(Clone, Debug)]
pub(crate) struct ActiveCall {
    pub id: String,
    pub session_id: String,
    pub telephony_session_id: String,
    pub start: DateTime<Utc>,
    pub extension_id: i64,
    pub direction: &'static str,
    pub action: &'static str,
    pub result: Option<&'static str>,
    pub from: Value,
    pub to: Value,
}

/// 3–7 calls in progress at `now` (the simulator's creation time), newest first.
pub(crate) fn generate(seed: u64, acc: &Account, now: DateTime<Utc>) -> Vec<ActiveCall> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ACTIVE_SEED_SALT);
    // Whole milliseconds, like every timestamp the API sends.
    let now = now - Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos() % 1_000_000));
    let n = rng.random_range(3..8);
    let mut out: Vec<ActiveCall> = (0..n)
        .map(|_| {
            let ext = &acc.extensions[*pick(&mut rng, &acc.users)];
            let (prefix, location, _) = *pick(&mut rng, EXTERNAL);
            let mut external = Map::new();
            external.insert(
                "phoneNumber".into(),
                json!(format!("{prefix}{}", digits(&mut rng, 7))),
            );
            if rng.random_bool(0.6) {
                external.insert("location".into(), json!(location));
            }
            let mut internal = Map::new();
            if let Some(num) = &ext.direct_number
                && rng.random_bool(0.5)
            {
                internal.insert("phoneNumber".into(), json!(num));
            }
            internal.insert("name".into(), json!(ext.name));
            let outbound = rng.random_bool(0.5);
            let action = if outbound {
                *pick_weighted(
                    &mut rng,
                    &[("VoIP Call", 5), ("RingOut Web", 2), ("Phone Call", 3)],
                )
            } else {
                "Phone Call"
            };
            let (from, to) = if outbound {
                (internal, external)
            } else {
                (external, internal)
            };
            ActiveCall {
                id: call_id(&mut rng),
                session_id: digits(&mut rng, 12),
                telephony_session_id: format!("s-{}", digits(&mut rng, 20)),
                start: now - Duration::milliseconds(rng.random_range(1_000..600_000)),
                extension_id: ext.id,
                direction: if outbound { "Outbound" } else { "Inbound" },
                action,
                // In-progress calls carry "In Progress" or no result yet.
                result: rng.random_bool(0.7).then_some("In Progress"),
                from: Value::Object(from),
                to: Value::Object(to),
            }
        })
        .collect();
    out.sort_by(|a, b| (b.start, &b.id).cmp(&(a.start, &a.id)));
    out
}

fn call_id(rng: &mut ChaCha8Rng) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..15)
        .map(|_| char::from(ALNUM[rng.random_range(0..ALNUM.len())]))
        .collect()
}

/// The record as the active-calls list sends it: a Simple call-log record whose `uri`
/// points at the call log (docs/api.md §1.5), `duration` 0 while in progress.
pub(crate) fn render(urls: &Urls, c: &ActiveCall) -> Value {
    let mut o = Map::new();
    o.insert(
        "uri".into(),
        json!(format!(
            "{}/call-log/{}?view=Simple",
            urls.extension(c.extension_id),
            c.id
        )),
    );
    o.insert("id".into(), json!(c.id));
    o.insert("sessionId".into(), json!(c.session_id));
    o.insert("telephonySessionId".into(), json!(c.telephony_session_id));
    o.insert("startTime".into(), json!(timestamp(c.start)));
    o.insert("duration".into(), json!(0));
    o.insert("type".into(), json!("Voice"));
    o.insert("direction".into(), json!(c.direction));
    o.insert("action".into(), json!(c.action));
    if let Some(r) = c.result {
        o.insert("result".into(), json!(r));
    }
    o.insert("to".into(), c.to.clone());
    o.insert("from".into(), c.from.clone());
    Value::Object(o)
}
