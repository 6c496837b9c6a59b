//! The incremental call-log mode (`call-log-extract-sync`, docs/api.md §1.4) against the
//! scripted server: the FSync → ISync chain, the `newerRecordsExist` loop, a refused token,
//! the token saved only once the session is published, the days reported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ringlake_extract::{
    Error, ExtractOptions, NoProgress, RateGroup, SyncSummary, extract_call_log,
    extract_call_log_sync,
};

use crate::script::{Request, Response, serve, token_body};
use crate::{CLIENT_SECRET, JWT, client, day, read_pages};

const TOKEN: &str = "/restapi/oauth/token";
const SYNC: &str = "/restapi/v1.0/account/~/call-log-extract-sync";

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A sync page: records `(id, startTime)`, and its syncInfo.
fn sync_page(records: &[(&str, &str)], token: &str, sync_time: &str, newer: bool) -> String {
    let records: Vec<String> = records
        .iter()
        .map(|(id, start)| {
            format!(
                r#"{{"id":"{id}","sessionId":"1","startTime":"{start}","type":"Voice","direction":"Inbound","lastModifiedTime":"{sync_time}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"uri":"u","records":[{}],"syncInfo":{{"syncType":"ISync","syncToken":"{token}","syncTime":"{sync_time}","newerRecordsExist":{newer}}}}}"#,
        records.join(",")
    )
}

fn refused_token() -> Response {
    Response::json(
        400,
        r#"{"errorCode":"CLG-101","message":"Parameter [syncToken] is invalid [Sync token expired, call log was reset]","errors":[{"errorCode":"CLG-101","message":"Parameter [syncToken] is invalid [Sync token expired, call log was reset]","parameterName":"syncToken"}]}"#,
    )
}

/// Generous Heavy limits, so that the pacer never holds these tests.
fn fast(r: Response) -> Response {
    r.header("X-Rate-Limit-Group", "Heavy")
        .header("X-Rate-Limit-Limit", "100")
        .header("X-Rate-Limit-Window", "1")
}

fn sync_requests(reqs: &[Request]) -> Vec<Request> {
    reqs.iter().filter(|r| r.path() == SYNC).cloned().collect()
}

/// `(syncType, syncToken)` of each sync request.
fn chain(reqs: &[Request]) -> Vec<(String, Option<String>)> {
    sync_requests(reqs)
        .iter()
        .map(|r| {
            (
                r.query_param("syncType").unwrap_or_default(),
                r.query_param("syncToken"),
            )
        })
        .collect()
}

fn checkpoint(state: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(state.join("call-log.checkpoint.json")).unwrap()).unwrap()
}

/// Names in `<raw>/call-log-sync/`.
fn sessions(raw: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(raw.join("call-log-sync"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn published(s: &SyncSummary) -> PathBuf {
    s.published.clone().expect("session published")
}

const SINCE: &str = "2024-01-01T00:00:00Z";

#[tokio::test]
async fn first_run_fsyncs_then_isyncs_while_newer_records_exist_and_reports_the_days() {
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        let body = match (
            req.query_param("syncType").as_deref(),
            req.query_param("syncToken").as_deref(),
        ) {
            (Some("FSync"), None) => sync_page(
                &[
                    ("a", "2024-01-02T23:30:00.000Z"),
                    ("b", "2024-01-03T01:00:00.000Z"),
                ],
                "T1",
                "2024-01-04T10:00:00.000Z",
                true,
            ),
            (Some("ISync"), Some("T1")) => sync_page(
                &[
                    ("c", "2024-01-04T09:00:00.000Z"),
                    ("a", "2024-01-02T23:30:00.000Z"),
                ],
                "T2",
                "2024-01-04T10:00:01.000Z",
                true,
            ),
            (Some("ISync"), Some("T2")) => sync_page(&[], "T3", "2024-01-04T10:00:02.000Z", false),
            // The next run's ISync.
            (Some("ISync"), Some("T3")) => sync_page(
                &[("d", "2024-01-05T12:00:00.000Z")],
                "T4",
                "2024-01-05T13:00:00.000Z",
                false,
            ),
            other => panic!("unexpected sync request {other:?}: {}", req.target),
        };
        fast(Response::json(200, body))
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let state = tmp.path().join("state");
    // Los Angeles days: 2024-01-03T01:00Z is still 2024-01-02 there.
    let opts = ExtractOptions::new(&raw, &state).with_time_zone(chrono_tz::America::Los_Angeles);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let progress = crate::Recorder::default();
    let before = Utc::now();
    let s = extract_call_log_sync(&c, &opts, utc(SINCE), &progress)
        .await
        .unwrap();

    assert_eq!(s.error, None);
    assert_eq!(
        (s.pages, s.records, s.full_syncs, s.tokens_refused),
        (3, 4, 1, 0)
    );
    assert_eq!(
        s.days,
        BTreeSet::from([day("2024-01-02"), day("2024-01-04")]),
        "{s:?}"
    );
    assert_eq!(s.sync_time, Some(utc("2024-01-04T10:00:02Z")));

    // The chain and its parameters.
    let reqs = server.requests();
    assert_eq!(
        chain(&reqs),
        [
            ("FSync".to_owned(), None),
            ("ISync".to_owned(), Some("T1".to_owned())),
            ("ISync".to_owned(), Some("T2".to_owned())),
        ]
    );
    let sync = sync_requests(&reqs);
    assert_eq!(
        sync[0].query_param("dateFrom").as_deref(),
        Some("2024-01-01T00:00:00.000Z")
    );
    assert_eq!(sync[0].query_param("recordCount").as_deref(), Some("1000"));
    assert!(
        sync.iter()
            .all(|r| r.query_param("view").as_deref() == Some("Detailed"))
    );
    assert!(
        sync[1..]
            .iter()
            .all(|r| r.query_param("recordCount").is_none() && r.query_param("dateFrom").is_none()),
        "recordCount and dateFrom are FSync-only"
    );
    assert!(
        sync.iter()
            .all(|r| r.header("authorization") == Some("Bearer A1"))
    );

    // One session directory named after its start, holding every body byte for byte.
    let dir = published(&s);
    assert_eq!(sessions(&raw), std::slice::from_ref(&s.session));
    assert_eq!(dir, raw.join("call-log-sync").join(&s.session));
    let started = chrono::NaiveDateTime::parse_from_str(&s.session, "%Y%m%dT%H%M%S%.3fZ")
        .unwrap()
        .and_utc();
    assert!(
        started >= before - chrono::TimeDelta::milliseconds(1) && started <= Utc::now(),
        "{}",
        s.session
    );
    let pages = read_pages(&dir);
    assert_eq!(pages.len(), 3);
    assert!(String::from_utf8_lossy(&pages[2]).contains(r#""syncToken":"T3""#));
    assert_eq!(
        *progress.planned.lock().unwrap(),
        None,
        "no day planning in sync mode"
    );

    // The token and its time are in the call-log checkpoint.
    let cp = checkpoint(&state);
    assert_eq!(cp["call_log_sync"]["token"], "T3");
    assert_eq!(cp["call_log_sync"]["sync_time"], "2024-01-04T10:00:02Z");
    assert_eq!(cp["call_log_sync"]["session"], s.session.as_str());

    // The next run goes on with an ISync from the saved token: no FSync.
    let s2 = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    assert_eq!((s2.pages, s2.records, s2.full_syncs), (1, 1, 0));
    assert_eq!(s2.days, BTreeSet::from([day("2024-01-05")]));
    assert_eq!(
        chain(&server.requests()).last().unwrap(),
        &("ISync".to_owned(), Some("T3".to_owned()))
    );
    assert_eq!(checkpoint(&state)["call_log_sync"]["token"], "T4");
    assert_ne!(s2.session, s.session);
    assert_eq!(sessions(&raw).len(), 2);
}

#[tokio::test]
async fn a_refused_token_is_dropped_and_an_fsync_starts_from_the_last_sync_time() {
    let refuse = Arc::new(AtomicBool::new(false));
    let r = refuse.clone();
    let server = serve(move |req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        let reply = match (
            req.query_param("syncType").as_deref(),
            req.query_param("syncToken").as_deref(),
        ) {
            (Some("ISync"), Some("T1")) if r.load(Ordering::SeqCst) => refused_token(),
            (Some("FSync"), None) if !r.load(Ordering::SeqCst) => Response::json(
                200,
                sync_page(
                    &[("a", "2024-01-02T10:00:00Z")],
                    "T1",
                    "2024-01-04T10:00:00.000Z",
                    false,
                ),
            ),
            (Some("FSync"), None) => Response::json(
                200,
                sync_page(
                    &[("b", "2024-01-03T10:00:00Z")],
                    "T9",
                    "2024-01-05T10:00:00.000Z",
                    false,
                ),
            ),
            other => panic!("unexpected sync request {other:?}"),
        };
        fast(reply)
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let state = tmp.path().join("state");
    let opts = ExtractOptions::new(&raw, &state);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    assert_eq!(checkpoint(&state)["call_log_sync"]["token"], "T1");

    refuse.store(true, Ordering::SeqCst);
    let s = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.error, None);
    assert_eq!(
        (s.tokens_refused, s.full_syncs, s.pages),
        (1, 1, 1),
        "{s:?}"
    );
    assert_eq!(s.days, BTreeSet::from([day("2024-01-03")]));
    let reqs = sync_requests(&server.requests());
    let restart = reqs.last().unwrap();
    assert_eq!(restart.query_param("syncType").as_deref(), Some("FSync"));
    // The last syncTime minus the overlap, not the caller's `since`.
    assert_eq!(
        restart.query_param("dateFrom").as_deref(),
        Some("2024-01-04T09:50:00.000Z")
    );
    assert_eq!(
        chain(&reqs[1..]),
        [
            ("ISync".to_owned(), Some("T1".to_owned())),
            ("FSync".to_owned(), None)
        ],
        "a refused token is not retried"
    );
    let cp = checkpoint(&state);
    assert_eq!(cp["call_log_sync"]["token"], "T9");
    assert_eq!(cp["call_log_sync"]["sync_time"], "2024-01-05T10:00:00Z");
}

#[tokio::test]
async fn a_server_that_refuses_its_own_fresh_tokens_stops_the_session() {
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        fast(match req.query_param("syncType").as_deref() {
            Some("FSync") => Response::json(
                200,
                sync_page(
                    &[("a", "2024-01-02T10:00:00Z")],
                    "T1",
                    "2024-01-04T10:00:00.000Z",
                    true,
                ),
            ),
            _ => refused_token(),
        })
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let (raw, state) = (tmp.path().join("raw"), tmp.path().join("state"));
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let err = extract_call_log_sync(
        &c,
        &ExtractOptions::new(&raw, &state),
        utc(SINCE),
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Http { status: 400, code, .. } if code == "CLG-101"),
        "{err:?}"
    );
    // FSync, ISync refused, FSync, ISync refused, FSync, ISync refused: then it gives up.
    assert_eq!(server.count(SYNC), 6);
    assert!(sessions(&raw).is_empty(), "nothing published");
    assert!(
        !state.join("call-log.checkpoint.json").exists(),
        "nothing saved"
    );
}

#[tokio::test]
async fn the_token_is_saved_only_with_its_pages_published() {
    // Session 1 aborts on a 403 on its second page: nothing published, nothing saved.
    // Session 2 runs out of retries on its third page: the first two are published and
    // the second page's token saved, so session 3 goes on from there.
    let mode = Arc::new(AtomicUsize::new(1));
    let m = mode.clone();
    let server = serve(move |req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        let token = req.query_param("syncToken");
        let reply = match (m.load(Ordering::SeqCst), token.as_deref()) {
            (_, None) => Response::json(
                200,
                sync_page(&[("a", "2024-01-02T10:00:00Z")], "T1", "2024-01-04T10:00:00.000Z", true),
            ),
            (1, Some("T1")) => Response::json(
                403,
                r#"{"errors":[{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [ReadCallLog] permission for requested resource.","permissionName":"ReadCallLog"}]}"#,
            ),
            (_, Some("T1")) => Response::json(
                200,
                sync_page(&[("b", "2024-01-03T10:00:00Z")], "T2", "2024-01-04T10:00:01.000Z", true),
            ),
            (2, Some("T2")) => Response::json(
                503,
                r#"{"errors":[{"errorCode":"CMN-201","message":"Service Temporary Unavailable"}]}"#,
            ),
            (_, Some("T2")) => Response::json(
                200,
                sync_page(&[("c", "2024-01-04T10:00:00Z")], "T3", "2024-01-04T10:00:02.000Z", false),
            ),
            other => panic!("unexpected {other:?}"),
        };
        fast(reply)
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let (raw, state) = (tmp.path().join("raw"), tmp.path().join("state"));
    let opts = ExtractOptions::new(&raw, &state);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);

    let err = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Permission { .. }), "{err:?}");
    assert!(
        sessions(&raw).is_empty(),
        "no half session, no staging left"
    );
    assert!(!state.join("call-log.checkpoint.json").exists());

    mode.store(2, Ordering::SeqCst);
    let s = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    let why = s.error.clone().expect("stopped early");
    assert!(
        why.contains("HTTP 503") && why.contains("8 attempts"),
        "{why}"
    );
    assert_eq!((s.pages, s.records), (2, 2));
    assert_eq!(read_pages(&published(&s)).len(), 2);
    assert_eq!(sessions(&raw), std::slice::from_ref(&s.session));
    assert_eq!(
        s.days,
        BTreeSet::from([day("2024-01-02"), day("2024-01-03")])
    );
    assert_eq!(checkpoint(&state)["call_log_sync"]["token"], "T2");

    mode.store(3, Ordering::SeqCst);
    let before = server.count(SYNC);
    let s = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.error.as_deref(), s.pages, s.full_syncs), (None, 1, 0));
    assert_eq!(server.count(SYNC) - before, 1);
    assert_eq!(
        chain(&server.requests()).last().unwrap().1.as_deref(),
        Some("T2")
    );
    assert_eq!(checkpoint(&state)["call_log_sync"]["token"], "T3");
}

#[tokio::test]
async fn a_truncated_sync_page_is_retried_and_never_lands() {
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let good = sync_page(
        &[("a", "2024-01-02T10:00:00Z")],
        "T1",
        "2024-01-04T10:00:00.000Z",
        false,
    );
    let served = good.clone();
    let server = serve(move |req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        fast(if n.fetch_add(1, Ordering::SeqCst) == 0 {
            Response::json(200, served[..served.len() / 2].to_owned())
        } else {
            Response::json(200, served.clone())
        })
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let s = extract_call_log_sync(
        &c,
        &ExtractOptions::new(&raw, tmp.path().join("state")),
        utc(SINCE),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!((s.pages, s.error.as_deref()), (1, None));
    assert_eq!(server.count(SYNC), 2);
    assert_eq!(read_pages(&published(&s)), [good.into_bytes()]);
    assert_eq!(c.stats().by_group[&RateGroup::Heavy].retries, 1);
}

#[tokio::test]
async fn the_day_mode_and_the_sync_mode_keep_each_others_checkpoint_entries() {
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        fast(if req.path() == SYNC {
            Response::json(
                200,
                sync_page(
                    &[("a", "2024-01-02T10:00:00Z")],
                    "T1",
                    "2024-01-04T10:00:00.000Z",
                    false,
                ),
            )
        } else {
            Response::json(
                200,
                r#"{"uri":"u","records":[],"paging":{"perPage":1000},"navigation":{}}"#,
            )
        })
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let (raw, state) = (tmp.path().join("raw"), tmp.path().join("state"));
    let opts = ExtractOptions::new(&raw, &state);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    // Both at once, then a day run again after the sync saved its token.
    let first_day = [day("2024-01-02")];
    let (days, sync) = tokio::join!(
        extract_call_log(&c, &opts, &first_day, &NoProgress),
        extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress),
    );
    days.unwrap();
    sync.unwrap();
    extract_call_log(&c, &opts, &[day("2024-01-03")], &NoProgress)
        .await
        .unwrap();
    let cp = checkpoint(&state);
    assert_eq!(cp["call_log_sync"]["token"], "T1");
    let recorded: Vec<&String> = cp["streams"]["call-log"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(recorded, ["2024-01-02", "2024-01-03"]);
}

#[tokio::test]
async fn an_access_token_that_expires_every_two_seconds_is_renewed_mid_session() {
    // The server enforces the lifetime: a token older than 2 s gets a 401. Its Heavy limit
    // (3 per second) stretches the 8-page session over more than two lifetimes.
    let issued: Arc<std::sync::Mutex<Vec<(String, Instant)>>> = Arc::default();
    let log = issued.clone();
    let unauthorized = Arc::new(AtomicUsize::new(0));
    let u = unauthorized.clone();
    let server = serve(move |req, _| {
        let mut issued = log.lock().unwrap();
        if req.path() == TOKEN {
            let name = format!("A{}", issued.len() + 1);
            issued.push((name.clone(), Instant::now()));
            return Response::json(200, token_body(&name, 2));
        }
        let bearer = req.header("authorization").unwrap_or_default().to_owned();
        let alive = issued.iter().any(|(name, at)| {
            bearer == format!("Bearer {name}") && at.elapsed() < Duration::from_secs(2)
        });
        if !alive {
            u.fetch_add(1, Ordering::SeqCst);
            return Response::json(
                401,
                r#"{"errors":[{"errorCode":"OAU-128","message":"Access token expired"}]}"#,
            );
        }
        let n: u32 = req
            .query_param("syncToken")
            .and_then(|t| t.trim_start_matches('T').parse().ok())
            .unwrap_or(0);
        let start = format!("2024-01-0{}T10:00:00Z", 1 + n % 8);
        Response::json(
            200,
            sync_page(
                &[("r", &start)],
                &format!("T{}", n + 1),
                "2024-01-09T10:00:00.000Z",
                n + 1 < 8,
            ),
        )
        .header("X-Rate-Limit-Group", "Heavy")
        .header("X-Rate-Limit-Limit", "3")
        .header("X-Rate-Limit-Window", "1")
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let started = Instant::now();
    let s = extract_call_log_sync(
        &c,
        &ExtractOptions::new(tmp.path().join("raw"), tmp.path().join("state")),
        utc(SINCE),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!((s.pages, s.error.as_deref()), (8, None), "{s:?}");
    assert_eq!(s.days.len(), 8);
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "the session outlived a token"
    );
    assert!(
        issued.lock().unwrap().len() >= 2,
        "renewed: {:?}",
        issued.lock().unwrap().len()
    );
    // Renewed before expiry, not after a refusal.
    assert_eq!(unauthorized.load(Ordering::SeqCst), 0);
    assert_eq!(c.stats().by_group[&RateGroup::Heavy].retries, 0);
}

/// A `syncTime` at chrono's lower edge (the server's, or a hand-edited checkpoint's):
/// restarting ten minutes before it is before time began, so the restart goes from the
/// caller's `since`, as a first run does — never a panic (issue 17).
#[tokio::test]
async fn a_sync_time_at_the_start_of_time_restarts_from_since() {
    const EDGE: &str = "-262143-01-01T00:05:00Z";
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        fast(match req.query_param("syncType").as_deref() {
            Some("FSync") => Response::json(
                200,
                sync_page(&[("a", "2024-01-02T10:00:00Z")], "T1", EDGE, false),
            ),
            _ => refused_token(),
        })
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let (raw, state) = (tmp.path().join("raw"), tmp.path().join("state"));
    let opts = ExtractOptions::new(&raw, &state);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let first = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    assert_eq!(first.error, None);
    assert_eq!(checkpoint(&state)["call_log_sync"]["sync_time"], EDGE);
    // The saved token is refused: the FSync that replaces it starts at `since`.
    let s = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.error, s.tokens_refused, s.full_syncs), (None, 1, 1));
    let date_from = |r: &Request| r.query_param("dateFrom");
    let since = Some("2024-01-01T00:00:00.000Z".to_owned());
    assert_eq!(
        date_from(sync_requests(&server.requests()).last().unwrap()),
        since
    );
    // A checkpoint without a token (the refused one dropped, or edited by hand) starts
    // the session with an FSync from `since` too.
    let file = state.join("call-log.checkpoint.json");
    let mut cp = checkpoint(&state);
    cp["call_log_sync"].as_object_mut().unwrap().remove("token");
    std::fs::write(&file, serde_json::to_vec(&cp).unwrap()).unwrap();
    let s = extract_call_log_sync(&c, &opts, utc(SINCE), &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.error, s.tokens_refused, s.full_syncs), (None, 0, 1));
    assert_eq!(
        date_from(sync_requests(&server.requests()).last().unwrap()),
        since
    );
}
