//! One page file → its records' rows: the page read (one pass where it can, record by record
//! where a record is bad), dead letters set aside, and what deduplication needs of each
//! record.

use std::path::Path;
use std::sync::Arc;

use arrow::error::ArrowError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_contracts::Layout;
use ringlake_model::BulkItem;
use serde::Deserialize;
use serde_json::value::RawValue;
use tracing::debug;

use crate::error::{Error, Result};
use crate::layout::corrupt_page_remedy;
use crate::output::DeadLetter;
use crate::pages::read_page_bytes;
use crate::stream::{Keyed, PageBuilder, PageRows, PageShapes, Read, Stop, Stream};

/// Reads each record of a list envelope `{"records": [...]}` as a `T` in one pass, handing
/// it to `each` as soon as it is read. Stops with [`Stop::Unreadable`] where serde would not
/// read the envelope as a struct with a `records: Vec<T>` field (other keys are skipped,
/// `records` must be there once), and with `each`'s error.
pub(crate) fn for_each_record<T: serde::de::DeserializeOwned>(
    text: &str,
    each: &mut dyn FnMut(T) -> Result<(), Stop>,
) -> Result<(), Stop> {
    use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::borrow::Cow;

    struct Envelope<'a, T> {
        each: &'a mut dyn FnMut(T) -> Result<(), Stop>,
        stopped: &'a mut Option<Stop>,
    }
    impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for Envelope<'_, T> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object {\"records\": [...]}")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = false;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key != "records" {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                if seen {
                    return Err(de::Error::duplicate_field("records"));
                }
                seen = true;
                map.next_value_seed(Records {
                    each: &mut *self.each,
                    stopped: &mut *self.stopped,
                })?;
            }
            if seen {
                Ok(())
            } else {
                Err(de::Error::missing_field("records"))
            }
        }
    }
    struct Records<'a, T> {
        each: &'a mut dyn FnMut(T) -> Result<(), Stop>,
        stopped: &'a mut Option<Stop>,
    }
    impl<'de, T: serde::de::DeserializeOwned> de::DeserializeSeed<'de> for Records<'_, T> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for Records<'_, T> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(item) = seq.next_element::<T>()? {
                if let Err(stop) = (self.each)(item) {
                    *self.stopped = Some(stop);
                    return Err(de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }

    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let read = de
        .deserialize_map(Envelope::<T> {
            each,
            stopped: &mut stopped,
        })
        .and_then(|()| de.end());
    match (read, stopped) {
        (_, Some(stop)) => Err(stop),
        (Ok(()), None) => Ok(()),
        (Err(_), None) => Err(Stop::Unreadable),
    }
}

/// A readable record of a page: what deduplication compares, and where its rows are.
pub(crate) struct Found<K> {
    pub(crate) key: K,
    pub(crate) day: NaiveDate,
    pub(crate) pick: Pick,
}

/// Where a record's rows are, and what decides between two copies of it. A page's rows
/// are freed when the last of its records' picks is (taken out with its day, or replaced
/// by a newer copy).
pub(crate) struct Pick {
    pub(crate) last_modified: Option<i64>,
    pub(crate) page: usize,
    /// Its position in the page's `records` (or bulk array).
    pub(crate) index: usize,
    pub(crate) rows: Arc<PageRows>,
    /// Its row in `rows`.
    pub(crate) row: usize,
}

/// What [`decode_page`] makes of a page of stream `S`.
pub(crate) type Decoded<S> = DecodedPage<<<S as Stream>::Item as Keyed>::Key>;

pub(crate) struct DecodedPage<K> {
    pub(crate) found: Vec<Found<K>>,
    pub(crate) dead_letters: Vec<DeadLetter>,
    pub(crate) records: usize,
    pub(crate) deleted_stubs: usize,
    pub(crate) bulk_skipped: usize,
}

/// One entry of a page body.
#[derive(Debug)]
enum PageRecord<'a> {
    Record(&'a RawValue),
    /// A bulk item whose status is not 200, see [`TransformStats::bulk_items_skipped`].
    SkippedBulkItem,
    /// A bulk item that cannot be read as one: its text and why.
    BadBulkItem(&'a RawValue, String),
}

/// The entries of one page body. A body that is not one of `shapes` is a corrupt raw
/// file: the error says what to do about it, by `layout`.
///
/// Only `records` of an envelope is read: its `uri`, `paging` and `navigation` served the
/// extract stage, and a value of theirs the transform cannot read spoils no record. Bulk
/// items are read one by one for the same reason.
fn page_records<'a>(
    shapes: PageShapes,
    layout: Layout,
    bytes: &'a [u8],
    path: &Path,
) -> Result<Vec<PageRecord<'a>>> {
    let corrupt = |reason: String| Error::CorruptPage {
        path: path.to_path_buf(),
        reason,
        remedy: corrupt_page_remedy(path, layout),
    };
    let json = |e: serde_json::Error| corrupt(e.to_string());
    /// A list or sync envelope (docs/api.md §2.1).
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        records: Vec<&'a RawValue>,
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if shapes == PageShapes::List {
        // serde reads a struct from an array too (`[[…]]`): not an envelope.
        if first != Some(&b'{') {
            return Err(corrupt("not an object {\"records\": [...]}".into()));
        }
        let envelope: Envelope<'_> = serde_json::from_slice(bytes).map_err(json)?;
        return Ok(envelope
            .records
            .into_iter()
            .map(PageRecord::Record)
            .collect());
    }
    if shapes == PageShapes::Object {
        if first != Some(&b'{') {
            return Err(corrupt("not a JSON object".into()));
        }
        let single: &RawValue = serde_json::from_slice(bytes).map_err(json)?;
        return Ok(vec![PageRecord::Record(single)]);
    }
    if first == Some(&b'[') {
        let items: Vec<&RawValue> = serde_json::from_slice(bytes).map_err(json)?;
        return Ok(items.into_iter().map(bulk_item).collect());
    }
    /// An envelope has `records`; a single record does not.
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(default, borrow)]
        records: Option<Vec<&'a RawValue>>,
    }
    let probe: Probe<'_> = serde_json::from_slice(bytes).map_err(json)?;
    match probe.records {
        Some(records) => Ok(records.into_iter().map(PageRecord::Record).collect()),
        None => {
            let single: &RawValue = serde_json::from_slice(bytes).map_err(json)?;
            if !single.get().starts_with('{') {
                return Err(corrupt("neither an object nor an array".into()));
            }
            Ok(vec![PageRecord::Record(single)])
        }
    }
}

