//! What the raw landing zone's directory names say about the pages inside them (the issue-3
//! contract): day dirs, message-store span and mailbox dirs, snapshot dirs.
//!
//! ```text
//! call-log/<YYYY-MM-DD>/page-NNNNN.json.zst
//! extensions/<YYYY-MM-DD>/page-NNNNN.json.zst                       (snapshot date)
//! message-store/<FROM>_<TO>/<MAILBOX>/page-NNNNN.json.zst           (FROM, TO: YYYY-MM-DD)
//! active-calls/<YYYY-MM-DD>/<%Y%m%dT%H%M%S%.3fZ>/page-NNNNN.json.zst
//! ```

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::{Error, Result, one_line};

/// The layout of the extension list, for error messages.
pub(crate) const EXTENSIONS_LAYOUT: &str = "<raw>/extensions/<YYYY-MM-DD>/page-NNNNN.json.zst";
/// The layout of active-calls snapshots, for error messages.
pub(crate) const ACTIVE_CALLS_LAYOUT: &str =
    "<raw>/active-calls/<YYYY-MM-DD>/<YYYYMMDDTHHMMSS.mmmZ>/page-NNNNN.json.zst";

/// Which directory of the raw layout a stream's pages sit in: it tells what to do about a
/// corrupt page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PageLayout {
    /// `call-log/<YYYY-MM-DD>/page-…`: a day window.
    DayWindow,
    /// `message-store/<FROM>_<TO>/<MAILBOX>/page-…`: one mailbox's span window.
    MailboxWindow,
    /// `extensions/<YYYY-MM-DD>/page-…`: a snapshot.
    DaySnapshot,
    /// `active-calls/<YYYY-MM-DD>/<instant>/page-…`: a snapshot.
    InstantSnapshot,
}

/// What to do about the corrupt page `path`, one line: delete the window directory it sits
/// in, so that the extract stage, which fetches again a window whose raw directory is gone,
/// replaces it. A snapshot cannot be fetched again (it was a moment), so its directory
/// can only go, rows and all. A page outside ringlake's layout has no window to fetch: it
/// can only be moved away.
pub(crate) fn corrupt_page_remedy(path: &Path, layout: PageLayout) -> String {
    let dir = path.parent().filter(|dir| {
        let name = dir.file_name().and_then(|n| n.to_str());
        match layout {
            PageLayout::DayWindow | PageLayout::DaySnapshot => {
                name.and_then(parse_day_dir).is_some()
            }
            PageLayout::MailboxWindow => {
                mailbox_of_page(path).is_some()
                    && dir
                        .parent()
                        .and_then(Path::file_name)
                        .and_then(|n| n.to_str())
                        .and_then(parse_span_dir)
                        .is_some()
            }
            PageLayout::InstantSnapshot => name.and_then(parse_snapshot_dir).is_some(),
        }
    });
    let Some(dir) = dir else {
        return "move that file out of the raw dir (it is not in ringlake's raw layout, so \
                the extract stage cannot fetch it again) and run the same command again"
            .into();
    };
    let dir = one_line(dir.display());
    match layout {
        PageLayout::DayWindow | PageLayout::MailboxWindow => format!(
            "delete its directory {dir} and run the same command again to fetch that window again"
        ),
        PageLayout::DaySnapshot | PageLayout::InstantSnapshot => format!(
            "delete its directory {dir} and run the same command again (a snapshot cannot be \
             fetched again: that one is lost)"
        ),
    }
}

/// `YYYY-MM-DD` exactly (the extract stage's day directories).
pub(crate) fn parse_day_dir(name: &str) -> Option<NaiveDate> {
    if name.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(name, "%Y-%m-%d").ok()
}

/// `YYYY-MM-DD_YYYY-MM-DD`, first and last day inclusive (message-store request windows).
/// A name whose first day is after its last is not a span.
pub(crate) fn parse_span_dir(name: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (from, to) = name.split_once('_')?;
    let (from, to) = (parse_day_dir(from)?, parse_day_dir(to)?);
    (from <= to).then_some((from, to))
}

