//! Extension-list snapshots → the `extensions` table (docs/api.md §1.7, §3.5).

use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_model::{BaseCallLogRecord, ExtensionRecord};

use ringlake_contracts::Stream as StreamId;

use crate::columns::{BatchBuilder, Col, Getter, HasBase, extra_json, json_text};
use crate::error::Result;
use crate::layout::snapshot_date_of_page;
use crate::output::{TransformOptions, TransformOutput};
use crate::run::gather;
use crate::schema::{EXTENSIONS_SCHEMA, tables};
use crate::stream::{Keyed, PageBuilder, PageRows, PageShapes, Read, Stream};

/// Reads extension-list pages into the `extensions` table: one row per extension per
/// snapshot date.
///
/// The partition day is the snapshot date: the nearest ancestor directory of the page named
/// `YYYY-MM-DD` (`<raw>/extensions/<date>/page-…`); a page without one fails the run with
/// [`crate::Error::Layout`]. An id seen twice in one snapshot keeps the copy from the later
/// page (by path, then position); a record without `id` is a dead letter. Rows are sorted
/// by `id`.
pub fn transform_extensions(pages: &[PathBuf], opts: &TransformOptions) -> Result<TransformOutput> {
    gather(&Extensions, pages, opts)
}

/// An extension of one snapshot.
pub(crate) struct SnapshotExtension {
    day: NaiveDate,
    id: i64,
    rec: ExtensionRecord,
}

impl Keyed for SnapshotExtension {
    type Key = (NaiveDate, i64);
    fn key(&self) -> (NaiveDate, i64) {
        (self.day, self.id)
    }
    /// Extensions carry no modification time: the later page wins.
    fn last_modified(&self) -> Option<i64> {
        None
    }
}

pub(crate) struct Extensions;

impl Stream for Extensions {
    type Item = SnapshotExtension;
    type Builder = ExtensionRows;
    /// The snapshot date.
    type PageContext = NaiveDate;
    const STREAM: StreamId = StreamId::Extensions;
    const SHAPES: PageShapes = PageShapes::List;

    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)> {
        vec![(tables::EXTENSIONS, &EXTENSIONS_SCHEMA)]
    }

    fn page_builder(&self, records: usize) -> Result<ExtensionRows, ArrowError> {
        BatchBuilder::new(&EXTENSIONS_SCHEMA, &extension_columns(), records).map(ExtensionRows)
    }

    fn page_context(&self, path: &Path) -> Result<NaiveDate> {
        snapshot_date_of_page(path, StreamId::Extensions)
    }

    fn read(&self, raw: &str, day: &NaiveDate, _tz: Tz) -> Read<SnapshotExtension> {
        match serde_json::from_str::<ExtensionRecord>(raw) {
            Ok(rec) => match rec.id {
                Some(id) => Read::Row(SnapshotExtension { day: *day, id, rec }, *day),
                None => Read::Dead("extension has no id".into()),
            },
            Err(e) => Read::Dead(e.to_string()),
        }
    }
}

/// The `extensions` rows of a page.
pub(crate) struct ExtensionRows(BatchBuilder);

impl PageBuilder<SnapshotExtension> for ExtensionRows {
    fn append(&mut self, items: &[&SnapshotExtension]) -> Result<(), ArrowError> {
        let rows: Vec<ExtensionRow<'_>> = items
            .iter()
            .map(|e| ExtensionRow {
                id: e.id,
                rec: &e.rec,
                extra_json: extra_json(e.rec.unknown_fields()),
                references_json: json_text(e.rec.references.as_ref()),
                roles_json: json_text(e.rec.roles.as_ref()),
                scales_json: json_text(
                    e.rec.profile_image.as_ref().and_then(|p| p.scales.as_ref()),
                ),
            })
            .collect();
        self.0.append(&extension_columns(), &rows)
    }

    fn finish(self) -> Result<PageRows, ArrowError> {
        PageRows::new(self.0, Vec::new())
    }
}

