//! Arrow record batches → date-partitioned Parquet files in a lake directory.
//!
//! Each partition is one file, `<lake>/<table>/date=YYYY-MM-DD/part-00000.parquet`,
//! replaced whole and atomically (written under `<lake>/_tmp/`, fsynced, renamed into
//! place), so a reader never sees half a partition and a re-run never duplicates rows.
//! The same rows always give the same bytes, and an unchanged partition is left alone.
//! This crate knows Arrow, Parquet and files; it never sees JSON or HTTP, and it does not
//! know any table: the sort key to declare comes from the batch schema's metadata
//! ([`SORT_KEY_METADATA`]).

mod error;
mod partition;
mod writer;

pub use error::{Error, Result};
pub use partition::{parse_partition_dir_name, partition_dir};
pub use writer::{
    DEFAULT_MAX_ROW_GROUP_ROWS, DEFAULT_ZSTD_LEVEL, LoadOptions, PARTITION_FILE_NAME,
    PartitionWrite, SORT_KEY_METADATA, TMP_DIR_NAME, write_partition, write_table,
};

// Types that appear in this crate's signatures.
pub use arrow::array::RecordBatch;
pub use chrono::NaiveDate;
