//! Query-string parsing with the API's defaults and limits (docs/api.md §1.1, §1.7, §8).

use chrono::{DateTime, Duration, DurationRound, NaiveDate, NaiveDateTime, Utc};

use crate::error::{Error, Result};
use crate::render::timestamp;

/// Default and maximum page sizes (docs/api.md §1.1).
pub(crate) const DEFAULT_PER_PAGE: u32 = 100;
pub(crate) const MAX_PER_PAGE: u32 = 1000;

/// Query pairs in order, repeated names kept (`type=Voice&type=Fax`).
pub(crate) fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

fn last<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn all<'a>(pairs: &'a [(String, String)], name: &str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn invalid(name: &'static str, value: &str) -> Error {
    Error::InvalidParameter {
        name,
        value: value.to_string(),
    }
}

/// A date-time as the API accepts it: ISO 8601 with `Z` or an offset, date-only, or
/// without a zone (read as UTC).
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    // An unencoded `+` in an offset arrives as a space after form decoding.
    let fixed;
    let s = match (s.get(..19), s.get(19..)) {
        (Some(head), Some(tail)) if tail.contains(' ') => {
            fixed = format!("{head}{}", tail.replace(' ', "+"));
            fixed.as_str()
        }
        _ => s,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.to_utc());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.to_utc());
        }
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// `page`: integer ≥ 1, default 1.
fn page(pairs: &[(String, String)]) -> Result<u32> {
    match last(pairs, "page") {
        None => Ok(1),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if (1..=i64::from(i32::MAX)).contains(&n) => Ok(n as u32),
            _ => Err(invalid("page", v)),
        },
    }
}

/// `perPage`: integer ≥ 1 (values above 1000 clamped) or `max`; default 100.
/// Returns the effective size and whether `max` was sent.
fn per_page(pairs: &[(String, String)]) -> Result<(u32, bool)> {
    match last(pairs, "perPage") {
        None => Ok((DEFAULT_PER_PAGE, false)),
        Some(v) if v.trim().eq_ignore_ascii_case("max") => Ok((MAX_PER_PAGE, true)),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n.min(i64::from(MAX_PER_PAGE)) as u32, false)),
            _ => Err(invalid("perPage", v)),
        },
    }
}

fn boolean(pairs: &[(String, String)], name: &'static str) -> Result<Option<bool>> {
    match last(pairs, name) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(invalid(name, v)),
    }
}

/// Repeated enum parameter; values matched case-insensitively, returned canonical.
fn enum_list(
    pairs: &[(String, String)],
    name: &'static str,
    allowed: &[&'static str],
) -> Result<Vec<&'static str>> {
    let mut out = Vec::new();
    for v in all(pairs, name) {
        // Some clients send `type=Voice,Fax`; accept both spellings.
        for part in v.split(',').filter(|p| !p.is_empty()) {
            let canonical = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(part.trim()))
                .ok_or_else(|| invalid(name, v))?;
            if !out.contains(canonical) {
                out.push(*canonical);
            }
        }
    }
    Ok(out)
}

/// A call-log list query, validated and with defaults filled in.
#[derive(Clone, Debug)]
pub(crate) struct CallLogQuery {
    pub detailed: bool,
    pub date_from: DateTime<Utc>,
    pub date_to: DateTime<Utc>,
    pub page: u32,
    pub per_page: u32,
    pub types: Vec<&'static str>,
    pub directions: Vec<&'static str>,
    pub show_deleted: Option<bool>,
}

impl CallLogQuery {
    pub fn parse(pairs: &[(String, String)], now: DateTime<Utc>) -> Result<Self> {
        let detailed = match last(pairs, "view") {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("Simple") => false,
            Some(v) if v.eq_ignore_ascii_case("Detailed") => true,
            Some(v) => return Err(invalid("view", v)),
        };
        let date_to = match last(pairs, "dateTo") {
            None => now,
            Some(v) => parse_time(v).ok_or_else(|| invalid("dateTo", v))?,
        };
        let date_from = match last(pairs, "dateFrom") {
            // Default dateTo − 24 h, echoed truncated to the minute (docs/api.md §2.1).
            None => {
                let t = date_to - Duration::hours(24);
                t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
            }
            Some(v) => parse_time(v).ok_or_else(|| invalid("dateFrom", v))?,
        };
        let (per_page, _) = per_page(pairs)?;
        Ok(Self {
            detailed,
            date_from,
            date_to,
            page: page(pairs)?,
            per_page,
            types: enum_list(pairs, "type", &["Voice", "Fax"])?,
            directions: enum_list(pairs, "direction", &["Inbound", "Outbound"])?,
            show_deleted: boolean(pairs, "showDeleted")?,
        })
    }

