//! Account snapshots → the `account` table (docs/api.md §1.10).

use std::path::Path;
use std::sync::LazyLock;

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_contracts::Stream as StreamId;
use ringlake_model::{AccountRecord, LanguageInfo};

use crate::columns::{BatchBuilder, Column, Getter, RowKind, extra_json, json_text};
use crate::columns::{extra_json_column, table_schema};
use crate::error::Result;
use crate::layout::snapshot_date_of_page;
use crate::schema::tables;
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
        BatchBuilder::new(&ACCOUNT_SCHEMA, &ACCOUNT_COLUMNS, records).map(AccountRows)
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
        self.0.append(&ACCOUNT_COLUMNS, &rows)
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

impl RowKind for AccountRow<'static> {
    type Row<'a> = AccountRow<'a>;
}

impl AccountRow<'_> {
    fn settings(&self) -> Option<&ringlake_model::AccountRegionalSettings> {
        self.rec.regional_settings.as_ref()
    }
}

fn locale(l: Option<&LanguageInfo>) -> Option<&str> {
    l?.locale_code.as_deref()
}

type AccountColumn = Column<AccountRow<'static>>;

/// `account`'s columns.
pub(crate) static ACCOUNT_COLUMNS: LazyLock<Vec<AccountColumn>> = LazyLock::new(|| {
    use Getter::*;
    let language = |name: &str, source: &str, what: &str, get| {
        AccountColumn::row(name, true, get).doc(
            format!("regionalSettings.{source}.localeCode"),
            format!("Locale code of the account's {what}, e.g. `en-US`."),
        )
    };
    let kept = |name: &str, source: &str, what: &str, get| {
        AccountColumn::row(name, true, get).doc(
            source,
            format!("{what}, kept whole as JSON text with sorted keys."),
        )
    };
    vec![
        AccountColumn::row("id", false, I64(|r| Some(r.id))).doc(
            "id",
            "Account id; equals the id of the account's system extension.",
        ),
        AccountColumn::row("uri", true, Str(|r| r.rec.uri.as_deref()))
            .doc("uri", "Canonical API URL of the account."),
        AccountColumn::row("bsid", true, Str(|r| r.rec.bsid.as_deref()))
            .doc("bsid", "Id of the account in the billing system."),
        AccountColumn::row("main_number", true, Str(|r| r.rec.main_number.as_deref()))
            .doc("mainNumber", "Main phone number of the account."),
        AccountColumn::row("status", true, Str(|r| r.rec.status.as_deref())).doc(
            "status",
            "`Initial`, `Unconfirmed`, `Confirmed` or `Disabled`.",
        ),
        AccountColumn::row(
            "setup_wizard_state",
            true,
            Str(|r| r.rec.setup_wizard_state.as_deref()),
        )
        .doc(
            "setupWizardState",
            "`NotStarted`, `Incomplete`, `Completed` or `Unknown`.",
        ),
        AccountColumn::row("partner_id", true, Str(|r| r.rec.partner_id.as_deref()))
            .doc("partnerId", "Account id given by a partner application."),
        AccountColumn::row("cfid", true, Str(|r| r.rec.cfid.as_deref())).doc(
            "cfid",
            "Customer-facing id (accounts without PBX features): the main number in \
             E.164 without `+`.",
        ),
        AccountColumn::row("federated", true, Bool(|r| r.rec.federated)).doc(
            "federated",
            "Whether the account belongs to a federation of accounts.",
        ),
        AccountColumn::row(
            "outbound_call_prefix",
            true,
            I32(|r| r.rec.outbound_call_prefix),
        )
        .doc(
            "outboundCallPrefix",
            "Digit dialled before outbound numbers (2–9), when one is set.",
        ),
        AccountColumn::row("operator_id", true, I64(|r| r.rec.operator.as_ref()?.id))
            .doc("operator.id", "Extension id of the account's operator."),
        AccountColumn::row(
            "operator_extension_number",
            true,
            Str(|r| r.rec.operator.as_ref()?.extension_number.as_deref()),
        )
        .doc(
            "operator.extensionNumber",
            "Extension number of the account's operator.",
        ),
        AccountColumn::row(
            "home_country_id",
            true,
            Str(|r| r.settings()?.home_country.as_ref()?.id.as_deref()),
        )
        .doc(
            "regionalSettings.homeCountry.id",
            "Id of the account's home country.",
        ),
        AccountColumn::row(
            "home_country_name",
            true,
            Str(|r| r.settings()?.home_country.as_ref()?.name.as_deref()),
        )
        .doc(
            "regionalSettings.homeCountry.name",
            "Name of the account's home country.",
        ),
        AccountColumn::row(
            "home_country_iso_code",
            true,
            Str(|r| r.settings()?.home_country.as_ref()?.iso_code.as_deref()),
        )
        .doc(
            "regionalSettings.homeCountry.isoCode",
            "ISO 3166 alpha-2 code of the home country, e.g. `US`.",
        ),
        AccountColumn::row(
            "home_country_calling_code",
            true,
            Str(|r| r.settings()?.home_country.as_ref()?.calling_code.as_deref()),
        )
        .doc(
            "regionalSettings.homeCountry.callingCode",
            "Country calling code of the home country, e.g. `1`.",
        ),
        AccountColumn::row(
            "time_zone_id",
            true,
            Str(|r| r.settings()?.timezone.as_ref()?.id.as_deref()),
        )
        .doc(
            "regionalSettings.timezone.id",
            "RingCentral's id of the account's time zone.",
        ),
        AccountColumn::row(
            "time_zone_name",
            true,
            Str(|r| r.settings()?.timezone.as_ref()?.name.as_deref()),
        )
        .doc(
            "regionalSettings.timezone.name",
            "The account's time zone, an IANA name (`America/New_York`): the zone \
             RingCentral bills and reports in, and the billing report's default.",
        ),
        AccountColumn::row(
            "time_zone_description",
            true,
            Str(|r| r.settings()?.timezone.as_ref()?.description.as_deref()),
        )
        .doc(
            "regionalSettings.timezone.description",
            "The time zone as RingCentral shows it, e.g. `Eastern Time (US & Canada)`.",
        ),
        AccountColumn::row(
            "time_zone_bias",
            true,
            Str(|r| r.settings()?.timezone.as_ref()?.bias.as_deref()),
        )
        .doc(
            "regionalSettings.timezone.bias",
            "The zone's standard offset from UTC as RingCentral sends it.",
        ),
        language(
            "language_locale_code",
            "language",
            "user interface language",
            Str(|r| locale(r.settings()?.language.as_ref())),
        ),
        language(
            "greeting_language_locale_code",
            "greetingLanguage",
            "greeting language",
            Str(|r| locale(r.settings()?.greeting_language.as_ref())),
        ),
        language(
            "formatting_locale_code",
            "formattingLocale",
            "formatting locale (numbers, dates, currencies)",
            Str(|r| locale(r.settings()?.formatting_locale.as_ref())),
        ),
        AccountColumn::row(
            "time_format",
            true,
            Str(|r| r.settings()?.time_format.as_deref()),
        )
        .doc("regionalSettings.timeFormat", "`12h` or `24h`."),
        AccountColumn::row(
            "currency_id",
            true,
            I64(|r| r.settings()?.currency.as_ref()?.id),
        )
        .doc(
            "regionalSettings.currency.id",
            "RingCentral's id of the currency.",
        ),
        AccountColumn::row(
            "currency_code",
            true,
            Str(|r| r.settings()?.currency.as_ref()?.code.as_deref()),
        )
        .doc(
            "regionalSettings.currency.code",
            "ISO 4217 code of the account's currency (`USD`): the currency of every \
             cost column of the call log.",
        ),
        AccountColumn::row(
            "currency_name",
            true,
            Str(|r| r.settings()?.currency.as_ref()?.name.as_deref()),
        )
        .doc("regionalSettings.currency.name", "Name of the currency."),
        AccountColumn::row(
            "currency_symbol",
            true,
            Str(|r| r.settings()?.currency.as_ref()?.symbol.as_deref()),
        )
        .doc(
            "regionalSettings.currency.symbol",
            "Symbol of the currency, e.g. `$`.",
        ),
        AccountColumn::row(
            "currency_minor_symbol",
            true,
            Str(|r| r.settings()?.currency.as_ref()?.minor_symbol.as_deref()),
        )
        .doc(
            "regionalSettings.currency.minorSymbol",
            "Symbol of the currency's minor unit, e.g. `¢`.",
        ),
        kept(
            "service_info_json",
            "serviceInfo",
            "Brand, service plan and billing plan",
            Str(|r| r.kept[0].as_deref()),
        ),
        kept(
            "signup_info_json",
            "signupInfo",
            "Sign-up data",
            Str(|r| r.kept[1].as_deref()),
        ),
        kept(
            "status_info_json",
            "statusInfo",
            "Why the account is in its status",
            Str(|r| r.kept[2].as_deref()),
        ),
        kept(
            "limits_json",
            "limits",
            "Account limits",
            Str(|r| r.kept[3].as_deref()),
        ),
        extra_json_column("", Str(|r| r.extra_json.as_deref())),
    ]
});
pub(crate) static ACCOUNT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &ACCOUNT_COLUMNS,
        "id",
        "The account as one run read it (`GET /restapi/v1.0/account/~`): its status, home \
         country, time zone and currency; one row per snapshot date. The columns of \
         `regionalSettings` leave that prefix out (`time_zone_name`, `currency_code`).",
        "The snapshot date: the day the run read the account, in the run's time zone.",
    )
});
