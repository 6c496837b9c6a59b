//! Every message-store, message-sync, message item/bulk and extension-list sample of
//! `tests/fixtures/ringcentral`, and the active-calls samples as snapshots, through their
//! transforms, staged in the raw layout of the issue-3 contract.

use std::path::{Path, PathBuf};

use ringlake_transform::{
    TransformOptions, TransformOutput, tables, transform_active_calls, transform_extensions,
    transform_messages,
};
use serde_json::Value;

use crate::{all_rows, i64s, render, samples_dir, strings, table};

/// The mailbox directory every message sample is staged in.
const MAILBOX: i64 = 1000;

fn samples(prefix: &str, suffixes: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with(prefix) && suffixes.iter().any(|s| name.ends_with(s))
        })
        .collect();
    files.sort();
    files
}

/// The JSON bodies of a raw `multipart/mixed` HTTP response (docs/api.md §6.2), without the
/// first part (the per-item status list, not a message).
fn multipart_bodies(text: &str) -> Vec<String> {
    let boundary = text
        .lines()
        .find_map(|l| l.split_once("boundary=").map(|(_, b)| b.trim().to_owned()))
        .expect("a multipart boundary");
    let delimiter = format!("--{boundary}");
    let parts: Vec<String> = text
        .split(delimiter.as_str())
        .skip(1) // the HTTP head before the first delimiter
        .filter(|p| !p.starts_with("--")) // the closing delimiter
        .map(|part| {
            let part = part.replace("\r\n", "\n");
            let (_headers, body) = part.split_once("\n\n").expect("part headers end");
            body.trim().to_owned()
        })
        .collect();
    let status: Value = serde_json::from_str(&parts[0]).unwrap();
    assert!(
        status.get("response").is_some(),
        "first part is the status part"
    );
    parts[1..].to_vec()
}

/// Stages a message sample as page files of `<raw>/message-store/<span>/<MAILBOX>/` and
/// says how many records (messages or bulk items) it holds.
fn stage_message_sample(sample: &Path, raw: &Path) -> (Vec<PathBuf>, usize) {
    let dir = raw.join(format!("message-store/2000-01-01_2030-12-31/{MAILBOX}"));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(sample).unwrap();
    let bodies = if sample.extension().is_some_and(|e| e == "txt") {
        multipart_bodies(&text)
    } else {
        vec![text]
    };
    let mut pages = Vec::new();
    let mut records = 0;
    for (i, body) in bodies.iter().enumerate() {
        let value: Value = serde_json::from_str(body).unwrap();
        records += match &value {
            Value::Array(items) => items.len(),
            v => v
                .get("records")
                .and_then(Value::as_array)
                .map_or(1, Vec::len),
        };
        let page = dir.join(format!("page-{:05}.json", i + 1));
        std::fs::write(&page, body).unwrap();
        pages.push(page);
    }
    (pages, records)
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_str().unwrap().to_owned()
}

#[test]
fn every_message_sample_snapshot() {
    let files = samples("message_", &[".json", ".txt"]);
    assert_eq!(
        files.len(),
        12,
        "expected the 12 message samples, found {files:?}"
    );
    for sample in files {
        let tmp = tempfile::tempdir().unwrap();
        let (pages, records) = stage_message_sample(&sample, tmp.path());
        let out = transform_messages(&pages, &TransformOptions::new()).unwrap();
        let name = stem(&sample);
        assert!(
            out.dead_letters.is_empty(),
            "{name}: {:?}",
            out.dead_letters
        );
        assert_eq!(out.stats.records_read, records, "{name}");
        let messages = all_rows(table(&out, tables::MESSAGES));
        assert_eq!(
            messages.num_rows() + out.stats.bulk_items_skipped,
            records,
            "{name}"
        );
        assert!(
            i64s(&messages, "mailbox_extension_id")
                .iter()
                .all(|m| *m == Some(MAILBOX)),
            "{name}"
        );
        insta::assert_snapshot!(name, render(&out));
    }
}

#[test]
fn bulk_json_sample_skips_the_404_item() {
    let tmp = tempfile::tempdir().unwrap();
    let (pages, _) = stage_message_sample(
        &samples_dir().join("message_batch_get_multipart_json_207.json"),
        tmp.path(),
    );
    let out = transform_messages(&pages, &TransformOptions::new()).unwrap();
    assert_eq!(out.stats.records_read, 2);
    assert_eq!(out.stats.bulk_items_skipped, 1);
    let m = all_rows(table(&out, tables::MESSAGES));
    assert_eq!(i64s(&m, "id"), [Some(972_869_004)]);
    // The docs' rounded number and the exact string, both kept as sent.
    assert_eq!(
        i64s(&m, "conversation_id"),
        [Some(8_234_962_969_801_172_000)]
    );
    assert_eq!(
        strings(&m, "conversation_id_string"),
        [Some("8234962969801171948".to_owned())]
    );
}

