//! The lake read back by real DuckDB (installed by `make test` into .venv): the counts, the
//! per-day counts from the Hive path, the billing sum and the column types.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig};

use crate::support::*;

fn python() -> String {
    std::env::var("RINGLAKE_PYTHON").unwrap_or_else(|_| {
        panic!("RINGLAKE_PYTHON is not set: run the tests with `make test`, which installs DuckDB into .venv")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duckdb_reads_the_lake_as_the_truth() {
    let cfg = SimConfig::new()
        .with_seed(31)
        .with_extensions(20)
        .with_calls_per_day(300)
        .with_data_range(utc("2026-07-30"), utc("2026-08-04"))
        .with_limits(RateLimits::scaled(1));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    assert_success(&run_days(&sim, "2026-07-31", "2026-08-02", &lake, &[]).await);

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/interop/lake_summary.py"
    );
    let out = tokio::process::Command::new(python())
        .arg(script)
        .arg(&lake)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb script failed: {}",
        text(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let truth = sim.truth();
    let (start, end) = (utc("2026-07-31"), utc("2026-08-03"));
    let want: Vec<_> = truth.calls_in(start, end).collect();
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    for c in &want {
        *per_day
            .entry(
                c.start_time
                    .with_timezone(&Tz::UTC)
                    .date_naive()
                    .to_string(),
            )
            .or_default() += 1;
    }
    let billing: i128 = want
        .iter()
        .filter_map(|c| c.billing_cost_included.as_deref())
        .map(micros)
        .sum();

    assert_eq!(got["calls"], want.len() as u64);
    assert_eq!(got["distinct_ids"], want.len() as u64);
    assert_eq!(
        got["legs"],
        want.iter().map(|c| c.leg_count as u64).sum::<u64>()
    );
    assert_eq!(
        serde_json::from_value::<BTreeMap<String, u64>>(got["per_day"].clone()).unwrap(),
        per_day
    );
    let duck_billing = got["billing_included"].as_str().unwrap();
    assert_eq!(micros(duck_billing), billing, "DuckDB's exact decimal sum");
    assert_eq!(got["types"]["start_time"], "TIMESTAMP WITH TIME ZONE");
    assert_eq!(got["types"]["billing_cost_included"], "DECIMAL(18,6)");
    assert_eq!(got["types"]["date"], "DATE");
    assert_eq!(got["types"]["extension_id"], "BIGINT");
    assert_eq!(got["types"]["deleted"], "BOOLEAN");

    // Messages: conversation ids above 2^53 read back exactly through DuckDB's BIGINT.
    let messages: Vec<_> = truth
        .messages
        .iter()
        .filter(|m| (start..end).contains(&m.creation_time))
        .collect();
    assert_eq!(got["messages"], messages.len() as u64);
    let conversations: std::collections::BTreeSet<String> = messages
        .iter()
        .filter_map(|m| m.conversation_id)
        .map(|c| c.to_string())
        .collect();
    assert!(
        conversations
            .iter()
            .any(|c| c.parse::<i64>().unwrap() > 1 << 53)
    );
    let duck: std::collections::BTreeSet<String> =
        serde_json::from_value(got["conversation_ids"].clone()).unwrap();
    assert_eq!(duck, conversations, "conversation ids, exactly");
    assert_eq!(got["message_types"]["conversation_id"], "BIGINT");
    assert_eq!(got["message_types"]["id"], "BIGINT");
    assert_eq!(
        got["message_types"]["creation_time"],
        "TIMESTAMP WITH TIME ZONE"
    );
    sim.shutdown().await;
}
