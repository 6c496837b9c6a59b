//! The day rule: what a partition day is, in both directions. A day of time zone `tz` is
//! the UTC window `[local midnight, next local midnight)` ([`day_window`]); an instant
//! belongs to the day whose window holds it ([`day_of`]). The extract stage asks the API
//! for a day's window, the transform files each record under the day of its start, and the
//! report turns a month of the billing zone into instants: all with these two functions.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// A day window's records belong to its own day or, when the partition zone is not the
/// zone the window was cut in, to a day at most this far from it: zones span UTC−12 to
/// UTC+14, so local days of two zones overlap by less than two days either way.
pub const WINDOW_REACH_DAYS: u64 = 2;

/// The UTC window `[from, to)` of partition day `day` in time zone `tz`: from local
/// midnight of `day` to local midnight of the next day. A DST change makes the window 23 or
/// 25 hours long. Where midnight does not exist locally (a DST gap at 00:00), the day starts
/// at the first local instant that does. Chrono's last day ([`NaiveDate::MAX`]) has no next
/// midnight: its window is empty, and [`day_of`] names it for no instant.
pub fn day_window(day: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    (local_midnight(day, tz), local_midnight(next, tz))
}

fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    // A gap lasts at most a few hours; step minute by minute to the first existing instant.
    for minutes in 0..(24 * 60) {
        let local = midnight + TimeDelta::minutes(minutes);
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            // Repeated midnight (fall-back at 00:00): the day starts at the first one.
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => {}
        }
    }
    Utc.from_utc_datetime(&midnight)
}

/// The partition day of instant `t` in `tz`: the day whose [`day_window`] holds it.
/// `None` at the very edges of chrono's range (within a day of them), where the local time
/// of some zones cannot be represented, and on chrono's last day, whose window has no end
/// chrono can represent: outside data there is refused, never a panic.
pub fn day_of(t: DateTime<Utc>, tz: Tz) -> Option<NaiveDate> {
    // No zone is a day or more away from UTC: a margin of one day keeps the local time
    // representable.
    let naive = t.naive_utc();
    naive.checked_sub_signed(TimeDelta::days(1))?;
    naive.checked_add_signed(TimeDelta::days(1))?;
    Some(t.with_timezone(&tz).date_naive()).filter(|day| *day < NaiveDate::MAX)
}

/// [`day_of`] for milliseconds since the Unix epoch (how timestamps are stored in the lake).
pub fn day_of_millis(ms: i64, tz: Tz) -> Option<NaiveDate> {
    day_of(DateTime::from_timestamp_millis(ms)?, tz)
}