    /// The normalised query string for `page` (docs/api.md §2.1: defaults included).
    pub fn query_string(&self, page: u32) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("view", if self.detailed { "Detailed" } else { "Simple" });
        if let Some(d) = self.show_deleted {
            q.append_pair("showDeleted", if d { "true" } else { "false" });
        }
        for t in &self.types {
            q.append_pair("type", t);
        }
        for d in &self.directions {
            q.append_pair("direction", d);
        }
        q.append_pair("dateFrom", &timestamp(self.date_from));
        q.append_pair("dateTo", &timestamp(self.date_to));
        q.append_pair("page", &page.to_string());
        q.append_pair("perPage", &self.per_page.to_string());
        // Keep `:` readable like the real server's echo.
        q.finish().replace("%3A", ":")
    }
}

/// A message-store list query (docs/api.md §1.8).
#[derive(Clone, Debug)]
pub(crate) struct MessageQuery {
    pub date_from: DateTime<Utc>,
    pub date_to: DateTime<Utc>,
    date_to_sent: bool,
    pub page: u32,
    pub per_page: u32,
    pub types: Vec<&'static str>,
    pub directions: Vec<&'static str>,
    pub availability: Vec<&'static str>,
    pub read_status: Vec<&'static str>,
}

impl MessageQuery {
    pub fn parse(pairs: &[(String, String)], now: DateTime<Utc>) -> Result<Self> {
        let date_to = match last(pairs, "dateTo") {
            None => None,
            Some(v) => Some(parse_time(v).ok_or_else(|| invalid("dateTo", v))?),
        };
        let date_to_sent = date_to.is_some();
        let date_to = date_to.unwrap_or(now);
        let date_from = match last(pairs, "dateFrom") {
            None => {
                let t = date_to - Duration::hours(24);
                t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
            }
            Some(v) => parse_time(v).ok_or_else(|| invalid("dateFrom", v))?,
        };
        let mut availability = enum_list(pairs, "availability", &["Alive", "Deleted", "Purged"])?;
        // Only `Alive` by default (docs/api.md §1.8).
        if availability.is_empty() {
            availability.push("Alive");
        }
        Ok(Self {
            date_from,
            date_to,
            date_to_sent,
            page: page(pairs)?,
            per_page: per_page(pairs)?.0,
            types: enum_list(pairs, "messageType", &["Fax", "SMS", "VoiceMail", "Pager"])?,
            directions: enum_list(pairs, "direction", &["Inbound", "Outbound"])?,
            availability,
            read_status: enum_list(pairs, "readStatus", &["Read", "Unread"])?,
        })
    }

    /// The normalised query: `availability` always (defaulted `Alive` echoed), the
    /// defaulted `dateFrom`, and `dateTo` only when sent, as observed (docs/api.md §2.1).
    pub fn query_string(&self, page: u32) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for a in &self.availability {
            q.append_pair("availability", a);
        }
        q.append_pair("dateFrom", &timestamp(self.date_from));
        if self.date_to_sent {
            q.append_pair("dateTo", &timestamp(self.date_to));
        }
        for d in &self.directions {
            q.append_pair("direction", d);
        }
        for t in &self.types {
            q.append_pair("messageType", t);
        }
        q.append_pair("page", &page.to_string());
        q.append_pair("perPage", &self.per_page.to_string());
        for r in &self.read_status {
            q.append_pair("readStatus", r);
        }
        q.finish().replace("%3A", ":")
    }
}

/// A message-sync query (docs/api.md §1.9): a full sync over a creation-time window, or an
/// incremental sync from a token.
#[derive(Clone, Debug)]
pub(crate) enum MessageSyncQuery {
    Full(FullSyncQuery),
    /// `syncType=ISync`; the token carries the mailbox, the instant and the filters, so the
    /// other parameters are ignored.
    Incremental {
        sync_token: String,
    },
}

/// `syncType=FSync` parameters with defaults filled in.
#[derive(Clone, Debug)]
pub(crate) struct FullSyncQuery {
    pub date_from: DateTime<Utc>,
    pub date_to: DateTime<Utc>,
    date_to_sent: bool,
    /// Newest records to return; all of the window when absent.
    pub record_count: Option<u32>,
    pub types: Vec<&'static str>,
    pub directions: Vec<&'static str>,
}

