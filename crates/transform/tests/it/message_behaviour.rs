//! The message-store transform's rules, on small hand-made pages.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ringlake_transform::{TransformOptions, Tz, tables, transform_messages};
use serde_json::{Value, json};

use crate::{all_rows, i64s, strings, table, write_json, write_page};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A message of `mailbox` with two recipients and one attachment.
fn msg(mailbox: i64, id: i64, created: &str) -> Value {
    json!({
        "uri": format!("https://platform.ringcentral.com/restapi/v1.0/account/1/extension/{mailbox}/message-store/{id}"),
        "id": id,
        "type": "SMS",
        "direction": "Outbound",
        "creationTime": created,
        "lastModifiedTime": created,
        "readStatus": "Unread",
        "availability": "Alive",
        "messageStatus": "Delivered",
        "from": {"phoneNumber": "+16505550100"},
        "to": [{"phoneNumber": "+16505550101"}, {"phoneNumber": "+16505550102", "target": true}],
        "attachments": [{"id": id, "uri": "u", "type": "Text", "contentType": "text/plain"}],
        "conversationId": 8234962969801171948_i64
    })
}

/// `<raw>/message-store/2024-01-01_2024-12-31/<mailbox>/<name>`.
fn mailbox_page(raw: &Path, mailbox: i64, name: &str) -> PathBuf {
    raw.join(format!(
        "message-store/2024-01-01_2024-12-31/{mailbox}/{name}"
    ))
}

#[test]
fn conversation_id_above_2_pow_53_is_exact_in_the_arrow_column() {
    let tmp = tempfile::tempdir().unwrap();
    let page = mailbox_page(tmp.path(), 7, "page-00001.json");
    // Written as text so the numbers reach the transform exactly as the server sends them
    // (a serde_json::Value would keep them exact too, but this leaves no doubt).
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    std::fs::write(
        &page,
        r#"{"records":[
          {"id":1,"creationTime":"2024-01-01T00:00:00Z","conversationId":9223372036854775807},
          {"id":2,"creationTime":"2024-01-01T00:00:00Z","conversationId":8234962969801171948,"newField":{"n":1}},
          {"id":3,"creationTime":"2024-01-01T00:00:00Z","conversationId":"8234962969801171949"},
          {"id":9007199254740993,"creationTime":"2024-01-01T00:00:00Z"}
        ]}"#,
    )
    .unwrap();
    let out = transform_messages(&[page], &TransformOptions::new()).unwrap();
    assert!(out.dead_letters.is_empty(), "{:?}", out.dead_letters);
    let m = all_rows(table(&out, tables::MESSAGES));
    assert_eq!(
        i64s(&m, "id"),
        [Some(1), Some(2), Some(3), Some(9_007_199_254_740_993)]
    );
    assert_eq!(
        i64s(&m, "conversation_id"),
        [
            Some(i64::MAX),
            Some(8_234_962_969_801_171_948),
            Some(8_234_962_969_801_171_949),
            None
        ]
    );
    assert_eq!(
        strings(&m, "extra_json")[1].as_deref(),
        Some(r#"{"newField":{"n":1}}"#)
    );
}

#[test]
fn duplicates_keep_the_newest_last_modified_time_per_mailbox() {
    let tmp = tempfile::tempdir().unwrap();
    let version = |mailbox: i64, lmt: &str, read: &str| {
        let mut m = msg(mailbox, 42, "2024-02-01T10:00:00Z");
        m["lastModifiedTime"] = json!(lmt);
        m["readStatus"] = json!(read);
        m
    };
    let a = mailbox_page(tmp.path(), 7, "page-00001.json");
    let b = tmp
        .path()
        .join("message-store/2024-02-01_2024-02-01/7/page-00001.json");
    write_page(&a, &[version(7, "2024-02-03T00:00:00Z", "newest")]);
    write_page(
        &b,
        &[
            version(7, "2024-02-02T00:00:00Z", "older"),
            // The same message id in another mailbox is another row.
            version(8, "2024-02-01T00:00:00Z", "other-mailbox"),
        ],
    );
    for order in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
        let out = transform_messages(&order, &TransformOptions::new()).unwrap();
        assert_eq!(out.stats.duplicates_dropped, 2);
        let m = all_rows(table(&out, tables::MESSAGES));
        // Page b's directory says mailbox 7 for both its records: the dir wins over the uri.
        assert_eq!(i64s(&m, "mailbox_extension_id"), [Some(7)]);
        assert_eq!(strings(&m, "read_status"), [Some("newest".to_owned())]);
        // Children follow their winning message.
        let r = all_rows(table(&out, tables::MESSAGE_RECIPIENTS));
        assert_eq!(
            strings(&r, "recipient_index"),
            [Some("0".into()), Some("1".into())]
        );
    }

    // Outside mailbox directories the uri tells the mailbox: then they are two messages.
    let flat = tmp.path().join("manual/a.json");
    let flat2 = tmp.path().join("manual/b.json");
    write_page(&flat, &[version(7, "2024-02-03T00:00:00Z", "newest")]);
    write_page(
        &flat2,
        &[version(8, "2024-02-01T00:00:00Z", "other-mailbox")],
    );
    let out = transform_messages(&[flat, flat2], &TransformOptions::new()).unwrap();
    let m = all_rows(table(&out, tables::MESSAGES));
    assert_eq!(i64s(&m, "mailbox_extension_id"), [Some(7), Some(8)]);
    assert_eq!(out.stats.duplicates_dropped, 0);
}

