//! The extension list (docs/api.md §1.7, #12, group Medium): a snapshot of every extension
//! of the account, landed raw under `<raw>/extensions/<snapshot day>/`, and read just
//! enough (id, type, status) to know whose message store to read.

use std::collections::BTreeSet;
use std::collections::HashSet;

use chrono::NaiveDate;
use ringlake_model::ListPage;
use serde::Deserialize;
use serde_json::Value;
use tracing::{info, warn};

use crate::client::ApiClient;
use crate::error::Result;
use crate::landing::StreamDir;
use crate::options::ExtractOptions;
use crate::outcome::{Extracted, RunDays, mb};
use crate::pacer::RateGroup;
use crate::paging::{Window, fetch_pages};
use crate::progress::Progress;
use ringlake_contracts::Stream;
use ringlake_contracts::raw::{Window as RawWindow, day_dir_name};

/// Stream name: the raw directory `<raw>/extensions/`.
pub(crate) const STREAM: Stream = Stream::Extensions;
const EXTENSION_LIST_PATH: &str = "/restapi/v1.0/account/~/extension";

/// One extension of the account, as far as extract needs it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtensionRef {
    /// `id` (int64, docs/api.md §3.5).
    pub id: i64,
    /// `type` (`User`, `Department`, `IvrMenu`, … — an open set, §3.6), when sent.
    pub r#type: Option<String>,
    /// `status` (`Enabled`, `Disabled`, `NotActivated`, …), when sent.
    pub status: Option<String>,
}

impl ExtensionRef {
    /// An extension of unknown type and status.
    pub fn new(id: i64) -> Self {
        ExtensionRef {
            id,
            r#type: None,
            status: None,
        }
    }

    /// Sets the extension's `type`, as the list sent it.
    pub fn with_type(mut self, r#type: impl Into<String>) -> Self {
        self.r#type = Some(r#type.into());
        self
    }

    /// Sets the extension's `status`, as the list sent it.
    pub fn with_status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }
}

/// What [`extract_extensions`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtensionsSummary {
    /// The extensions read, in list order, each id once.
    pub extensions: Vec<ExtensionRef>,
    /// Pages of the extension list fetched.
    pub pages: u32,
    /// Records on the pages, the unreadable ones included.
    pub records: u64,
    /// Body bytes (uncompressed).
    pub bytes: u64,
    /// Records whose `id` could not be read (kept raw on disk, left out of `extensions`).
    pub unreadable_records: u64,
    /// The fewest requests paging allows for the list ([`crate::paging_minimum`]).
    pub min_requests: u64,
}

impl Extracted for ExtensionsSummary {
    fn summary(&self) -> String {
        format!(
            "{} extensions, {} pages, {:.1} MB",
            self.records,
            self.pages,
            mb(self.bytes)
        )
    }
    fn records(&self) -> u64 {
        self.records
    }
    fn paging_minimum(&self) -> Option<u64> {
        Some(self.min_requests)
    }
    /// The snapshot's date.
    fn loadable_days(&self, days: RunDays<'_>) -> BTreeSet<NaiveDate> {
        BTreeSet::from([days.snapshot_day])
    }
}

/// The fields extract reads of an extension record. Kept loose: only `id` must make sense.
#[derive(Deserialize)]
struct ExtensionRecord {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default, rename = "type")]
    kind: Option<Value>,
    #[serde(default)]
    status: Option<Value>,
}

