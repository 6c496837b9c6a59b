//! The account call log: envelopes, paging, filters, views (docs/api.md §1.1, §2.1, §3).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use ringlake_sim::TruthCall;
use serde_json::Value;

use crate::support::{ACCOUNT, Sim, cfg, day, first_error_code, ts};

/// Truth ids for `[from, to)` in the order the server pages them: newest first, ties by id
/// descending.
fn expected_ids(
    sim: &Sim,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    keep: impl Fn(&TruthCall) -> bool,
) -> Vec<String> {
    let truth = sim.handle.truth();
    let mut calls: Vec<&TruthCall> = truth.calls_in(from, to).filter(|c| keep(c)).collect();
    calls.sort_by(|a, b| (b.start_time, &b.id).cmp(&(a.start_time, &a.id)));
    calls.into_iter().map(|c| c.id.clone()).collect()
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn window_query(from: DateTime<Utc>, to: DateTime<Utc>, extra: &str) -> String {
    format!(
        "/restapi/v1.0/account/~/call-log?dateFrom={}&dateTo={}{extra}",
        ts(from),
        ts(to)
    )
}

#[tokio::test]
async fn page_size_sweep_concatenates_to_the_truth() {
    let sim = Sim::start(cfg()).await;
    let (from, to) = (day(2), day(3));
    let want = expected_ids(&sim, from, to, |_| true);
    assert!(
        want.len() > 200,
        "too few calls for the sweep: {}",
        want.len()
    );
    for per_page in ["7", "1000", "max", "5000"] {
        let q = window_query(
            from,
            to,
            &format!("&showDeleted=true&view=Detailed&perPage={per_page}"),
        );
        let (records, pages) = sim.fetch_all(&q).await;
        assert_eq!(ids(&records), want, "perPage={per_page}");
        let effective: u64 = if per_page == "7" { 7 } else { 1000 };
        for (i, page) in pages.iter().enumerate() {
            let paging = &page["paging"];
            assert_eq!(paging["perPage"], effective);
            assert_eq!(paging["page"], i as u64 + 1);
            assert_eq!(paging["pageStart"], i as u64 * effective);
            let n = page["records"].as_array().unwrap().len() as u64;
            assert_eq!(paging["pageEnd"], i as u64 * effective + n - 1);
            assert!(paging.get("totalPages").is_none() && paging.get("totalElements").is_none());
            let nav = &page["navigation"];
            assert!(nav.get("lastPage").is_none());
            assert!(
                nav["firstPage"]["uri"]
                    .as_str()
                    .unwrap()
                    .contains("page=1&")
            );
            let last = i + 1 == pages.len();
            assert_eq!(nav.get("nextPage").is_none(), last, "page {i}");
            if !last {
                assert_eq!(n, effective);
            }
            let uri = page["uri"].as_str().unwrap();
            assert!(
                uri.starts_with(&format!(
                    "{}/restapi/v1.0/account/{ACCOUNT}/call-log?view=Detailed",
                    sim.handle.base_url()
                )),
                "{uri}"
            );
            assert!(
                uri.contains(&format!("page={}&perPage={effective}", i + 1)),
                "{uri}"
            );
            assert!(uri.contains(&format!("dateFrom={}", ts(from))), "{uri}");
        }
        let unique: HashSet<_> = records.iter().map(|r| r["id"].clone()).collect();
        assert_eq!(
            unique.len(),
            records.len(),
            "duplicates at perPage={per_page}"
        );
    }
    // perPage=1 over a shorter window.
    let (from, to) = (day(2) + Duration::hours(15), day(2) + Duration::hours(17));
    let want = expected_ids(&sim, from, to, |c| !c.deleted);
    let (records, pages) = sim.fetch_all(&window_query(from, to, "&perPage=1")).await;
    assert_eq!(ids(&records), want);
    assert_eq!(pages.len(), want.len().max(1));
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn empty_page_envelope() {
    let sim = Sim::start(cfg()).await;
    let (status, _, body) = sim.get(&window_query(day(2), day(3), "&page=999")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["records"], serde_json::json!([]));
    assert_eq!(body["paging"], serde_json::json!({"perPage": 100}));
    let nav = body["navigation"].as_object().unwrap();
    assert_eq!(nav.keys().collect::<Vec<_>>(), vec!["firstPage"]);
    // Outside the data range: no records at all on page 1.
    let (_, _, body) = sim.get(&window_query(day(10), day(11), "")).await;
    assert_eq!(body["records"].as_array().unwrap().len(), 0);
    assert!(body["paging"].get("page").is_none());
    sim.handle.shutdown().await;
}

async fn ids_at_boundary(sim: &Sim, boundary: DateTime<Utc>) -> (Vec<String>, Vec<String>) {
    let q = window_query(
        boundary - Duration::hours(1),
        boundary,
        "&showDeleted=true&perPage=1000",
    );
    let (before, _) = sim.fetch_all(&q).await;
    let q = window_query(
        boundary,
        boundary + Duration::hours(1),
        "&showDeleted=true&perPage=1000",
    );
    let (after, _) = sim.fetch_all(&q).await;
    (ids(&before), ids(&after))
}

#[tokio::test]
async fn date_to_exclusive_and_inclusive() {
    let boundary = day(3);
    let exclusive = Sim::start(cfg()).await;
    let at: Vec<String> = exclusive
        .handle
        .truth()
        .calls
        .iter()
        .filter(|c| c.start_time == boundary)
        .map(|c| c.id.clone())
        .collect();
    assert!(!at.is_empty(), "no call exactly at midnight");
    let (before, after) = ids_at_boundary(&exclusive, boundary).await;
    assert!(
        at.iter()
            .all(|id| !before.contains(id) && after.contains(id))
    );
    exclusive.handle.shutdown().await;

    let inclusive = Sim::start(cfg().with_date_to_inclusive(true)).await;
    let (before, after) = ids_at_boundary(&inclusive, boundary).await;
    assert!(
        at.iter()
            .all(|id| before.contains(id) && after.contains(id))
    );
    inclusive.handle.shutdown().await;
}

#[tokio::test]
async fn simple_and_detailed_views() {
    let sim = Sim::start(cfg()).await;
    let detailed_only = ["legs", "billing", "lastModifiedTime", "transport"];
    let (simple, _) = sim
        .fetch_all(&window_query(day(2), day(3), "&perPage=1000"))
        .await;
    let (detailed, _) = sim
        .fetch_all(&window_query(day(2), day(3), "&perPage=1000&view=Detailed"))
        .await;
    assert_eq!(ids(&simple), ids(&detailed));
    for r in &simple {
        for f in detailed_only {
            assert!(r.get(f).is_none(), "{f} in Simple view");
        }
        assert!(r["uri"].as_str().unwrap().ends_with("?view=Simple"));
    }
    let mut billed = 0;
    for r in &detailed {
        assert!(r["legs"].as_array().is_some_and(|l| !l.is_empty()));
        assert!(r["lastModifiedTime"].is_string() && r["transport"].is_string());
        assert!(r["uri"].as_str().unwrap().ends_with("?view=Detailed"));
        billed += usize::from(r.get("billing").is_some());
    }
    assert!(billed > 10, "billing on {billed} records");
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn show_deleted() {
    let sim = Sim::start(cfg()).await;
    let (from, to) = (day(1), day(4));
    let (live, _) = sim
        .fetch_all(&window_query(from, to, "&perPage=1000"))
        .await;
    let (all, _) = sim
        .fetch_all(&window_query(from, to, "&perPage=1000&showDeleted=true"))
        .await;
    let truth = sim.handle.truth();
    let deleted = truth.calls.iter().filter(|c| c.deleted).count();
    assert!(deleted > 0);
    assert_eq!(all.len(), truth.calls.len());
    assert_eq!(live.len(), truth.calls.len() - deleted);
    assert!(live.iter().all(|r| r.get("deleted").is_none()));
    let flagged = all.iter().filter(|r| r["deleted"] == true).count();
    assert_eq!(flagged, deleted);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn type_and_direction_filters() {
    let sim = Sim::start(cfg()).await;
    let (from, to) = (day(1), day(4));
    type Keep = Box<dyn Fn(&TruthCall) -> bool>;
    let cases: [(&str, Keep); 4] = [
        ("&type=Fax", Box::new(|c| c.r#type == "Fax")),
        (
            "&direction=Outbound",
            Box::new(|c| c.direction == "Outbound"),
        ),
        (
            "&type=Voice&direction=Inbound",
            Box::new(|c| c.r#type == "Voice" && c.direction == "Inbound"),
        ),
        (
            "&type=Voice&type=Fax&direction=Inbound&direction=Outbound",
            Box::new(|_| true),
        ),
    ];
    for (extra, keep) in cases {
        let want = expected_ids(&sim, from, to, |c| !c.deleted && keep(c));
        assert!(!want.is_empty(), "{extra}");
        let (records, pages) = sim
            .fetch_all(&window_query(from, to, &format!("{extra}&perPage=1000")))
            .await;
        assert_eq!(ids(&records), want, "{extra}");
        let uri = pages[0]["uri"].as_str().unwrap();
        for part in extra.split('&').filter(|p| !p.is_empty()) {
            assert!(uri.contains(part), "{uri} lacks {part}");
        }
    }
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_are_400_cmn_101() {
    let sim = Sim::start(cfg()).await;
    let cases = [
        ("perPage=0", "perPage"),
        ("perPage=-5", "perPage"),
        ("perPage=lots", "perPage"),
        ("page=0", "page"),
        ("dateFrom=yesterday", "dateFrom"),
        ("dateTo=2024-13-45", "dateTo"),
        ("view=Full", "view"),
        ("type=SMS", "type"),
    ];
    for (q, param) in cases {
        let (status, _, body) = sim
            .get(&format!("/restapi/v1.0/account/~/call-log?{q}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(first_error_code(&body), "CMN-101", "{q}");
        assert_eq!(body["errors"][0]["parameterName"], param, "{q}");
    }
    let (status, _, body) = sim.get("/restapi/v1.0/account/12345/call-log").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(first_error_code(&body), "CMN-102");
    let (status, _, body) = sim.get("/restapi/v1.0/account/~/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(first_error_code(&body), "CMN-120");
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn accepted_date_formats_and_defaults() {
    let sim = Sim::start(cfg()).await;
    let want = expected_ids(&sim, day(2), day(3), |c| !c.deleted);
    for (from, to) in [
        ("2024-04-02", "2024-04-03"),
        ("2024-04-02T00:00:00", "2024-04-03T00:00:00"),
        ("2024-04-02T01:00:00%2B01:00", "2024-04-02T19:00:00-05:00"),
    ] {
        let q = format!(
            "/restapi/v1.0/account/{ACCOUNT}/call-log?dateFrom={from}&dateTo={to}&perPage=1000"
        );
        let (records, pages) = sim.fetch_all(&q).await;
        assert_eq!(ids(&records), want, "{from}..{to}");
        let uri = pages[0]["uri"].as_str().unwrap();
        assert!(
            uri.contains("dateFrom=2024-04-02T00:00:00.000Z&dateTo=2024-04-03T00:00:00.000Z"),
            "{uri}"
        );
    }
    // No dates: the last 24 h up to now, outside the generated range.
    let (status, _, body) = sim.get("/restapi/v1.0/account/~/call-log").await;
    assert_eq!(status, StatusCode::OK);
    let uri = body["uri"].as_str().unwrap();
    assert!(
        uri.contains("view=Simple&dateFrom=") && uri.ends_with("&page=1&perPage=100"),
        "{uri}"
    );
    sim.handle.shutdown().await;
}

fn walk_no_nulls(v: &Value, path: &str) {
    match v {
        Value::Null => panic!("null at {path}"),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| walk_no_nulls(x, &format!("{path}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| walk_no_nulls(x, &format!("{path}.{k}"))),
        _ => {}
    }
}

fn is_timestamp(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 24
            && s.ends_with('Z')
            && s.as_bytes()[19] == b'.'
            && DateTime::parse_from_rfc3339(s).is_ok()
    })
}

#[tokio::test]
async fn record_json_types_match_the_notes() {
    let sim = Sim::start(cfg()).await;
    let (records, _) = sim
        .fetch_all(&window_query(
            day(1),
            day(4),
            "&perPage=1000&view=Detailed&showDeleted=true",
        ))
        .await;
    let truth = sim.handle.truth();
    let by_id: std::collections::HashMap<&str, &TruthCall> =
        truth.calls.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut seen_ext_id = 0;
    let mut seen_party_ext_id = 0;
    for r in &records {
        walk_no_nulls(r, "record");
        let id = r["id"].as_str().unwrap();
        let t = by_id[id];
        assert_eq!(r["sessionId"].as_str().unwrap(), t.session_id);
        assert!(
            is_timestamp(&r["startTime"]) && is_timestamp(&r["lastModifiedTime"]),
            "{r}"
        );
        assert_eq!(r["startTime"].as_str().unwrap(), ts(t.start_time));
        assert_eq!(
            r["lastModifiedTime"].as_str().unwrap(),
            ts(t.last_modified_time)
        );
        assert!(r["duration"].is_u64());
        assert_eq!(r["type"], t.r#type.as_str());
        assert_eq!(r["direction"], t.direction.as_str());
        assert_eq!(r["result"].as_str(), t.result.as_deref());
        assert_eq!(r["legs"].as_array().unwrap().len(), t.leg_count);
        assert_eq!(r["extension"]["id"].as_i64(), t.extension_id);
        if r.get("extension").is_some() {
            assert!(r["extension"]["id"].is_i64());
            seen_ext_id += 1;
        }
        for party in [&r["from"], &r["to"]] {
            if let Some(x) = party.get("extensionId") {
                assert!(x.is_string(), "extensionId must be a string: {party}");
                seen_party_ext_id += 1;
            }
        }
        match (&r.get("billing"), &t.billing_cost_included) {
            (Some(b), Some(inc)) => {
                assert!(b["costIncluded"].is_number() && b["costPurchased"].is_number());
                assert_eq!(&b["costIncluded"].to_string(), inc);
                assert_eq!(
                    Some(b["costPurchased"].to_string()),
                    t.billing_cost_purchased
                );
            }
            (None, None) => {}
            other => panic!("billing mismatch for {id}: {other:?}"),
        }
        assert_eq!(r["recording"]["id"].as_str(), t.recording_id.as_deref());
        if let Some(rec) = r.get("recording") {
            assert!(rec["contentUri"].as_str().unwrap().ends_with("/content"));
            assert!(["Automatic", "OnDemand"].contains(&rec["type"].as_str().unwrap()));
        }
        let legs = r["legs"].as_array().unwrap();
        for leg in legs {
            assert!(
                leg.get("id").is_none()
                    && leg.get("uri").is_none()
                    && leg.get("sessionId").is_none()
            );
            assert!(leg["legType"].is_string());
            assert!(is_timestamp(&leg["startTime"]));
            if let Some(m) = leg.get("master") {
                assert_eq!(m, true, "master is only ever true");
            }
            if let Some(e) = leg.get("extension") {
                assert!(e["id"].is_i64());
            }
        }
        assert!(legs.iter().filter(|l| l.get("master").is_some()).count() <= 1);
        let leg_result = |suffix: &str| {
            legs.iter()
                .find(|l| {
                    let lt = l["legType"].as_str().unwrap();
                    lt.starts_with("RingOut") && lt.ends_with(suffix)
                })
                .and_then(|l| l["result"].as_str())
        };
        assert_eq!(leg_result("ToCaller"), t.ringout_caller_result.as_deref());
        assert_eq!(
            leg_result("ToSubscriber"),
            t.ringout_callee_result.as_deref()
        );
        if let Some(m) = r.get("message") {
            assert!(m["id"].is_string());
        }
    }
    assert!(seen_ext_id > 100 && seen_party_ext_id > 10);
    sim.handle.shutdown().await;
}