#[test]
fn mailbox_from_the_directory_else_the_uri_else_a_dead_letter() {
    let tmp = tempfile::tempdir().unwrap();
    let in_dir = mailbox_page(tmp.path(), 555, "page-00001.json");
    write_page(&in_dir, &[msg(22, 1, "2024-01-01T00:00:00Z")]);
    let flat = tmp.path().join("message-store/loose/page-00001.json");
    let mut no_uri = msg(0, 3, "2024-01-01T00:00:00Z");
    no_uri.as_object_mut().unwrap().remove("uri");
    let mut tilde = msg(0, 4, "2024-01-01T00:00:00Z");
    tilde["uri"] = json!("https://x/restapi/v1.0/account/~/extension/~/message-store/4");
    write_page(&flat, &[msg(22, 2, "2024-01-01T00:00:00Z"), no_uri, tilde]);

    let out = transform_messages(&[in_dir, flat.clone()], &TransformOptions::new()).unwrap();
    let m = all_rows(table(&out, tables::MESSAGES));
    assert_eq!(i64s(&m, "mailbox_extension_id"), [Some(22), Some(555)]);
    assert_eq!(i64s(&m, "id"), [Some(2), Some(1)]);
    let idx: Vec<_> = out.dead_letters.iter().map(|d| d.record_index).collect();
    assert_eq!(idx, [Some(1), Some(2)]);
    for d in &out.dead_letters {
        assert_eq!(d.table, "messages");
        assert_eq!(d.source, flat.display().to_string());
        assert!(d.reason.contains("whose message store"), "{}", d.reason);
    }
}

#[test]
fn unreadable_records_are_dead_letters_and_the_rest_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let page = mailbox_page(tmp.path(), 7, "page-00001.json");
    let mut float_conv = msg(7, 2, "2024-01-01T11:00:00Z");
    float_conv["conversationId"] = json!(8.234962969801172e18);
    let mut no_id = msg(7, 3, "2024-01-01T11:00:00Z");
    no_id.as_object_mut().unwrap().remove("id");
    let mut alive_without_creation = msg(7, 4, "2024-01-01T11:00:00Z");
    alive_without_creation
        .as_object_mut()
        .unwrap()
        .remove("creationTime");
    write_page(
        &page,
        &[
            msg(7, 1, "2024-01-01T10:00:00Z"),
            float_conv,
            no_id,
            alive_without_creation,
            json!("not a message"),
            // A message-sync stub of a deleted message (docs/api.md §1.9): dropped, counted.
            json!({"id": 5, "availability": "Deleted"}),
            msg(7, 6, "2024-01-01T12:00:00Z"),
        ],
    );
    let out = transform_messages(&[page], &TransformOptions::new()).unwrap();
    let m = all_rows(table(&out, tables::MESSAGES));
    assert_eq!(i64s(&m, "id"), [Some(1), Some(6)]);
    assert_eq!(out.stats.records_read, 7);
    assert_eq!(out.stats.dead_letters, 4);
    assert_eq!(out.stats.deleted_stubs_dropped, 1);
    let idx: Vec<_> = out.dead_letters.iter().map(|d| d.record_index).collect();
    assert_eq!(idx, [Some(1), Some(2), Some(3), Some(4)]);
    assert!(
        out.dead_letters[2].reason.contains("creationTime"),
        "{}",
        out.dead_letters[2].reason
    );
    assert_eq!(out.dead_letters[3].raw, r#""not a message""#);
}

#[test]
fn days_filter_in_a_non_utc_zone_keeps_every_asked_day() {
    let tmp = tempfile::tempdir().unwrap();
    let page = mailbox_page(tmp.path(), 7, "page-00001.json");
    write_page(
        &page,
        &[
            // 07:30Z on March 10th is 23:30 on March 9th in Los Angeles.
            msg(7, 1, "2024-03-10T07:30:00Z"),
            msg(7, 2, "2024-03-10T20:00:00Z"),
            msg(7, 3, "2024-03-12T20:00:00Z"),
        ],
    );
    let la: Tz = "America/Los_Angeles".parse().unwrap();
    let days = BTreeSet::from([day("2024-03-09"), day("2024-03-11")]);
    let out = transform_messages(
        &[page],
        &TransformOptions::new()
            .with_time_zone(la)
            .with_days(days.clone()),
    )
    .unwrap();
    assert_eq!(out.stats.outside_days_dropped, 2);
    for t in &out.tables {
        assert_eq!(
            t.partitions.keys().copied().collect::<BTreeSet<_>>(),
            days,
            "{}",
            t.name
        );
        assert_eq!(t.partitions[&day("2024-03-11")].num_rows(), 0, "{}", t.name);
    }
    let m = &table(&out, tables::MESSAGES).partitions[&day("2024-03-09")];
    assert_eq!(i64s(m, "id"), [Some(1)]);
    assert_eq!(
        strings(m, "creation_time"),
        [Some("2024-03-10T07:30:00Z".to_owned())]
    );
    assert_eq!(
        table(&out, tables::MESSAGE_RECIPIENTS).partitions[&day("2024-03-09")].num_rows(),
        2
    );
    assert_eq!(
        table(&out, tables::MESSAGE_ATTACHMENTS).partitions[&day("2024-03-09")].num_rows(),
        1
    );
}

