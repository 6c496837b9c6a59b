//! Every mailbox's message store (docs/api.md §1.8, #13, group Light): per mailbox ONE
//! request window over all the run's days not yet settled for it, so that a quiet mailbox
//! costs one request whatever the number of days; all availabilities; landed raw under
//! `<raw>/message-store/<FROM>_<TO>/<MAILBOX>/` and checkpointed per mailbox.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use futures::StreamExt;
use tracing::{debug, info, warn};

use crate::checkpoint::{Checkpoint, CheckpointData, SpanRecord, is_day_settled_in_spans};
use crate::client::ApiClient;
use crate::error::{Error, Result};
use crate::extensions::ExtensionRef;
use crate::landing::{StreamDir, window_on_disk};
use crate::options::ExtractOptions;
use crate::outcome::{Extracted, RunDays, mb};
use crate::pacer::RateGroup;
use crate::paging::{Window, fetch_pages};
use crate::progress::Progress;
use crate::window::{day_window, format_api_time};
use ringlake_contracts::Stream;
use ringlake_contracts::raw::{Window as RawWindow, span_dir_name};

/// Stream name: the raw directory `<raw>/message-store/`.
pub(crate) const STREAM: Stream = Stream::MessageStore;

/// Extension types (§3.6 `AllExtensionTypesEnum`) that certainly have no message store:
/// an announcement-only extension plays a greeting and hangs up, paging-only groups page
/// desk phones, park locations hold parked calls, and call-pickup groups only pick up
/// ringing calls — none takes a message. Every other type is read, unknown ones included
/// (compliance wants everything; a store that turns out not to exist costs one request,
/// see [`without_store`]): users, call queues (`Department`, shared voicemail), message-only
/// (`Voicemail`), fax users, IVR menus, limited, shared/delegated lines, sites, rooms, …
const TYPES_WITHOUT_MAILBOX: [&str; 4] = [
    "Announcement",
    "PagingOnly",
    "ParkLocation",
    "GroupCallPickup",
];

/// At most this long between two writes of the checkpoint: a killed run fetches again at
/// most this much of mailboxes.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// What a run of [`extract_message_store`] did.
///
/// `mailboxes_total` = `mailboxes_fetched` + `mailboxes_without_store` +
/// `mailboxes_skipped` + `failed_mailboxes.len()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageStoreSummary {
    /// Distinct extensions whose store was asked for (types without one left out).
    pub mailboxes_total: usize,
    /// Read in this run (a window over their unsettled days).
    pub mailboxes_fetched: usize,
    /// Every day of the run already settled for them: no request.
    pub mailboxes_skipped: usize,
    /// Answered 403 (not a permission of the whole run) or 404: the extension has no
    /// message store. Checkpointed like a fetched empty mailbox.
    pub mailboxes_without_store: usize,
    /// Pages, records and body bytes (uncompressed) fetched in this run.
    pub pages: u64,
    /// Records on those pages.
    pub records: u64,
    /// Body bytes of those pages, as received (before compression on disk).
    pub bytes: u64,
    /// Mailboxes that failed after their retry budget, with the error; not checkpointed.
    pub failed_mailboxes: Vec<(i64, String)>,
    /// The fewest requests paging allows for the mailboxes read ([`crate::paging_minimum`]
    /// of each mailbox window; one for a mailbox without a store).
    pub min_requests: u64,
    /// Days of the run that are complete for every mailbox (all fetched or settled); the cli transforms only these.
    pub complete_days: BTreeSet<NaiveDate>,
}

impl Extracted for MessageStoreSummary {
    fn summary(&self) -> String {
        format!(
            "{} mailboxes ({} fetched, {} already final, {} without a store), {} pages, {} records, {:.1} MB",
            self.mailboxes_total,
            self.mailboxes_fetched,
            self.mailboxes_skipped,
            self.mailboxes_without_store,
            self.pages,
            self.records,
            mb(self.bytes)
        )
    }
    fn records(&self) -> u64 {
        self.records
    }
    fn paging_minimum(&self) -> Option<u64> {
        Some(self.min_requests)
    }
    fn failures(&self) -> Vec<String> {
        self.failed_mailboxes
            .iter()
            .map(|(mailbox, why)| {
                format!(
                    "message-store of extension {mailbox}: {why} (run the same command again to fetch it)"
                )
            })
            .collect()
    }
    /// The days every mailbox has complete.
    fn loadable_days(&self, _: RunDays<'_>) -> BTreeSet<NaiveDate> {
        self.complete_days.clone()
    }
}

