//! Late updates: billing and recordings arrive after a call ends, messages are read or
//! deleted later. The next scheduled run re-scans its look-back window and the lake shows
//! the new state, with no stale copy left beside it.

use chrono::{Days, Utc};
use chrono_tz::Tz;
use ringlake_sim::{Mutation, RateLimits, SimConfig};

use crate::messages::assert_messages_equal_truth;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_run_shows_late_updates_and_no_stale_copies() {
    // Data up to today's midnight; the run covers the last two days, which are still within
    // the look-back (2 days) when fetched today.
    let today = Utc::now().date_naive();
    let (from, to) = (today - Days::new(2), today - Days::new(1));
    let sim = start_sim(
        SimConfig::new()
            .with_seed(71)
            .with_extensions(12)
            .with_calls_per_day(300)
            .with_messages_per_extension_per_day(4)
            .with_data_range(
                (today - Days::new(5))
                    .and_time(Default::default())
                    .and_utc(),
                today.and_time(Default::default()).and_utc(),
            )
            .with_limits(RateLimits::scaled(1)),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let (f, t) = (from.to_string(), to.to_string());
    let streams = ["--streams", "call-log,message-store,extensions"];
    assert_success(&run_days(&sim, &f, &t, &lake, &streams).await);
    let before = read_lake(&lake);

    let report = sim.mutate(
        &Mutation::new()
            .with_calls(40)
            .with_messages(30)
            .with_seed(5)
            .with_not_before(from.and_time(Default::default()).and_utc()),
    );
    assert_eq!(report.calls.len(), 40);
    assert!(!report.messages.is_empty());
    // The lake does not know yet.
    let truth = sim.truth();
    let stale = report
        .calls
        .iter()
        .filter(|id| {
            let c = truth.calls.iter().find(|c| &c.id == *id).unwrap();
            before.calls[*id].billing_included != c.billing_cost_included.as_deref().map(micros)
        })
        .count();
    assert!(stale > 0, "the mutation changed no billing the lake holds");

    // The next scheduled run: same days, same command.
    let out = run_days(&sim, &f, &t, &lake, &streams).await;
    assert_success(&out);
    let truth = sim.truth();
    assert_lake_equals_truth(&lake, &truth, from, to, Tz::UTC);
    assert_messages_equal_truth(&lake, &truth, from, to, Tz::UTC);
    let after = read_lake(&lake);
    for id in &report.calls {
        let c = truth.calls.iter().find(|c| &c.id == id).unwrap();
        assert_eq!(
            after.calls[id].billing_included,
            c.billing_cost_included.as_deref().map(micros),
            "call {id}"
        );
    }
    // New recordings are in call_recordings, once each.
    let recordings: Vec<(String, String)> = partition_files(&lake, "call_recordings")
        .into_values()
        .flatten()
        .flat_map(|p| read_parquet(&p))
        .flat_map(|b| {
            use arrow::array::AsArray;
            let r = b
                .column_by_name("recording_id")
                .unwrap()
                .as_string::<i32>()
                .clone();
            let c = b
                .column_by_name("call_id")
                .unwrap()
                .as_string::<i32>()
                .clone();
            (0..b.num_rows())
                .map(move |i| (r.value(i).to_string(), c.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let unique: std::collections::BTreeSet<_> = recordings.iter().cloned().collect();
    assert_eq!(unique.len(), recordings.len(), "duplicate recording rows");
    for id in &report.calls {
        let c = truth.calls.iter().find(|c| &c.id == id).unwrap();
        if let Some(rec) = &c.recording_id {
            assert!(
                unique.contains(&(rec.clone(), id.clone())),
                "recording {rec} of call {id} missing"
            );
        }
    }
    sim.shutdown().await;
}
