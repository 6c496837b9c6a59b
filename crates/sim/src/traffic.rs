//! When the simulated company is busy: its home time zone, the shape of a day and of a
//! week. Calls and messages follow the same rhythm.

use chrono::Weekday;
use chrono_tz::America::Los_Angeles;
use chrono_tz::Tz;

/// Business hours follow the account's home time zone.
pub(crate) const HOME_TZ: Tz = Los_Angeles;

/// Relative call volume per local hour of day (busy 8–18).
pub(crate) const HOUR_SHAPE: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4.0, 7.0, 8.0, 8.0, 6.5, 7.5, 8.0, 7.5, 6.5, 4.5, 2.0,
    1.0, 0.7, 0.5, 0.4, 0.3,
];

/// Relative volume per weekday, local time.
pub(crate) fn weekday_weight(d: Weekday) -> f64 {
    // Mean over the week is 1.
    let w = match d {
        Weekday::Mon => 1.15,
        Weekday::Tue | Weekday::Wed => 1.2,
        Weekday::Thu => 1.15,
        Weekday::Fri => 1.05,
        Weekday::Sat => 0.2,
        Weekday::Sun => 0.12,
    };
    w * 7.0 / 6.07
}