#[test]
fn sample_children_and_exact_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let (pages, _) = stage_message_sample(
        &samples_dir().join("message_list_sms_2019.json"),
        tmp.path(),
    );
    let out = transform_messages(&pages, &TransformOptions::new()).unwrap();
    let m = all_rows(table(&out, tables::MESSAGES));
    // Above 2^53: an f64 would have turned it into 8031152018338945536.
    assert_eq!(
        i64s(&m, "conversation_id"),
        [Some(8_031_152_018_338_945_839)]
    );
    assert_eq!(strings(&m, "recipient_count"), [Some("1".to_owned())]);
    let r = all_rows(table(&out, tables::MESSAGE_RECIPIENTS));
    assert_eq!(
        strings(&r, "phone_number"),
        [Some("+13125559821".to_owned())]
    );
    let a = all_rows(table(&out, tables::MESSAGE_ATTACHMENTS));
    assert_eq!(i64s(&a, "attachment_id"), [Some(6_424_569_004)]);
    assert_eq!(strings(&a, "content_type"), [Some("text/plain".to_owned())]);

    // The legacy party shape `{"contact": {...}}` is not in the spec: kept in extra_json.
    let tmp = tempfile::tempdir().unwrap();
    let (pages, _) = stage_message_sample(
        &samples_dir().join("message_sync_fsync_voicemail_2012.json"),
        tmp.path(),
    );
    let out = transform_messages(&pages, &TransformOptions::new()).unwrap();
    let m = all_rows(table(&out, tables::MESSAGES));
    assert_eq!(
        strings(&m, "extra_json"),
        [Some(
            r#"{"from":{"contact":{"name":"Jane Smith"}}}"#.to_owned()
        )]
    );
    let r = all_rows(table(&out, tables::MESSAGE_RECIPIENTS));
    assert_eq!(
        strings(&r, "extra_json"),
        [Some(r#"{"contact":{"name":"John Smith"}}"#.to_owned())]
    );
}

#[test]
fn extension_list_sample_snapshot() {
    let files = samples("extension_list_", &[".json"]);
    assert_eq!(files.len(), 1, "{files:?}");
    for sample in files {
        let tmp = tempfile::tempdir().unwrap();
        let page = tmp.path().join("extensions/2024-05-06/page-00001.json");
        std::fs::create_dir_all(page.parent().unwrap()).unwrap();
        std::fs::copy(&sample, &page).unwrap();
        let out = transform_extensions(&[page], &TransformOptions::new()).unwrap();
        assert!(out.dead_letters.is_empty(), "{:?}", out.dead_letters);
        let e = all_rows(table(&out, tables::EXTENSIONS));
        assert_eq!(i64s(&e, "id"), [Some(208_594_004)]);
        assert_eq!(
            strings(&e, "contact_pronounced_name_text"),
            [Some("Something New".to_owned())]
        );
        assert_eq!(
            strings(&e, "permissions_admin_enabled"),
            [Some("true".to_owned())]
        );
        insta::assert_snapshot!(stem(&sample), render(&out));
    }
}

#[test]
fn active_calls_samples_as_snapshots() {
    let files = samples("active_calls_", &[".json"]);
    assert_eq!(files.len(), 2, "{files:?}");
    for sample in files {
        let tmp = tempfile::tempdir().unwrap();
        let page = tmp
            .path()
            .join("active-calls/2024-05-06/20240506T101500.250Z/page-00001.json");
        std::fs::create_dir_all(page.parent().unwrap()).unwrap();
        std::fs::copy(&sample, &page).unwrap();
        let out: TransformOutput =
            transform_active_calls(&[page], &TransformOptions::new()).unwrap();
        assert!(out.dead_letters.is_empty(), "{:?}", out.dead_letters);
        let t = table(&out, tables::ACTIVE_CALLS);
        assert_eq!(
            t.partitions
                .keys()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["2024-05-06"]
        );
        let rows = all_rows(t);
        assert!(rows.num_rows() > 0);
        assert!(
            strings(&rows, "snapshot_time")
                .iter()
                .all(|s| s.as_deref() == Some("2024-05-06T10:15:00.250Z"))
        );
        insta::assert_snapshot!(format!("snapshot_{}", stem(&sample)), render(&out));
    }
}
