//! `<state>/<stream>.checkpoint.json`: which days of the call log are on disk, which spans
//! of which mailbox's message store, and when they were fetched. Written atomically
//! (temporary file, fsync, rename) after a window is in place — at once for a day, coalesced
//! for mailboxes. One file per stream, because streams are extracted at the same time and
//! each holds its checkpoint in memory: a shared file would lose the other's updates.
//! The one exception is the call-log file, which also holds the incremental mode's sync
//! token: each writer owns the parts it changed and takes the others from the file as it
//! is when it writes (under a process-wide lock), so the day mode and the sync mode keep
//! each other's updates.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `<stream>` + this is the file name.
const FILE_SUFFIX: &str = ".checkpoint.json";
/// `.<stream>.checkpoint.json` + this + random hex: a temporary file being written.
const TMP_MARK: &str = ".tmp-";
const VERSION: u32 = 1;

/// Serialises read-merge-write of checkpoint files across the instances of a process.
static WRITE_LOCK: Mutex<()> = Mutex::new(());

/// What the checkpoint knows of one fetched day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DayRecord {
    pub pages: u32,
    pub records: u64,
    /// Bytes of the page bodies as received (before compression).
    pub bytes: u64,
    pub window_from: DateTime<Utc>,
    pub window_to: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
}

/// What the checkpoint knows of one fetched span of a mailbox's message store: the
/// partition days `from_day..=to_day` read with one request window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SpanRecord {
    pub from_day: NaiveDate,
    pub to_day: NaiveDate,
    pub window_from: DateTime<Utc>,
    pub window_to: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub pages: u32,
    pub records: u64,
    /// Bytes of the page bodies as received (before compression).
    pub bytes: u64,
}

/// Where the incremental call-log mode (`call-log-extract-sync`, docs/api.md §1.4) stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SyncState {
    /// The last `syncInfo.syncToken` whose pages are published; `None` once the server
    /// refused it (the next session starts with an FSync from `sync_time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `syncInfo.syncTime` of that token.
    pub sync_time: DateTime<Utc>,
    /// The raw directory name of the session that landed it (`<raw>/call-log-sync/<…>`).
    pub session: String,
}

/// The content of a checkpoint file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct CheckpointData {
    #[serde(default)]
    version: u32,
    /// stream name ("call-log") → day → record. Other streams are kept as they are.
    #[serde(default)]
    streams: BTreeMap<String, BTreeMap<NaiveDate, DayRecord>>,
    /// Mailbox (extension id) → spans of its message store fetched. Added in issue 3;
    /// a file without it reads as "no mailbox fetched yet".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    message_store: BTreeMap<i64, Vec<SpanRecord>>,
    /// The incremental mode's position. Added in issue 4; a file without it reads as
    /// "never synced".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    call_log_sync: Option<SyncState>,
}

impl CheckpointData {
    /// Reads `<state_dir>/<stream>.checkpoint.json` without changing anything on disk
    /// (for planning); a missing file or directory reads as empty.
    pub(crate) fn read(state_dir: &Path, stream: &str) -> Result<Self> {
        read_file(&file_path(state_dir, stream))
    }

    pub(crate) fn day(&self, stream: &str, day: NaiveDate) -> Option<&DayRecord> {
        self.streams.get(stream)?.get(&day)
    }

    pub(crate) fn mailbox_spans(&self) -> &BTreeMap<i64, Vec<SpanRecord>> {
        &self.message_store
    }

    pub(crate) fn sync_state(&self) -> Option<&SyncState> {
        self.call_log_sync.as_ref()
    }
}

/// The parts of the file an instance changed: those it writes; the others it takes from
/// the file at write time.
#[derive(Clone, Copy, Debug, Default)]
struct Touched {
    days: bool,
    spans: bool,
    sync: bool,
}

#[derive(Debug, Default)]
struct State {
    data: CheckpointData,
    /// Changes not yet written (see [`Checkpoint::note_span`]).
    dirty: bool,
    touched: Touched,
}