/// The days `from..=to`, in order (none when `to` is before `from`).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

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
        assert_eq!(from, utc("2024-01-02T08:00:00Z"));
        assert_eq!(to, utc("2024-01-03T08:00:00Z"));
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

    #[test]
    fn instants_fall_in_their_zones_day() {
        // 2024-03-10T07:30Z is still March 9th in Los Angeles (PST, UTC-8).
        let ms = 1_710_055_800_000;
        assert_eq!(day_of_millis(ms, Tz::UTC), Some(d("2024-03-10")));
        assert_eq!(
            day_of_millis(ms, chrono_tz::America::Los_Angeles),
            Some(d("2024-03-09"))
        );
        // Chrono's range edges are refused, not a panic, in every zone.
        for tz in [
            Tz::UTC,
            chrono_tz::Pacific::Kiritimati,
            chrono_tz::Etc::GMTPlus12,
        ] {
            for ms in [i64::MAX, i64::MIN] {
                assert_eq!(day_of_millis(ms, tz), None);
            }
            let edge = DateTime::<Utc>::MAX_UTC.timestamp_millis();
            assert_eq!(day_of_millis(edge, tz), None);
            assert!(day_of_millis(edge - 2 * 86_400_000, tz).is_some());
            let edge = DateTime::<Utc>::MIN_UTC.timestamp_millis();
            assert_eq!(day_of_millis(edge, tz), None);
        }
        // East of UTC, two days before chrono's end is already its last day locally, and
        // that day has no window end: no instant is of it.
        let late = DateTime::<Utc>::MAX_UTC.timestamp_millis() - 86_400_000 - 1;
        assert_eq!(day_of_millis(late, chrono_tz::Asia::Tokyo), None);
        assert_eq!(day_of_millis(late, Tz::UTC), NaiveDate::MAX.pred_opt());
        let (from, to) = day_window(NaiveDate::MAX, chrono_tz::Asia::Tokyo);
        assert_eq!(from, to);
    }

    #[test]
    fn days_between_is_inclusive() {
        let v: Vec<_> = days_between(d("2024-02-28"), d("2024-03-01")).collect();
        assert_eq!(v, [d("2024-02-28"), d("2024-02-29"), d("2024-03-01")]);
        assert_eq!(days_between(d("2024-03-01"), d("2024-02-28")).count(), 0);
    }

    fn zones() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            Tz::UTC,
            chrono_tz::America::Los_Angeles,
            chrono_tz::America::New_York,
            chrono_tz::America::Sao_Paulo,
            chrono_tz::Europe::Berlin,
            chrono_tz::Asia::Kolkata,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Pacific::Kiritimati,
            chrono_tz::Etc::GMTPlus12,
            chrono_tz::Pacific::Chatham,
            chrono_tz::Asia::Tokyo,
        ])
    }

    proptest! {
        /// Both directions of the rule agree: every instant of a day's window is of that
        /// day, the window's end is of the next day, and an instant's day's window holds it.
        #[test]
        fn window_and_day_agree(
            days in 0i32..40_000,
            secs in 0i64..86_400,
            tz in zones(),
            other in zones(),
        ) {
            let day = NaiveDate::from_num_days_from_ce_opt(700_000 + days).unwrap();
            let (from, to) = day_window(day, tz);
            prop_assert!(from < to);
            prop_assert_eq!(day_of(from, tz), Some(day));
            prop_assert_eq!(day_of(to - TimeDelta::milliseconds(1), tz), Some(day));
            prop_assert_eq!(day_of(to, tz), day.succ_opt());
            // Any instant of the window: its day's window holds it.
            let t = from + TimeDelta::seconds(secs % (to - from).num_seconds());
            let of = day_of(t, tz).unwrap();
            let (f, e) = day_window(of, tz);
            prop_assert!(f <= t && t < e, "{t} not in {of}'s window {f}..{e}");
            // In any other zone it is of a day within the reach of the window's day.
            let elsewhere = day_of(t, other).unwrap();
            prop_assert!((elsewhere - day).num_days().unsigned_abs() <= WINDOW_REACH_DAYS);
        }

        /// Outside data reaches the rule with any instant chrono can hold (the API's
        /// timestamps take signed years of any width, issue 17): in every zone, east and
        /// west of UTC, the day is `None` or a day whose window holds the instant — never a
        /// panic — and only within a day of chrono's range edges is it `None`.
        #[test]
        fn any_instant_has_its_day_or_none_in_every_zone(
            ms in prop_oneof![
                any::<i64>(),
                DateTime::<Utc>::MIN_UTC.timestamp_millis()..DateTime::<Utc>::MAX_UTC.timestamp_millis(),
                (0i64..3 * 86_400_000).prop_map(|off| DateTime::<Utc>::MAX_UTC.timestamp_millis() - off),
                (0i64..3 * 86_400_000).prop_map(|off| DateTime::<Utc>::MIN_UTC.timestamp_millis() + off),
            ],
            tz in zones(),
        ) {
            let Some(t) = DateTime::from_timestamp_millis(ms) else {
                prop_assert_eq!(day_of_millis(ms, tz), None);
                return Ok(());
            };
            let inside = t.naive_utc().checked_sub_signed(TimeDelta::days(1)).is_some()
                && t.naive_utc().checked_add_signed(TimeDelta::days(1)).is_some();
            let day = day_of_millis(ms, tz);
            let last_day = inside && t.with_timezone(&tz).date_naive() == NaiveDate::MAX;
            prop_assert_eq!(day.is_some(), inside && !last_day, "{} in {}", t, tz);
            if let Some(day) = day {
                let (from, to) = day_window(day, tz);
                prop_assert!(from <= t && t < to, "{t} not in {day}'s window {from}..{to} ({tz})");
            }
        }

        /// Any day chrono can name has a window in every zone, never a panic; it is empty
        /// only at chrono's last day, whose end cannot be represented.
        #[test]
        fn any_day_has_a_window_in_every_zone(
            day in prop_oneof![
                (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce()),
                (0..3).prop_map(|d| NaiveDate::MAX.num_days_from_ce() - d),
                (0..3).prop_map(|d| NaiveDate::MIN.num_days_from_ce() + d),
            ].prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap()),
            tz in zones(),
        ) {
            let (from, to) = day_window(day, tz);
            prop_assert!(from <= to, "{day} in {tz}: {from}..{to}");
            prop_assert!(from < to || day == NaiveDate::MAX, "{day} in {tz}: empty");
        }
    }
}
