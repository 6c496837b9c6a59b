//! Integration tests of ringlake-load. Every scenario in `scenarios` runs twice: on a
//! local lake (a temp dir) and on S3 (moto's server on 127.0.0.1, started per test).
//! `local_only` and `s3_only` hold what concerns one backend.

// Tests: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod local_only;
mod s3_only;
mod scenarios;
mod support;

/// `#[test] fn local::<name>` and `#[test] fn s3::<name>` for each scenario.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(
                #[test]
                fn $name() {
                    crate::scenarios::$name(&crate::support::LocalLake::new());
                }
            )*
        }
        mod s3 {
            $(
                #[test]
                fn $name() {
                    crate::scenarios::$name(&crate::support::S3Lake::new());
                }
            )*
        }
    };
}

on_both_backends!(
    write_read_back_and_layout,
    rewrite_is_unchanged_and_untouched,
    big_partition_splits_then_shrinks,
    an_empty_day_keeps_its_partition,
    lost_or_corrupt_manifest_is_rebuilt_from_every_partition,
    manifest_lists_every_file,
    one_writer_takes_a_run_of_days,
    run_killed_before_its_manifest_is_repaired,
    verify_reports_each_difference,
    put_and_get_for_dead_letters,
);
