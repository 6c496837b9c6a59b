//! Extension-list and active-calls snapshots: partition by the raw layout's snapshot dirs,
//! dedupe within a snapshot, layout errors; and `find_pages` pruning of message-store
//! span dirs.

use std::collections::BTreeSet;
use std::path::Path;

use ringlake_transform::Stream;
use ringlake_transform::{
    Error, TransformOptions, find_pages, tables, transform_active_calls, transform_extensions,
};
use serde_json::json;

use crate::{all_rows, i64s, record, strings, table, write_page};

fn ext(id: i64, name: &str) -> serde_json::Value {
    json!({"id": id, "uri": format!("https://x/account/1/extension/{id}"), "extensionNumber": "101",
           "name": name, "type": "User", "status": "Enabled",
           "site": {"id": "main-site", "name": "HQ"}, "roles": [{"id": "1", "autoAssigned": true}]})
}

#[test]
fn extensions_partition_by_snapshot_date_and_dedupe_within_it() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path();
    let d1p1 = raw.join("extensions/2024-05-06/page-00001.json");
    let d1p2 = raw.join("extensions/2024-05-06/page-00002.json");
    let d2 = raw.join("extensions/2024-05-07/page-00001.json");
    write_page(&d1p1, &[ext(3, "old name"), ext(1, "one")]);
    write_page(&d1p2, &[ext(3, "new name"), json!({"name": "no id"})]);
    write_page(&d2, &[ext(3, "next day")]);

    let pages = find_pages(raw, Stream::Extensions, None).unwrap();
    let out = transform_extensions(&pages, &TransformOptions::new()).unwrap();
    let t = table(&out, tables::EXTENSIONS);
    let days: Vec<String> = t.partitions.keys().map(ToString::to_string).collect();
    assert_eq!(days, ["2024-05-06", "2024-05-07"]);
    let first = &t.partitions[&"2024-05-06".parse().unwrap()];
    assert_eq!(i64s(first, "id"), [Some(1), Some(3)]);
    // The later page of the snapshot wins.
    assert_eq!(
        strings(first, "name"),
        [Some("one".to_owned()), Some("new name".to_owned())]
    );
    assert_eq!(
        strings(first, "roles_json")[0].as_deref(),
        Some(r#"[{"autoAssigned":true,"id":"1"}]"#)
    );
    assert_eq!(strings(first, "site_id")[0].as_deref(), Some("main-site"));
    assert_eq!(out.stats.duplicates_dropped, 1);
    assert_eq!(out.dead_letters.len(), 1);
    assert_eq!(out.dead_letters[0].table, "extensions");
    assert!(out.dead_letters[0].reason.contains("no id"));
    assert_eq!(all_rows(t).num_rows(), 3);

    // A day filter keeps the asked snapshot dates only.
    let days = BTreeSet::from(["2024-05-07".parse().unwrap()]);
    let pages = find_pages(raw, Stream::Extensions, Some(&days)).unwrap();
    assert_eq!(pages, [d2]);
}

#[test]
fn a_page_outside_the_snapshot_layout_fails_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let loose = tmp.path().join("extensions/page-00001.json");
    write_page(&loose, &[ext(1, "x")]);
    let err =
        transform_extensions(std::slice::from_ref(&loose), &TransformOptions::new()).unwrap_err();
    assert!(matches!(err, Error::Layout { .. }), "{err}");
    assert!(
        err.to_string().contains(&loose.display().to_string()),
        "{err}"
    );
    assert!(
        err.to_string().contains("extensions/<YYYY-MM-DD>/"),
        "{err}"
    );

    for rel in [
        "active-calls/2024-05-06/page-00001.json",
        "active-calls/2024-05-06/not-a-time/page-00001.json",
        "active-calls/someday/20240506T101500.000Z/page-00001.json",
    ] {
        let p = tmp.path().join(rel);
        write_page(&p, &[record("a", "2024-05-06T10:00:00Z")]);
        let err =
            transform_active_calls(std::slice::from_ref(&p), &TransformOptions::new()).unwrap_err();
        assert!(matches!(err, Error::Layout { .. }), "{rel}: {err}");
        assert!(err.to_string().contains(rel), "{err}");
    }
}