pub(crate) const MESSAGE_TYPES: &[&str] = &["Fax", "SMS", "VoiceMail", "Pager"];
pub(crate) const DIRECTIONS: &[&str] = &["Inbound", "Outbound"];

impl MessageSyncQuery {
    pub fn parse(pairs: &[(String, String)], now: DateTime<Utc>) -> Result<Self> {
        match last(pairs, "syncType") {
            // FSync is what a client without a token can mean.
            None => {}
            Some(v) if v.eq_ignore_ascii_case("FSync") => {}
            Some(v) if v.eq_ignore_ascii_case("ISync") => {
                // The token is mandatory for ISync (spec).
                let token = last(pairs, "syncToken").map(str::trim).unwrap_or("");
                if token.is_empty() {
                    return Err(invalid("syncToken", token));
                }
                return Ok(Self::Incremental {
                    sync_token: token.to_string(),
                });
            }
            Some(v) => return Err(invalid("syncType", v)),
        }
        let date_to = match last(pairs, "dateTo") {
            None => None,
            Some(v) => Some(parse_time(v).ok_or_else(|| invalid("dateTo", v))?),
        };
        let date_to_sent = date_to.is_some();
        let date_to = date_to.unwrap_or(now);
        let date_from = match last(pairs, "dateFrom") {
            // The spec's default, `dateTo − 24 h`; the sync guide says a week instead
            // (docs/api.md §1.9 conflict): clients should always send dateFrom.
            None => date_to - Duration::hours(24),
            Some(v) => parse_time(v).ok_or_else(|| invalid("dateFrom", v))?,
        };
        let record_count = match last(pairs, "recordCount") {
            None => None,
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (1..=i64::from(i32::MAX)).contains(&n) => Some(n as u32),
                _ => return Err(invalid("recordCount", v)),
            },
        };
        Ok(Self::Full(FullSyncQuery {
            date_from,
            date_to,
            date_to_sent,
            record_count,
            types: enum_list(pairs, "messageType", MESSAGE_TYPES)?,
            directions: enum_list(pairs, "direction", DIRECTIONS)?,
        }))
    }
}

impl FullSyncQuery {
    /// The normalised query echoed in `uri` (like samples/message_sync_fsync_*).
    pub fn query_string(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for t in &self.types {
            q.append_pair("messageType", t);
        }
        for d in &self.directions {
            q.append_pair("direction", d);
        }
        q.append_pair("syncType", "FSync");
        q.append_pair("dateFrom", &timestamp(self.date_from));
        if self.date_to_sent {
            q.append_pair("dateTo", &timestamp(self.date_to));
        }
        if let Some(n) = self.record_count {
            q.append_pair("recordCount", &n.to_string());
        }
        q.finish().replace("%3A", ":")
    }
}

/// Default and maximum `recordCount` of a call-log extract `FSync` (docs/api.md §1.4).
pub(crate) const EXTRACT_DEFAULT_RECORD_COUNT: u32 = 250;
pub(crate) const EXTRACT_MAX_RECORD_COUNT: u32 = 1000;

/// A call-log extract-sync query (docs/api.md §1.4).
#[derive(Clone, Debug)]
pub(crate) enum ExtractSyncQuery {
    Full {
        date_from: DateTime<Utc>,
        record_count: u32,
        /// `view=Detailed`; `None` when not sent (Simple).
        detailed: Option<bool>,
    },
    /// The token carries the position, the record count and the view; `view` may still
    /// be sent and wins. `recordCount` is FSync-only (spec) and ignored here.
    Incremental {
        sync_token: String,
        detailed: Option<bool>,
    },
}

impl ExtractSyncQuery {
    pub fn parse(pairs: &[(String, String)], now: DateTime<Utc>) -> Result<Self> {
        let detailed = match last(pairs, "view") {
            None => None,
            Some(v) if v.eq_ignore_ascii_case("Simple") => Some(false),
            Some(v) if v.eq_ignore_ascii_case("Detailed") => Some(true),
            Some(v) => return Err(invalid("view", v)),
        };
        match last(pairs, "syncType") {
            None => {}
            Some(v) if v.eq_ignore_ascii_case("FSync") => {}
            Some(v) if v.eq_ignore_ascii_case("ISync") => {
                let token = last(pairs, "syncToken").map(str::trim).unwrap_or("");
                if token.is_empty() {
                    return Err(invalid("syncToken", token));
                }
                return Ok(Self::Incremental {
                    sync_token: token.to_string(),
                    detailed,
                });
            }
            Some(v) => return Err(invalid("syncType", v)),
        }
        let date_from = match last(pairs, "dateFrom") {
            None => now - Duration::hours(1),
            Some(v) => parse_time(v).ok_or_else(|| invalid("dateFrom", v))?,
        };
        // Like perPage, a count above the maximum is clamped rather than refused.
        let record_count = match last(pairs, "recordCount") {
            None => EXTRACT_DEFAULT_RECORD_COUNT,
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if n >= 1 => n.min(i64::from(EXTRACT_MAX_RECORD_COUNT)) as u32,
                _ => return Err(invalid("recordCount", v)),
            },
        };
        Ok(Self::Full {
            date_from,
            record_count,
            detailed,
        })
    }
}

