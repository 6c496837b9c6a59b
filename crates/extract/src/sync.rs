//! The incremental call-log mode: `call-log-extract-sync` (docs/api.md §1.4, group Heavy),
//! which returns every company record *modified* after a point in time. A session is an
//! FSync (first run, or after the server refused the saved token) or an ISync with the
//! saved token, then ISyncs with each returned token while `syncInfo.newerRecordsExist`.
//! Its pages land in `<raw>/call-log-sync/<SYNC_TIME>/`, published whole at its end, and
//! only then is the last token saved in the call-log checkpoint file.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use tracing::{debug, info, warn};

use crate::call_log;
use crate::checkpoint::{Checkpoint, SyncState};
use crate::client::{ApiClient, path_only};
use crate::error::{Error, Result};
use crate::landing::StreamDir;
use crate::options::ExtractOptions;
use crate::outcome::{Extracted, RunDays, mb};
use crate::pacer::RateGroup;
use crate::progress::Progress;
use crate::window::format_api_time;
use ringlake_contracts::Stream;
use ringlake_contracts::day::day_of;
use ringlake_contracts::raw::{Window as RawWindow, instant_dir_name};

/// Stream name: the raw directory `<raw>/call-log-sync/`.
pub(crate) const STREAM: Stream = Stream::CallLogSync;
/// Company call-log extract sync (docs/api.md §1, #7).
const SYNC_PATH: &str = "/restapi/v1.0/account/~/call-log-extract-sync";
/// `recordCount` of an FSync: the maximum (§1.4; the default is 250).
const FSYNC_RECORD_COUNT: u32 = 1000;
/// An FSync that replaces a refused token starts this long before the last `syncTime`:
/// the token's exact position is lost, and records seen twice are harmless (the transform
/// keeps the newest `lastModifiedTime`), records missed are not.
pub(crate) const RESTART_OVERLAP: TimeDelta = TimeDelta::minutes(10);
/// Refused tokens tolerated in one session; more means the server refuses its own fresh
/// tokens, and the session stops rather than loop.
const MAX_RESTARTS: u32 = 2;
/// More pages than this in one session (100 million records) means the server is looping.
const MAX_PAGES_PER_SESSION: u32 = 100_000;

/// What a run of [`extract_call_log_sync`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// The session's directory name under `<raw>/call-log-sync/`: its start,
    /// `%Y%m%dT%H%M%S%.3fZ`.
    pub session: String,
    /// `<raw>/call-log-sync/<session>/` once published; `None` when no page landed.
    pub published: Option<PathBuf>,
    /// Pages answered to an FSync (1 on a first run, one more per refused token).
    pub full_syncs: u32,
    /// Tokens the server refused (CLG-101…105, `Parameter [syncToken] is invalid`); each
    /// was dropped and replaced by an FSync.
    pub tokens_refused: u32,
    /// Pages, records and body bytes (uncompressed) landed in this session.
    pub pages: u64,
    /// Records on those pages.
    pub records: u64,
    /// Body bytes of those pages, as received (before compression on disk).
    pub bytes: u64,
    /// The partition days (in `ExtractOptions::time_zone`) the synced records start in:
    /// the day partitions to rebuild.
    pub days: BTreeSet<NaiveDate>,
    /// Records whose `startTime` is missing or unreadable (not in `days`; the transform
    /// sends them to its dead letters).
    pub records_without_start: u64,
    /// `syncInfo.syncTime` of the token saved at the end of the session.
    pub sync_time: Option<DateTime<Utc>>,
    /// The session stopped early after its retry budget (rate limits, server errors,
    /// network faults, bad pages): what landed before is published and its token saved;
    /// the next run goes on from there.
    pub error: Option<String>,
}

impl Extracted for SyncSummary {
    fn summary(&self) -> String {
        format!(
            "session {} ({} full syncs, {} tokens refused), {} pages, {} records over {} days, {:.1} MB",
            self.session,
            self.full_syncs,
            self.tokens_refused,
            self.pages,
            self.records,
            self.days.len(),
            mb(self.bytes)
        )
    }
    fn records(&self) -> u64 {
        self.records
    }
    /// A session's length is the server's to decide.
    fn paging_minimum(&self) -> Option<u64> {
        None
    }
    fn failures(&self) -> Vec<String> {
        self.error
            .iter()
            .map(|why| {
                format!(
                    "call-log-sync stopped early: {why} (what landed is kept; run the same command again to go on)"
                )
            })
            .collect()
    }
    /// Every day of the range, rebuilt from all the pages landed so far (both call-log
    /// modes): a day's records may have come in any earlier session, and the raw zone
    /// only grows, so no rebuild can lose a row. Unchanged partitions keep their bytes.
    fn loadable_days(&self, days: RunDays<'_>) -> BTreeSet<NaiveDate> {
        days.range.iter().copied().collect()
    }
}

