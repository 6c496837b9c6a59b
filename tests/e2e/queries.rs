//! docs/queries.md is ready to run: each DuckDB query in it runs against a lake (here from its
//! directory; through S3 in `readers::ringlake_writes_the_lake_to_s3_…`), and its result equals an independent
//! computation (the simulator's truth, or pyarrow over the same files where the truth lacks
//! the field). The Spark SQL twins run under `make test-spark`
//! (`readers::spark_reads_the_lake_and_runs_the_queries`).

use crate::readers::{reader_lake, run_script};

/// The query names of docs/queries.md, each present in a DuckDB and a Spark SQL form.
pub const QUERIES: &[&str] = &[
    "calls_per_day_per_extension",
    "missed_call_rate_per_day",
    "average_handle_time_per_extension",
    "cost_per_extension_per_month",
    "recordings_per_user",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_queries_give_the_truth_in_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, truth) = reader_lake(dir.path(), 44).await;
    let stdout = run_script("check_queries.py", &[lake.as_os_str(), truth.as_os_str()]).await;
    assert_queries_checked(&stdout, "duckdb-sql");
}

/// Every query of `QUERIES` has an ok line of `engine` in a check script's output.
#[track_caller]
pub fn assert_queries_checked(stdout: &str, engine: &str) {
    for q in QUERIES {
        assert!(
            stdout.contains(&format!("{engine} {q} ok")),
            "query {q} not checked by {engine}:\n{stdout}"
        );
    }
}
