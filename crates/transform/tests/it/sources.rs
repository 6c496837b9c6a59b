//! Every column's declared source (`ringlake.source`, shown in `docs/lake.md`) is the API
//! field its getter reads: for each column, a record whose source field is set to a new
//! value must give another column value than the same record without that change. A
//! source naming a field the getter does not read leaves the column alone, and fails.

use std::path::PathBuf;

use arrow::array::Array;
use arrow::datatypes::DataType;
use ringlake_transform::{
    Result, SOURCE_METADATA, TransformOptions, TransformOutput, schema_for, tables, transform,
    transform_active_calls, transform_call_log, transform_extensions, transform_messages,
};
use serde_json::{Value, json};

use crate::{all_rows, table, write_page};

type Transform = fn(&[PathBuf], &TransformOptions) -> Result<TransformOutput>;

/// One stream: its transform, where a page sits in the raw layout, and a base record.
struct Stream {
    transform: Transform,
    page: &'static str,
    base: Value,
}

fn stream_of(table_name: &str) -> Stream {
    // Two RingOut legs, so that `legs[].result` reaches both RingOut result columns, and a
    // recording, so that `call_recordings` has a row whose columns can change.
    let call = json!({
        "id": "c0",
        "startTime": "2020-01-01T12:00:00Z",
        "recording": {"id": "r0"},
        "legs": [
            {"startTime": "2020-01-01T12:00:00Z", "legType": "RingOutWebToCaller"},
            {"startTime": "2020-01-01T12:00:00Z", "legType": "RingOutWebToSubscriber"}
        ]
    });
    match table_name {
        tables::CALLS | tables::CALL_LEGS | tables::CALL_RECORDINGS => Stream {
            transform: transform_call_log,
            page: "call-log/2020-01-01/page-00001.json",
            base: call,
        },
        tables::ACTIVE_CALLS => Stream {
            transform: transform_active_calls,
            page: "active-calls/2020-01-01/20200101T120000.000Z/page-00001.json",
            base: call,
        },
        tables::MESSAGES | tables::MESSAGE_RECIPIENTS | tables::MESSAGE_ATTACHMENTS => Stream {
            transform: transform_messages,
            page: "message-store/2020-01-01_2020-01-02/11/page-00001.json",
            base: json!({
                "id": 1,
                "creationTime": "2020-01-01T12:00:00Z",
                "to": [{}],
                "attachments": [{}]
            }),
        },
        tables::EXTENSIONS => Stream {
            transform: transform_extensions,
            page: "extensions/2020-01-01/page-00001.json",
            base: json!({"id": 1}),
        },
        tables::ACCOUNT => Stream {
            transform: |pages, opts| transform(ringlake_transform::Stream::Account, pages, opts),
            page: "account/2020-01-01/page-00001.json",
            base: json!({"id": 1}),
        },
        other => panic!("no stream for table {other}"),
    }
}

/// A value for a column of type `t` that no base record holds.
fn test_value(column: &str, t: &DataType) -> Value {
    match t {
        // Lists the API sends whole are kept as JSON text.
        DataType::Utf8 if column.ends_with("_json") => json!([{"uri": "https://x/1"}]),
        DataType::Utf8 => json!("v-test"),
        DataType::Int32 | DataType::Int64 => json!(4242),
        DataType::Boolean => json!(true),
        DataType::Timestamp(..) => json!("2020-01-01T01:02:03.456Z"),
        DataType::Decimal128(..) => json!(1.25),
        DataType::List(_) => json!(["v-test"]),
        other => panic!("{column}: no test value for {other}"),
    }
}

/// Sets `path` (`a.b`, `a[].b`: in each element, `*`: a field no schema knows) to `leaf`.
fn set(v: &mut Value, path: &[&str], leaf: &Value) {
    let Some((seg, rest)) = path.split_first() else {
        return;
    };
    let obj = v.as_object_mut().unwrap();
    if let Some(key) = seg.strip_suffix("[]") {
        let items = obj.entry(key).or_insert_with(|| json!([]));
        let items = items.as_array_mut().unwrap();
        if items.is_empty() {
            items.push(json!({}));
        }
        for item in items {
            set(item, rest, leaf);
        }
    } else if rest.is_empty() {
        let key = if *seg == "*" { "zzNotInTheSpec" } else { seg };
        obj.insert(key.to_owned(), leaf.clone());
    } else {
        let child = obj.entry(*seg).or_insert_with(|| json!({}));
        set(child, rest, leaf);
    }
}

/// The rows of `column` of `table_name` after transforming the one-record page `record`.
fn column_values(stream: &Stream, table_name: &str, column: &str, record: &Value) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join(stream.page);
    if stream.page.starts_with("account/") {
        // The account is one object, not a list.
        std::fs::create_dir_all(page.parent().unwrap()).unwrap();
        std::fs::write(&page, serde_json::to_vec(record).unwrap()).unwrap();
    } else {
        write_page(&page, std::slice::from_ref(record));
    }
    let out = (stream.transform)(&[page], &TransformOptions::new()).unwrap();
    assert!(
        out.dead_letters.is_empty(),
        "{table_name}.{column}: {record} was set aside: {:?}",
        out.dead_letters
    );
    let rows = all_rows(table(&out, table_name));
    let col = rows.column_by_name(column).unwrap();
    (0..col.len())
        .map(|i| {
            if col.is_null(i) {
                "<null>".to_owned()
            } else {
                arrow::util::display::array_value_to_string(col, i).unwrap()
            }
        })
        .collect()
}

#[test]
fn every_source_field_feeds_its_column() {
    let mut derived = Vec::new();
    let mut checked = 0;
    for table_name in tables::ALL {
        let stream = stream_of(table_name);
        let schema = schema_for(table_name).unwrap();
        for field in schema.fields() {
            let column = field.name();
            let source = &field.metadata()[SOURCE_METADATA];
            if source.starts_with('(') {
                derived.push(format!("{table_name}.{column}"));
                continue;
            }
            let before = column_values(&stream, table_name, column, &stream.base);
            for path in source.split(", ") {
                let mut record = stream.base.clone();
                let segs: Vec<&str> = path.split('.').collect();
                set(&mut record, &segs, &test_value(column, field.data_type()));
                let after = column_values(&stream, table_name, column, &record);
                assert_ne!(
                    before, after,
                    "{table_name}.{column}: setting its source `{path}` did not change it \
                     ({record})"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 250, "only {checked} sources checked");
    // Values ringlake derives rather than reads: each is covered by a behaviour test
    // (leg and child indexes, counts, mailbox directories, snapshot directories). A new one
    // must be added here knowingly.
    assert_eq!(
        derived,
        [
            "calls.leg_count",
            "call_legs.leg_index",
            "messages.mailbox_extension_id",
            "messages.recipient_count",
            "messages.attachment_count",
            "message_recipients.mailbox_extension_id",
            "message_recipients.recipient_index",
            "message_attachments.mailbox_extension_id",
            "message_attachments.attachment_index",
            "active_calls.snapshot_time",
            "active_calls.leg_count",
        ]
    );
}
