//! Lenient readers for the API's scalar values (docs/api.md §8).
//!
//! The API is loose where the spec is strict: ids the spec types as strings sometimes
//! arrive as numbers and the other way round, timestamps come with or without a fraction
//! or a zone, and money is a JSON number. These readers accept every shape seen, read
//! each one exactly, and turn anything else into a deserialization error (which the
//! transform turns into a dead-letter row, never a panic).

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDateTime};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Why a scalar value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A timestamp that is not ISO 8601 (docs/api.md §8).
    #[error("invalid timestamp {text:?}: expected ISO 8601 such as 2016-06-06T23:08:23.336Z")]
    Timestamp {
        /// The text as received.
        text: String,
    },
    /// A number that is not an exact `decimal(18, 6)` (see [`Money`]).
    #[error("invalid decimal {text:?}: {why}")]
    Money {
        /// The text as received (a JSON number as Rust prints it).
        text: String,
        /// What is wrong with it, e.g. too many decimals.
        why: &'static str,
    },
    /// An id or count that is not an int64.
    #[error("invalid integer id {text:?}: expected an int64 number or numeric string")]
    Integer {
        /// The text as received.
        text: String,
    },
}

// ---------------------------------------------------------------------------------------
// Text

/// A string value of a call-log record. Up to 24 bytes are held inline, without an
/// allocation: most values are that short (enums such as `Inbound`, phone numbers, names,
/// ids), and a record holds dozens of them, read and freed by the million in a backfill.
pub type Text = compact_str::CompactString;

// ---------------------------------------------------------------------------------------
// String ids

/// Reads an id that the API may send as a string or as a number, into text (`String` or
/// [`crate::Text`]).
pub fn opt_string_or_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    d.deserialize_option(OptVisitor(StringIdVisitor(PhantomData)))
}

/// Reads a required string id (call-log `id`, `recording.id`, …) that may arrive as a
/// JSON string or an integer. A non-integral number is refused: its digits were already
/// rounded by the time it became an `f64`, so it cannot be the id the server meant.
pub fn string_or_number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    d.deserialize_any(StringIdVisitor(PhantomData))
}

struct StringIdVisitor<T>(PhantomData<T>);

impl<T> Visitor<'_> for StringIdVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id as a string or an integer")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::from(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
        Ok(T::from(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Ok(T::from(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Ok(T::from(v.to_string()))
    }
}

// ---------------------------------------------------------------------------------------
// Integer ids and counts

/// Reads an optional int64 (`extension.id`, `duration`) from a JSON integer or a string
/// of digits (`"664573005"`). Integers are exact up to `i64::MAX` (serde_json never routes
/// integers through `f64`); floats and non-numeric strings are errors.
pub fn opt_i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(OptVisitor(I64Visitor))
}

struct I64Visitor;

impl Visitor<'_> for I64Visitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an int64 as a number or a numeric string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| {
            E::custom(ValueError::Integer {
                text: v.to_string(),
            })
        })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        parse_i64(v).map_err(E::custom)
    }
}

/// Parses a decimal integer string (optional sign, digits only, surrounding spaces ignored).
pub fn parse_i64(text: &str) -> Result<i64, ValueError> {
    text.trim().parse::<i64>().map_err(|_| ValueError::Integer {
        text: text.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------
// Timestamps

/// Parses an API timestamp into milliseconds since the Unix epoch (UTC).
///
/// Accepted (docs/api.md §8): RFC 3339 with `Z` or a numeric offset (`+01:00`, `+0100`),
/// with or without a fraction, and zone-less `2012-02-25T00:00:00` which the server
/// treats as UTC. Digits beyond milliseconds are truncated toward the past.
pub fn parse_timestamp_ms(text: &str) -> Result<i64, ValueError> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    // Offsets without a colon (`+0000`) are not RFC 3339 but are ISO 8601.
    if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Ok(dt.timestamp_millis());
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(naive.and_utc().timestamp_millis());
    }
    Err(ValueError::Timestamp {
        text: text.to_owned(),
    })
}

/// serde reader for a required timestamp, see [`parse_timestamp_ms`].
pub fn timestamp_ms<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_str(TimestampVisitor)
}

/// serde reader for an optional timestamp, see [`parse_timestamp_ms`].
pub fn opt_timestamp_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(OptVisitor(TimestampVisitor))
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISO 8601 date-time string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        parse_timestamp_ms(v).map_err(E::custom)
    }
}

// ---------------------------------------------------------------------------------------
// Money

