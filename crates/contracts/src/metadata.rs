//! Keys of the metadata the transform writes into each table's Arrow schema (and so into
//! every Parquet file's `ARROW:schema`), which the loader and the readers rely on.

/// Schema-level key: the table's sort key, comma-separated column names. The transform
/// sorts each day by it; the loader declares those columns as the Parquet sorting columns
/// without knowing any table.
pub const SORT_KEY_METADATA: &str = "ringlake.sort_key";
/// Schema-level key: the schema version of the table's columns, as text. The loader
/// records it in the table's manifest, file by file.
pub const SCHEMA_VERSION_METADATA: &str = "ringlake.schema_version";
/// Schema-level key: what the partition date `date=` of the table means.
pub const PARTITION_DATE_METADATA: &str = "ringlake.partition_date";
/// Field-level key: what the column means for an analyst (units, time zone). The same key
/// on the schema says what one row is. pyarrow shows it with the field.
pub const DESCRIPTION_METADATA: &str = "description";
/// Field-level key: the API field the column is read from.
pub const SOURCE_METADATA: &str = "ringlake.source";
