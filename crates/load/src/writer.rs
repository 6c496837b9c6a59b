//! Writing one partition as one Parquet file, atomically.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use arrow::array::RecordBatch;
use arrow::datatypes::Schema;
use chrono::NaiveDate;
use parquet::arrow::{ArrowSchemaConverter, ArrowWriter};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use tracing::{debug, info};

use crate::error::{Error, Result};
use crate::partition::partition_dir;

/// Row-group size when none is configured: about a million rows, so a day of calls of
/// most accounts is one row group.
pub const DEFAULT_MAX_ROW_GROUP_ROWS: usize = 1_048_576;
/// zstd level when none is configured: zstd's own default, a good speed/size balance.
pub const DEFAULT_ZSTD_LEVEL: i32 = 3;
/// The one file of a partition.
pub const PARTITION_FILE_NAME: &str = "part-00000.parquet";
/// Directory under the lake for files being written, skipped by readers (leading `_`).
pub const TMP_DIR_NAME: &str = "_tmp";
/// Schema-level metadata key naming the rows' sort key (comma-separated column names);
/// the transform sets it, the loader declares those columns as Parquet sorting columns.
pub const SORT_KEY_METADATA: &str = "ringlake.sort_key";
/// Parquet `created_by`: fixed, without a version, so the same rows give the same bytes
/// whichever build wrote them.
const CREATED_BY: &str = "ringlake";

/// How partitions are encoded.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Rows per row group at most (≥ 1).
    pub max_row_group_rows: usize,
    /// zstd compression level (1–22; negative levels are zstd's fast modes).
    pub zstd_level: i32,
}

impl LoadOptions {
    /// [`DEFAULT_MAX_ROW_GROUP_ROWS`], [`DEFAULT_ZSTD_LEVEL`].
    pub fn new() -> Self {
        Self {
            max_row_group_rows: DEFAULT_MAX_ROW_GROUP_ROWS,
            zstd_level: DEFAULT_ZSTD_LEVEL,
        }
    }

    pub fn with_max_row_group_rows(mut self, rows: usize) -> Self {
        self.max_row_group_rows = rows;
        self
    }

    pub fn with_zstd_level(mut self, level: i32) -> Self {
        self.zstd_level = level;
        self
    }

    fn writer_properties(&self, schema: &Schema) -> Result<WriterProperties> {
        if self.max_row_group_rows == 0 {
            return Err(Error::InvalidOptions {
                reason: "max_row_group_rows must be at least 1".into(),
            });
        }
        let level = ZstdLevel::try_new(self.zstd_level).map_err(|e| Error::InvalidOptions {
            reason: format!("zstd_level {}: {e}", self.zstd_level),
        })?;
        // Every property that shapes the bytes is set here, not left to the crate's
        // defaults (whose compression default is "uncompressed").
        Ok(WriterProperties::builder()
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(Compression::ZSTD(level))
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_dictionary_enabled(true)
            .set_max_row_group_row_count(Some(self.max_row_group_rows))
            .set_created_by(CREATED_BY.to_owned())
            .set_sorting_columns(sorting_columns(schema))
            .build())
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// What happened to one partition.
#[derive(Clone, Debug)]
pub struct PartitionWrite {
    pub table: String,
    pub date: NaiveDate,
    /// The partition's file; `None` when the partition was removed (0 rows).
    pub path: Option<PathBuf>,
    pub rows: usize,
    /// Size of the file (0 when removed).
    pub bytes: u64,
    /// False when the file already held exactly these bytes (left untouched) or an empty
    /// partition did not exist.
    pub changed: bool,
}

/// Writes (or replaces, whole and atomically) `<lake>/<table>/date=D/part-00000.parquet`.
/// 0 rows → the partition dir is removed (a re-run clears a day that became empty).
///
/// The file is encoded in memory, written to `<lake>/_tmp/` (outside the table, so no
/// reader ever sees a partial file), fsynced, and renamed over the final path; then any
/// other file in the partition dir is removed and the dir is fsynced. When the existing
/// file already has exactly the new bytes it is left untouched (`changed: false`): the
/// same rows always encode to the same bytes.
pub fn write_partition(
    lake: &Path,
    table: &str,
    date: NaiveDate,
    batch: &RecordBatch,
    opts: &LoadOptions,
) -> Result<PartitionWrite> {
    check_table_name(table)?;
    let ctx = Ctx { table, date };
    let dir = partition_dir(lake, table, date);

    if batch.num_rows() == 0 {
        let changed = remove_partition(lake, &dir, &ctx)?;
        debug!(table, %date, changed, "Empty partition removed.");
        return Ok(PartitionWrite {
            table: table.to_owned(),
            date,
            path: None,
            rows: 0,
            bytes: 0,
            changed,
        });
    }

    let bytes = encode(batch, opts, &ctx)?;
    let final_path = dir.join(PARTITION_FILE_NAME);
    let unchanged = match fs::read(&final_path) {
        Ok(existing) => existing == bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(ctx.io("read", &final_path, e)),
    };
    if !unchanged {
        publish(lake, &dir, &final_path, &bytes, &ctx)?;
    }
    // Also after an unchanged write: nothing but our one file may sit in a partition.
    let removed = remove_others(&dir, &ctx)?;
    if removed > 0 {
        sync_dir(&dir, &ctx)?;
    }
    debug!(
        table,
        %date,
        rows = batch.num_rows(),
        bytes = bytes.len(),
        changed = !unchanged,
        "Partition written."
    );
    Ok(PartitionWrite {
        table: table.to_owned(),
        date,
        path: Some(final_path),
        rows: batch.num_rows(),
        bytes: bytes.len() as u64,
        changed: !unchanged || removed > 0,
    })
}

/// Writes every partition of one table with [`write_partition`], several at a time.
/// All batches must have the same schema (checked before anything is written). Results
/// come back in date order; the first error stops the table (partitions already written
/// stay, each of them whole).
pub fn write_table(
    lake: &Path,
    table: &str,
    partitions: &BTreeMap<NaiveDate, RecordBatch>,
    opts: &LoadOptions,
) -> Result<Vec<PartitionWrite>> {
    check_table_name(table)?;
    let mut schemas = partitions.iter();
    if let Some((_, first)) = schemas.next() {
        let schema = first.schema();
        if let Some((date, _)) = schemas.find(|(_, b)| b.schema() != schema) {
            return Err(Error::SchemaMismatch {
                table: table.to_owned(),
                date: *date,
            });
        }
    }

    let work: Vec<(&NaiveDate, &RecordBatch)> = partitions.iter().collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(work.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<PartitionWrite>>>> =
        Mutex::new((0..work.len()).map(|_| None).collect());
    let failed = AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((date, batch)) = work.get(i) else {
                        break;
                    };
                    let r = write_partition(lake, table, **date, batch, opts);
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(r);
                    }
                }
            });
        }
    });
    let slots = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = Vec::with_capacity(slots.len());
    for r in slots.into_iter().flatten() {
        out.push(r?);
    }
    info!(
        table,
        partitions = out.len(),
        rows = out.iter().map(|w| w.rows).sum::<usize>(),
        bytes = out.iter().map(|w| w.bytes).sum::<u64>(),
        changed = out.iter().filter(|w| w.changed).count(),
        "Table written."
    );
    Ok(out)
}

