//! Writing a table's partitions as Parquet files, and its manifest.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arrow::array::RecordBatch;
use arrow::datatypes::Schema;
use bytes::Bytes;
use chrono::{NaiveDate, SecondsFormat, Utc};
use parquet::arrow::{ArrowSchemaConverter, ArrowWriter};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;
use tracing::{debug, info, warn};

use crate::error::{Error, Result};
use crate::lake::{Lake, ObjectInfo, group_by_partition, remove_local_dir, remove_local_others};
use crate::manifest::{
    FileEntry, MANIFEST_FILE_NAME, Manifest, PartitionEntry, SCHEMA_VERSION_METADATA, sha256_hex,
};
use crate::partition::partition_dir_name;

/// Row-group size when none is configured: about a million rows, so a day of calls of
/// most accounts is one row group, and a row group of a full-size file is tens of MB
/// (what DuckDB and Spark parallelise scans over).
pub const DEFAULT_MAX_ROW_GROUP_ROWS: usize = 1_048_576;
/// zstd level when none is configured: zstd's own default, a good speed/size balance.
pub const DEFAULT_ZSTD_LEVEL: i32 = 3;
/// File-size target when none is configured: a partition whose Parquet is larger is
/// split into files of about this size (issue 5: "a few hundred MB per file").
pub const DEFAULT_TARGET_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The first (usually the only) file of a partition.
pub const PARTITION_FILE_NAME: &str = "part-00000.parquet";
/// Schema-level metadata key naming the rows' sort key (comma-separated column names);
/// the transform sets it, the loader declares those columns as Parquet sorting columns.
pub use ringlake_contracts::metadata::SORT_KEY_METADATA;
/// Parquet `created_by`: fixed, without a version, so the same rows give the same bytes
/// whichever build wrote them.
const CREATED_BY: &str = "ringlake";
/// Page bounds (the parquet crate's defaults, set here so they cannot drift): pages of at
/// most 20,000 rows or 1 MiB give the page index fine enough ranges of `start_time` for
/// DuckDB and Spark to skip pages inside a row group.
const DATA_PAGE_ROWS: usize = 20_000;
const DATA_PAGE_BYTES: usize = 1024 * 1024;
/// Longest min/max kept in statistics and the column index (long strings are truncated).
const STATISTICS_TRUNCATE_BYTES: usize = 64;

/// `part-00000.parquet`, `part-00001.parquet`, … : the `index`-th file of a partition.
pub fn part_file_name(index: usize) -> String {
    format!("part-{index:05}.parquet")
}

/// A new run id: the UTC time to the second and 8 random hex digits,
/// e.g. `20261122T101500Z-3fa91c07`.
pub fn new_run_id() -> String {
    // RandomState is seeded from the OS once per process and advanced per instance:
    // random enough to tell two runs started in the same second apart, without a dependency.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!(
        "{}-{:08x}",
        Utc::now().format("%Y%m%dT%H%M%SZ"),
        h.finish() & 0xffff_ffff
    )
}

/// How partitions are encoded, split and recorded.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Rows per row group at most (≥ 1).
    pub max_row_group_rows: usize,
    /// zstd compression level (1–22; negative levels are zstd's fast modes). Up to the
    /// default level, columns of mostly distinct values are compressed at level 1 at most:
    /// as small, several times faster.
    pub zstd_level: i32,
    /// A partition whose Parquet exceeds this is split into several files (≥ 1).
    pub target_file_bytes: u64,
    /// Recorded in the manifest for every file this write puts.
    pub run_id: String,
}

impl LoadOptions {
    /// [`DEFAULT_MAX_ROW_GROUP_ROWS`], [`DEFAULT_ZSTD_LEVEL`], [`DEFAULT_TARGET_FILE_BYTES`],
    /// a [`new_run_id`].
    pub fn new() -> Self {
        Self {
            max_row_group_rows: DEFAULT_MAX_ROW_GROUP_ROWS,
            zstd_level: DEFAULT_ZSTD_LEVEL,
            target_file_bytes: DEFAULT_TARGET_FILE_BYTES,
            run_id: new_run_id(),
        }
    }

    /// Sets [`LoadOptions::max_row_group_rows`].
    pub fn with_max_row_group_rows(mut self, rows: usize) -> Self {
        self.max_row_group_rows = rows;
        self
    }