/// One `extensions` row.
pub(crate) struct ExtensionRow<'a> {
    id: i64,
    rec: &'a ExtensionRecord,
    extra_json: Option<String>,
    references_json: Option<String>,
    roles_json: Option<String>,
    scales_json: Option<String>,
}

impl HasBase for ExtensionRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        None
    }
}

pub(crate) fn extension_columns<'a>() -> Vec<(&'static str, Col<ExtensionRow<'a>>)> {
    use Getter::*;
    let c = |g: Getter<ExtensionRow<'a>>| Col::Row(g);
    vec![
        ("id", c(I64(|r| Some(r.id)))),
        ("uri", c(Str(|r| r.rec.uri.as_deref()))),
        (
            "extension_number",
            c(Str(|r| r.rec.extension_number.as_deref())),
        ),
        ("name", c(Str(|r| r.rec.name.as_deref()))),
        ("type", c(Str(|r| r.rec.r#type.as_deref()))),
        ("sub_type", c(Str(|r| r.rec.sub_type.as_deref()))),
        ("status", c(Str(|r| r.rec.status.as_deref()))),
        (
            "contact_first_name",
            c(Str(|r| r.rec.contact.as_ref()?.first_name.as_deref())),
        ),
        (
            "contact_last_name",
            c(Str(|r| r.rec.contact.as_ref()?.last_name.as_deref())),
        ),
        (
            "contact_name",
            c(Str(|r| r.rec.contact.as_ref()?.name.as_deref())),
        ),
        (
            "contact_company",
            c(Str(|r| r.rec.contact.as_ref()?.company.as_deref())),
        ),
        (
            "contact_job_title",
            c(Str(|r| r.rec.contact.as_ref()?.job_title.as_deref())),
        ),
        (
            "contact_email",
            c(Str(|r| r.rec.contact.as_ref()?.email.as_deref())),
        ),
        (
            "contact_business_phone",
            c(Str(|r| r.rec.contact.as_ref()?.business_phone.as_deref())),
        ),
        (
            "contact_mobile_phone",
            c(Str(|r| r.rec.contact.as_ref()?.mobile_phone.as_deref())),
        ),
        (
            "contact_business_address_country",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .business_address
                    .as_ref()?
                    .country
                    .as_deref()
            })),
        ),
        (
            "contact_business_address_state",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .business_address
                    .as_ref()?
                    .state
                    .as_deref()
            })),
        ),
        (
            "contact_business_address_city",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .business_address
                    .as_ref()?
                    .city
                    .as_deref()
            })),
        ),
        (
            "contact_business_address_street",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .business_address
                    .as_ref()?
                    .street
                    .as_deref()
            })),
        ),
        (
            "contact_business_address_zip",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .business_address
                    .as_ref()?
                    .zip
                    .as_deref()
            })),
        ),
        (
            "contact_email_as_login_name",
            c(Bool(|r| r.rec.contact.as_ref()?.email_as_login_name)),
        ),
        (
            "contact_pronounced_name_type",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .pronounced_name
                    .as_ref()?
                    .r#type
                    .as_deref()
            })),
        ),
        (
            "contact_pronounced_name_text",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .pronounced_name
                    .as_ref()?
                    .text
                    .as_deref()
            })),
        ),
        (
            "contact_pronounced_name_prompt_id",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .pronounced_name
                    .as_ref()?
                    .prompt
                    .as_ref()?
                    .id
                    .as_deref()
            })),
        ),
        (
            "contact_pronounced_name_prompt_content_uri",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .pronounced_name
                    .as_ref()?
                    .prompt
                    .as_ref()?
                    .content_uri
                    .as_deref()
            })),
        ),
        (
            "contact_pronounced_name_prompt_content_type",
            c(Str(|r| {
                r.rec
                    .contact
                    .as_ref()?
                    .pronounced_name
                    .as_ref()?
                    .prompt
                    .as_ref()?
                    .content_type
                    .as_deref()
            })),
        ),
        (
            "contact_department",
            c(Str(|r| r.rec.contact.as_ref()?.department.as_deref())),
        ),
        (
            "permissions_admin_enabled",
            c(Bool(|r| {
                r.rec.permissions.as_ref()?.admin.as_ref()?.enabled
            })),
        ),
        (
            "permissions_international_calling_enabled",
            c(Bool(|r| {
                r.rec
                    .permissions
                    .as_ref()?
                    .international_calling
                    .as_ref()?
                    .enabled
            })),
        ),
        (
            "profile_image_uri",
            c(Str(|r| r.rec.profile_image.as_ref()?.uri.as_deref())),
        ),
        (
            "profile_image_etag",
            c(Str(|r| r.rec.profile_image.as_ref()?.etag.as_deref())),
        ),
        (
            "profile_image_last_modified",
            c(Ts(|r| r.rec.profile_image.as_ref()?.last_modified)),
        ),
        (
            "profile_image_content_type",
            c(Str(|r| {
                r.rec.profile_image.as_ref()?.content_type.as_deref()
            })),
        ),
        (
            "profile_image_scales_json",
            c(Str(|r| r.scales_json.as_deref())),
        ),
        ("partner_id", c(Str(|r| r.rec.partner_id.as_deref()))),
        ("references_json", c(Str(|r| r.references_json.as_deref()))),
        (
            "call_queue_info_sla_goal",
            c(I32(|r| r.rec.call_queue_info.as_ref()?.sla_goal)),
        ),
        (
            "call_queue_info_sla_threshold_seconds",
            c(I32(|r| {
                r.rec.call_queue_info.as_ref()?.sla_threshold_seconds
            })),
        ),
        (
            "call_queue_info_include_abandoned_calls",
            c(Bool(|r| {
                r.rec.call_queue_info.as_ref()?.include_abandoned_calls
            })),
        ),
        (
            "call_queue_info_abandoned_threshold_seconds",
            c(I32(|r| {
                r.rec.call_queue_info.as_ref()?.abandoned_threshold_seconds
            })),
        ),
        ("hidden", c(Bool(|r| r.rec.hidden))),
        ("roles_json", c(Str(|r| r.roles_json.as_deref()))),
        ("site_id", c(Str(|r| r.rec.site.as_ref()?.id.as_deref()))),
        ("site_uri", c(Str(|r| r.rec.site.as_ref()?.uri.as_deref()))),
        (
            "site_name",
            c(Str(|r| r.rec.site.as_ref()?.name.as_deref())),
        ),
        (
            "site_code",
            c(Str(|r| r.rec.site.as_ref()?.code.as_deref())),
        ),
        (
            "assigned_country_id",
            c(Str(|r| r.rec.assigned_country.as_ref()?.id.as_deref())),
        ),
        (
            "assigned_country_uri",
            c(Str(|r| r.rec.assigned_country.as_ref()?.uri.as_deref())),
        ),
        (
            "assigned_country_iso_code",
            c(Str(|r| {
                r.rec.assigned_country.as_ref()?.iso_code.as_deref()
            })),
        ),
        (
            "assigned_country_name",
            c(Str(|r| r.rec.assigned_country.as_ref()?.name.as_deref())),
        ),
        (
            "cost_center_id",
            c(Str(|r| r.rec.cost_center.as_ref()?.id.as_deref())),
        ),
        (
            "cost_center_name",
            c(Str(|r| r.rec.cost_center.as_ref()?.name.as_deref())),
        ),
        ("creation_time", c(Ts(|r| r.rec.creation_time))),
        ("alert_timer", c(I32(|r| r.rec.alert_timer))),
        ("extra_json", c(Str(|r| r.extra_json.as_deref()))),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    #[test]
    fn getters_match_the_schema_by_name() {
        let names: Vec<&str> = extension_columns().iter().map(|(n, _)| *n).collect();
        let schema: Vec<&str> = EXTENSIONS_SCHEMA
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, schema);
    }
}
