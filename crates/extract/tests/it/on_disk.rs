//! "Settled" means on disk too, dry-run planning, and the penalty and failure paths that
//! must leave the raw zone clean: scripted-server scenarios.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use ringlake_contracts::day::day_window;
use ringlake_extract::{
    DayPlan, ExtensionRef, ExtractOptions, NoProgress, RateGroup, WaitReason, default_limits,
    extract_call_log, extract_message_store, plan_call_log, plan_message_store,
};

use crate::script::{Response, serve, token_body};
use crate::{CLIENT_SECRET, JWT, Recorder, client, day, read_day_pages, stream_entries};

const TOKEN: &str = "/restapi/oauth/token";
const CALL_LOG: &str = "/restapi/v1.0/account/~/call-log";

fn call_page(ids: &[&str]) -> String {
    let records: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":"{id}","startTime":"2024-01-02T10:00:00.000Z"}}"#))
        .collect();
    format!(
        r#"{{"uri":"u","records":[{}],"paging":{{"perPage":1000}},"navigation":{{}}}}"#,
        records.join(",")
    )
}

fn messages_page(ids: &[i64]) -> String {
    let records: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":{id},"creationTime":"2024-01-02T10:00:00.000Z"}}"#))
        .collect();
    format!(
        r#"{{"uri":"u","records":[{}],"paging":{{"page":1,"totalPages":1,"perPage":1000}},"navigation":{{}}}}"#,
        records.join(",")
    )
}

fn fast(r: Response, group: &str) -> Response {
    r.header("X-Rate-Limit-Group", group)
        .header("X-Rate-Limit-Limit", "100")
        .header("X-Rate-Limit-Window", "1")
}

/// Settled days in a plan.
fn settled(plan: &[DayPlan]) -> Vec<bool> {
    plan.iter().map(|p| p.2).collect()
}

#[tokio::test]
async fn a_settled_day_whose_raw_directory_is_gone_is_fetched_again() {
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        fast(Response::json(200, call_page(&["a"])), "Heavy")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let (raw, state) = (tmp.path().join("raw"), tmp.path().join("state"));
    let opts = ExtractOptions::new(&raw, &state);
    let days = [day("2024-01-02"), day("2024-01-03"), day("2024-01-04")];

    // A dry run before anything: nothing settled, and nothing created.
    let plan = plan_call_log(&days, &opts).unwrap();
    assert_eq!(settled(&plan), [false, false, false]);
    assert_eq!(plan[0].1, day_window(day("2024-01-02"), opts.time_zone));
    assert!(!state.exists() && !raw.exists(), "a dry run writes nothing");

    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let s = extract_call_log(&c, &opts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.days_fetched, 3);
    assert_eq!(
        settled(&plan_call_log(&days, &opts).unwrap()),
        [true, true, true]
    );

    // Someone deletes a corrupt day, and a page of another.
    std::fs::remove_dir_all(raw.join("call-log/2024-01-02")).unwrap();
    std::fs::remove_file(raw.join("call-log/2024-01-04/page-00001.json.zst")).unwrap();
    let requests = server.requests().len();
    assert_eq!(
        settled(&plan_call_log(&days, &opts).unwrap()),
        [false, true, false]
    );
    assert_eq!(server.requests().len(), requests, "planning sends nothing");

    let progress = Recorder::default();
    let before = server.count(CALL_LOG);
    let s = extract_call_log(&c, &opts, &days, &progress).await.unwrap();
    assert_eq!((s.days_fetched, s.days_skipped), (2, 1), "{s:?}");
    assert_eq!(*progress.planned.lock().unwrap(), Some((3, 2)));
    assert_eq!(server.count(CALL_LOG) - before, 2);
    let asked: Vec<String> = server
        .requests()
        .iter()
        .skip(requests)
        .filter_map(|r| r.query_param("dateFrom"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        asked,
        ["2024-01-02T00:00:00.000Z", "2024-01-04T00:00:00.000Z"]
    );
    assert_eq!(read_day_pages(&raw, day("2024-01-02")).len(), 1);
    assert_eq!(read_day_pages(&raw, day("2024-01-04")).len(), 1);
    assert_eq!(
        settled(&plan_call_log(&days, &opts).unwrap()),
        [true, true, true]
    );

    // Recent days and another time zone's windows are never settled by these fetches.
    let yesterday = chrono::Utc::now().date_naive().pred_opt().unwrap();
    let berlin = opts.clone().with_time_zone(chrono_tz::Europe::Berlin);
    assert_eq!(
        settled(&plan_call_log(&[days[0], yesterday], &berlin).unwrap()),
        [false, false]
    );
}

#[tokio::test]
async fn a_mailbox_whose_raw_directory_is_gone_is_fetched_again_and_planned_so() {
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        let mailbox: i64 = req
            .path()
            .trim_start_matches("/restapi/v1.0/account/~/extension/")
            .trim_end_matches("/message-store")
            .parse()
            .unwrap();
        fast(
            if mailbox == 102 {
                Response::json(
                    403,
                    r#"{"errors":[{"errorCode":"CMN-403","message":"Feature is not available for this extension type"}]}"#,
                )
            } else {
                Response::json(200, messages_page(&[mailbox * 10]))
            },
            "Light",
        )
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let (raw, state) = (tmp.path().join("raw"), tmp.path().join("state"));
    let opts = ExtractOptions::new(&raw, &state);
    let days = [day("2024-01-02"), day("2024-01-03")];
    let ids = [101, 102, 103];
    let exts: Vec<ExtensionRef> = ids
        .iter()
        .map(|&id| ExtensionRef::new(id).with_type("User"))
        .collect();

    let plan = plan_message_store(&ids, &days, &opts).unwrap();
    assert_eq!(
        plan.iter().map(|p| p.mailbox).collect::<Vec<_>>(),
        ids,
        "all to fetch at first"
    );
    assert_eq!(plan[0].days, days);
    assert_eq!(
        plan[0].window,
        (
            day_window(days[0], opts.time_zone).0,
            day_window(days[1], opts.time_zone).1
        )
    );
    assert_eq!(plan[0].span_name(), "2024-01-02_2024-01-03");
    assert!(!state.exists(), "a dry run writes nothing");

    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let s = extract_message_store(&c, &opts, &exts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.mailboxes_fetched, s.mailboxes_without_store), (2, 1));
    assert!(plan_message_store(&ids, &days, &opts).unwrap().is_empty());

    // Mailbox 103's directory is deleted: only it is planned and fetched again; 102 (no
    // store, nothing on disk) stays settled.
    std::fs::remove_dir_all(raw.join("message-store/2024-01-02_2024-01-03/103")).unwrap();
    let plan = plan_message_store(&[101, 102, 103, 103], &days, &opts).unwrap();
    assert_eq!(plan.len(), 1);
    assert_eq!(
        (plan[0].mailbox, plan[0].days.clone()),
        (103, days.to_vec())
    );
    let before = server.requests().len();
    let s = extract_message_store(&c, &opts, &exts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.mailboxes_fetched, s.mailboxes_skipped), (1, 2), "{s:?}");
    let asked: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(
        asked,
        ["/restapi/v1.0/account/~/extension/103/message-store"]
    );
    assert!(
        raw.join("message-store/2024-01-02_2024-01-03/103/page-00001.json.zst")
            .is_file()
    );
}