/// The checkpoint file, loaded once; one lock serialises updates.
#[derive(Debug)]
pub(crate) struct Checkpoint {
    path: PathBuf,
    /// Names of this stream's temporary files start with it.
    tmp_prefix: String,
    state: tokio::sync::Mutex<State>,
}

/// The one re-run rule: a window is settled — skipped on a re-run — when a fetch whose
/// window contains it happened at least `lookback_days` after the window ended. Records of
/// recent days still change (billing, recordings, message status — DESIGN "extract"), so
/// those are fetched again; a window the fetch did not cover (another time zone) is fetched
/// again too. A look-back that ends past chrono's range (`--lookback-days` up to `u32::MAX`,
/// or a window near its edge in a checkpoint) never settles: every such day is fetched again.
fn settles(
    fetched: (DateTime<Utc>, DateTime<Utc>),
    fetched_at: DateTime<Utc>,
    window: (DateTime<Utc>, DateTime<Utc>),
    lookback_days: u32,
) -> bool {
    fetched.0 <= window.0
        && window.1 <= fetched.1
        && window
            .1
            .checked_add_signed(Duration::days(i64::from(lookback_days)))
            .is_some_and(|settles_at| fetched_at >= settles_at)
}

/// [`settles`] for a day of a day stream.
pub(crate) fn is_settled(
    done: Option<&DayRecord>,
    window: (DateTime<Utc>, DateTime<Utc>),
    lookback_days: u32,
) -> bool {
    done.is_some_and(|d| {
        settles(
            (d.window_from, d.window_to),
            d.fetched_at,
            window,
            lookback_days,
        )
    })
}

/// [`settles`] for day `day` (window `window`) of a mailbox: some span of the mailbox
/// covers the day and settles its window.
pub(crate) fn is_day_settled_in_spans(
    spans: &[SpanRecord],
    day: NaiveDate,
    window: (DateTime<Utc>, DateTime<Utc>),
    lookback_days: u32,
) -> bool {
    spans.iter().any(|s| {
        s.from_day <= day
            && day <= s.to_day
            && settles(
                (s.window_from, s.window_to),
                s.fetched_at,
                window,
                lookback_days,
            )
    })
}

/// Beyond this many spans per mailbox the oldest fetches are forgotten. Daily runs add a
/// span per mailbox that no later one covers; with thousands of mailboxes an unbounded list
/// would make the file grow forever. Forgetting is always safe: an old range asked again
/// costs one request per mailbox.
const MAX_SPANS_PER_MAILBOX: usize = 32;

/// Adds `span` to a mailbox's spans, dropping the ones it fully covers (it is newer) and
/// the oldest fetches beyond [`MAX_SPANS_PER_MAILBOX`].
fn merge_span(spans: &mut Vec<SpanRecord>, span: SpanRecord) {
    spans.retain(|old| {
        !(span.from_day <= old.from_day
            && old.to_day <= span.to_day
            && span.window_from <= old.window_from
            && old.window_to <= span.window_to)
    });
    spans.push(span);
    if spans.len() > MAX_SPANS_PER_MAILBOX {
        spans.sort_by_key(|s| std::cmp::Reverse(s.fetched_at));
        spans.truncate(MAX_SPANS_PER_MAILBOX);
    }
    spans.sort_by(|a, b| {
        (a.from_day, a.to_day, a.fetched_at).cmp(&(b.from_day, b.to_day, b.fetched_at))
    });
}

impl Checkpoint {
    /// Loads `<state_dir>/<stream>.checkpoint.json` (empty when missing), creating the
    /// directory and removing the temporary files of this stream a killed run left.
    pub(crate) fn load(state_dir: &Path, stream: &str) -> Result<Self> {
        fs::create_dir_all(state_dir).map_err(|e| Error::io("create directory", state_dir, e))?;
        let tmp_prefix = tmp_prefix(stream);
        let entries =
            fs::read_dir(state_dir).map_err(|e| Error::io("list directory", state_dir, e))?;
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&tmp_prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
        let path = file_path(state_dir, stream);
        let data = read_file(&path)?;
        Ok(Checkpoint {
            path,
            tmp_prefix,
            state: tokio::sync::Mutex::new(State {
                data,
                dirty: false,
                touched: Touched::default(),
            }),
        })
    }

