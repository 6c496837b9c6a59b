//! Attachment content on the "media host" (docs/api.md §1, §1.9, §7), over HTTP.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::support::{ACCOUNT, Sim, cfg, day, first_error_code, get_with, ts};

/// Nineteen days, so that messages older than ten days exist and some are purged.
async fn start() -> Sim {
    Sim::start(
        cfg()
            .with_calls_per_day(20)
            .with_data_range(day(1), day(20)),
    )
    .await
}

async fn alive_records(sim: &Sim) -> Vec<Value> {
    let q = format!(
        "dateFrom={}&dateTo={}&perPage=1000",
        ts(day(1)),
        ts(day(20))
    );
    let (records, _) = sim
        .fetch_all(&format!(
            "/restapi/v1.0/account/~/extension/~/message-store?{q}"
        ))
        .await;
    records
}

async fn fetch(
    sim: &Sim,
    url: &str,
    range: Option<&str>,
    bearer: bool,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = sim.client.get(url);
    if bearer {
        req = req.bearer_auth(&sim.token);
    }
    if let Some(r) = range {
        req = req.header("Range", r);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

fn find(records: &[Value], pred: impl Fn(&Value) -> bool) -> &Value {
    records.iter().find(|r| pred(r)).unwrap()
}

#[tokio::test]
async fn content_matches_the_attachment_metadata() {
    let sim = start().await;
    let records = alive_records(&sim).await;
    let base = sim.handle.base_url();
    let vm = find(&records, |r| {
        r["type"] == "VoiceMail" && r["attachments"][0]["contentType"] == "audio/x-wav"
    });
    let fax = find(&records, |r| {
        r["type"] == "Fax" && r["attachments"].is_array()
    });
    let transcribed = find(&records, |r| {
        r["attachments"]
            .as_array()
            .is_some_and(|a| a.iter().any(|a| a["type"] == "AudioTranscription"))
    });
    let sms = find(&records, |r| r["type"] == "SMS");
    for r in [vm, fax, transcribed, sms] {
        for a in r["attachments"].as_array().unwrap() {
            let uri = a["uri"].as_str().unwrap();
            // The list's attachment URIs point at this server.
            assert!(uri.starts_with(&format!("{base}/restapi/v1.0/account/{ACCOUNT}/")));
            let (status, headers, bytes) = fetch(&sim, uri, None, true).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert_eq!(headers["x-rate-limit-group"], "medium");
            assert_eq!(headers["content-type"], a["contentType"].as_str().unwrap());
            assert_eq!(headers["accept-ranges"], "bytes");
            let want_len = match a["size"].as_u64() {
                Some(size) => size as usize,
                // SMS/pager text: the message text itself.
                None => {
                    assert_eq!(bytes, r["subject"].as_str().unwrap().as_bytes());
                    bytes.len()
                }
            };
            assert_eq!(bytes.len(), want_len);
            assert_eq!(headers["content-length"], want_len.to_string().as_str());
            let (_, _, again) = fetch(&sim, uri, None, true).await;
            assert_eq!(again, bytes, "deterministic");
            if a["contentType"] == "application/pdf" {
                assert!(bytes.starts_with(b"%PDF-"));
            }
            if a["contentType"] == "text/plain" {
                assert!(std::str::from_utf8(&bytes).is_ok());
            }
        }
    }
}

#[tokio::test]
async fn byte_ranges() {
    let sim = start().await;
    let records = alive_records(&sim).await;
    let a = &find(&records, |r| r["type"] == "VoiceMail")["attachments"][0];
    let uri = a["uri"].as_str().unwrap();
    let size = a["size"].as_u64().unwrap() as usize;
    let (_, _, full) = fetch(&sim, uri, None, true).await;
    assert_eq!(full.len(), size);
    for (range, start, end) in [
        ("bytes=10-19".to_string(), 10, 19),
        ("bytes=-7".to_string(), size - 7, size - 1),
        (format!("bytes={}-", size - 3), size - 3, size - 1),
        (format!("bytes=5-{}", size + 100), 5, size - 1),
    ] {
        let (status, headers, part) = fetch(&sim, uri, Some(&range), true).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            headers["content-range"],
            format!("bytes {start}-{end}/{size}").as_str()
        );
        assert_eq!(part, full[start..=end].to_vec(), "{range}");
    }
    let (status, headers, _) = fetch(&sim, uri, Some(&format!("bytes={size}-")), true).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(headers["content-range"], format!("bytes */{size}").as_str());
    // Several ranges: the whole content (allowed by RFC 9110).
    let (status, _, body) = fetch(&sim, uri, Some("bytes=0-1,4-5"), true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.len(), size);
}

#[tokio::test]
async fn access_token_in_query_purged_and_unknown() {
    let sim = start().await;
    let truth = sim.handle.truth();
    let records = alive_records(&sim).await;
    let base = sim.handle.base_url();
    let a = &find(&records, |r| r["type"] == "Fax")["attachments"][0];
    let uri = a["uri"].as_str().unwrap().to_string();

    // Media paths take `?access_token=`; without any token, 401.
    let with_query = format!("{uri}?access_token={}", sim.token);
    let (status, _, bytes) = fetch(&sim, &with_query, None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.len() as u64, a["size"].as_u64().unwrap());
    let (status, _, _) = fetch(&sim, &uri, None, false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Other paths do not.
    let list = format!(
        "{base}/restapi/v1.0/account/~/extension/~/message-store?access_token={}",
        sim.token
    );
    let (status, _, _) = get_with(&sim.client, &list, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // contentDisposition names the download.
    let (status, headers, _) = fetch(
        &sim,
        &format!("{uri}?contentDisposition=Attachment&contentDispositionFilename=fax.pdf"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"fax.pdf\""
    );

    let content = |ext: i64, m: i64, att: i64| {
        format!("{base}/restapi/v1.0/account/~/extension/{ext}/message-store/{m}/content/{att}")
    };
    let code_and_param = |b: &[u8]| {
        let v: Value = serde_json::from_slice(b).unwrap();
        (
            first_error_code(&v).to_string(),
            v["errors"][0]["parameterName"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    };
    // Purged: the attachments are gone (docs/api.md §7); the first one shared the message id.
    let purged = truth
        .messages
        .iter()
        .find(|m| m.mailbox_extension_id == ACCOUNT && m.availability == "Purged")
        .expect("purged messages in a 19-day range");
    assert!(purged.attachment_ids.is_empty());
    let (status, _, body) = fetch(&sim, &content(ACCOUNT, purged.id, purged.id), None, true).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        code_and_param(&body),
        ("CMN-102".to_string(), "attachmentId".to_string())
    );
    // Unknown message, and a message of another mailbox.
    let (status, _, body) = fetch(&sim, &content(ACCOUNT, 111, 111), None, true).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        code_and_param(&body),
        ("CMN-102".to_string(), "messageId".to_string())
    );
    let foreign = truth
        .messages
        .iter()
        .find(|m| m.mailbox_extension_id != ACCOUNT && !m.attachment_ids.is_empty())
        .unwrap();
    let att = foreign.attachment_ids[0];
    let (status, _, _) = fetch(&sim, &content(ACCOUNT, foreign.id, att), None, true).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(
        &sim,
        &content(foreign.mailbox_extension_id, foreign.id, att),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