/// An active-calls list query (docs/api.md §1.5).
#[derive(Clone, Debug)]
pub(crate) struct ActiveCallsQuery {
    view: Option<&'static str>,
    pub page: u32,
    pub per_page: u32,
    pub directions: Vec<&'static str>,
    types: Vec<&'static str>,
    /// Whether voice calls pass the `type` filter.
    pub voice: bool,
}

impl ActiveCallsQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<Self> {
        let view = match last(pairs, "view") {
            None => None,
            Some(v) if v.eq_ignore_ascii_case("Simple") => Some("Simple"),
            Some(v) if v.eq_ignore_ascii_case("Detailed") => Some("Detailed"),
            Some(v) => return Err(invalid("view", v)),
        };
        // Every active call is a voice call; a type filter keeps or drops them all.
        let types = enum_list(pairs, "type", &["Voice", "Fax"])?;
        Ok(Self {
            view,
            page: page(pairs)?,
            per_page: per_page(pairs)?.0,
            directions: enum_list(pairs, "direction", &["Inbound", "Outbound"])?,
            voice: types.is_empty() || types.contains(&"Voice"),
            types,
        })
    }

    pub fn query_string(&self, page: u32) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(v) = self.view {
            q.append_pair("view", v);
        }
        for d in &self.directions {
            q.append_pair("direction", d);
        }
        for t in &self.types {
            q.append_pair("type", t);
        }
        q.append_pair("page", &page.to_string());
        q.append_pair("perPage", &self.per_page.to_string());
        q.finish()
    }
}

const EXTENSION_STATUSES: &[&str] = &[
    "Enabled",
    "Disabled",
    "Frozen",
    "NotActivated",
    "Unassigned",
];

/// An extension-list query (docs/api.md §1.7).
#[derive(Clone, Debug)]
pub(crate) struct ExtensionQuery {
    pub page: u32,
    pub per_page: u32,
    per_page_max: bool,
    pub statuses: Vec<&'static str>,
    pub types: Vec<String>,
}

impl ExtensionQuery {
    pub fn parse(pairs: &[(String, String)]) -> Result<Self> {
        let (per_page, per_page_max) = per_page(pairs)?;
        // Extension types are an open set (docs/api.md §3.6); match them as sent.
        let types = all(pairs, "type")
            .flat_map(|v| v.split(','))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        Ok(Self {
            page: page(pairs)?,
            per_page,
            per_page_max,
            statuses: enum_list(pairs, "status", EXTENSION_STATUSES)?,
            types,
        })
    }

    pub fn query_string(&self, page: u32) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for s in &self.statuses {
            q.append_pair("status", s);
        }
        for t in &self.types {
            q.append_pair("type", t);
        }
        q.append_pair("page", &page.to_string());
        // `perPage=max` is echoed as sent (sample extension_list_perpage_max_sdkfixture).
        if self.per_page_max {
            q.append_pair("perPage", "max");
        } else {
            q.append_pair("perPage", &self.per_page.to_string());
        }
        q.finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn q(s: &str) -> Vec<(String, String)> {
        pairs(Some(s))
    }

    #[test]
    fn time_formats() {
        let want = Utc.with_ymd_and_hms(2014, 9, 18, 0, 0, 0).unwrap();
        for s in [
            "2014-09-18",
            "2014-09-18T00:00:00",
            "2014-09-18T00:00:00Z",
            "2014-09-18T00:00:00.000Z",
            "2014-09-18T02:00:00+02:00",
            "2014-09-18T02:00:00.000+0200",
            "2014-09-18T02:00:00 02:00",
            "2014-09-17T20:00:00-04:00",
        ] {
            assert_eq!(parse_time(s), Some(want), "{s}");
        }
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2014-13-01"), None);
    }