    /// A copy of what the checkpoint holds now.
    pub(crate) async fn snapshot(&self) -> CheckpointData {
        self.state.lock().await.data.clone()
    }

    #[cfg(test)]
    pub(crate) async fn get(&self, stream: &str, day: NaiveDate) -> Option<DayRecord> {
        self.state
            .lock()
            .await
            .data
            .streams
            .get(stream)?
            .get(&day)
            .cloned()
    }

    /// The recorded spans of every mailbox.
    #[cfg(test)]
    pub(crate) async fn mailbox_spans(&self) -> BTreeMap<i64, Vec<SpanRecord>> {
        self.state.lock().await.data.message_store.clone()
    }

    /// Marks `day` done and writes the file atomically.
    pub(crate) async fn record(
        &self,
        stream: &str,
        day: NaiveDate,
        record: DayRecord,
    ) -> Result<()> {
        let mut state = self.state.lock().await;
        state
            .data
            .streams
            .entry(stream.to_owned())
            .or_default()
            .insert(day, record);
        state.touched.days = true;
        self.write(&mut state).await
    }

    /// Records a fetched span of `mailbox` in memory only; [`Checkpoint::flush`] writes
    /// it. With thousands of mailboxes, one rewrite of the file per mailbox would cost
    /// more than the fetch.
    pub(crate) async fn note_span(&self, mailbox: i64, span: SpanRecord) {
        let mut state = self.state.lock().await;
        merge_span(state.data.message_store.entry(mailbox).or_default(), span);
        state.dirty = true;
        state.touched.spans = true;
    }

    /// Records the incremental mode's new position and writes the file atomically.
    pub(crate) async fn record_sync(&self, sync: SyncState) -> Result<()> {
        let mut state = self.state.lock().await;
        state.data.call_log_sync = Some(sync);
        state.touched.sync = true;
        self.write(&mut state).await
    }

    /// Writes the file if something changed since the last write.
    pub(crate) async fn flush(&self) -> Result<()> {
        let mut state = self.state.lock().await;
        if state.dirty {
            self.write(&mut state).await?;
        }
        Ok(())
    }

    async fn write(&self, state: &mut State) -> Result<()> {
        let path = self.path.clone();
        let tmp_prefix = self.tmp_prefix.clone();
        let (data, touched) = (state.data.clone(), state.touched);
        // Still holding the state lock: this instance's writes never race each other.
        let merged = tokio::task::spawn_blocking(move || {
            let _guard = WRITE_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
            let merged = merge_with_file(data, touched, &path)?;
            let bytes = serde_json::to_vec_pretty(&merged).map_err(|e| Error::Checkpoint {
                path: path.clone(),
                detail: e.to_string(),
            })?;
            write_atomically(&path, &tmp_prefix, &bytes)?;
            Ok::<_, Error>(merged)
        })
        .await
        .map_err(|e| Error::io("write", &self.path, std::io::Error::other(e)))??;
        state.data = merged;
        state.dirty = false;
        Ok(())
    }
}

/// `<state_dir>/<stream>.checkpoint.json`.
fn file_path(state_dir: &Path, stream: &str) -> PathBuf {
    state_dir.join(format!("{stream}{FILE_SUFFIX}"))
}

/// Reads a checkpoint file; a missing one is empty.
fn read_file(path: &Path) -> Result<CheckpointData> {
    let data = match fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice::<CheckpointData>(&bytes).map_err(|e| Error::Checkpoint {
                path: path.to_owned(),
                detail: e.to_string(),
            })?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => CheckpointData::default(),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if data.version > VERSION {
        return Err(Error::Checkpoint {
            path: path.to_owned(),
            detail: format!(
                "version {} is newer than this program's {VERSION}",
                data.version
            ),
        });
    }
    Ok(data)
}

