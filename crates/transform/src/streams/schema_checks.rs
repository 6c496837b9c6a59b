//! Checks of every table's schema as a whole: sort keys, shared columns, names, docs.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::sync::Arc;

use arrow::datatypes::Field;

use super::schema_for;
use crate::schema::*;

#[test]
fn known_tables_have_schemas_and_unknown_do_not() {
    for t in tables::ALL {
        assert!(schema_for(t).is_some(), "{t}");
    }
    assert!(schema_for("message").is_none());
}

#[test]
fn sort_keys_name_real_non_null_columns() {
    for t in tables::ALL {
        let s = schema_for(t).unwrap();
        let key = &s.metadata()[SORT_KEY_METADATA];
        for col in key.split(',') {
            let f = s.field_with_name(col).unwrap();
            assert!(!f.is_nullable(), "{t}.{col}");
        }
    }
}

#[test]
fn legs_carry_every_base_column_of_calls() {
    let calls = schema_for(tables::CALLS).unwrap();
    let legs = schema_for(tables::CALL_LEGS).unwrap();
    let call_only = [
        "id",
        "uri",
        "session_id",
        "deleted",
        "last_modified_time",
        "leg_count",
        "ringout_caller_result",
        "ringout_callee_result",
    ];
    // Names, types and nullability; the sources differ (`legs[].…`).
    let shape = |f: &Arc<Field>| (f.name().clone(), f.data_type().clone(), f.is_nullable());
    let from_calls: Vec<_> = calls
        .fields()
        .iter()
        .filter(|f| !call_only.contains(&f.name().as_str()))
        .map(shape)
        .collect();
    let leg_only = ["call_id", "leg_index", "leg_type", "master"];
    let from_legs: Vec<_> = legs
        .fields()
        .iter()
        .filter(|f| !leg_only.contains(&f.name().as_str()))
        .map(shape)
        .collect();
    assert_eq!(from_calls, from_legs);
    // …and every base column of a leg is read from the leg.
    for f in legs.fields() {
        if !leg_only.contains(&f.name().as_str()) {
            assert!(
                f.metadata()[SOURCE_METADATA].starts_with("legs[]."),
                "{f:?}"
            );
        }
    }
}

#[test]
fn active_calls_are_calls_with_a_snapshot_time() {
    let calls = schema_for(tables::CALLS).unwrap();
    let active = schema_for(tables::ACTIVE_CALLS).unwrap();
    assert_eq!(active.field(0).name(), "snapshot_time");
    assert_eq!(&active.fields()[1..], &calls.fields()[..]);
}

#[test]
fn design_columns_are_present() {
    // DESIGN.md "Tables": the columns other tools rely on, by name.
    for (t, cols) in [
        (
            tables::MESSAGES,
            &[
                "id",
                "mailbox_extension_id",
                "extension_id",
                "conversation_id",
                "type",
                "direction",
                "creation_time",
                "last_modified_time",
                "availability",
                "message_status",
                "read_status",
                "priority",
                "subject",
                "from_phone_number",
                "from_name",
                "from_extension_number",
                "fax_page_count",
                "fax_resolution",
                "vm_transcription_status",
                "attachment_count",
            ][..],
        ),
        (
            tables::MESSAGE_RECIPIENTS,
            &[
                "message_id",
                "recipient_index",
                "phone_number",
                "extension_number",
                "name",
                "location",
                "message_status",
            ][..],
        ),
        (
            tables::MESSAGE_ATTACHMENTS,
            &[
                "message_id",
                "attachment_id",
                "type",
                "content_type",
                "size",
                "vm_duration",
                "file_name",
                "uri",
            ][..],
        ),
        (
            tables::EXTENSIONS,
            &["id", "extension_number", "name", "type", "status"][..],
        ),
    ] {
        let s = schema_for(t).unwrap();
        for c in cols {
            assert!(s.field_with_name(c).is_ok(), "{t}.{c}");
        }
    }
}

#[test]
fn no_date_column_and_unique_names() {
    for t in tables::ALL {
        let s = schema_for(t).unwrap();
        assert!(s.field_with_name("date").is_err());
        let mut names: Vec<_> = s.fields().iter().map(|f| f.name().clone()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "{t}");
    }
}

#[test]
fn every_column_and_table_is_documented() {
    for t in tables::ALL {
        let s = schema_for(t).unwrap();
        for key in [DESCRIPTION_METADATA, PARTITION_DATE_METADATA] {
            assert!(!s.metadata()[key].trim().is_empty(), "{t}: {key}");
        }
        for f in s.fields() {
            let source = &f.metadata()[SOURCE_METADATA];
            let description = &f.metadata()[DESCRIPTION_METADATA];
            assert!(!source.trim().is_empty(), "{t}.{}", f.name());
            // One line each: they become Markdown table cells.
            assert!(!description.contains('\n'), "{t}.{}", f.name());
            assert!(
                description.ends_with('.') && description.len() > 10,
                "{t}.{}: {description:?}",
                f.name()
            );
            // No doubled spaces from line continuations.
            assert!(
                !description.contains("  "),
                "{t}.{}: {description:?}",
                f.name()
            );
            assert_eq!(f.metadata().len(), 2, "{t}.{}", f.name());
        }
    }
}

#[test]
fn sources_are_api_paths_or_notes() {
    for t in tables::ALL {
        for f in schema_for(t).unwrap().fields() {
            let source = &f.metadata()[SOURCE_METADATA];
            if source.starts_with('(') {
                assert!(source.ends_with(')'), "{t}.{}: {source}", f.name());
                continue;
            }
            for path in source.split(", ") {
                for (i, seg) in path.split('.').enumerate() {
                    let seg = seg.strip_suffix("[]").unwrap_or(seg);
                    let ok = seg == "*"
                        || (seg.chars().all(|c| c.is_ascii_alphanumeric())
                            && seg.starts_with(|c: char| c.is_ascii_lowercase()));
                    assert!(ok, "{t}.{}: {source} (segment {i})", f.name());
                }
            }
        }
    }
}
