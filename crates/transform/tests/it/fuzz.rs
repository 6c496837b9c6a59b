//! The page parser never panics: arbitrary bytes, arbitrary JSON values and real samples
//! mutated (bytes flipped, deleted, inserted; values swapped for other types, made huge,
//! negative, fractional, non-ASCII; fields removed; records nested wrongly) go through
//! every stream's transform, in the raw layout each stream reads, partitioned in zones east
//! and west of UTC (issue 17: a day the zone cannot name must not panic). Each outcome is either
//! `Ok`, with every record read accounted for, or an `Err` whose message is one line
//! naming the file and saying what to do.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use ringlake_transform::{
    Error, Result, TransformOptions, TransformOutput, Tz, transform_active_calls,
    transform_call_log, transform_extensions, transform_messages,
};
use serde_json::{Map, Number, Value, json};

use crate::samples_dir;

/// Cases per property: the whole module runs in a few seconds in a debug build.
/// `PROPTEST_CASES=5000` runs more.
const CASES: u32 = 128;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig::with_cases(cases)
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    CallLog,
    Messages,
    Extensions,
    ActiveCalls,
}

pub(crate) const KINDS: [Kind; 4] = [
    Kind::CallLog,
    Kind::Messages,
    Kind::Extensions,
    Kind::ActiveCalls,
];

/// How a page file is stored.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Codec {
    Plain,
    Gzip,
    Zstd,
    /// Named `.json.zst` but the bytes are written as they are (not compressed).
    FakeZstd,
    /// Named `.json.gz` but the bytes are written as they are (not compressed).
    FakeGzip,
}

fn codec() -> impl Strategy<Value = Codec> {
    prop_oneof![
        6 => Just(Codec::Plain),
        1 => Just(Codec::Gzip),
        1 => Just(Codec::Zstd),
        1 => Just(Codec::FakeZstd),
        1 => Just(Codec::FakeGzip),
    ]
}

impl Kind {
    /// Where the extract stage lands a page of this stream (the issue-3 layout).
    pub(crate) fn page_path(self, raw: &Path, file: &str) -> PathBuf {
        let dir = match self {
            Kind::CallLog => "call-log/2024-01-01",
            Kind::Messages => "message-store/2024-01-01_2024-01-31/1000",
            Kind::Extensions => "extensions/2024-01-01",
            Kind::ActiveCalls => "active-calls/2024-01-01/20240101T101010.000Z",
        };
        raw.join(dir).join(file)
    }

    pub(crate) fn run(self, pages: &[PathBuf]) -> Result<TransformOutput> {
        self.run_in(pages, Tz::UTC)
    }

    /// [`Kind::run`] with partition days of `tz`.
    pub(crate) fn run_in(self, pages: &[PathBuf], tz: Tz) -> Result<TransformOutput> {
        let opts = TransformOptions::new().with_time_zone(tz);
        match self {
            Kind::CallLog => transform_call_log(pages, &opts),
            Kind::Messages => transform_messages(pages, &opts),
            Kind::Extensions => transform_extensions(pages, &opts),
            Kind::ActiveCalls => transform_active_calls(pages, &opts),
        }
    }

    /// The records a page body holds, as the stream counts them.
    fn records_in(self, page: &Value) -> usize {
        let records = page.get("records").and_then(Value::as_array).map(Vec::len);
        match (self, page) {
            (Kind::Messages, Value::Array(items)) => items.len(),
            (Kind::Messages, _) => records.unwrap_or(1),
            _ => records.unwrap_or(0),
        }
    }

    /// The real samples this stream reads, as page bodies: a by-id record is wrapped in a
    /// list envelope for the streams that read list pages only.
    fn samples(self) -> &'static [Value] {
        static SAMPLES: OnceLock<[Vec<Value>; 4]> = OnceLock::new();
        let all = SAMPLES.get_or_init(|| KINDS.map(load_samples));
        &all[self as usize]
    }
}

fn load_samples(kind: Kind) -> Vec<Value> {
    let prefixes: &[&str] = match kind {
        Kind::CallLog | Kind::ActiveCalls => &["calllog_", "active_calls_"],
        Kind::Messages => &["message_"],
        Kind::Extensions => &["extension_"],
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            prefixes.iter().any(|pre| name.starts_with(pre)) && name.ends_with(".json")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no samples for {kind:?}");
    files
        .iter()
        .map(|f| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            match kind {
                Kind::Messages => v,
                _ if v.get("records").is_some() => v,
                _ => json!({ "records": [v] }),
            }
        })
        .collect()
}

