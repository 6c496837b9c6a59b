//! Message sync (docs/api.md §1.9, §2.2): a full sync over a creation-time window, an
//! incremental sync of what changed since a token's instant, and the tokens themselves.
//!
//! Tokens are opaque to clients: URL-safe base64 of a version, the mailbox, the instant
//! (ms), the full sync's filters and a check byte, so a corrupted token is refused rather
//! than misread.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::messages::{Message, MessageStore, render};
use crate::query::{DIRECTIONS, FullSyncQuery, MESSAGE_TYPES};
use crate::render::{Urls, timestamp};

/// ISync windows start this long before the token's instant, so a change landing during
/// the previous sync is not lost; clients must expect duplicates (docs/api.md §1.9).
pub(crate) const ISYNC_OVERLAP: Duration = Duration::seconds(5);

const TOKEN_VERSION: u8 = 1;
const TOKEN_LEN: usize = 19;

/// What a sync token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SyncToken {
    pub mailbox: i64,
    /// The `syncTime` of the response that issued it (ms precision).
    pub at: DateTime<Utc>,
    /// Bits 0–3: message types of the full sync (`MESSAGE_TYPES` order); bits 4–5:
    /// directions. No bit of a group set: all of it.
    filter: u8,
}

fn bits(selected: &[&str], all: &[&str], shift: u8) -> u8 {
    all.iter()
        .enumerate()
        .filter(|(_, a)| selected.contains(a))
        .fold(0, |acc, (i, _)| acc | (1 << (i as u8 + shift)))
}

fn check_byte(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0x5a, |acc, b| acc.rotate_left(1) ^ b)
}

impl SyncToken {
    pub fn new(mailbox: i64, at: DateTime<Utc>, types: &[&str], directions: &[&str]) -> Self {
        Self {
            mailbox,
            at: truncate_ms(at),
            filter: bits(types, MESSAGE_TYPES, 0) | bits(directions, DIRECTIONS, 4),
        }
    }

    pub fn encode(&self) -> String {
        let mut b = Vec::with_capacity(TOKEN_LEN);
        b.push(TOKEN_VERSION);
        b.extend_from_slice(&self.mailbox.to_be_bytes());
        b.extend_from_slice(&self.at.timestamp_millis().to_be_bytes());
        b.push(self.filter);
        b.push(check_byte(&b));
        URL_SAFE_NO_PAD.encode(b)
    }

    /// `None` for anything this server did not issue.
    pub fn decode(s: &str) -> Option<Self> {
        let b = URL_SAFE_NO_PAD.decode(s.trim()).ok()?;
        if b.len() != TOKEN_LEN || b[0] != TOKEN_VERSION || check_byte(&b[..18]) != b[18] {
            return None;
        }
        let mailbox = i64::from_be_bytes(b[1..9].try_into().ok()?);
        let ms = i64::from_be_bytes(b[9..17].try_into().ok()?);
        let at = Utc.timestamp_millis_opt(ms).single()?;
        Some(Self {
            mailbox,
            at,
            filter: b[17],
        })
    }

    fn passes(&self, m: &Message) -> bool {
        let group = |mask: u8, all: &[&str], shift: u8, value: &str| {
            mask == 0
                || all
                    .iter()
                    .position(|a| *a == value)
                    .is_some_and(|i| mask & (1 << (i as u8 + shift)) != 0)
        };
        group(self.filter & 0x0f, MESSAGE_TYPES, 0, m.kind)
            && group(self.filter & 0x30, DIRECTIONS, 4, m.direction)
    }
}

fn truncate_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::milliseconds(1)).unwrap_or(t)
}

fn envelope(uri: String, records: Vec<Value>, kind: &str, token: &SyncToken, older: bool) -> Value {
    json!({
        "uri": uri,
        "records": records,
        "syncInfo": {
            "syncType": kind,
            "syncToken": token.encode(),
            "syncTime": timestamp(token.at),
            "olderRecordsExist": older,
        },
    })
}