/// One request of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SyncRequest {
    Full { date_from: DateTime<Utc> },
    Incremental { token: String },
}

impl SyncRequest {
    fn path_and_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        match self {
            SyncRequest::Full { date_from } => query
                .append_pair("syncType", "FSync")
                .append_pair("dateFrom", &format_api_time(*date_from))
                .append_pair("recordCount", &FSYNC_RECORD_COUNT.to_string()),
            SyncRequest::Incremental { token } => query
                .append_pair("syncType", "ISync")
                .append_pair("syncToken", token),
        };
        // The spec allows `view` on both; sent on ISync too so that a server on which the
        // FSync's view does not stick still returns legs and billing.
        query.append_pair("view", "Detailed");
        format!("{SYNC_PATH}?{}", query.finish())
    }
}

/// The `syncInfo` of a sync page (docs/api.md §2.2) and the start of its records.
#[derive(Debug)]
struct SyncPage {
    records: usize,
    starts: Vec<DateTime<Utc>>,
    without_start: usize,
    token: String,
    sync_time: DateTime<Utc>,
    newer_records_exist: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
    sync_info: SyncInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyncInfo {
    sync_token: String,
    sync_time: DateTime<Utc>,
    /// Required by the spec; absent means no more (a `call-log-sync`-style answer).
    #[serde(default)]
    newer_records_exist: bool,
}

/// Only what the day report needs of a record; the rest stays raw for the transform.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordStart {
    #[serde(default)]
    start_time: Option<String>,
}

/// Checks a 2xx body is a sync envelope and reads the token and the record starts. A
/// record that is not an object or has no readable `startTime` is counted, not an error:
/// it spoils only itself.
fn read_sync_page(body: &[u8]) -> std::result::Result<SyncPage, String> {
    let envelope: Envelope<'_> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if envelope.sync_info.sync_token.is_empty() {
        return Err("syncInfo.syncToken is empty".to_owned());
    }
    let mut starts = Vec::with_capacity(envelope.records.len());
    let mut without_start = 0;
    for record in &envelope.records {
        let start = serde_json::from_str::<RecordStart>(record.get())
            .ok()
            .and_then(|r| r.start_time)
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok());
        match start {
            Some(t) => starts.push(t.with_timezone(&Utc)),
            None => without_start += 1,
        }
    }
    Ok(SyncPage {
        records: envelope.records.len(),
        starts,
        without_start,
        token: envelope.sync_info.sync_token,
        sync_time: envelope.sync_info.sync_time,
        newer_records_exist: envelope.sync_info.newer_records_exist,
    })
}

/// Where an FSync that replaces a refused token starts: [`RESTART_OVERLAP`] before the last
/// `syncTime`. `None` when that is before chrono's range (a `syncTime` from the server or
/// a checkpoint at its very start): the caller starts from its `since`, as a first run does.
fn restart_from(sync_time: DateTime<Utc>) -> Option<DateTime<Utc>> {
    sync_time.checked_sub_signed(RESTART_OVERLAP)
}

/// Whether the server refused a sync token (§1.3: 400 with CLG-101…105, "Parameter
/// [syncToken] is invalid", also when too many changes piled up since the token).
fn token_refused(e: &Error) -> Option<&str> {
    match e {
        Error::Http {
            status: 400,
            code,
            message,
            ..
        } if code.starts_with("CLG-10") || message.contains("syncToken") => Some(code),
        _ => None,
    }
}

