//! Extension-list snapshots → the `extensions` table (docs/api.md §1.7, §3.5).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_model::{BusinessAddressInfo, ExtensionRecord, PronouncedNameInfo};

use ringlake_contracts::Stream as StreamId;

use crate::columns::{BatchBuilder, Column, Getter, RowKind, extra_json, json_text};
use crate::columns::{extra_json_column, table_schema};
use crate::error::Result;
use crate::layout::snapshot_date_of_page;
use crate::output::{TransformOptions, TransformOutput};
use crate::run::gather;
use crate::schema::tables;
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
        BatchBuilder::new(&EXTENSIONS_SCHEMA, &EXTENSION_COLUMNS, records).map(ExtensionRows)
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
        self.0.append(&EXTENSION_COLUMNS, &rows)
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

impl RowKind for ExtensionRow<'static> {
    type Row<'a> = ExtensionRow<'a>;
}

type ExtensionColumn = Column<ExtensionRow<'static>>;

/// `extensions`' columns.
pub(crate) static EXTENSION_COLUMNS: LazyLock<Vec<ExtensionColumn>> = LazyLock::new(|| {
    use Getter::*;
    vec![
        ExtensionColumn::row("id", false, I64(|r| Some(r.id)))
            .doc("id", "Extension id; the table's key within a snapshot."),
        ExtensionColumn::row("uri", true, Str(|r| r.rec.uri.as_deref()))
            .doc("uri", "Canonical API URL of the extension."),
        ExtensionColumn::row(
            "extension_number",
            true,
            Str(|r| r.rec.extension_number.as_deref()),
        )
        .doc(
            "extensionNumber",
            "Short extension number (absent for unassigned extensions).",
        ),
        ExtensionColumn::row("name", true, Str(|r| r.rec.name.as_deref())).doc(
            "name",
            "Extension name; for users their first and last name.",
        ),
        ExtensionColumn::row("type", true, Str(|r| r.rec.r#type.as_deref())).doc(
            "type",
            "`User`, `Department` (call queue), `IvrMenu`, `Voicemail`, `ParkLocation`, \
             … (`AllExtensionTypesEnum`, an open set).",
        ),
        ExtensionColumn::row("sub_type", true, Str(|r| r.rec.sub_type.as_deref())).doc(
            "subType",
            "Sub-type of some extension types (`VideoPro`, `Emergency`, …).",
        ),
        ExtensionColumn::row("status", true, Str(|r| r.rec.status.as_deref())).doc(
            "status",
            "`Enabled`, `Disabled`, `Frozen`, `NotActivated` or `Unassigned`.",
        ),
        ExtensionColumn::row(
            "contact_first_name",
            true,
            Str(|r| r.rec.contact.as_ref()?.first_name.as_deref()),
        )
        .doc("contact.firstName", "User's first name."),
        ExtensionColumn::row(
            "contact_last_name",
            true,
            Str(|r| r.rec.contact.as_ref()?.last_name.as_deref()),
        )
        .doc("contact.lastName", "User's last name."),
        ExtensionColumn::row(
            "contact_name",
            true,
            Str(|r| r.rec.contact.as_ref()?.name.as_deref()),
        )
        .doc(
            "contact.name",
            "Contact name (for users, first and last name).",
        ),
        ExtensionColumn::row(
            "contact_company",
            true,
            Str(|r| r.rec.contact.as_ref()?.company.as_deref()),
        )
        .doc("contact.company", "User's company name."),
        ExtensionColumn::row(
            "contact_job_title",
            true,
            Str(|r| r.rec.contact.as_ref()?.job_title.as_deref()),
        )
        .doc("contact.jobTitle", "User's job title."),
        ExtensionColumn::row(
            "contact_email",
            true,
            Str(|r| r.rec.contact.as_ref()?.email.as_deref()),
        )
        .doc("contact.email", "User's contact email."),
        ExtensionColumn::row(
            "contact_business_phone",
            true,
            Str(|r| r.rec.contact.as_ref()?.business_phone.as_deref()),
        )
        .doc(
            "contact.businessPhone",
            "User's business phone number (E.164, `+…`).",
        ),
        ExtensionColumn::row(
            "contact_mobile_phone",
            true,
            Str(|r| r.rec.contact.as_ref()?.mobile_phone.as_deref()),
        )
        .doc(
            "contact.mobilePhone",
            "User's mobile phone number (E.164, `+…`).",
        ),
        ExtensionColumn::row(
            "contact_business_address_country",
            true,
            Str(|r| address(r)?.country.as_deref()),
        )
        .doc(
            "contact.businessAddress.country",
            "Business address: country.",
        ),
        ExtensionColumn::row(
            "contact_business_address_state",
            true,
            Str(|r| address(r)?.state.as_deref()),
        )
        .doc(
            "contact.businessAddress.state",
            "Business address: state or province.",
        ),
        ExtensionColumn::row(
            "contact_business_address_city",
            true,
            Str(|r| address(r)?.city.as_deref()),
        )
        .doc("contact.businessAddress.city", "Business address: city."),
        ExtensionColumn::row(
            "contact_business_address_street",
            true,
            Str(|r| address(r)?.street.as_deref()),
        )
        .doc(
            "contact.businessAddress.street",
            "Business address: street.",
        ),
        ExtensionColumn::row(
            "contact_business_address_zip",
            true,
            Str(|r| address(r)?.zip.as_deref()),
        )
        .doc(
            "contact.businessAddress.zip",
            "Business address: zip or postal code.",
        ),
        ExtensionColumn::row(
            "contact_email_as_login_name",
            true,
            Bool(|r| r.rec.contact.as_ref()?.email_as_login_name),
        )
        .doc(
            "contact.emailAsLoginName",
            "True when the contact email is the user's login name.",
        ),
        ExtensionColumn::row(
            "contact_pronounced_name_type",
            true,
            Str(|r| pronounced_name(r)?.r#type.as_deref()),
        )
        .doc(
            "contact.pronouncedName.type",
            "How the name is pronounced: `Default`, `TextToSpeech` or `Recorded`.",
        ),
        ExtensionColumn::row(
            "contact_pronounced_name_text",
            true,
            Str(|r| pronounced_name(r)?.text.as_deref()),
        )
        .doc(
            "contact.pronouncedName.text",
            "Text spoken for the name (`TextToSpeech`).",
        ),
        ExtensionColumn::row(
            "contact_pronounced_name_prompt_id",
            true,
            Str(|r| pronounced_name(r)?.prompt.as_ref()?.id.as_deref()),
        )
        .doc(
            "contact.pronouncedName.prompt.id",
            "Recorded name prompt: its id.",
        ),
        ExtensionColumn::row(
            "contact_pronounced_name_prompt_content_uri",
            true,
            Str(|r| pronounced_name(r)?.prompt.as_ref()?.content_uri.as_deref()),
        )
        .doc(
            "contact.pronouncedName.prompt.contentUri",
            "Recorded name prompt: URL of the audio.",
        ),
        ExtensionColumn::row(
            "contact_pronounced_name_prompt_content_type",
            true,
            Str(|r| pronounced_name(r)?.prompt.as_ref()?.content_type.as_deref()),
        )
        .doc(
            "contact.pronouncedName.prompt.contentType",
            "Recorded name prompt: MIME type of the audio.",
        ),
        ExtensionColumn::row(
            "contact_department",
            true,
            Str(|r| r.rec.contact.as_ref()?.department.as_deref()),
        )
        .doc("contact.department", "User's department."),
        ExtensionColumn::row(
            "permissions_admin_enabled",
            true,
            Bool(|r| r.rec.permissions.as_ref()?.admin.as_ref()?.enabled),
        )
        .doc(
            "permissions.admin.enabled",
            "True when the extension has administrator permission.",
        ),
        ExtensionColumn::row(
            "permissions_international_calling_enabled",
            true,
            Bool(|r| {
                r.rec
                    .permissions
                    .as_ref()?
                    .international_calling
                    .as_ref()?
                    .enabled
            }),
        )
        .doc(
            "permissions.internationalCalling.enabled",
            "True when the extension may call international numbers.",
        ),
        ExtensionColumn::row(
            "profile_image_uri",
            true,
            Str(|r| r.rec.profile_image.as_ref()?.uri.as_deref()),
        )
        .doc("profileImage.uri", "URL of the profile image."),
        ExtensionColumn::row(
            "profile_image_etag",
            true,
            Str(|r| r.rec.profile_image.as_ref()?.etag.as_deref()),
        )
        .doc("profileImage.etag", "Version tag of the profile image."),
        ExtensionColumn::row(
            "profile_image_last_modified",
            true,
            Ts(|r| r.rec.profile_image.as_ref()?.last_modified),
        )
        .doc(
            "profileImage.lastModified",
            "When the profile image was last changed, UTC.",
        ),
        ExtensionColumn::row(
            "profile_image_content_type",
            true,
            Str(|r| r.rec.profile_image.as_ref()?.content_type.as_deref()),
        )
        .doc(
            "profileImage.contentType",
            "MIME type of the profile image.",
        ),
        ExtensionColumn::row(
            "profile_image_scales_json",
            true,
            Str(|r| r.scales_json.as_deref()),
        )
        .doc(
            "profileImage.scales",
            "URLs of the profile image in other sizes, as a JSON array (sorted keys).",
        ),
        ExtensionColumn::row("partner_id", true, Str(|r| r.rec.partner_id.as_deref())).doc(
            "partnerId",
            "Partner applications: the partner's id for the extension.",
        ),
        ExtensionColumn::row(
            "references_json",
            true,
            Str(|r| r.references_json.as_deref()),
        )
        .doc(
            "references",
            "Ids of the extension in other systems, as a JSON array of `{ref, type, \
             refAccId}` (sorted keys).",
        ),
        ExtensionColumn::row(
            "call_queue_info_sla_goal",
            true,
            I32(|r| r.rec.call_queue_info.as_ref()?.sla_goal),
        )
        .doc(
            "callQueueInfo.slaGoal",
            "Call queues: target percentage of calls answered within \
             `call_queue_info_sla_threshold_seconds`.",
        ),
        ExtensionColumn::row(
            "call_queue_info_sla_threshold_seconds",
            true,
            I32(|r| r.rec.call_queue_info.as_ref()?.sla_threshold_seconds),
        )
        .doc(
            "callQueueInfo.slaThresholdSeconds",
            "Call queues: seconds within which a call counts as answered in time.",
        ),
        ExtensionColumn::row(
            "call_queue_info_include_abandoned_calls",
            true,
            Bool(|r| r.rec.call_queue_info.as_ref()?.include_abandoned_calls),
        )
        .doc(
            "callQueueInfo.includeAbandonedCalls",
            "Call queues: true when abandoned calls count in the service level.",
        ),
        ExtensionColumn::row(
            "call_queue_info_abandoned_threshold_seconds",
            true,
            I32(|r| r.rec.call_queue_info.as_ref()?.abandoned_threshold_seconds),
        )
        .doc(
            "callQueueInfo.abandonedThresholdSeconds",
            "Call queues: abandoned calls shorter than this many seconds are left out of \
             the service level.",
        ),
        ExtensionColumn::row("hidden", true, Bool(|r| r.rec.hidden)).doc(
            "hidden",
            "True when the extension is hidden from the company directory.",
        ),
        ExtensionColumn::row("roles_json", true, Str(|r| r.roles_json.as_deref())).doc(
            "roles",
            "The extension's roles, as a JSON array (sorted keys).",
        ),
        ExtensionColumn::row("site_id", true, Str(|r| r.rec.site.as_ref()?.id.as_deref()))
            .doc("site.id", "Id of the site the extension belongs to."),
        ExtensionColumn::row(
            "site_uri",
            true,
            Str(|r| r.rec.site.as_ref()?.uri.as_deref()),
        )
        .doc("site.uri", "API URL of the site."),
        ExtensionColumn::row(
            "site_name",
            true,
            Str(|r| r.rec.site.as_ref()?.name.as_deref()),
        )
        .doc("site.name", "Name of the site."),
        ExtensionColumn::row(
            "site_code",
            true,
            Str(|r| r.rec.site.as_ref()?.code.as_deref()),
        )
        .doc("site.code", "Site code, when one is set."),
        ExtensionColumn::row(
            "assigned_country_id",
            true,
            Str(|r| r.rec.assigned_country.as_ref()?.id.as_deref()),
        )
        .doc(
            "assignedCountry.id",
            "Id of the country assigned to the extension.",
        ),
        ExtensionColumn::row(
            "assigned_country_uri",
            true,
            Str(|r| r.rec.assigned_country.as_ref()?.uri.as_deref()),
        )
        .doc("assignedCountry.uri", "API URL of the assigned country."),
        ExtensionColumn::row(
            "assigned_country_iso_code",
            true,
            Str(|r| r.rec.assigned_country.as_ref()?.iso_code.as_deref()),
        )
        .doc(
            "assignedCountry.isoCode",
            "ISO 3166 alpha-2 code of the assigned country.",
        ),
        ExtensionColumn::row(
            "assigned_country_name",
            true,
            Str(|r| r.rec.assigned_country.as_ref()?.name.as_deref()),
        )
        .doc("assignedCountry.name", "Name of the assigned country."),
        ExtensionColumn::row(
            "cost_center_id",
            true,
            Str(|r| r.rec.cost_center.as_ref()?.id.as_deref()),
        )
        .doc("costCenter.id", "Id of the cost center."),
        ExtensionColumn::row(
            "cost_center_name",
            true,
            Str(|r| r.rec.cost_center.as_ref()?.name.as_deref()),
        )
        .doc("costCenter.name", "Name of the cost center."),
        ExtensionColumn::row("creation_time", true, Ts(|r| r.rec.creation_time))
            .doc("creationTime", "When the extension was created, UTC."),
        ExtensionColumn::row("alert_timer", true, I32(|r| r.rec.alert_timer)).doc(
            "alertTimer",
            "Call queues: seconds a queued call waits before members are alerted.",
        ),
        extra_json_column("", Str(|r| r.extra_json.as_deref())),
    ]
});

/// The user's business address, if any.
fn address<'r>(r: &'r ExtensionRow<'_>) -> Option<&'r BusinessAddressInfo> {
    r.rec.contact.as_ref()?.business_address.as_ref()
}

/// How the user's name is pronounced, if set.
fn pronounced_name<'r>(r: &'r ExtensionRow<'_>) -> Option<&'r PronouncedNameInfo> {
    r.rec.contact.as_ref()?.pronounced_name.as_ref()
}
/// `extensions`: docs/api.md §3.5. Nested objects are flattened; lists are JSON text.
pub(crate) static EXTENSIONS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &EXTENSION_COLUMNS,
        "id",
        "One extension (user, call queue, IVR menu, …) as one run's snapshot of the \
         extension list saw it: the table keeps one snapshot per date, so it shows how \
         extensions changed over time.",
        "The snapshot date: the day the run read the extension list, in the run's time zone.",
    )
});
