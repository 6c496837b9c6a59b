//! Message-store scenarios against the scripted server: a failing mailbox and its resume,
//! permission refusals, mailboxes without a store, paging by totals.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ringlake_extract::{
    Error, ExtensionRef, ExtractOptions, NoProgress, RateGroup, extract_message_store,
};

use crate::script::{Request, Response, serve, token_body};
use crate::{CLIENT_SECRET, JWT, client, day, read_record_ids};

const TOKEN: &str = "/restapi/oauth/token";

fn store_path(mailbox: i64) -> String {
    format!("/restapi/v1.0/account/~/extension/{mailbox}/message-store")
}

/// The mailbox of a message-store request.
fn mailbox_of(req: &Request) -> Option<i64> {
    req.path()
        .strip_prefix("/restapi/v1.0/account/~/extension/")?
        .strip_suffix("/message-store")?
        .parse()
        .ok()
}

/// A message list page (§2.1: message lists send totals).
fn messages_page(ids: &[i64], page: u32, total_pages: u32, next: Option<&str>) -> String {
    let records: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":{id},"type":"SMS","creationTime":"2024-01-02T10:00:00.000Z","availability":"Alive","conversationId":9007199254740993}}"#))
        .collect();
    let nav = match next {
        Some(n) => format!(r#""navigation":{{"nextPage":{{"uri":"{n}"}}}}"#),
        None => r#""navigation":{}"#.to_owned(),
    };
    format!(
        r#"{{"uri":"u","records":[{}],"paging":{{"page":{page},"totalPages":{total_pages},"perPage":1000}},{nav}}}"#,
        records.join(",")
    )
}

fn error_body(code: &str, message: &str) -> String {
    format!(
        r#"{{"errorCode":"{code}","message":"{message}","errors":[{{"errorCode":"{code}","message":"{message}"}}]}}"#
    )
}

/// Generous rate headers so that the pacer never waits in these tests.
fn fast(r: Response) -> Response {
    r.header("X-Rate-Limit-Group", "Light")
        .header("X-Rate-Limit-Limit", "100")
        .header("X-Rate-Limit-Window", "1")
}

fn exts(ids: &[i64]) -> Vec<ExtensionRef> {
    ids.iter()
        .map(|&id| ExtensionRef::new(id).with_type("User"))
        .collect()
}

fn run_days() -> Vec<chrono::NaiveDate> {
    vec![day("2024-01-02"), day("2024-01-03"), day("2024-01-04")]
}

fn published(raw: &std::path::Path, span: &str) -> Vec<String> {
    let dir = raw.join("message-store").join(span);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_failed_mailbox_is_refetched_next_run_while_the_others_are_skipped() {
    let healthy = Arc::new(AtomicBool::new(false));
    let h = healthy.clone();
    let server = serve(move |req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        let r = match (mailbox_of(req), req.query_param("page").as_deref()) {
            // A busy mailbox: two pages. The last one still links a next page, but the
            // totals say it is the last (§2.1), so it is not followed.
            (Some(101), Some("1")) => {
                let next = format!(
                    "https://platform.example{}?page=2&perPage=2",
                    store_path(101)
                );
                Response::json(200, messages_page(&[1, 2], 1, 2, Some(&next)))
            }
            (Some(101), _) => {
                let next = format!(
                    "https://platform.example{}?page=3&perPage=2",
                    store_path(101)
                );
                Response::json(
                    200,
                    messages_page(&[9_007_199_254_740_993], 2, 2, Some(&next)),
                )
            }
            (Some(102), _) if !h.load(Ordering::SeqCst) => Response::json(
                503,
                error_body("CMN-201", "Service Temporarily Unavailable"),
            ),
            (Some(102), _) => Response::json(200, messages_page(&[20], 1, 1, None)),
            _ => Response::json(200, messages_page(&[], 1, 1, None)),
        };
        fast(r)
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let state = tmp.path().join("state");
    let opts = ExtractOptions::new(&raw, &state);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let mailboxes = exts(&[101, 102, 103]);
    let s = extract_message_store(&c, &opts, &mailboxes, &run_days(), &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.mailboxes_total, s.mailboxes_fetched), (3, 2), "{s:?}");
    assert_eq!(s.failed_mailboxes.len(), 1);
    let (failed, why) = &s.failed_mailboxes[0];
    assert_eq!(*failed, 102);
    assert!(
        why.contains("HTTP 503") && why.contains("8 attempts"),
        "{why}"
    );
    // Mailbox 102 covers every day of the run, so no day is complete.
    assert!(s.complete_days.is_empty(), "{s:?}");
    assert_eq!((s.pages, s.records), (3, 3));
    assert_eq!(server.count(&store_path(101)), 2);
    assert_eq!(server.count(&store_path(102)), 8);
    let span = "2024-01-02_2024-01-04";
    assert_eq!(published(&raw, span), ["101", "103"]);
    let ids: Vec<i64> = read_record_ids(&raw.join("message-store").join(span).join("101"))
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 9_007_199_254_740_993]);
    assert!(read_record_ids(&raw.join("message-store").join(span).join("103")).is_empty());

    // The next run asks for 102 only.
    healthy.store(true, Ordering::SeqCst);
    let before: Vec<usize> = [101, 102, 103]
        .map(|m| server.count(&store_path(m)))
        .to_vec();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let s = extract_message_store(&c, &opts, &mailboxes, &run_days(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        (
            s.mailboxes_fetched,
            s.mailboxes_skipped,
            s.failed_mailboxes.len()
        ),
        (1, 2, 0),
        "{s:?}"
    );
    assert_eq!(s.complete_days, run_days().into_iter().collect());
    let after: Vec<usize> = [101, 102, 103]
        .map(|m| server.count(&store_path(m)))
        .to_vec();
    assert_eq!(
        after
            .iter()
            .zip(&before)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
        [0, 1, 0]
    );
    assert_eq!(c.stats().by_group[&RateGroup::Light].requests, 1);
    assert_eq!(published(&raw, span), ["101", "102", "103"]);

    // The request: the whole span's window, every availability, perPage.
    let req = server
        .requests()
        .into_iter()
        .rfind(|r| r.path() == store_path(102))
        .unwrap();
    assert_eq!(
        req.query_param("dateFrom").as_deref(),
        Some("2024-01-02T00:00:00.000Z")
    );
    assert_eq!(
        req.query_param("dateTo").as_deref(),
        Some("2024-01-05T00:00:00.000Z")
    );
    assert_eq!(req.query_param("perPage").as_deref(), Some("1000"));
    let query = req.target.split_once('?').unwrap().1;
    let availability: BTreeSet<String> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "availability")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(
        availability,
        ["Alive", "Deleted", "Purged"].map(str::to_owned).into()
    );
    assert_eq!(req.header("authorization"), Some("Bearer A1"));
}

