//! Shared test scaffolding: a simulator on 127.0.0.1, the binary run with its credentials,
//! the lake read back, and the truth the lake must equal.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Decimal128Type, Int32Type, TimestampMillisecondType};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ringlake_sim::{SimConfig, SimCredentials, SimHandle, Simulator, Truth};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    day(s).and_time(Default::default()).and_utc()
}

pub async fn start_sim(cfg: SimConfig) -> SimHandle {
    Simulator::new(cfg)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// Runs the binary with the simulator's credentials in the environment.
pub async fn ringlake(sim: &SimHandle, args: &[&str]) -> Output {
    ringlake_with(sim, args, &[]).await
}

/// [`ringlake`] with more environment variables (an object store's, for example).
pub async fn ringlake_with(sim: &SimHandle, args: &[&str], env: &[(&str, &str)]) -> Output {
    let c = SimCredentials::default();
    let url = sim.base_url();
    let mut all = vec![
        ("RC_SERVER_URL", url.as_str()),
        ("RC_CLIENT_ID", c.client_id.as_str()),
        ("RC_CLIENT_SECRET", c.client_secret.as_str()),
        ("RC_JWT", c.jwt.as_str()),
    ];
    all.extend_from_slice(env);
    ringlake_env(args, &all).await
}

/// `ringlake run --from FROM --to TO --lake LAKE [EXTRA…]` with the simulator's credentials.
pub async fn run_days(
    sim: &SimHandle,
    from: &str,
    to: &str,
    lake: &Path,
    extra: &[&str],
) -> Output {
    let lake = lake.to_str().unwrap();
    let mut args = vec!["run", "--from", from, "--to", to, "--lake", lake];
    args.extend_from_slice(extra);
    ringlake(sim, &args).await
}

/// Runs the binary with exactly these RC_ variables set (others removed).
pub async fn ringlake_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_ringlake"));
    cmd.args(args).env("RUST_LOG", "warn");
    for v in [
        "RC_SERVER_URL",
        "RC_CLIENT_ID",
        "RC_CLIENT_SECRET",
        "RC_JWT",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().await.unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "ringlake failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The partition files of a table: date → file paths (`_`-prefixed side files skipped).
pub fn partition_files(lake: &Path, table: &str) -> BTreeMap<NaiveDate, Vec<PathBuf>> {
    let mut out: BTreeMap<NaiveDate, Vec<PathBuf>> = BTreeMap::new();
    let Ok(dirs) = std::fs::read_dir(lake.join(table)) else {
        return out;
    };
    for dir in dirs {
        let dir = dir.unwrap();
        let name = dir.file_name().to_string_lossy().into_owned();
        if name.starts_with('_') {
            // The table's manifest and other side files readers skip.
            continue;
        }
        let date = day(name
            .strip_prefix("date=")
            .unwrap_or_else(|| panic!("stray entry {name} in {table}")));
        for f in std::fs::read_dir(dir.path()).unwrap() {
            out.entry(date).or_default().push(f.unwrap().path());
        }
    }
    out
}

pub fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

/// The lake's `calls` and `call_legs`, as the tests compare them.
#[derive(Debug, Default)]
pub struct LakeCalls {
    /// id → (partition date, start time ms, leg_count, billing_cost_included micro-units, deleted)
    pub calls: BTreeMap<String, LakeCall>,
    pub legs_per_call: BTreeMap<String, usize>,
    pub rows_per_day: BTreeMap<NaiveDate, usize>,
    pub call_rows: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LakeCall {
    pub date: NaiveDate,
    pub start_ms: i64,
    pub leg_count: i32,
    pub billing_included: Option<i128>,
    pub billing_purchased: Option<i128>,
    pub deleted: bool,
    pub ringout_caller: Option<String>,
    pub ringout_callee: Option<String>,
}

pub fn read_lake(lake: &Path) -> LakeCalls {
    let mut out = LakeCalls::default();
    for (date, files) in partition_files(lake, "calls") {
        for f in files {
            for b in read_parquet(&f) {
                let id = b.column_by_name("id").unwrap().as_string::<i32>();
                let start = b
                    .column_by_name("start_time")
                    .unwrap()
                    .as_primitive::<TimestampMillisecondType>();
                let legs = b
                    .column_by_name("leg_count")
                    .unwrap()
                    .as_primitive::<Int32Type>();
                let inc = b
                    .column_by_name("billing_cost_included")
                    .unwrap()
                    .as_primitive::<Decimal128Type>();
                let pur = b
                    .column_by_name("billing_cost_purchased")
                    .unwrap()
                    .as_primitive::<Decimal128Type>();
                let del = b.column_by_name("deleted").unwrap().as_boolean();
                let caller = b
                    .column_by_name("ringout_caller_result")
                    .unwrap()
                    .as_string::<i32>();
                let callee = b
                    .column_by_name("ringout_callee_result")
                    .unwrap()
                    .as_string::<i32>();
                let opt = |a: &arrow::array::StringArray, i: usize| {
                    a.is_valid(i).then(|| a.value(i).to_string())
                };
                for i in 0..b.num_rows() {
                    out.call_rows += 1;
                    *out.rows_per_day.entry(date).or_default() += 1;
                    out.calls.insert(
                        id.value(i).to_string(),
                        LakeCall {
                            date,
                            start_ms: start.value(i),
                            leg_count: legs.value(i),
                            billing_included: inc.is_valid(i).then(|| inc.value(i)),
                            billing_purchased: pur.is_valid(i).then(|| pur.value(i)),
                            deleted: del.value(i),
                            ringout_caller: opt(caller, i),
                            ringout_callee: opt(callee, i),
                        },
                    );
                }
            }
        }
    }
    for (_, files) in partition_files(lake, "call_legs") {
        for f in files {
            for b in read_parquet(&f) {
                let id = b.column_by_name("call_id").unwrap().as_string::<i32>();
                for i in 0..b.num_rows() {
                    *out.legs_per_call
                        .entry(id.value(i).to_string())
                        .or_default() += 1;
                }
            }
        }
    }
    out
}

/// Decimal text as the API sends it ("0.137") → micro-units, for exact comparison.
pub fn micros(s: &str) -> i128 {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(frac.len() <= 6, "{s}");
    let v =
        int.parse::<i128>().unwrap() * 1_000_000 + format!("{frac:0<6}").parse::<i128>().unwrap();
    if neg { -v } else { v }
}

/// The instants `[start of from, end of to)` of the days `from..=to` in `tz`.
pub fn days_window(from: NaiveDate, to: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |d: NaiveDate| {
        d.and_time(Default::default())
            .and_local_timezone(tz)
            .earliest()
            .unwrap()
            .to_utc()
    };
    (midnight(from), midnight(to.succ_opt().unwrap()))
}

/// Checks that the lake holds exactly the truth's calls for the days `from..=to` in `tz`.
pub fn assert_lake_equals_truth(
    lake: &Path,
    truth: &Truth,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) {
    let (start, end) = days_window(from, to, tz);
    let got = read_lake(lake);
    let want: Vec<_> = truth.calls_in(start, end).collect();
    assert!(
        !want.is_empty(),
        "the simulator holds no calls for {from}..{to}"
    );

    let want_ids: BTreeSet<&str> = want.iter().map(|c| c.id.as_str()).collect();
    let got_ids: BTreeSet<&str> = got.calls.keys().map(String::as_str).collect();
    let missing: Vec<_> = want_ids.difference(&got_ids).take(5).collect();
    let extra: Vec<_> = got_ids.difference(&want_ids).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "ids differ: missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(got.call_rows, want.len(), "duplicate rows in calls");

    let mut want_per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let (mut legs, mut inc, mut pur) = (0usize, 0i128, 0i128);
    for c in &want {
        let date = c.start_time.with_timezone(&tz).date_naive();
        *want_per_day.entry(date).or_default() += 1;
        let l = &got.calls[&c.id];
        assert_eq!(l.date, date, "call {} in the wrong partition", c.id);
        assert_eq!(
            l.start_ms,
            c.start_time.timestamp_millis(),
            "call {} start",
            c.id
        );
        assert_eq!(l.leg_count as usize, c.leg_count, "call {} leg_count", c.id);
        assert_eq!(
            got.legs_per_call.get(&c.id).copied().unwrap_or(0),
            c.leg_count,
            "call {} leg rows",
            c.id
        );
        assert_eq!(l.deleted, c.deleted, "call {} deleted", c.id);
        assert_eq!(
            l.billing_included,
            c.billing_cost_included.as_deref().map(micros),
            "call {} billing",
            c.id
        );
        assert_eq!(
            l.billing_purchased,
            c.billing_cost_purchased.as_deref().map(micros),
            "call {} billing",
            c.id
        );
        assert_eq!(
            l.ringout_caller, c.ringout_caller_result,
            "call {} ringout caller",
            c.id
        );
        assert_eq!(
            l.ringout_callee, c.ringout_callee_result,
            "call {} ringout callee",
            c.id
        );
        legs += c.leg_count;
        inc += c.billing_cost_included.as_deref().map_or(0, micros);
        pur += c.billing_cost_purchased.as_deref().map_or(0, micros);
    }
    assert_eq!(got.rows_per_day, want_per_day, "calls per day");
    assert_eq!(
        got.legs_per_call.values().sum::<usize>(),
        legs,
        "legs in total"
    );
    let lake_inc: i128 = got.calls.values().filter_map(|c| c.billing_included).sum();
    let lake_pur: i128 = got.calls.values().filter_map(|c| c.billing_purchased).sum();
    assert_eq!((lake_inc, lake_pur), (inc, pur), "billing sums");

    // Nothing from outside the run's days, in any table.
    for table in ["calls", "call_legs", "call_recordings"] {
        for date in partition_files(lake, table).keys() {
            assert!(
                (from..=to).contains(date),
                "{table} has a partition {date} outside {from}..{to}"
            );
        }
    }
}

/// The call-log tables.
pub const CALL_TABLES: &[&str] = &["calls", "call_legs", "call_recordings"];

/// Every partition file of `tables` with its bytes, to compare a lake before and after.
pub fn lake_files(lake: &Path, tables: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    tables
        .iter()
        .flat_map(|t| partition_files(lake, t).into_values().flatten())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}
