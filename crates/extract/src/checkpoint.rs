//! `<state>/checkpoint.json`: which days of which stream are on disk, and when they were
//! fetched. Written atomically (temporary file, fsync, rename) after a day is in place.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const FILE_NAME: &str = "checkpoint.json";
const TMP_PREFIX: &str = ".checkpoint.json.tmp-";
const VERSION: u32 = 1;

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

#[derive(Debug, Default, Serialize, Deserialize)]
struct CheckpointData {
    #[serde(default)]
    version: u32,
    /// stream name ("call-log") → day → record. Other streams are kept as they are.
    #[serde(default)]
    streams: BTreeMap<String, BTreeMap<NaiveDate, DayRecord>>,
}

/// The checkpoint file, loaded once; one lock serialises updates.
#[derive(Debug)]
pub(crate) struct Checkpoint {
    path: PathBuf,
    data: tokio::sync::Mutex<CheckpointData>,
}

/// The re-run rule: a day is skipped only when it is done for the same window and was
/// fetched at least `lookback_days` after its window ended. Records of recent days still
/// change (billing, recordings — DESIGN "extract"), so those are fetched again; a changed
/// window (another time zone) is fetched again too.
pub(crate) fn is_settled(
    done: Option<&DayRecord>,
    window: (DateTime<Utc>, DateTime<Utc>),
    lookback_days: u32,
) -> bool {
    done.is_some_and(|d| {
        d.window_from == window.0
            && d.window_to == window.1
            && d.fetched_at >= window.1 + Duration::days(i64::from(lookback_days))
    })
}

impl Checkpoint {
    /// Loads `<state_dir>/checkpoint.json` (empty when missing), creating the directory
    /// and removing temporary files a killed run left.
    pub(crate) fn load(state_dir: &Path) -> Result<Self> {
        fs::create_dir_all(state_dir).map_err(|e| Error::io("create directory", state_dir, e))?;
        let entries =
            fs::read_dir(state_dir).map_err(|e| Error::io("list directory", state_dir, e))?;
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                let _ = fs::remove_file(entry.path());
            }
        }
        let path = state_dir.join(FILE_NAME);
        let data = match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice::<CheckpointData>(&bytes).map_err(|e| Error::Checkpoint {
                    path: path.clone(),
                    detail: e.to_string(),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => CheckpointData::default(),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        if data.version > VERSION {
            return Err(Error::Checkpoint {
                path,
                detail: format!(
                    "version {} is newer than this program's {VERSION}",
                    data.version
                ),
            });
        }
        Ok(Checkpoint {
            path,
            data: tokio::sync::Mutex::new(data),
        })
    }

    pub(crate) async fn get(&self, stream: &str, day: NaiveDate) -> Option<DayRecord> {
        self.data
            .lock()
            .await
            .streams
            .get(stream)?
            .get(&day)
            .cloned()
    }

    /// Marks `day` done and writes the file atomically.
    pub(crate) async fn record(
        &self,
        stream: &str,
        day: NaiveDate,
        record: DayRecord,
    ) -> Result<()> {
        let mut data = self.data.lock().await;
        data.version = VERSION;
        data.streams
            .entry(stream.to_owned())
            .or_default()
            .insert(day, record);
        let bytes = serde_json::to_vec_pretty(&*data).map_err(|e| Error::Checkpoint {
            path: self.path.clone(),
            detail: e.to_string(),
        })?;
        let path = self.path.clone();
        // Still holding the lock: two writers never race on the rename.
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|e| Error::io("write", &self.path, std::io::Error::other(e)))?
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!("{TMP_PREFIX}{:016x}", rand::rng().random::<u64>()));
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
            tmp.path().join(FILE_NAME),
            r#"{"version":1,"streams":{"message-store":{"2024-01-01":{"pages":1,"records":1,"bytes":1,"window_from":"2024-01-01T00:00:00Z","window_to":"2024-01-02T00:00:00Z","fetched_at":"2024-01-05T00:00:00Z"}}}}"#,
        )
        .unwrap();
        fs::write(tmp.path().join(format!("{TMP_PREFIX}dead")), b"{").unwrap();
        let cp = Checkpoint::load(tmp.path()).unwrap();
        let day: NaiveDate = "2024-01-02".parse().unwrap();
        let r = rec(
            t("2024-01-02T00:00:00Z"),
            t("2024-01-03T00:00:00Z"),
            t("2024-01-09T00:00:00Z"),
        );
        cp.record("call-log", day, r.clone()).await.unwrap();

        let again = Checkpoint::load(tmp.path()).unwrap();
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
        assert_eq!(files, [std::ffi::OsString::from(FILE_NAME)]);
    }

    #[test]
    fn corrupt_checkpoint_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(FILE_NAME), b"{not json").unwrap();
        let e = Checkpoint::load(tmp.path()).unwrap_err();
        assert!(e.to_string().contains("delete it"), "{e}");
    }
}
