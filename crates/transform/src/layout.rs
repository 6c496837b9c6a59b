//! What the raw zone's directories say about the pages inside them, for the transform:
//! which directory to delete when a page is corrupt, a page's snapshot and mailbox. The
//! names themselves are formatted and parsed in `ringlake_contracts::raw` only.

use std::path::Path;

use chrono::NaiveDate;
use ringlake_contracts::raw::{Window, parse_day_dir, parse_mailbox_dir, window_dir_of_page};
use ringlake_contracts::{Layout, Stream};

use crate::error::{Error, Result, one_line};

/// What to do about the corrupt page `path`, one line. A page of a window's latest fetch
/// is deleted: the extract stage fetches again a window whose pages are not all on disk,
/// and keeps the window's earlier fetches (its `history/`), so only that file goes. A page
/// of an earlier fetch or of a snapshot cannot be fetched again (the API may have
/// forgotten it; a snapshot was a moment), and a page outside ringlake's layout has no
/// window to fetch: those can only be moved away.
pub(crate) fn corrupt_page_remedy(path: &Path, layout: Layout) -> String {
    let Some(window) = Window::of_page(layout, path).and(window_dir_of_page(path)) else {
        return "move that file out of the raw dir (it is not in ringlake's raw layout, so \
                the extract stage cannot fetch it again) and run the same command again"
            .into();
    };
    let latest = path.parent() == Some(window);
    if layout.refetchable() && latest {
        format!(
            "delete that file and run the same command again to fetch its window {} again \
             (the window's earlier fetches are kept)",
            one_line(window.display())
        )
    } else {
        "move that file out of the raw dir and run the same command again (an earlier fetch \
         or a snapshot cannot be fetched again: records only that page held are lost)"
            .into()
    }
}

/// The mailbox of a message-store page: its window directory's name when that is a
/// mailbox directory (`…/message-store/<FROM>_<TO>/<MAILBOX>/page-…`, also for the pages
/// of an earlier fetch in its `history/`).
pub(crate) fn mailbox_of_page(path: &Path) -> Option<i64> {
    parse_mailbox_dir(window_dir_of_page(path)?.file_name()?.to_str()?)
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

/// The snapshot date of a page of a day-snapshot `stream` (extensions, account): the
/// nearest ancestor directory named `YYYY-MM-DD` (pages put in a folder of their own below
/// it by hand are still of that snapshot).
pub(crate) fn snapshot_date_of_page(path: &Path, stream: Stream) -> Result<NaiveDate> {
    path.ancestors()
        .skip(1)
        .find_map(|dir| parse_day_dir(dir.file_name()?.to_str()?))
        .ok_or_else(|| Error::Layout {
            path: path.to_path_buf(),
            expected: stream.page_pattern(),
        })
}

/// The snapshot of an active-calls page: the date of its grandparent directory and the
/// UTC instant (milliseconds) of its parent directory.
pub(crate) fn active_snapshot_of_page(path: &Path) -> Result<(NaiveDate, i64)> {
    match Window::of_page(Layout::InstantSnapshot, path) {
        Some(Window::Snapshot { day, at }) => Ok((day, at.timestamp_millis())),
        _ => Err(Error::Layout {
            path: path.to_path_buf(),
            expected: Stream::ActiveCalls.page_pattern(),
        }),
    }
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
        use Layout::*;
        let window = |p: &str, l| corrupt_page_remedy(Path::new(p), l);
        assert_eq!(
            window("/raw/call-log/2024-01-02/page-00001.json.zst", DayWindow),
            "delete that file and run the same command again to fetch its window \
             /raw/call-log/2024-01-02 again (the window's earlier fetches are kept)"
        );
        assert!(
            window(
                "/raw/message-store/2024-01-01_2024-01-09/42/page-00001.json.zst",
                MailboxWindow
            )
            .starts_with("delete that file and run the same command again to fetch its window /raw/message-store/2024-01-01_2024-01-09/42 again")
        );
        // An earlier fetch or a snapshot cannot be fetched again: only moved away.
        for (p, l) in [
            (
                "/raw/call-log/2024-01-02/history/00001/page-00001.json.zst",
                DayWindow,
            ),
            (
                "/raw/active-calls/2024-01-02/20240102T101010.123Z/page-00001.json.zst",
                InstantSnapshot,
            ),
            ("/raw/extensions/2024-01-02/page-00001.json", DaySnapshot),
        ] {
            let r = window(p, l);
            assert!(
                r.starts_with("move that file out of the raw dir"),
                "{p}: {r}"
            );
            assert!(r.contains("cannot be fetched again"), "{p}: {r}");
        }
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
    fn mailbox_from_dir_and_uri() {
        let p = PathBuf::from("/raw/message-store/2024-01-01_2024-01-02/208594004/page-00001.json");
        assert_eq!(mailbox_of_page(&p), Some(208_594_004));
        let earlier = Path::new(
            "/raw/message-store/2024-01-01_2024-01-02/7/history/00001/page-00001.json.zst",
        );
        assert_eq!(mailbox_of_page(earlier), Some(7));
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
            snapshot_date_of_page(
                Path::new("/raw/extensions/2024-05-06/page-00001.json"),
                Stream::Extensions
            )
            .unwrap(),
            d("2024-05-06")
        );
        assert_eq!(
            snapshot_date_of_page(
                Path::new("/raw/extensions/2024-05-06/manual/p.json"),
                Stream::Extensions
            )
            .unwrap(),
            d("2024-05-06")
        );
        let err = snapshot_date_of_page(
            Path::new("/raw/extensions/page-00001.json"),
            Stream::Extensions,
        )
        .unwrap_err();
        assert!(err.to_string().contains("extensions/<YYYY-MM-DD>"), "{err}");
    }
}
