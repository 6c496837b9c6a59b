//! End-to-end tests: the `ringlake` binary against the simulator over loopback, and the lake
//! read back (Parquet reader, DuckDB) and compared with the simulator's ground truth.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

#[path = "../common/moto.rs"]
mod moto;
mod support;

mod archive;
mod bad_input;
mod chaos;
mod cli_errors;
mod dry_run;
mod duckdb;
mod failures;
mod lake_verify;
mod late_updates;
mod locks;
mod messages;
mod queries;
mod rate_limits;
mod readers;
mod run;
mod secrets;
mod sync;
mod transform_foreign;
