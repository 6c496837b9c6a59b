//! Injected faults as a reqwest client sees them: 503, dropped connections, truncated
//! bodies, slow replies; their rates, their seed, and their weight in rate limits.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use ringlake_sim::{Faults, RateLimits, Simulator};
use serde_json::Value;

use crate::support::{Sim, basic, cfg, first_error_code, token_request};

const LIST: &str = "/restapi/v1.0/account/~/extension?perPage=5";

/// What the client made of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Ok,
    Unavailable,
    /// The request or its body failed: connection closed early.
    Dropped,
    /// 200, but the body is not a JSON document.
    Truncated,
}

fn client() -> Client {
    // A dropped connection must fail, never hang: the timeout only bounds a broken test.
    Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn observe(client: &Client, sim: &Sim, path: &str) -> (Seen, Duration, String) {
    let started = Instant::now();
    let sent = client
        .get(sim.url(path))
        .bearer_auth(&sim.token)
        .send()
        .await;
    let Ok(resp) = sent else {
        return (Seen::Dropped, started.elapsed(), String::new());
    };
    let status = resp.status();
    let Ok(text) = resp.text().await else {
        return (Seen::Dropped, started.elapsed(), String::new());
    };
    let elapsed = started.elapsed();
    let seen = match status {
        StatusCode::SERVICE_UNAVAILABLE => Seen::Unavailable,
        StatusCode::OK if serde_json::from_str::<Value>(&text).is_err() => Seen::Truncated,
        StatusCode::OK => Seen::Ok,
        other => panic!("unexpected status {other}: {text}"),
    };
    (seen, elapsed, text)
}

#[tokio::test]
async fn each_fault_at_full_rate() {
    let sim = Sim::start(cfg()).await;
    let client = client();
    let (seen, _, clean) = observe(&client, &sim, LIST).await;
    assert_eq!(seen, Seen::Ok);

    // 503 with the CMN-201 body, sometimes Retry-After: 1.
    sim.handle
        .set_faults(Faults::new().with_503_rate(1.0).with_seed(3));
    let mut retry_after = 0;
    for _ in 0..20 {
        let resp = client
            .get(sim.url(LIST))
            .bearer_auth(&sim.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        if let Some(v) = resp.headers().get("retry-after") {
            assert_eq!(v, "1");
            retry_after += 1;
        }
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["errorCode"], "CMN-201");
        assert_eq!(body["message"], "Service Temporarily Unavailable");
        assert_eq!(first_error_code(&body), "CMN-201");
        assert_eq!(
            body["errors"][0]["message"],
            "Service Temporarily Unavailable"
        );
    }
    assert!((1..20).contains(&retry_after), "{retry_after} of 20");

    // Dropped: the client gets an error, not a hang.
    sim.handle.set_faults(Faults::new().with_drop_rate(1.0));
    for _ in 0..5 {
        assert_eq!(observe(&client, &sim, LIST).await.0, Seen::Dropped);
    }

    // Truncated: status 200, a strict prefix of the real body.
    sim.handle.set_faults(Faults::new().with_truncate_rate(1.0));
    for _ in 0..5 {
        let (seen, _, text) = observe(&client, &sim, LIST).await;
        assert_eq!(seen, Seen::Truncated);
        assert!(!text.is_empty() && text.len() < clean.len());
        assert!(clean.starts_with(&text));
    }

    // Slow: the whole answer, late.
    sim.handle
        .set_faults(Faults::new().with_slow_rate(1.0).with_slow_ms(300));
    for _ in 0..2 {
        let (seen, elapsed, text) = observe(&client, &sim, LIST).await;
        assert_eq!(seen, Seen::Ok);
        assert_eq!(text, clean);
        assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    }

    // Admin routes are never faulted.
    sim.handle.set_faults(Faults::new().with_drop_rate(1.0));
    let stats: Value = client
        .get(sim.url("/_admin/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["faults_503"], 20);
    assert_eq!(stats["faults_dropped"], 5);
    assert_eq!(stats["faults_truncated"], 5);
    assert_eq!(stats["faults_slow"], 2);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_is_faulted_from_the_config() {
    let handle = Simulator::new(cfg().with_faults(Faults::new().with_503_rate(1.0)))
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (status, headers, body) = token_request(
        &client(),
        &handle.base_url(),
        Some(&basic("sim-client-id", "sim-client-secret")),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", "sim-jwt-credential"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["x-rate-limit-group"], "auth");
    assert_eq!(first_error_code(&body), "CMN-201");
    let stats = handle.stats();
    assert_eq!((stats.faults_503, stats.token_grants), (1, 0));
    handle.shutdown().await;
}

#[tokio::test]
async fn rates_hold_over_500_requests_and_the_seed_repeats_them() {
    let sim = Sim::start(cfg()).await;
    let client = client();
    let faults = Faults::new()
        .with_503_rate(0.1)
        .with_drop_rate(0.05)
        .with_truncate_rate(0.05)
        .with_slow_rate(0.04)
        .with_slow_ms(60)
        .with_seed(7);
    let mut runs = Vec::new();
    for _ in 0..2 {
        sim.handle.set_faults(faults.clone());
        let mut seen = Vec::with_capacity(500);
        let mut slow = 0;
        for _ in 0..500 {
            let (s, elapsed, _) = observe(&client, &sim, LIST).await;
            if s == Seen::Ok && elapsed >= Duration::from_millis(60) {
                slow += 1;
            }
            seen.push(s);
        }
        let count = |k: Seen| seen.iter().filter(|s| **s == k).count();
        let (n503, dropped, truncated) = (
            count(Seen::Unavailable),
            count(Seen::Dropped),
            count(Seen::Truncated),
        );
        // Expected 50, 25, 25, 20; bounds are wide enough for any seed's spread.
        assert!((25..=80).contains(&n503), "503: {n503}");
        assert!((8..=45).contains(&dropped), "dropped: {dropped}");
        assert!((8..=45).contains(&truncated), "truncated: {truncated}");
        assert!((6..=40).contains(&slow), "slow: {slow}");
        runs.push((seen, slow));
    }
    // The same seed and request order give the same faults.
    assert_eq!(runs[0].0, runs[1].0);
    let stats = sim.handle.stats();
    let total = |k: Seen| {
        runs.iter()
            .map(|r| r.0.iter().filter(|s| **s == k).count())
            .sum::<usize>() as u64
    };
    assert_eq!(stats.faults_503, total(Seen::Unavailable));
    assert_eq!(stats.faults_dropped, total(Seen::Dropped));
    assert_eq!(stats.faults_truncated, total(Seen::Truncated));
    // Every injected delay was seen; a loaded machine may add a few slow answers of its own.
    assert!(stats.faults_slow <= (runs[0].1 + runs[1].1) as u64);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn faulted_requests_count_against_the_limit() {
    let limits = RateLimits::scaled(60).with_counts(50, 3, 10, 5);
    let sim = Sim::start(cfg().with_limits(limits)).await;
    sim.handle.set_faults(Faults::new().with_503_rate(1.0));
    for _ in 0..3 {
        assert_eq!(sim.get(LIST).await.0, StatusCode::SERVICE_UNAVAILABLE);
    }
    let (status, headers, body) = sim.get(LIST).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(headers["retry-after"], "60");
    assert_eq!(first_error_code(&body), "CMN-301");
    let stats = sim.handle.stats();
    assert_eq!((stats.faults_503, stats.responses_429), (3, 1));
    sim.handle.shutdown().await;
}
