//! `ringlake transform` on a raw zone written by another tool: plain, gzip and zstd page
//! files in its own folder layout, fetched straight from the API, become the same lake.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig, SimCredentials};

use crate::support::*;

/// Pages the call log the way a simple script would, and saves each body as it came.
async fn export_pages(base: &str, from: &str, to: &str, raw: &Path) -> usize {
    let c = SimCredentials::default();
    let http = reqwest::Client::new();
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", c.client_id, c.client_secret));
    let token: serde_json::Value = http
        .post(format!("{base}/restapi/oauth/token"))
        .header("Authorization", format!("Basic {basic}"))
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
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let mut url = format!(
        "{base}/restapi/v1.0/account/~/call-log?view=Detailed&showDeleted=true&perPage=250&dateFrom={from}T00:00:00Z&dateTo={to}T00:00:00Z"
    );
    let mut n = 0;
    loop {
        let body = http
            .get(&url)
            .header("Authorization", &bearer)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
        n += 1;
        let dir = raw
            .join("call-log")
            .join("export")
            .join(format!("batch-{}", n % 3));
        std::fs::create_dir_all(&dir).unwrap();
        match n % 3 {
            0 => std::fs::write(dir.join(format!("p{n}.json")), &body).unwrap(),
            1 => {
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(&body).unwrap();
                std::fs::write(dir.join(format!("p{n}.json.gz")), gz.finish().unwrap()).unwrap();
            }
            _ => std::fs::write(
                dir.join(format!("p{n}.json.zst")),
                zstd::encode_all(&body[..], 3).unwrap(),
            )
            .unwrap(),
        }
        match page["navigation"]["nextPage"]["uri"].as_str() {
            Some(next) => url = next.to_string(),
            None => return n,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transform_reads_a_foreign_raw_zone() {
    let cfg = SimConfig::new()
        .with_seed(41)
        .with_extensions(15)
        .with_calls_per_day(350)
        .with_data_range(utc("2026-09-01"), utc("2026-09-06"))
        .with_limits(RateLimits::scaled(1));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let pages = export_pages(&sim.base_url(), "2026-09-02", "2026-09-05", &raw).await;
    assert!(pages >= 4, "several pages, got {pages}");
    // Things a reader must skip: hidden and underscore files, other streams.
    std::fs::write(raw.join("call-log").join("_SUCCESS.json"), b"not a page").unwrap();
    std::fs::write(
        raw.join("call-log").join(".partial.json"),
        b"{\"records\": [",
    )
    .unwrap();

    let lake = dir.path().join("lake");
    let out = ringlake(
        &sim,
        &[
            "transform",
            "--raw",
            raw.to_str().unwrap(),
            "--lake",
            lake.to_str().unwrap(),
        ],
    )
    .await;
    assert_success(&out);
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-09-02"),
        day("2026-09-04"),
        Tz::UTC,
    );
    sim.shutdown().await;
}
