//! Integration tests of ringlake-extract: against a scripted server (exact faults) and
//! against the simulator (`ringlake-sim`) over loopback.

// Unwrapping is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod faults;
mod mailbox_faults;
mod on_disk;
mod script;
mod sim;
mod streams;
mod sync;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use ringlake_extract::{
    ApiClient, ClientOptions, Credentials, Progress, RateGroup, RetryPolicy, Secret, WaitReason,
};
use ringlake_model::ListPage;

pub const CLIENT_ID: &str = "sim-client-id";
pub const CLIENT_SECRET: &str = "sim-client-secret";
pub const JWT: &str = "sim-jwt-credential";

/// A client with millisecond backoff, for tests.
pub fn client(base_url: &str, secret: &str, jwt: &str) -> ApiClient {
    let creds = Credentials::new(
        base_url.to_owned(),
        CLIENT_ID.to_owned(),
        Secret::new(secret.to_owned()),
        Secret::new(jwt.to_owned()),
    );
    let opts = ClientOptions::default()
        .with_retry(RetryPolicy::new(
            8,
            Duration::from_millis(5),
            Duration::from_millis(50),
        ))
        .with_request_timeout(Duration::from_secs(10));
    ApiClient::new(creds, opts).unwrap()
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The page files of a published window directory's latest fetch, in order, decompressed
/// (earlier fetches sit in its `history/`).
pub fn read_pages(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ringlake_contracts::raw::HISTORY_DIR)
        .collect();
    names.sort();
    for (i, name) in names.iter().enumerate() {
        assert_eq!(
            name,
            &format!("page-{:05}.json.zst", i + 1),
            "pages numbered from 1 without gaps"
        );
    }
    names
        .iter()
        .map(|n| zstd::decode_all(std::fs::File::open(dir.join(n)).unwrap()).unwrap())
        .collect()
}

/// The `id`s of the records of a published window directory, in page order, as parsed
/// JSON values (integers stay exact: serde_json keeps them as i64/u64, never f64).
pub fn read_record_ids(dir: &Path) -> Vec<serde_json::Value> {
    let mut ids = Vec::new();
    for body in read_pages(dir) {
        let page: ListPage<'_> = serde_json::from_slice(&body).unwrap();
        for r in page.records {
            let v: serde_json::Value = serde_json::from_str(r.get()).unwrap();
            ids.push(v["id"].clone());
        }
    }
    ids
}

/// The page files of a published call-log day, in order, decompressed.
pub fn read_day_pages(raw: &Path, day: NaiveDate) -> Vec<Vec<u8>> {
    read_pages(
        &raw.join("call-log")
            .join(day.format("%Y-%m-%d").to_string()),
    )
}

/// The record ids of a published day, in page order.
pub fn read_day_ids(raw: &Path, day: NaiveDate) -> Vec<String> {
    let mut ids = Vec::new();
    for body in read_day_pages(raw, day) {
        let page: ListPage<'_> = serde_json::from_slice(&body).unwrap();
        for r in page.records {
            let v: serde_json::Value = serde_json::from_str(r.get()).unwrap();
            ids.push(
                v["id"]
                    .as_str()
                    .expect("call-log id is a string")
                    .to_owned(),
            );
        }
    }
    ids
}

/// Names in `<raw>/call-log/` (to check no staging is left over).
pub fn stream_entries(raw: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(raw.join("call-log"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A progress sink that records what it is told.
#[derive(Debug, Default)]
pub struct Recorder {
    pub planned: Mutex<Option<(usize, usize)>>,
    pub pages: Mutex<Vec<(NaiveDate, u32, usize)>>,
    pub days: Mutex<BTreeMap<NaiveDate, (u32, u64)>>,
    pub waits: Mutex<Vec<(RateGroup, Duration, WaitReason)>>,
}

impl Progress for Recorder {
    fn days_planned(&self, total: usize, to_fetch: usize) {
        *self.planned.lock().unwrap() = Some((total, to_fetch));
    }
    fn page_fetched(&self, day: NaiveDate, page: u32, records: usize) {
        self.pages.lock().unwrap().push((day, page, records));
    }
    fn day_done(&self, day: NaiveDate, pages: u32, records: u64) {
        self.days.lock().unwrap().insert(day, (pages, records));
    }
    fn waiting(&self, group: RateGroup, wait: Duration, reason: WaitReason) {
        self.waits.lock().unwrap().push((group, wait, reason));
    }
}
