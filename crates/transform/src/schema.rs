//! The contract of the lake's tables (DESIGN.md "Tables"): their version and metadata keys.
//!
//! This is what analysts and the report stage rely on: a change of a column list is a
//! change of [`SCHEMA_VERSION`], of the snapshot tests and of `docs/lake.md` (rendered by
//! [`crate::lake_reference`]). Each table's columns are declared in its stream's file
//! (`streams/`), next to the rows their getters read, as one list of
//! [`Column`](crate::columns::Column)s: name, nullability, getter, source and description
//! together, so none can drift from the others; the table's schema beside it is derived from
//! that list by [`table_schema`](crate::columns::table_schema) (with the sort key, what a row
//! is, what the partition date means), the Arrow type from the getter. Column names are
//! snake_case forms of the API names; nested objects are flattened with their parent's name
//! as prefix (`from.phoneNumber` → `from_phone_number`). There is no `date` column: the
//! partition date lives only in the Hive directory name.
//!
//! Every field carries two metadata entries: [`DESCRIPTION_METADATA`] (what it means,
//! units, zone) and [`SOURCE_METADATA`] (where it comes from). A source is an API field
//! path as the JSON spells it (`from.phoneNumber`; `legs[].x` is a field of each element of
//! `legs`; `legs[].*` every field of a leg that has no column of its own), alternatives
//! separated by `, `, or a parenthesised note for a value ringlake derives (`(run)`,
//! `(count of legs[])`). The integration test `it::sources` checks the paths against the
//! getters.

/// Version of the table schemas below. Bump it with any change to a column or its metadata.
///
/// 2: the message-store, extension and active-call tables.
/// 3: field metadata (`description`, `ringlake.source`) on every column, and table-level
///    `description` and `ringlake.partition_date`.
pub const SCHEMA_VERSION: u32 = 3;

pub use ringlake_contracts::metadata::{
    DESCRIPTION_METADATA, PARTITION_DATE_METADATA, SCHEMA_VERSION_METADATA, SORT_KEY_METADATA,
    SOURCE_METADATA,
};
pub use ringlake_contracts::tables;
