//! Message sync, full and incremental (docs/api.md §1.9, §2.2), over HTTP.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{ACCOUNT, Sim, cfg, day, first_error_code, ts};

fn sync_path(ext: &str, query: &str) -> String {
    format!("/restapi/v1.0/account/~/extension/{ext}/message-sync?{query}")
}

fn ids(body: &Value) -> Vec<i64> {
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .to_utc()
}

#[tokio::test]
async fn fsync_window_filters_and_record_count() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let window = format!(
        "syncType=FSync&dateFrom={}&dateTo={}",
        ts(day(1)),
        ts(day(4))
    );
    let (status, headers, body) = sim.get(&sync_path("~", &window)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["x-rate-limit-group"], "light");
    // Alive messages only, newest first (truth is oldest first).
    let want: Vec<i64> = truth
        .messages_in(ACCOUNT, day(1), day(4))
        .filter(|m| m.availability == "Alive")
        .map(|m| m.id)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(want.len() > 50);
    assert_eq!(ids(&body), want);
    let info = &body["syncInfo"];
    assert_eq!(info["syncType"], "FSync");
    assert_eq!(info["olderRecordsExist"], false);
    assert!(info["syncToken"].as_str().unwrap().len() > 10);
    assert!((Utc::now() - time(&info["syncTime"])).abs() < Duration::minutes(1));
    let uri = body["uri"].as_str().unwrap();
    assert!(uri.contains("/message-sync?syncType=FSync&dateFrom=2024-04-01T00:00:00.000Z"));
    // Records are rendered like the list's.
    let first = &body["records"][0];
    assert!(first["uri"].as_str().unwrap().contains("/message-store/"));
    assert!(first["creationTime"].is_string());

    // recordCount cuts the newest n and says older ones exist.
    let (_, _, cut) = sim
        .get(&sync_path("~", &format!("{window}&recordCount=5")))
        .await;
    assert_eq!(ids(&cut), want[..5].to_vec());
    assert_eq!(cut["syncInfo"]["olderRecordsExist"], true);
    assert!(cut["uri"].as_str().unwrap().ends_with("&recordCount=5"));
    let exact = format!("{window}&recordCount={}", want.len());
    let (_, _, all) = sim.get(&sync_path("~", &exact)).await;
    assert_eq!(ids(&all).len(), want.len());
    assert_eq!(all["syncInfo"]["olderRecordsExist"], false);

    // Filters.
    let q = format!("{window}&messageType=SMS&messageType=Fax&direction=Inbound");
    let (_, _, filtered) = sim.get(&sync_path(&ACCOUNT.to_string(), &q)).await;
    let want_f: Vec<i64> = truth
        .messages_in(ACCOUNT, day(1), day(4))
        .filter(|m| {
            m.availability == "Alive"
                && (m.r#type == "SMS" || m.r#type == "Fax")
                && m.direction == "Inbound"
        })
        .map(|m| m.id)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(!want_f.is_empty());
    assert_eq!(ids(&filtered), want_f);
}

