//! Bad input ends with one line that says what is wrong (and what to do), and loses nothing:
//! wrong credentials, a missing permission, a lake that cannot be written, a corrupt raw
//! file, malformed records, and API values that look like paths.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use ringlake_sim::{RateLimits, SimConfig, SimCredentials, SimHandle};

use crate::support::*;

fn account(seed: u64) -> SimConfig {
    SimConfig::new()
        .with_seed(seed)
        .with_extensions(10)
        .with_calls_per_day(200)
        .with_data_range(utc("2026-06-01"), utc("2026-06-06"))
        .with_limits(RateLimits::scaled(1))
}

const ALL_TABLES: &[&str] = &[
    "calls",
    "call_legs",
    "call_recordings",
    "messages",
    "message_recipients",
    "message_attachments",
    "extensions",
];

/// `ringlake run` of the account's first days with these credentials.
async fn run_with(
    sim: &SimHandle,
    lake: &Path,
    client_secret: &str,
    jwt: &str,
) -> std::process::Output {
    let c = SimCredentials::default();
    let base = sim.base_url();
    ringlake_env(
        &[
            "run",
            "--from",
            "2026-06-02",
            "--to",
            "2026-06-03",
            "--lake",
            lake.to_str().unwrap(),
            "--streams",
            "call-log,message-store,extensions",
        ],
        &[
            ("RC_SERVER_URL", base.as_str()),
            ("RC_CLIENT_ID", &c.client_id),
            ("RC_CLIENT_SECRET", client_secret),
            ("RC_JWT", jwt),
        ],
    )
    .await
}

#[track_caller]
fn assert_one_line(out: &std::process::Output, code: i32, needles: &[&str]) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    let line = err.trim();
    assert_eq!(line.lines().count(), 1, "one line: {err}");
    for n in needles {
        assert!(line.contains(n), "{n:?} missing from: {line}");
    }
    line.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_are_named_and_the_lake_is_kept() {
    let sim = start_sim(account(51)).await;
    let c = SimCredentials::default();
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    assert_success(&run_with(&sim, &lake, &c.client_secret, &c.jwt).await);
    let before = lake_files(&lake, ALL_TABLES);
    assert!(!before.is_empty());

    let out = run_with(&sim, &lake, "not-the-secret-4711", &c.jwt).await;
    let line = assert_one_line(&out, 2, &["client"]);
    assert!(!line.contains("not-the-secret-4711"), "{line}");
    let out = run_with(&sim, &lake, &c.client_secret, "not-the-jwt-4711").await;
    let line = assert_one_line(&out, 2, &["JWT"]);
    assert!(!line.contains("not-the-jwt-4711"), "{line}");

    assert!(before == lake_files(&lake, ALL_TABLES), "the lake changed");
    sim.shutdown().await;
}

