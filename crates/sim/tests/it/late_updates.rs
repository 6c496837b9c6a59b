//! Late updates of past data (`SimHandle::mutate`, `POST /_admin/mutate`) as every endpoint
//! and the truth serve them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use ringlake_sim::{Mutation, MutationReport};
use serde_json::Value;

use crate::support::{Sim, cfg, day, ts};

fn by_id(records: &[Value]) -> HashMap<String, Value> {
    records
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .to_utc()
}

#[tokio::test]
async fn mutated_calls_and_messages_are_served_everywhere() {
    let sim = Sim::start(cfg()).await;
    let before = sim.handle.truth();
    let started = Utc::now() - Duration::seconds(1);
    let report = sim.handle.mutate(
        &Mutation::new()
            .with_calls(30)
            .with_messages(40)
            .with_seed(5),
    );
    assert_eq!(report.calls.len(), 30);
    assert_eq!(report.messages.len(), 40);
    assert_eq!(
        report.messages_read.len() + report.messages_deleted.len(),
        40
    );
    assert!(!report.messages_deleted.is_empty());
    assert!(!report.recordings_added.is_empty());
    let lm = report.last_modified_time;
    assert!(lm >= started);

    // Truth: new billing, newer lastModifiedTime, recordings.
    let after = sim.handle.truth();
    let old: HashMap<&str, _> = before.calls.iter().map(|c| (c.id.as_str(), c)).collect();
    for id in &report.calls {
        let t = after.calls.iter().find(|c| &c.id == id).unwrap();
        let o = old[id.as_str()];
        assert_eq!(t.last_modified_time, lm);
        assert!(o.last_modified_time < lm);
        assert!(t.billing_cost_purchased.is_some());
        assert_ne!(t.billing_cost_purchased, o.billing_cost_purchased);
        assert_ne!(t.billing_cost_included, o.billing_cost_included);
        if report.recordings_added.contains(id) {
            assert!(o.recording_id.is_none() && t.recording_id.is_some());
        }
    }
    let changed: HashSet<&String> = report.calls.iter().collect();
    let untouched = after
        .calls
        .iter()
        .zip(&before.calls)
        .filter(|(a, _)| !changed.contains(&a.id))
        .all(|(a, b)| a.last_modified_time == b.last_modified_time);
    assert!(untouched);

    // The Detailed call log serves the same.
    let first = format!(
        "/restapi/v1.0/account/~/call-log?dateFrom={}&dateTo={}&view=Detailed&perPage=1000",
        ts(day(1)),
        ts(day(4))
    );
    let (records, _) = sim.fetch_all(&first).await;
    let served = by_id(&records);
    for id in &report.calls {
        let r = &served[id];
        let t = after.calls.iter().find(|c| &c.id == id).unwrap();
        assert_eq!(r["lastModifiedTime"], ts(lm));
        assert_eq!(
            Some(r["billing"]["costIncluded"].to_string()),
            t.billing_cost_included
        );
        assert_eq!(
            Some(r["billing"]["costPurchased"].to_string()),
            t.billing_cost_purchased
        );
        assert_eq!(
            r["recording"]["id"].as_str().map(str::to_string),
            t.recording_id
        );
    }

    // Messages: the store lists deleted ones as Deleted with their attachments, read ones as
    // Read; an ISync from before the change returns every changed one.
    let msgs: HashMap<i64, _> = after.messages.iter().map(|m| (m.id, m)).collect();
    let mut mailboxes = HashSet::new();
    for id in &report.messages_deleted {
        let m = msgs[id];
        assert_eq!(m.availability, "Deleted");
        assert_eq!(m.last_modified_time, lm);
        mailboxes.insert(m.mailbox_extension_id);
    }
    for id in &report.messages_read {
        assert_eq!(msgs[id].read_status, "Read");
        assert_eq!(msgs[id].availability, "Alive");
        mailboxes.insert(msgs[id].mailbox_extension_id);
    }
    for mailbox in mailboxes {
        let q = format!(
            "/restapi/v1.0/account/~/extension/{mailbox}/message-store?dateFrom={}&dateTo={}&availability=Deleted&perPage=1000",
            ts(day(1)),
            ts(day(4))
        );
        let (records, _) = sim.fetch_all(&q).await;
        let listed: HashMap<i64, &Value> = records
            .iter()
            .map(|r| (r["id"].as_i64().unwrap(), r))
            .collect();
        for id in report
            .messages_deleted
            .iter()
            .filter(|id| msgs[*id].mailbox_extension_id == mailbox)
        {
            let r = listed[id];
            assert_eq!(r["availability"], "Deleted");
            assert_eq!(r["lastModifiedTime"], ts(lm));
            assert_eq!(
                r["attachments"].as_array().map_or(0, Vec::len),
                msgs[id].attachment_ids.len()
            );
        }
        let token = sim
            .handle
            .message_sync_token(mailbox, lm - Duration::minutes(1));
        let (status, _, body) = sim
            .get(&format!(
                "/restapi/v1.0/account/~/extension/{mailbox}/message-sync?syncType=ISync&syncToken={token}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let synced: HashMap<i64, &Value> = body["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_i64().unwrap(), r))
            .collect();
        for id in report
            .messages_deleted
            .iter()
            .chain(&report.messages_read)
            .filter(|id| msgs[*id].mailbox_extension_id == mailbox)
        {
            let r = synced[id];
            assert_eq!(r["availability"], msgs[id].availability.as_str());
            if msgs[id].availability == "Alive" {
                assert_eq!(r["readStatus"], "Read");
                assert_eq!(time(&r["lastModifiedTime"]), lm);
            }
        }
    }
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn admin_mutate_over_http() {
    let sim = Sim::start(cfg()).await;
    let resp = sim
        .client
        .post(sim.url("/_admin/mutate"))
        .body(r#"{"calls": 6, "messages": 3, "seed": 9, "not_before": "2024-04-03T00:00:00Z"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: MutationReport = resp.json().await.unwrap();
    assert_eq!(report.calls.len(), 6);
    assert_eq!(
        report.messages_read.len() + report.messages_deleted.len(),
        3
    );
    let truth: Value = sim
        .client
        .get(sim.url("/_admin/truth"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let calls = truth["calls"].as_array().unwrap();
    for id in &report.calls {
        let c = calls.iter().find(|c| c["id"] == id.as_str()).unwrap();
        assert!(time(&c["start_time"]) >= day(3));
        assert_eq!(time(&c["last_modified_time"]), report.last_modified_time);
    }
    let messages = truth["messages"].as_array().unwrap();
    for id in &report.messages_deleted {
        let m = messages.iter().find(|m| m["id"] == *id).unwrap();
        assert_eq!(m["availability"], "Deleted");
        assert!(time(&m["creation_time"]) >= day(3));
    }
    // The same seed picks the same records again.
    let again = sim.handle.mutate(
        &Mutation::new()
            .with_calls(6)
            .with_seed(9)
            .with_not_before(day(3)),
    );
    assert_eq!(again.calls, report.calls);
    let resp = sim
        .client
        .post(sim.url("/_admin/mutate"))
        .body(r#"{"calls": 1, "colour": "red"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn forgotten_records_are_no_longer_listed_but_stay_in_the_truth() {
    let sim = Sim::start(cfg()).await;
    let calls = |from, to| {
        format!(
            "/restapi/v1.0/account/~/call-log?dateFrom={}&dateTo={}&view=Detailed&perPage=1000",
            ts(from),
            ts(to)
        )
    };
    let (before, _) = sim.fetch_all(&calls(day(1), day(4))).await;
    sim.handle.forget_before(day(3));
    let (old, _) = sim.fetch_all(&calls(day(1), day(3))).await;
    assert!(old.is_empty(), "{} forgotten calls still listed", old.len());
    let (after, _) = sim.fetch_all(&calls(day(1), day(4))).await;
    let kept = before
        .iter()
        .filter(|r| time(&r["startTime"]) >= day(3))
        .count();
    assert!(kept > 0 && after.len() == kept, "{} of {kept}", after.len());
    let truth = sim.handle.truth();
    assert!(truth.calls.iter().filter(|c| c.start_time < day(3)).count() > 0);

    let mailbox = truth.extensions[0].id;
    let messages = format!(
        "/restapi/v1.0/account/~/extension/{mailbox}/message-store?dateFrom={}&dateTo={}&perPage=1000",
        ts(day(1)),
        ts(day(3))
    );
    let (old, _) = sim.fetch_all(&messages).await;
    assert!(
        old.is_empty(),
        "{} forgotten messages still listed",
        old.len()
    );
}
