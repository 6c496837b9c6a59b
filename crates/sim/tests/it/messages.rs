//! Message store and active calls over HTTP.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{ACCOUNT, Sim, cfg, day, first_error_code, ts};

fn store_path(ext: &str, query: &str) -> String {
    format!("/restapi/v1.0/account/~/extension/{ext}/message-store?{query}")
}

#[tokio::test]
async fn paging_concatenates_to_truth_per_extension() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let window = format!("dateFrom={}&dateTo={}", ts(day(1)), ts(day(4)));
    // The main extension (`~`) is busy; a quiet one may be empty.
    let quiet = truth
        .messages
        .iter()
        .map(|m| m.mailbox_extension_id)
        .find(|&e| e != ACCOUNT)
        .unwrap();
    for (ext, id, per_page) in [("~", ACCOUNT, 37u32), (&*quiet.to_string(), quiet, 1000)] {
        let q = format!(
            "{window}&availability=Alive&availability=Deleted&availability=Purged&perPage={per_page}"
        );
        let (records, pages) = sim.fetch_all(&store_path(ext, &q)).await;
        let want: Vec<i64> = truth
            .messages_in(id, day(1), day(4))
            .map(|m| m.id)
            .collect();
        let mut got: Vec<i64> = records.iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(got.len(), want.len());
        // Newest first.
        let times: Vec<&str> = records
            .iter()
            .map(|r| r["creationTime"].as_str().unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]));
        got.reverse();
        let mut sorted_want = want.clone();
        sorted_want.sort_unstable();
        let mut sorted_got = got.clone();
        sorted_got.sort_unstable();
        assert_eq!(sorted_got, sorted_want);
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), got.len());
        let last = pages.last().unwrap();
        assert!(last["navigation"]["nextPage"].is_null());
        assert!(last["navigation"]["lastPage"]["uri"].is_string());
        assert_eq!(
            last["paging"]["totalElements"].as_u64().unwrap(),
            want.len() as u64
        );
        assert_eq!(
            last["paging"]["totalPages"].as_u64().unwrap(),
            (want.len() as u64).div_ceil(u64::from(per_page))
        );
        if pages.len() > 1 {
            assert!(
                last["navigation"]["previousPage"]["uri"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("page={}", pages.len() - 1))
            );
            assert!(pages[0]["navigation"]["previousPage"].is_null());
        }
        if id == ACCOUNT {
            assert!(pages.len() > 2, "main extension should need several pages");
        }
    }
}

#[tokio::test]
async fn availability_defaults_to_alive() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let window = format!("dateFrom={}&dateTo={}&perPage=1000", ts(day(1)), ts(day(4)));
    let (status, _, body) = sim.get(&store_path("~", &window)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["uri"].as_str().unwrap().contains("availability=Alive"));
    let alive = truth
        .messages_in(ACCOUNT, day(1), day(4))
        .filter(|m| m.availability == "Alive")
        .count();
    let all = truth.messages_in(ACCOUNT, day(1), day(4)).count();
    assert!(alive < all, "test data needs deleted messages");
    let recs = body["records"].as_array().unwrap();
    assert_eq!(recs.len(), alive);
    assert!(recs.iter().all(|r| r["availability"] == "Alive"));
    assert_eq!(
        body["paging"]["totalElements"].as_u64().unwrap(),
        alive as u64
    );
}

#[tokio::test]
async fn big_ids_exact_in_json_text() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let url = sim.url(&store_path(
        "~",
        &format!("dateFrom={}&dateTo={}&perPage=1000", ts(day(1)), ts(day(4))),
    ));
    let text = sim
        .client
        .get(url)
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let conv = truth
        .messages_in(ACCOUNT, day(1), day(4))
        .filter(|m| m.availability == "Alive")
        .find_map(|m| m.conversation_id)
        .unwrap();
    assert!(conv > 1 << 53);
    assert!(text.contains(&format!("\"conversationId\":{conv}")));
    assert!(text.contains(&format!("\"id\":\"{conv}\"")));
    let body: Value = serde_json::from_str(&text).unwrap();
    let r = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["conversationId"].as_i64() == Some(conv))
        .unwrap();
    assert!(r["id"].is_i64());
    assert!(r["attachments"][0]["id"].is_i64());
}

#[tokio::test]
async fn filters_and_errors() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let base = format!("dateFrom={}&dateTo={}&perPage=1000", ts(day(1)), ts(day(4)));
    let q = format!("{base}&messageType=SMS&messageType=Pager&direction=Outbound&readStatus=Read");
    let (status, _, body) = sim.get(&store_path(&ACCOUNT.to_string(), &q)).await;
    assert_eq!(status, StatusCode::OK);
    let want = truth
        .messages_in(ACCOUNT, day(1), day(4))
        .filter(|m| {
            m.availability == "Alive"
                && (m.r#type == "SMS" || m.r#type == "Pager")
                && m.direction == "Outbound"
                && m.read_status == "Read"
        })
        .count();
    assert!(want > 0);
    assert_eq!(body["records"].as_array().unwrap().len(), want);
    let (status, _, body) = sim.get(&store_path("123", &base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(first_error_code(&body), "CMN-102");
    let (status, _, _) = sim.get(&store_path("~", "perPage=0")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Multi-recipient SMS, faxes with pages, voicemails with duration exist in the data.
    let all = format!("{base}&availability=Alive");
    let (_, _, body) = sim.get(&store_path("~", &all)).await;
    let recs = body["records"].as_array().unwrap();
    assert!(
        recs.iter()
            .any(|r| r["type"] == "SMS" && r["to"].as_array().is_some_and(|t| t.len() > 1))
    );
    assert!(
        recs.iter()
            .any(|r| r["type"] == "VoiceMail" && r["attachments"][0]["vmDuration"].is_u64())
    );
}

#[tokio::test]
async fn active_calls_envelope() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let (status, headers, body) = sim.get("/restapi/v1.0/account/~/active-calls").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-rate-limit-group"], "heavy");
    let recs = body["records"].as_array().unwrap();
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        truth
            .active_calls
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert!(!ids.is_empty());
    for r in recs {
        assert_eq!(r["duration"], 0);
        assert!(r["uri"].as_str().unwrap().contains("/call-log/"));
        let start = chrono::DateTime::parse_from_rfc3339(r["startTime"].as_str().unwrap()).unwrap();
        assert!(chrono::Utc::now().signed_duration_since(start) < chrono::Duration::minutes(15));
    }
    assert!(
        body["uri"]
            .as_str()
            .unwrap()
            .ends_with("active-calls?page=1&perPage=100")
    );
    assert!(body["paging"]["totalElements"].is_null());
    assert!(body["navigation"]["firstPage"]["uri"].is_string());
    assert!(body["navigation"]["lastPage"].is_null());
    let (_, _, page) = sim
        .get("/restapi/v1.0/account/~/active-calls?perPage=1")
        .await;
    assert_eq!(page["records"].as_array().unwrap().len(), 1);
    assert_eq!(page["navigation"]["nextPage"].is_object(), ids.len() > 1);
    // Per extension: only that extension's calls.
    let ext = recs[0]["uri"]
        .as_str()
        .unwrap()
        .split("/extension/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (status, _, body) = sim
        .get(&format!(
            "/restapi/v1.0/account/~/extension/{ext}/active-calls"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let n = body["records"].as_array().unwrap().len();
    assert!(n >= 1 && n <= ids.len());
}
