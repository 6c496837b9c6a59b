//! A whole run, as the command line starts it, against the simulator on 127.0.0.1: every
//! stream of the default set lands, its tables hold what the simulator holds, each stream's
//! request count adds up to its group's, and the lake is what `transform` rebuilds from the
//! raw zone alone.

// Tests: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use ringlake_contracts::Stream;
use ringlake_contracts::day::day_window;
use ringlake_extract::{Credentials, NoProgress, RateGroup, Secret, StreamSummary};
use ringlake_load::Lake;
use ringlake_run::{RunSpec, raw_zone_streams, transform_raw_zone};
use ringlake_sim::{RateLimits, SimConfig, SimCredentials, Simulator};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Every Parquet file under `lake`, by path relative to it.
fn parquet_files(lake: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(lake, lake, &mut out);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_archives_every_stream_and_transform_rebuilds_it() {
    let sim = Simulator::new(
        SimConfig::new()
            .with_seed(11)
            .with_extensions(4)
            .with_calls_per_day(60)
            .with_messages_per_extension_per_day(3)
            .with_data_range(
                Utc.with_ymd_and_hms(2024, 3, 7, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2024, 3, 11, 0, 0, 0).unwrap(),
            )
            .with_limits(RateLimits::scaled(1)),
    );
    let h = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let spec = RunSpec {
        name: "test".into(),
        from: day("2024-03-08"),
        to: day("2024-03-09"),
        lake: Lake::local(tmp.path().join("lake")),
        raw: tmp.path().join("raw"),
        state: tmp.path().join("state"),
        time_zone: chrono_tz::UTC,
        lookback_days: 2,
        concurrency: 2,
        per_page: 25,
        streams: Stream::DEFAULT.to_vec(),
        deadline: std::time::Duration::from_secs(600),
    };
    let c = SimCredentials::default();
    let creds = || {
        Credentials::new(
            h.base_url().to_string(),
            c.client_id.clone(),
            Secret::new(c.client_secret.clone()),
            Secret::new(c.jwt.clone()),
        )
    };
    let report = ringlake_run::run(&spec, creds(), true, &NoProgress)
        .await
        .unwrap();
    let truth = h.truth();
    assert!(!report.incomplete());

    // Every stream ran once, in its rate group's lane.
    let ex = report.extract.as_ref().unwrap();
    let mut ran: Vec<Stream> = ex.stages.iter().map(|s| s.stream).collect();
    ran.sort();
    let mut wanted = Stream::DEFAULT.to_vec();
    wanted.sort();
    assert_eq!(ran, wanted);
    // Inside a lane streams run one at a time: their counts add up to the group's.
    for group in [RateGroup::Heavy, RateGroup::Medium, RateGroup::Light] {
        let staged: u64 = ex
            .stages
            .iter()
            .filter_map(|s| s.requests.get(&group))
            .sum();
        assert_eq!(
            staged, ex.requests.by_group[&group].requests,
            "{group}: {:?}",
            ex.stages
        );
        assert!(staged > 0, "{group}");
    }

    // The tables hold what the simulator holds.
    let (start, _) = day_window(spec.from, spec.time_zone);
    let (_, end) = day_window(spec.to, spec.time_zone);
    let load = report.load.as_ref().unwrap();
    let rows = |t: &str| load.load.rows.get(t).copied().unwrap_or(0);
    assert_eq!(rows("calls"), truth.calls_in(start, end).count());
    assert_eq!(
        rows("call_legs"),
        truth
            .calls_in(start, end)
            .map(|c| c.leg_count)
            .sum::<usize>()
    );
    let messages = truth
        .messages
        .iter()
        .filter(|m| (start..end).contains(&m.creation_time))
        .count();
    assert_eq!(rows("messages"), messages);
    assert_eq!(rows("extensions"), truth.extensions.len());
    assert_eq!(rows("account"), 1);
    assert_eq!(load.dead_letters, 0);
    assert_eq!(
        load.transform.records_read,
        ex.streams
            .values()
            .map(|s| s.records() as usize)
            .sum::<usize>(),
        "the transform read every record the extraction landed"
    );

    // The lake is a function of the raw zone: `transform` into a new lake gives the same files.
    let lake = tmp.path().join("lake");
    let rebuilt = tmp.path().join("rebuilt");
    let streams = raw_zone_streams(&spec.raw);
    assert_eq!(
        streams,
        [
            Stream::CallLog,
            Stream::MessageStore,
            Stream::Extensions,
            Stream::ActiveCalls,
            Stream::Account
        ]
    );
    transform_raw_zone(
        &spec.raw,
        &Lake::local(&rebuilt),
        spec.time_zone,
        &streams,
        None,
    )
    .unwrap();
    let (ours, again) = (parquet_files(&lake), parquet_files(&rebuilt));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );
    assert!(ours == again, "the same raw zone gives the same bytes");
    assert!(ours.keys().any(|k| k.starts_with("account/date=")));

    // A second run finds the call-log days settled and rewrites none of their partitions.
    let second = ringlake_run::run(&spec, creds(), true, &NoProgress)
        .await
        .unwrap();
    let calls: &StreamSummary = second
        .extract
        .as_ref()
        .unwrap()
        .get(Stream::CallLog)
        .unwrap();
    assert_eq!(calls.days_fetched + calls.days_skipped, 2);
    let after = parquet_files(&lake);
    for (rel, bytes) in &ours {
        if rel.starts_with("call") {
            assert!(after.get(rel) == Some(bytes), "{rel} changed");
        }
    }
    h.shutdown().await;
}
