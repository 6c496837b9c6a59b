//! The one rule that maps a partition day to its UTC query window.

use chrono::{DateTime, Days, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The UTC window `[from, to)` of partition day `day` in time zone `tz`: from local
/// midnight of `day` to local midnight of the next day. A DST change makes the window 23 or
/// 25 hours long. Where midnight does not exist locally (a DST gap at 00:00), the day starts
/// at the first local instant that does.
pub fn day_window(day: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    (local_midnight(day, tz), local_midnight(next, tz))
}

fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    // A gap lasts at most a few hours; step minute by minute to the first existing instant.
    for minutes in 0..(24 * 60) {
        let local = midnight + chrono::Duration::minutes(minutes);
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            // Repeated midnight (fall-back at 00:00): the day starts at the first one.
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => {}
        }
    }
    Utc.from_utc_datetime(&midnight)
}

/// `2024-01-02T08:00:00.000Z`: the form the API echoes and expects (API-NOTES §8).
pub(crate) fn format_api_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn utc_day_is_midnight_to_midnight() {
        let (from, to) = day_window(d("2024-01-02"), Tz::UTC);
        assert_eq!(from, utc("2024-01-02T00:00:00Z"));
        assert_eq!(to, utc("2024-01-03T00:00:00Z"));
        assert_eq!(format_api_time(from), "2024-01-02T00:00:00.000Z");
        // Year end and leap day.
        assert_eq!(
            day_window(d("2024-12-31"), Tz::UTC).1,
            utc("2025-01-01T00:00:00Z")
        );
        assert_eq!(
            day_window(d("2024-02-29"), Tz::UTC).1,
            utc("2024-03-01T00:00:00Z")
        );
    }

    #[test]
    fn los_angeles_standard_and_dst_change_days() {
        let la = chrono_tz::America::Los_Angeles;
        let (from, to) = day_window(d("2024-01-02"), la);
        assert_eq!(format_api_time(from), "2024-01-02T08:00:00.000Z");
        assert_eq!(format_api_time(to), "2024-01-03T08:00:00.000Z");
        // Spring forward: 2024-03-10 has 23 hours.
        let (from, to) = day_window(d("2024-03-10"), la);
        assert_eq!(from, utc("2024-03-10T08:00:00Z"));
        assert_eq!(to, utc("2024-03-11T07:00:00Z"));
        assert_eq!((to - from).num_hours(), 23);
        // Fall back: 2024-11-03 has 25 hours.
        let (from, to) = day_window(d("2024-11-03"), la);
        assert_eq!(from, utc("2024-11-03T07:00:00Z"));
        assert_eq!(to, utc("2024-11-04T08:00:00Z"));
        assert_eq!((to - from).num_hours(), 25);
    }

    #[test]
    fn berlin_summer_and_change_days() {
        let berlin = chrono_tz::Europe::Berlin;
        let (from, to) = day_window(d("2024-07-01"), berlin);
        assert_eq!(from, utc("2024-06-30T22:00:00Z"));
        assert_eq!(to, utc("2024-07-01T22:00:00Z"));
        assert_eq!((to - from).num_hours(), 24);
        let (from, to) = day_window(d("2024-03-31"), berlin);
        assert_eq!((to - from).num_hours(), 23);
        let (from, to) = day_window(d("2024-10-27"), berlin);
        assert_eq!((to - from).num_hours(), 25);
    }

    #[test]
    fn consecutive_days_tile_without_gap_or_overlap() {
        let tz = chrono_tz::America::Sao_Paulo; // had DST changes at midnight until 2019
        let mut day = d("2018-10-01");
        while day < d("2019-03-01") {
            let (from, to) = day_window(day, tz);
            let next = day.succ_opt().unwrap();
            assert!(from < to, "{day}");
            assert_eq!(to, day_window(next, tz).0, "{day}");
            day = next;
        }
        // 2018-11-04: midnight did not exist (clocks jumped 00:00 -> 01:00, UTC-3 -> UTC-2).
        let (from, _) = day_window(d("2018-11-04"), tz);
        assert_eq!(from, utc("2018-11-04T03:00:00Z"));
    }
}