/// Writes `body` as page `page-00001` of `kind` under `raw`, stored with `codec`.
pub(crate) fn write_page(kind: Kind, raw: &Path, body: &[u8], codec: Codec) -> PathBuf {
    use std::io::Write;
    let (ext, bytes) = match codec {
        Codec::Plain => ("json", body.to_vec()),
        Codec::Gzip => ("json.gz", {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(body).unwrap();
            e.finish().unwrap()
        }),
        Codec::Zstd => ("json.zst", zstd::encode_all(body, 1).unwrap()),
        Codec::FakeZstd => ("json.zst", body.to_vec()),
        Codec::FakeGzip => ("json.gz", body.to_vec()),
    };
    let path = kind.page_path(raw, &format!("page-00001.{ext}"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Partition zones: UTC, the farthest east and west (UTC+14, UTC−12), half and quarter
/// hours, and zones with and without DST on both sides.
fn zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(vec![
        Tz::UTC,
        chrono_tz::America::Los_Angeles,
        chrono_tz::Asia::Tokyo,
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::Etc::GMTPlus12,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Pacific::Chatham,
        chrono_tz::America::Sao_Paulo,
    ])
}

/// Runs `kind`'s transform in `tz` on one page holding `body` and checks the outcome: either every
/// record read is accounted for (a row, a dead letter or counted as dropped) — as many as
/// the body holds — or the error is one line that names the file and says what to do.
fn check(kind: Kind, body: &[u8], codec: Codec, tz: Tz) -> std::result::Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let page = write_page(kind, tmp.path(), body, codec);
    let shown = page.display().to_string();
    match kind.run_in(std::slice::from_ref(&page), tz) {
        Ok(out) => {
            let s = &out.stats;
            let rows: usize = out.tables[0]
                .partitions
                .values()
                .map(|b| b.num_rows())
                .sum();
            prop_assert_eq!(
                rows + out.dead_letters.len()
                    + s.duplicates_dropped
                    + s.outside_days_dropped
                    + s.deleted_stubs_dropped
                    + s.bulk_items_skipped,
                s.records_read,
                "{:?} in {}: {:?}",
                kind,
                tz,
                s
            );
            prop_assert_eq!(s.dead_letters, out.dead_letters.len());
            prop_assert_eq!(s.pages, 1);
            // What was read is what the body holds. Bytes the transform skips unread (an
            // envelope's `uri`, say) are not checked for UTF-8, so compare with a lossy read.
            let value: Value = serde_json::from_str(&String::from_utf8_lossy(body))
                .expect("a page read Ok is JSON");
            prop_assert_eq!(s.records_read, kind.records_in(&value), "{:?}", kind);
            for d in &out.dead_letters {
                prop_assert_eq!(&d.source, &shown);
                prop_assert!(d.record_index.is_some_and(|i| i < s.records_read));
                // The dead letter keeps the record as received: JSON text.
                prop_assert!(serde_json::from_str::<&serde_json::value::RawValue>(&d.raw).is_ok());
            }
            let days = |t: &ringlake_transform::TableData| -> Vec<_> {
                t.partitions.keys().copied().collect()
            };
            for t in &out.tables {
                prop_assert_eq!(days(t), days(&out.tables[0]), "{}", t.name);
            }
        }
        Err(err) => {
            let msg = err.to_string();
            prop_assert!(
                matches!(err, Error::CorruptPage { .. } | Error::Decompress { .. }),
                "{:?}: unexpected error {}",
                kind,
                msg
            );
            prop_assert!(!msg.contains(['\n', '\r']), "not one line: {:?}", msg);
            prop_assert!(msg.contains(&shown), "does not name the file: {}", msg);
            prop_assert!(msg.contains("run the same command again"), "{}", msg);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Strategies

/// Strings the parsers treat specially: timestamps good and bad, numbers in strings, path
/// pieces, NUL, non-ASCII.
const SPECIAL_STRINGS: &[&str] = &[
    "",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00.123+01:00",
    "2024-01-01T10:00:00",
    "2024-13-45T99:99:99Z",
    "+275760-09-13T00:00:00Z",
    "-262143-01-01T00:00:00Z",
    // Chrono's range edges in forms the reader takes (signed years, no zone or `+0000`):
    // no local day in some zones (issue 17).
    "+262142-12-31T23:59:59.999",
    "+262142-12-30T20:00:00+0000",
    "+262142-12-31T11:59:59-1200",
    "-262143-01-01T00:00:00",
    "-262143-01-01T14:00:00+1400",
    "-262143-01-02T03:00:00+0000",
    "99999999999999999999999",
    "-9223372036854775808",
    "0.30000000000000004",
    "1e400",
    "NaN",
    "Deleted",
    "Purged",
    "../../etc/passwd",
    "a/b%2Fc",
    "nul\u{0}byte",
    "héllo ☎ 🎉",
    "https://x/restapi/v1.0/account/1/extension/22/message-store/1",
];

const KEYS: &[&str] = &[
    "records",
    "id",
    "uri",
    "startTime",
    "creationTime",
    "lastModifiedTime",
    "duration",
    "availability",
    "legs",
    "recording",
    "billing",
    "costIncluded",
    "from",
    "to",
    "attachments",
    "extension",
    "type",
    "status",
    "resourceId",
    "body",
    "contact",
    "conversationId",
    "paging",
    "navigation",
];

fn special_string() -> impl Strategy<Value = Value> {
    prop::sample::select(SPECIAL_STRINGS).prop_map(Value::from)
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        prop::sample::select(vec![
            json!(200),
            json!(0),
            json!(-1),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(1e308),
            json!(-1e-300),
            json!(0.1),
            json!(1_700_000_000_000_i64),
        ]),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        special_string(),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "\\PC{0,6}",
    ]
}

/// Any JSON value, a few levels deep, with the keys and strings the parsers care about.
fn arb_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An object that is nearly a record of any stream: key fields with plausible or arbitrary
/// values, plus arbitrary others.
fn arb_record() -> impl Strategy<Value = Value> {
    // Mostly plausible values, so that some records become rows.
    let time = prop_oneof![
        3 => prop::sample::select(vec!["2024-01-01T10:00:00Z", "2024-01-02T23:59:59.999+05:30"])
            .prop_map(Value::from),
        1 => prop::sample::select(vec!["+262142-12-31T23:59:59.999", "-262143-01-01T00:00:00"])
            .prop_map(Value::from),
        1 => special_string(),
        1 => leaf(),
    ];
    let id = prop_oneof![
        3 => (1i64..50).prop_map(Value::from),
        1 => number(),
        1 => special_string(),
        1 => leaf(),
    ];
    (
        id,
        time.clone(),
        time,
        prop::option::of(special_string()),
        prop::collection::vec((key(), arb_json()), 0..4),
    )
        .prop_map(|(id, start, creation, availability, extra)| {
            let mut m: Map<String, Value> = extra.into_iter().collect();
            m.insert("id".into(), id);
            m.insert("startTime".into(), start);
            m.insert("creationTime".into(), creation);
            if let Some(a) = availability {
                m.insert("availability".into(), a);
            }
            Value::Object(m)
        })
}

/// A page body: any JSON, an envelope of arbitrary values or near-records, or a bulk array.
fn arb_page() -> impl Strategy<Value = Value> {
    let item = prop_oneof![3 => arb_record(), 1 => arb_json()];
    prop_oneof![
        1 => arb_json(),
        1 => prop::collection::vec(arb_json(), 0..5).prop_map(|r| json!({ "records": r })),
        3 => prop::collection::vec(item.clone(), 0..6).prop_map(|r| json!({ "records": r, "paging": {"perPage": 100} })),
        1 => prop::collection::vec((prop_oneof![Just(json!(200)), number(), leaf()], item), 0..5)
            .prop_map(|items| Value::Array(
                items.into_iter().map(|(status, body)| json!({"resourceId": "1", "status": status, "body": body})).collect()
            )),
    ]
}

/// One change to a JSON document, at its node number `at` (pre-order, modulo the count).
#[derive(Clone, Debug)]
enum Mutation {
    /// The node becomes this value (another type, a huge/negative/fractional number, a
    /// huge or non-ASCII string…).
    Replace(usize, Value),
    /// An object node loses its `n`th key.
    RemoveKey(usize, usize),
    /// The node is wrapped in an array: `x` → `[x]`.
    WrapInArray(usize),
    /// The node is wrapped in an envelope: `x` → `{"records": [x]}`.
    WrapInRecords(usize),
    /// An array node gets its first element again (a duplicate record).
    DuplicateFirst(usize),
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => leaf(),
        1 => (1usize..100_000).prop_map(|n| Value::from("é☎x".repeat(n / 3 + 1))),
        1 => arb_json(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), replacement()).prop_map(|(at, v)| Mutation::Replace(at, v)),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(at, n)| Mutation::RemoveKey(at, n)),
        1 => any::<usize>().prop_map(Mutation::WrapInArray),
        1 => any::<usize>().prop_map(Mutation::WrapInRecords),
        1 => any::<usize>().prop_map(Mutation::DuplicateFirst),
    ]
}

