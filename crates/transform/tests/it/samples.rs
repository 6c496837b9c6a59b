//! Every call-log sample of `tests/fixtures/ringcentral` through the transform.

use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray};
use arrow::datatypes::Decimal128Type;
use ringlake_transform::{TransformOptions, schema_for, tables, transform_call_log};
use serde_json::Value;

use crate::{all_rows, render, samples_dir, strings, table};

/// The call-log samples (`calllog_*.json`, `active_calls_*.json`), sorted.
fn sample_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            (name.starts_with("calllog_") || name.starts_with("active_calls_"))
                && name.ends_with(".json")
        })
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        14,
        "expected the 14 call-log samples, found {files:?}"
    );
    files
}

/// Copies a sample into `dir` as a page file; a single-record sample (by-id responses) is
/// wrapped in a list envelope, since pages are what the transform reads.
fn stage(sample: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(sample).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let dest = dir.join(sample.file_name().unwrap());
    if value.get("records").is_some() {
        std::fs::write(&dest, text).unwrap();
    } else {
        std::fs::write(&dest, serde_json::json!({ "records": [value] }).to_string()).unwrap();
    }
    dest
}

#[test]
fn every_sample_snapshot() {
    for sample in sample_files() {
        let tmp = tempfile::tempdir().unwrap();
        let page = stage(&sample, tmp.path());
        let out = transform_call_log(&[page], &TransformOptions::new()).unwrap();
        let name = sample.file_stem().unwrap().to_str().unwrap().to_owned();

        let records: Value =
            serde_json::from_str(&std::fs::read_to_string(&sample).unwrap()).unwrap();
        let expected = records
            .get("records")
            .and_then(Value::as_array)
            .map_or(1, Vec::len);
        assert!(
            out.dead_letters.is_empty(),
            "{name}: {:?}",
            out.dead_letters
        );
        assert_eq!(out.stats.records_read, expected, "{name}");
        assert_eq!(
            all_rows(table(&out, tables::CALLS)).num_rows(),
            expected,
            "{name}"
        );

        insta::assert_snapshot!(name, render(&out));
    }
}

#[test]
fn schema_snapshot() {
    let mut s = String::new();
    for t in tables::ALL {
        let schema = schema_for(t).unwrap();
        s.push_str(&format!("## {t}\n"));
        for f in schema.fields() {
            let null = if f.is_nullable() { "" } else { " NOT NULL" };
            s.push_str(&format!("{}: {}{null}\n", f.name(), f.data_type()));
        }
        let mut meta: Vec<_> = schema.metadata().iter().collect();
        meta.sort();
        s.push_str(&format!("metadata: {meta:?}\n"));
    }
    insta::assert_snapshot!("schemas", s);
}

#[test]
fn billing_is_exact_decimal() {
    let tmp = tempfile::tempdir().unwrap();
    let page = stage(
        &samples_dir().join("calllog_list_simple_2023_billing_internaltype.json"),
        tmp.path(),
    );
    let out = transform_call_log(&[page], &TransformOptions::new()).unwrap();
    let calls = all_rows(table(&out, tables::CALLS));
    let ids = strings(&calls, "id");
    let included = calls
        .column_by_name("billing_cost_included")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let purchased = calls
        .column_by_name("billing_cost_purchased")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let i = ids
        .iter()
        .position(|id| id.as_deref() == Some("VgLcd1KWffJVzUA"))
        .unwrap();
    assert_eq!(included.value(i), 137_000);
    assert_eq!(included.value_as_string(i), "0.137000");
    assert_eq!(purchased.value_as_string(i), "0.000000");
    let j = ids
        .iter()
        .position(|id| id.as_deref() == Some("ASaoSC9FIMaOF24"))
        .unwrap();
    assert_eq!(included.value_as_string(j), "0.097000");
    assert!(!included.is_null(j));
}

#[test]
fn master_leg_and_literal_zero_billing() {
    let tmp = tempfile::tempdir().unwrap();
    let page = stage(
        &samples_dir().join("calllog_record_detailed_master_leg_2018.json"),
        tmp.path(),
    );
    let out = transform_call_log(&[page], &TransformOptions::new()).unwrap();
    let legs = all_rows(table(&out, tables::CALL_LEGS));
    assert_eq!(strings(&legs, "master"), [Some("true".to_owned())]);
    assert_eq!(
        strings(&legs, "extension_id"),
        [Some("1477535004".to_owned())]
    );
    let calls = all_rows(table(&out, tables::CALLS));
    assert_eq!(
        strings(&calls, "billing_cost_included"),
        [Some("0.000000".to_owned())]
    );
    assert_eq!(strings(&calls, "leg_count"), [Some("1".to_owned())]);
}

/// All samples in one run: the same ids recur across samples, which exercises the
/// duplicate rule on real data.
#[test]
fn all_samples_together_dedupe_by_last_modified_then_page() {
    let tmp = tempfile::tempdir().unwrap();
    let pages: Vec<PathBuf> = sample_files()
        .iter()
        .map(|s| stage(s, tmp.path()))
        .collect();
    let out = transform_call_log(&pages, &TransformOptions::new()).unwrap();
    assert_eq!(out.stats.records_read, 24);
    assert_eq!(out.stats.duplicates_dropped, 6);
    let calls = all_rows(table(&out, tables::CALLS));
    assert_eq!(calls.num_rows(), 18);

    let ids = strings(&calls, "id");
    let start = strings(&calls, "start_time");
    let legs = strings(&calls, "leg_count");
    let at = |id: &str| ids.iter().position(|x| x.as_deref() == Some(id)).unwrap();
    // Newest lastModifiedTime wins: the 2023 copy over the 2016 ones.
    assert_eq!(
        start[at("ASaoSC9FIMaOF24")].as_deref(),
        Some("2023-04-11T07:26:35.028Z")
    );
    // A copy with lastModifiedTime beats one without: the Detailed 2016 copy, with legs.
    assert_eq!(legs[at("ASaxDDkSZ5s42MA")].as_deref(), Some("2"));
    // Neither has lastModifiedTime: the later page file (isync > fsync by name) wins.
    assert_eq!(
        start[at("IVWtT1J9WIXRMSQ")].as_deref(),
        Some("2013-06-03T15:17:25Z")
    );
}
