//! Secrets never leave the process: the client secret, the JWT and every access and refresh
//! token the simulator issued are absent from the logs (at debug level, text and JSON), the
//! summary, the raw zone (decompressed), the checkpoints and the lake (every cell).

use std::path::Path;

use arrow::util::pretty::pretty_format_batches;
use base64::Engine as _;
use ringlake_sim::{RateLimits, SimConfig, SimCredentials};

use crate::support::*;

/// Every issued token of this simulator starts with this (base64 of `SIM01|`).
const SIM_TOKEN_PREFIX: &str = "U0lNMDF8";

/// All files below `dir`, their bytes as a reader would see them: zstd pages decompressed,
/// Parquet files rendered cell by cell.
fn readable_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            readable_files(&path, out);
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let text = if name.ends_with(".zst") {
            String::from_utf8_lossy(&zstd::decode_all(bytes.as_slice()).unwrap()).into_owned()
        } else if name.ends_with(".parquet") {
            pretty_format_batches(&read_parquet(&path))
                .unwrap()
                .to_string()
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        out.push((name, text));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_raw_zone_checkpoint_or_lake() {
    // Tokens that live 2 s: the run refreshes several times, so many tokens pass by.
    let sim = start_sim(
        SimConfig::new()
            .with_seed(41)
            .with_extensions(12)
            .with_calls_per_day(300)
            .with_data_range(utc("2026-04-01"), utc("2026-04-08"))
            .with_access_token_ttl_secs(2)
            .with_limits(RateLimits::scaled(1)),
    )
    .await;
    let c = SimCredentials::default();
    let dir = tempfile::tempdir().unwrap();
    let mut logs = String::new();
    for format in ["text", "json"] {
        let lake = dir.path().join(format!("lake-{format}"));
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_ringlake"))
            .args(["--log-format", format, "run", "--from", "2026-04-01"])
            .args(["--to", "2026-04-06", "--lake", lake.to_str().unwrap()])
            .env("RUST_LOG", "debug")
            .env("RC_SERVER_URL", sim.base_url())
            .env("RC_CLIENT_ID", &c.client_id)
            .env("RC_CLIENT_SECRET", &c.client_secret)
            .env("RC_JWT", &c.jwt)
            .output()
            .await
            .unwrap();
        assert_success(&out);
        logs.push_str(&text(&out.stdout));
        logs.push_str(&text(&out.stderr));
    }
    assert!(
        logs.contains("DEBUG") || logs.contains("\"level\":\"DEBUG\""),
        "debug logs expected"
    );
    let stats = sim.stats();
    assert!(
        stats.token_grants + stats.token_refreshes >= 2,
        "several tokens should have been issued: {stats:?}"
    );

    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", c.client_id, c.client_secret));
    let secrets = [
        c.client_secret.as_str(),
        c.jwt.as_str(),
        SIM_TOKEN_PREFIX,
        basic.as_str(),
    ];
    let mut places = vec![("logs and summary".to_string(), logs)];
    readable_files(dir.path(), &mut places);
    assert!(
        places.iter().any(|(n, _)| n.ends_with(".json.zst")),
        "raw pages read"
    );
    assert!(
        places.iter().any(|(n, _)| n.ends_with("checkpoint.json")),
        "checkpoints read"
    );
    assert!(
        places.iter().any(|(n, _)| n.ends_with(".parquet")),
        "lake files read"
    );
    for (place, text) in &places {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "a secret ({}…) is in {place}",
                &secret[..4]
            );
        }
    }
    sim.shutdown().await;
}
