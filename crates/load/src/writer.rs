//! Writing a table's partitions as Parquet files, and its manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arrow::array::RecordBatch;
use arrow::datatypes::Schema;
use bytes::Bytes;
use chrono::{NaiveDate, SecondsFormat, Utc};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowSchemaConverter, ArrowWriter};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;
use tracing::{debug, info, warn};

use crate::error::{Error, Result};
use crate::lake::{Lake, ObjectInfo, ObjectVersion, group_by_partition, remove_local_others};
use crate::manifest::{
    FileEntry, MANIFEST_FILE_NAME, Manifest, PartitionEntry, SCHEMA_VERSION_METADATA, sha256_hex,
};
use crate::partition::{parse_partition_dir_name, partition_dir_name};

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
/// Conditional replaces of a manifest before giving up when other writers keep replacing
/// it in between (each failed one re-reads and merges theirs).
const MANIFEST_ATTEMPTS: usize = 5;

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
    /// `s3://bucket/lake/calls/date=2024-01-02`); `None` when the day had no rows and the
    /// lake no partition of it.
    pub path: Option<String>,
    /// Its files, relative to the lake (`calls/date=2024-01-02/part-00000.parquet`).
    pub files: Vec<String>,
    /// Rows in the partition now.
    pub rows: usize,
    /// Size of the files together.
    pub bytes: u64,
    /// False when every file already held exactly these bytes (left untouched) and
    /// nothing else was in the partition, or when the day had no rows.
    pub changed: bool,
    /// True when the day had no rows and the partition the lake holds was kept as it was:
    /// an empty answer (retention, a raw zone that lost the day) never deletes archived rows.
    pub kept: bool,
}