/// Context of one partition, for errors.
struct Ctx<'a> {
    table: &'a str,
    date: NaiveDate,
}

impl Ctx<'_> {
    fn io(&self, op: &'static str, path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            table: self.table.to_owned(),
            date: self.date,
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}

fn check_table_name(table: &str) -> Result<()> {
    let bad = table.is_empty()
        || table == ".."
        || table.starts_with('_')
        || table.starts_with('.')
        || table.contains(['/', '\\']);
    if bad {
        Err(Error::InvalidTable {
            table: table.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// The sort key the transform recorded in the schema, as Parquet leaf column indices.
/// Columns it names that are missing or nested are ignored (nothing is declared rather
/// than something wrong).
fn sorting_columns(schema: &Schema) -> Option<Vec<SortingColumn>> {
    let key = schema.metadata().get(SORT_KEY_METADATA)?;
    let descr = ArrowSchemaConverter::new().convert(schema).ok()?;
    let mut out = Vec::new();
    for name in key.split(',').map(str::trim) {
        let idx = descr
            .columns()
            .iter()
            .position(|c| c.path().parts() == [name])?;
        out.push(SortingColumn {
            column_idx: i32::try_from(idx).ok()?,
            descending: false,
            nulls_first: true,
        });
    }
    (!out.is_empty()).then_some(out)
}

fn encode(batch: &RecordBatch, opts: &LoadOptions, ctx: &Ctx<'_>) -> Result<Vec<u8>> {
    let schema = batch.schema();
    let props = opts.writer_properties(&schema)?;
    let parquet = |source| Error::Parquet {
        table: ctx.table.to_owned(),
        date: ctx.date,
        source,
    };
    let mut buf = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buf, schema, Some(props)).map_err(parquet)?;
    writer.write(batch).map_err(parquet)?;
    writer.close().map_err(parquet)?;
    Ok(buf)
}

/// Writes `bytes` under `_tmp`, fsyncs, renames over `final_path`, fsyncs the dirs.
fn publish(lake: &Path, dir: &Path, final_path: &Path, bytes: &[u8], ctx: &Ctx<'_>) -> Result<()> {
    let tmp_dir = lake.join(TMP_DIR_NAME);
    fs::create_dir_all(&tmp_dir).map_err(|e| ctx.io("create directory", &tmp_dir, e))?;
    let tmp = tmp_dir.join(unique_name(ctx, "parquet"));
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| ctx.io("create", &tmp, e))?;
        f.write_all(bytes).map_err(|e| ctx.io("write", &tmp, e))?;
        f.sync_all().map_err(|e| ctx.io("fsync", &tmp, e))?;
        drop(f);
        let created = !dir.exists();
        fs::create_dir_all(dir).map_err(|e| ctx.io("create directory", dir, e))?;
        fs::rename(&tmp, final_path).map_err(|e| ctx.io("rename into", final_path, e))?;
        sync_dir(dir, ctx)?;
        if created && let Some(table_dir) = dir.parent() {
            sync_dir(table_dir, ctx)?;
        }
        Ok(())
    })();
    if result.is_err() {
        // Best effort: the failure being reported matters more than a leftover temp file.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes a partition dir by first moving it under `_tmp` (one atomic step for readers).
/// Returns whether there was one.
fn remove_partition(lake: &Path, dir: &Path, ctx: &Ctx<'_>) -> Result<bool> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(ctx.io("inspect", dir, e)),
        Ok(_) => {}
    }
    let tmp_dir = lake.join(TMP_DIR_NAME);
    fs::create_dir_all(&tmp_dir).map_err(|e| ctx.io("create directory", &tmp_dir, e))?;
    let graveyard = tmp_dir.join(unique_name(ctx, "removed"));
    fs::rename(dir, &graveyard).map_err(|e| ctx.io("move away", dir, e))?;
    if let Some(table_dir) = dir.parent() {
        sync_dir(table_dir, ctx)?;
    }
    fs::remove_dir_all(&graveyard).map_err(|e| ctx.io("remove", &graveyard, e))?;
    Ok(true)
}

/// Removes everything in the partition dir but [`PARTITION_FILE_NAME`]; returns how many.
fn remove_others(dir: &Path, ctx: &Ctx<'_>) -> Result<usize> {
    let entries = fs::read_dir(dir).map_err(|e| ctx.io("list", dir, e))?;
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| ctx.io("list", dir, e))?;
        if entry.file_name() == PARTITION_FILE_NAME {
            continue;
        }
        let path = entry.path();
        let is_dir = entry
            .file_type()
            .map_err(|e| ctx.io("inspect", &path, e))?
            .is_dir();
        let r = if is_dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        r.map_err(|e| ctx.io("remove", &path, e))?;
        removed += 1;
    }
    Ok(removed)
}

