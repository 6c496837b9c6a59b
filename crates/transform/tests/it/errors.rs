//! Whole-run failures are one line: what is wrong, the file, and what to do.

use std::path::Path;

use ringlake_transform::Stream;
use ringlake_transform::{
    Error, MAX_PAGE_BYTES, TransformOptions, find_pages, transform_active_calls,
    transform_extensions,
};

use crate::fuzz::{Codec, KINDS, Kind, write_page};

/// What the error of a corrupt page of `kind` at `page` should end with.
fn remedy(kind: Kind, page: &Path) -> String {
    let dir = page.parent().unwrap().display();
    match kind {
        Kind::CallLog | Kind::Messages => format!(
            ": delete that file and run the same command again to fetch its window {dir} again (the window's earlier fetches are kept)"
        ),
        Kind::Extensions | Kind::ActiveCalls => ": move that file out of the raw dir and run the same command again (an earlier fetch or a snapshot cannot be fetched again: records only that page held are lost)".to_string(),
    }
}

#[test]
fn a_corrupt_raw_page_is_one_line_naming_the_file_and_what_to_do() {
    for kind in KINDS {
        for (codec, body, what) in [
            (Codec::FakeZstd, &b"not zstd at all"[..], "(zstd: "),
            (Codec::FakeGzip, &b"not gzip at all"[..], "(gzip: "),
            (
                Codec::Zstd,
                &b"\x00\x01 binary"[..],
                "(not a JSON page of records: ",
            ),
            (
                Codec::Plain,
                &b"{\"records\": [1,"[..],
                "(not a JSON page of records: ",
            ),
            (Codec::Gzip, &b"42"[..], "(not a JSON page of records: "),
        ] {
            let tmp = tempfile::tempdir().unwrap();
            let page = write_page(kind, tmp.path(), body, codec);
            let err = kind.run(std::slice::from_ref(&page)).unwrap_err();
            let msg = err.to_string();
            assert!(
                matches!(err, Error::Decompress { .. } | Error::CorruptPage { .. }),
                "{kind:?}: {msg}"
            );
            let head = format!("raw page {} is corrupt {what}", page.display());
            assert!(msg.starts_with(&head), "{kind:?}: {msg}");
            assert!(msg.ends_with(&remedy(kind, &page)), "{kind:?}: {msg}");
            assert!(!msg.contains(['\n', '\r']), "{kind:?}: {msg}");
        }
    }
}

/// A page file larger than any page (issue 17) is refused by its size, before it is read:
/// the file here is sparse, so the test writes nothing of that size. It is one line,
/// naming the file, the limit and what to do, like a corrupt page.
#[test]
fn a_page_larger_than_the_limit_is_refused_before_it_is_read() {
    for kind in KINDS {
        let tmp = tempfile::tempdir().unwrap();
        for codec in [Codec::Plain, Codec::Zstd] {
            let page = write_page(kind, tmp.path(), b"{}", codec);
            let file = std::fs::OpenOptions::new().write(true).open(&page).unwrap();
            file.set_len(MAX_PAGE_BYTES + 1).unwrap();
            let Err(err) = kind.run(std::slice::from_ref(&page)) else {
                panic!("{kind:?}: a page of {} bytes was read", MAX_PAGE_BYTES + 1);
            };
            let msg = err.to_string();
            assert!(
                matches!(
                    err,
                    Error::PageTooLarge {
                        limit: MAX_PAGE_BYTES,
                        what: "on disk",
                        ..
                    }
                ),
                "{kind:?}: {msg}"
            );
            let head = format!(
                "raw page {} is too large (more than {MAX_PAGE_BYTES} bytes on disk",
                page.display()
            );
            assert!(msg.starts_with(&head), "{kind:?}: {msg}");
            assert!(msg.ends_with(&remedy(kind, &page)), "{kind:?}: {msg}");
            assert!(!msg.contains(['\n', '\r']), "{kind:?}: {msg}");
            std::fs::remove_file(&page).unwrap();
        }
    }
}

#[test]
fn a_corrupt_page_outside_the_layout_is_to_be_moved_away() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("call-log/by-hand/page.json");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    std::fs::write(&page, "not json").unwrap();
    let msg = Kind::CallLog
        .run(std::slice::from_ref(&page))
        .unwrap_err()
        .to_string();
    assert!(
        msg.ends_with(
            "move that file out of the raw dir (it is not in ringlake's raw layout, so the \
             extract stage cannot fetch it again) and run the same command again"
        ),
        "{msg}"
    );
    assert!(msg.contains(&page.display().to_string()), "{msg}");
}

#[test]
fn every_other_failure_is_one_line_saying_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path();
    let opts = TransformOptions::new();
    let mut errors: Vec<(Error, String)> = Vec::new();

    let missing = raw.join("call-log/2024-01-01/page-00001.json");
    errors.push((
        Kind::CallLog
            .run(std::slice::from_ref(&missing))
            .unwrap_err(),
        missing.display().to_string(),
    ));
    errors.push((
        find_pages(raw, Stream::CallLog, None).unwrap_err(),
        raw.join("call-log").display().to_string(),
    ));
    let body = serde_json::json!({"records": []}).to_string();
    let loose = raw.join("extensions/page-00001.json");
    std::fs::create_dir_all(loose.parent().unwrap()).unwrap();
    std::fs::write(&loose, &body).unwrap();
    errors.push((
        transform_extensions(std::slice::from_ref(&loose), &opts).unwrap_err(),
        loose.display().to_string(),
    ));
    let loose = raw.join("active-calls/2024-01-01/page-00001.json");
    std::fs::create_dir_all(loose.parent().unwrap()).unwrap();
    std::fs::write(&loose, &body).unwrap();
    errors.push((
        transform_active_calls(std::slice::from_ref(&loose), &opts).unwrap_err(),
        loose.display().to_string(),
    ));

    let kinds: Vec<&str> = errors
        .iter()
        .map(|(e, _)| match e {
            Error::Io { .. } => "io",
            Error::MissingStreamDir { .. } => "missing",
            Error::Layout { .. } => "layout",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["io", "missing", "layout", "layout"]);
    for (err, path) in errors {
        let msg = err.to_string();
        assert!(!msg.contains(['\n', '\r']), "{msg}");
        assert!(msg.contains(&path), "names {path}: {msg}");
        assert!(
            msg.contains("run the same command again") || msg.contains("run the extract stage"),
            "says what to do: {msg}"
        );
    }
}