fn node_count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(node_count).sum(),
        Value::Object(m) => m.values().map(node_count).sum(),
        _ => 0,
    }
}

/// The node number `n` of `v` in pre-order.
fn node_mut(v: &mut Value, n: usize) -> Option<&mut Value> {
    fn walk<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
        if *n == 0 {
            return Some(v);
        }
        *n -= 1;
        match v {
            Value::Array(a) => a.iter_mut().find_map(|c| walk(c, n)),
            Value::Object(m) => m.values_mut().find_map(|c| walk(c, n)),
            _ => None,
        }
    }
    let mut n = n;
    walk(v, &mut n)
}

fn apply(doc: &mut Value, m: &Mutation) {
    let count = node_count(doc);
    let at = |i: usize| i % count;
    match m {
        Mutation::Replace(i, new) => {
            if let Some(node) = node_mut(doc, at(*i)) {
                *node = new.clone();
            }
        }
        Mutation::RemoveKey(i, k) => {
            if let Some(Value::Object(obj)) = node_mut(doc, at(*i))
                && let Some(key) = obj.keys().nth(k % obj.len().max(1)).cloned()
            {
                obj.remove(&key);
            }
        }
        Mutation::WrapInArray(i) => {
            if let Some(node) = node_mut(doc, at(*i)) {
                *node = Value::Array(vec![node.take()]);
            }
        }
        Mutation::WrapInRecords(i) => {
            if let Some(node) = node_mut(doc, at(*i)) {
                *node = json!({ "records": [node.take()] });
            }
        }
        Mutation::DuplicateFirst(i) => {
            if let Some(Value::Array(a)) = node_mut(doc, at(*i))
                && let Some(first) = a.first().cloned()
            {
                a.push(first);
            }
        }
    }
}