/// Extracts the company call-log records modified since the last session into
/// `<raw>/call-log-sync/<SYNC_TIME>/`.
///
/// With a token saved in the call-log checkpoint, the session starts with an ISync;
/// without one it starts with an FSync from `since` — or, when an earlier session's
/// `syncTime` is known but its token was refused, from that time minus a small overlap.
/// A token the server refuses is dropped and replaced by such an FSync. The session's
/// pages are published whole, then the last token is saved; records appear again across
/// sessions and day pages, which the transform resolves (newest `lastModifiedTime`).
///
/// A session that fails after its retry budget publishes what landed, saves that position
/// and reports the error in [`SyncSummary::error`]; authentication, permission, bad
/// request and local I/O errors abort with `Err`, publishing and saving nothing.
pub async fn extract_call_log_sync(
    client: &ApiClient,
    opts: &ExtractOptions,
    since: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<SyncSummary> {
    opts.validate()?;
    let stream = StreamDir::new(&opts.raw_dir, STREAM);
    stream.prepare()?;
    // The token lives in the call-log file (one place for the call log's state); the
    // checkpoint writes only the part this instance changed.
    let checkpoint = Checkpoint::load(&opts.state_dir, call_log::STREAM.name())?;
    let saved = checkpoint.snapshot().await.sync_state().cloned();
    let started = Utc::now();
    let mut summary = SyncSummary {
        session: instant_dir_name(started),
        ..SyncSummary::default()
    };
    let mut request = match &saved {
        Some(SyncState {
            token: Some(token), ..
        }) => SyncRequest::Incremental {
            token: token.clone(),
        },
        Some(s) => SyncRequest::Full {
            date_from: restart_from(s.sync_time).unwrap_or(since),
        },
        None => SyncRequest::Full { date_from: since },
    };
    info!(
        session = summary.session,
        mode = if matches!(request, SyncRequest::Full { .. }) {
            "FSync"
        } else {
            "ISync"
        },
        "Call-log sync started."
    );
    client.inner.access_token(progress).await?;
    let staging = stream.stage(&RawWindow::Session { at: started })?;
    let mut position: Option<(String, DateTime<Utc>)> = None;
    let mut pages = 0u32;
    let stopped: Option<Error> = loop {
        let path_and_query = request.path_and_query();
        let page = client
            .inner
            .get_page(
                RateGroup::of(STREAM),
                &path_and_query,
                progress,
                read_sync_page,
            )
            .await;
        let (body, page) = match page {
            Ok(page) => page,
            Err(e) => {
                if let (SyncRequest::Incremental { .. }, Some(code)) = (&request, token_refused(&e))
                    && summary.tokens_refused < MAX_RESTARTS
                {
                    summary.tokens_refused += 1;
                    let last_time = position
                        .as_ref()
                        .map(|(_, t)| *t)
                        .or(saved.as_ref().map(|s| s.sync_time));
                    let date_from = last_time.and_then(restart_from).unwrap_or(since);
                    warn!(code, date_from = %format_api_time(date_from), "The server refused the sync token; starting again with a full sync.");
                    request = SyncRequest::Full { date_from };
                    continue;
                }
                if e.is_day_local() {
                    break Some(e);
                }
                // Dropping the staging removes what landed; nothing is saved.
                return Err(e);
            }
        };
        pages += 1;
        if matches!(request, SyncRequest::Full { .. }) {
            summary.full_syncs += 1;
        }
        summary.pages += 1;
        summary.records += page.records as u64;
        summary.bytes += body.len() as u64;
        summary.records_without_start += page.without_start as u64;
        summary.days.extend(
            // A start the day rule cannot place (chrono's range edge) names no day.
            page.starts
                .iter()
                .filter_map(|t| day_of(*t, opts.time_zone)),
        );
        staging.write_page(pages, body).await?;
        debug!(
            session = summary.session,
            page = pages,
            records = page.records,
            newer = page.newer_records_exist,
            "Sync page landed."
        );
        progress.sync_page_fetched(pages, page.records);

        let same_token = position.as_ref().is_some_and(|(t, _)| *t == page.token);
        position = Some((page.token.clone(), page.sync_time));
        if !page.newer_records_exist {
            break None;
        }
        let paging_error = |detail: String| Error::Paging {
            window: format!("{STREAM} {}", summary.session),
            path: path_only(&path_and_query).to_owned(),
            detail,
        };
        if page.records == 0 && same_token {
            break Some(paging_error(format!(
                "page {pages} says newer records exist but brings none and the same token"
            )));
        }
        if pages >= MAX_PAGES_PER_SESSION {
            break Some(paging_error(format!(
                "more than {MAX_PAGES_PER_SESSION} pages"
            )));
        }
        request = SyncRequest::Incremental { token: page.token };
    };

    if let Some((token, sync_time)) = position {
        let dir = staging.publish().await?;
        // Saved only now: a killed run resumes from the previous token, whose pages are
        // published, and fetches this session's records again.
        checkpoint
            .record_sync(SyncState {
                token: Some(token),
                sync_time,
                session: summary.session.clone(),
            })
            .await?;
        summary.published = Some(dir);
        summary.sync_time = Some(sync_time);
    }
    if let Some(e) = stopped {
        warn!(session = summary.session, error = %e, pages = summary.pages, "Call-log sync stopped early; the next run goes on from the last page landed.");
        summary.error = Some(e.to_string());
    }
    info!(
        session = summary.session,
        pages = summary.pages,
        records = summary.records,
        days = summary.days.len(),
        tokens_refused = summary.tokens_refused,
        "Call-log sync finished."
    );
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn requests_and_session_names() {
        let full = SyncRequest::Full {
            date_from: t("2024-01-02T08:00:00Z"),
        };
        assert_eq!(
            full.path_and_query(),
            "/restapi/v1.0/account/~/call-log-extract-sync?syncType=FSync\
             &dateFrom=2024-01-02T08%3A00%3A00.000Z&recordCount=1000&view=Detailed"
        );
        let inc = SyncRequest::Incremental {
            token: "FAsD+/=".into(),
        };
        assert_eq!(
            inc.path_and_query(),
            "/restapi/v1.0/account/~/call-log-extract-sync?syncType=ISync&syncToken=FAsD%2B%2F%3D&view=Detailed"
        );
        assert_eq!(
            instant_dir_name(t("2024-01-02T08:09:10.123456Z")),
            "20240102T080910.123Z"
        );
    }

    #[test]
    fn sync_page_reads_token_and_starts_and_rejects_truncation() {
        let body = br#"{"uri":"u","records":[{"id":"a","startTime":"2024-01-02T23:30:00.000Z"},{"id":"b"},7,{"id":"c","startTime":"2024-01-03T00:10:00Z"}],"syncInfo":{"syncType":"ISync","syncToken":"T2","syncTime":"2024-01-04T00:00:00.123Z","newerRecordsExist":true}}"#;
        let page = read_sync_page(body).unwrap();
        assert_eq!((page.records, page.without_start), (4, 2));
        assert_eq!(
            page.starts,
            [t("2024-01-02T23:30:00Z"), t("2024-01-03T00:10:00Z")]
        );
        assert_eq!(page.token, "T2");
        assert_eq!(page.sync_time, t("2024-01-04T00:00:00.123Z"));
        assert!(page.newer_records_exist);
        assert!(read_sync_page(&body[..body.len() - 3]).is_err());
        // A list envelope is not a sync page.
        assert!(read_sync_page(br#"{"records":[],"navigation":{}}"#).is_err());
        assert!(
            read_sync_page(
                br#"{"records":[],"syncInfo":{"syncToken":"","syncTime":"2024-01-04T00:00:00Z"}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn a_restart_before_the_start_of_time_is_none() {
        assert_eq!(
            restart_from(t("2024-01-04T10:00:00Z")),
            Some(t("2024-01-04T09:50:00Z"))
        );
        // What the server may send: chrono reads signed years of six digits.
        let body =
            br#"{"records":[],"syncInfo":{"syncToken":"T","syncTime":"-262143-01-01T00:05:00Z"}}"#;
        let edge = read_sync_page(body).unwrap().sync_time;
        assert_eq!(restart_from(edge), None);
        assert_eq!(restart_from(DateTime::<Utc>::MIN_UTC), None);
        assert!(restart_from(DateTime::<Utc>::MAX_UTC).is_some());
    }

    #[test]
    fn refused_tokens_are_told_apart_from_other_bad_requests() {
        let http = |code: &str, message: &str| Error::Http {
            path: SYNC_PATH.into(),
            status: 400,
            code: code.into(),
            message: message.into(),
        };
        assert_eq!(
            token_refused(&http(
                "CLG-101",
                "Parameter [syncToken] is invalid [Sync token expired, call log was reset]"
            )),
            Some("CLG-101")
        );
        assert_eq!(token_refused(&http("CLG-105", "x")), Some("CLG-105"));
        assert_eq!(
            token_refused(&http(
                "CMN-101",
                "Parameter [syncToken] is invalid [max sync record number limit is exceeded]"
            )),
            Some("CMN-101")
        );
        assert_eq!(token_refused(&http("CLG-110", "sessionId")), None);
        assert_eq!(
            token_refused(&http("CMN-101", "Parameter [dateFrom] is invalid")),
            None
        );
    }
}