/// One item of a bulk (207) response `{resourceId, status, body}` (docs/api.md §6.2).
fn bulk_item(raw: &RawValue) -> PageRecord<'_> {
    // serde reads a struct from an array too (`["1", 200, {…}]`): not a bulk item.
    if !raw.get().starts_with('{') {
        return PageRecord::BadBulkItem(raw, "not a bulk item: not an object".into());
    }
    match serde_json::from_str::<BulkItem<'_>>(raw.get()) {
        Ok(BulkItem {
            status: Some(200),
            body: Some(body),
            ..
        }) => PageRecord::Record(body),
        Ok(BulkItem {
            status: Some(200),
            body: None,
            ..
        }) => PageRecord::BadBulkItem(raw, "bulk item with status 200 has no body".into()),
        Ok(_) => PageRecord::SkippedBulkItem,
        Err(e) => PageRecord::BadBulkItem(raw, format!("not a bulk item: {e}")),
    }
}

/// Records read from a page before their rows are built: few enough that they are still
/// in cache when their rows are made, and that their memory is reused for the next ones.
const CHUNK_RECORDS: usize = 64;

/// Records a page is expected to hold when it is read in one pass (the API's largest page):
/// text buffers are sized from it; a smaller page gives the rest back when it is built.
const PAGE_RECORDS: usize = 1000;