/// A change to the bytes of a page: positions are taken modulo its length.
#[derive(Clone, Debug)]
enum ByteEdit {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, x)| ByteEdit::Flip(at, x)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| ByteEdit::Delete(at, n)),
        (
            any::<usize>(),
            prop_oneof![
                prop::collection::vec(any::<u8>(), 1..8),
                prop::sample::select(vec![
                    b"{".to_vec(),
                    b"]".to_vec(),
                    b"\"".to_vec(),
                    b"\\u00".to_vec(),
                    b",null".to_vec(),
                    "é".as_bytes().to_vec(),
                    vec![0xff, 0xfe],
                ]),
            ]
        )
            .prop_map(|(at, b)| ByteEdit::Insert(at, b)),
    ]
}

fn edit(bytes: &mut Vec<u8>, e: &ByteEdit) {
    if bytes.is_empty() {
        return;
    }
    match e {
        ByteEdit::Flip(at, x) => {
            let i = at % bytes.len();
            bytes[i] ^= x;
        }
        ByteEdit::Delete(at, n) => {
            let i = at % bytes.len();
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        ByteEdit::Insert(at, b) => {
            let i = at % (bytes.len() + 1);
            bytes.splice(i..i, b.iter().copied());
        }
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(KINDS.to_vec())
}

// ---------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(
        kind in kind(),
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            // Mostly text, so that some of it gets past the first byte of the parser.
            "[\\[\\]{}\",:0-9a-z \\\\]{0,64}".prop_map(String::into_bytes),
        ],
        codec in codec(),
        tz in zone(),
    ) {
        check(kind, &bytes, codec, tz)?;
    }

    #[test]
    fn arbitrary_json_never_panics(
        kind in kind(),
        page in arb_page(),
        codec in codec(),
        tz in zone(),
    ) {
        check(kind, &serde_json::to_vec(&page).unwrap(), codec, tz)?;
    }

    #[test]
    fn mutated_samples_never_panic(
        kind in kind(),
        sample in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 0..5),
        edits in prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec(byte_edit(), 1..3),
        ],
        codec in codec(),
        tz in zone(),
    ) {
        let mut doc = sample.get(kind.samples()).clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        let mut bytes = serde_json::to_vec(&doc).unwrap();
        for e in &edits {
            edit(&mut bytes, e);
        }
        check(kind, &bytes, codec, tz)?;
    }
}