/// One mailbox's work in a run: the run's days not settled for it, read with one request
/// window (see [`plan_message_store`]).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxPlan {
    /// The extension id.
    pub mailbox: i64,
    /// The run's days not settled for this mailbox, ascending (never empty).
    pub days: Vec<NaiveDate>,
    /// From the start of the first day's window to the end of the last one's (UTC).
    pub window: (DateTime<Utc>, DateTime<Utc>),
}

impl MailboxPlan {
    // Plans are never empty; a caller who emptied `days` gets the window's UTC dates.
    fn first_day(&self) -> NaiveDate {
        self.days
            .first()
            .copied()
            .unwrap_or_else(|| self.window.0.date_naive())
    }

    fn last_day(&self) -> NaiveDate {
        self.days
            .last()
            .copied()
            .unwrap_or_else(|| self.window.1.date_naive())
    }

    /// `<FROM>_<TO>` (issue-3 contract): the raw directory `<raw>/message-store/<FROM>_<TO>/<MAILBOX>/`.
    pub fn span_name(&self) -> String {
        span_dir_name(self.first_day(), self.last_day())
    }

    /// Where its pages land: `<FROM>_<TO>/<MAILBOX>`.
    fn raw_window(&self) -> RawWindow {
        RawWindow::Mailbox {
            from: self.first_day(),
            to: self.last_day(),
            mailbox: self.mailbox,
        }
    }
}

/// What a run of [`extract_message_store`] over these mailboxes (extension ids, taken as
/// they are: no type is left out) and `days` would fetch, read from the checkpoint and the
/// raw zone only (no request is sent, nothing is written): the mailboxes that have days
/// left to fetch, in the order given, each with its days and request window. The others
/// are settled for every day and would be skipped.
pub fn plan_message_store(
    extension_ids: &[i64],
    days: &[NaiveDate],
    opts: &ExtractOptions,
) -> Result<Vec<MailboxPlan>> {
    let checkpoint = CheckpointData::read(&opts.state_dir, STREAM.name())?;
    Ok(plan_mailboxes(&checkpoint, extension_ids, days, opts))
}

/// The one skip rule of the message store, for runs and dry runs: a day is settled for a
/// mailbox when a span of its checkpoint settles it AND that span's pages are still in
/// `<raw>/message-store/<FROM>_<TO>/<MAILBOX>/`, so that deleting a raw directory gets its
/// days fetched again. Duplicate ids are planned once.
fn plan_mailboxes(
    checkpoint: &CheckpointData,
    extension_ids: &[i64],
    days: &[NaiveDate],
    opts: &ExtractOptions,
) -> Vec<MailboxPlan> {
    let windows: BTreeMap<NaiveDate, (DateTime<Utc>, DateTime<Utc>)> = days
        .iter()
        .map(|&d| (d, day_window(d, opts.time_zone)))
        .collect();
    let stream_dir = StreamDir::new(&opts.raw_dir, STREAM);
    let mut seen = HashSet::new();
    let mut plans = Vec::new();
    for &mailbox in extension_ids {
        if !seen.insert(mailbox) {
            continue;
        }
        let on_disk: Vec<SpanRecord> = checkpoint
            .mailbox_spans()
            .get(&mailbox)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|s| {
                let window = RawWindow::Mailbox {
                    from: s.from_day,
                    to: s.to_day,
                    mailbox,
                };
                window_on_disk(&stream_dir.window_dir(&window), s.pages)
            })
            .cloned()
            .collect();
        let unsettled: Vec<NaiveDate> = windows
            .iter()
            .filter(|&(&day, &window)| {
                !is_day_settled_in_spans(&on_disk, day, window, opts.lookback_days)
            })
            .map(|(&day, _)| day)
            .collect();
        if let (Some(first), Some(last)) = (unsettled.first(), unsettled.last()) {
            plans.push(MailboxPlan {
                mailbox,
                window: (windows[first].0, windows[last].1),
                days: unsettled,
            });
        }
    }
    plans
}

/// How one mailbox went.
enum Outcome {
    Fetched(SpanRecord),
    /// No message store; the API error code says why.
    WithoutStore(SpanRecord, String),
}

