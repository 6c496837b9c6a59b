//! The raw landing zone's paths: `<raw>/<stream>/<window>/page-NNNNN.json.zst`. The extract
//! stage writes them, the transform reads what they say about the pages inside (a day, a
//! mailbox, a snapshot); both go through the function pairs here.
//!
//! ```text
//! call-log/<YYYY-MM-DD>/page-NNNNN.json.zst                        a day window
//! message-store/<FROM>_<TO>/<MAILBOX>/page-NNNNN.json.zst          a mailbox's days FROM..=TO
//! extensions/<YYYY-MM-DD>/page-NNNNN.json.zst                      a snapshot of that date
//! account/<YYYY-MM-DD>/page-NNNNN.json.zst                         a snapshot of that date
//! active-calls/<YYYY-MM-DD>/<YYYYMMDDTHHMMSS.mmmZ>/page-NNNNN.json.zst   a snapshot instant
//! call-log-sync/<YYYYMMDDTHHMMSS.mmmZ>/page-NNNNN.json.zst         a sync session's start
//! ```
//!
//! Dates are partition days of the run's time zone; instants are UTC to the millisecond.
//!
//! A window fetched again keeps what the earlier fetches brought and the latest does not
//! repeat (the API forgets; the archive must not): `<window>/page-NNNNN.json.zst` is the
//! latest fetch, `<window>/history/<NNNNN>/page-NNNNN.json.zst` the earlier ones, oldest
//! first, only pages whose bytes no later fetch of the window has. The transform reads them
//! all as pages of their window; a record's newest version wins, and between copies of one
//! version the latest fetch (the pages sort after `history/`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// File name endings of raw pages: as the extract stage writes them (`.json.zst`) or as
/// other tools and people leave them (`.json`, `.json.gz`).
pub const PAGE_SUFFIXES: [&str; 3] = [".json", ".json.gz", ".json.zst"];

const DAY_FORMAT: &str = "%Y-%m-%d";
const INSTANT_FORMAT: &str = "%Y%m%dT%H%M%S%.3fZ";

/// How a stream's windows sit below `<raw>/<stream>/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `<YYYY-MM-DD>/`: a day window, fetched again while the day may still change.
    DayWindow,
    /// `<FROM>_<TO>/<MAILBOX>/`: one mailbox's request window over days `FROM..=TO`.
    MailboxWindow,
    /// `<YYYY-MM-DD>/`: a snapshot taken on that date (in the run's time zone).
    DaySnapshot,
    /// `<YYYY-MM-DD>/<YYYYMMDDTHHMMSS.mmmZ>/`: a snapshot taken at that instant.
    InstantSnapshot,
    /// `<YYYYMMDDTHHMMSS.mmmZ>/`: an incremental sync session, by its start.
    Session,
}

impl Layout {
    /// The window directories of this layout, for messages: `<YYYY-MM-DD>`, …
    pub fn dir_pattern(self) -> &'static str {
        match self {
            Layout::DayWindow | Layout::DaySnapshot => "<YYYY-MM-DD>",
            Layout::MailboxWindow => "<FROM>_<TO>/<MAILBOX>",
            Layout::InstantSnapshot => "<YYYY-MM-DD>/<YYYYMMDDTHHMMSS.mmmZ>",
            Layout::Session => "<YYYYMMDDTHHMMSS.mmmZ>",
        }
    }

    /// Whether a window of this layout can be fetched again as it was: a day or a mailbox
    /// window can; a snapshot was a moment, and a sync session's changes are not sent again.
    pub fn refetchable(self) -> bool {
        matches!(self, Layout::DayWindow | Layout::MailboxWindow)
    }
}

/// One window of the raw zone: the directory its pages sit in, by what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Window {
    /// A day window or a day snapshot: `<YYYY-MM-DD>`.
    Day(NaiveDate),
    /// A mailbox's window `<FROM>_<TO>/<MAILBOX>` (days inclusive).
    Mailbox {
        /// First day.
        from: NaiveDate,
        /// Last day, inclusive.
        to: NaiveDate,
        /// The extension id whose message store it is.
        mailbox: i64,
    },
    /// A snapshot `<YYYY-MM-DD>/<instant>`.
    Snapshot {
        /// Its date in the run's time zone.
        day: NaiveDate,
        /// When it was taken (millisecond precision).
        at: DateTime<Utc>,
    },
    /// A sync session `<instant>`.
    Session {
        /// When it started (millisecond precision).
        at: DateTime<Utc>,
    },
}

