//! Exact fault scenarios against the scripted server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ringlake_extract::{
    Error, ExtractOptions, NoProgress, RateGroup, WaitReason, extract_call_log,
};

use crate::script::{Request, Response, serve, token_body};
use crate::{
    CLIENT_SECRET, JWT, Recorder, client, day, read_day_ids, read_day_pages, stream_entries,
};

const TOKEN: &str = "/restapi/oauth/token";
const CALL_LOG: &str = "/restapi/v1.0/account/~/call-log";

/// A call-log page body with these ids and an optional nextPage link.
fn page(ids: &[&str], next: Option<&str>) -> String {
    let records: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"uri":"https://platform.ringcentral.com/restapi/v1.0/account/1/call-log/{id}?view=Detailed","id":"{id}","sessionId":"1","startTime":"2024-01-02T10:00:00.000Z","type":"Voice","direction":"Inbound","action":"Phone Call"}}"#))
        .collect();
    let nav = match next {
        Some(n) => format!(r#""navigation":{{"nextPage":{{"uri":"{n}"}}}}"#),
        None => r#""navigation":{}"#.to_owned(),
    };
    format!(
        r#"{{"uri":"u","records":[{}],"paging":{{"perPage":2}},{nav}}}"#,
        records.join(",")
    )
}

fn token_ok(req: &Request) -> Option<Response> {
    (req.path() == TOKEN).then(|| Response::json(200, token_body("A1", 3600)))
}

