//! Token endpoint and bearer checks (docs/api.md §4).

use reqwest::StatusCode;
use ringlake_sim::SimConfig;

use crate::support::{ACCOUNT, Sim, basic, cfg, first_error_code, get_with, grant, token_request};

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[tokio::test]
async fn jwt_grant_returns_token_info() {
    let sim = Sim::start(cfg()).await;
    let base = sim.handle.base_url();
    let t = grant(&sim.client, &base).await;
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["refresh_token_expires_in"], 604_800);
    assert_eq!(t["owner_id"], ACCOUNT.to_string(), "owner_id is a string");
    for f in [
        "access_token",
        "refresh_token",
        "scope",
        "endpoint_id",
        "session_id",
    ] {
        assert!(t[f].as_str().is_some_and(|s| !s.is_empty()), "{f}: {t}");
    }
    assert_ne!(t["access_token"], t["refresh_token"]);
    // Sim::start made one grant, this test another.
    let stats = sim.handle.stats();
    assert_eq!(stats.token_grants, 2);
    assert_eq!(stats.requests_by_group.get("Auth"), Some(&2));
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn refresh_is_single_use_and_revokes_old_access_token() {
    let sim = Sim::start(cfg()).await;
    let base = sim.handle.base_url();
    let client_auth = basic("sim-client-id", "sim-client-secret");
    let first = grant(&sim.client, &base).await;
    let old_access = first["access_token"].as_str().unwrap();
    let refresh = first["refresh_token"].as_str().unwrap();
    let calls = format!("{base}/restapi/v1.0/account/~/extension");
    assert_eq!(
        get_with(&sim.client, &calls, Some(old_access)).await.0,
        StatusCode::OK
    );

    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let (status, _, second) = token_request(&sim.client, &base, Some(&client_auth), &form).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let new_access = second["access_token"].as_str().unwrap();
    assert_ne!(new_access, old_access);

    // The old access token is dead at once; the new one works.
    let (status, _, body) = get_with(&sim.client, &calls, Some(old_access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(first_error_code(&body), "OAU-213");
    assert_eq!(
        get_with(&sim.client, &calls, Some(new_access)).await.0,
        StatusCode::OK
    );

    // Reusing the refresh token fails.
    let (status, _, body) = token_request(&sim.client, &base, Some(&client_auth), &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(first_error_code(&body).starts_with("OAU-"), "{body}");

    // An unknown one too; the new refresh token works once.
    let bogus = [("grant_type", "refresh_token"), ("refresh_token", "nope")];
    let (status, _, _) = token_request(&sim.client, &base, Some(&client_auth), &bogus).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let next = [
        ("grant_type", "refresh_token"),
        ("refresh_token", second["refresh_token"].as_str().unwrap()),
    ];
    let (status, _, _) = token_request(&sim.client, &base, Some(&client_auth), &next).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sim.handle.stats().token_refreshes, 2);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn bad_client_credentials_are_401() {
    let sim = Sim::start(cfg()).await;
    let base = sim.handle.base_url();
    let form = [
        ("grant_type", JWT_GRANT),
        ("assertion", "sim-jwt-credential"),
    ];
    let cases = [
        (None, "OAU-123"),
        (Some(basic("someone-else", "sim-client-secret")), "OAU-123"),
        (Some("Basic !!!not-base64".to_string()), "OAU-123"),
        (Some(basic("sim-client-id", "wrong-secret")), "OAU-146"),
    ];
    for (auth, code) in cases {
        let (status, _, body) = token_request(&sim.client, &base, auth.as_deref(), &form).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(body["error"], "invalid_client");
        assert!(body["error_description"].is_string());
        assert_eq!(first_error_code(&body), code, "{auth:?}");
    }
    assert_eq!(sim.handle.stats().responses_401, 4);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn bad_jwt_and_bad_grants_are_400() {
    let sim = Sim::start(cfg()).await;
    let base = sim.handle.base_url();
    let auth = basic("sim-client-id", "sim-client-secret");
    let (status, _, body) = token_request(
        &sim.client,
        &base,
        Some(&auth),
        &[("grant_type", JWT_GRANT), ("assertion", "forged")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(first_error_code(&body).starts_with("OAU-"));
    let (status, _, body) = token_request(
        &sim.client,
        &base,
        Some(&auth),
        &[("grant_type", "password")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
    let (status, _, body) = token_request(&sim.client, &base, Some(&auth), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(sim.handle.stats().token_grants, 1);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_wants_a_form_body() {
    let sim = Sim::start(cfg()).await;
    let resp = sim
        .client
        .post(sim.url("/restapi/oauth/token"))
        .header("Authorization", basic("sim-client-id", "sim-client-secret"))
        .json(&serde_json::json!({"grant_type": JWT_GRANT, "assertion": "sim-jwt-credential"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn expired_token_is_401_token_expired() {
    // A zero lifetime: the token is expired as soon as it is issued.
    let sim = Sim::start(cfg().with_access_token_ttl_secs(0)).await;
    let (status, _, body) = sim.get("/restapi/v1.0/account/~/call-log").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errorCode"], "TokenExpired");
    assert_eq!(body["message"], "Access token expired");
    assert_eq!(first_error_code(&body), "OAU-128");
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn missing_or_unknown_bearer_is_401() {
    let sim = Sim::start(SimConfig::new().with_calls_per_day(10)).await;
    let url = sim.url("/restapi/v1.0/account/~/call-log");
    let (status, headers, body) = get_with(&sim.client, &url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!first_error_code(&body).is_empty());
    assert_eq!(headers["content-type"], "application/json");
    let (status, _, body) = get_with(&sim.client, &url, Some("made-up")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(first_error_code(&body), "OAU-213");
    assert_eq!(sim.handle.stats().responses_401, 2);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn one_second_tokens_expire_and_refresh() {
    let sim = Sim::start(cfg().with_access_token_ttl_secs(1)).await;
    let path = "/restapi/v1.0/account/~/extension";
    let (status, _, _) = sim.get(path).await;
    assert_eq!(status, StatusCode::OK);
    // The token lifetime is the clock under test.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _, body) = sim.get(path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(first_error_code(&body), "OAU-128");
    let fresh = grant(&sim.client, &sim.handle.base_url()).await;
    assert_eq!(fresh["expires_in"], 1);
    let url = sim.url(path);
    let (status, _, _) = get_with(&sim.client, &url, fresh["access_token"].as_str()).await;
    assert_eq!(status, StatusCode::OK);
    sim.handle.shutdown().await;
}
