//! Messages by id, single and bulk (docs/api.md §1.9, §6.2), over HTTP.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{ACCOUNT, Sim, cfg, day, first_error_code, ts};

fn item_path(ext: &str, ids: &str) -> String {
    format!("/restapi/v1.0/account/~/extension/{ext}/message-store/{ids}")
}

/// Every message of the main mailbox in the data range, as the list renders it.
async fn listed(sim: &Sim) -> Vec<Value> {
    let q = format!(
        "dateFrom={}&dateTo={}&availability=Alive&availability=Deleted&availability=Purged&perPage=1000",
        ts(day(1)),
        ts(day(4))
    );
    let (records, _) = sim
        .fetch_all(&format!(
            "/restapi/v1.0/account/~/extension/~/message-store?{q}"
        ))
        .await;
    assert!(records.len() > 100);
    records
}

/// An id from another extension's store.
fn foreign_id(sim: &Sim) -> i64 {
    sim.handle
        .truth()
        .messages
        .iter()
        .find(|m| m.mailbox_extension_id != ACCOUNT)
        .unwrap()
        .id
}

async fn get_accept(sim: &Sim, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = sim.client.get(sim.url(path)).bearer_auth(&sim.token);
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn single_message_is_rendered_like_the_list() {
    let sim = Sim::start(cfg()).await;
    let records = listed(&sim).await;
    // One of each type and availability present.
    let mut picked: Vec<&Value> = Vec::new();
    for r in &records {
        if !picked
            .iter()
            .any(|p| p["type"] == r["type"] && p["availability"] == r["availability"])
        {
            picked.push(r);
        }
    }
    assert!(picked.iter().any(|r| r["availability"] == "Deleted"));
    assert!(picked.len() >= 5);
    for r in picked {
        let id = r["id"].as_i64().unwrap().to_string();
        for ext in ["~", &*ACCOUNT.to_string()] {
            let (status, headers, body) = sim.get(&item_path(ext, &id)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(headers["x-rate-limit-group"], "light");
            assert_eq!(&body, r);
        }
        // The item's own `uri` is this route.
        let (status, _, body) = sim
            .get(
                r["uri"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches(&sim.handle.base_url()),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["id"], r["id"]);
    }
    let foreign = foreign_id(&sim).to_string();
    for missing in ["111", "not-a-number", &*foreign] {
        let (status, _, body) = sim.get(&item_path("~", missing)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(first_error_code(&body), "CMN-102");
        assert_eq!(body["errors"][0]["parameterName"], "messageId");
        assert_eq!(
            body["message"],
            "Resource for parameter [messageId] is not found"
        );
    }
    // In its own mailbox the foreign id is found.
    let owner = sim
        .handle
        .truth()
        .messages
        .iter()
        .find(|m| m.id.to_string() == foreign)
        .unwrap()
        .mailbox_extension_id;
    let (status, _, _) = sim.get(&item_path(&owner.to_string(), &foreign)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bulk_as_json_array() {
    let sim = Sim::start(cfg()).await;
    let records = listed(&sim).await;
    let (a, b) = (&records[0], &records[records.len() / 2]);
    let foreign = foreign_id(&sim);
    let ids = format!("{},111,{},{foreign}", a["id"], b["id"]);
    let resp = get_accept(
        &sim,
        &item_path("~", &ids),
        Some("application/vnd.ringcentral.multipart+json"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::MULTI_STATUS);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.ringcentral.multipart+json"
    );
    let body: Value = resp.json().await.unwrap();
    let items = body.as_array().unwrap();
    assert_eq!(items.len(), 4);
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["resourceId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            a["id"].to_string(),
            "111".to_string(),
            b["id"].to_string(),
            foreign.to_string()
        ]
    );
    let statuses: Vec<u64> = items
        .iter()
        .map(|i| i["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![200, 404, 200, 404]);
    assert_eq!(&items[0]["body"], a);
    assert_eq!(&items[2]["body"], b);
    for i in [1, 3] {
        assert_eq!(first_error_code(&items[i]["body"]), "CMN-102");
        assert_eq!(items[i]["body"]["parameterName"], "messageId");
    }
}

/// The parts of a `multipart/mixed` body: (headers, body) after the boundary lines.
fn parts(body: &str, boundary: &str) -> Vec<(String, String)> {
    let delimiter = format!("--{boundary}");
    let mut sections: Vec<&str> = body.split(&delimiter).collect();
    assert_eq!(sections.remove(0), "", "no preamble expected");
    assert!(
        sections.pop().unwrap().starts_with("--"),
        "closing delimiter"
    );
    sections
        .into_iter()
        .map(|s| {
            let s = s.strip_prefix("\r\n").unwrap();
            let (head, body) = s.split_once("\r\n\r\n").unwrap();
            (head.to_string(), body.trim_end().to_string())
        })
        .collect()
}

#[tokio::test]
async fn bulk_as_multipart_mixed() {
    let sim = Sim::start(cfg()).await;
    let records = listed(&sim).await;
    let chosen: Vec<&Value> = records.iter().step_by(7).take(5).collect();
    let mut ids: Vec<String> = chosen.iter().map(|r| r["id"].to_string()).collect();
    ids.insert(2, "42".into());
    let resp = get_accept(&sim, &item_path("~", &ids.join(",")), None).await;
    assert_eq!(resp.status(), StatusCode::MULTI_STATUS);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    let boundary = ct
        .strip_prefix("multipart/mixed; boundary=")
        .unwrap()
        .to_string();
    assert!(boundary.starts_with("Boundary_"));
    let text = resp.text().await.unwrap();
    let parts = parts(&text, &boundary);
    assert_eq!(parts.len(), ids.len() + 1);
    assert!(
        parts
            .iter()
            .all(|(head, _)| head == "Content-Type: application/json")
    );
    let status: Value = serde_json::from_str(&parts[0].1).unwrap();
    let response = status["response"].as_array().unwrap();
    assert_eq!(response.len(), ids.len());
    for (k, (entry, id)) in response.iter().zip(&ids).enumerate() {
        assert!(entry["href"].as_str().unwrap().ends_with(&format!(
            "/restapi/v1.0/account/{ACCOUNT}/extension/{ACCOUNT}/message-store/{id}"
        )));
        let item: Value = serde_json::from_str(&parts[k + 1].1).unwrap();
        if id == "42" {
            assert_eq!(entry["status"], 404);
            assert_eq!(entry["responseDescription"], "Not Found");
            assert_eq!(first_error_code(&item), "CMN-102");
        } else {
            assert_eq!(entry["status"], 200);
            assert_eq!(entry["responseDescription"], "OK");
            assert_eq!(item["id"].to_string(), *id);
            let want = chosen
                .iter()
                .find(|r| r["id"].as_i64() == id.parse().ok())
                .unwrap();
            assert_eq!(&&item, want);
        }
    }
}

#[tokio::test]
async fn bulk_is_limited_to_50_ids() {
    let sim = Sim::start(cfg()).await;
    let ids = |n: usize| {
        (0..n)
            .map(|i| (1000 + i).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let (status, _, body) = sim.get(&item_path("~", &ids(51))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(first_error_code(&body), "CMN-106");
    assert_eq!(body["message"], "Batch request is limited to 50 entries");
    let resp = get_accept(
        &sim,
        &item_path("~", &ids(50)),
        Some("application/vnd.ringcentral.multipart+json"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::MULTI_STATUS);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body.as_array().unwrap().len(), 50);
    assert!(body.as_array().unwrap().iter().all(|i| i["status"] == 404));
    // Unknown extension: the endpoint itself fails, no 207 (docs/api.md §6.2).
    let (status, _, body) = sim.get(&item_path("123", "1,2")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["errors"][0]["parameterName"], "extensionId");
}
