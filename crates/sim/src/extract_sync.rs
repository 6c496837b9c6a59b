//! Company call-log extract sync (docs/api.md §1.4, §2.2): every record *modified* after a
//! point in time, deleted ones included, in pages chained by `ISync` tokens.
//!
//! Ordering (the notes and the spec do not say; this is the simulator's choice): oldest
//! `lastModifiedTime` first, ties by record `id` ascending. A token remembers the last
//! modification millisecond it returned, and a page never ends inside a millisecond (the
//! spec's "a few more records when several share the boundary millisecond"), so an `ISync`
//! resumes strictly after that millisecond and returns every change exactly once. Records
//! modified "in the future" (a generated range reaching past now) are not served until
//! their time has come.
//!
//! Tokens are opaque to clients: URL-safe base64 of a version, the position (ms), the
//! issue time (ms), the record count, the view and a check byte. A token older than the
//! configured age, or one this server did not issue, is refused with `CLG-101`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Serialize;

use crate::calls::Call;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::query::{EXTRACT_MAX_RECORD_COUNT, ExtractSyncQuery};
use crate::render::{self, RecordOut, Urls, timestamp};

const TOKEN_VERSION: u8 = 7;
const TOKEN_LEN: usize = 21;

/// What an extract-sync token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ExtractToken {
    /// Records modified after this millisecond (epoch ms) come next.
    after_ms: i64,
    /// `syncTime` of the response that issued it (epoch ms).
    issued_ms: i64,
    record_count: u16,
    detailed: bool,
}

fn check_byte(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0xc3, |acc, b| acc.rotate_left(3) ^ b)
}

impl ExtractToken {
    fn encode(&self) -> String {
        let mut b = Vec::with_capacity(TOKEN_LEN);
        b.push(TOKEN_VERSION);
        b.extend_from_slice(&self.after_ms.to_be_bytes());
        b.extend_from_slice(&self.issued_ms.to_be_bytes());
        b.extend_from_slice(&self.record_count.to_be_bytes());
        b.push(u8::from(self.detailed));
        b.push(check_byte(&b));
        URL_SAFE_NO_PAD.encode(b)
    }

    /// `None` for anything this server did not issue.
    fn decode(s: &str) -> Option<Self> {
        let b = URL_SAFE_NO_PAD.decode(s.trim()).ok()?;
        if b.len() != TOKEN_LEN
            || b[0] != TOKEN_VERSION
            || check_byte(&b[..TOKEN_LEN - 1]) != b[TOKEN_LEN - 1]
        {
            return None;
        }
        let record_count = u16::from_be_bytes(b[17..19].try_into().ok()?);
        if record_count == 0 || u32::from(record_count) > EXTRACT_MAX_RECORD_COUNT || b[19] > 1 {
            return None;
        }
        Some(Self {
            after_ms: i64::from_be_bytes(b[1..9].try_into().ok()?),
            issued_ms: i64::from_be_bytes(b[9..17].try_into().ok()?),
            record_count,
            detailed: b[19] == 1,
        })
    }
}

