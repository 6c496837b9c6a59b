//! API values never become paths: ids and names with `/`, `..`, `%2F` or NUL are column
//! values like any other, the transform writes nothing, and a dead letter's `source` is the
//! page it came from, whatever the record says.

use std::path::{Path, PathBuf};

use arrow::util::display::{ArrayFormatter, FormatOptions};
use ringlake_transform::TransformOutput;
use serde_json::{Value, json};

use crate::fuzz::{Codec, KINDS, Kind, write_page};

/// Sorted, like their placeholders, so that rows sorted by id come in the same order.
const HOSTILE: [&str; 5] = [
    "%2F..%2Fescape",
    "../../etc/passwd",
    "/abs/olute",
    "a/b/c",
    "nul\u{0}byte",
];

fn placeholder(i: usize) -> String {
    format!("plain-value-{i}")
}

/// Records of `kind` whose free-text fields (and, for calls, ids) are `values`, plus one
/// unreadable record carrying `values[0]`.
fn page(kind: Kind, values: &[String]) -> Value {
    let mut records: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let n = i64::try_from(i).unwrap() + 1;
            match kind {
                Kind::CallLog | Kind::ActiveCalls => {
                    let mut r = crate::record(v, &format!("2024-01-01T1{i}:00:00Z"));
                    r["from"]["name"] = json!(v);
                    r["sessionId"] = json!(v);
                    r
                }
                Kind::Messages => json!({
                    "id": n,
                    "uri": format!("https://x/restapi/v1.0/account/1/extension/{v}/message-store/{n}"),
                    "creationTime": format!("2024-01-01T1{i}:00:00Z"),
                    "subject": v,
                    "from": {"name": v, "phoneNumber": v},
                    "to": [{"name": v}],
                    "attachments": [{"id": n, "uri": format!("https://x/{v}"), "fileName": v}]
                }),
                Kind::Extensions => json!({
                    "id": n,
                    "uri": format!("https://x/extension/{v}"),
                    "name": v,
                    "extensionNumber": v,
                    "contact": {"email": v}
                }),
            }
        })
        .collect();
    let bad = match kind {
        Kind::CallLog | Kind::ActiveCalls => json!({"id": values[0], "startTime": values[0]}),
        Kind::Messages | Kind::Extensions => json!({"id": values[0], "name": values[0]}),
    };
    records.push(bad);
    json!({ "records": records })
}

/// Every cell of every table as text, one line each.
fn cells(out: &TransformOutput) -> Vec<String> {
    let mut lines = Vec::new();
    for t in &out.tables {
        for (day, batch) in &t.partitions {
            for (c, field) in batch.schema().fields().iter().enumerate() {
                let column = batch.column(c);
                let f =
                    ArrayFormatter::try_new(column.as_ref(), &FormatOptions::default()).unwrap();
                for row in 0..batch.num_rows() {
                    lines.push(format!(
                        "{} {day} {row} {}={}",
                        t.name,
                        field.name(),
                        f.value(row)
                    ));
                }
            }
        }
    }
    lines
}

/// All files and directories below `dir`, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(tree(&p));
        }
        out.push(p);
    }
    out.sort();
    out
}

#[test]
fn hostile_ids_and_names_are_only_values() {
    assert!(HOSTILE.is_sorted());
    let hostile: Vec<String> = HOSTILE.iter().map(|s| (*s).to_owned()).collect();
    let plain: Vec<String> = (0..HOSTILE.len()).map(placeholder).collect();
    for kind in KINDS {
        let tmp = tempfile::tempdir().unwrap();
        let weird_page = write_page(
            kind,
            &tmp.path().join("weird"),
            page(kind, &hostile).to_string().as_bytes(),
            Codec::Zstd,
        );
        let plain_page = write_page(
            kind,
            &tmp.path().join("plain"),
            page(kind, &plain).to_string().as_bytes(),
            Codec::Zstd,
        );
        let before = tree(tmp.path());
        let weird = kind.run(std::slice::from_ref(&weird_page)).unwrap();
        let reference = kind.run(&[plain_page]).unwrap();
        assert_eq!(
            tree(tmp.path()),
            before,
            "{kind:?}: the transform writes nothing"
        );

        // Each value lands whole in the columns…
        let weird_cells = cells(&weird);
        for v in HOSTILE {
            assert!(
                weird_cells.iter().any(|c| c.ends_with(&format!("={v}"))),
                "{kind:?}: {v:?} is not a column value"
            );
        }
        // …and the output is otherwise what plain values give.
        let replaced: Vec<String> = weird_cells
            .iter()
            .map(|c| {
                HOSTILE
                    .iter()
                    .enumerate()
                    .fold(c.clone(), |c, (i, v)| c.replace(v, &placeholder(i)))
            })
            .collect();
        assert_eq!(replaced, cells(&reference), "{kind:?}");
        assert_eq!(weird.stats.records_read, HOSTILE.len() + 1, "{kind:?}");

        // The dead letter names the page it came from, and keeps the record as it was.
        assert_eq!(weird.dead_letters.len(), 1, "{kind:?}");
        let d = &weird.dead_letters[0];
        assert_eq!(d.source, weird_page.display().to_string(), "{kind:?}");
        let raw: Value = serde_json::from_str(&d.raw).unwrap();
        assert_eq!(raw["id"], HOSTILE[0], "{kind:?}");
    }
}