/// `FSync`: `mailbox`'s `Alive` messages created in the window (like the list's default
/// availability, docs/api.md §1.8), newest first, cut to `recordCount`.
pub(crate) fn full(
    store: &MessageStore,
    urls: &Urls,
    mailbox: i64,
    q: &FullSyncQuery,
    date_to_inclusive: bool,
    now: DateTime<Utc>,
) -> Value {
    let pass = |v: &[&str], x: &str| v.is_empty() || v.contains(&x);
    let range = store.window(mailbox, q.date_from, q.date_to, date_to_inclusive);
    let mut matching = range.rev().map(|i| &store.messages[i]).filter(|m| {
        m.availability == "Alive" && pass(&q.types, m.kind) && pass(&q.directions, m.direction)
    });
    let limit = q.record_count.map_or(usize::MAX, |n| n as usize);
    let records: Vec<Value> = matching
        .by_ref()
        .take(limit)
        .map(|m| render(urls, m))
        .collect();
    let older = matching.next().is_some();
    let token = SyncToken::new(mailbox, now, &q.types, &q.directions);
    let uri = format!(
        "{}/message-sync?{}",
        urls.extension(mailbox),
        q.query_string()
    );
    envelope(uri, records, "FSync", &token, older)
}

/// `ISync`: `mailbox`'s messages modified after the token's instant minus the overlap and
/// not after `now`, most recently modified first. Deleted and purged ones carry only `id`
/// and `availability` (docs/api.md §1.9).
pub(crate) fn incremental(
    store: &MessageStore,
    urls: &Urls,
    mailbox: i64,
    raw_token: &str,
    max_age: Duration,
    now: DateTime<Utc>,
) -> Result<Value> {
    let token = SyncToken::decode(raw_token).ok_or(Error::FullSyncRequired {
        reason: "token not issued by this server",
    })?;
    if token.mailbox != mailbox {
        return Err(Error::FullSyncRequired {
            reason: "token of another mailbox",
        });
    }
    if now - token.at > max_age {
        return Err(Error::FullSyncRequired {
            reason: "token too old",
        });
    }
    let since = token.at - ISYNC_OVERLAP;
    let mut changed: Vec<&Message> = store.messages[store.mailbox(mailbox)]
        .iter()
        .filter(|m| m.last_modified > since && m.last_modified <= now && token.passes(m))
        .collect();
    changed.sort_by_key(|m| std::cmp::Reverse((m.last_modified, m.id)));
    let records = changed
        .into_iter()
        .map(|m| {
            if m.availability == "Alive" {
                render(urls, m)
            } else {
                json!({ "id": m.id, "availability": m.availability })
            }
        })
        .collect();
    let next = SyncToken {
        at: truncate_ms(now),
        ..token
    };
    let uri = format!(
        "{}/message-sync?syncType=ISync&syncToken={raw_token}",
        urls.extension(mailbox)
    );
    Ok(envelope(uri, records, "ISync", &next, false))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip_and_tamper() {
        let at = Utc.with_ymd_and_hms(2024, 4, 2, 12, 0, 0).unwrap() + Duration::microseconds(1500);
        let t = SyncToken::new(400_131_426_008, at, &["SMS", "Pager"], &["Outbound"]);
        let s = t.encode();
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let back = SyncToken::decode(&s).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.at.timestamp_subsec_micros(), 1000);
        // Any changed character is caught (check byte, version, length).
        for i in 0..s.len() {
            let mut chars: Vec<char> = s.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let bad: String = chars.into_iter().collect();
            if let Some(d) = SyncToken::decode(&bad) {
                assert_eq!(d, t, "{bad}");
            }
        }
        assert_eq!(SyncToken::decode("garbage!"), None);
        assert_eq!(SyncToken::decode(""), None);
        assert_eq!(SyncToken::decode(&format!("{s}AA")), None);
    }

    #[test]
    fn token_filters() {
        let at = Utc.with_ymd_and_hms(2024, 4, 2, 12, 0, 0).unwrap();
        let msg = |kind, direction| Message {
            kind,
            direction,
            ..Message::test_sample()
        };
        let all = SyncToken::new(1, at, &[], &[]);
        let sms_out = SyncToken::new(1, at, &["SMS"], &["Outbound"]);
        assert!(all.passes(&msg("Fax", "Inbound")));
        assert!(sms_out.passes(&msg("SMS", "Outbound")));
        assert!(!sms_out.passes(&msg("SMS", "Inbound")));
        assert!(!sms_out.passes(&msg("Pager", "Outbound")));
    }
}
