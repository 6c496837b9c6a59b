//! Times as the API reads and writes them. The day rule itself (a partition day's UTC
//! window) is `ringlake_contracts::day`.

use chrono::{DateTime, Utc};

pub(crate) use ringlake_contracts::day::day_window;

/// `2024-01-02T08:00:00.000Z`: the form the API echoes and expects (docs/api.md §8).
pub(crate) fn format_api_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_times_have_milliseconds_and_z() {
        let t = DateTime::parse_from_rfc3339("2024-01-02T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format_api_time(t), "2024-01-02T08:00:00.000Z");
    }
}
