//! Rate-limit groups, headers, 429 and the penalty (docs/api.md §5).

use std::time::Duration;

use reqwest::StatusCode;
use ringlake_sim::RateLimits;

use crate::support::{Sim, basic, cfg, first_error_code, token_request};

#[tokio::test]
async fn headers_on_every_limited_response() {
    let sim = Sim::start(cfg().with_limits(RateLimits::default())).await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let (status, headers, _) = sim.get("/restapi/v1.0/account/~/call-log").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["x-rate-limit-group"], "heavy");
        assert_eq!(headers["x-rate-limit-limit"], "10");
        assert_eq!(headers["x-rate-limit-window"], "60");
        remaining.push(
            headers["x-rate-limit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(remaining, ["9", "8", "7"]);
    let (_, headers, _) = sim.get("/restapi/v1.0/account/~/extension").await;
    assert_eq!(headers["x-rate-limit-group"], "medium");
    assert_eq!(headers["x-rate-limit-limit"], "40");
    assert_eq!(headers["x-rate-limit-remaining"], "39");
    let stats = sim.handle.stats();
    assert_eq!(stats.requests_by_group.get("Heavy"), Some(&3));
    assert_eq!(stats.requests_by_group.get("Medium"), Some(&1));
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn excess_gets_429_and_each_request_restarts_the_penalty() {
    let limits = RateLimits::scaled(2).with_counts(50, 40, 3, 5);
    let sim = Sim::start(cfg().with_limits(limits)).await;
    let path = "/restapi/v1.0/account/~/call-log";
    for _ in 0..3 {
        assert_eq!(sim.get(path).await.0, StatusCode::OK);
    }
    let (status, headers, body) = sim.get(path).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(headers["x-rate-limit-remaining"], "0");
    assert_eq!(body["errorCode"], "CMN-301");
    assert_eq!(body["message"], "Request rate exceeded");
    assert_eq!(first_error_code(&body), "CMN-301");
    // Other groups are unaffected.
    assert_eq!(
        sim.get("/restapi/v1.0/account/~/extension").await.0,
        StatusCode::OK
    );
    // These waits are the penalty clock under test, not a server start.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(sim.get(path).await.0, StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    // 2.6 s after the first 429 the original penalty is over, but it was restarted.
    assert_eq!(sim.get(path).await.0, StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(sim.get(path).await.0, StatusCode::OK);
    assert_eq!(sim.handle.stats().responses_429, 3);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_is_group_auth() {
    let limits = RateLimits::scaled(60).with_counts(50, 40, 10, 2);
    // Sim::start spends one Auth request.
    let sim = Sim::start(cfg().with_limits(limits)).await;
    let base = sim.handle.base_url();
    let auth = basic("sim-client-id", "sim-client-secret");
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("assertion", "sim-jwt-credential"),
    ];
    let (status, headers, _) = token_request(&sim.client, &base, Some(&auth), &form).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-rate-limit-group"], "auth");
    assert_eq!(headers["x-rate-limit-remaining"], "0");
    let (status, headers, body) = token_request(&sim.client, &base, Some(&auth), &form).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "60");
    assert_eq!(first_error_code(&body), "CMN-301");
    let stats = sim.handle.stats();
    assert_eq!(stats.requests_by_group.get("Auth"), Some(&3));
    assert_eq!(stats.token_grants, 2);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn lowered_limits_mid_run_give_429() {
    let sim = Sim::start(cfg()).await;
    let path = "/restapi/v1.0/account/~/call-log";
    for _ in 0..3 {
        assert_eq!(sim.get(path).await.0, StatusCode::OK);
    }
    // Three Heavy requests are already in the window: a limit of 2 refuses the next.
    sim.handle
        .set_limits(RateLimits::scaled(30).with_counts(50, 40, 2, 5));
    let (status, headers, body) = sim.get(path).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["x-rate-limit-limit"], "2");
    assert_eq!(headers["retry-after"], "30");
    assert_eq!(first_error_code(&body), "CMN-301");
    // Other groups follow their own new limits.
    let (status, headers, _) = sim.get("/restapi/v1.0/account/~/extension").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-rate-limit-limit"], "40");

    // The same over the admin route: Medium down to 1, already used once.
    let resp = sim
        .client
        .post(sim.url("/_admin/limits"))
        .body(r#"{"light": 50, "medium": 1, "heavy": 2, "auth": 5, "window_secs": 30, "penalty_secs": 30}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (status, headers, _) = sim.get("/restapi/v1.0/account/~/extension").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["x-rate-limit-limit"], "1");
    let resp = sim
        .client
        .post(sim.url("/_admin/limits"))
        .body(r#"{"heavy": "many"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sim.handle.stats().responses_429, 2);
    sim.handle.shutdown().await;
}
