//! Lenient readers for the API's scalar values. Filled in with the call-log types.

use serde::{Deserialize, Deserializer};

/// Reads an id that the API may send as a string or as a number, into a string.
pub fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        None => None,
        Some(Either::S(s)) => Some(s),
        Some(Either::I(i)) => Some(i.to_string()),
        Some(Either::U(u)) => Some(u.to_string()),
    })
}