/// An amount of money as a `decimal(18, 6)`: the value times 10⁶ (micro-units).
///
/// Read exactly, never through float arithmetic. JSON numbers reach us as `f64` (the
/// workspace does not enable serde_json's `arbitrary_precision`), but for a decimal with at
/// most 15 significant digits the shortest round-trip rendering of that `f64` — what Rust's
/// `Display` prints — is exactly the decimal text that was in the JSON (`0.137` → `"0.137"`,
/// `0.000` → `"0"`). So the number is printed with `{}` and that text is parsed digit by
/// digit. Values that need more than 6 decimals (`0.1 + 0.2` = `0.30000000000000004`,
/// `1e-7`) or do not fit 18 digits are refused rather than rounded. Billing values are
/// short decimals such as `0.137` (docs/api.md §3.1), far inside the exact range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i128);

impl Money {
    /// Decimal places kept.
    pub const SCALE: u32 = 6;
    /// Total digits kept (`decimal(18, 6)`).
    pub const PRECISION: u32 = 18;

    /// The amount in micro-units (value × 10⁶).
    pub fn micros(self) -> i128 {
        self.0
    }

    /// Parses a decimal text such as `0.137`, `-0.5`, `12`, `1.5e-3`, exactly.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        parse_decimal_micros(text.trim())
            .map(Money)
            .map_err(|why| ValueError::Money {
                text: text.to_owned(),
                why,
            })
    }

    /// Converts a JSON number that serde_json handed over as `f64`; see the type docs.
    pub fn from_f64(v: f64) -> Result<Self, ValueError> {
        if !v.is_finite() {
            return Err(ValueError::Money {
                text: v.to_string(),
                why: "not a finite number",
            });
        }
        Self::parse(&v.to_string())
    }
}

impl fmt::Display for Money {
    /// Prints all 6 decimals: `0.137000`, `-0.500000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10_u128.pow(Self::SCALE);
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:06}", abs / scale, abs % scale)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MoneyVisitor)
    }
}

struct MoneyVisitor;

impl Visitor<'_> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount as a number or a numeric string")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
        Money::from_f64(v).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        Money::parse(&v.to_string()).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        Money::parse(&v.to_string()).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
        Money::parse(v).map_err(E::custom)
    }
}

/// `[-]digits[.digits][e[+-]digits]` → value × 10⁶, exactly, within ±(10¹⁸ − 1).
fn parse_decimal_micros(text: &str) -> Result<i128, &'static str> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => {
            let exp: i32 = body[at + 1..].parse().map_err(|_| "bad exponent")?;
            (&body[..at], exp)
        }
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err("no digits");
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return Err("not a decimal number");
    }
    // value = digits × 10^(exponent − frac_len); we want value × 10^SCALE.
    let all: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b - b'0')
        .collect();
    let shift = i64::from(exponent) + i64::from(Money::SCALE) - frac_part.len() as i64;
    let limit: i128 = 10_i128.pow(Money::PRECISION);
    let mut acc: i128 = 0;
    // Digits that fall below the micro-unit must all be zero (no rounding).
    let keep = if shift >= 0 {
        all.len()
    } else {
        let drop = usize::try_from(-shift).map_err(|_| "exponent out of range")?;
        if drop > all.len() {
            if all.iter().any(|&d| d != 0) {
                return Err("more than 6 decimal places");
            }
            0
        } else {
            let keep = all.len() - drop;
            if all[keep..].iter().any(|&d| d != 0) {
                return Err("more than 6 decimal places");
            }
            keep
        }
    };
    for &d in &all[..keep] {
        acc = acc * 10 + i128::from(d);
        if acc >= limit {
            return Err("out of decimal(18,6) range");
        }
    }
    if shift > 0 && acc != 0 {
        for _ in 0..shift {
            acc *= 10;
            if acc >= limit {
                return Err("out of decimal(18,6) range");
            }
        }
    }
    Ok(if negative { -acc } else { acc })
}

// ---------------------------------------------------------------------------------------
// Helpers

/// Wraps a visitor so that JSON `null` and an absent value read as `None`.
struct OptVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptVisitor<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0).map(Some)
    }
}