impl Window {
    /// Its directory names below `<raw>/<stream>/`, outermost first.
    pub fn dir_names(&self) -> Vec<String> {
        match *self {
            Window::Day(day) => vec![day_dir_name(day)],
            Window::Mailbox { from, to, mailbox } => {
                vec![span_dir_name(from, to), mailbox_dir_name(mailbox)]
            }
            Window::Snapshot { day, at } => vec![day_dir_name(day), instant_dir_name(at)],
            Window::Session { at } => vec![instant_dir_name(at)],
        }
    }

    /// Its directory relative to `<raw>/<stream>/`.
    pub fn rel_dir(&self) -> PathBuf {
        self.dir_names().iter().collect()
    }

    /// The layout it belongs to (a day is a [`Layout::DayWindow`] or a
    /// [`Layout::DaySnapshot`]: its stream says which).
    pub fn fits(&self, layout: Layout) -> bool {
        matches!(
            (self, layout),
            (Window::Day(_), Layout::DayWindow | Layout::DaySnapshot)
                | (Window::Mailbox { .. }, Layout::MailboxWindow)
                | (Window::Snapshot { .. }, Layout::InstantSnapshot)
                | (Window::Session { .. }, Layout::Session)
        )
    }

    /// The window named by `names` (outermost first) in `layout`; `None` for names that
    /// are not ringlake's.
    pub fn parse(layout: Layout, names: &[&str]) -> Option<Window> {
        match (layout, names) {
            (Layout::DayWindow | Layout::DaySnapshot, [day]) => parse_day_dir(day).map(Window::Day),
            (Layout::MailboxWindow, [span, mailbox]) => {
                let (from, to) = parse_span_dir(span)?;
                Some(Window::Mailbox {
                    from,
                    to,
                    mailbox: parse_mailbox_dir(mailbox)?,
                })
            }
            (Layout::InstantSnapshot, [day, at]) => Some(Window::Snapshot {
                day: parse_day_dir(day)?,
                at: parse_instant_dir(at)?,
            }),
            (Layout::Session, [at]) => parse_instant_dir(at).map(|at| Window::Session { at }),
            _ => None,
        }
    }

    /// The window a page file sits in, from its parent directories, when they follow
    /// `layout`; `None` for a page outside ringlake's layout (another tool's files).
    pub fn of_page(layout: Layout, page: &Path) -> Option<Window> {
        let depth = match layout {
            Layout::MailboxWindow | Layout::InstantSnapshot => 2,
            _ => 1,
        };
        let mut names: Vec<&str> = window_dir_of_page(page)?
            .ancestors()
            .take(depth)
            .map(|dir| dir.file_name()?.to_str())
            .collect::<Option<_>>()?;
        names.reverse();
        Window::parse(layout, &names)
    }
}

/// The name of the directory inside a window that keeps its earlier fetches.
pub const HISTORY_DIR: &str = "history";

/// `00001`: the directory name of the `n`-th earlier fetch kept in a window's
/// [`HISTORY_DIR`] (1: the oldest).
pub fn history_fetch_dir_name(n: u32) -> String {
    format!("{n:05}")
}

/// The number of a directory named by [`history_fetch_dir_name`].
pub fn parse_history_fetch_dir(name: &str) -> Option<u32> {
    let n: u32 = name.parse().ok()?;
    (history_fetch_dir_name(n) == name).then_some(n)
}

/// The window directory a page file sits in: its parent, or for a page of an earlier
/// fetch (`<window>/history/<NNNNN>/page-…`) that window.
pub fn window_dir_of_page(page: &Path) -> Option<&Path> {
    let parent = page.parent()?;
    let fetch = parent.file_name()?.to_str()?;
    let window = parent
        .parent()
        .filter(|h| h.file_name().is_some_and(|n| n == HISTORY_DIR))
        .and_then(Path::parent);
    match window {
        Some(window) if parse_history_fetch_dir(fetch).is_some() => Some(window),
        _ => Some(parent),
    }
}

/// `page-00001.json.zst`: the file name of page `page` (1-based) of a window.
pub fn page_file_name(page: u32) -> String {
    format!("page-{page:05}.json.zst")
}

/// The page number of a file named by [`page_file_name`]; `None` for any other name.
pub fn parse_page_file_name(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("page-")?.strip_suffix(".json.zst")?;
    let page: u32 = digits.parse().ok()?;
    (page_file_name(page) == name).then_some(page)
}

