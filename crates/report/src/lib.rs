//! Reports over the lake with polars lazy scans: the billing of the call log per
//! extension, call type and direction over a period (a month of the billing time zone).
//!
//! Reads only the lake's Parquet tables (never the API or the raw zone) and knows their
//! column names, nothing of how they were made.

#![warn(missing_docs)]

use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use polars::prelude::*;

/// Errors of the report stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The lake has no `calls/` directory: nothing was loaded yet, or the path is wrong.
    #[error("no `calls` table in the lake at {lake}")]
    NoCalls {
        /// The lake root that was given.
        lake: String,
    },
    /// A month argument that is not `YYYY-MM` (the text as given).
    #[error("month {0:?} is not of the form YYYY-MM")]
    BadMonth(String),
    /// The polars scan or aggregation failed (unreadable file, unexpected column type, …).
    #[error("report over {lake} failed: {source}")]
    Polars {
        /// The lake root that was given.
        lake: String,
        /// The polars error.
        #[source]
        source: PolarsError,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// `2026-10`.
    pub fn parse(s: &str) -> Result<Self> {
        NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .map(|first| Month { first })
            .map_err(|_| Error::BadMonth(s.to_string()))
    }

    /// The month's first day, the inclusive start of its range.
    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    /// The first day of the next month.
    pub fn end(&self) -> NaiveDate {
        let (y, m) = if self.first.month() == 12 {
            (self.first.year() + 1, 1)
        } else {
            (self.first.year(), self.first.month() + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(self.first)
    }
}

/// One line of the monthly billing report. Money in micro-units (decimal(18,6) of the lake).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRow {
    /// The owning extension (`calls.extension_id`); `None` for calls without one.
    pub extension_id: Option<i64>,
    /// `calls.type`: `Voice` or `Fax`; `None` when the record had none.
    pub call_type: Option<String>,
    /// `calls.direction`: `Inbound` or `Outbound`; `None` when the record had none.
    pub direction: Option<String>,
    /// Call records in the group, deleted ones included.
    pub calls: u64,
    /// Sum of `calls.duration`, in seconds.
    pub duration_secs: i64,
    /// Sum of `billing_cost_included` (cost covered by the plan), in micro-units of the
    /// account's currency; absent costs count as 0.
    pub cost_included_micros: i128,
    /// Sum of `billing_cost_purchased` (cost charged beyond the plan), in micro-units of the
    /// account's currency; absent costs count as 0.
    pub cost_purchased_micros: i128,
}

impl BillingRow {
    /// Micro-units as a decimal with 6 places.
    pub fn money(micros: i128) -> String {
        let sign = if micros < 0 { "-" } else { "" };
        let m = micros.unsigned_abs();
        format!("{sign}{}.{:06}", m / 1_000_000, m % 1_000_000)
    }
}

/// Billing per `extension_id`, `type` and `direction` of the calls that started in
/// `[from, to)`: calls, seconds, and the included and purchased cost (exact decimals).
/// The caller turns a month of the account's billing time zone into these instants, so the
/// report does not depend on the lake's partition zone. Deleted records are counted: a call
/// that was billed stays billed.
pub fn billing(lake: &Path, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<BillingRow>> {
    let calls = lake.join("calls");
    if !calls.is_dir() {
        return Err(Error::NoCalls {
            lake: lake.display().to_string(),
        });
    }
    let glob = format!("{}/*/*.parquet", calls.display());
    let polars_err = |source| Error::Polars {
        lake: lake.display().to_string(),
        source,
    };
    let (from, to) = (from.timestamp_millis(), to.timestamp_millis());
    let start_ms = col("start_time").cast(DataType::Int64);
    LazyFrame::scan_parquet(PlRefPath::new(glob.as_str()), ScanArgsParquet::default())
        .map_err(polars_err)?
        .filter(start_ms.clone().gt_eq(lit(from)).and(start_ms.lt(lit(to))))
        .group_by_stable([col("extension_id"), col("type"), col("direction")])
        .agg([
            len().alias("calls"),
            col("duration").sum().alias("duration_secs"),
            col("billing_cost_included").sum().alias("cost_included"),
            col("billing_cost_purchased").sum().alias("cost_purchased"),
        ])
        .sort(
            ["extension_id", "type", "direction"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()
        .and_then(|df| rows(&df))
        .map_err(polars_err)
}

fn rows(df: &DataFrame) -> PolarsResult<Vec<BillingRow>> {
    let ext = df.column("extension_id")?.i64()?;
    let ty = df.column("type")?.str()?;
    let dir = df.column("direction")?.str()?;
    let calls = df.column("calls")?.cast(&DataType::UInt64)?;
    let calls = calls.u64()?;
    let secs = df.column("duration_secs")?.cast(&DataType::Int64)?;
    let secs = secs.i64()?;
    // Sums of decimals keep scale 6; read their integer representation exactly.
    let inc = df
        .column("cost_included")?
        .cast(&DataType::Decimal(38, 6))?;
    let pur = df
        .column("cost_purchased")?
        .cast(&DataType::Decimal(38, 6))?;
    let (inc, pur) = (inc.decimal()?, pur.decimal()?);
    Ok((0..df.height())
        .map(|i| BillingRow {
            extension_id: ext.get(i),
            call_type: ty.get(i).map(str::to_string),
            direction: dir.get(i).map(str::to_string),
            calls: calls.get(i).unwrap_or(0),
            duration_secs: secs.get(i).unwrap_or(0),
            cost_included_micros: inc.physical().get(i).unwrap_or(0),
            cost_purchased_micros: pur.physical().get(i).unwrap_or(0),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_end() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.end(), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("26-1x").is_err());
    }
}