fn grant_of(req: &Request) -> String {
    url::form_urlencoded::parse(req.body.as_bytes())
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn next_page_on_another_host_is_fetched_from_our_server_with_token_and_basic_auth() {
    let server = serve(|req, _| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        match req.query_param("page").as_deref() {
            Some("1") => Response::json(
                200,
                page(
                    &["a", "b"],
                    Some("https://platform.ringcentral.com/restapi/v1.0/account/~/call-log?view=Detailed&page=2&perPage=2"),
                ),
            ),
            _ => Response::json(200, page(&["c"], None)),
        }
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let opts = ExtractOptions::new(&raw, tmp.path().join("state")).with_per_page(2);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let progress = Recorder::default();
    let summary = extract_call_log(&c, &opts, &[day("2024-01-02")], &progress)
        .await
        .unwrap();

    assert_eq!(
        (summary.days_fetched, summary.pages, summary.records),
        (1, 2, 3),
        "{summary:?}"
    );
    assert!(summary.failed_days.is_empty());
    assert_eq!(read_day_ids(&raw, day("2024-01-02")), ["a", "b", "c"]);
    assert_eq!(stream_entries(&raw), ["2024-01-02"]);

    let reqs = server.requests();
    let token = reqs.iter().find(|r| r.path() == TOKEN).unwrap();
    assert_eq!(token.method, "POST");
    assert!(token.header("authorization").unwrap().starts_with("Basic "));
    assert!(
        token
            .header("content-type")
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(
        grant_of(token),
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert!(
        token.body.contains("assertion=sim-jwt-credential"),
        "{}",
        token.body
    );

    let data: Vec<&Request> = reqs.iter().filter(|r| r.path() == CALL_LOG).collect();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0].query_param("view").as_deref(), Some("Detailed"));
    assert_eq!(data[0].query_param("showDeleted").as_deref(), Some("true"));
    assert_eq!(
        data[0].query_param("dateFrom").as_deref(),
        Some("2024-01-02T00:00:00.000Z")
    );
    assert_eq!(
        data[0].query_param("dateTo").as_deref(),
        Some("2024-01-03T00:00:00.000Z")
    );
    assert_eq!(
        data[1].target,
        "/restapi/v1.0/account/~/call-log?view=Detailed&page=2&perPage=2"
    );
    assert!(
        data.iter()
            .all(|r| r.header("authorization") == Some("Bearer A1"))
    );

    assert_eq!(*progress.planned.lock().unwrap(), Some((1, 1)));
    assert_eq!(
        *progress.pages.lock().unwrap(),
        [(day("2024-01-02"), 1, 2), (day("2024-01-02"), 2, 1)]
    );
    assert_eq!(
        progress.days.lock().unwrap().get(&day("2024-01-02")),
        Some(&(2, 3))
    );
}

#[tokio::test]
async fn empty_page_ends_the_day_even_with_a_next_link() {
    let server = serve(|req, _| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        match req.query_param("page").as_deref() {
            Some("1") => Response::json(
                200,
                page(&["a", "b"], Some("/restapi/v1.0/account/~/call-log?page=2")),
            ),
            Some("2") => Response::json(
                200,
                page(&[], Some("/restapi/v1.0/account/~/call-log?page=3")),
            ),
            _ => Response::json(200, page(&["zzz"], None)),
        }
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    let s = extract_call_log(&c, &opts, &[day("2024-01-02")], &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.pages, s.records), (2, 2));
    assert_eq!(server.count(CALL_LOG), 2);
    // The empty page is kept too: every body received lands.
    assert_eq!(read_day_pages(&raw, day("2024-01-02")).len(), 2);
}

#[tokio::test]
async fn server_errors_truncated_bodies_and_dropped_connections_are_retried() {
    let good = page(&["a"], None);
    let good_for_server = good.clone();
    let server = serve(move |req, _| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        match CALLS.fetch_add(1, Ordering::SeqCst) {
            0 => Response::json(
                503,
                r#"{"errors":[{"errorCode":"CMN-201","message":"Service Temporary Unavailable"}]}"#,
            )
            .header("Retry-After", "0"),
            // Truncated JSON with a normal status.
            1 => Response::json(200, good_for_server[..good_for_server.len() / 2].to_owned()),
            // Connection dropped in the middle of the body.
            2 => {
                let mut r = Response::json(200, good_for_server[..10].to_owned());
                r.short_by = 100;
                r
            }
            _ => Response::json(200, good_for_server.clone()),
        }
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    let s = extract_call_log(&c, &opts, &[day("2024-01-02")], &NoProgress)
        .await
        .unwrap();
    assert!(s.failed_days.is_empty(), "{s:?}");
    assert_eq!(server.count(CALL_LOG), 4);
    // Only the good body landed, byte for byte.
    assert_eq!(read_day_pages(&raw, day("2024-01-02")), [good.into_bytes()]);
    let heavy = c.stats().by_group[&RateGroup::Heavy].clone();
    assert_eq!(
        (heavy.requests, heavy.retries, heavy.responses_429),
        (4, 3, 0)
    );
}

#[tokio::test]
async fn retry_budget_spent_fails_the_day_and_other_days_go_on() {
    let server = serve(|req, _| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        let r = if req.query_param("dateFrom").as_deref() == Some("2024-01-02T00:00:00.000Z") {
            Response::json(
                500,
                r#"{"errors":[{"errorCode":"CMN-203","message":"Internal error"}]}"#,
            )
        } else {
            Response::json(200, page(&["ok"], None))
        };
        // 18 requests: more than the default Heavy budget of 10 per minute allows.
        r.header("X-Rate-Limit-Limit", "50")
            .header("X-Rate-Limit-Window", "1")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let state = tmp.path().join("state");
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(&raw, &state);
    let days = [day("2024-01-02"), day("2024-01-03")];
    let s = extract_call_log(&c, &opts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.days_fetched, 1);
    assert_eq!(s.failed_days.len(), 1);
    let (failed, why) = &s.failed_days[0];
    assert_eq!(*failed, day("2024-01-02"));
    assert!(
        why.contains("HTTP 500") && why.contains("CMN-203") && why.contains("8 attempts"),
        "{why}"
    );
    assert!(
        why.contains(CALL_LOG) && !why.contains("dateFrom"),
        "path only, no query: {why}"
    );
    assert_eq!(stream_entries(&raw), ["2024-01-03"]);
    // The failed day is not done: a re-run asks for it again (and only for it).
    let before = server.count(CALL_LOG);
    let s = extract_call_log(&c, &opts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_skipped, s.failed_days.len()), (1, 1));
    assert_eq!(server.count(CALL_LOG) - before, 8);
}

#[tokio::test]
async fn a_next_page_loop_fails_that_day_only() {
    let server = serve(|req, _| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        if req.query_param("dateFrom").as_deref() == Some("2024-01-02T00:00:00.000Z") {
            // nextPage points at the very page just served (on another host, even).
            let me = format!("https://elsewhere.example{}", req.target);
            Response::json(200, page(&["x"], Some(&me)))
        } else {
            Response::json(200, page(&["ok"], None))
        }
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    let s = extract_call_log(
        &c,
        &opts,
        &[day("2024-01-02"), day("2024-01-03")],
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(s.days_fetched, 1);
    assert_eq!(s.failed_days[0].0, day("2024-01-02"));
    assert!(
        s.failed_days[0].1.contains("already fetched"),
        "{:?}",
        s.failed_days
    );
    assert_eq!(stream_entries(&raw), ["2024-01-03"]);
}

#[tokio::test]
async fn permission_denied_aborts_with_the_fix() {
    let server = serve(|req, _| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        Response::json(
            403,
            r#"{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [FullCompanyCallLog] permission for requested resource.","errors":[{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [FullCompanyCallLog] permission for requested resource.","permissionName":"FullCompanyCallLog"}],"permissionName":"FullCompanyCallLog"}"#,
        )
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let state = tmp.path().join("state");
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(&raw, &state).with_concurrency(1);
    let err = extract_call_log(
        &c,
        &opts,
        &[day("2024-01-02"), day("2024-01-03")],
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Permission { permission: Some(p), .. } if p == "FullCompanyCallLog"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("CMN-408") && text.contains("admin"), "{text}");
    assert!(!err.is_retryable());
    // Not retried, nothing published, nothing checkpointed.
    assert_eq!(server.count(CALL_LOG), 1);
    assert!(stream_entries(&raw).is_empty());
    assert!(!state.join("call-log.checkpoint.json").exists());
}

#[tokio::test]
async fn a_401_renews_with_the_refresh_token_once_and_retries() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let t = tokens.clone();
    let server = serve(move |req, _| {
        if req.path() == TOKEN {
            let n = t.fetch_add(1, Ordering::SeqCst) + 1;
            return Response::json(200, token_body(&format!("A{n}"), 3600));
        }
        if req.header("authorization") == Some("Bearer A1") {
            Response::json(
                401,
                r#"{"errors":[{"errorCode":"OAU-128","message":"Access token expired"}]}"#,
            )
        } else {
            Response::json(200, page(&["a"], None))
        }
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state"));
    let s = extract_call_log(&c, &opts, &[day("2024-01-02")], &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.days_fetched, 1);
    let grants: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.path() == TOKEN)
        .map(grant_of)
        .collect();
    assert_eq!(
        grants,
        [
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "refresh_token"
        ]
    );
    let refresh = server
        .requests()
        .into_iter()
        .filter(|r| r.path() == TOKEN)
        .nth(1)
        .unwrap();
    assert!(
        refresh.body.contains("refresh_token=R-A1"),
        "{}",
        refresh.body
    );
}

#[tokio::test]
async fn refused_refresh_falls_back_to_the_jwt_and_a_second_401_is_an_auth_error() {
    let server = serve(move |req, _| {
        if req.path() == TOKEN {
            return if grant_of(req) == "refresh_token" {
                Response::json(400, r#"{"error":"invalid_grant","error_description":"Token is revoked","errors":[{"errorCode":"OAU-211","message":"Token is revoked"}]}"#)
            } else {
                Response::json(200, token_body("A", 3600))
            };
        }
        Response::json(401, r#"{"errors":[{"errorCode":"OAU-213","message":"Token not found"}]}"#)
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state"));
    let err = extract_call_log(&c, &opts, &[day("2024-01-02")], &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err:?}");
    let grants: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.path() == TOKEN)
        .map(grant_of)
        .collect();
    assert_eq!(
        grants,
        [
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ]
    );
    // Renewed once, retried once: two data requests, not eight.
    assert_eq!(server.count(CALL_LOG), 2);
}

#[tokio::test]
async fn rejected_credentials_name_what_is_wrong_without_the_secret() {
    let server = serve(|req, _| {
        // A server that echoes what it got must not leak it through our error either.
        if req.body.contains("assertion=bad-jwt") {
            Response::json(400, r#"{"error":"invalid_grant","error_description":"Invalid assertion bad-jwt-SECRET","errors":[{"errorCode":"OAU-140","message":"Invalid assertion bad-jwt-SECRET"}]}"#)
        } else {
            Response::json(400, r#"{"error":"invalid_client","error_description":"Invalid client: wrong-SECRET","errors":[{"errorCode":"OAU-123","message":"Invalid client: wrong-SECRET"}]}"#)
        }
    })
    .await;
    let c = client(&server.base_url, "wrong-SECRET", JWT);
    let err = c.authenticate().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Auth { status: 400, .. }), "{err:?}");
    assert!(
        text.contains("client id / client secret") && text.contains("invalid_client")
            || text.contains("OAU-123"),
        "{text}"
    );
    assert!(
        !text.contains("wrong-SECRET") && !format!("{err:?}").contains("wrong-SECRET"),
        "{text}"
    );

    let c = client(&server.base_url, CLIENT_SECRET, "bad-jwt-SECRET");
    let err = c.authenticate().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("JWT"), "{text}");
    assert!(!text.contains("bad-jwt-SECRET"), "{text}");
    // Refused credentials are not retried.
    assert_eq!(server.count(TOKEN), 2);
}

#[tokio::test]
async fn a_429_without_retry_after_waits_the_known_window_and_blocks_the_group() {
    let server = serve(|req, i| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        let r = if i == 1 {
            Response::json(429, r#"{"errorCode":"CMN-301","message":"Request rate exceeded","errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]}"#)
        } else {
            Response::json(200, page(&["a"], None))
        };
        // Lower-case group name and header names, as in the doc example.
        r.header("x-rate-limit-group", "heavy")
            .header("x-rate-limit-limit", "10")
            .header("x-rate-limit-remaining", "9")
            .header("x-rate-limit-window", "1")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts =
        ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state")).with_concurrency(1);
    let progress = Recorder::default();
    let s = extract_call_log(
        &c,
        &opts,
        &[day("2024-01-02"), day("2024-01-03")],
        &progress,
    )
    .await
    .unwrap();
    assert_eq!(s.days_fetched, 2);
    let reqs: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.path() == CALL_LOG)
        .collect();
    assert_eq!(reqs.len(), 3);
    // No request of the group went out during the 1 s penalty.
    assert!(
        reqs[1].at.duration_since(reqs[0].at) >= Duration::from_millis(990),
        "{:?}",
        reqs[1].at - reqs[0].at
    );
    let stats = c.stats();
    assert_eq!(stats.total_429(), 1);
    assert_eq!(stats.by_group[&RateGroup::Heavy].retries, 1);
    assert!(stats.by_group[&RateGroup::Heavy].waited >= Duration::from_millis(900));
    let waits = progress.waits.lock().unwrap();
    assert!(
        waits
            .iter()
            .any(|(g, _, r)| *g == RateGroup::Heavy && *r == WaitReason::RetryAfter429),
        "{waits:?}"
    );
}

#[tokio::test]
async fn pacing_keeps_every_window_within_the_announced_limit() {
    let server = serve(|req, _| {
        if let Some(r) = token_ok(req) {
            return r;
        }
        let n: u32 = req
            .query_param("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let next = (n < 3).then(|| {
            let from = req.query_param("dateFrom").unwrap_or_default();
            format!(
                "/restapi/v1.0/account/~/call-log?dateFrom={from}&page={}",
                n + 1
            )
        });
        Response::json(200, page(&["r"], next.as_deref()))
            .header("X-Rate-Limit-Group", "Heavy")
            .header("X-Rate-Limit-Limit", "3")
            .header("X-Rate-Limit-Window", "1")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts =
        ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state")).with_concurrency(2);
    let started = Instant::now();
    let s = extract_call_log(
        &c,
        &opts,
        &[day("2024-01-02"), day("2024-01-03")],
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!((s.days_fetched, s.pages), (2, 6));
    let times: Vec<Instant> = server
        .requests()
        .into_iter()
        .filter(|r| r.path() == CALL_LOG)
        .map(|r| r.at)
        .collect();
    assert_eq!(times.len(), 6);
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < Duration::from_secs(1))
            .count();
        assert!(
            in_window <= 3,
            "request {i}: {in_window} requests within 1 s"
        );
    }
    // Bursts, not even spacing: the first three go out at once.
    assert!(
        times[2].duration_since(times[0]) < Duration::from_millis(500),
        "{:?}",
        times[2] - times[0]
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn settled_days_are_skipped_and_a_time_zone_change_refetches() {
    let server =
        serve(|req, _| token_ok(req).unwrap_or_else(|| Response::json(200, page(&["a"], None))))
            .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let state = tmp.path().join("state");
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let days = [day("2024-01-02"), day("2024-01-03"), day("2024-01-02")];
    let opts = ExtractOptions::new(&raw, &state);
    let s = extract_call_log(&c, &opts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_total, s.days_fetched, s.days_skipped), (2, 2, 0));
    let checkpoint: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("call-log.checkpoint.json")).unwrap())
            .unwrap();
    let entry = &checkpoint["streams"]["call-log"]["2024-01-02"];
    assert_eq!(entry["pages"], 1);
    assert_eq!(entry["records"], 1);
    assert_eq!(entry["window_from"], "2024-01-02T00:00:00Z");
    assert_eq!(entry["window_to"], "2024-01-03T00:00:00Z");

    let before = server.requests().len();
    let s = extract_call_log(&c, &opts, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_fetched, s.days_skipped), (0, 2));
    assert_eq!(
        server.requests().len(),
        before,
        "a settled re-run sends nothing"
    );

    let berlin = opts.clone().with_time_zone(chrono_tz::Europe::Berlin);
    let s = extract_call_log(&c, &berlin, &days, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_fetched, s.days_skipped), (2, 0));
    let last = server
        .requests()
        .into_iter()
        .rfind(|r| r.path() == CALL_LOG)
        .unwrap();
    assert!(
        last.query_param("dateFrom")
            .unwrap()
            .ends_with("T23:00:00.000Z"),
        "{}",
        last.target
    );

    // A recent day (yesterday) is fetched again on every run: its data may still change.
    let yesterday = chrono::Utc::now().date_naive().pred_opt().unwrap();
    extract_call_log(&c, &opts, &[yesterday], &NoProgress)
        .await
        .unwrap();
    let s = extract_call_log(&c, &opts, &[yesterday], &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.days_fetched, s.days_skipped), (1, 0));
}

#[tokio::test]
async fn leftover_staging_of_a_killed_run_is_removed() {
    let server =
        serve(|req, _| token_ok(req).unwrap_or_else(|| Response::json(200, page(&["a"], None))))
            .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    std::fs::create_dir_all(raw.join("call-log/.2024-01-02.partial-0123")).unwrap();
    std::fs::write(
        raw.join("call-log/.2024-01-02.partial-0123/page-00001.json.zst"),
        b"junk",
    )
    .unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    extract_call_log(&c, &opts, &[day("2024-01-03")], &NoProgress)
        .await
        .unwrap();
    assert_eq!(stream_entries(&raw), ["2024-01-03"]);
}