/// `id` as a JSON integer (§8), or a numeric string; never through `f64`.
fn read_id(id: &Value) -> Option<i64> {
    match id {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn read_record(raw: &str) -> Option<ExtensionRef> {
    let record: ExtensionRecord = serde_json::from_str(raw).ok()?;
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Some(ExtensionRef {
        id: read_id(record.id.as_ref()?)?,
        r#type: text(record.kind),
        status: text(record.status),
    })
}

/// Reads the extensions of one page body into `out`; returns how many records could not
/// be read.
fn read_page(body: &[u8], out: &mut Vec<ExtensionRef>) -> u64 {
    let Ok(page) = serde_json::from_slice::<ListPage<'_>>(body) else {
        // The client checked the envelope already; this cannot happen on a body it passed.
        return 0;
    };
    let mut unreadable = 0;
    for record in page.records {
        match read_record(record.get()) {
            Some(ext) => out.push(ext),
            None => unreadable += 1,
        }
    }
    unreadable
}

/// Fetches the whole extension list (every status and type: no filter, §1.7) into
/// `<raw>/extensions/<snapshot_day>/`, replacing an earlier snapshot of that day.
///
/// Any error aborts: without the list, the message store cannot be read.
pub async fn extract_extensions(
    client: &ApiClient,
    opts: &ExtractOptions,
    snapshot_day: NaiveDate,
    progress: &dyn Progress,
) -> Result<ExtensionsSummary> {
    opts.validate()?;
    let stream = StreamDir::new(&opts.raw_dir, STREAM);
    stream.prepare()?;
    let staging = stream.stage(&RawWindow::Day(snapshot_day))?;
    let label = format!("{STREAM} {}", day_dir_name(snapshot_day));
    let mut read = Vec::new();
    let mut unreadable_records = 0;
    let done = fetch_pages(
        client,
        RateGroup::of(STREAM),
        first_page(opts.per_page),
        &staging,
        Window {
            label: &label,
            day: snapshot_day,
        },
        progress,
        &mut |body| unreadable_records += read_page(body, &mut read),
    )
    .await?;
    let dir = staging.publish().await?;
    if unreadable_records > 0 {
        warn!(
            unreadable_records,
            "Extension records without a readable id; their message stores are not read."
        );
    }
    // The list may shift while it is paged; an id seen twice is one mailbox.
    let mut seen = HashSet::new();
    read.retain(|e| seen.insert(e.id));
    info!(
        extensions = read.len(),
        pages = done.pages,
        dir = %dir.display(),
        "Extension list extracted."
    );
    Ok(ExtensionsSummary {
        extensions: read,
        pages: done.pages,
        records: done.records,
        bytes: done.bytes,
        unreadable_records,
        min_requests: crate::paging_minimum(done.records, opts.per_page),
    })
}

fn first_page(per_page: u32) -> String {
    format!("{EXTENSION_LIST_PATH}?perPage={per_page}&page=1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_leniently_and_ids_exactly() {
        let body = br#"{"records":[
            {"id":208594004,"type":"User","status":"Enabled","name":"A"},
            {"id":"9007199254740993","type":"Department"},
            {"id":9223372036854775807},
            {"id":1.5,"type":"User"},
            {"type":"User"},
            {"id":18446744073709551615},
            {"id":{"x":1}},
            "not an object"
        ],"paging":{"perPage":1000}}"#;
        let mut out = Vec::new();
        let unreadable = read_page(body, &mut out);
        assert_eq!(unreadable, 5);
        assert_eq!(
            out,
            [
                ExtensionRef::new(208594004)
                    .with_type("User")
                    .with_status("Enabled"),
                // 2^53 + 1: not representable as f64, kept exact.
                ExtensionRef::new(9_007_199_254_740_993).with_type("Department"),
                ExtensionRef::new(i64::MAX),
            ]
        );
        let mut out = Vec::new();
        assert_eq!(
            read_page(
                br#"{"records":[{"id":7,"type":{"odd":true},"status":3}]}"#,
                &mut out
            ),
            0
        );
        assert_eq!(out, [ExtensionRef::new(7)]);
        assert_eq!(read_page(b"{", &mut out), 0);
    }

    #[test]
    fn first_page_has_no_filter() {
        assert_eq!(
            first_page(1000),
            "/restapi/v1.0/account/~/extension?perPage=1000&page=1"
        );
    }
}
