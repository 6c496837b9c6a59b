//! Finding raw page files and reading them back (decompressed, as bytes).

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use ringlake_contracts::raw::{is_page_file, is_skipped_name, parse_day_dir, parse_span_dir};
use ringlake_contracts::{Layout, Stream};

use crate::error::{Error, Result};
use crate::layout::corrupt_page_remedy;

/// All page files below `<raw>/<stream>/` (any depth) ending `.json`, `.json.gz`,
/// `.json.zst`; skips every file or dir whose name starts with `.` or `_` (the extract
/// stage's staging dirs and any tool's side files). When `days` is given and the files sit
/// in ringlake's own layout, only the dirs that can hold those days are read: a day dir
/// (`<YYYY-MM-DD>`) only when it is one of `days`, a message-store span dir
/// (`<FROM>_<TO>`, inclusive) only when its range holds one of `days`; files outside such
/// dirs are read always. Sorted, deterministic.
pub fn find_pages(
    raw_dir: &Path,
    stream: Stream,
    days: Option<&BTreeSet<NaiveDate>>,
) -> Result<Vec<PathBuf>> {
    let root = raw_dir.join(stream.name());
    if !root.is_dir() {
        return Err(Error::MissingStreamDir { path: root });
    }
    let mut out = Vec::new();
    walk(&root, days, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, days: Option<&BTreeSet<NaiveDate>>, out: &mut Vec<PathBuf>) -> Result<()> {
    let io = |error| Error::Io {
        path: dir.to_path_buf(),
        error,
    };
    for entry in fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            // Not UTF-8: not a name ringlake writes; skip it like any foreign file.
            continue;
        };
        if is_skipped_name(name) {
            continue;
        }
        let path = entry.path();
        // Follow symlinks: a raw zone assembled from links is still a raw zone.
        let meta = fs::metadata(&path).map_err(|error| Error::Io {
            path: path.clone(),
            error,
        })?;
        if meta.is_dir() {
            if let Some(days) = days {
                if parse_day_dir(name).is_some_and(|day| !days.contains(&day)) {
                    continue;
                }
                if parse_span_dir(name)
                    .is_some_and(|(from, to)| days.range(from..=to).next().is_none())
                {
                    continue;
                }
            }
            walk(&path, days, out)?;
        } else if meta.is_file() && is_page_file(name) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a page file and undoes its compression, chosen by the file name. Broken
/// compression is a corrupt raw file: the error says what to do about it, by `layout`.
pub(crate) fn read_page_bytes(path: &Path, layout: Layout) -> Result<Vec<u8>> {
    let bytes = fs::read(path).map_err(|error| Error::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let decompress_err = |codec: &'static str| {
        move |e: std::io::Error| Error::Decompress {
            path: path.to_path_buf(),
            codec,
            reason: e.to_string(),
            remedy: corrupt_page_remedy(path, layout),
        }
    };
    if name.ends_with(".zst") {
        zstd::stream::decode_all(bytes.as_slice()).map_err(decompress_err("zstd"))
    } else if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(decompress_err("gzip"))?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn missing_stream_dir_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = find_pages(tmp.path(), Stream::CallLog, None).unwrap_err();
        assert!(matches!(err, Error::MissingStreamDir { .. }), "{err}");
        assert!(err.to_string().contains("call-log"));
    }

    #[test]
    fn broken_compression_names_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("page-00001.json.zst");
        fs::write(&p, b"not zstd").unwrap();
        let err = read_page_bytes(&p, Layout::DayWindow).unwrap_err();
        assert!(matches!(err, Error::Decompress { codec: "zstd", .. }));
        assert!(err.to_string().contains("page-00001.json.zst"), "{err}");
    }
}