/// Reads `null` as the type's default (an empty list for `legs: null`).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Ids {
        #[serde(deserialize_with = "string_or_number")]
        id: String,
        #[serde(default, deserialize_with = "opt_i64_lenient")]
        ext: Option<i64>,
    }

    fn ids(json: &str) -> Result<Ids, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn string_ids_from_string_or_integer() {
        assert_eq!(
            ids(r#"{"id":"IVWtSyis720zMEA"}"#).unwrap().id,
            "IVWtSyis720zMEA"
        );
        assert_eq!(ids(r#"{"id":401678422008}"#).unwrap().id, "401678422008");
        assert_eq!(ids(r#"{"id":-5}"#).unwrap().id, "-5");
        // 2^53 + 1 is not representable as f64; it must survive exactly.
        assert_eq!(
            ids(r#"{"id":9007199254740993}"#).unwrap().id,
            "9007199254740993"
        );
        assert_eq!(
            ids(r#"{"id":18446744073709551615}"#).unwrap().id,
            "18446744073709551615"
        );
        assert!(ids(r#"{"id":1.5}"#).is_err());
        assert!(ids(r#"{"id":true}"#).is_err());
        assert!(ids(r#"{"id":null}"#).is_err());
    }

    #[test]
    fn int64_ids_from_number_or_numeric_string() {
        assert_eq!(
            ids(r#"{"id":"a","ext":664573005}"#).unwrap().ext,
            Some(664573005)
        );
        assert_eq!(
            ids(r#"{"id":"a","ext":"664573005"}"#).unwrap().ext,
            Some(664573005)
        );
        assert_eq!(
            ids(r#"{"id":"a","ext":9007199254740993}"#).unwrap().ext,
            Some(9_007_199_254_740_993)
        );
        assert_eq!(
            ids(r#"{"id":"a","ext":"9007199254740993"}"#).unwrap().ext,
            Some(9_007_199_254_740_993)
        );
        assert_eq!(ids(r#"{"id":"a","ext":-1}"#).unwrap().ext, Some(-1));
        assert_eq!(ids(r#"{"id":"a","ext":null}"#).unwrap().ext, None);
        assert_eq!(ids(r#"{"id":"a"}"#).unwrap().ext, None);
        assert_eq!(
            ids(r#"{"id":"a","ext":9223372036854775807}"#).unwrap().ext,
            Some(i64::MAX)
        );
        assert!(ids(r#"{"id":"a","ext":9223372036854775808}"#).is_err());
        assert!(ids(r#"{"id":"a","ext":"12ab"}"#).is_err());
        assert!(ids(r#"{"id":"a","ext":""}"#).is_err());
        assert!(ids(r#"{"id":"a","ext":1.0}"#).is_err());
    }

    #[test]
    fn timestamps_in_every_seen_shape() {
        let base = 1_465_254_503_336; // 2016-06-06T23:08:23.336Z
        assert_eq!(parse_timestamp_ms("2016-06-06T23:08:23.336Z"), Ok(base));
        assert_eq!(parse_timestamp_ms("2016-06-06T23:08:23Z"), Ok(base - 336));
        assert_eq!(
            parse_timestamp_ms("2016-06-06T23:08:23.000Z"),
            Ok(base - 336)
        );
        assert_eq!(
            parse_timestamp_ms("2016-06-07T01:08:23.336+02:00"),
            Ok(base)
        );
        assert_eq!(parse_timestamp_ms("2016-06-06T16:08:23.336-0700"), Ok(base));
        assert_eq!(parse_timestamp_ms("2016-06-06T23:08:23.336"), Ok(base));
        assert_eq!(
            parse_timestamp_ms("2012-02-25T00:00:00"),
            Ok(1_330_128_000_000)
        );
        // Microseconds truncate to the millisecond.
        assert_eq!(parse_timestamp_ms("2016-06-06T23:08:23.336999Z"), Ok(base));
        // Before the epoch.
        assert_eq!(parse_timestamp_ms("1969-12-31T23:59:59.999Z"), Ok(-1));
        for bad in [
            "",
            "yesterday",
            "2016-06-06",
            "2016-13-01T00:00:00Z",
            "2016-06-06T25:00:00Z",
            "1465254503336",
        ] {
            assert!(
                parse_timestamp_ms(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn timestamp_serde_readers() {
        #[derive(Deserialize)]
        struct T {
            #[serde(deserialize_with = "timestamp_ms")]
            a: i64,
            #[serde(default, deserialize_with = "opt_timestamp_ms")]
            b: Option<i64>,
        }
        let t: T =
            serde_json::from_str(r#"{"a":"1970-01-01T00:00:01Z","b":"1970-01-01T00:00:00.002Z"}"#)
                .unwrap();
        assert_eq!((t.a, t.b), (1000, Some(2)));
        let t: T = serde_json::from_str(r#"{"a":"1970-01-01T00:00:01Z"}"#).unwrap();
        assert_eq!(t.b, None);
        assert!(serde_json::from_str::<T>(r#"{"a":1000}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a":"1970-01-01T00:00:01Z","b":"nope"}"#).is_err());
    }

    fn money(json: &str) -> Result<Money, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn money_from_json_numbers_exactly() {
        assert_eq!(money("0.137").unwrap(), Money(137_000));
        assert_eq!(money("0").unwrap(), Money(0));
        assert_eq!(money("0.000").unwrap(), Money(0));
        assert_eq!(money("1.2").unwrap(), Money(1_200_000));
        assert_eq!(money("-0.5").unwrap(), Money(-500_000));
        assert_eq!(money("0.000001").unwrap(), Money(1));
        assert_eq!(money("0.1").unwrap(), Money(100_000));
        assert_eq!(
            money("123456789.123456").unwrap(),
            Money(123_456_789_123_456)
        );
        assert_eq!(money("1e2").unwrap(), Money(100_000_000));
        assert_eq!(money("1.5E-3").unwrap(), Money(1_500));
        assert_eq!(
            money("999999999999").unwrap(),
            Money(999_999_999_999_000_000)
        );
        assert_eq!(money(r#""0.137""#).unwrap(), Money(137_000));
        assert_eq!(money(r#""-12.34""#).unwrap(), Money(-12_340_000));
        assert_eq!(
            money(r#""0.1000000""#).unwrap(),
            Money(100_000),
            "trailing zeros are exact"
        );
    }

    #[test]
    fn money_refuses_what_it_cannot_keep_exactly() {
        // 0.1 + 0.2 as a JSON literal: 17 decimals.
        assert!(money("0.30000000000000004").is_err());
        assert!(money("1e-7").is_err());
        assert!(money("0.0000001").is_err());
        assert!(money("1e300").is_err());
        assert!(
            money("1000000000000").is_err(),
            "10^12 needs 19 digits at scale 6"
        );
        assert!(money("-1000000000000").is_err());
        assert!(money(r#""abc""#).is_err());
        assert!(money(r#""""#).is_err());
        assert!(money(r#""1.2.3""#).is_err());
        assert!(money(r#""1e""#).is_err());
        assert!(money("true").is_err());
        assert!(Money::from_f64(f64::NAN).is_err());
        assert!(Money::from_f64(f64::INFINITY).is_err());
        // A value computed in floating point is not what an API would send; refused.
        assert!(Money::from_f64(0.1 + 0.2).is_err());
    }

    #[test]
    fn money_display_has_six_decimals() {
        assert_eq!(Money(137_000).to_string(), "0.137000");
        assert_eq!(Money(-500_000).to_string(), "-0.500000");
        assert_eq!(Money(0).to_string(), "0.000000");
        assert_eq!(Money(12_000_001).to_string(), "12.000001");
        assert_eq!(serde_json::to_string(&Money(1)).unwrap(), r#""0.000001""#);
    }

    #[test]
    fn null_as_default_reads_null_and_values() {
        #[derive(Deserialize)]
        struct L {
            #[serde(default, deserialize_with = "null_as_default")]
            v: Vec<u8>,
        }
        assert!(
            serde_json::from_str::<L>(r#"{"v":null}"#)
                .unwrap()
                .v
                .is_empty()
        );
        assert!(serde_json::from_str::<L>(r#"{}"#).unwrap().v.is_empty());
        assert_eq!(
            serde_json::from_str::<L>(r#"{"v":[1]}"#).unwrap().v,
            vec![1]
        );
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(512))]

        /// Any text is a value or an error, never a panic.
        #[test]
        fn scalar_readers_never_panic(text in "\\PC{0,24}|[-+0-9.eE]{0,24}") {
            let _ = Money::parse(&text);
            let _ = parse_timestamp_ms(&text);
            let _ = parse_i64(&text);
        }

        /// ISO 8601 shapes with signed years of any width and offsets east and west of
        /// UTC, up to chrono's range edges (issue 17): a value or an error, never a panic,
        /// and a value is an instant chrono can hold, in every zone the transform meets.
        #[test]
        fn timestamps_up_to_the_range_edges_never_panic(
            year in proptest::prop_oneof![
                proptest::sample::select(vec!["+262142", "-262143", "-262144", "+262143"])
                    .prop_map(str::to_owned),
                "[-+]?[0-9]{1,7}",
            ],
            rest in "-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?",
            zone in "|Z|[-+](0[0-9]|1[0-4]):?[0-5][0-9]",
        ) {
            let text = format!("{year}{rest}{zone}");
            if let Ok(ms) = parse_timestamp_ms(&text) {
                proptest::prop_assert!(
                    DateTime::from_timestamp_millis(ms).is_some(),
                    "{} read as {} ms, outside chrono's range", text, ms
                );
            }
        }

        #[test]
        fn money_from_any_f64_never_panics(v in proptest::num::f64::ANY) {
            let _ = Money::from_f64(v);
        }

        /// A decimal of at most 12 integer and 6 fractional digits is read exactly.
        #[test]
        fn money_reads_short_decimals_exactly(
            int in 0i64..1_000_000_000_000,
            micros in 0i64..1_000_000,
            negative in proptest::bool::ANY,
        ) {
            let text = format!("{}{int}.{micros:06}", if negative { "-" } else { "" });
            let expected = i128::from(int) * 1_000_000 + i128::from(micros);
            let expected = if negative { -expected } else { expected };
            proptest::prop_assert_eq!(Money::parse(&text), Ok(Money(expected)));
        }
    }
}