/// The last millisecond before `t`: a record modified at millisecond `m` is at or after
/// `t` exactly when `m > before_ms(t)`.
fn before_ms(t: DateTime<Utc>) -> i64 {
    let floor = t.timestamp_millis();
    if t.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
        floor - 1
    } else {
        floor
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncInfo {
    sync_type: &'static str,
    sync_token: String,
    sync_time: String,
    newer_records_exist: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    uri: String,
    records: Vec<RecordOut<'a>>,
    sync_info: SyncInfo,
}

/// Answers one extract-sync request at `now`; the JSON body.
pub(crate) fn serve(
    data: &Dataset,
    urls: &Urls,
    q: &ExtractSyncQuery,
    max_age: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let list = format!(
        "{}/restapi/v1.0/account/{}/call-log-extract-sync",
        urls.base, urls.account_id
    );
    let now_ms = now.timestamp_millis();
    let view = |d: bool| if d { "Detailed" } else { "Simple" };
    let (kind, token, uri) = match q {
        ExtractSyncQuery::Full {
            date_from,
            record_count,
            detailed,
        } => {
            let token = ExtractToken {
                after_ms: before_ms(*date_from),
                issued_ms: now_ms,
                record_count: u16::try_from(*record_count).unwrap_or(u16::MAX),
                detailed: detailed.unwrap_or(false),
            };
            let mut qs = url::form_urlencoded::Serializer::new(String::new());
            qs.append_pair("syncType", "FSync");
            qs.append_pair("dateFrom", &timestamp(*date_from));
            qs.append_pair("recordCount", &record_count.to_string());
            qs.append_pair("view", view(token.detailed));
            let uri = format!("{list}?{}", qs.finish().replace("%3A", ":"));
            ("FSync", token, uri)
        }
        ExtractSyncQuery::Incremental {
            sync_token,
            detailed,
        } => {
            let mut token = ExtractToken::decode(sync_token).ok_or(Error::SyncTokenInvalid {
                reason: "Sync token cannot be read",
            })?;
            let age_ms = now_ms.saturating_sub(token.issued_ms);
            if age_ms > max_age.num_milliseconds() {
                return Err(Error::SyncTokenInvalid {
                    reason: "Sync token is expired",
                });
            }
            if let Some(d) = detailed {
                token.detailed = *d;
            }
            let mut qs = url::form_urlencoded::Serializer::new(String::new());
            qs.append_pair("syncType", "ISync");
            qs.append_pair("syncToken", sync_token);
            if let Some(d) = detailed {
                qs.append_pair("view", view(*d));
            }
            ("ISync", token, format!("{list}?{}", qs.finish()))
        }
    };

    let calls = &data.truth.calls;
    let order = &data.by_modified;
    let modified = |k: u32| {
        calls
            .get(k as usize)
            .map_or(i64::MAX, |c| c.last_modified_time.timestamp_millis())
    };
    let start = order.partition_point(|&k| modified(k) <= token.after_ms);
    let end = order.partition_point(|&k| modified(k) <= now_ms).max(start);
    let mut stop = (start + usize::from(token.record_count)).min(end);
    // Never end a page inside a millisecond: the next token starts after it.
    while stop > start && stop < end && modified(order[stop]) == modified(order[stop - 1]) {
        stop += 1;
    }
    let picked: Vec<(usize, Call)> = order[start..stop]
        .iter()
        .filter_map(|&k| data.call(k as usize).map(|c| (k as usize, c)))
        .collect();
    let records: Vec<RecordOut<'_>> = picked
        .iter()
        .map(|(i, c)| render::record(urls, &calls[*i].id, c, token.detailed))
        .collect();
    let next = ExtractToken {
        after_ms: if stop > start {
            modified(order[stop - 1])
        } else {
            token.after_ms
        },
        issued_ms: now_ms,
        ..token
    };
    let body = Envelope {
        uri,
        records,
        sync_info: SyncInfo {
            sync_type: kind,
            sync_token: next.encode(),
            sync_time: timestamp(Utc.timestamp_millis_opt(now_ms).single().unwrap_or(now)),
            newer_records_exist: stop < end,
        },
    };
    Ok(serde_json::to_vec(&body).unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip_and_tamper() {
        let t = ExtractToken {
            after_ms: 1_712_000_000_123,
            issued_ms: 1_712_100_000_000,
            record_count: 250,
            detailed: true,
        };
        let s = t.encode();
        assert_eq!(ExtractToken::decode(&s), Some(t));
        for i in 0..s.len() {
            let mut chars: Vec<char> = s.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let bad: String = chars.into_iter().collect();
            if let Some(d) = ExtractToken::decode(&bad) {
                assert_eq!(d, t, "{bad}");
            }
        }
        assert_eq!(ExtractToken::decode("not a token"), None);
        // A message-sync token is not an extract-sync token.
        let other = crate::message_sync::SyncToken::new(1, Utc::now(), &[], &[]).encode();
        assert_eq!(ExtractToken::decode(&other), None);
    }

    #[test]
    fn before_ms_is_exact() {
        let t = Utc.timestamp_millis_opt(1_000_000).unwrap();
        assert_eq!(before_ms(t), 999_999);
        let t = t + Duration::microseconds(500);
        assert_eq!(before_ms(t), 1_000_000);
    }
}