/// Extracts the message store of every extension in `extensions` (but the types that
/// have none) for `days` into the raw landing zone.
///
/// Days settled for a mailbox (fetched at least `lookback_days` after they ended) are not
/// asked again. A mailbox that fails after its retry budget is reported in
/// [`MessageStoreSummary::failed_mailboxes`] (its days leave `complete_days`) and the others
/// go on; authentication, permission (403 CMN-401/402/408: grant ReadMessages), bad
/// request and local I/O errors abort the run with `Err`.
pub async fn extract_message_store(
    client: &ApiClient,
    opts: &ExtractOptions,
    extensions: &[ExtensionRef],
    days: &[NaiveDate],
    progress: &dyn Progress,
) -> Result<MessageStoreSummary> {
    opts.validate()?;
    let stream = StreamDir::new(&opts.raw_dir, STREAM);
    stream.prepare()?;
    let checkpoint = Checkpoint::load(&opts.state_dir, STREAM.name())?;
    let (with_store, left_out): (Vec<&ExtensionRef>, Vec<&ExtensionRef>) =
        extensions.iter().partition(|e| has_mailbox(e));
    let ids: Vec<i64> = with_store.iter().map(|e| e.id).collect();
    let plans = plan_mailboxes(&checkpoint.snapshot().await, &ids, days, opts);
    let day_set: BTreeSet<NaiveDate> = days.iter().copied().collect();
    let distinct = ids.iter().collect::<HashSet<_>>().len();
    let mut summary = MessageStoreSummary {
        mailboxes_total: distinct,
        mailboxes_skipped: distinct - plans.len(),
        ..MessageStoreSummary::default()
    };
    info!(
        mailboxes = summary.mailboxes_total,
        left_out = left_out.len(),
        to_fetch = plans.len(),
        skipped = summary.mailboxes_skipped,
        days = day_set.len(),
        time_zone = %opts.time_zone,
        "Message-store extraction planned."
    );
    let mut incomplete = BTreeSet::new();
    if !plans.is_empty() {
        // Log in first: wrong credentials are one clear error, not one per mailbox.
        client.inner.access_token(progress).await?;
        let result = fetch_all(
            client,
            opts,
            &stream,
            &checkpoint,
            plans,
            &mut summary,
            progress,
        )
        .await;
        // Whatever happened, what is on disk gets recorded (an abort loses nothing fetched).
        let flushed = checkpoint.flush().await;
        incomplete = result?;
        flushed?;
    }
    summary.complete_days = day_set
        .into_iter()
        .filter(|d| !incomplete.contains(d))
        .collect();
    summary.failed_mailboxes.sort();
    if summary.mailboxes_without_store > 0 {
        info!(
            without_store = summary.mailboxes_without_store,
            "Some extensions have no message store (403 or 404); recorded as empty."
        );
    }
    if summary.mailboxes_fetched == 0 && summary.mailboxes_without_store > 1 {
        warn!(
            without_store = summary.mailboxes_without_store,
            "No mailbox could be read; check that the JWT's user may read other extensions' messages."
        );
    }
    info!(
        fetched = summary.mailboxes_fetched,
        without_store = summary.mailboxes_without_store,
        failed = summary.failed_mailboxes.len(),
        pages = summary.pages,
        records = summary.records,
        complete_days = summary.complete_days.len(),
        "Message-store extraction finished."
    );
    Ok(summary)
}