#[test]
fn default_limits_are_the_documented_default_plan() {
    let limits = default_limits();
    let minute = Duration::from_secs(60);
    assert_eq!(limits[&RateGroup::Heavy], (10, minute));
    assert_eq!(limits[&RateGroup::Medium], (40, minute));
    assert_eq!(limits[&RateGroup::Light], (50, minute));
    assert_eq!(limits[&RateGroup::Auth], (5, minute));
    assert_eq!(limits.len(), 4);
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_reported_and_counted() {
    let server = serve(|req, i| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        // The window says 60 s; Retry-After says 1 s, and it is what counts.
        let r = if i == 1 {
            Response::json(
                429,
                r#"{"errorCode":"CMN-301","message":"Request rate exceeded","errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]}"#,
            )
            .header("Retry-After", "1")
        } else {
            Response::json(200, call_page(&["a"]))
        };
        r.header("X-Rate-Limit-Group", "Heavy")
            .header("X-Rate-Limit-Limit", "100")
            .header("X-Rate-Limit-Window", "60")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state"));
    let progress = Recorder::default();
    let s = extract_call_log(&c, &opts, &[day("2024-01-02")], &progress)
        .await
        .unwrap();
    assert_eq!((s.days_fetched, s.failed_days.len()), (1, 0));
    let times: Vec<std::time::Instant> = server
        .requests()
        .iter()
        .filter(|r| r.path() == CALL_LOG)
        .map(|r| r.at)
        .collect();
    assert_eq!(times.len(), 2);
    let gap = times[1] - times[0];
    assert!(
        gap >= Duration::from_millis(990) && gap < Duration::from_secs(10),
        "{gap:?}"
    );
    let waits = progress.waits.lock().unwrap().clone();
    let penalty: Vec<Duration> = waits
        .iter()
        .filter(|(g, _, r)| *g == RateGroup::Heavy && *r == WaitReason::RetryAfter429)
        .map(|(_, w, _)| *w)
        .collect();
    assert_eq!(penalty.len(), 1, "{waits:?}");
    assert!(
        penalty[0] > Duration::from_millis(900) && penalty[0] <= Duration::from_millis(1100),
        "{penalty:?}"
    );
    let heavy = c.stats().by_group[&RateGroup::Heavy].clone();
    assert_eq!(
        (heavy.requests, heavy.responses_429, heavy.retries),
        (2, 1, 1)
    );
    assert!(heavy.waited >= Duration::from_millis(900), "{heavy:?}");
}

#[tokio::test]
async fn a_day_whose_second_page_stays_truncated_fails_whole_and_is_fetched_next_run() {
    let healthy = Arc::new(AtomicBool::new(false));
    let h = healthy.clone();
    let truncated = Arc::new(AtomicUsize::new(0));
    let t = truncated.clone();
    let server = serve(move |req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        let body = match req.query_param("page").as_deref() {
            Some("1") => format!(
                r#"{{"uri":"u","records":[{{"id":"a"}}],"paging":{{"perPage":1}},"navigation":{{"nextPage":{{"uri":"{CALL_LOG}?page=2"}}}}}}"#
            ),
            _ if h.load(Ordering::SeqCst) => call_page(&["b"]),
            _ => {
                t.fetch_add(1, Ordering::SeqCst);
                let full = call_page(&["b"]);
                full[..full.len() - 4].to_owned()
            }
        };
        fast(Response::json(200, body), "Heavy")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let (raw, state) = (tmp.path().join("raw"), tmp.path().join("state"));
    let opts = ExtractOptions::new(&raw, &state);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let days = [day("2024-01-02")];
    let s = extract_call_log(&c, &opts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.days_fetched, 0);
    let (failed, why) = &s.failed_days[0];
    assert_eq!(*failed, day("2024-01-02"));
    assert!(
        why.contains("unreadable response body") && why.contains("8 attempts"),
        "{why}"
    );
    assert_eq!(truncated.load(Ordering::SeqCst), 8);
    // Neither the good first page nor any half page is published; no staging is left.
    assert!(
        stream_entries(&raw).is_empty(),
        "{:?}",
        stream_entries(&raw)
    );
    assert!(!state.join("call-log.checkpoint.json").exists());
    assert_eq!(settled(&plan_call_log(&days, &opts).unwrap()), [false]);

    healthy.store(true, Ordering::SeqCst);
    let s = extract_call_log(&c, &opts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_fetched, s.pages, s.records), (1, 2, 2));
    let pages = read_day_pages(&raw, day("2024-01-02"));
    assert_eq!(pages[1], call_page(&["b"]).into_bytes());
}

#[tokio::test]
async fn a_penalty_longer_than_the_token_lifetime_does_not_send_an_expired_token() {
    // Tokens live 2 s on this server; a 429 imposes 2.5 s. The token is taken when the
    // pacer lets the retry go, so it is fresh: no 401.
    let issued: Arc<std::sync::Mutex<Vec<(String, std::time::Instant)>>> = Arc::default();
    let log = issued.clone();
    let unauthorized = Arc::new(AtomicUsize::new(0));
    let u = unauthorized.clone();
    let data_requests = Arc::new(AtomicUsize::new(0));
    let d = data_requests.clone();
    let server = serve(move |req, _| {
        let mut issued = log.lock().unwrap();
        if req.path() == TOKEN {
            let name = format!("A{}", issued.len() + 1);
            issued.push((name.clone(), std::time::Instant::now()));
            return Response::json(200, token_body(&name, 2));
        }
        let bearer = req.header("authorization").unwrap_or_default().to_owned();
        if !issued.iter().any(|(name, at)| {
            bearer == format!("Bearer {name}") && at.elapsed() < Duration::from_secs(2)
        }) {
            u.fetch_add(1, Ordering::SeqCst);
            return Response::json(
                401,
                r#"{"errors":[{"errorCode":"OAU-128","message":"Access token expired"}]}"#,
            );
        }
        if d.fetch_add(1, Ordering::SeqCst) == 0 {
            return Response::json(
                429,
                r#"{"errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]}"#,
            )
            .header("Retry-After", "2.5");
        }
        fast(Response::json(200, call_page(&["a"])), "Heavy")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state"));
    let s = extract_call_log(&c, &opts, &[day("2024-01-02")], &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_fetched, s.failed_days.len()), (1, 0));
    assert_eq!(data_requests.load(Ordering::SeqCst), 2);
    assert_eq!(unauthorized.load(Ordering::SeqCst), 0);
    assert!(issued.lock().unwrap().len() >= 2, "renewed after the wait");
}