/// Makes a directory's entries (a rename, a new file) durable.
fn sync_dir(dir: &Path, ctx: &Ctx<'_>) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| ctx.io("fsync directory", dir, e))?;
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened for fsync on this platform; rename is still atomic.
        let _ = (dir, ctx);
    }
    Ok(())
}

/// A name no other writer (thread or process) uses at the same time.
fn unique_name(ctx: &Ctx<'_>, ext: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}.{}.{}.{nanos}.{n}.{ext}",
        ctx.table,
        ctx.date,
        std::process::id()
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use arrow::datatypes::{DataType, Field};
    use std::collections::HashMap;
    use std::sync::Arc;

    #[test]
    fn table_names() {
        for ok in ["calls", "call_legs", "x.y"] {
            assert!(check_table_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "..", "_tmp", ".hidden", "a/b", "a\\b"] {
            assert!(check_table_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sort_key_maps_to_leaf_columns_after_a_list() {
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)));
        let schema = Schema::new_with_metadata(
            vec![
                Field::new("tags", list, true),
                Field::new("start_time", DataType::Int64, false),
                Field::new("id", DataType::Utf8, false),
            ],
            HashMap::from([(SORT_KEY_METADATA.to_owned(), "start_time,id".to_owned())]),
        );
        let cols = sorting_columns(&schema).unwrap();
        assert_eq!(
            cols.iter().map(|c| c.column_idx).collect::<Vec<_>>(),
            [1, 2]
        );

        let no_key = Schema::new(vec![Field::new("id", DataType::Utf8, false)]);
        assert!(sorting_columns(&no_key).is_none());
        let bad_key = Schema::new_with_metadata(
            vec![Field::new("id", DataType::Utf8, false)],
            HashMap::from([(SORT_KEY_METADATA.to_owned(), "nope".to_owned())]),
        );
        assert!(sorting_columns(&bad_key).is_none());
    }

    #[test]
    fn options_out_of_range_are_errors() {
        let schema = Schema::empty();
        assert!(
            LoadOptions::new()
                .with_max_row_group_rows(0)
                .writer_properties(&schema)
                .is_err()
        );
        assert!(
            LoadOptions::new()
                .with_zstd_level(99)
                .writer_properties(&schema)
                .is_err()
        );
        assert!(LoadOptions::new().writer_properties(&schema).is_ok());
    }
}