    #[test]
    fn per_page_rules() {
        assert_eq!(per_page(&q("")).unwrap(), (100, false));
        assert_eq!(per_page(&q("perPage=7")).unwrap(), (7, false));
        assert_eq!(per_page(&q("perPage=5000")).unwrap(), (1000, false));
        assert_eq!(per_page(&q("perPage=max")).unwrap(), (1000, true));
        for bad in ["perPage=0", "perPage=-3", "perPage=abc", "perPage="] {
            assert!(matches!(
                per_page(&q(bad)),
                Err(Error::InvalidParameter {
                    name: "perPage",
                    ..
                })
            ));
        }
        assert!(page(&q("page=0")).is_err());
        assert_eq!(page(&q("page=3")).unwrap(), 3);
    }

    #[test]
    fn call_log_defaults_and_echo() {
        let now = Utc.with_ymd_and_hms(2024, 5, 2, 10, 30, 45).unwrap();
        let cq = CallLogQuery::parse(&q("type=Voice&type=fax&direction=Inbound"), now).unwrap();
        assert_eq!(cq.types, vec!["Voice", "Fax"]);
        assert_eq!(cq.date_to, now);
        assert_eq!(
            cq.date_from,
            Utc.with_ymd_and_hms(2024, 5, 1, 10, 30, 0).unwrap()
        );
        assert_eq!(
            cq.query_string(2),
            "view=Simple&type=Voice&type=Fax&direction=Inbound&dateFrom=2024-05-01T10:30:00.000Z\
             &dateTo=2024-05-02T10:30:45.000Z&page=2&perPage=100"
        );
        assert!(CallLogQuery::parse(&q("view=Full"), now).is_err());
        assert!(CallLogQuery::parse(&q("type=SMS"), now).is_err());
        assert!(CallLogQuery::parse(&q("dateFrom=garbage"), now).is_err());
    }

    #[test]
    fn message_query_defaults_and_echo() {
        let now = Utc.with_ymd_and_hms(2024, 5, 2, 10, 30, 45).unwrap();
        let mq = MessageQuery::parse(&q("messageType=sms&perPage=5000"), now).unwrap();
        assert_eq!(mq.availability, vec!["Alive"]);
        assert_eq!(mq.per_page, 1000);
        assert_eq!(
            mq.query_string(1),
            "availability=Alive&dateFrom=2024-05-01T10:30:00.000Z&messageType=SMS&page=1&perPage=1000"
        );
        assert!(MessageQuery::parse(&q("availability=Gone"), now).is_err());
        assert!(MessageQuery::parse(&q("messageType=Voice"), now).is_err());
    }

    #[test]
    fn message_sync_defaults_and_modes() {
        let now = Utc.with_ymd_and_hms(2024, 5, 2, 10, 30, 45).unwrap();
        let Ok(MessageSyncQuery::Full(f)) = MessageSyncQuery::parse(&q(""), now) else {
            panic!("no syncType is a full sync");
        };
        // Default window: the spec's dateTo − 24 h, not truncated.
        assert_eq!(f.date_to, now);
        assert_eq!(f.date_from, now - Duration::hours(24));
        assert_eq!(f.record_count, None);
        assert_eq!(
            f.query_string(),
            "syncType=FSync&dateFrom=2024-05-01T10:30:45.000Z"
        );
        let Ok(MessageSyncQuery::Full(f)) = MessageSyncQuery::parse(
            &q(
                "syncType=fsync&messageType=SMS&direction=Inbound&recordCount=250&dateTo=2024-05-01",
            ),
            now,
        ) else {
            panic!("FSync");
        };
        assert_eq!(f.record_count, Some(250));
        assert_eq!(
            f.date_from,
            Utc.with_ymd_and_hms(2024, 4, 30, 0, 0, 0).unwrap()
        );
        assert_eq!(
            f.query_string(),
            "messageType=SMS&direction=Inbound&syncType=FSync&dateFrom=2024-04-30T00:00:00.000Z\
             &dateTo=2024-05-01T00:00:00.000Z&recordCount=250"
        );
        assert!(matches!(
            MessageSyncQuery::parse(&q("syncType=ISync&syncToken=abc&recordCount=x"), now),
            Ok(MessageSyncQuery::Incremental { sync_token }) if sync_token == "abc"
        ));
        for bad in [
            "syncType=ISync",
            "syncType=ISync&syncToken=",
            "syncType=Partial",
            "recordCount=0",
            "recordCount=many",
        ] {
            assert!(
                matches!(
                    MessageSyncQuery::parse(&q(bad), now),
                    Err(Error::InvalidParameter { .. })
                ),
                "{bad}"
            );
        }
    }
}