/// Runs the plans concurrently and folds their outcomes into `summary`. Returns the days
/// of the failed mailboxes, or the first error that aborts the run.
async fn fetch_all(
    client: &ApiClient,
    opts: &ExtractOptions,
    stream: &StreamDir,
    checkpoint: &Checkpoint,
    plans: Vec<MailboxPlan>,
    summary: &mut MessageStoreSummary,
    progress: &dyn Progress,
) -> Result<BTreeSet<NaiveDate>> {
    let mut incomplete = BTreeSet::new();
    let job = |plan: MailboxPlan| async move {
        let result = fetch_mailbox(client, stream, &plan, opts.per_page, progress).await;
        (plan, result)
    };
    // Most mailboxes are one short request, where a day of the call log is many: twice the
    // configured concurrency keeps the Light pacer (shared by all, one per group in the
    // client) supplied through response latency and the page/publish fsyncs. The pacer,
    // not this number, sets the request rate.
    let in_flight = opts.concurrency.saturating_mul(2).max(1);
    let mut results = futures::stream::iter(plans)
        .map(job)
        .buffer_unordered(in_flight);
    let mut last_write = Instant::now();
    while let Some((plan, result)) = results.next().await {
        match result {
            Ok(Outcome::Fetched(span)) => {
                summary.mailboxes_fetched += 1;
                summary.pages += u64::from(span.pages);
                summary.records += span.records;
                summary.bytes += span.bytes;
                summary.min_requests += crate::paging_minimum(span.records, opts.per_page);
                checkpoint.note_span(plan.mailbox, span).await;
            }
            Ok(Outcome::WithoutStore(span, code)) => {
                debug!(mailbox = plan.mailbox, code, "No message store.");
                summary.mailboxes_without_store += 1;
                summary.min_requests += 1;
                checkpoint.note_span(plan.mailbox, span).await;
            }
            Err(e) if e.is_day_local() => {
                warn!(mailbox = plan.mailbox, error = %e, "Mailbox failed; its days stay undone and are fetched again next run.");
                summary.failed_mailboxes.push((plan.mailbox, e.to_string()));
                incomplete.extend(&plan.days);
            }
            // Dropping `results` cancels the other mailboxes; their staging is removed.
            Err(e) => return Err(e),
        }
        if last_write.elapsed() >= CHECKPOINT_EVERY {
            checkpoint.flush().await?;
            last_write = Instant::now();
        }
    }
    Ok(incomplete)
}