/// The mailbox of a message-store page: its parent directory's name when that is a
/// decimal integer (`…/message-store/<FROM>_<TO>/<MAILBOX>/page-…`).
pub(crate) fn mailbox_of_page(path: &Path) -> Option<i64> {
    let name = path.parent()?.file_name()?.to_str()?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

/// The mailbox named by a message's `uri`: `…/extension/<id>/message-store/<msgid>`
/// (`~` or a non-numeric id tells nothing).
pub(crate) fn mailbox_of_uri(uri: &str) -> Option<i64> {
    let path = uri.split(['?', '#']).next()?;
    let parts: Vec<&str> = path.split('/').collect();
    parts.windows(3).rev().find_map(|w| match w {
        ["extension", id, "message-store"]
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) =>
        {
            id.parse().ok()
        }
        _ => None,
    })
}

/// The snapshot date of an extension-list page: the nearest ancestor directory named
/// `YYYY-MM-DD`.
pub(crate) fn snapshot_date_of_page(path: &Path) -> Result<NaiveDate> {
    path.ancestors()
        .skip(1)
        .find_map(|dir| parse_day_dir(dir.file_name()?.to_str()?))
        .ok_or_else(|| Error::Layout {
            path: path.to_path_buf(),
            expected: EXTENSIONS_LAYOUT,
        })
}

/// The snapshot of an active-calls page: the date of its grandparent directory and the
/// UTC instant (milliseconds) of its parent directory.
pub(crate) fn active_snapshot_of_page(path: &Path) -> Result<(NaiveDate, i64)> {
    let layout = || Error::Layout {
        path: path.to_path_buf(),
        expected: ACTIVE_CALLS_LAYOUT,
    };
    let snapshot_dir = path.parent().ok_or_else(layout)?;
    let instant = snapshot_dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_snapshot_dir)
        .ok_or_else(layout)?;
    let day = snapshot_dir
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .and_then(parse_day_dir)
        .ok_or_else(layout)?;
    Ok((day, instant))
}