/// A server that grants tokens but refuses the data: the user lacks `ReadCallLog`
/// (docs/api.md §6.1, `error_403_insufficient_permissions_readcalllog.json`).
async fn refusing_server() -> (String, tokio::task::JoinHandle<()>) {
    async fn token() -> impl IntoResponse {
        (
            [("content-type", "application/json")],
            r#"{"access_token":"T","token_type":"bearer","expires_in":3600,"refresh_token":"R","refresh_token_expires_in":604800,"scope":"ReadCallLog","owner_id":"1"}"#,
        )
    }
    async fn refuse() -> impl IntoResponse {
        (
            StatusCode::FORBIDDEN,
            [("content-type", "application/json")],
            r#"{"errorCode":"InsufficientPermissions","message":"[ReadCallLog] permission required","errors":[{"errorCode":"CMN-408","message":"[ReadCallLog] permission required","permissionName":"ReadCallLog"}],"permissionName":"ReadCallLog"}"#,
        )
    }
    let app = Router::new()
        .route("/restapi/oauth/token", post(token))
        .fallback(get(refuse));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_permission_is_named_with_what_to_do() {
    let (base, server) = refusing_server().await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let out = ringlake_env(
        &[
            "run",
            "--from",
            "2026-06-02",
            "--to",
            "2026-06-02",
            "--lake",
            lake.to_str().unwrap(),
            "--streams",
            "call-log",
        ],
        &[
            ("RC_SERVER_URL", base.as_str()),
            ("RC_CLIENT_ID", "id"),
            ("RC_CLIENT_SECRET", "s"),
            ("RC_JWT", "j"),
        ],
    )
    .await;
    assert_one_line(&out, 2, &["ReadCallLog", "CMN-408"]);
    assert!(partition_files(&lake, "calls").is_empty());
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lake_that_cannot_be_written_is_one_line() {
    let sim = start_sim(account(52)).await;
    let c = SimCredentials::default();
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the lake directory should be.
    let lake = dir.path().join("lake");
    std::fs::write(&lake, b"not a directory").unwrap();
    let out = run_with(&sim, &lake, &c.client_secret, &c.jwt).await;
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains(lake.to_str().unwrap()),
        "names the path: {err}"
    );
    assert_eq!(std::fs::read(&lake).unwrap(), b"not a directory");
    sim.shutdown().await;
}

/// A table whose files cannot be written while the others can (its directory is a regular
/// file): the transform stops with one line naming it, exit 1, and the other tables' days
/// are whole and readable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_that_cannot_be_written_stops_the_run_in_one_line() {
    let sim = start_sim(account(54)).await;
    let c = SimCredentials::default();
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    assert_success(&run_with(&sim, &lake, &c.client_secret, &c.jwt).await);
    sim.shutdown().await;

    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("call_legs"), b"not a directory").unwrap();
    let out = ringlake_env(
        &[
            "transform",
            "--raw",
            lake.join("_raw").to_str().unwrap(),
            "--lake",
            other.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert_one_line(&out, 1, &["call_legs"]);
    assert_eq!(
        std::fs::read(other.join("call_legs")).unwrap(),
        b"not a directory"
    );
    // Every `calls` file written is whole (its manifest vouches for it).
    let verify = ringlake_env(&["lake", "verify", "--lake", other.to_str().unwrap()], &[]).await;
    assert!(
        !partition_files(&other, "calls").is_empty(),
        "calls were written: {}",
        text(&verify.stdout)
    );
    assert!(
        !text(&verify.stdout).contains("calls/"),
        "calls files are as listed: {}",
        text(&verify.stdout)
    );
}

fn call_log_pages(raw: &Path) -> Vec<PathBuf> {
    let mut pages = Vec::new();
    for day in std::fs::read_dir(raw.join("call-log")).unwrap() {
        for page in std::fs::read_dir(day.unwrap().path()).unwrap() {
            pages.push(page.unwrap().path());
        }
    }
    pages.sort();
    pages
}

/// A raw page that cannot be read stops the transform with one line naming the file and
/// what to do; the lake keeps what it had. Doing what it says brings the day back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_raw_file_is_named_and_its_window_fetched_again() {
    let sim = start_sim(account(53)).await;
    let c = SimCredentials::default();
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    assert_success(&run_with(&sim, &lake, &c.client_secret, &c.jwt).await);
    let before = lake_files(&lake, ALL_TABLES);
    let raw = lake.join("_raw");
    let page = call_log_pages(&raw).remove(0);
    std::fs::write(&page, b"\x28\xb5\x2f\xfd garbage").unwrap();

    let out = ringlake_env(
        &[
            "transform",
            "--raw",
            raw.to_str().unwrap(),
            "--lake",
            lake.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    let line = assert_one_line(&out, 1, &[page.to_str().unwrap(), "delete"]);
    assert!(
        before == lake_files(&lake, ALL_TABLES),
        "the lake changed: {line}"
    );

    // Do what the message says: the window is fetched again and the lake is whole.
    std::fs::remove_dir_all(page.parent().unwrap()).unwrap();
    assert_success(&run_with(&sim, &lake, &c.client_secret, &c.jwt).await);
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-06-02"),
        day("2026-06-03"),
        chrono_tz::Tz::UTC,
    );
    sim.shutdown().await;
}

/// Malformed records go to the dead-letter file with the raw record, the reason and the
/// page; the rest of the page is kept; exit code 3 and the summary say so. Ids and names
/// that look like paths stay values.
#[tokio::test]
async fn malformed_records_are_set_aside_and_path_like_values_stay_values() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let lake = dir.path().join("lake");
    let pages = raw.join("call-log").join("2026-06-02");
    std::fs::create_dir_all(&pages).unwrap();
    let page = r#"{"uri":"x","records":[
        {"id":"../../../escape","sessionId":"1","startTime":"2026-06-02T10:00:00.000Z","duration":5,"type":"Voice","direction":"Inbound","action":"Phone Call","result":"Accepted","to":{"name":"a/b/../c%2F\u0000"}},
        {"id":"bad-1","startTime":"not a time"},
        {"id":"%2e%2e%2Fok","sessionId":"2","startTime":"2026-06-02T11:00:00.000Z","duration":7,"type":"Voice","direction":"Outbound","action":"Phone Call","result":"Call connected"}
    ],"paging":{"perPage":100},"navigation":{}}"#;
    std::fs::write(pages.join("page-00001.json"), page).unwrap();

    let out = ringlake_env(
        &[
            "transform",
            "--raw",
            raw.to_str().unwrap(),
            "--lake",
            lake.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("SET ASIDE 1"), "{summary}");

    let got = read_lake(&lake);
    let ids: Vec<&str> = got.calls.keys().map(String::as_str).collect();
    assert_eq!(ids, ["%2e%2e%2Fok", "../../../escape"]);

    let letters: Vec<PathBuf> = std::fs::read_dir(lake.join("_dead_letter").join("calls"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(letters.len(), 1);
    let letter: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&letters[0]).unwrap().trim()).unwrap();
    assert!(letter["raw"].as_str().unwrap().contains("not a time"));
    assert!(
        letter["reason"]
            .as_str()
            .unwrap()
            .contains("invalid timestamp \"not a time\""),
        "{letter}"
    );
    assert!(
        letter["source"]
            .as_str()
            .unwrap()
            .contains("page-00001.json")
    );

    // Nothing was written outside the lake and the raw zone.
    let mut stray = Vec::new();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !(p.starts_with(&lake) || p.starts_with(&raw)) {
                stray.push(p);
            }
        }
    }
    assert!(stray.is_empty(), "{stray:?}");
    for entry in std::fs::read_dir(&lake).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            [
                "calls",
                "call_legs",
                "call_recordings",
                "_dead_letter",
                "_tmp",
                // The run's lock (crates/run/src/lock.rs), emptied at its end.
                "_ringlake.lock"
            ]
            .contains(&name.as_str()),
            "unexpected {name} in the lake"
        );
    }
}