/// Fetches one mailbox's window into staging and publishes it.
async fn fetch_mailbox(
    client: &ApiClient,
    stream: &StreamDir,
    plan: &MailboxPlan,
    per_page: u32,
    progress: &dyn Progress,
) -> Result<Outcome> {
    // Freshness is that of the first request: later changes may be missing.
    let fetched_at = Utc::now();
    let window = plan.raw_window();
    let staging = stream.stage(&window)?;
    let label = format!("{STREAM} {}", window.rel_dir().display());
    let mut pages_landed = 0u32;
    let fetched = fetch_pages(
        client,
        RateGroup::of(STREAM),
        first_page(plan.mailbox, plan.window, per_page),
        &staging,
        Window {
            label: &label,
            day: plan.first_day(),
        },
        progress,
        &mut |_| pages_landed += 1,
    )
    .await;
    let span = |pages, records, bytes| SpanRecord {
        from_day: plan.first_day(),
        to_day: plan.last_day(),
        window_from: plan.window.0,
        window_to: plan.window.1,
        fetched_at,
        pages,
        records,
        bytes,
    };
    match fetched {
        Ok(done) => {
            let dir = staging.publish().await?;
            debug!(mailbox = plan.mailbox, pages = done.pages, records = done.records, dir = %dir.display(), "Mailbox extracted.");
            Ok(Outcome::Fetched(span(done.pages, done.records, done.bytes)))
        }
        // Only a refused first page says the store does not exist.
        Err(e) if pages_landed == 0 => match without_store(e) {
            Ok(code) => Ok(Outcome::WithoutStore(span(0, 0, 0), code)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// Sorts a refused first page (§6.1): `Ok(code)` when the extension has no message store
/// (403 CMN-403 feature not for this extension type, CMN-404, CMN-109 feature not
/// available, …, or 404 CMN-102); the error itself otherwise, a missing ReadMessages
/// permission (CMN-401 app, CMN-408 user) or admin role (CMN-402) rewritten to say so —
/// those hold for every mailbox, so they abort the run.
fn without_store(e: Error) -> std::result::Result<String, Error> {
    match e {
        Error::Permission { code, .. }
            if !matches!(code.as_str(), "CMN-401" | "CMN-402" | "CMN-408") =>
        {
            Ok(code)
        }
        Error::Http {
            status: 404, code, ..
        } => Ok(code),
        Error::Permission {
            path,
            status,
            code,
            permission,
            message,
            ..
        } if code != "CMN-402" => {
            let named = permission.unwrap_or_else(|| "ReadMessages".to_owned());
            let fix = if code == "CMN-401" {
                format!(
                    "grant the app the {named} permission in the RingCentral Developer Console, then use a new JWT/token"
                )
            } else {
                format!(
                    "give the JWT's user the {named} permission (a role that may read every extension's messages) in the Admin Portal"
                )
            };
            Err(Error::Permission {
                path,
                status,
                code,
                permission: Some(named),
                message,
                fix,
            })
        }
        e => Err(e),
    }
}

/// Whether the extension may have a message store (see [`TYPES_WITHOUT_MAILBOX`]).
fn has_mailbox(ext: &ExtensionRef) -> bool {
    !ext.r#type
        .as_deref()
        .is_some_and(|t| TYPES_WITHOUT_MAILBOX.contains(&t))
}

/// Path and query of the first page of a mailbox's window: all availabilities, since
/// the default is `Alive` only (§1.8) and compliance keeps deleted and purged messages too.
fn first_page(mailbox: i64, window: (DateTime<Utc>, DateTime<Utc>), per_page: u32) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("dateFrom", &format_api_time(window.0))
        .append_pair("dateTo", &format_api_time(window.1))
        .append_pair("perPage", &per_page.to_string())
        .append_pair("availability", "Alive")
        .append_pair("availability", "Deleted")
        .append_pair("availability", "Purged")
        .append_pair("page", "1")
        .finish();
    format!("/restapi/v1.0/account/~/extension/{mailbox}/message-store?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permission(code: &str, named: Option<&str>) -> Error {
        Error::Permission {
            path: "/restapi/v1.0/account/~/extension/7/message-store".into(),
            status: 403,
            code: code.into(),
            permission: named.map(str::to_owned),
            message: "m".into(),
            fix: "check the app's permissions and the user's role".into(),
        }
    }

    #[test]
    fn refusals_sort_into_no_store_and_run_wide_permission_errors() {
        for code in ["CMN-401", "CMN-408"] {
            let e = without_store(permission(code, None)).unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains("ReadMessages") && text.contains(code),
                "{text}"
            );
            assert!(e.is_config() && !e.is_day_local());
        }
        let e = without_store(permission("CMN-401", Some("ReadMessages"))).unwrap_err();
        assert!(matches!(e, Error::Permission { permission: Some(p), .. } if p == "ReadMessages"));
        assert!(without_store(permission("CMN-402", None)).is_err());
        for code in ["CMN-403", "CMN-404", "CMN-109", "-"] {
            assert_eq!(without_store(permission(code, None)).unwrap(), code);
        }
        let not_found = Error::Http {
            path: "/p".into(),
            status: 404,
            code: "CMN-102".into(),
            message: "m".into(),
        };
        assert_eq!(without_store(not_found).unwrap(), "CMN-102");
        let bad = Error::Http {
            path: "/p".into(),
            status: 400,
            code: "CMN-101".into(),
            message: "m".into(),
        };
        assert!(without_store(bad).is_err());
        let server = Error::Server {
            path: "/p".into(),
            status: 503,
            code: "CMN-201".into(),
            attempts: 8,
        };
        assert!(without_store(server).unwrap_err().is_day_local());
    }

    #[test]
    fn only_types_certain_to_have_no_store_are_left_out() {
        assert!(has_mailbox(&ExtensionRef::new(1)));
        for t in [
            "User",
            "Department",
            "Voicemail",
            "FaxUser",
            "IvrMenu",
            "Limited",
            "Unknown",
            "SomethingNew",
        ] {
            assert!(has_mailbox(&ExtensionRef::new(1).with_type(t)), "{t}");
        }
        for t in TYPES_WITHOUT_MAILBOX {
            assert!(!has_mailbox(&ExtensionRef::new(1).with_type(t)), "{t}");
        }
    }

    #[test]
    fn first_page_asks_for_every_availability_over_the_span() {
        let la = chrono_tz::America::Los_Angeles;
        let from = day_window("2024-01-02".parse().unwrap(), la).0;
        let to = day_window("2024-01-05".parse().unwrap(), la).1;
        assert_eq!(
            first_page(62, (from, to), 1000),
            "/restapi/v1.0/account/~/extension/62/message-store?dateFrom=2024-01-02T08%3A00%3A00.000Z\
             &dateTo=2024-01-06T08%3A00%3A00.000Z&perPage=1000&availability=Alive\
             &availability=Deleted&availability=Purged&page=1"
        );
    }

    #[test]
    fn span_name_is_first_and_last_unsettled_day() {
        let plan = MailboxPlan {
            mailbox: 5,
            days: vec!["2024-01-02".parse().unwrap(), "2024-01-09".parse().unwrap()],
            window: day_window("2024-01-02".parse().unwrap(), chrono_tz::Tz::UTC),
        };
        assert_eq!(plan.span_name(), "2024-01-02_2024-01-09");
    }
}