/// `ours` with the parts this instance did not touch replaced by the file's current ones
/// (another instance — the sync mode beside the day mode — may have written them).
fn merge_with_file(
    mut ours: CheckpointData,
    touched: Touched,
    path: &Path,
) -> Result<CheckpointData> {
    let file = read_file(path)?;
    if !touched.days {
        ours.streams = file.streams;
    }
    if !touched.spans {
        ours.message_store = file.message_store;
    }
    if !touched.sync {
        ours.call_log_sync = file.call_log_sync;
    }
    ours.version = VERSION;
    Ok(ours)
}

fn tmp_prefix(stream: &str) -> String {
    format!(".{stream}{FILE_SUFFIX}{TMP_MARK}")
}

pub(crate) fn write_atomically(path: &Path, tmp_prefix: &str, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!("{tmp_prefix}{:016x}", rand::rng().random::<u64>()));
    let mut file = fs::File::create(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", &tmp, e))?;
    file.sync_all().map_err(|e| Error::io("fsync", &tmp, e))?;
    drop(file);
    fs::rename(&tmp, path).map_err(|e| Error::io("rename into place", &tmp, e))?;
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("fsync directory", dir, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL_LOG_FILE: &str = "call-log.checkpoint.json";

    /// Streams extracted at the same time keep separate files: neither loses the other's
    /// updates, and loading one leaves the other's temporary files alone.
    #[tokio::test]
    async fn streams_have_their_own_files() {
        let tmp = tempfile::tempdir().unwrap();
        let calls = Checkpoint::load(tmp.path(), "call-log").unwrap();
        let other_tmp = tmp.path().join(format!("{}busy", tmp_prefix("call-log")));
        fs::write(&other_tmp, b"{").unwrap();
        let messages = Checkpoint::load(tmp.path(), "message-store").unwrap();
        assert!(
            other_tmp.exists(),
            "another stream's temporary file was removed"
        );
        fs::remove_file(&other_tmp).unwrap();

        let (day, w) = utc_day("2024-01-02");
        let r = rec(w.0, w.1, t("2024-01-09T00:00:00Z"));
        let s = span("2024-01-01", "2024-01-02", "2024-01-09T00:00:00Z");
        messages.note_span(7, s.clone()).await;
        calls.record("call-log", day, r.clone()).await.unwrap();
        messages.flush().await.unwrap();

        let calls = Checkpoint::load(tmp.path(), "call-log").unwrap();
        let messages = Checkpoint::load(tmp.path(), "message-store").unwrap();
        assert_eq!(calls.get("call-log", day).await, Some(r));
        assert_eq!(
            messages.mailbox_spans().await,
            BTreeMap::from([(7, vec![s])])
        );
    }
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn rec(from: DateTime<Utc>, to: DateTime<Utc>, fetched_at: DateTime<Utc>) -> DayRecord {
        DayRecord {
            pages: 1,
            records: 2,
            bytes: 3,
            window_from: from,
            window_to: to,
            fetched_at,
        }
    }

    #[test]
    fn skip_rule_examples() {
        let (from, to) = (t("2024-01-02T00:00:00Z"), t("2024-01-03T00:00:00Z"));
        assert!(!is_settled(None, (from, to), 2));
        // Fetched one day after the window: still within look-back, fetch again.
        assert!(!is_settled(
            Some(&rec(from, to, t("2024-01-04T00:00:00Z"))),
            (from, to),
            2
        ));
        // Exactly look-back days after: settled.
        assert!(is_settled(
            Some(&rec(from, to, t("2024-01-05T00:00:00Z"))),
            (from, to),
            2
        ));
        // Window changed (time zone): fetch again.
        let la_from = t("2024-01-02T08:00:00Z");
        assert!(!is_settled(
            Some(&rec(from, to, t("2024-02-01T00:00:00Z"))),
            (la_from, t("2024-01-03T08:00:00Z")),
            2
        ));
        // Look-back 0: done after the window ended is enough.
        assert!(is_settled(Some(&rec(from, to, to)), (from, to), 0));
    }

    /// A look-back past the end of chrono's range is "never settled", not an overflow
    /// (issue 17): `--lookback-days` takes any u32, a checkpoint any window.
    #[test]
    fn a_look_back_past_the_end_of_time_never_settles() {
        let (from, to) = (t("2024-01-02T00:00:00Z"), t("2024-01-03T00:00:00Z"));
        let done = rec(from, to, t("2030-01-01T00:00:00Z"));
        assert!(is_settled(Some(&done), (from, to), 365));
        assert!(!is_settled(Some(&done), (from, to), u32::MAX));
        let end = DateTime::<Utc>::MAX_UTC;
        let edge = rec(end - Duration::days(1), end, end);
        assert!(!is_settled(Some(&edge), (edge.window_from, end), 1));
        assert!(is_settled(Some(&edge), (edge.window_from, end), 0));
        let span = SpanRecord {
            from_day: from.date_naive(),
            to_day: from.date_naive(),
            window_from: from,
            window_to: to,
            fetched_at: done.fetched_at,
            pages: 1,
            records: 0,
            bytes: 10,
        };
        let day = from.date_naive();
        assert!(!is_day_settled_in_spans(&[span], day, (from, to), u32::MAX));
    }

    proptest! {
        #[test]
        fn skip_iff_same_window_and_fetched_late_enough(
            from_s in 1_600_000_000i64..1_800_000_000,
            len_h in 23i64..=25,
            fetched_off_s in -200_000i64..600_000,
            lookback in 0u32..5,
            shift_s in prop_oneof![Just(0i64), -7200i64..7200],
        ) {
            let from = DateTime::from_timestamp(from_s, 0).unwrap();
            let to = from + Duration::hours(len_h);
            let fetched = to + Duration::seconds(fetched_off_s);
            let r = rec(from, to, fetched);
            let window = (from + Duration::seconds(shift_s), to + Duration::seconds(shift_s));
            let expected = shift_s == 0 && fetched_off_s >= i64::from(lookback) * 86_400;
            prop_assert_eq!(is_settled(Some(&r), window, lookback), expected);
            // A later fetch never un-settles a day.
            if is_settled(Some(&r), window, lookback) {
                let later = rec(from, to, fetched + Duration::seconds(1));
                prop_assert!(is_settled(Some(&later), window, lookback));
            }
        }
    }

    #[tokio::test]
    async fn round_trip_keeps_other_streams_and_cleans_tmp() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(
            tmp.path().join(CALL_LOG_FILE),
            r#"{"version":1,"streams":{"message-store":{"2024-01-01":{"pages":1,"records":1,"bytes":1,"window_from":"2024-01-01T00:00:00Z","window_to":"2024-01-02T00:00:00Z","fetched_at":"2024-01-05T00:00:00Z"}}}}"#,
        )
        .unwrap();
        fs::write(
            tmp.path().join(format!("{}dead", tmp_prefix("call-log"))),
            b"{",
        )
        .unwrap();
        let cp = Checkpoint::load(tmp.path(), "call-log").unwrap();
        let day: NaiveDate = "2024-01-02".parse().unwrap();
        let r = rec(
            t("2024-01-02T00:00:00Z"),
            t("2024-01-03T00:00:00Z"),
            t("2024-01-09T00:00:00Z"),
        );
        cp.record("call-log", day, r.clone()).await.unwrap();

        let again = Checkpoint::load(tmp.path(), "call-log").unwrap();
        assert_eq!(again.get("call-log", day).await, Some(r));
        assert!(
            again
                .get("message-store", "2024-01-01".parse().unwrap())
                .await
                .is_some()
        );
        let files: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(files, [std::ffi::OsString::from(CALL_LOG_FILE)]);
    }

    fn span(from: &str, to: &str, fetched_at: &str) -> SpanRecord {
        let (from_day, to_day): (NaiveDate, NaiveDate) =
            (from.parse().unwrap(), to.parse().unwrap());
        SpanRecord {
            from_day,
            to_day,
            window_from: from_day.and_time(chrono::NaiveTime::MIN).and_utc(),
            window_to: (to_day + Duration::days(1))
                .and_time(chrono::NaiveTime::MIN)
                .and_utc(),
            fetched_at: t(fetched_at),
            pages: 1,
            records: 0,
            bytes: 10,
        }
    }

    fn utc_day(s: &str) -> (NaiveDate, (DateTime<Utc>, DateTime<Utc>)) {
        let day: NaiveDate = s.parse().unwrap();
        (day, crate::window::day_window(day, chrono_tz::Tz::UTC))
    }

    #[test]
    fn span_settles_the_days_it_covers_that_ended_lookback_days_before_the_fetch() {
        // Fetched 2024-01-07 00:00 with look-back 2: days ending by 01-05 00:00 are settled.
        let spans = [span("2024-01-01", "2024-01-06", "2024-01-07T00:00:00Z")];
        let settled: Vec<bool> = [
            "2023-12-31",
            "2024-01-01",
            "2024-01-04",
            "2024-01-05",
            "2024-01-06",
            "2024-01-07",
        ]
        .iter()
        .map(|d| {
            let (day, w) = utc_day(d);
            is_day_settled_in_spans(&spans, day, w, 2)
        })
        .collect();
        assert_eq!(settled, [false, true, true, false, false, false]);
        // Another time zone's window of a covered day that sticks out of the span's window.
        let day: NaiveDate = "2024-01-01".parse().unwrap();
        let berlin = crate::window::day_window(day, chrono_tz::Europe::Berlin);
        assert!(!is_day_settled_in_spans(&spans, day, berlin, 2));
        // ... but one in the middle of the span is.
        let day: NaiveDate = "2024-01-02".parse().unwrap();
        let la = crate::window::day_window(day, chrono_tz::America::Los_Angeles);
        assert!(is_day_settled_in_spans(&spans, day, la, 2));
        assert!(!is_day_settled_in_spans(&[], day, la, 0));
    }

    #[test]
    fn a_newer_span_drops_the_spans_it_covers() {
        let mut spans = vec![
            span("2024-01-01", "2024-01-03", "2024-01-04T00:00:00Z"),
            span("2024-01-03", "2024-01-05", "2024-01-06T00:00:00Z"),
        ];
        merge_span(
            &mut spans,
            span("2024-01-02", "2024-01-05", "2024-01-09T00:00:00Z"),
        );
        let kept: Vec<(String, String)> = spans
            .iter()
            .map(|s| (s.from_day.to_string(), s.to_day.to_string()))
            .collect();
        assert_eq!(
            kept,
            [
                ("2024-01-01".to_owned(), "2024-01-03".to_owned()),
                ("2024-01-02".to_owned(), "2024-01-05".to_owned())
            ]
        );
        // Daily runs: only the newest fetches are kept.
        let mut daily = Vec::new();
        let first: NaiveDate = "2024-01-01".parse().unwrap();
        for i in 0..100u64 {
            let from = first + chrono::Days::new(i);
            let to = from + chrono::Days::new(2);
            let fetched = format!("{}T01:00:00Z", to + chrono::Days::new(1));
            merge_span(
                &mut daily,
                span(&from.to_string(), &to.to_string(), &fetched),
            );
        }
        assert_eq!(daily.len(), MAX_SPANS_PER_MAILBOX);
        assert_eq!(daily[0].from_day, first + chrono::Days::new(100 - 32));
        assert_eq!(daily[31].from_day, first + chrono::Days::new(99));
        // The same span again replaces itself.
        merge_span(
            &mut spans,
            span("2024-01-02", "2024-01-05", "2024-01-10T00:00:00Z"),
        );
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1].fetched_at, t("2024-01-10T00:00:00Z"));
    }

    #[tokio::test]
    async fn spans_are_written_on_flush_only_and_old_files_still_read() {
        let tmp = tempfile::tempdir().unwrap();
        // A file of the call-log-only format.
        let old = r#"{"version":1,"streams":{"call-log":{"2024-01-01":{"pages":1,"records":1,"bytes":1,"window_from":"2024-01-01T00:00:00Z","window_to":"2024-01-02T00:00:00Z","fetched_at":"2024-01-05T00:00:00Z"}}}}"#;
        fs::write(tmp.path().join(CALL_LOG_FILE), old).unwrap();
        let cp = Checkpoint::load(tmp.path(), "call-log").unwrap();
        assert!(cp.mailbox_spans().await.is_empty());
        let s = span("2024-01-01", "2024-01-02", "2024-01-09T00:00:00Z");
        cp.note_span(42, s.clone()).await;
        assert_eq!(
            fs::read_to_string(tmp.path().join(CALL_LOG_FILE)).unwrap(),
            old,
            "not written yet"
        );
        cp.flush().await.unwrap();
        let again = Checkpoint::load(tmp.path(), "call-log").unwrap();
        assert_eq!(again.mailbox_spans().await, BTreeMap::from([(42, vec![s])]));
        assert!(
            again
                .get("call-log", "2024-01-01".parse().unwrap())
                .await
                .is_some()
        );
        // With no mailbox recorded the file keeps the old shape.
        let tmp2 = tempfile::tempdir().unwrap();
        let cp = Checkpoint::load(tmp2.path(), "call-log").unwrap();
        let (day, w) = utc_day("2024-01-02");
        cp.record("call-log", day, rec(w.0, w.1, t("2024-01-09T00:00:00Z")))
            .await
            .unwrap();
        let text = fs::read_to_string(tmp2.path().join(CALL_LOG_FILE)).unwrap();
        assert!(!text.contains("message_store"), "{text}");
    }

    /// The day mode and the sync mode share the call-log file: each writes only what it
    /// changed, so neither loses the other's updates, and a file of the older shape reads.
    #[tokio::test]
    async fn sync_state_and_days_written_by_two_instances_are_both_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let old = r#"{"version":1,"streams":{"call-log":{"2024-01-01":{"pages":1,"records":1,"bytes":1,"window_from":"2024-01-01T00:00:00Z","window_to":"2024-01-02T00:00:00Z","fetched_at":"2024-01-05T00:00:00Z"}}}}"#;
        fs::write(tmp.path().join(CALL_LOG_FILE), old).unwrap();
        let days = Checkpoint::load(tmp.path(), "call-log").unwrap();
        let sync = Checkpoint::load(tmp.path(), "call-log").unwrap();
        assert_eq!(sync.snapshot().await.sync_state(), None);
        let state = SyncState {
            token: Some("T1".into()),
            sync_time: t("2024-01-04T10:00:00Z"),
            session: "20240104T100001.000Z".into(),
        };
        sync.record_sync(state.clone()).await.unwrap();
        let (day, w) = utc_day("2024-01-02");
        days.record("call-log", day, rec(w.0, w.1, t("2024-01-09T00:00:00Z")))
            .await
            .unwrap();
        // The sync instance writes again, with its stale view of the days.
        let newer = SyncState {
            token: Some("T2".into()),
            ..state
        };
        sync.record_sync(newer.clone()).await.unwrap();

        let read = CheckpointData::read(tmp.path(), "call-log").unwrap();
        assert_eq!(read.sync_state(), Some(&newer));
        assert!(read.day("call-log", day).is_some());
        assert!(
            read.day("call-log", "2024-01-01".parse().unwrap())
                .is_some()
        );
        // A dropped token is left out of the file; the time stays.
        let text = serde_json::to_string(&SyncState {
            token: None,
            ..newer
        })
        .unwrap();
        assert!(!text.contains("token"), "{text}");
        // Reading never creates anything.
        let missing = tmp.path().join("nope");
        assert!(
            CheckpointData::read(&missing, "call-log")
                .unwrap()
                .sync_state()
                .is_none()
        );
        assert!(!missing.exists());
    }

    #[test]
    fn corrupt_checkpoint_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(CALL_LOG_FILE), b"{not json").unwrap();
        let e = Checkpoint::load(tmp.path(), "call-log").unwrap_err();
        assert!(e.to_string().contains("delete it"), "{e}");
    }
}
