//! `--dry-run` plans from the checkpoints, the raw zone and the limits the server announced
//! last time, and sends no request at all.

use ringlake_sim::{RateLimits, SimConfig};

use crate::support::*;

fn total_requests(sim: &ringlake_sim::SimHandle) -> u64 {
    sim.stats().requests_by_group.values().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_plans_windows_requests_and_wall_time_without_a_request() {
    let cfg = SimConfig::new()
        .with_seed(31)
        .with_extensions(12)
        .with_calls_per_day(300)
        .with_data_range(utc("2026-06-01"), utc("2026-06-10"))
        .with_limits(RateLimits::scaled(3));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let streams = ["--streams", "call-log,message-store"];

    // A first run's plan: every day fetched, mailboxes unknown, the default plan's limits.
    let mut args = streams.to_vec();
    args.push("--dry-run");
    let out = run_days(&sim, "2026-06-02", "2026-06-07", &lake, &args).await;
    assert_success(&out);
    let plan = text(&out.stdout);
    assert_eq!(total_requests(&sim), 0, "a dry run sent requests:\n{plan}");
    assert!(
        plan.contains("call-log 6 days to fetch, 0 settled"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "2026-06-02  dateFrom 2026-06-02T00:00:00Z  dateTo 2026-06-03T00:00:00Z  fetch"
        ),
        "{plan}"
    );
    assert!(plan.contains("mailboxes not known yet"), "{plan}");
    // 6 Heavy requests fit in one window of 10: no wait at the default limits.
    assert!(plan.contains("Heavy ≥6 (limit 10 per 60 s)"), "{plan}");
    assert!(plan.contains("Medium ≥1 (limit 40 per 60 s)"), "{plan}");
    assert!(
        plan.contains("wall     ≥0 s at the default plan's limits"),
        "{plan}"
    );
    assert!(!lake.exists(), "a dry run wrote {}", lake.display());

    // After a real run the range is settled; a longer range plans only its new days, every
    // known mailbox gets one window for them, and the account's limits are used.
    assert_success(&run_days(&sim, "2026-06-02", "2026-06-07", &lake, &streams).await);
    let before = total_requests(&sim);
    let out = run_days(&sim, "2026-06-01", "2026-06-08", &lake, &args).await;
    assert_success(&out);
    let plan = text(&out.stdout);
    assert_eq!(
        total_requests(&sim),
        before,
        "a dry run sent requests:\n{plan}"
    );
    assert!(
        plan.contains("call-log 2 days to fetch, 6 settled"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "2026-06-04  dateFrom 2026-06-04T00:00:00Z  dateTo 2026-06-05T00:00:00Z  settled"
        ),
        "{plan}"
    );
    assert!(plan.contains("Heavy ≥2 (limit 10 per 3 s)"), "{plan}");
    assert!(plan.contains("at the account's announced limits"), "{plan}");
    let mailboxes = sim.truth().extensions.len();
    assert!(
        plan.contains(&format!(
            "messages {mailboxes} of {mailboxes} known mailboxes to fetch"
        )),
        "{plan}"
    );
    // Each of them is asked for the two new days in one window, from the 1st to the 9th.
    assert_eq!(
        plan.matches("dateFrom 2026-06-01T00:00:00Z  dateTo 2026-06-09T00:00:00Z  (2 days)")
            .count(),
        mailboxes,
        "{plan}"
    );
    sim.shutdown().await;
}