#[test]
fn active_calls_rows_per_snapshot_sorted_by_snapshot_then_id() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path();
    let snap = |dir: &str, page: &str| raw.join(format!("active-calls/{dir}/{page}"));
    let late = snap("2024-05-06/20240506T101500.000Z", "page-00001.json");
    let early_1 = snap("2024-05-06/20240506T100000.000Z", "page-00001.json");
    let early_2 = snap("2024-05-06/20240506T100000.000Z", "page-00002.json");
    let next_day = snap("2024-05-07/20240507T000500.000Z", "page-00001.json");
    write_page(&late, &[record("b", "2024-05-06T09:59:00Z")]);
    // The list shifted while paged: call "b" is on both pages of one snapshot.
    write_page(
        &early_1,
        &[
            record("b", "2024-05-06T09:59:00Z"),
            record("c", "2024-05-06T09:58:00Z"),
        ],
    );
    write_page(
        &early_2,
        &[
            record("b", "2024-05-06T09:59:00Z"),
            record("a", "2024-05-05T23:00:00Z"),
        ],
    );
    // The call started the day before; the partition is the snapshot's day.
    write_page(&next_day, &[record("z", "2024-05-06T23:59:00Z")]);

    let pages = find_pages(raw, Stream::ActiveCalls, None).unwrap();
    assert_eq!(pages.len(), 4);
    let out = transform_active_calls(&pages, &TransformOptions::new()).unwrap();
    assert_eq!(out.tables.len(), 1);
    assert_eq!(out.stats.duplicates_dropped, 1);
    let t = table(&out, tables::ACTIVE_CALLS);
    let d1 = &t.partitions[&"2024-05-06".parse().unwrap()];
    assert_eq!(
        strings(d1, "snapshot_time"),
        [
            Some("2024-05-06T10:00:00Z".to_owned()),
            Some("2024-05-06T10:00:00Z".to_owned()),
            Some("2024-05-06T10:00:00Z".to_owned()),
            Some("2024-05-06T10:15:00Z".to_owned()),
        ]
    );
    assert_eq!(
        strings(d1, "id"),
        ["a", "b", "c", "b"].map(|s| Some(s.to_owned()))
    );
    let d2 = &t.partitions[&"2024-05-07".parse().unwrap()];
    assert_eq!(strings(d2, "id"), [Some("z".to_owned())]);
    assert_eq!(d1.schema(), t.schema);
}

fn put_message_page(raw: &Path, rel: &str) {
    write_page(
        &raw.join(rel),
        &[json!({"id": 1, "creationTime": "2024-01-01T00:00:00Z"})],
    );
}

#[test]
fn find_pages_prunes_message_store_spans_that_hold_none_of_the_days() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path();
    for rel in [
        "message-store/2024-01-01_2024-01-31/100/page-00001.json",
        "message-store/2024-02-01_2024-02-01/100/page-00001.json",
        "message-store/2024-02-02_2024-02-10/100/page-00001.json",
        "message-store/2024-02-02_2024-02-10/101/page-00001.json",
        "message-store/2024-03-01_2024-02-01/100/page-00001.json", // not a span: kept
        "message-store/loose/page-00001.json",
    ] {
        put_message_page(raw, rel);
    }
    let rel = |pages: Vec<std::path::PathBuf>| -> Vec<String> {
        pages
            .iter()
            .map(|p| {
                p.strip_prefix(raw)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace('\\', "/")
            })
            .collect()
    };
    assert_eq!(
        find_pages(raw, Stream::MessageStore, None).unwrap().len(),
        6
    );
    let days = BTreeSet::from(["2024-01-31".parse().unwrap(), "2024-02-10".parse().unwrap()]);
    assert_eq!(
        rel(find_pages(raw, Stream::MessageStore, Some(&days)).unwrap()),
        [
            "message-store/2024-01-01_2024-01-31/100/page-00001.json",
            "message-store/2024-02-02_2024-02-10/100/page-00001.json",
            "message-store/2024-02-02_2024-02-10/101/page-00001.json",
            "message-store/2024-03-01_2024-02-01/100/page-00001.json",
            "message-store/loose/page-00001.json",
        ]
    );
    let days = BTreeSet::from(["2024-02-01".parse().unwrap()]);
    assert_eq!(
        rel(find_pages(raw, Stream::MessageStore, Some(&days)).unwrap()),
        [
            "message-store/2024-02-01_2024-02-01/100/page-00001.json",
            "message-store/2024-03-01_2024-02-01/100/page-00001.json",
            "message-store/loose/page-00001.json",
        ]
    );
}