#[tokio::test]
async fn fsync_default_window_is_the_last_24_hours() {
    let sim = Sim::start(cfg()).await;
    let before = Utc::now();
    let (status, _, body) = sim.get(&sync_path("~", "syncType=FSync")).await;
    assert_eq!(status, StatusCode::OK);
    // The data is from 2024: nothing in the last day.
    assert!(ids(&body).is_empty());
    let uri = body["uri"].as_str().unwrap();
    let from = uri
        .split("dateFrom=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let from = DateTime::parse_from_rfc3339(from).unwrap().to_utc();
    let expected = before - Duration::hours(24);
    assert!(
        (from - expected).abs() < Duration::seconds(30),
        "{from} vs {expected}"
    );
    assert!(!uri.contains("dateTo="));
}

#[tokio::test]
async fn isync_returns_changes_since_the_token_with_overlap() {
    let sim = Sim::start(cfg().with_message_sync_token_max_age_secs(u64::MAX)).await;
    let truth = sim.handle.truth();
    let at = day(2) + Duration::hours(12);
    let token = sim.handle.message_sync_token(ACCOUNT, at);
    let q = format!("syncType=ISync&syncToken={token}");
    let (status, headers, body) = sim.get(&sync_path("~", &q)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["x-rate-limit-group"], "light");
    // Everything modified after the token minus the 5 s overlap, latest change first.
    let mut want: Vec<_> = truth
        .messages
        .iter()
        .filter(|m| {
            m.mailbox_extension_id == ACCOUNT && m.last_modified_time > at - Duration::seconds(5)
        })
        .collect();
    want.sort_by_key(|m| std::cmp::Reverse((m.last_modified_time, m.id)));
    let want_ids: Vec<i64> = want.iter().map(|m| m.id).collect();
    assert!(want_ids.len() > 20);
    assert_eq!(ids(&body), want_ids);
    let mut gone = 0;
    for (r, m) in body["records"].as_array().unwrap().iter().zip(&want) {
        assert_eq!(r["availability"], m.availability.as_str());
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        if m.availability == "Alive" {
            assert!(keys.len() > 5);
            assert_eq!(time(&r["lastModifiedTime"]), m.last_modified_time);
        } else {
            // Deleted/purged: only `id` and `availability` (docs/api.md §1.9).
            assert_eq!(keys.len(), 2, "{r}");
            gone += 1;
        }
    }
    assert!(gone > 0, "test data needs deleted messages after the token");
    let info = &body["syncInfo"];
    assert_eq!(info["syncType"], "ISync");
    assert_eq!(info["olderRecordsExist"], false);
    let next = info["syncToken"].as_str().unwrap();
    assert_ne!(next, token);

    // Nothing changed since: the next ISync is empty.
    let (status, _, again) = sim
        .get(&sync_path("~", &format!("syncType=ISync&syncToken={next}")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids(&again).is_empty());

    // The overlap: a change 3 s before the token is sent again, one 6 s before is not.
    let m = &want[want.len() / 2];
    for (offset, included) in [(3, true), (6, false)] {
        let t = sim
            .handle
            .message_sync_token(ACCOUNT, m.last_modified_time + Duration::seconds(offset));
        let (_, _, b) = sim
            .get(&sync_path("~", &format!("syncType=ISync&syncToken={t}")))
            .await;
        assert_eq!(ids(&b).contains(&m.id), included, "offset {offset}");
    }
}

#[tokio::test]
async fn isync_refuses_foreign_old_and_broken_tokens() {
    let sim = Sim::start(cfg()).await;
    let truth = sim.handle.truth();
    let (_, _, full) = sim.get(&sync_path("~", "syncType=FSync")).await;
    let fresh = full["syncInfo"]["syncToken"].as_str().unwrap().to_string();
    let isync =
        |ext: &str, token: &str| sync_path(ext, &format!("syncType=ISync&syncToken={token}"));
    let (status, _, _) = sim.get(&isync(&ACCOUNT.to_string(), &fresh)).await;
    assert_eq!(status, StatusCode::OK);

    let other = truth
        .extensions
        .iter()
        .find(|e| e.id != ACCOUNT)
        .unwrap()
        .id
        .to_string();
    // Default max age is 7 days; this token is from 2024.
    let old = sim.handle.message_sync_token(ACCOUNT, day(2));
    for (ext, token) in [
        (other.as_str(), fresh.as_str()),
        ("~", old.as_str()),
        (
            "~",
            "AQEAAAAAAwAAAVxD-BXYBgAAAPoFAAABXGek2KYTAAgAAAAADG7kVAkBCgGeSTPY",
        ),
        ("~", "not a token"),
    ] {
        let (status, _, body) = sim.get(&isync(ext, token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{ext} {token}");
        assert_eq!(first_error_code(&body), "MSG-333");
        assert_eq!(body["errors"][0]["parameterName"], "syncToken");
    }
    for q in [
        "syncType=ISync",
        "syncType=Partial",
        "syncType=FSync&recordCount=0",
    ] {
        let (status, _, body) = sim.get(&sync_path("~", q)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(first_error_code(&body), "CMN-101");
    }
}
