//! The transform's rules, on small hand-made pages.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use ringlake_transform::Stream;
use ringlake_transform::{Error, TransformOptions, Tz, tables, transform_call_log};
use serde_json::{Value, json};

use crate::{all_rows, record, strings, table, write_page};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some((*s).to_owned())).collect()
}

fn leg(leg_type: &str, start: &str, result: &str) -> Value {
    json!({"startTime": start, "duration": 5, "type": "Voice", "direction": "Outbound",
           "action": "RingOut Web", "result": result, "legType": leg_type})
}

#[test]
fn ringout_caller_and_callee_results_from_legs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut two = record("two-legs", "2024-01-01T10:00:00Z");
    two["legs"] = json!([
        leg("RingOutWebToSubscriber", "2024-01-01T10:00:05Z", "Busy"),
        leg(
            "RingOutWebToCaller",
            "2024-01-01T10:00:00Z",
            "Call connected"
        ),
    ]);
    let mut one = record("one-leg", "2024-01-01T11:00:00Z");
    one["legs"] = json!([leg("RingOutClientToCaller", "2024-01-01T11:00:00Z", "Busy")]);
    let plain = record("plain", "2024-01-01T12:00:00Z");
    let page = tmp.path().join("page.json");
    write_page(&page, &[two, one, plain]);

    let out = transform_call_log(&[page], &TransformOptions::new()).unwrap();
    let calls = all_rows(table(&out, tables::CALLS));
    assert_eq!(
        strings(&calls, "id"),
        some(&["two-legs", "one-leg", "plain"])
    );
    assert_eq!(
        strings(&calls, "ringout_caller_result"),
        [
            Some("Call connected".to_owned()),
            Some("Busy".to_owned()),
            None
        ]
    );
    assert_eq!(
        strings(&calls, "ringout_callee_result"),
        [Some("Busy".to_owned()), None, None]
    );
    assert_eq!(strings(&calls, "leg_count"), some(&["2", "1", "0"]));

    // Legs keep their API index but are sorted by their own start time.
    let legs = all_rows(table(&out, tables::CALL_LEGS));
    assert_eq!(
        strings(&legs, "call_id"),
        some(&["two-legs", "two-legs", "one-leg"])
    );
    assert_eq!(strings(&legs, "leg_index"), some(&["1", "0", "0"]));
    assert_eq!(strings(&legs, "master"), some(&["false", "false", "false"]));
}