#[test]
fn single_message_and_bulk_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let single = mailbox_page(tmp.path(), 7, "page-00001.json");
    let mut one = msg(7, 1, "2024-01-01T00:00:00Z");
    one["vmSideRecipients"] = json!([{"name": "B", "extensionId": "9"}, {"name": "A"}]);
    write_json(&single, &one);
    let bulk = mailbox_page(tmp.path(), 7, "page-00002.json");
    write_json(
        &bulk,
        &json!([
            {"resourceId": "2", "status": 200, "body": msg(7, 2, "2024-01-01T01:00:00Z")},
            {"resourceId": "3", "status": 404, "body": {"errorCode": "CMN-102"}},
            {"resourceId": "4", "status": 200, "body": {"id": "x"}}
        ]),
    );
    let out = transform_messages(&[single, bulk.clone()], &TransformOptions::new()).unwrap();
    let m = all_rows(table(&out, tables::MESSAGES));
    assert_eq!(i64s(&m, "id"), [Some(1), Some(2)]);
    assert_eq!(out.stats.records_read, 4);
    assert_eq!(out.stats.bulk_items_skipped, 1);
    assert_eq!(out.dead_letters.len(), 1);
    assert_eq!(out.dead_letters[0].record_index, Some(2));
    let raw: Value = serde_json::from_str(&out.dead_letters[0].raw).unwrap();
    assert_eq!(raw, json!({"id": "x"}));
    assert_eq!(
        strings(&m, "vm_side_recipients_json")[0].as_deref(),
        Some(r#"[{"extensionId":"9","name":"B"},{"name":"A"}]"#)
    );
}

/// Messages over several days and mailboxes, with duplicates, a stub and a broken record.
fn corpus() -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..50i64 {
        let mailbox = 100 + i % 3;
        let id = 1000 + i % 37; // 13 ids appear twice (maybe in different mailboxes)
        let created = format!(
            "2024-04-{:02}T{:02}:{:02}:00Z",
            1 + i % 4,
            (i * 5) % 24,
            i % 60
        );
        let mut m = msg(mailbox, id, &created);
        m["lastModifiedTime"] = json!(format!("2024-05-01T00:00:{:02}Z", (i * 7) % 60));
        m["subject"] = json!(format!("copy {i}"));
        if i % 4 == 0 {
            m["attachments"] = json!([]);
        }
        if i % 9 == 0 {
            m["somethingNew"] = json!(i);
        }
        out.push(m);
    }
    out.insert(11, json!({"id": 1, "creationTime": 5}));
    out.insert(23, json!({"id": 1001, "availability": "Purged"}));
    out
}

/// Same output whatever the page split and the page-list order.
#[test]
fn output_is_independent_of_the_page_split() {
    let records = corpus();
    let mut reference = None;
    for per_page in [1, 4, 9, 100] {
        let tmp = tempfile::tempdir().unwrap();
        let mut pages: Vec<PathBuf> = records
            .chunks(per_page)
            .enumerate()
            .map(|(n, chunk)| {
                let p = tmp.path().join(format!("message-store/x/page-{n:05}.json"));
                write_page(&p, chunk);
                p
            })
            .collect();
        pages.reverse();
        let out = transform_messages(&pages, &TransformOptions::new()).unwrap();
        assert_eq!(out.stats.records_read, 52, "per_page {per_page}");
        assert_eq!(out.dead_letters.len(), 1, "per_page {per_page}");
        assert_eq!(out.stats.deleted_stubs_dropped, 1, "per_page {per_page}");
        let got: Vec<_> = out
            .tables
            .iter()
            .map(|t| (t.name, t.partitions.clone()))
            .collect();
        match &reference {
            None => reference = Some(got),
            Some(r) => assert_eq!(r, &got, "per_page {per_page}"),
        }
    }
    let reference = reference.unwrap();
    let rows: usize = reference[0].1.values().map(|b| b.num_rows()).sum();
    let keys: BTreeSet<(i64, i64)> = (0..50).map(|i| (100 + i % 3, 1000 + i % 37)).collect();
    assert_eq!(rows, keys.len());
}
