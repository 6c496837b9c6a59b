//! The extension list (docs/api.md §1.7, §2.1, §3.5).

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{ACCOUNT, Sim, cfg, first_error_code};

#[tokio::test]
async fn per_page_max_echoes_1000_with_totals() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let (status, _, body) = sim
        .get("/restapi/v1.0/account/~/extension?perPage=max")
        .await;
    assert_eq!(status, StatusCode::OK);
    let n = truth.extensions.len() as u64;
    assert_eq!(body["paging"]["perPage"], 1000);
    assert_eq!(body["paging"]["totalElements"], n);
    assert_eq!(body["paging"]["totalPages"], 1);
    assert_eq!(body["paging"]["pageStart"], 0);
    assert_eq!(body["paging"]["pageEnd"], n - 1);
    assert!(body["uri"].as_str().unwrap().ends_with(&format!(
        "/restapi/v1.0/account/{ACCOUNT}/extension?page=1&perPage=max"
    )));
    assert!(body["navigation"]["lastPage"]["uri"].is_string());
    assert!(body["navigation"].get("nextPage").is_none());
    let records = body["records"].as_array().unwrap();
    for (r, t) in records.iter().zip(truth.extensions.iter()) {
        assert_eq!(r["id"].as_i64(), Some(t.id));
        assert_eq!(r["extensionNumber"].as_str(), t.extension_number.as_deref());
        assert_eq!(r["name"], t.name.as_str());
        assert_eq!(r["type"], t.r#type.as_str());
        assert_eq!(r["status"], t.status.as_str());
        assert!(
            r["uri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/extension/{}", t.id))
        );
        assert!(r["contact"]["email"].is_string());
        assert!(r["permissions"]["admin"]["enabled"].is_boolean());
    }
    // The main extension's id is the account id (docs/api.md §1.7).
    assert_eq!(records[0]["id"].as_i64(), Some(ACCOUNT));
    for kind in ["User", "Department", "IvrMenu", "FaxUser"] {
        assert!(records.iter().any(|r| r["type"] == kind), "{kind}");
    }
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn paging_with_totals() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let n = truth.extensions.len() as u64;
    let (records, pages) = sim
        .fetch_all("/restapi/v1.0/account/~/extension?perPage=7")
        .await;
    let got: Vec<i64> = records.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    let want: Vec<i64> = truth.extensions.iter().map(|e| e.id).collect();
    assert_eq!(got, want);
    assert_eq!(pages.len() as u64, n.div_ceil(7));
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p["paging"]["page"], i as u64 + 1);
        assert_eq!(p["paging"]["totalPages"], n.div_ceil(7));
        assert_eq!(p["paging"]["totalElements"], n);
        let last = p["navigation"]["lastPage"]["uri"].as_str().unwrap();
        assert!(
            last.contains(&format!("page={}&perPage=7", n.div_ceil(7))),
            "{last}"
        );
    }
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn status_and_type_filters() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let get = |q: &'static str| {
        let sim = &sim;
        async move {
            let (status, _, body) = sim
                .get(&format!("/restapi/v1.0/account/~/extension?{q}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{q}: {body}");
            body
        }
    };
    let body = get("status=Enabled&perPage=1000").await;
    let enabled = truth
        .extensions
        .iter()
        .filter(|e| e.status == "Enabled")
        .count();
    assert_eq!(body["records"].as_array().unwrap().len(), enabled);
    assert_eq!(body["paging"]["totalElements"], enabled as u64);
    let body = get("type=Department").await;
    let records: &Vec<Value> = body["records"].as_array().unwrap();
    assert!(!records.is_empty() && records.iter().all(|r| r["type"] == "Department"));
    let body = get("status=Unassigned").await;
    assert!(
        body["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("extensionNumber").is_none())
    );
    let (status, _, body) = sim
        .get("/restapi/v1.0/account/~/extension?status=Sleeping")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(first_error_code(&body), "CMN-101");
    let (status, _, _) = sim.get("/restapi/v1.0/account/~/extension?perPage=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    sim.handle.shutdown().await;
}