/// `--lookback-days` up to `u32::MAX` (issue 17): a look-back past the end of time means
/// "never settled", so every day is fetched again; it is never a panic (exit 101). A dry
/// run plans it, a run does it, and the lake still equals the truth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_look_back_of_u32_max_days_fetches_every_day_again() {
    let sim = start_sim(account(57)).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let streams = ["--streams", "call-log,message-store"];
    let (from, to) = ("2026-06-02", "2026-06-04");
    // A first run leaves checkpoints whose settled days the look-back is checked against.
    assert_success(&run_days(&sim, from, to, &lake, &streams).await);
    let max = u32::MAX.to_string();
    let huge = [&streams[..], &["--lookback-days", &max]].concat();
    let dry = [&huge[..], &["--dry-run"]].concat();
    let out = run_days(&sim, from, to, &lake, &dry).await;
    assert_success(&out);
    let plan = text(&out.stdout);
    assert!(
        plan.contains("call-log 3 days to fetch, 0 settled"),
        "{plan}"
    );
    let calls = || sim.stats().requests_by_group.values().sum::<u64>();
    let before = calls();
    assert_success(&run_days(&sim, from, to, &lake, &huge).await);
    assert!(calls() > before, "the days were fetched again");
    assert_lake_equals_truth(&lake, &sim.truth(), day(from), day(to), chrono_tz::Tz::UTC);
    sim.shutdown().await;
}
