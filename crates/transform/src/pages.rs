//! Finding raw page files and reading them back (decompressed, as bytes).

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{BufReader, Read};
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

/// The most bytes a page file may hold, on disk and once decompressed: 256 MiB. An API
/// page is at most 1000 records (docs/api.md §1.1), a few MB even with every leg of a
/// detailed call log, so this leaves a margin of fifty times and more; a page is held whole
/// (its bytes and its rows) on each of the threads decoding in parallel; it also keeps
/// one page's text far below the 2 GiB a single Arrow batch can hold. A larger file is a
/// decompression bomb or not one page (issue 17).
pub const MAX_PAGE_BYTES: u64 = 256 << 20;

/// Reads a page file and undoes its compression, chosen by the file name. Broken
/// compression is a corrupt raw file, and so is one larger than [`MAX_PAGE_BYTES`]: the
/// error says what to do about it, by `layout`.
pub(crate) fn read_page_bytes(path: &Path, layout: Layout) -> Result<Vec<u8>> {
    read_page_bytes_within(path, layout, MAX_PAGE_BYTES)
}

/// [`read_page_bytes`] with the limit as a parameter, so that tests need no huge files.
fn read_page_bytes_within(path: &Path, layout: Layout, limit: u64) -> Result<Vec<u8>> {
    let io = |error| Error::Io {
        path: path.to_path_buf(),
        error,
    };
    let too_large = |what| Error::PageTooLarge {
        path: path.to_path_buf(),
        limit,
        what,
        remedy: corrupt_page_remedy(path, layout),
    };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(too_large("on disk"));
    }
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
    let file = BufReader::new(file);
    let (reader, codec): (Box<dyn Read>, Option<&'static str>) = if name.ends_with(".zst") {
        let decoder = zstd::stream::read::Decoder::with_buffer(file);
        (
            Box::new(decoder.map_err(decompress_err("zstd"))?),
            Some("zstd"),
        )
    } else if name.ends_with(".gz") {
        (
            Box::new(flate2::read::MultiGzDecoder::new(file)),
            Some("gzip"),
        )
    } else {
        (Box::new(file), None)
    };
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // One byte past the limit tells a page that is too large (or grew since its size was
    // read) from one that fits exactly, without reading any more of it.
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| match codec {
            Some(codec) => decompress_err(codec)(e),
            None => io(e),
        })?;
    if out.len() as u64 > limit {
        return Err(too_large(if codec.is_some() {
            "decompressed"
        } else {
            "on disk"
        }));
    }
    Ok(out)
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

    /// `n` zero bytes compressed by `encode`, streamed: a bomb without the memory.
    fn bomb(n: usize, mut encoder: impl std::io::Write) {
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..n / zeros.len() {
            encoder.write_all(&zeros).unwrap();
        }
    }

    #[test]
    fn a_decompression_bomb_stops_at_the_limit() {
        const LIMIT: u64 = 1 << 20;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("call-log/2024-01-01");
        fs::create_dir_all(&dir).unwrap();
        // 512 MiB of zeros, about 500 KB gzipped and 16 KB as zstd.
        let gz = dir.join("page-00001.json.gz");
        let mut e =
            flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::best());
        bomb(512 << 20, &mut e);
        e.finish().unwrap();
        let zst = dir.join("page-00002.json.zst");
        let mut e = zstd::stream::write::Encoder::new(File::create(&zst).unwrap(), 1).unwrap();
        bomb(512 << 20, &mut e);
        e.finish().unwrap();
        for page in [&gz, &zst] {
            assert!(fs::metadata(page).unwrap().len() < LIMIT);
            let Err(err) = read_page_bytes_within(page, Layout::DayWindow, LIMIT) else {
                panic!("{} read whole", page.display());
            };
            let msg = err.to_string();
            assert!(
                matches!(
                    err,
                    Error::PageTooLarge {
                        limit: LIMIT,
                        what: "decompressed",
                        ..
                    }
                ),
                "{msg}"
            );
            assert!(msg.contains(&page.display().to_string()), "{msg}");
            assert!(msg.contains(&LIMIT.to_string()), "{msg}");
            assert!(msg.contains("delete that file"), "{msg}");
        }
    }

    #[test]
    fn a_page_fits_up_to_the_limit_exactly() {
        let tmp = tempfile::tempdir().unwrap();
        let body = vec![b' '; 1000];
        let plain = tmp.path().join("page-00001.json");
        fs::write(&plain, &body).unwrap();
        let gz = tmp.path().join("page-00002.json.gz");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, &body).unwrap();
        fs::write(&gz, e.finish().unwrap()).unwrap();
        let zst = tmp.path().join("page-00003.json.zst");
        fs::write(&zst, zstd::encode_all(body.as_slice(), 1).unwrap()).unwrap();
        for page in [&plain, &gz, &zst] {
            let read = read_page_bytes_within(page, Layout::DayWindow, 1000).unwrap();
            assert_eq!(read, body, "{}", page.display());
            let Err(err) = read_page_bytes_within(page, Layout::DayWindow, 999) else {
                panic!("{} read whole", page.display());
            };
            assert!(
                matches!(err, Error::PageTooLarge { limit: 999, .. }),
                "{err}"
            );
        }
        let Err(err) = read_page_bytes_within(&plain, Layout::DayWindow, 999) else {
            panic!("read whole");
        };
        assert!(
            matches!(
                err,
                Error::PageTooLarge {
                    what: "on disk",
                    ..
                }
            ),
            "{err}"
        );
    }
}
