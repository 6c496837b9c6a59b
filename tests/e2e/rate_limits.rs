//! Pacing: with the limits of the default plan but a window of a few seconds, a run that
//! needs several windows' worth of Heavy requests finishes with zero 429 responses.

use std::time::Duration;

use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaled_limits_draw_no_429() {
    // Heavy allows 10 requests per 3 s window; 12 days of 1,500 calls need 24+ requests.
    let cfg = SimConfig::new()
        .with_seed(21)
        .with_extensions(30)
        .with_calls_per_day(1500)
        .with_data_range(utc("2026-05-01"), utc("2026-05-14"))
        .with_limits(RateLimits::scaled(3));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let out = run_days(&sim, "2026-05-01", "2026-05-12", &lake, &[]).await;
    assert_success(&out);
    let stats = sim.stats();
    let heavy = stats.requests_by_group.get("Heavy").copied().unwrap_or(0);
    assert!(
        heavy > 20,
        "the run should need more than two windows of Heavy requests, made {heavy}"
    );
    assert_eq!(stats.responses_429, 0, "429 responses: {stats:?}");
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-05-01"),
        day("2026-05-12"),
        Tz::UTC,
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_mid_run_is_waited_out_reported_and_loses_nothing() {
    let cfg = SimConfig::new()
        .with_seed(22)
        .with_extensions(20)
        .with_calls_per_day(1500)
        .with_data_range(utc("2026-05-01"), utc("2026-05-10"))
        .with_limits(RateLimits::scaled(3));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    // Once the run is under way the account's limits drop (Heavy 10 → 2 per window): the
    // client's pacer still believes in 10, so the server refuses with 429 until the
    // client learns the new limit from the headers and waits out the penalty.
    let storm = async {
        loop {
            let heavy = sim.stats().requests_by_group.get("Heavy").copied();
            if heavy.unwrap_or(0) >= 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        sim.set_limits(RateLimits::scaled(3).with_counts(50, 40, 2, 5));
    };
    let (out, ()) = tokio::join!(
        run_days(
            &sim,
            "2026-05-01",
            "2026-05-08",
            &lake,
            &["--streams", "call-log"]
        ),
        storm
    );
    assert_success(&out);
    let stats = sim.stats();
    assert!(stats.responses_429 > 0, "no 429 was drawn: {stats:?}");
    // The summary reports the 429s the client met.
    let stdout = text(&out.stdout);
    let reported = summary_number(&stdout, "429 responses: ");
    assert_eq!(reported, stats.responses_429, "{stdout}");
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-05-01"),
        day("2026-05-08"),
        Tz::UTC,
    );
    sim.shutdown().await;
}

/// The number after `marker` in the run summary (up to a `,` or `)`).
fn summary_number(stdout: &str, marker: &str) -> u64 {
    stdout
        .lines()
        .find_map(|l| l.split(marker).nth(1))
        .and_then(|rest| rest.split([',', ')']).next())
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no {marker:?} figure in the summary:\n{stdout}"))
}

/// Another integration of the same app and user, taking `share` of the Heavy budget and
/// waiting out its own 429s as a well-behaved client does. Returns (requests, 429s).
async fn other_client(
    sim: &ringlake_sim::SimHandle,
    per_request: Duration,
    stop: &tokio::sync::Notify,
) -> (u64, u64) {
    let c = ringlake_sim::SimCredentials::default();
    let http = reqwest::Client::new();
    let base = sim.base_url();
    let token: serde_json::Value = http
        .post(format!("{base}/restapi/oauth/token"))
        .basic_auth(&c.client_id, Some(&c.client_secret))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", c.jwt.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let (mut sent, mut refused) = (0, 0);
    loop {
        let answer = http
            .get(format!("{base}/restapi/v1.0/account/~/call-log?perPage=1"))
            .bearer_auth(&token)
            .send();
        let wait = tokio::select! {
            () = stop.notified() => return (sent, refused),
            answer = answer => {
                sent += 1;
                let answer = answer.unwrap();
                if answer.status() == 429 {
                    refused += 1;
                    let secs = answer.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(2);
                    Duration::from_secs(secs)
                } else {
                    per_request
                }
            }
        };
        tokio::select! {
            () = stop.notified() => return (sent, refused),
            () = tokio::time::sleep(wait) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_client_on_forty_percent_of_the_heavy_budget_costs_few_429s_and_nothing_else() {
    // Heavy: 10 requests per 2 s; the other client sends 4 of them (one every 500 ms).
    let cfg = SimConfig::new()
        .with_seed(23)
        .with_extensions(20)
        .with_calls_per_day(1500)
        .with_data_range(utc("2026-05-01"), utc("2026-05-26"))
        .with_limits(RateLimits::scaled(2));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let stop = tokio::sync::Notify::new();
    let run = async {
        // The other client is under way first, as a nightly job finds it.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let out = run_days(
            &sim,
            "2026-05-01",
            "2026-05-24",
            &lake,
            &["--streams", "call-log"],
        )
        .await;
        // `notify_one` keeps the permit if the other client is not waiting right now.
        stop.notify_one();
        out
    };
    let (out, (other_sent, other_429)) =
        tokio::join!(run, other_client(&sim, Duration::from_millis(500), &stop));
    assert_success(&out);
    let stdout = text(&out.stdout);
    let ours = summary_number(&stdout, "429 responses: ");
    let heavy = summary_number(&stdout, "(Heavy ");
    eprintln!(
        "ringlake: {heavy} Heavy requests, {ours} 429s; the other client: {other_sent} requests, {other_429} 429s"
    );
    assert!(
        other_sent >= 20,
        "the other client hardly ran: {other_sent}"
    );
    // The run meets a 429 when the other client's request lands between our last look
    // at X-Rate-Limit-Remaining and our next request; it waits each out (doubling the
    // wait when they come in a row, so the two clients do not keep restarting the
    // penalty for each other) and never fails for it. Measured: 16 for 62 requests.
    assert!(ours * 2 < heavy, "{ours} 429s for {heavy} requests");
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-05-01"),
        day("2026-05-24"),
        Tz::UTC,
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_ends_waiting_and_the_next_run_fetches_what_is_left() {
    // Heavy: 1 request per 4 s, and 8 days to fetch: far more than a 3 s deadline allows.
    let cfg = SimConfig::new()
        .with_seed(24)
        .with_extensions(10)
        .with_calls_per_day(300)
        .with_data_range(utc("2026-05-01"), utc("2026-05-10"))
        .with_limits(RateLimits::scaled(4).with_counts(50, 40, 1, 5));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let args = ["--streams", "call-log", "--deadline", "3s"];
    let started = std::time::Instant::now();
    let out = run_days(&sim, "2026-05-01", "2026-05-08", &lake, &args).await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("deadline"), "{all}");
    // Without the deadline the next run finishes the job.
    assert_success(
        &run_days(
            &sim,
            "2026-05-01",
            "2026-05-08",
            &lake,
            &["--streams", "call-log"],
        )
        .await,
    );
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-05-01"),
        day("2026-05-08"),
        Tz::UTC,
    );
    sim.shutdown().await;
}