/// `%Y%m%dT%H%M%S%.3fZ` (e.g. `20261122T034912.345Z`) → milliseconds since the epoch.
pub(crate) fn parse_snapshot_dir(name: &str) -> Option<i64> {
    let body = name.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn corrupt_page_remedies() {
        use PageLayout::*;
        let window = |p: &str, l| corrupt_page_remedy(Path::new(p), l);
        assert_eq!(
            window("/raw/call-log/2024-01-02/page-00001.json.zst", DayWindow),
            "delete its directory /raw/call-log/2024-01-02 and run the same command again to \
             fetch that window again"
        );
        assert!(
            window(
                "/raw/message-store/2024-01-01_2024-01-09/42/page-00001.json.zst",
                MailboxWindow
            )
            .starts_with("delete its directory /raw/message-store/2024-01-01_2024-01-09/42 and")
        );
        let snapshot = window(
            "/raw/active-calls/2024-01-02/20240102T101010.123Z/page-00001.json.zst",
            InstantSnapshot,
        );
        assert!(
            snapshot.starts_with(
                "delete its directory /raw/active-calls/2024-01-02/20240102T101010.123Z and"
            ),
            "{snapshot}"
        );
        assert!(snapshot.contains("cannot be fetched again"), "{snapshot}");
        assert!(
            window("/raw/extensions/2024-01-02/page-00001.json", DaySnapshot)
                .starts_with("delete its directory /raw/extensions/2024-01-02 and")
        );
        // Outside the layout, no directory is named: deleting `/raw/call-log` or a span dir
        // of every mailbox would lose far more than the page.
        for (p, l) in [
            ("/raw/call-log/page.json", DayWindow),
            ("/raw/call-log/2024-01-02/extra/page.json", DayWindow),
            (
                "/raw/message-store/2024-01-01_2024-01-09/page.json",
                MailboxWindow,
            ),
            ("/raw/message-store/x/42/page.json", MailboxWindow),
            ("/raw/active-calls/2024-01-02/page.json", InstantSnapshot),
            ("page.json", DaySnapshot),
        ] {
            let r = window(p, l);
            assert!(
                r.starts_with("move that file out of the raw dir"),
                "{p}: {r}"
            );
        }
        let odd = window(
            "/raw/call-log/2024-01-02\n/x/../2024-01-02/p.json",
            DayWindow,
        );
        assert!(!odd.contains('\n'), "{odd}");
    }

    #[test]
    fn day_dir_names() {
        assert_eq!(parse_day_dir("2024-01-02"), Some(d("2024-01-02")));
        assert_eq!(parse_day_dir("2024-1-2"), None);
        assert_eq!(parse_day_dir("2024-02-30"), None);
        assert_eq!(parse_day_dir("window-01"), None);
    }

    #[test]
    fn span_dir_names() {
        assert_eq!(
            parse_span_dir("2024-01-02_2024-01-09"),
            Some((d("2024-01-02"), d("2024-01-09")))
        );
        assert_eq!(
            parse_span_dir("2024-01-02_2024-01-02"),
            Some((d("2024-01-02"), d("2024-01-02")))
        );
        assert_eq!(parse_span_dir("2024-01-09_2024-01-02"), None);
        assert_eq!(parse_span_dir("2024-01-02"), None);
        assert_eq!(parse_span_dir("2024-01-02_x"), None);
    }

    #[test]
    fn mailbox_from_dir_and_uri() {
        let p = PathBuf::from("/raw/message-store/2024-01-01_2024-01-02/208594004/page-00001.json");
        assert_eq!(mailbox_of_page(&p), Some(208_594_004));
        assert_eq!(mailbox_of_page(Path::new("/raw/x/page.json")), None);
        assert_eq!(mailbox_of_page(Path::new("/raw/-5/page.json")), None);
        assert_eq!(mailbox_of_page(Path::new("page.json")), None);
        assert_eq!(
            mailbox_of_uri(
                "https://platform.ringcentral.com/restapi/v1.0/account/1/extension/208594004/message-store/5475922005"
            ),
            Some(208_594_004)
        );
        assert_eq!(
            mailbox_of_uri(
                ".../account/1/extension/7/message-store/9?x=/extension/8/message-store/"
            ),
            Some(7)
        );
        assert_eq!(
            mailbox_of_uri("https://x/account/~/extension/~/message-store/1"),
            None
        );
        assert_eq!(
            mailbox_of_uri(
                "https://x/restapi/v1.0/account/4xxx8/extension/4xxx8/message-store/4xxx8"
            ),
            None
        );
        assert_eq!(mailbox_of_uri("https://x/extension/5"), None);
    }

    #[test]
    fn snapshot_dirs() {
        assert_eq!(
            parse_snapshot_dir("20261122T034912.345Z"),
            Some(1_795_319_352_345)
        );
        assert_eq!(parse_snapshot_dir("20261122T034912.345"), None);
        assert_eq!(parse_snapshot_dir("2026-11-22"), None);
        let p = Path::new("/raw/active-calls/2026-11-22/20261122T034912.345Z/page-00001.json.zst");
        assert_eq!(
            active_snapshot_of_page(p).unwrap(),
            (d("2026-11-22"), 1_795_319_352_345)
        );
        for bad in [
            "/raw/active-calls/2026-11-22/page-00001.json",
            "/raw/active-calls/x/20261122T034912.345Z/page-00001.json",
        ] {
            let err = active_snapshot_of_page(Path::new(bad)).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
            assert!(
                err.to_string().contains("active-calls/<YYYY-MM-DD>"),
                "{err}"
            );
        }
        assert_eq!(
            snapshot_date_of_page(Path::new("/raw/extensions/2024-05-06/page-00001.json")).unwrap(),
            d("2024-05-06")
        );
        assert_eq!(
            snapshot_date_of_page(Path::new("/raw/extensions/2024-05-06/manual/p.json")).unwrap(),
            d("2024-05-06")
        );
        let err = snapshot_date_of_page(Path::new("/raw/extensions/page-00001.json")).unwrap_err();
        assert!(err.to_string().contains("extensions/<YYYY-MM-DD>"), "{err}");
    }
}
