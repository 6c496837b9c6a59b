//! End to end against the simulator on 127.0.0.1: the raw zone must hold exactly what the
//! simulator's ground truth holds.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use ringlake_contracts::day::day_window;
use ringlake_extract::{Error, ExtractOptions, NoProgress, RateGroup, extract_call_log};
use ringlake_sim::{RateLimits, SimConfig, SimCredentials, Simulator};

use crate::{CLIENT_SECRET, JWT, Recorder, client, day, read_day_ids, stream_entries};

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn days(from: &str, n: u64) -> Vec<NaiveDate> {
    let first = day(from);
    (0..n).map(|i| first + chrono::Days::new(i)).collect()
}

fn config(calls_per_day: u32, window_secs: u64) -> SimConfig {
    SimConfig::new()
        .with_seed(42)
        .with_extensions(5)
        .with_calls_per_day(calls_per_day)
        .with_data_range(utc(2024, 3, 7), utc(2024, 3, 14))
        .with_limits(RateLimits::scaled(window_secs))
        .with_date_to_inclusive(false)
}

fn truth_ids(
    h: &ringlake_sim::SimHandle,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> BTreeSet<String> {
    h.truth()
        .calls_in(window.0, window.1)
        .map(|c| c.id.clone())
        .collect()
}

#[tokio::test]
async fn raw_pages_hold_exactly_the_truth_per_window_across_dst() {
    let sim = Simulator::new(config(120, 2));
    let h = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let tz: Tz = chrono_tz::America::Los_Angeles;
    // 2024-03-10 is the 23-hour spring-forward day in Los Angeles.
    let wanted = days("2024-03-08", 4);
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"))
        .with_time_zone(tz)
        .with_per_page(50);
    let c = client(&h.base_url().to_string(), CLIENT_SECRET, JWT);
    let progress = Recorder::default();
    let s = extract_call_log(&c, &opts, &wanted, &progress)
        .await
        .unwrap();
    assert!(s.failed_days.is_empty(), "{s:?}");
    assert_eq!(s.days_fetched, 4);

    let mut total = 0;
    for &d in &wanted {
        let ids = read_day_ids(&raw, d);
        let unique: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(unique.len(), ids.len(), "{d}: duplicate ids in one window");
        let expected = truth_ids(&h, day_window(d, tz));
        assert!(
            !expected.is_empty(),
            "{d}: the simulator has calls that day"
        );
        assert_eq!(unique, expected, "{d}");
        total += ids.len() as u64;
    }
    assert_eq!(s.records, total);
    assert!(
        s.pages >= 4 * 2,
        "several pages per day at perPage=50: {s:?}"
    );
    assert_eq!(
        stream_entries(&raw),
        ["2024-03-08", "2024-03-09", "2024-03-10", "2024-03-11"]
    );
    assert_eq!(progress.days.lock().unwrap().len(), 4);
    h.shutdown().await;
}

#[tokio::test]
async fn a_rerun_skips_done_days() {
    let sim = Simulator::new(config(30, 2));
    let h = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let opts = ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state"));
    let wanted = days("2024-03-08", 3);
    let first = client(&h.base_url().to_string(), CLIENT_SECRET, JWT);
    let s = extract_call_log(&first, &opts, &wanted, &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.days_fetched, 3);
    let served = h.stats().requests_by_group.clone();

    let second = client(&h.base_url().to_string(), CLIENT_SECRET, JWT);
    let s = extract_call_log(&second, &opts, &wanted, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_fetched, s.days_skipped), (0, 3));
    assert_eq!(second.stats().total_requests(), 0);
    assert_eq!(
        h.stats().requests_by_group,
        served,
        "the simulator saw no request"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn scaled_limits_draw_no_429() {
    let sim = Simulator::new(config(100, 2));
    let h = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let opts = ExtractOptions::new(&raw, tmp.path().join("state")).with_per_page(25);
    let wanted = days("2024-03-07", 6);
    let c = client(&h.base_url().to_string(), CLIENT_SECRET, JWT);
    let s = extract_call_log(&c, &opts, &wanted, &NoProgress)
        .await
        .unwrap();
    assert!(s.failed_days.is_empty(), "{s:?}");
    assert_eq!(s.days_fetched, 6);
    let stats = c.stats();
    let heavy = &stats.by_group[&RateGroup::Heavy];
    assert!(heavy.requests > 20, "{stats:?}");
    assert_eq!(stats.total_429(), 0, "{stats:?}");
    assert_eq!(h.stats().responses_429, 0);
    // More requests than one window allows: the pacer had to hold some back.
    assert!(heavy.waited > Duration::ZERO, "{stats:?}");
    for &d in &wanted {
        assert_eq!(
            read_day_ids(&raw, d).into_iter().collect::<BTreeSet<_>>(),
            truth_ids(&h, day_window(d, Tz::UTC))
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn short_token_lifetime_is_refreshed_mid_run() {
    let sim = Simulator::new(config(100, 2).with_access_token_ttl_secs(2));
    let h = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let opts = ExtractOptions::new(&raw, tmp.path().join("state")).with_per_page(25);
    let wanted = days("2024-03-08", 4);
    let c = client(&h.base_url().to_string(), CLIENT_SECRET, JWT);
    let s = extract_call_log(&c, &opts, &wanted, &NoProgress)
        .await
        .unwrap();
    assert!(s.failed_days.is_empty(), "{s:?}");
    assert_eq!(s.days_fetched, 4);
    let stats = c.stats();
    assert!(
        stats.by_group[&RateGroup::Auth].requests >= 2,
        "token renewed: {stats:?}"
    );
    for &d in &wanted {
        assert_eq!(
            read_day_ids(&raw, d).into_iter().collect::<BTreeSet<_>>(),
            truth_ids(&h, day_window(d, Tz::UTC))
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn inclusive_date_to_still_covers_every_call() {
    let sim = Simulator::new(config(60, 2).with_date_to_inclusive(true));
    let h = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    let wanted = days("2024-03-08", 3);
    let c = client(&h.base_url().to_string(), CLIENT_SECRET, JWT);
    extract_call_log(&c, &opts, &wanted, &NoProgress)
        .await
        .unwrap();
    let mut union = BTreeSet::new();
    for &d in &wanted {
        let (from, to) = day_window(d, Tz::UTC);
        let ids: BTreeSet<String> = read_day_ids(&raw, d).into_iter().collect();
        // At most the calls starting exactly at `to` are extra.
        assert!(
            ids.is_subset(&truth_ids(
                &h,
                (from, to + chrono::Duration::milliseconds(1))
            )),
            "{d}"
        );
        union.extend(ids);
    }
    let (from, _) = day_window(wanted[0], Tz::UTC);
    let (_, to) = day_window(wanted[2], Tz::UTC);
    assert!(truth_ids(&h, (from, to)).is_subset(&union));
    h.shutdown().await;
}

#[tokio::test]
async fn wrong_secret_is_a_clean_auth_error() {
    let sim = Simulator::new(config(10, 2));
    let h = sim.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    assert_eq!(SimCredentials::default().client_secret, CLIENT_SECRET);
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let c = client(&h.base_url().to_string(), "not-the-secret-42", JWT);
    let err = c.authenticate().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(text.contains("client id / client secret"), "{text}");
    assert!(
        !text.contains("not-the-secret-42") && !format!("{err:?}").contains("not-the-secret-42"),
        "{text}"
    );

    // The extraction aborts (it does not report every day as failed).
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    let err = extract_call_log(&c, &opts, &days("2024-03-08", 2), &NoProgress)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Auth { .. }) && !err.is_retryable(),
        "{err:?}"
    );
    assert!(stream_entries(&raw).is_empty());

    let c = client(&h.base_url().to_string(), CLIENT_SECRET, "not-the-jwt");
    let text = c.authenticate().await.unwrap_err().to_string();
    assert!(
        text.contains("JWT") && !text.contains("not-the-jwt"),
        "{text}"
    );
    h.shutdown().await;
}