#[tokio::test]
async fn missing_read_messages_permission_aborts_the_run_and_says_so() {
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        fast(Response::json(
            403,
            r#"{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [ReadMessages] permission for requested resource.","errors":[{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [ReadMessages] permission for requested resource.","permissionName":"ReadMessages"}],"permissionName":"ReadMessages"}"#,
        ))
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let state = tmp.path().join("state");
    let opts = ExtractOptions::new(&raw, &state).with_concurrency(1);
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let err = extract_message_store(
        &c,
        &opts,
        &exts(&[101, 102, 103, 104, 105]),
        &run_days(),
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Permission { permission: Some(p), code, .. } if p == "ReadMessages" && code == "CMN-408"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("ReadMessages") && text.contains("Admin Portal"),
        "{text}"
    );
    assert!(err.is_config() && !err.is_retryable());
    // Not retried, not asked of every mailbox (two in flight at concurrency 1).
    let asked = server
        .requests()
        .iter()
        .filter(|r| mailbox_of(r).is_some())
        .count();
    assert!((1..=2).contains(&asked), "{asked}");
    assert!(published(&raw, "2024-01-02_2024-01-04").is_empty());
    let checkpoint =
        std::fs::read_to_string(state.join("message-store.checkpoint.json")).unwrap_or_default();
    assert!(!checkpoint.contains("message_store"), "{checkpoint}");
}

#[tokio::test]
async fn a_mailbox_without_a_store_is_counted_and_not_asked_again() {
    let server = serve(|req, _| {
        if req.path() == TOKEN {
            return Response::json(200, token_body("A1", 3600));
        }
        fast(match mailbox_of(req) {
            Some(102) => Response::json(
                403,
                error_body(
                    "CMN-403",
                    "Feature is not available for this extension type",
                ),
            ),
            Some(104) => Response::json(
                404,
                error_body(
                    "CMN-102",
                    "Resource for parameter [extensionId] is not found",
                ),
            ),
            Some(m) => Response::json(200, messages_page(&[m * 10], 1, 1, None)),
            None => Response::json(404, error_body("CMN-120", "Invalid URI")),
        })
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    // A park location has no store: it is not asked at all.
    let mut mailboxes = exts(&[101, 102, 103, 104]);
    mailboxes.push(ExtensionRef::new(105).with_type("ParkLocation"));
    mailboxes.push(ExtensionRef::new(101).with_type("User"));
    let s = extract_message_store(&c, &opts, &mailboxes, &run_days(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        (
            s.mailboxes_total,
            s.mailboxes_fetched,
            s.mailboxes_without_store,
            s.failed_mailboxes.len()
        ),
        (4, 2, 2, 0),
        "{s:?}"
    );
    assert_eq!(s.complete_days, run_days().into_iter().collect());
    assert_eq!(server.count(&store_path(102)), 1, "a 403 is not retried");
    assert_eq!(server.count(&store_path(104)), 1);
    assert_eq!(server.count(&store_path(105)), 0);
    assert_eq!(server.count(&store_path(101)), 1, "each mailbox once");
    assert_eq!(published(&raw, "2024-01-02_2024-01-04"), ["101", "103"]);

    let total = server.requests().len();
    let c = client(&server.base_url, CLIENT_SECRET, JWT);
    let s = extract_message_store(&c, &opts, &mailboxes, &run_days(), &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.mailboxes_skipped, s.mailboxes_fetched), (4, 0));
    assert_eq!(
        server.requests().len(),
        total,
        "nothing asked, not even a token"
    );
}
