//! Company call-log extract sync (docs/api.md §1.4, §2.2): FSync + ISync chains by
//! modification time, late updates, tokens.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use ringlake_sim::Mutation;
use serde_json::Value;

use crate::support::{Sim, cfg, day, first_error_code, ts};

const PATH: &str = "/restapi/v1.0/account/~/call-log-extract-sync";

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .to_utc()
}

fn records(body: &Value) -> &Vec<Value> {
    body["records"].as_array().unwrap()
}

/// Follows ISync from `body` until `newerRecordsExist` is false; every page, `body` first.
async fn chain(sim: &Sim, mut body: Value) -> Vec<Value> {
    let mut pages = Vec::new();
    loop {
        let more = body["syncInfo"]["newerRecordsExist"].as_bool().unwrap();
        let token = body["syncInfo"]["syncToken"].as_str().unwrap().to_string();
        pages.push(body);
        if !more {
            return pages;
        }
        assert!(pages.len() < 1000, "the chain does not end");
        let (status, _, next) = sim
            .get(&format!("{PATH}?syncType=ISync&syncToken={token}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{next}");
        body = next;
    }
}

#[tokio::test]
async fn fsync_isync_chain_returns_every_change_once() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let from = day(2) + Duration::hours(9);
    let mut want: Vec<(DateTime<Utc>, String)> = truth
        .calls
        .iter()
        .filter(|c| c.last_modified_time >= from)
        .map(|c| (c.last_modified_time, c.id.clone()))
        .collect();
    want.sort();
    assert!(want.len() > 300, "{}", want.len());
    assert!(
        truth
            .calls
            .iter()
            .any(|c| c.deleted && c.last_modified_time >= from)
    );

    let (status, headers, first) = sim
        .get(&format!(
            "{PATH}?syncType=FSync&dateFrom={}&recordCount=100&view=Detailed",
            ts(from)
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(headers["x-rate-limit-group"], "heavy");
    assert_eq!(first["syncInfo"]["syncType"], "FSync");
    assert!(first["uri"].as_str().unwrap().contains(&format!(
        "/call-log-extract-sync?syncType=FSync&dateFrom={}&recordCount=100&view=Detailed",
        ts(from)
    )));
    assert!((Utc::now() - time(&first["syncInfo"]["syncTime"])).abs() < Duration::minutes(1));
    let pages = chain(&sim, first).await;
    assert!(pages.len() >= 3);
    for p in &pages[1..] {
        assert_eq!(p["syncInfo"]["syncType"], "ISync");
    }
    let got: Vec<(DateTime<Utc>, String)> = pages
        .iter()
        .flat_map(records)
        .map(|r| {
            (
                time(&r["lastModifiedTime"]),
                r["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Every record modified after dateFrom exactly once, oldest modification first.
    assert_eq!(got, want);
    assert!(pages.iter().flat_map(records).any(|r| r["deleted"] == true));
    for w in pages.windows(2) {
        let (a, b) = (records(&w[0]), records(&w[1]));
        if let (Some(last), Some(next)) = (a.last(), b.first()) {
            // A page holds recordCount records, more only to finish a millisecond.
            assert!(a.len() >= 100);
            assert!(time(&last["lastModifiedTime"]) < time(&next["lastModifiedTime"]));
        }
    }
    assert_eq!(
        pages.last().unwrap()["syncInfo"]["newerRecordsExist"],
        false
    );

    // Nothing new: the last token gives an empty page.
    let token = pages.last().unwrap()["syncInfo"]["syncToken"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, empty) = sim
        .get(&format!("{PATH}?syncType=ISync&syncToken={token}"))
        .await;
    assert!(records(&empty).is_empty());
    assert_eq!(empty["syncInfo"]["newerRecordsExist"], false);

    // Late updates come next, with their new billing; the view comes from the FSync.
    let report = sim
        .handle
        .mutate(&Mutation::new().with_calls(7).with_seed(11));
    let token = empty["syncInfo"]["syncToken"].as_str().unwrap().to_string();
    let (_, _, late) = sim
        .get(&format!("{PATH}?syncType=ISync&syncToken={token}"))
        .await;
    let ids: HashSet<&str> = records(&late)
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, report.calls.iter().map(String::as_str).collect());
    let truth = sim.handle.truth();
    for r in records(&late) {
        let t = truth.calls.iter().find(|c| c.id == r["id"]).unwrap();
        assert_eq!(time(&r["lastModifiedTime"]), report.last_modified_time);
        assert_eq!(
            Some(r["billing"]["costPurchased"].to_string()),
            t.billing_cost_purchased
        );
    }
    assert_eq!(late["syncInfo"]["newerRecordsExist"], false);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn defaults_views_and_counts() {
    let sim = Sim::start(cfg()).await;
    // Default dateFrom is now − 1 h: the 2024 data set has no record modified since.
    let (status, _, body) = sim.get(PATH).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(records(&body).is_empty());
    assert_eq!(body["syncInfo"]["newerRecordsExist"], false);
    let uri = body["uri"].as_str().unwrap();
    assert!(uri.contains("recordCount=250"), "{uri}");
    assert!(uri.contains("view=Simple"), "{uri}");
    let echoed = uri
        .split("dateFrom=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let echoed = DateTime::parse_from_rfc3339(echoed).unwrap().to_utc();
    assert!((Utc::now() - Duration::hours(1) - echoed).abs() < Duration::minutes(1));

    // Simple view: no Detailed-only fields; recordCount above 1000 is clamped.
    let (_, _, simple) = sim
        .get(&format!("{PATH}?dateFrom={}&recordCount=5000", ts(day(1))))
        .await;
    assert!(simple["uri"].as_str().unwrap().contains("recordCount=1000"));
    let total = sim
        .handle
        .truth()
        .calls
        .iter()
        .filter(|c| c.last_modified_time >= day(1))
        .count();
    let recs = records(&simple);
    assert!(recs.len() >= total.min(1000));
    assert!(
        recs.iter()
            .all(|r| r.get("legs").is_none() && r.get("lastModifiedTime").is_none())
    );
    assert_eq!(simple["syncInfo"]["newerRecordsExist"], total > recs.len());

    // A view sent with an ISync wins over the token's.
    let (_, _, ten) = sim
        .get(&format!("{PATH}?dateFrom={}&recordCount=10", ts(day(1))))
        .await;
    // 10, or a few more when the next ones share the 10th's modification millisecond.
    assert!((10..=14).contains(&records(&ten).len()));
    assert_eq!(ten["syncInfo"]["newerRecordsExist"], true);
    let token = ten["syncInfo"]["syncToken"].as_str().unwrap();
    let (_, _, detailed) = sim
        .get(&format!(
            "{PATH}?syncType=ISync&syncToken={token}&view=Detailed"
        ))
        .await;
    let recs = records(&detailed);
    assert!(recs.len() >= 10);
    assert!(recs.iter().all(|r| r["lastModifiedTime"].is_string()));

    for bad in [
        "recordCount=0",
        "recordCount=x",
        "view=Full",
        "syncType=Both",
        "syncType=ISync",
    ] {
        let (status, _, body) = sim.get(&format!("{PATH}?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(first_error_code(&body), "CMN-101", "{bad}");
    }
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn expired_or_foreign_token_is_clg_101() {
    let sim = Sim::start(cfg().with_extract_sync_token_max_age_secs(1)).await;
    let (_, _, first) = sim
        .get(&format!("{PATH}?dateFrom={}&recordCount=10", ts(day(1))))
        .await;
    let token = first["syncInfo"]["syncToken"].as_str().unwrap().to_string();
    let isync = format!("{PATH}?syncType=ISync&syncToken={token}");
    let (status, _, _) = sim.get(&isync).await;
    assert_eq!(status, StatusCode::OK);
    // The token age is the clock under test.
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let (status, _, body) = sim.get(&isync).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errorCode"], "CLG-101");
    assert_eq!(first_error_code(&body), "CLG-101");
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["parameterName"], "syncToken");

    // Unreadable, and a message-sync token.
    let foreign = sim
        .handle
        .message_sync_token(crate::support::ACCOUNT, Utc::now());
    for bad in ["garbage", foreign.as_str()] {
        let (status, _, body) = sim
            .get(&format!("{PATH}?syncType=ISync&syncToken={bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(first_error_code(&body), "CLG-101");
    }
    sim.handle.shutdown().await;
}