/// Writes (or replaces) every partition of one table, then the table's manifest: a
/// [`TableWriter`] opened, given `partitions`, and finished.
///
/// For each date: 0 rows → the partition the lake holds (if any) is kept untouched,
/// since an empty answer is no reason to delete an archive (issue 17); otherwise the rows are
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
/// A lost or unreadable manifest is rebuilt when the writer opens, from every partition
/// the table's files hold (each file read back), not only from the days it writes.
///
/// The listing is read once, so no other writer may write the same partitions while it
/// is open. Other days are safe on an object store: the manifest is replaced with a
/// conditional put against the version read at open, and on a conflict re-read and
/// merged (the other writer's days stay, this writer's win). A local lake has no such
/// put; there the run's exclusive lock on the lake keeps other writers away.
pub struct TableWriter<'a> {
    lake: &'a Lake,
    table: String,
    opts: &'a LoadOptions,
    manifest_rel: String,
    /// The manifest as stored when opened, and its version: unchanged bytes are not
    /// rewritten, and a replace is conditional on that version.
    stored: Option<(Bytes, ObjectVersion)>,
    /// The table's objects by partition dir name, paths relative to the partition dir.
    listing: BTreeMap<String, Vec<ObjectInfo>>,
    /// The manifest as read at open (or rebuilt from the files), with the writes so far:
    /// what vouches for a file.
    manifest: Manifest,
    /// The days this writer wrote rows for: on a conflict, its entries win for these.
    written: BTreeSet<NaiveDate>,
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
    /// Lists `table` and reads its manifest; a lost or broken one is rebuilt from the
    /// table's files.
    pub fn open(lake: &'a Lake, table: &str, opts: &'a LoadOptions) -> Result<Self> {
        check_table_name(table)?;
        opts.validate()?;
        let manifest_rel = format!("{table}/{MANIFEST_FILE_NAME}");
        let stored = lake.get_versioned(&manifest_rel)?;
        let read = stored
            .as_ref()
            .and_then(|(b, _)| match Manifest::from_bytes(b) {
                Ok(m) => Some(m),
                Err(e) => {
                    warn!(table, error = %e, "Unreadable manifest; rebuilt from the files.");
                    None
                }
            });
        let (listing, _) = group_by_partition(lake.list(table)?);
        let manifest = match read {
            Some(m) => m,
            None => rebuild_manifest(lake, table, &listing, &opts.run_id)?,
        };
        Ok(Self {
            lake,
            table: table.to_owned(),
            opts,
            manifest_rel,
            stored,
            manifest,
            listing,
            written: BTreeSet::new(),
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
            manifest: &self.manifest,
            listing: &self.listing,
        };
        let results = run_parallel(partitions, |date, batch| write_partition(&ctx, date, batch));
        let mut out = Vec::with_capacity(results.len());
        let mut first_error = None;
        for r in results {
            match r {
                Ok((write, entry)) => {
                    if !write.kept && write.path.is_some() {
                        self.written.insert(write.date);
                    }
                    if let Some(entry) = entry {
                        self.manifest.partitions.insert(write.date, entry);
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
    /// in the order they were made. On an object store another writer's replace since
    /// this one opened is merged in, up to a few times; then [`Error::ManifestConflict`].
    pub fn finish(self) -> Result<Vec<PartitionWrite>> {
        write_manifest(
            self.lake,
            &self.manifest_rel,
            &self.manifest,
            &self.written,
            self.stored,
        )?;
        let out = self.writes;
        info!(
            table = self.table,
            lake = %self.lake,
            partitions = out.len(),
            rows = out.iter().map(|w| w.rows).sum::<usize>(),
            bytes = out.iter().map(|w| w.bytes).sum::<u64>(),
            changed = out.iter().filter(|w| w.changed).count(),
            kept = out.iter().filter(|w| w.kept).count(),
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
    manifest: &'a Manifest,
    /// The table's objects by partition dir name, paths relative to the partition dir.
    listing: &'a BTreeMap<String, Vec<ObjectInfo>>,
}

/// Writes one partition; returns what happened and its manifest entry (none when the
/// day has no rows and the lake no partition of it).
fn write_partition(
    ctx: &TableCtx<'_>,
    date: NaiveDate,
    batch: &RecordBatch,
) -> Result<(PartitionWrite, Option<PartitionEntry>)> {
    let TableCtx {
        lake, table, opts, ..
    } = *ctx;
    let dir_name = partition_dir_name(date);
    let dir_rel = format!("{table}/{dir_name}");
    let existing: &[ObjectInfo] = ctx.listing.get(&dir_name).map_or(&[], Vec::as_slice);

    if batch.num_rows() == 0 {
        // No rows is what the API answers for a day it forgot (retention) and what a raw
        // zone that lost a day gives: the lake may hold the only copy left, so it stays,
        // and so does its manifest entry (issue 17). Files a killed run left unlisted are
        // read back and listed.
        let entry = match ctx.manifest.partitions.get(&date) {
            Some(p) => Some(p.clone()),
            None => read_back_partition(lake, table, date, existing, &opts.run_id)?,
        };
        let kept = entry.is_some();
        if kept {
            debug!(table, %date, "No rows for the day; the partition the lake holds is kept.");
        }
        let files = entry.as_ref().map_or(&[][..], |p| p.files.as_slice());
        let write = PartitionWrite {
            table: table.to_owned(),
            date,
            path: kept.then(|| lake.location(&dir_rel)),
            files: files
                .iter()
                .map(|f| format!("{table}/{}", f.path))
                .collect(),
            rows: files
                .iter()
                .map(|f| usize::try_from(f.rows).unwrap_or(usize::MAX))
                .fold(0, usize::saturating_add),
            bytes: files.iter().map(|f| f.bytes).sum(),
            changed: false,
            kept,
        };
        return Ok((write, entry));
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
        let listed = ctx.manifest.file(date, &in_table);
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
        kept: false,
    };
    let entry = PartitionEntry {
        files: entries,
        schema_version: schema_version(batch.schema_ref()),
    };
    Ok((write, Some(entry)))
}

/// A manifest of every partition the table's files hold, each file read back (rows,
/// size, sha256), for a table whose manifest is lost or unreadable. The files are whole
/// (published by a rename or a completed upload), so they are what the lake holds; this
/// run vouches for them (`run_id`).
fn rebuild_manifest(
    lake: &Lake,
    table: &str,
    listing: &BTreeMap<String, Vec<ObjectInfo>>,
    run_id: &str,
) -> Result<Manifest> {
    let mut manifest = Manifest::new(table);
    for (dir, objects) in listing {
        let Some(date) = parse_partition_dir_name(dir) else {
            continue;
        };
        if let Some(entry) = read_back_partition(lake, table, date, objects, run_id)? {
            manifest.schema_version.clone_from(&entry.schema_version);
            manifest.partitions.insert(date, entry);
        }
    }
    if !manifest.partitions.is_empty() {
        info!(
            table,
            partitions = manifest.partitions.len(),
            "Manifest rebuilt from the files."
        );
    }
    Ok(manifest)
}

/// The manifest entry of a partition the manifest does not list, from its files read
/// back; `None` when it has no readable `part-NNNNN.parquet`. Anything else in it is left
/// out (the verifier names it).
fn read_back_partition(
    lake: &Lake,
    table: &str,
    date: NaiveDate,
    objects: &[ObjectInfo],
    run_id: &str,
) -> Result<Option<PartitionEntry>> {
    let dir_name = partition_dir_name(date);
    let mut files = Vec::new();
    let mut version = None;
    for o in objects.iter().filter(|o| is_part_file_name(&o.rel)) {
        let rel = format!("{table}/{dir_name}/{}", o.rel);
        let Some(bytes) = lake.get_object(&rel)? else {
            continue;
        };
        let reader = match ParquetRecordBatchReaderBuilder::try_new(bytes.clone()) {
            Ok(r) => r,
            Err(e) => {
                warn!(file = %lake.location(&rel), error = %e, "Not a readable Parquet file; left out of the manifest.");
                continue;
            }
        };
        let rows = reader.metadata().file_metadata().num_rows();
        if version.is_none() {
            version = schema_version(reader.schema());
        }
        files.push(FileEntry {
            bytes: bytes.len() as u64,
            path: format!("{dir_name}/{}", o.rel),
            rows: u64::try_from(rows).unwrap_or(0),
            run_id: run_id.to_owned(),
            sha256: sha256_hex(&bytes),
            written_at: o
                .modified
                .unwrap_or_else(Utc::now)
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        });
    }
    Ok((!files.is_empty()).then_some(PartitionEntry {
        files,
        schema_version: version,
    }))
}

/// True for `part-00000.parquet`, `part-00001.parquet`, …: what [`part_file_name`] makes.
fn is_part_file_name(name: &str) -> bool {
    name.strip_prefix("part-")
        .and_then(|n| n.strip_suffix(".parquet"))
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|i| part_file_name(i) == name)
}

/// Replaces the manifest when its bytes change (and creates none for a table that has
/// neither one nor partitions), conditional on `stored`'s version: created only if still
/// absent, replaced only if still that version. When another writer got there first,
/// theirs is re-read and merged ([`merge_manifests`]) and the replace tried again, up to
/// [`MANIFEST_ATTEMPTS`] times. On a local lake the replace is plain, guarded by the
/// run's exclusive lock on the lake.
fn write_manifest(
    lake: &Lake,
    rel: &str,
    ours: &Manifest,
    written: &BTreeSet<NaiveDate>,
    mut stored: Option<(Bytes, ObjectVersion)>,
) -> Result<()> {
    let mut manifest = ours.clone();
    for attempt in 1..=MANIFEST_ATTEMPTS {
        if stored.is_none() && manifest.partitions.is_empty() {
            return Ok(());
        }
        let bytes = manifest.to_bytes().map_err(|source| Error::Manifest {
            location: lake.location(rel),
            source,
        })?;
        if stored.as_ref().is_some_and(|(b, _)| *b == bytes) {
            return Ok(());
        }
        let expected = stored.as_ref().map(|(_, v)| v);
        if lake.put_if_unchanged(rel, Bytes::from(bytes), expected)? {
            debug!(manifest = %lake.location(rel), "Manifest written.");
            return Ok(());
        }
        info!(manifest = %lake.location(rel), attempt, "Manifest replaced by another writer meanwhile; merging theirs.");
        stored = lake.get_versioned(rel)?;
        let theirs = stored
            .as_ref()
            .and_then(|(b, _)| Manifest::from_bytes(b).ok());
        manifest = merge_manifests(theirs, ours, written);
    }
    Err(Error::ManifestConflict {
        location: lake.location(rel),
        attempts: MANIFEST_ATTEMPTS,
    })
}

/// Another writer's manifest (`None`: unreadable) with this writer's on top: its entries
/// win for the days it `written`; days it did not write keep the other's entry, and days
/// only this writer lists are added (nothing removes a partition, so a day missing from
/// theirs is one they never saw).
fn merge_manifests(
    theirs: Option<Manifest>,
    ours: &Manifest,
    written: &BTreeSet<NaiveDate>,
) -> Manifest {
    let Some(mut merged) = theirs else {
        return ours.clone();
    };
    for (date, entry) in &ours.partitions {
        if written.contains(date) || !merged.partitions.contains_key(date) {
            merged.partitions.insert(*date, entry.clone());
        }
    }
    if !written.is_empty() {
        merged.schema_version.clone_from(&ours.schema_version);
    }
    merged
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
    fn part_file_names_are_recognised_exactly() {
        for i in [0, 1, 99_999, 123_456] {
            assert!(is_part_file_name(&part_file_name(i)), "{i}");
        }
        for bad in [
            "part-0.parquet",
            "part-00000.parquet.crc",
            ".part-00000.parquet",
            "part-+0000.parquet",
            "part-00000.csv",
            "nested/part-00000.parquet",
        ] {
            assert!(!is_part_file_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_merge_keeps_their_days_and_puts_ours_on_top() {
        let d = |n| NaiveDate::from_ymd_opt(2024, 1, n).unwrap();
        let entry = |run: &str| PartitionEntry {
            files: vec![FileEntry {
                bytes: 1,
                path: "p".into(),
                rows: 1,
                run_id: run.into(),
                sha256: "00".into(),
                written_at: "t".into(),
            }],
            schema_version: Some(run.into()),
        };
        let manifest = |days: &[(u32, &str)], version: &str| {
            let mut m = Manifest::new("calls");
            m.schema_version = Some(version.into());
            for (n, run) in days {
                m.partitions.insert(d(*n), entry(run));
            }
            m
        };
        // Ours: day 1 as read at open, day 2 written, day 4 rebuilt from the files.
        let ours = manifest(&[(1, "old"), (2, "ours"), (4, "ours")], "8");
        // Theirs: rewrote day 1, wrote day 2 and day 3.
        let theirs = manifest(&[(1, "theirs"), (2, "theirs"), (3, "theirs")], "7");
        let merged = merge_manifests(Some(theirs.clone()), &ours, &BTreeSet::from([d(2)]));
        let runs: Vec<(u32, &str)> = merged
            .partitions
            .iter()
            .map(|(k, v)| (chrono::Datelike::day(k), v.files[0].run_id.as_str()))
            .collect();
        assert_eq!(
            runs,
            [(1, "theirs"), (2, "ours"), (3, "theirs"), (4, "ours")]
        );
        assert_eq!(merged.schema_version.as_deref(), Some("8"));
        // Nothing written: their schema version stays; theirs unreadable: ours.
        let merged = merge_manifests(Some(theirs), &ours, &BTreeSet::new());
        assert_eq!(merged.schema_version.as_deref(), Some("7"));
        assert_eq!(merge_manifests(None, &ours, &BTreeSet::new()), ours);
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
