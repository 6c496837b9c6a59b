//! The archive outlives the API: after the server forgets days (retention), a re-run that
//! fetches them again — with a wide look-back, or with the checkpoint lost — leaves the
//! lake as the first run made it, a newer version of a record still replaces the old one,
//! and fetching the same pages again costs no raw storage.

use std::path::Path;

use chrono::{Days, Utc};
use chrono_tz::Tz;
use ringlake_sim::{Mutation, RateLimits, SimConfig};

use crate::messages::assert_messages_equal_truth;
use crate::support::*;

/// Bytes of every file below `dir`.
fn tree_bytes(dir: &Path) -> u64 {
    walkdir(dir)
        .iter()
        .map(|p| p.metadata().unwrap().len())
        .sum()
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgotten_days_stay_in_the_lake_through_refetches_and_a_lost_checkpoint() {
    let today = Utc::now().date_naive();
    let (from, to) = (today - Days::new(7), today - Days::new(4));
    let midnight = |d: chrono::NaiveDate| d.and_time(Default::default()).and_utc();
    let sim = start_sim(
        SimConfig::new()
            .with_seed(91)
            .with_extensions(8)
            .with_calls_per_day(200)
            .with_messages_per_extension_per_day(3)
            .with_data_range(midnight(from), midnight(to + Days::new(1)))
            .with_limits(RateLimits::scaled(1)),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let (f, t) = (from.to_string(), to.to_string());
    let streams = ["--streams", "call-log,message-store,extensions"];
    let wide = ["--lookback-days", "30"];
    let check = |truth: &ringlake_sim::Truth| {
        assert_lake_equals_truth(&lake, truth, from, to, Tz::UTC);
        assert_messages_equal_truth(&lake, truth, from, to, Tz::UTC);
    };
    assert_success(&run_days(&sim, &f, &t, &lake, &streams).await);
    let first = sim.truth();
    check(&first);

    // Retention: the first two days are gone from the API.
    sim.forget_before(midnight(from + Days::new(2)));
    let wide_run = [&streams[..], &wide[..]].concat();
    assert_success(&run_days(&sim, &f, &t, &lake, &wide_run).await);
    check(&first);
    let raw = lake.join("_raw");
    // It did fetch the forgotten day again, and found it empty: what it had is history.
    let forgotten = raw.join("call-log").join(from.to_string());
    assert!(forgotten.join("history/00001").is_dir());
    let latest: Vec<_> = walkdir(&forgotten)
        .into_iter()
        .filter(|p| !p.starts_with(forgotten.join("history")))
        .collect();
    let empty = latest.iter().all(|p| {
        let page: serde_json::Value =
            serde_json::from_slice(&zstd::decode_all(std::fs::File::open(p).unwrap()).unwrap())
                .unwrap();
        page["records"].as_array().unwrap().is_empty()
    });
    assert!(
        !latest.is_empty() && empty,
        "the re-fetch of a forgotten day was not empty"
    );
    let after_refetch = tree_bytes(&raw);

    // The checkpoint lost (its own error text advises deleting a corrupt one).
    std::fs::remove_dir_all(lake.join("_state")).unwrap();
    assert_success(&run_days(&sim, &f, &t, &lake, &streams).await);
    check(&first);
    assert_eq!(
        tree_bytes(&raw),
        after_refetch,
        "the same pages fetched again took raw storage"
    );

    // A newer version of a record the API still has replaces the archived one.
    let report = sim.mutate(
        &Mutation::new()
            .with_calls(25)
            .with_messages(10)
            .with_seed(3)
            .with_not_before(midnight(from + Days::new(2))),
    );
    assert_eq!(report.calls.len(), 25);
    assert_success(&run_days(&sim, &f, &t, &lake, &wide_run).await);
    let now = sim.truth();
    check(&now);
    let lake_calls = read_lake(&lake);
    for id in &report.calls {
        let c = now.calls.iter().find(|c| &c.id == id).unwrap();
        assert_eq!(
            lake_calls.calls[id].billing_included,
            c.billing_cost_included.as_deref().map(micros),
            "call {id}"
        );
    }
    sim.shutdown().await;
}