    /// Sets [`LoadOptions::zstd_level`].
    pub fn with_zstd_level(mut self, level: i32) -> Self {
        self.zstd_level = level;
        self
    }

    /// Sets [`LoadOptions::target_file_bytes`].
    pub fn with_target_file_bytes(mut self, bytes: u64) -> Self {
        self.target_file_bytes = bytes;
        self
    }

    /// Sets [`LoadOptions::run_id`] (the run's id, shared by all its tables: [`new_run_id`]).
    pub fn with_run_id(mut self, run_id: impl Into<String>) -> Self {
        self.run_id = run_id.into();
        self
    }

    fn validate(&self) -> Result<()> {
        let bad = |reason: &str| {
            Err(Error::InvalidOptions {
                reason: reason.to_owned(),
            })
        };
        if self.max_row_group_rows == 0 {
            return bad("max_row_group_rows must be at least 1");
        }
        if self.target_file_bytes == 0 {
            return bad("target_file_bytes must be at least 1");
        }
        if self.run_id.trim().is_empty() {
            return bad("run_id must not be empty");
        }
        ZstdLevel::try_new(self.zstd_level).map_err(|e| Error::InvalidOptions {
            reason: format!("zstd_level {}: {e}", self.zstd_level),
        })?;
        Ok(())
    }

    fn writer_properties(&self, batch: &RecordBatch) -> Result<WriterProperties> {
        let schema = batch.schema_ref();
        self.validate()?;
        let level = ZstdLevel::try_new(self.zstd_level).map_err(|e| Error::InvalidOptions {
            reason: format!("zstd_level {}: {e}", self.zstd_level),
        })?;
        // Every property that shapes the bytes is set here, not left to the crate's
        // defaults (whose compression default is "uncompressed"). Page-level statistics
        // make the writer emit the column index and the offset index (the page index)
        // that DuckDB and Spark prune pages with. No bloom filters: the columns analysts
        // filter on are the sorted `start_time` (min/max prune it exactly) and the
        // low-cardinality `extension_id` (dictionary + min/max); a filter per column per
        // row group would cost ~1 MB at default settings for little gain.
        let mut builder = WriterProperties::builder()
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(Compression::ZSTD(level))
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_statistics_truncate_length(Some(STATISTICS_TRUNCATE_BYTES))
            .set_column_index_truncate_length(Some(STATISTICS_TRUNCATE_BYTES))
            .set_offset_index_disabled(false)
            .set_bloom_filter_enabled(false)
            .set_dictionary_enabled(true)
            .set_dictionary_page_size_limit(DATA_PAGE_BYTES)
            .set_data_page_size_limit(DATA_PAGE_BYTES)
            .set_data_page_row_count_limit(DATA_PAGE_ROWS)
            .set_write_batch_size(1024)
            .set_max_row_group_row_count(Some(self.max_row_group_rows))
            .set_created_by(CREATED_BY.to_owned())
            .set_sorting_columns(sorting_columns(schema));
        let distinct_compression = Compression::ZSTD(distinct_columns_level(level));
        for column in mostly_distinct_columns(batch) {
            let column = ColumnPath::from(column);
            builder = builder
                .set_column_dictionary_enabled(column.clone(), false)
                .set_column_compression(column, distinct_compression);
        }
        Ok(builder.build())
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// What happened to one partition.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PartitionWrite {
    /// The table.
    pub table: String,
    /// The partition's day (`date=YYYY-MM-DD`).
    pub date: NaiveDate,
    /// Where the partition is (`/lake/calls/date=2024-01-02` or
    /// `s3://bucket/lake/calls/date=2024-01-02`); `None` when it was removed (0 rows).
    pub path: Option<String>,
    /// Its files, relative to the lake (`calls/date=2024-01-02/part-00000.parquet`).
    pub files: Vec<String>,
    /// Rows in the partition now (0 when removed).
    pub rows: usize,
    /// Size of the files together (0 when removed).
    pub bytes: u64,
    /// False when every file already held exactly these bytes (left untouched) and
    /// nothing else was in the partition, or an empty partition did not exist.
    pub changed: bool,
}

/// Writes (or replaces) every partition of one table, then the table's manifest: a
/// [`TableWriter`] opened, given `partitions`, and finished.
///
/// For each date: 0 rows → the partition's files are removed; otherwise the rows are
/// encoded (the same rows always give the same bytes), split into files of about
/// [`LoadOptions::target_file_bytes`], and each file whose bytes differ from what the
/// lake holds is published whole — locally written under `<lake>/_tmp/`, fsynced and
/// renamed into place; on an object store one PUT (multipart for big files), invisible
/// until complete. Files no longer part of the partition are removed after the new
/// ones are in place. A file is known unchanged from the manifest's size and sha256, or
/// by reading it back when the manifest does not list it.
///
/// All batches must have the same schema (checked before anything is written). Results
/// come back in date order. The first error stops the table; the manifest still records
/// the partitions written before it, and a later run repairs whatever it misses.
pub fn write_table(
    lake: &Lake,
    table: &str,
    partitions: &BTreeMap<NaiveDate, RecordBatch>,
    opts: &LoadOptions,
) -> Result<Vec<PartitionWrite>> {
    let mut writer = TableWriter::open(lake, table, opts)?;
    match writer.write(partitions) {
        Ok(_) => writer.finish(),
        Err(e) => {
            // What was written before the error goes into the manifest all the same.
            let _ = writer.finish();
            Err(e)
        }
    }
}

/// One table's writer for a whole run: it lists the table and reads its manifest once
/// when opened, writes partitions as they are handed over ([`TableWriter::write`], as
/// [`write_table`] describes), and replaces the manifest once, when finished. A run that
/// streams a year day by day thus lists the table once and rewrites its manifest once,
/// not 365 times. A run killed before [`TableWriter::finish`] leaves files its manifest
/// does not list yet; they are whole (published by rename or a completed upload), and the
/// next run reads them back instead of trusting the manifest.
///
/// Nothing else may write the table while it is open: the listing is read once.
pub struct TableWriter<'a> {
    lake: &'a Lake,
    table: String,
    opts: &'a LoadOptions,
    manifest_rel: String,
    /// The manifest as stored when opened: unchanged bytes are not rewritten.
    old_manifest_bytes: Option<Bytes>,
    old_manifest: Option<Manifest>,
    /// The table's objects by partition dir name, paths relative to the partition dir.
    listing: BTreeMap<String, Vec<ObjectInfo>>,
    /// The manifest as the writes so far leave it.
    manifest: Manifest,
    /// The schema of the first batch: every later one must have it.
    schema: Option<arrow::datatypes::SchemaRef>,
    writes: Vec<PartitionWrite>,
}

