//! Integration tests of ringlake-transform: real sample pages, snapshot-checked, and the
//! behaviour rules (dedupe, days, time zones, dead letters, discovery, page-split sweep),
//! the columns' declared API sources, and `docs/lake.md` being current.

// Tests: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod behaviour;
mod discovery;
mod docs;
mod errors;
mod fuzz;
mod message_behaviour;
mod paths;
mod samples;
mod snapshot_streams;
mod sources;
mod stream_samples;

use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use ringlake_transform::{TableData, TransformOutput};
use serde_json::Value;

/// The real API samples, kept in the repository: `tests/fixtures/ringcentral/` (where each
/// came from is in its `SOURCES.md`).
pub fn samples_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ringcentral");
    assert!(dir.is_dir(), "the API samples are not at {}", dir.display());
    dir
}

/// Writes any JSON value to `path`, creating its directory.
pub fn write_json(path: &Path, value: &Value) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

/// The i64 values of one column of a batch (null → None).
pub fn i64s(batch: &RecordBatch, column: &str) -> Vec<Option<i64>> {
    use arrow::array::AsArray;
    batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<arrow::datatypes::Int64Type>()
        .iter()
        .collect()
}

/// Writes `{"records": [...]}` (plus a navigation block like the real thing) to `path`.
pub fn write_page(path: &Path, records: &[Value]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let page = serde_json::json!({
        "uri": "https://platform.ringcentral.com/restapi/v1.0/account/~/call-log?view=Detailed",
        "records": records,
        "paging": {"page": 1, "perPage": 1000},
        "navigation": {}
    });
    std::fs::write(path, serde_json::to_vec_pretty(&page).unwrap()).unwrap();
}

pub fn table<'a>(out: &'a TransformOutput, name: &str) -> &'a TableData {
    out.tables.iter().find(|t| t.name == name).unwrap()
}

/// All partitions of a table concatenated, in date order.
pub fn all_rows(t: &TableData) -> RecordBatch {
    let batches: Vec<RecordBatch> = t.partitions.values().cloned().collect();
    arrow::compute::concat_batches(&t.schema, &batches).unwrap()
}

/// A pretty-printed view of every table and partition, for snapshots.
pub fn render(out: &TransformOutput) -> String {
    let mut s = String::new();
    for t in &out.tables {
        for (date, batch) in &t.partitions {
            s.push_str(&format!(
                "## {} date={date} rows={}\n",
                t.name,
                batch.num_rows()
            ));
            s.push_str(
                &arrow::util::pretty::pretty_format_batches(std::slice::from_ref(batch))
                    .unwrap()
                    .to_string(),
            );
            s.push('\n');
        }
    }
    s
}

/// The string values of one column of a batch (null → None).
pub fn strings(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
    let col = batch.column_by_name(column).unwrap();
    let col = arrow::compute::cast(col, &arrow::datatypes::DataType::Utf8).unwrap();
    let col = col
        .as_any()
        .downcast_ref::<arrow::array::StringArray>()
        .unwrap();
    col.iter().map(|v| v.map(str::to_owned)).collect()
}

/// A minimal valid call-log record.
pub fn record(id: &str, start: &str) -> Value {
    serde_json::json!({
        "uri": format!("https://platform.ringcentral.com/restapi/v1.0/account/1/call-log/{id}?view=Detailed"),
        "id": id,
        "sessionId": "1",
        "startTime": start,
        "duration": 10,
        "type": "Voice",
        "direction": "Outbound",
        "action": "VoIP Call",
        "result": "Call connected",
        "to": {"phoneNumber": "+16505550100"},
        "from": {"phoneNumber": "+16505550199", "name": "Tester"}
    })
}