/// Reads page `page` at `path` and builds its rows as its records are read.
pub(crate) fn decode_page<S: Stream>(
    stream: &S,
    page: usize,
    path: &Path,
    tz: Tz,
) -> Result<Decoded<S>> {
    let ctx = stream.page_context(path)?;
    let bytes = read_page_bytes(path, S::LAYOUT)?;
    let built = |error| Error::PageRows {
        path: path.to_path_buf(),
        error,
    };
    let mut out = DecodedPage {
        found: Vec::new(),
        dead_letters: Vec::new(),
        records: 0,
        deleted_stubs: 0,
        bulk_skipped: 0,
    };
    // serde reads a struct from an array too: only an object may take the one-pass path.
    let object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    // Checked as UTF-8 once, so that its strings are not checked one by one.
    if let Some(text) = object.then(|| std::str::from_utf8(&bytes).ok()).flatten() {
        let mut rows = PageBuild::new(stream, PAGE_RECORDS).map_err(built)?;
        let mut index = 0;
        let read = stream.read_list_page(text, &ctx, tz, &mut |item, day| {
            rows.push(item, day, index).map_err(Stop::Build)?;
            index += 1;
            Ok(())
        });
        match read {
            Ok(()) => {
                out.records = index;
                out.found = rows.finish(page).map_err(built)?;
                return Ok(out);
            }
            Err(Stop::Build(error)) => return Err(built(error)),
            Err(Stop::Unreadable) => {}
        }
    }
    let records = page_records(S::SHAPES, S::LAYOUT, &bytes, path)?;
    out.records = records.len();
    let mut rows = PageBuild::new(stream, records.len()).map_err(built)?;
    let dead_letter = |index: usize, reason: String, raw: &RawValue| DeadLetter {
        table: stream.dead_letter_table(),
        source: path.display().to_string(),
        record_index: Some(index),
        reason,
        raw: raw.get().to_owned(),
    };
    for (index, record) in records.into_iter().enumerate() {
        let raw = match record {
            PageRecord::Record(raw) => raw,
            PageRecord::SkippedBulkItem => {
                out.bulk_skipped += 1;
                continue;
            }
            PageRecord::BadBulkItem(raw, reason) => {
                out.dead_letters.push(dead_letter(index, reason, raw));
                continue;
            }
        };
        match stream.read(raw.get(), &ctx, tz) {
            Read::Row(item, day) => rows.push(item, day, index).map_err(built)?,
            Read::DeletedStub => out.deleted_stubs += 1,
            Read::Dead(reason) => out.dead_letters.push(dead_letter(index, reason, raw)),
        }
    }
    out.found = rows.finish(page).map_err(built)?;
    debug!(
        path = %path.display(),
        records = out.records,
        dead_letters = out.dead_letters.len(),
        "Page decoded record by record."
    );
    Ok(out)
}

/// A page's rows as its records are read, and what deduplication needs of each record.
struct PageBuild<S: Stream> {
    builder: S::Builder,
    /// Records read and not built yet, with their day and position in the page.
    chunk: Vec<(S::Item, NaiveDate, usize)>,
    /// What deduplication needs of each built record.
    built: Vec<BuiltRecord<<S::Item as Keyed>::Key>>,
}

/// A built record's key, last modification, day and position in its page.
struct BuiltRecord<K> {
    key: K,
    last_modified: Option<i64>,
    day: NaiveDate,
    index: usize,
}

impl<S: Stream> PageBuild<S> {
    fn new(stream: &S, records: usize) -> Result<Self, ArrowError> {
        Ok(PageBuild {
            builder: stream.page_builder(records)?,
            chunk: Vec::with_capacity(CHUNK_RECORDS),
            built: Vec::with_capacity(records),
        })
    }

    /// Adds a readable record, its partition day, and its position in the page.
    fn push(&mut self, item: S::Item, day: NaiveDate, index: usize) -> Result<(), ArrowError> {
        self.chunk.push((item, day, index));
        if self.chunk.len() == CHUNK_RECORDS {
            self.build_chunk()?;
        }
        Ok(())
    }

    /// Builds the rows of the records read so far, and frees them.
    fn build_chunk(&mut self) -> Result<(), ArrowError> {
        let items: Vec<&S::Item> = self.chunk.iter().map(|(item, ..)| item).collect();
        self.builder.append(&items)?;
        self.built
            .extend(self.chunk.drain(..).map(|(item, day, index)| BuiltRecord {
                key: item.key(),
                last_modified: item.last_modified(),
                day,
                index,
            }));
        Ok(())
    }