/// Every sample, unmutated, reads with no dead letter in every stream it belongs to: the
/// mutations above start from pages that work.
#[test]
fn unmutated_samples_read_cleanly() {
    for kind in KINDS {
        for (i, sample) in kind.samples().iter().enumerate() {
            let tmp = tempfile::tempdir().unwrap();
            let page = write_page(
                kind,
                tmp.path(),
                &serde_json::to_vec(sample).unwrap(),
                Codec::Zstd,
            );
            let out = kind.run(&[page]).unwrap();
            assert!(out.dead_letters.is_empty(), "{kind:?} sample {i}");
            assert_eq!(out.stats.records_read, kind.records_in(sample));
        }
    }
}

/// A readable record of `kind` with id `n`.
pub(crate) fn good_record(kind: Kind, n: i64) -> Value {
    match kind {
        Kind::CallLog | Kind::ActiveCalls => {
            crate::record(&format!("c{n}"), "2024-01-01T10:00:00Z")
        }
        Kind::Messages => json!({"id": n, "creationTime": "2024-01-01T10:00:00Z"}),
        Kind::Extensions => json!({"id": n, "name": "x"}),
    }
}

/// `record` with one more field `x` whose value is the JSON text `deep`.
fn with_raw_field(record: &Value, deep: &str) -> String {
    let text = record.to_string();
    format!(r#"{},"x":{deep}}}"#, text.strip_suffix('}').unwrap())
}

/// JSON nested 10 000 levels: never a stack overflow. serde_json skips and captures raw
/// values without recursing, and reading a record into its type stops at its recursion
/// limit: so a deep page is a corrupt page (or, for the message store, whose page may be a
/// single message or a bulk array, a dead letter), a deep record is a dead letter next to
/// its readable neighbours, and a deep value in the envelope's unread fields spoils nothing.
#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    const DEPTH: usize = 10_000;
    let arrays = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(DEPTH), "}".repeat(DEPTH));
    let run = |kind: Kind, body: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let page = write_page(kind, tmp.path(), body.as_bytes(), Codec::Zstd);
        (kind.run(std::slice::from_ref(&page)), page)
    };
    for kind in KINDS {
        // The page itself.
        for deep in [&arrays, &objects] {
            match (kind, run(kind, deep)) {
                (Kind::Messages, (Ok(out), _)) => {
                    assert_eq!(out.stats.records_read, 1, "{kind:?}");
                    assert_eq!(out.dead_letters.len(), 1, "{kind:?}");
                }
                (_, (Err(err), page)) => {
                    let msg = err.to_string();
                    assert!(matches!(err, Error::CorruptPage { .. }), "{kind:?}: {msg}");
                    assert!(msg.contains(&page.display().to_string()), "{msg}");
                    assert!(!msg.contains('\n'), "{msg}");
                }
                (_, (Ok(_), _)) => panic!("{kind:?}: a deep page read as a page"),
            }
        }
        // A record, between two readable ones.
        for deep in [&arrays, &objects] {
            let body = format!(
                r#"{{"records":[{},{},{}]}}"#,
                good_record(kind, 1),
                with_raw_field(&good_record(kind, 2), deep),
                good_record(kind, 3)
            );
            let (out, _) = run(kind, &body);
            let out = out.unwrap();
            assert_eq!(out.stats.records_read, 3, "{kind:?}");
            assert_eq!(crate::all_rows(&out.tables[0]).num_rows(), 2, "{kind:?}");
            assert_eq!(out.dead_letters.len(), 1, "{kind:?}");
            let d = &out.dead_letters[0];
            assert_eq!(d.record_index, Some(1), "{kind:?}");
            assert!(
                d.reason.contains("recursion limit"),
                "{kind:?}: {}",
                d.reason
            );
            assert!(
                d.raw.len() > DEPTH,
                "the dead letter keeps the record whole"
            );
        }
        // The envelope's unread fields.
        let body = format!(
            r#"{{"records":[{}],"paging":{objects},"navigation":{arrays}}}"#,
            good_record(kind, 1)
        );
        let out = run(kind, &body).0.unwrap();
        assert_eq!(crate::all_rows(&out.tables[0]).num_rows(), 1, "{kind:?}");
        assert!(out.dead_letters.is_empty(), "{kind:?}");
    }
}
