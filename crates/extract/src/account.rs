//! The account (docs/api.md §1.10, group Light): `GET /restapi/v1.0/account/~` — its id,
//! status, time zone, currency and home country — landed raw as one page under
//! `<raw>/account/<snapshot day>/page-00001.json.zst`, replacing an earlier snapshot of
//! that day.

use chrono::NaiveDate;
use ringlake_contracts::Stream;
use ringlake_contracts::raw::{Window, day_dir_name};
use ringlake_model::AccountRecord;
use std::collections::BTreeSet;
use tracing::info;

use crate::client::ApiClient;
use crate::error::Result;
use crate::landing::StreamDir;
use crate::options::ExtractOptions;
use crate::outcome::{Extracted, RunDays};
use crate::pacer::RateGroup;
use crate::progress::Progress;

const STREAM: Stream = Stream::Account;
const ACCOUNT_PATH: &str = "/restapi/v1.0/account/~";

/// What [`snapshot_account`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountSummary {
    /// The account id, when the answer has one.
    pub id: Option<i64>,
    /// `regionalSettings.timezone.name` (an IANA name, e.g. `America/New_York`).
    pub time_zone: Option<String>,
    /// `regionalSettings.currency.code` (ISO 4217, e.g. `USD`).
    pub currency: Option<String>,
    /// Body bytes (uncompressed).
    pub bytes: u64,
}

impl Extracted for AccountSummary {
    fn summary(&self) -> String {
        format!(
            "time zone {}, currency {}",
            self.time_zone.as_deref().unwrap_or("not given"),
            self.currency.as_deref().unwrap_or("not given")
        )
    }
    fn records(&self) -> u64 {
        1
    }
    fn paging_minimum(&self) -> Option<u64> {
        Some(1)
    }
    /// The snapshot's date.
    fn loadable_days(&self, days: RunDays<'_>) -> BTreeSet<NaiveDate> {
        BTreeSet::from([days.snapshot_day])
    }
}

/// Reads what the summary says of an answer; a body that is not an account object is
/// refused, so that the client retries it and it never reaches the raw zone.
fn read_account(body: &[u8]) -> std::result::Result<AccountSummary, String> {
    let account: AccountRecord = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let settings = account.regional_settings.as_ref();
    Ok(AccountSummary {
        id: account.id,
        time_zone: settings
            .and_then(|s| s.timezone.as_ref())
            .and_then(|t| t.name.clone()),
        currency: settings
            .and_then(|s| s.currency.as_ref())
            .and_then(|c| c.code.clone()),
        bytes: body.len() as u64,
    })
}

/// Fetches the account into `<raw>/account/<snapshot_day>/`. Any error aborts it (nothing
/// is published).
pub async fn snapshot_account(
    client: &ApiClient,
    opts: &ExtractOptions,
    snapshot_day: NaiveDate,
    progress: &dyn Progress,
) -> Result<AccountSummary> {
    opts.validate()?;
    let stream = StreamDir::new(&opts.raw_dir, STREAM);
    stream.prepare()?;
    let staging = stream.stage(&Window::Day(snapshot_day))?;
    let (body, summary) = client
        .inner
        .get_page(RateGroup::of(STREAM), ACCOUNT_PATH, progress, read_account)
        .await?;
    staging.write_page(1, body).await?;
    let dir = staging.publish().await?;
    info!(
        snapshot = %day_dir_name(snapshot_day),
        time_zone = summary.time_zone.as_deref().unwrap_or("-"),
        currency = summary.currency.as_deref().unwrap_or("-"),
        dir = %dir.display(),
        "Account extracted."
    );
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_object_is_read_and_anything_else_refused() {
        let s = read_account(
            br#"{"id":1,"regionalSettings":{"timezone":{"name":"Europe/Paris"},"currency":{"code":"EUR"}}}"#,
        )
        .unwrap();
        assert_eq!(s.id, Some(1));
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(s.currency.as_deref(), Some("EUR"));
        assert_eq!(read_account(b"{}").unwrap().id, None);
        assert!(read_account(br#"{"id":1"#).is_err());
        assert!(read_account(b"[]").is_err());
        assert!(read_account(b"").is_err());
    }
}