    /// The page's records, each with its rows, as page `page` of the run.
    fn finish(mut self, page: usize) -> Result<Vec<Found<<S::Item as Keyed>::Key>>, ArrowError> {
        self.build_chunk()?;
        let rows = Arc::new(self.builder.finish()?);
        Ok(self
            .built
            .into_iter()
            .enumerate()
            .map(|(row, b)| Found {
                key: b.key,
                day: b.day,
                pick: Pick {
                    last_modified: b.last_modified,
                    page,
                    index: b.index,
                    rows: Arc::clone(&rows),
                    row,
                },
            })
            .collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use serde_json::Value;

    /// Each entry of a page as `Some(record text)`, `None` (skipped bulk item) or
    /// `Some("bad: …")`.
    fn shapes(body: &str, shapes: PageShapes) -> Result<Vec<Option<String>>> {
        let path = Path::new("p.json");
        page_records(shapes, Layout::DayWindow, body.as_bytes(), path).map(|v| {
            v.into_iter()
                .map(|r| match r {
                    PageRecord::Record(raw) => Some(raw.get().to_owned()),
                    PageRecord::SkippedBulkItem => None,
                    PageRecord::BadBulkItem(raw, _) => Some(format!("bad: {}", raw.get())),
                })
                .collect()
        })
    }

    #[test]
    fn page_shapes() {
        let list = r#"{"records":[{"id":1},{"id":2}],"syncInfo":{}}"#;
        assert_eq!(shapes(list, PageShapes::List).unwrap().len(), 2);
        assert_eq!(shapes(list, PageShapes::ListItemOrBulk).unwrap().len(), 2);
        // The rest of an envelope is not read.
        let odd = r#"{"records":[{"id":1}],"paging":"x","navigation":[1],"uri":5}"#;
        assert_eq!(shapes(odd, PageShapes::List).unwrap().len(), 1);
        let single = r#" {"id":1,"uri":"u"}"#;
        assert!(shapes(single, PageShapes::List).is_err());
        assert_eq!(
            shapes(single, PageShapes::ListItemOrBulk).unwrap(),
            [Some(r#"{"id":1,"uri":"u"}"#.to_owned())]
        );
        let bulk = r#"[{"resourceId":"1","status":200,"body":{"id":1}},
                       {"resourceId":"2","status":404,"body":{"errorCode":"CMN-102"}},
                       {"resourceId":"3","status":"200"},{"status":200},7]"#;
        assert!(shapes(bulk, PageShapes::List).is_err());
        assert_eq!(
            shapes(bulk, PageShapes::ListItemOrBulk).unwrap(),
            [
                Some(r#"{"id":1}"#.to_owned()),
                None,
                Some(r#"bad: {"resourceId":"3","status":"200"}"#.to_owned()),
                Some(r#"bad: {"status":200}"#.to_owned()),
                Some("bad: 7".to_owned()),
            ]
        );
        for bad in ["42", r#"{"records":5}"#, r#"{"id":"#, "", "[1,", "\"x\""] {
            assert!(shapes(bad, PageShapes::ListItemOrBulk).is_err(), "{bad}");
            assert!(shapes(bad, PageShapes::List).is_err(), "{bad}");
        }
    }

    /// The ids `for_each_record` hands over, or `None` where it stops as unreadable.
    fn one_pass(text: &str) -> Option<Vec<u64>> {
        #[derive(Deserialize)]
        struct Rec {
            id: u64,
        }
        let mut ids = Vec::new();
        match for_each_record(text, &mut |r: Rec| {
            ids.push(r.id);
            Ok(())
        }) {
            Ok(()) => Some(ids),
            Err(Stop::Unreadable) => None,
            Err(Stop::Build(e)) => panic!("{e}"),
        }
    }

    /// The one-pass reader takes exactly the pages serde takes as a struct with a
    /// `records` field, so that it never keeps a page the record-by-record path would not.
    #[test]
    fn one_pass_reads_what_serde_reads() {
        let ok = [
            (r#"{"records":[{"id":1},{"id":2}]}"#, vec![1, 2]),
            (
                r#" {"uri":"u","records":[{"id":3}],"paging":{"page":1}} "#,
                vec![3],
            ),
            (r#"{"rec\u006frds":[{"id":4}]}"#, vec![4]),
            (r#"{"records":[]}"#, vec![]),
        ];
        for (text, ids) in ok {
            assert_eq!(one_pass(text), Some(ids), "{text}");
        }
        for bad in [
            r#"{"records":[{"id":1}],"records":[{"id":2}]}"#,
            r#"{"paging":{}}"#,
            r#"{"records":null}"#,
            r#"{"records":[{"id":1},{"id":"x"}]}"#,
            r#"{"records":[{"id":1}]} x"#,
            r#"[[{"id":1}]]"#,
            r#"{"records":[{"id":1}"#,
        ] {
            assert_eq!(one_pass(bad), None, "{bad}");
        }
        // The caller's error stops the pass and is returned as it is.
        let stopped = for_each_record(r#"{"records":[{"id":1},{"id":2}]}"#, &mut |_: Value| {
            Err(Stop::Build(ArrowError::ComputeError("full".into())))
        });
        assert!(matches!(stopped, Err(Stop::Build(ArrowError::ComputeError(m))) if m == "full"));
    }
}
