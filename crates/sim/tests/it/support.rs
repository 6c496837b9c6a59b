//! Shared helpers: a small simulator, a client, a token, JSON fetches.

use chrono::{DateTime, TimeZone, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use ringlake_sim::{RateLimits, SimConfig, SimHandle, Simulator};
use serde_json::Value;

pub const ACCOUNT: i64 = 400_131_426_008;

pub fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, d, 0, 0, 0).unwrap()
}

/// Three weekdays of data (Mon 2024-04-01 .. Thu 04-04), limits high enough never to bite.
pub fn cfg() -> SimConfig {
    SimConfig::new()
        .with_seed(7)
        .with_extensions(20)
        .with_calls_per_day(300)
        .with_data_range(day(1), day(4))
        .with_limits(RateLimits::default().with_counts(100_000, 100_000, 100_000, 100_000))
}

pub struct Sim {
    pub handle: SimHandle,
    pub client: Client,
    pub token: String,
}

impl Sim {
    pub async fn start(cfg: SimConfig) -> Self {
        let handle = Simulator::new(cfg)
            .serve("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = Client::new();
        let token = grant(&client, &handle.base_url()).await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        Self {
            handle,
            client,
            token,
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.handle.base_url(), path_and_query)
    }

    pub async fn get(&self, path_and_query: &str) -> (StatusCode, HeaderMap, Value) {
        get_with(&self.client, &self.url(path_and_query), Some(&self.token)).await
    }

    /// Follows `navigation.nextPage` from `first`; returns the records and the pages.
    pub async fn fetch_all(&self, first: &str) -> (Vec<Value>, Vec<Value>) {
        let mut url = self.url(first);
        let mut records = Vec::new();
        let mut pages = Vec::new();
        loop {
            let (status, _, body) = get_with(&self.client, &url, Some(&self.token)).await;
            assert_eq!(status, StatusCode::OK, "{url}: {body}");
            records.extend(body["records"].as_array().unwrap().iter().cloned());
            let next = body["navigation"]["nextPage"]["uri"]
                .as_str()
                .map(str::to_string);
            pages.push(body);
            match next {
                Some(n) => url = n,
                None => break,
            }
            assert!(pages.len() < 10_000, "paging does not end");
        }
        (records, pages)
    }
}

pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

pub async fn token_request(
    client: &Client,
    base: &str,
    auth: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    let mut req = client
        .post(format!("{base}/restapi/oauth/token"))
        .form(form);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body: Value = resp.json().await.unwrap();
    (status, headers, body)
}

pub async fn grant(client: &Client, base: &str) -> Value {
    let (status, _, body) = token_request(
        client,
        base,
        Some(&basic("sim-client-id", "sim-client-secret")),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", "sim-jwt-credential"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub async fn get_with(
    client: &Client,
    url: &str,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, Value) {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, headers, body)
}

/// Timestamp text as the API sends it.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn first_error_code(body: &Value) -> &str {
    body["errors"][0]["errorCode"].as_str().unwrap_or("")
}