#[test]
fn unknown_fields_go_to_extra_json() {
    let tmp = tempfile::tempdir().unwrap();
    let mut r = record("x", "2024-01-01T10:00:00Z");
    r["zNew"] = json!({"b": 1, "a": [true, null]});
    r["from"]["mood"] = json!("calm");
    r["billing"] = json!({"costIncluded": 0.5, "currency": "USD"});
    r["legs"] = json!([{"startTime": "2024-01-01T10:00:00Z", "legType": "Accept", "legNew": 7}]);
    let page = tmp.path().join("page.json");
    write_page(&page, &[r, record("y", "2024-01-01T11:00:00Z")]);

    let out = transform_call_log(&[page], &TransformOptions::new()).unwrap();
    let calls = all_rows(table(&out, tables::CALLS));
    assert_eq!(
        strings(&calls, "extra_json"),
        [Some(r#"{"billing":{"currency":"USD"},"from":{"mood":"calm"},"zNew":{"a":[true,null],"b":1}}"#.to_owned()), None]
    );
    assert_eq!(
        strings(&calls, "billing_cost_included")[0].as_deref(),
        Some("0.500000")
    );
    let legs = all_rows(table(&out, tables::CALL_LEGS));
    assert_eq!(
        strings(&legs, "extra_json"),
        [Some(r#"{"legNew":7}"#.to_owned())]
    );
}

#[test]
fn bad_record_is_a_dead_letter_and_the_rest_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bad_time = record("bad-time", "2024-01-01T10:00:00Z");
    bad_time["startTime"] = json!("yesterday");
    let mut bad_money = record("bad-money", "2024-01-01T10:00:00Z");
    bad_money["billing"] = json!({"costIncluded": 0.30000000000000004});
    let page = tmp.path().join("page-00001.json");
    write_page(
        &page,
        &[
            record("a", "2024-01-01T09:00:00Z"),
            bad_time,
            json!(42),
            record("b", "2024-01-01T11:00:00Z"),
            bad_money,
        ],
    );

    let out = transform_call_log(std::slice::from_ref(&page), &TransformOptions::new()).unwrap();
    assert_eq!(
        strings(&all_rows(table(&out, tables::CALLS)), "id"),
        some(&["a", "b"])
    );
    assert_eq!(out.stats.records_read, 5);
    assert_eq!(out.stats.dead_letters, 3);
    let idx: Vec<_> = out.dead_letters.iter().map(|d| d.record_index).collect();
    assert_eq!(idx, [Some(1), Some(2), Some(4)]);
    let d = &out.dead_letters[0];
    assert_eq!(d.table, "calls");
    assert_eq!(d.source, page.display().to_string());
    assert!(d.reason.contains("yesterday"), "{}", d.reason);
    let raw: Value = serde_json::from_str(&d.raw).unwrap();
    assert_eq!(raw["id"], "bad-time");
    assert_eq!(out.dead_letters[1].raw, "42");
    assert!(
        out.dead_letters[2].reason.contains("decimal"),
        "{}",
        out.dead_letters[2].reason
    );
    // Dead letters serialise (the CLI writes them as JSON lines).
    let line = serde_json::to_string(d).unwrap();
    assert!(line.contains("\"record_index\":1"), "{line}");
}

#[test]
fn a_page_that_is_not_a_list_envelope_fails_the_run_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("page-00001.json");
    write_page(&good, &[record("a", "2024-01-01T09:00:00Z")]);
    for (name, bytes) in [
        ("truncated.json", br#"{"records":[{"id":"a""#.to_vec()),
        ("array.json", b"[1,2]".to_vec()),
        ("no-records.json", br#"{"uri":"x"}"#.to_vec()),
        ("garbage.json.zst", b"not zstd at all".to_vec()),
        ("garbage.json.gz", b"not gzip at all".to_vec()),
    ] {
        let bad = tmp.path().join(name);
        std::fs::write(&bad, bytes).unwrap();
        let err = transform_call_log(&[good.clone(), bad], &TransformOptions::new()).unwrap_err();
        assert!(
            matches!(err, Error::CorruptPage { .. } | Error::Decompress { .. }),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(name), "{err}");
    }
    let missing = tmp.path().join("missing.json");
    let err = transform_call_log(&[missing], &TransformOptions::new()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

#[test]
fn duplicates_keep_the_newest_last_modified_time_in_any_page_order() {
    let tmp = tempfile::tempdir().unwrap();
    let version = |lmt: Option<&str>, result: &str| {
        let mut r = record("dup", "2024-01-01T10:00:00Z");
        r["result"] = json!(result);
        if let Some(t) = lmt {
            r["lastModifiedTime"] = json!(t);
        }
        r
    };
    let a = tmp.path().join("a.json");
    let b = tmp.path().join("b.json");
    let c = tmp.path().join("c.json");
    write_page(
        &a,
        &[
            version(Some("2024-01-02T00:00:00Z"), "newest"),
            record("other", "2024-01-01T09:00:00Z"),
        ],
    );
    write_page(&b, &[version(Some("2024-01-01T12:00:00Z"), "older")]);
    write_page(&c, &[version(None, "no-lmt")]);

    for order in [
        vec![a.clone(), b.clone(), c.clone()],
        vec![c.clone(), b.clone(), a.clone()],
    ] {
        let out = transform_call_log(&order, &TransformOptions::new()).unwrap();
        let calls = all_rows(table(&out, tables::CALLS));
        assert_eq!(strings(&calls, "id"), some(&["other", "dup"]));
        assert_eq!(strings(&calls, "result")[1].as_deref(), Some("newest"));
        assert_eq!(out.stats.duplicates_dropped, 2);
    }

    // Ties: the copy from the later page file (by path) wins, whatever the input order.
    let x = tmp.path().join("x.json");
    let y = tmp.path().join("y.json");
    write_page(&x, &[version(Some("2024-01-01T12:00:00Z"), "from-x")]);
    write_page(&y, &[version(Some("2024-01-01T12:00:00Z"), "from-y")]);
    for order in [vec![x.clone(), y.clone()], vec![y.clone(), x.clone()]] {
        let out = transform_call_log(&order, &TransformOptions::new()).unwrap();
        let calls = all_rows(table(&out, tables::CALLS));
        assert_eq!(strings(&calls, "result"), some(&["from-y"]));
    }
}

fn with_recording_and_leg(id: &str, start: &str) -> Value {
    let mut r = record(id, start);
    r["recording"] =
        json!({"id": format!("rec-{id}"), "uri": "u", "type": "Automatic", "contentUri": "c"});
    r["legs"] = json!([{"startTime": start, "legType": "Accept", "result": "Accepted",
                        "recording": {"id": format!("rec-{id}"), "uri": "u", "type": "Automatic", "contentUri": "c"}}]);
    r
}

#[test]
fn day_filter_drops_other_days_and_keeps_empty_days() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("page.json");
    write_page(
        &page,
        &[
            with_recording_and_leg("d1", "2024-01-01T10:00:00Z"),
            with_recording_and_leg("d2", "2024-01-02T10:00:00Z"),
            with_recording_and_leg("d5", "2024-01-05T10:00:00Z"),
        ],
    );
    let days = BTreeSet::from([day("2024-01-02"), day("2024-01-03")]);
    let out =
        transform_call_log(&[page], &TransformOptions::new().with_days(days.clone())).unwrap();
    assert_eq!(out.stats.outside_days_dropped, 2);
    for t in &out.tables {
        let got: BTreeSet<_> = t.partitions.keys().copied().collect();
        assert_eq!(got, days, "{}", t.name);
        assert_eq!(t.partitions[&day("2024-01-02")].num_rows(), 1, "{}", t.name);
        let empty = &t.partitions[&day("2024-01-03")];
        assert_eq!(empty.num_rows(), 0, "{}", t.name);
        assert_eq!(empty.schema(), t.schema, "{}", t.name);
    }
}

#[test]
fn without_a_day_filter_all_tables_share_the_days_of_calls() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("page.json");
    write_page(
        &page,
        &[
            with_recording_and_leg("d1", "2024-01-01T10:00:00Z"),
            record("d2", "2024-01-02T10:00:00Z"),
        ],
    );
    let out = transform_call_log(&[page], &TransformOptions::new()).unwrap();
    for t in &out.tables {
        assert_eq!(
            t.partitions.keys().copied().collect::<Vec<_>>(),
            [day("2024-01-01"), day("2024-01-02")],
            "{}",
            t.name
        );
    }
    // Day 2 has a call but no legs: its legs partition is there, empty, so a re-run
    // clears legs a previous run wrote for that day.
    assert_eq!(
        table(&out, tables::CALL_LEGS).partitions[&day("2024-01-02")].num_rows(),
        0
    );
}

#[test]
fn partitions_follow_the_time_zone_and_children_follow_their_call() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("page.json");
    // 07:30Z on March 10th is 23:30 on March 9th in Los Angeles; its leg starts an hour
    // later (00:30 local on the 10th) but stays with its call.
    let mut r = with_recording_and_leg("late", "2024-03-10T07:30:00Z");
    r["legs"][0]["startTime"] = json!("2024-03-10T08:30:00Z");
    write_page(&page, &[r, record("noon", "2024-03-10T20:00:00Z")]);

    let la: Tz = "America/Los_Angeles".parse().unwrap();
    let out = transform_call_log(
        std::slice::from_ref(&page),
        &TransformOptions::new().with_time_zone(la),
    )
    .unwrap();
    let calls = table(&out, tables::CALLS);
    assert_eq!(
        strings(&calls.partitions[&day("2024-03-09")], "id"),
        some(&["late"])
    );
    assert_eq!(
        strings(&calls.partitions[&day("2024-03-10")], "id"),
        some(&["noon"])
    );
    assert_eq!(
        table(&out, tables::CALL_LEGS).partitions[&day("2024-03-09")].num_rows(),
        1
    );
    assert_eq!(
        table(&out, tables::CALL_RECORDINGS).partitions[&day("2024-03-09")].num_rows(),
        1
    );
    // Timestamps stay UTC instants whatever the partition zone.
    assert_eq!(
        strings(&calls.partitions[&day("2024-03-09")], "start_time"),
        some(&["2024-03-10T07:30:00Z"])
    );

    let utc = transform_call_log(&[page], &TransformOptions::new()).unwrap();
    assert_eq!(
        table(&utc, tables::CALLS)
            .partitions
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        [day("2024-03-10")]
    );
}

/// A deterministic mix of records: several days, legs, recordings, unknown fields,
/// duplicates (with and without lastModifiedTime) and one unreadable record.
fn corpus() -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..60u32 {
        let id = format!("id-{:02}", i % 47); // ids 0..13 appear twice
        let start = format!(
            "2024-02-{:02}T{:02}:{:02}:00.{:03}Z",
            1 + i % 3,
            (i * 7) % 24,
            (i * 13) % 60,
            i
        );
        let mut r = record(&id, &start);
        r["duration"] = json!(i);
        if i % 4 == 0 {
            r["lastModifiedTime"] = json!(format!("2024-03-01T00:00:{:02}Z", i % 50));
        }
        if i % 3 == 0 {
            r = {
                let mut with = with_recording_and_leg(&id, &start);
                with["duration"] = json!(i);
                with
            };
        }
        if i % 5 == 0 {
            r["billing"] = json!({"costIncluded": 0.137, "costPurchased": i as f64 / 8.0});
        }
        if i % 11 == 0 {
            r["somethingNew"] = json!({"n": i});
        }
        out.push(r);
    }
    out.insert(17, json!({"id": "broken", "startTime": 12}));
    out
}

fn compressed_page(dir: &std::path::Path, n: usize, records: &[Value]) -> PathBuf {
    let plain =
        serde_json::to_vec(&json!({"records": records, "paging": {"perPage": 1000}})).unwrap();
    let (ext, bytes) = match n % 3 {
        0 => ("json", plain),
        1 => ("json.gz", {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&plain).unwrap();
            e.finish().unwrap()
        }),
        _ => ("json.zst", zstd::encode_all(plain.as_slice(), 3).unwrap()),
    };
    let path = dir.join(format!("page-{n:05}.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Same output whatever the page split, compression and page-list order.
#[test]
fn batch_boundary_sweep() {
    let records = corpus();
    let mut reference = None;
    for per_page in [1, 3, 7, 100] {
        let tmp = tempfile::tempdir().unwrap();
        let mut pages: Vec<PathBuf> = records
            .chunks(per_page)
            .enumerate()
            .map(|(n, chunk)| compressed_page(tmp.path(), n, chunk))
            .collect();
        pages.reverse();
        let out = transform_call_log(&pages, &TransformOptions::new()).unwrap();
        assert_eq!(out.stats.records_read, 61, "per_page {per_page}");
        assert_eq!(out.stats.duplicates_dropped, 13, "per_page {per_page}");
        assert_eq!(out.dead_letters.len(), 1, "per_page {per_page}");
        let rendered: Vec<_> = out
            .tables
            .iter()
            .map(|t| (t.name, t.partitions.clone()))
            .collect();
        match &reference {
            None => reference = Some(rendered),
            Some(r) => assert_eq!(r, &rendered, "per_page {per_page}"),
        }
    }
    let reference = reference.unwrap();
    let calls: usize = reference[0].1.values().map(|b| b.num_rows()).sum();
    assert_eq!(calls, 47);
}

/// Large pages are read and built a few records at a time: a call's legs and recording
/// stay with it across those steps, whether the page is read in one pass or record by
/// record (a page with an unreadable record), and the tables equal those of one record
/// per page.
#[test]
fn large_pages_are_built_whole() {
    let records: Vec<Value> = (0..300u32)
        .map(|i| {
            let (id, start) = (
                format!("big-{i:03}"),
                format!("2024-02-01T{:02}:{:02}:00Z", i % 24, (i * 7) % 60),
            );
            if i % 3 == 0 {
                with_recording_and_leg(&id, &start)
            } else {
                record(&id, &start)
            }
        })
        .collect();
    let mut with_broken = records.clone();
    with_broken.insert(150, json!({"id": "broken", "startTime": 12}));
    let mut reference = None;
    for (name, chunks) in [
        ("one record a page", records.chunks(1).collect::<Vec<_>>()),
        ("one page", vec![records.as_slice()]),
        ("one page with a bad record", vec![with_broken.as_slice()]),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let pages: Vec<PathBuf> = chunks
            .iter()
            .enumerate()
            .map(|(n, chunk)| compressed_page(tmp.path(), n * 3, chunk))
            .collect();
        let out = transform_call_log(&pages, &TransformOptions::new()).unwrap();
        let rendered: Vec<_> = out
            .tables
            .iter()
            .map(|t| (t.name, t.partitions.clone()))
            .collect();
        let rows: Vec<usize> = rendered
            .iter()
            .map(|(_, p)| p.values().map(|b| b.num_rows()).sum())
            .collect();
        assert_eq!(rows, [300, 100, 100], "{name}");
        match &reference {
            None => reference = Some(rendered),
            Some(r) => assert_eq!(r, &rendered, "{name}"),
        }
    }
}

/// Day windows are transformed oldest first and each day is handed over as soon as no later
/// window can add to it (a window reaches two days either side): a corrupt page further on
/// stops the run with the finished days handed over and the others not.
#[test]
fn days_are_emitted_as_their_windows_complete() {
    use ringlake_transform::transform_by_day;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("call-log");
    for (d, n) in [
        ("2024-02-01", 3),
        ("2024-02-02", 2),
        ("2024-02-03", 1),
        ("2024-02-05", 1),
    ] {
        let records: Vec<Value> = (0..n)
            .map(|i| record(&format!("{d}-{i}"), &format!("{d}T12:0{i}:00Z")))
            .collect();
        write_page(&raw.join(d).join("page-00001.json"), &records);
    }
    // A duplicate of a 2024-02-01 record in the next window, newer: it must win.
    let mut newer = record("2024-02-01-0", "2024-02-01T12:00:00Z");
    newer["lastModifiedTime"] = json!("2024-02-05T00:00:00Z");
    newer["duration"] = json!(99);
    write_page(&raw.join("2024-02-02").join("page-00002.json"), &[newer]);
    std::fs::create_dir_all(raw.join("2024-02-06")).unwrap();
    std::fs::write(
        raw.join("2024-02-06").join("page-00001.json"),
        b"{\"records\": [",
    )
    .unwrap();

    let pages = ringlake_transform::find_pages(tmp.path(), Stream::CallLog, None).unwrap();
    let mut emitted = Vec::new();
    let err = transform_by_day(Stream::CallLog, &pages, &TransformOptions::new(), |d| {
        let calls = &d.batches[0];
        assert_eq!(calls.0, tables::CALLS);
        emitted.push((d.day, calls.1.num_rows(), d.batches.len()));
        if d.day == day("2024-02-01") {
            let durations = strings(&calls.1, "duration");
            assert!(durations.contains(&Some("99".to_owned())), "{durations:?}");
        }
        Ok(())
    })
    .unwrap_err();
    assert!(matches!(err, Error::CorruptPage { .. }), "{err}");
    // Window 2024-02-05 completes the days up to 2024-02-03 (no later window holds records
    // more than two days before its own); 2024-02-06 is never reached.
    assert_eq!(
        emitted,
        [
            (day("2024-02-01"), 3, 3),
            (day("2024-02-02"), 2, 3),
            (day("2024-02-03"), 1, 3)
        ]
    );

    // Without the corrupt page every day is handed over once, in order: those the last
    // window completed and those left after it.
    std::fs::remove_dir_all(raw.join("2024-02-06")).unwrap();
    let pages = ringlake_transform::find_pages(tmp.path(), Stream::CallLog, None).unwrap();
    let mut emitted = Vec::new();
    transform_by_day(Stream::CallLog, &pages, &TransformOptions::new(), |d| {
        emitted.push((d.day, d.batches[0].1.num_rows()));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        emitted,
        [
            (day("2024-02-01"), 3),
            (day("2024-02-02"), 2),
            (day("2024-02-03"), 1),
            (day("2024-02-05"), 1)
        ]
    );
}

/// Call-log day windows under `dir` of one call each, (window, id, start), and their pages.
fn one_call_windows(dir: &std::path::Path, calls: &[(&str, &str, &str)]) -> Vec<PathBuf> {
    for (window, id, start) in calls {
        write_page(
            &dir.join("call-log").join(window).join("page-00001.json"),
            &[record(id, start)],
        );
    }
    ringlake_transform::find_pages(dir, Stream::CallLog, None).unwrap()
}

/// A record further from its window than any time zone explains finds its day already
/// handed over: the run stops with an error naming the page, and that day is not handed
/// over a second time with only the late record.
#[test]
fn a_record_beyond_its_windows_reach_stops_the_run() {
    use ringlake_transform::transform_by_day;
    let tmp = tempfile::tempdir().unwrap();
    let pages = one_call_windows(
        tmp.path(),
        &[
            ("2024-02-01", "a", "2024-02-01T10:00:00Z"),
            ("2024-02-02", "b", "2024-02-02T10:00:00Z"),
            ("2024-02-03", "c", "2024-02-03T10:00:00Z"),
            ("2024-02-04", "d", "2024-02-04T10:00:00Z"),
            ("2024-02-05", "late", "2024-02-02T11:00:00Z"),
        ],
    );
    let mut emitted = Vec::new();
    let err = transform_by_day(Stream::CallLog, &pages, &TransformOptions::new(), |d| {
        emitted.push(d.day);
        Ok(())
    })
    .unwrap_err();
    assert!(
        matches!(&err, Error::OutsideWindow { path, day: d }
            if path.ends_with("2024-02-05/page-00001.json") && *d == day("2024-02-02")),
        "{err}"
    );
    assert_eq!(emitted, [day("2024-02-01"), day("2024-02-02")]);
}

/// The farthest a window reaches: cut in UTC+14 and partitioned in UTC−12, window
/// 2024-02-03 starts on 2024-02-01 in the partition zone. That record still joins its day,
/// which is handed over once, whole, after that window.
#[test]
fn a_record_two_days_before_its_window_joins_its_day() {
    use ringlake_transform::transform_by_day;
    let tmp = tempfile::tempdir().unwrap();
    let pages = one_call_windows(
        tmp.path(),
        &[
            ("2024-02-01", "a", "2024-02-01T23:00:00Z"),
            ("2024-02-02", "b", "2024-02-02T23:00:00Z"),
            // 10:30Z is 2024-02-03 00:30 at UTC+14 and 2024-02-01 22:30 at UTC−12.
            ("2024-02-03", "c", "2024-02-02T10:30:00Z"),
            ("2024-02-04", "d", "2024-02-04T23:00:00Z"),
        ],
    );
    let utc_minus_12 = "Etc/GMT+12".parse().unwrap();
    let mut emitted = Vec::new();
    transform_by_day(
        Stream::CallLog,
        &pages,
        &TransformOptions::new().with_time_zone(utc_minus_12),
        |d| {
            emitted.push((d.day, strings(&d.batches[0].1, "id")));
            Ok(())
        },
    )
    .unwrap();
    let ids = |v: &[&str]| v.iter().map(|s| Some((*s).to_owned())).collect::<Vec<_>>();
    assert_eq!(
        emitted,
        [
            (day("2024-02-01"), ids(&["a", "c"])),
            (day("2024-02-02"), ids(&["b"])),
            (day("2024-02-04"), ids(&["d"])),
        ]
    );
}

/// Timestamps at the edges of chrono's range (the API's reader takes signed years of any
/// width, issue 17): in a zone other than UTC their local day may not exist, so the record
/// is a dead letter, never a panic; its neighbours are kept.
#[test]
fn a_start_time_at_the_range_edge_is_a_dead_letter_in_every_zone() {
    use ringlake_transform::transform_by_day;
    let edges = [
        "+262142-12-31T23:59:59.999",
        "+262142-12-31T23:59:59+0000",
        "+262142-12-31T11:59:59-1200",
        "-262143-01-01T00:00:00",
        "-262143-01-01T14:00:00+1400",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut records = vec![record("ok", "2024-01-01T10:00:00Z")];
    records.extend(
        edges
            .iter()
            .enumerate()
            .map(|(i, t)| record(&format!("edge{i}"), t)),
    );
    // Its own window, so that the window's reach is checked too.
    let page = tmp.path().join("call-log/2024-01-01/page-00001.json");
    write_page(&page, &records);
    for tz in [
        Tz::UTC,
        chrono_tz::America::Los_Angeles,
        chrono_tz::Asia::Tokyo,
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::Etc::GMTPlus12,
    ] {
        let opts = TransformOptions::new().with_time_zone(tz);
        let out = transform_call_log(std::slice::from_ref(&page), &opts).unwrap();
        assert_eq!(
            strings(&all_rows(table(&out, tables::CALLS)), "id"),
            some(&["ok"]),
            "{tz}"
        );
        let idx: Vec<_> = out.dead_letters.iter().map(|d| d.record_index).collect();
        assert_eq!(idx, (1..=edges.len()).map(Some).collect::<Vec<_>>(), "{tz}");
        for d in &out.dead_letters {
            assert!(d.reason.contains("startTime"), "{tz}: {}", d.reason);
        }
        let mut days = Vec::new();
        transform_by_day(Stream::CallLog, std::slice::from_ref(&page), &opts, |d| {
            days.push(d.day);
            Ok(())
        })
        .unwrap();
        assert_eq!(days.len(), 1, "{tz}");
    }
    // 20:00Z on chrono's second-to-last day is already its last day in Tokyo, a day
    // without a representable end: a dead letter there, a row in UTC.
    let page = tmp.path().join("call-log/2024-01-02/page-00001.json");
    write_page(&page, &[record("late", "+262142-12-30T20:00:00+0000")]);
    let run = |tz| {
        let opts = TransformOptions::new().with_time_zone(tz);
        transform_call_log(std::slice::from_ref(&page), &opts).unwrap()
    };
    let utc = run(Tz::UTC);
    assert_eq!(
        table(&utc, tables::CALLS)
            .partitions
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        [NaiveDate::MAX.pred_opt().unwrap()]
    );
    let tokyo = run(chrono_tz::Asia::Tokyo);
    assert_eq!(all_rows(table(&tokyo, tables::CALLS)).num_rows(), 0);
    assert_eq!(tokyo.dead_letters.len(), 1);
}
