//! The seeded generator: determinism and realism, and the admin endpoints.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Timelike};
use reqwest::StatusCode;
use ringlake_sim::Simulator;

use crate::support::{Sim, cfg, day, get_with, ts};

#[test]
fn same_seed_same_truth_other_seed_other_truth() {
    let a = serde_json::to_string(Simulator::new(cfg()).truth()).unwrap();
    let b = serde_json::to_string(Simulator::new(cfg()).truth()).unwrap();
    assert_eq!(a, b);
    let c = serde_json::to_string(Simulator::new(cfg().with_seed(8)).truth()).unwrap();
    assert_ne!(a, c);
}

#[test]
fn truth_is_realistic() {
    let sim = Simulator::new(cfg().with_data_range(day(1), day(15)));
    let t = sim.truth();
    let n = t.calls.len();
    assert!(n > 14 * 200, "{n} calls");
    let ids: HashSet<&str> = t.calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), n, "ids unique");
    assert!(t.calls.iter().all(|c| {
        c.id.len() == 15
            && c.id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }));
    assert!(
        t.calls
            .iter()
            .all(|c| c.start_time >= day(1) && c.start_time < day(15))
    );
    assert!(t.calls.iter().all(|c| c.last_modified_time >= c.start_time));
    let share = |f: &dyn Fn(&ringlake_sim::TruthCall) -> bool| {
        t.calls.iter().filter(|c| f(c)).count() as f64 / n as f64
    };
    let fax = share(&|c| c.r#type == "Fax");
    assert!((0.02..0.09).contains(&fax), "fax {fax}");
    let deleted = share(&|c| c.deleted);
    assert!((0.002..0.03).contains(&deleted), "deleted {deleted}");
    let outbound = share(&|c| c.direction == "Outbound");
    assert!((0.3..0.6).contains(&outbound), "outbound {outbound}");
    let recorded = share(&|c| c.recording_id.is_some());
    assert!((0.01..0.2).contains(&recorded), "recorded {recorded}");
    // Leg patterns: single-leg, multi-leg, RingOut with and without the callee leg.
    assert!(t.calls.iter().any(|c| c.leg_count == 1));
    assert!(t.calls.iter().any(|c| c.leg_count >= 3));
    assert!(
        t.calls
            .iter()
            .any(|c| c.ringout_caller_result.is_some() && c.ringout_callee_result.is_some())
    );
    assert!(
        t.calls
            .iter()
            .any(|c| c.ringout_caller_result.is_some() && c.ringout_callee_result.is_none())
    );
    // Billing texts are JSON numbers with at most three decimals.
    let mut billed = 0;
    for text in t
        .calls
        .iter()
        .filter_map(|c| c.billing_cost_included.as_ref())
    {
        billed += 1;
        let v: f64 = text.parse().unwrap();
        assert!(v >= 0.0);
        let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 3, "{text}");
    }
    assert!(billed > 100);
    assert!(t.calls.iter().any(|c| {
        c.billing_cost_purchased
            .as_deref()
            .is_some_and(|p| p != "0")
    }));
    // Sessions shared by two records (internal calls seen from both ends).
    let mut sessions: HashMap<&str, usize> = HashMap::new();
    for c in &t.calls {
        *sessions.entry(c.session_id.as_str()).or_default() += 1;
    }
    assert!(sessions.values().any(|&k| k == 2));
    // Day boundaries: a call exactly at every UTC midnight; busier in business hours.
    for d in 1..15 {
        assert!(
            t.calls.iter().any(|c| c.start_time == day(d)),
            "midnight of day {d}"
        );
    }
    let night = share(&|c| (9..13).contains(&c.start_time.hour())); // 01:00-05:00 in California
    let afternoon = share(&|c| (18..22).contains(&c.start_time.hour())); // 10:00-14:00 there
    assert!(
        afternoon > 4.0 * night,
        "afternoon {afternoon} night {night}"
    );
    // Extensions.
    let ext_ids: HashSet<i64> = t.extensions.iter().map(|e| e.id).collect();
    assert_eq!(ext_ids.len(), t.extensions.len());
    assert!(t.extensions.iter().filter(|e| e.r#type == "User").count() >= 20);
    assert!(
        t.calls
            .iter()
            .filter_map(|c| c.extension_id)
            .all(|id| ext_ids.contains(&id))
    );
}

#[tokio::test]
async fn detailed_legs_show_every_pattern() {
    let sim = Sim::start(cfg()).await;
    let q = format!(
        "/restapi/v1.0/account/~/call-log?view=Detailed&perPage=1000&dateFrom={}&dateTo={}",
        ts(day(1)),
        ts(day(4))
    );
    let (records, _) = sim.fetch_all(&q).await;
    let mut leg_types = HashSet::new();
    let mut actions = HashSet::new();
    let mut voicemail_message = false;
    let mut fax_message = false;
    let mut transfer = false;
    let mut unknown_fields = false;
    let mut partial_party = false;
    let mut no_plus = false;
    for r in &records {
        actions.insert(r["action"].as_str().unwrap().to_string());
        for leg in r["legs"].as_array().unwrap() {
            leg_types.insert(leg["legType"].as_str().unwrap().to_string());
        }
        voicemail_message |= r["result"] == "Voicemail" && r["message"]["type"] == "VoiceMail";
        fax_message |= r["type"] == "Fax" && r["message"]["type"] == "Fax";
        transfer |= r["transferTarget"]["telephonySessionId"].is_string()
            && r["legs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["legType"] == "TransferCall");
        unknown_fields |= r.get("sipTrunkId").is_some() || r.get("newFeature").is_some();
        partial_party |= r["from"]
            .as_object()
            .is_some_and(|o| o.len() == 1 && o.contains_key("name"));
        no_plus |= [&r["from"], &r["to"]].iter().any(|p| {
            p["phoneNumber"]
                .as_str()
                .is_some_and(|n| !n.starts_with('+'))
        });
    }
    for lt in [
        "Accept",
        "Hunting",
        "TransferCall",
        "FindMe",
        "PstnToSip",
        "ExtensionToExtension",
    ] {
        assert!(leg_types.contains(lt), "no {lt} leg in {leg_types:?}");
    }
    assert!(
        leg_types
            .iter()
            .any(|l| l.starts_with("RingOut") && l.ends_with("ToCaller"))
    );
    assert!(leg_types.iter().any(|l| l.starts_with("SipToPstn")));
    for a in [
        "Phone Call",
        "VoIP Call",
        "RingOut Web",
        "Incoming Fax",
        "Outgoing Fax",
    ] {
        assert!(actions.contains(a), "no {a} in {actions:?}");
    }
    assert!(voicemail_message && fax_message && transfer && partial_party && no_plus);
    assert!(unknown_fields, "no record with unknown fields");
    sim.handle.shutdown().await;
}

#[tokio::test]
async fn admin_truth_and_stats_need_no_auth() {
    let sim = Sim::start(cfg()).await;
    let (status, _, truth) = get_with(&sim.client, &sim.url("/_admin/truth"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        truth["calls"].as_array().unwrap().len(),
        sim.handle.truth().calls.len()
    );
    assert_eq!(truth["account_id"], crate::support::ACCOUNT);
    let (status, _, stats) = get_with(&sim.client, &sim.url("/_admin/stats"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats["token_grants"], 1);
    assert_eq!(stats["requests_by_group"]["Auth"], 1);
    // calls_in is [from, to).
    let t = sim.handle.truth();
    let n = t.calls_in(day(2), day(2) + Duration::hours(24)).count();
    let m = t
        .calls
        .iter()
        .filter(|c| c.start_time >= day(2) && c.start_time < day(3))
        .count();
    assert_eq!(n, m);
    sim.handle.shutdown().await;
}

/// Run with `cargo test -p ringlake-sim --release -- --ignored`.
#[test]
#[ignore = "performance check, run in release"]
fn a_million_calls_generate_quickly() {
    let start = std::time::Instant::now();
    let sim = Simulator::new(
        cfg()
            .with_calls_per_day(33_000)
            .with_data_range(day(1), day(1) + Duration::days(30)),
    );
    let n = sim.truth().calls.len();
    let elapsed = start.elapsed();
    assert!(n > 900_000, "{n}");
    assert!(elapsed.as_secs() < 30, "{n} calls took {elapsed:?}");
}
