//! End-to-end tests: the `ringlake` binary against the simulator over loopback, and the lake
//! read back (Parquet reader, DuckDB) and compared with the simulator's ground truth.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod support;

mod bad_input;
mod chaos;
mod cli_errors;
mod duckdb;
mod late_updates;
mod messages;
mod rate_limits;
mod run;
mod secrets;
mod transform_foreign;
