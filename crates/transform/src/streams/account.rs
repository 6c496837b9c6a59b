//! Account snapshots → the `account` table (docs/api.md §1.10).

use std::path::Path;

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_contracts::Stream as StreamId;
use ringlake_model::{AccountRecord, BaseCallLogRecord, LanguageInfo};

use crate::columns::{BatchBuilder, Col, Getter, HasBase, extra_json, json_text};
use crate::error::Result;
use crate::layout::snapshot_date_of_page;
use crate::schema::{ACCOUNT_SCHEMA, tables};
use crate::stream::{Keyed, PageBuilder, PageRows, PageShapes, Read, Stream};

/// The account of one snapshot date. The partition day is the snapshot date (the nearest
/// ancestor directory named `YYYY-MM-DD`); two pages of one date keep the later one (by
/// path). An answer without `id` is a dead letter.
pub(crate) struct SnapshotAccount {
    day: NaiveDate,
    id: i64,
    rec: AccountRecord,
}

impl Keyed for SnapshotAccount {
    type Key = (NaiveDate, i64);
    fn key(&self) -> (NaiveDate, i64) {
        (self.day, self.id)
    }
    /// The account carries no modification time: the later page wins.
    fn last_modified(&self) -> Option<i64> {
        None
    }
}

pub(crate) struct Account;

impl Stream for Account {
    type Item = SnapshotAccount;
    type Builder = AccountRows;
    /// The snapshot date.
    type PageContext = NaiveDate;
    const STREAM: StreamId = StreamId::Account;
    const SHAPES: PageShapes = PageShapes::Object;

    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)> {
        vec![(tables::ACCOUNT, &ACCOUNT_SCHEMA)]
    }

    fn page_builder(&self, records: usize) -> Result<AccountRows, ArrowError> {
        BatchBuilder::new(&ACCOUNT_SCHEMA, &account_columns(), records).map(AccountRows)
    }

    fn page_context(&self, path: &Path) -> Result<NaiveDate> {
        snapshot_date_of_page(path, Self::STREAM)
    }

    fn read(&self, raw: &str, day: &NaiveDate, _tz: Tz) -> Read<SnapshotAccount> {
        match serde_json::from_str::<AccountRecord>(raw) {
            Ok(rec) => match rec.id {
                Some(id) => Read::Row(SnapshotAccount { day: *day, id, rec }, *day),
                None => Read::Dead("account has no id".into()),
            },
            Err(e) => Read::Dead(e.to_string()),
        }
    }
}

/// The `account` rows of a page (one).
pub(crate) struct AccountRows(BatchBuilder);

impl PageBuilder<SnapshotAccount> for AccountRows {
    fn append(&mut self, items: &[&SnapshotAccount]) -> Result<(), ArrowError> {
        let rows: Vec<AccountRow<'_>> = items
            .iter()
            .map(|a| AccountRow {
                id: a.id,
                rec: &a.rec,
                extra_json: extra_json(a.rec.unknown_fields()),
                kept: [
                    json_text(a.rec.service_info.as_ref()),
                    json_text(a.rec.signup_info.as_ref()),
                    json_text(a.rec.status_info.as_ref()),
                    json_text(a.rec.limits.as_ref()),
                ],
            })
            .collect();
        self.0.append(&account_columns(), &rows)
    }

    fn finish(self) -> Result<PageRows, ArrowError> {
        PageRows::new(self.0, Vec::new())
    }
}

/// One `account` row.
pub(crate) struct AccountRow<'a> {
    id: i64,
    rec: &'a AccountRecord,
    extra_json: Option<String>,
    /// `serviceInfo`, `signupInfo`, `statusInfo`, `limits` as JSON text.
    kept: [Option<String>; 4],
}

impl HasBase for AccountRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        None
    }
}

impl AccountRow<'_> {
    fn settings(&self) -> Option<&ringlake_model::AccountRegionalSettings> {
        self.rec.regional_settings.as_ref()
    }
}

fn locale(l: Option<&LanguageInfo>) -> Option<&str> {
    l?.locale_code.as_deref()
}