/// Whether `name` is a page file of any origin (`.json`, `.json.gz`, `.json.zst`).
pub fn is_page_file(name: &str) -> bool {
    PAGE_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Whether readers of the raw zone pass over `name`: the extract stage stages under names
/// starting with `.`, and `_` marks any tool's side files.
pub fn is_skipped_name(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

/// `YYYY-MM-DD`: a day's directory name.
pub fn day_dir_name(day: NaiveDate) -> String {
    day.format(DAY_FORMAT).to_string()
}

/// The day of a directory named by [`day_dir_name`]; `None` for anything else.
pub fn parse_day_dir(name: &str) -> Option<NaiveDate> {
    if name.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(name, DAY_FORMAT).ok()
}

/// `YYYY-MM-DD_YYYY-MM-DD`: a span of days, first and last inclusive.
pub fn span_dir_name(from: NaiveDate, to: NaiveDate) -> String {
    format!("{}_{}", day_dir_name(from), day_dir_name(to))
}

/// The days of a directory named by [`span_dir_name`]; a name whose first day is after its
/// last is not a span.
pub fn parse_span_dir(name: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (from, to) = name.split_once('_')?;
    let (from, to) = (parse_day_dir(from)?, parse_day_dir(to)?);
    (from <= to).then_some((from, to))
}

/// A mailbox's directory name: its extension id in decimal.
pub fn mailbox_dir_name(mailbox: i64) -> String {
    mailbox.to_string()
}

/// The extension id of a directory named by [`mailbox_dir_name`] (decimal digits only).
pub fn parse_mailbox_dir(name: &str) -> Option<i64> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

/// `20261122T034912.345Z`: an instant's directory name (UTC, milliseconds).
pub fn instant_dir_name(at: DateTime<Utc>) -> String {
    at.format(INSTANT_FORMAT).to_string()
}

/// The instant of a directory named by [`instant_dir_name`].
pub fn parse_instant_dir(name: &str) -> Option<DateTime<Utc>> {
    let body = name.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap()
    }

    #[test]
    fn pages_of_earlier_fetches_belong_to_their_window() {
        let w = Window::Mailbox {
            from: d("2024-01-01"),
            to: d("2024-01-05"),
            mailbox: 7,
        };
        let dir = Path::new("/raw/message-store").join(w.rel_dir());
        let latest = dir.join(page_file_name(2));
        let earlier = dir
            .join(HISTORY_DIR)
            .join(history_fetch_dir_name(3))
            .join(page_file_name(1));
        for page in [&latest, &earlier] {
            assert_eq!(window_dir_of_page(page), Some(dir.as_path()));
            assert_eq!(Window::of_page(Layout::MailboxWindow, page), Some(w));
        }
        assert_eq!(parse_history_fetch_dir(&history_fetch_dir_name(3)), Some(3));
        assert_eq!(parse_history_fetch_dir("3"), None);
        // A numbered folder outside `history/` is a folder like any other.
        let foreign = Path::new("/raw/call-log/2024-01-02/00001/page-00001.json.zst");
        assert_eq!(Window::of_page(Layout::DayWindow, foreign), None);
        // Earlier fetches sort before the latest: between equal versions the latest wins.
        assert!(earlier < latest);
    }

    #[test]
    fn names_follow_the_layout() {
        assert_eq!(page_file_name(1), "page-00001.json.zst");
        assert_eq!(page_file_name(12345), "page-12345.json.zst");
        assert_eq!(parse_page_file_name("page-00007.json.zst"), Some(7));
        for bad in [
            "page-7.json.zst",
            "page-00007.json",
            "x-00007.json.zst",
            "page-0000a.json.zst",
        ] {
            assert_eq!(parse_page_file_name(bad), None, "{bad}");
        }
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 3, 49, 12).unwrap()
            + chrono::Duration::milliseconds(345);
        assert_eq!(instant_dir_name(t), "20261122T034912.345Z");
        let whole = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(instant_dir_name(whole), "20260102T030405.000Z");
        assert_eq!(
            parse_instant_dir("20261122T034912.345Z").map(|t| t.timestamp_millis()),
            Some(1_795_319_352_345)
        );
        assert_eq!(parse_instant_dir("20261122T034912.345"), None);
        assert_eq!(parse_instant_dir("2026-11-22"), None);
        assert_eq!(parse_day_dir("2024-01-02"), Some(d("2024-01-02")));
        for bad in ["2024-1-2", "2024-02-30", "window-01", "+2024-01-02"] {
            assert_eq!(parse_day_dir(bad), None, "{bad}");
        }
        assert_eq!(
            parse_span_dir("2024-01-02_2024-01-09"),
            Some((d("2024-01-02"), d("2024-01-09")))
        );
        assert_eq!(parse_span_dir("2024-01-09_2024-01-02"), None);
        assert_eq!(parse_span_dir("2024-01-02"), None);
        assert_eq!(parse_mailbox_dir("208594004"), Some(208_594_004));
        for bad in ["", "-5", "x1", "1 "] {
            assert_eq!(parse_mailbox_dir(bad), None, "{bad:?}");
        }
        assert!(is_skipped_name(".2024-01-02.partial-1") && is_skipped_name("_SUCCESS"));
        assert!(!is_skipped_name("2024-01-02"));
        assert!(is_page_file("p.json.gz") && !is_page_file("p.json.tmp"));
    }

    #[test]
    fn pages_tell_their_window() {
        let page = |p: &str, l| Window::of_page(l, Path::new(p));
        assert_eq!(
            page(
                "/raw/call-log/2024-01-02/page-00001.json.zst",
                Layout::DayWindow
            ),
            Some(Window::Day(d("2024-01-02")))
        );
        assert_eq!(
            page(
                "/raw/message-store/2024-01-01_2024-01-09/42/page-00001.json.zst",
                Layout::MailboxWindow
            ),
            Some(Window::Mailbox {
                from: d("2024-01-01"),
                to: d("2024-01-09"),
                mailbox: 42
            })
        );
        assert_eq!(
            page(
                "/raw/active-calls/2026-11-22/20261122T034912.345Z/page-00001.json.zst",
                Layout::InstantSnapshot
            ),
            Some(Window::Snapshot {
                day: d("2026-11-22"),
                at: at(1_795_319_352_345)
            })
        );
        assert_eq!(
            page(
                "/raw/call-log-sync/20261122T034912.345Z/page-00001.json.zst",
                Layout::Session
            ),
            Some(Window::Session {
                at: at(1_795_319_352_345)
            })
        );
        for (p, l) in [
            ("/raw/call-log/page.json", Layout::DayWindow),
            (
                "/raw/call-log/2024-01-02/extra/page.json",
                Layout::DayWindow,
            ),
            (
                "/raw/message-store/2024-01-01_2024-01-09/page.json",
                Layout::MailboxWindow,
            ),
            ("/raw/message-store/x/42/page.json", Layout::MailboxWindow),
            (
                "/raw/active-calls/2024-01-02/page.json",
                Layout::InstantSnapshot,
            ),
            ("page.json", Layout::DaySnapshot),
        ] {
            assert_eq!(page(p, l), None, "{p}");
        }
    }

    fn windows() -> impl Strategy<Value = (Window, Layout)> {
        let day =
            (0i32..3_000_000).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n + 1).unwrap());
        let instant = (0i64..253_402_300_799_999).prop_map(at);
        prop_oneof![
            day.clone()
                .prop_map(|d| (Window::Day(d), Layout::DayWindow)),
            day.clone()
                .prop_map(|d| (Window::Day(d), Layout::DaySnapshot)),
            (day.clone(), 0u32..1000, 0i64..i64::MAX).prop_map(|(from, len, mailbox)| {
                let to = from + chrono::Days::new(u64::from(len));
                (Window::Mailbox { from, to, mailbox }, Layout::MailboxWindow)
            }),
            (day, instant.clone())
                .prop_map(|(day, at)| (Window::Snapshot { day, at }, Layout::InstantSnapshot)),
            instant.prop_map(|at| (Window::Session { at }, Layout::Session)),
        ]
    }

    proptest! {
        /// What the extract stage writes, the transform reads back: format, then parse.
        #[test]
        fn windows_round_trip((window, layout) in windows(), page in 1u32..100_000) {
            prop_assert!(window.fits(layout));
            let names = window.dir_names();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            prop_assert_eq!(Window::parse(layout, &refs), Some(window));
            let path = Path::new("/raw/s").join(window.rel_dir()).join(page_file_name(page));
            prop_assert_eq!(Window::of_page(layout, &path), Some(window));
            let name = path.file_name().and_then(|n| n.to_str()).unwrap();
            prop_assert_eq!(parse_page_file_name(name), Some(page));
        }

        /// Parse, then format: one window, one spelling.
        #[test]
        fn names_round_trip(name in "[0-9]{4}-[0-9]{2}-[0-9]{2}(_[0-9]{4}-[0-9]{2}-[0-9]{2})?") {
            if let Some(day) = parse_day_dir(&name) {
                prop_assert_eq!(day_dir_name(day), name.clone());
            }
            if let Some((from, to)) = parse_span_dir(&name) {
                prop_assert_eq!(span_dir_name(from, to), name);
            }
        }

        #[test]
        fn arbitrary_names_never_panic(a in ".{0,30}", b in ".{0,30}") {
            for layout in [Layout::DayWindow, Layout::MailboxWindow, Layout::DaySnapshot, Layout::InstantSnapshot, Layout::Session] {
                let _ = Window::parse(layout, &[&a]);
                let _ = Window::parse(layout, &[&a, &b]);
            }
            let _ = parse_page_file_name(&a);
        }
    }
}