impl std::fmt::Debug for TableWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("lake", &self.lake.display())
            .field("table", &self.table)
            .field("partitions_written", &self.writes.len())
            .finish_non_exhaustive()
    }
}

impl<'a> TableWriter<'a> {
    /// Lists `table` and reads its manifest (a broken one is rebuilt from the files).
    pub fn open(lake: &'a Lake, table: &str, opts: &'a LoadOptions) -> Result<Self> {
        check_table_name(table)?;
        opts.validate()?;
        let manifest_rel = format!("{table}/{MANIFEST_FILE_NAME}");
        let old_manifest_bytes = lake.get_object(&manifest_rel)?;
        let old_manifest =
            old_manifest_bytes
                .as_deref()
                .and_then(|b| match Manifest::from_bytes(b) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        // A broken manifest is rebuilt from the files themselves (read back).
                        warn!(table, error = %e, "Unreadable manifest; files are compared byte by byte and the manifest rewritten.");
                        None
                    }
                });
        let (listing, _) = group_by_partition(lake.list(table)?);
        let manifest = old_manifest.clone().unwrap_or_else(|| Manifest::new(table));
        Ok(Self {
            lake,
            table: table.to_owned(),
            opts,
            manifest_rel,
            old_manifest_bytes,
            old_manifest,
            listing,
            manifest,
            schema: None,
            writes: Vec::new(),
        })
    }

    /// Writes (or replaces) these partitions; returns what happened to each, in date
    /// order. A batch whose schema differs from the first one this writer saw stops it
    /// before anything is written. On an error the partitions written before it stay
    /// recorded for [`TableWriter::finish`].
    pub fn write(
        &mut self,
        partitions: &BTreeMap<NaiveDate, RecordBatch>,
    ) -> Result<Vec<PartitionWrite>> {
        let table = self.table.as_str();
        for (date, batch) in partitions {
            match &self.schema {
                Some(schema) if batch.schema() != *schema => {
                    return Err(Error::SchemaMismatch {
                        table: table.to_owned(),
                        date: *date,
                    });
                }
                Some(_) => {}
                None => {
                    self.manifest.schema_version = schema_version(&batch.schema());
                    self.schema = Some(batch.schema());
                }
            }
        }
        let ctx = TableCtx {
            lake: self.lake,
            table,
            opts: self.opts,
            manifest: self.old_manifest.as_ref(),
            listing: &self.listing,
        };
        let results = run_parallel(partitions, |date, batch| write_partition(&ctx, date, batch));
        let mut out = Vec::with_capacity(results.len());
        let mut first_error = None;
        for r in results {
            match r {
                Ok((write, files)) => {
                    if files.is_empty() {
                        self.manifest.partitions.remove(&write.date);
                    } else {
                        let schema_version = partitions
                            .get(&write.date)
                            .and_then(|b| schema_version(&b.schema()));
                        self.manifest.partitions.insert(
                            write.date,
                            PartitionEntry {
                                files,
                                schema_version,
                            },
                        );
                    }
                    out.push(write);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        self.writes.extend(out.iter().cloned());
        first_error.map_or(Ok(out), Err)
    }

    /// Replaces the manifest (when its bytes change); returns every write of this writer,
    /// in the order they were made.
    pub fn finish(self) -> Result<Vec<PartitionWrite>> {
        write_manifest(
            self.lake,
            &self.manifest_rel,
            &self.manifest,
            self.old_manifest_bytes,
        )?;
        let out = self.writes;
        info!(
            table = self.table,
            lake = %self.lake,
            partitions = out.len(),
            rows = out.iter().map(|w| w.rows).sum::<usize>(),
            bytes = out.iter().map(|w| w.bytes).sum::<u64>(),
            changed = out.iter().filter(|w| w.changed).count(),
            "Table written."
        );
        Ok(out)
    }
}

/// Everything one partition's writer reads, shared by the worker threads.
struct TableCtx<'a> {
    lake: &'a Lake,
    table: &'a str,
    opts: &'a LoadOptions,
    manifest: Option<&'a Manifest>,
    /// The table's objects by partition dir name, paths relative to the partition dir.
    listing: &'a BTreeMap<String, Vec<ObjectInfo>>,
}

/// Writes one partition; returns what happened and its manifest entries (none when
/// the partition was removed).
fn write_partition(
    ctx: &TableCtx<'_>,
    date: NaiveDate,
    batch: &RecordBatch,
) -> Result<(PartitionWrite, Vec<FileEntry>)> {
    let TableCtx {
        lake, table, opts, ..
    } = *ctx;
    let dir_name = partition_dir_name(date);
    let dir_rel = format!("{table}/{dir_name}");
    let existing: &[ObjectInfo] = ctx.listing.get(&dir_name).map_or(&[], Vec::as_slice);

    if batch.num_rows() == 0 {
        let changed = match lake.local_path() {
            // Locally the whole directory goes in one rename: readers see all or nothing.
            Some(root) => remove_local_dir(root, &root.join(table).join(&dir_name))?,
            None => {
                for o in existing {
                    lake.delete_object(&format!("{dir_rel}/{}", o.rel))?;
                }
                !existing.is_empty()
            }
        };
        debug!(table, %date, changed, "Empty partition removed.");
        let write = PartitionWrite {
            table: table.to_owned(),
            date,
            path: None,
            files: Vec::new(),
            rows: 0,
            bytes: 0,
            changed,
        };
        return Ok((write, Vec::new()));
    }

    let encoded = encode_files(batch, opts, table, date)?;
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut changed = false;
    let mut names = Vec::with_capacity(encoded.len());
    let mut entries = Vec::with_capacity(encoded.len());
    let mut total_bytes = 0u64;
    for (i, (bytes, rows)) in encoded.into_iter().enumerate() {
        let name = part_file_name(i);
        let in_table = format!("{dir_name}/{name}");
        let rel = format!("{table}/{in_table}");
        let len = bytes.len() as u64;
        let sha256 = sha256_hex(&bytes);
        let listed = ctx.manifest.and_then(|m| m.file(date, &in_table));
        let on_store = existing.iter().find(|o| o.rel == name);
        let vouched = listed.filter(|e| e.sha256 == sha256 && e.bytes == len);
        let unchanged = match on_store {
            Some(o) if o.size == len => {
                // Same size: the manifest's checksum decides; without a matching entry
                // (a run killed before its manifest, a manifest lost) read it back.
                vouched.is_some() || lake.get_object(&rel)?.is_some_and(|b| b == bytes)
            }
            _ => false,
        };
        let entry = match (unchanged, vouched) {
            (true, Some(e)) => e.clone(),
            _ => FileEntry {
                bytes: len,
                path: in_table,
                rows: rows as u64,
                run_id: opts.run_id.clone(),
                sha256,
                written_at: match (unchanged, on_store.and_then(|o| o.modified)) {
                    (true, Some(t)) => t.to_rfc3339_opts(SecondsFormat::Secs, true),
                    _ => now.clone(),
                },
            },
        };
        if !unchanged {
            lake.put_object(&rel, bytes)?;
            changed = true;
        }
        total_bytes += len;
        entries.push(entry);
        names.push(name);
    }

    // Only now, with every new file in place: remove what is no longer the partition's.
    let removed = match lake.local_dir(&dir_rel) {
        Some(dir) => remove_local_others(&dir, &names)?,
        None => {
            let mut n = 0;
            for o in existing.iter().filter(|o| !names.contains(&o.rel)) {
                lake.delete_object(&format!("{dir_rel}/{}", o.rel))?;
                n += 1;
            }
            n
        }
    };
    changed |= removed > 0;
    debug!(
        table,
        %date,
        rows = batch.num_rows(),
        files = names.len(),
        bytes = total_bytes,
        changed,
        removed,
        "Partition written."
    );
    let write = PartitionWrite {
        table: table.to_owned(),
        date,
        path: Some(lake.location(&dir_rel)),
        files: names.iter().map(|n| format!("{dir_rel}/{n}")).collect(),
        rows: batch.num_rows(),
        bytes: total_bytes,
        changed,
    };
    Ok((write, entries))
}

/// Replaces the manifest when its bytes change (and creates none for a table that has
/// neither one nor partitions).
fn write_manifest(
    lake: &Lake,
    rel: &str,
    manifest: &Manifest,
    old_bytes: Option<Bytes>,
) -> Result<()> {
    if old_bytes.is_none() && manifest.partitions.is_empty() {
        return Ok(());
    }
    let bytes = manifest.to_bytes().map_err(|source| Error::Manifest {
        location: lake.location(rel),
        source,
    })?;
    if old_bytes.as_deref() == Some(bytes.as_slice()) {
        return Ok(());
    }
    lake.put_object(rel, Bytes::from(bytes))?;
    debug!(manifest = %lake.location(rel), "Manifest written.");
    Ok(())
}

/// Runs `f` over the partitions on up to `available_parallelism` threads; results in
/// date order. After the first error no new partition is started. A single partition (the
/// streaming transform hands over one day at a time) runs on the caller's thread: a thread
/// started per file would also take its memory from a fresh allocator arena each time.
fn run_parallel<T, F>(partitions: &BTreeMap<NaiveDate, RecordBatch>, f: F) -> Vec<Result<T>>
where
    T: Send,
    F: Fn(NaiveDate, &RecordBatch) -> Result<T> + Sync,
{
    let work: Vec<(&NaiveDate, &RecordBatch)> = partitions.iter().collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(work.len())
        .max(1);
    if workers == 1 {
        let mut out = Vec::with_capacity(work.len());
        for (date, batch) in work {
            let r = f(*date, batch);
            let failed = r.is_err();
            out.push(r);
            if failed {
                break;
            }
        }
        return out;
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<T>>>> =
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
                    let r = f(**date, batch);
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
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

pub(crate) fn check_table_name(table: &str) -> Result<()> {
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

fn schema_version(schema: &Schema) -> Option<String> {
    schema.metadata().get(SCHEMA_VERSION_METADATA).cloned()
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

/// The zstd level of mostly distinct columns (ids, URIs, times). Up to zstd's default
/// level, the levels above 1 only search harder for repeats, which such values hardly
/// have: level 1 compresses them as small (ids within 2 %, URIs smaller) two to three
/// times faster (`zstd -b1`/`-b3` on 1 MiB blocks of this lake's `telephony_session_id`:
/// 254 vs 75 MB/s). A level above the default (the user asked for the smallest files)
/// applies to every column.
fn distinct_columns_level(level: ZstdLevel) -> ZstdLevel {
    if level.compression_level() <= DEFAULT_ZSTD_LEVEL {
        ZstdLevel::try_new(level.compression_level().min(1)).unwrap_or(level)
    } else {
        level
    }
}

/// Rows sampled per column to decide on its dictionary, spread evenly over the batch.
const DICTIONARY_SAMPLE_ROWS: usize = 2048;

/// Top-level string and integer columns that are mostly distinct (ids, URIs, times): more
/// than 90 % of the non-null values of [`DICTIONARY_SAMPLE_ROWS`] rows taken at an even
/// stride over the batch differ. A dictionary of them would hold every value once more,
/// and building it is the writer's costliest step. Columns that repeat keep theirs —
/// also those with thousands of values, like `extension_uri`, which a short sample of
/// consecutive rows would see as distinct, and whose plain pages would be 18x larger for
/// zstd to compress. Decided by the rows only, so the same rows still give the same bytes.
fn mostly_distinct_columns(batch: &RecordBatch) -> Vec<String> {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMillisecondType};
    use foldhash::{HashSet, HashSetExt};
    let rows = batch.num_rows();
    let stride = rows.div_ceil(DICTIONARY_SAMPLE_ROWS).max(1);
    let sample = || (0..rows).step_by(stride);
    fn distinct<T: std::hash::Hash + Eq>(values: impl Iterator<Item = Option<T>>) -> bool {
        let (mut seen, mut n) = (HashSet::with_capacity(DICTIONARY_SAMPLE_ROWS), 0usize);
        for v in values.flatten() {
            seen.insert(v);
            n += 1;
        }
        n > 0 && seen.len() * 10 > n * 9
    }
    let schema = batch.schema_ref();
    schema
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(_, column)| {
            let at = |i: usize| column.is_valid(i).then_some(i);
            match column.data_type() {
                DataType::Utf8 => {
                    let a = column.as_string::<i32>();
                    distinct(sample().map(|i| at(i).map(|i| a.value(i))))
                }
                DataType::Int64 => {
                    let a = column.as_primitive::<Int64Type>();
                    distinct(sample().map(|i| at(i).map(|i| a.value(i))))
                }
                DataType::Timestamp(TimeUnit::Millisecond, _) => {
                    let a = column.as_primitive::<TimestampMillisecondType>();
                    distinct(sample().map(|i| at(i).map(|i| a.value(i))))
                }
                _ => false,
            }
        })
        .map(|(field, _)| field.name().clone())
        .collect()
}

/// The partition's files as (bytes, rows): one file when the whole batch encodes to at
/// most the target, otherwise the sorted rows cut into equal row counts so that each
/// file is about the target. Deterministic: the same rows give the same files.
fn encode_files(
    batch: &RecordBatch,
    opts: &LoadOptions,
    table: &str,
    date: NaiveDate,
) -> Result<Vec<(Bytes, usize)>> {
    let rows = batch.num_rows();
    let whole = encode(batch, opts, table, date)?;
    let len = whole.len() as u64;
    if len <= opts.target_file_bytes || rows <= 1 {
        return Ok(vec![(whole, rows)]);
    }
    drop(whole);
    let files = usize::try_from(len.div_ceil(opts.target_file_bytes))
        .unwrap_or(usize::MAX)
        .min(rows);
    let per_file = rows.div_ceil(files);
    let mut out = Vec::with_capacity(files);
    let mut offset = 0;
    while offset < rows {
        let n = per_file.min(rows - offset);
        out.push((encode(&batch.slice(offset, n), opts, table, date)?, n));
        offset += n;
    }
    Ok(out)
}

fn encode(batch: &RecordBatch, opts: &LoadOptions, table: &str, date: NaiveDate) -> Result<Bytes> {
    let schema = batch.schema();
    let props = opts.writer_properties(batch)?;
    let parquet = |source| Error::Parquet {
        table: table.to_owned(),
        date,
        source,
    };
    // The Arrow schema (with field metadata such as `description`) is embedded as
    // `ARROW:schema`: the writer's default, relied upon by readers of our types.
    let mut buf = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buf, schema, Some(props)).map_err(parquet)?;
    writer.write(batch).map_err(parquet)?;
    writer.close().map_err(parquet)?;
    Ok(Bytes::from(buf))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use arrow::array::Int64Array;
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
        let batch = RecordBatch::new_empty(Arc::new(Schema::empty()));
        for opts in [
            LoadOptions::new().with_max_row_group_rows(0),
            LoadOptions::new().with_zstd_level(99),
            LoadOptions::new().with_target_file_bytes(0),
            LoadOptions::new().with_run_id(" "),
        ] {
            assert!(opts.writer_properties(&batch).is_err(), "{opts:?}");
        }
        assert!(LoadOptions::new().writer_properties(&batch).is_ok());
    }

    #[test]
    fn mostly_distinct_columns_go_without_a_dictionary() {
        use arrow::array::StringArray;
        let n = 20_000;
        let ids: StringArray = (0..n).map(|i| Some(format!("id-{i}"))).collect();
        let kinds: StringArray = (0..n)
            .map(|i| Some(["Inbound", "Outbound"][i % 2]))
            .collect();
        // 4,000 extensions in call order: the first thousand rows are all distinct, the
        // day repeats each five times.
        let extensions: StringArray = (0..n)
            .map(|i| Some(format!("ext-{}", (i * 7919) % 4000)))
            .collect();
        let times = Int64Array::from_iter_values(0..n as i64);
        let nulls = Int64Array::from(vec![None::<i64>; n]);
        let schema = Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("direction", DataType::Utf8, false),
            Field::new("extension_uri", DataType::Utf8, false),
            Field::new("start", DataType::Int64, false),
            Field::new("empty", DataType::Int64, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(ids),
                Arc::new(kinds),
                Arc::new(extensions),
                Arc::new(times),
                Arc::new(nulls),
            ],
        )
        .unwrap();
        assert_eq!(mostly_distinct_columns(&batch), ["id", "start"]);
        let props = LoadOptions::new().writer_properties(&batch).unwrap();
        assert!(!props.dictionary_enabled(&ColumnPath::from("id")));
        assert!(props.dictionary_enabled(&ColumnPath::from("direction")));
        assert!(props.dictionary_enabled(&ColumnPath::from("extension_uri")));
        let zstd = |level| Compression::ZSTD(ZstdLevel::try_new(level).unwrap());
        assert_eq!(props.compression(&ColumnPath::from("id")), zstd(1));
        assert_eq!(props.compression(&ColumnPath::from("direction")), zstd(3));
        // Above the default level every column gets the level asked for; below it, too.
        for level in [-5, 1, 9] {
            let props = LoadOptions::new()
                .with_zstd_level(level)
                .writer_properties(&batch)
                .unwrap();
            for column in ["id", "direction"] {
                assert_eq!(props.compression(&ColumnPath::from(column)), zstd(level));
            }
        }
        // Small batches are sampled whole.
        assert_eq!(
            mostly_distinct_columns(&batch.slice(0, 10)),
            ["id", "extension_uri", "start"]
        );
    }

    #[test]
    fn run_ids_are_timestamped_and_distinct() {
        let a = new_run_id();
        let b = new_run_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), "20261122T101500Z-3fa91c07".len(), "{a}");
        assert!(chrono::NaiveDateTime::parse_from_str(&a[..16], "%Y%m%dT%H%M%SZ").is_ok());
    }

    #[test]
    fn splitting_is_by_row_count_and_sweeps_cleanly() {
        let schema = Arc::new(Schema::new(vec![Field::new("v", DataType::Int64, false)]));
        let values: Int64Array = (0..10_000i64)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let batch = RecordBatch::try_new(schema, vec![Arc::new(values)]).unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let whole = encode(&batch, &LoadOptions::new(), "t", date)
            .unwrap()
            .len() as u64;
        for files in [1u64, 2, 3, 7] {
            let opts = LoadOptions::new().with_target_file_bytes(whole.div_ceil(files));
            let out = encode_files(&batch, &opts, "t", date).unwrap();
            assert_eq!(out.len() as u64, files, "target {}", opts.target_file_bytes);
            assert_eq!(out.iter().map(|(_, r)| r).sum::<usize>(), 10_000);
            // Deterministic.
            let again = encode_files(&batch, &opts, "t", date).unwrap();
            assert!(out.iter().zip(&again).all(|(a, b)| a.0 == b.0));
        }
        // A target below one row's worth still makes at most one file per row.
        let tiny = encode_files(
            &batch.slice(0, 3),
            &LoadOptions::new().with_target_file_bytes(1),
            "t",
            date,
        )
        .unwrap();
        assert_eq!(tiny.len(), 3);
    }
}