pub(crate) fn account_columns<'a>() -> Vec<(&'static str, Col<AccountRow<'a>>)> {
    use Getter::*;
    let c = |g: Getter<AccountRow<'a>>| Col::Row(g);
    vec![
        ("id", c(I64(|r| Some(r.id)))),
        ("uri", c(Str(|r| r.rec.uri.as_deref()))),
        ("bsid", c(Str(|r| r.rec.bsid.as_deref()))),
        ("main_number", c(Str(|r| r.rec.main_number.as_deref()))),
        ("status", c(Str(|r| r.rec.status.as_deref()))),
        (
            "setup_wizard_state",
            c(Str(|r| r.rec.setup_wizard_state.as_deref())),
        ),
        ("partner_id", c(Str(|r| r.rec.partner_id.as_deref()))),
        ("cfid", c(Str(|r| r.rec.cfid.as_deref()))),
        ("federated", c(Bool(|r| r.rec.federated))),
        (
            "outbound_call_prefix",
            c(I32(|r| r.rec.outbound_call_prefix)),
        ),
        ("operator_id", c(I64(|r| r.rec.operator.as_ref()?.id))),
        (
            "operator_extension_number",
            c(Str(|r| {
                r.rec.operator.as_ref()?.extension_number.as_deref()
            })),
        ),
        (
            "home_country_id",
            c(Str(|r| r.settings()?.home_country.as_ref()?.id.as_deref())),
        ),
        (
            "home_country_name",
            c(Str(|r| {
                r.settings()?.home_country.as_ref()?.name.as_deref()
            })),
        ),
        (
            "home_country_iso_code",
            c(Str(|r| {
                r.settings()?.home_country.as_ref()?.iso_code.as_deref()
            })),
        ),
        (
            "home_country_calling_code",
            c(Str(|r| {
                r.settings()?.home_country.as_ref()?.calling_code.as_deref()
            })),
        ),
        (
            "time_zone_id",
            c(Str(|r| r.settings()?.timezone.as_ref()?.id.as_deref())),
        ),
        (
            "time_zone_name",
            c(Str(|r| r.settings()?.timezone.as_ref()?.name.as_deref())),
        ),
        (
            "time_zone_description",
            c(Str(|r| {
                r.settings()?.timezone.as_ref()?.description.as_deref()
            })),
        ),
        (
            "time_zone_bias",
            c(Str(|r| r.settings()?.timezone.as_ref()?.bias.as_deref())),
        ),
        (
            "language_locale_code",
            c(Str(|r| locale(r.settings()?.language.as_ref()))),
        ),
        (
            "greeting_language_locale_code",
            c(Str(|r| locale(r.settings()?.greeting_language.as_ref()))),
        ),
        (
            "formatting_locale_code",
            c(Str(|r| locale(r.settings()?.formatting_locale.as_ref()))),
        ),
        (
            "time_format",
            c(Str(|r| r.settings()?.time_format.as_deref())),
        ),
        (
            "currency_id",
            c(I64(|r| r.settings()?.currency.as_ref()?.id)),
        ),
        (
            "currency_code",
            c(Str(|r| r.settings()?.currency.as_ref()?.code.as_deref())),
        ),
        (
            "currency_name",
            c(Str(|r| r.settings()?.currency.as_ref()?.name.as_deref())),
        ),
        (
            "currency_symbol",
            c(Str(|r| r.settings()?.currency.as_ref()?.symbol.as_deref())),
        ),
        (
            "currency_minor_symbol",
            c(Str(|r| {
                r.settings()?.currency.as_ref()?.minor_symbol.as_deref()
            })),
        ),
        ("service_info_json", c(Str(|r| r.kept[0].as_deref()))),
        ("signup_info_json", c(Str(|r| r.kept[1].as_deref()))),
        ("status_info_json", c(Str(|r| r.kept[2].as_deref()))),
        ("limits_json", c(Str(|r| r.kept[3].as_deref()))),
        ("extra_json", c(Str(|r| r.extra_json.as_deref()))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getters_match_the_schema_by_name() {
        let names: Vec<&str> = account_columns().iter().map(|(n, _)| *n).collect();
        let schema: Vec<&str> = ACCOUNT_SCHEMA
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, schema);
    }
}
