//! Hive partition paths of the lake: `<lake>/<table>/date=YYYY-MM-DD`, built and parsed
//! here only.

use chrono::NaiveDate;

const DATE_PREFIX: &str = "date=";
const DATE_FORMAT: &str = "%Y-%m-%d";

/// `date=YYYY-MM-DD` for `date` (years 0000–9999; chrono writes others with a sign).
pub fn partition_dir_name(date: NaiveDate) -> String {
    format!("{DATE_PREFIX}{}", date.format(DATE_FORMAT))
}

/// The date of a partition directory name `date=YYYY-MM-DD`; `None` for anything else.
pub fn parse_partition_dir_name(name: &str) -> Option<NaiveDate> {
    let text = name.strip_prefix(DATE_PREFIX)?;
    let date = NaiveDate::parse_from_str(text, DATE_FORMAT).ok()?;
    // Refuse lenient spellings (`date=2024-1-2`): one date, one directory name.
    (partition_dir_name(date) == name).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_names() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_eq!(partition_dir_name(d), "date=2024-01-02");
        assert_eq!(parse_partition_dir_name("date=2024-01-02"), Some(d));
        for bad in [
            "2024-01-02",
            "date=2024-1-2",
            "date=2024-02-30",
            "date=",
            "date=2024-01-02x",
            "_tmp",
            "Date=2024-01-02",
        ] {
            assert_eq!(parse_partition_dir_name(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn build_then_parse_round_trips(days in 1i32..=3_652_059) {
            // 0001-01-01 ..= 9999-12-31: every date a four-digit year can name.
            let date = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            prop_assert_eq!(parse_partition_dir_name(&partition_dir_name(date)), Some(date));
        }

        #[test]
        fn parse_then_build_round_trips(name in "date=[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            if let Some(date) = parse_partition_dir_name(&name) {
                prop_assert_eq!(partition_dir_name(date), name);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(name in ".{0,20}") {
            let _ = parse_partition_dir_name(&name);
        }
    }
}
