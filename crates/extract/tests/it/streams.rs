//! The extension list, message store and active-calls streams against the simulator on
//! 127.0.0.1: the raw zone must hold exactly the simulator's ground truth, with the fewest
//! requests the API allows.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use ringlake_contracts::day::day_window;
use ringlake_extract::{
    ApiClient, ExtensionRef, ExtractOptions, NoProgress, RateGroup, extract_extensions,
    extract_message_store, snapshot_active_calls,
};
use ringlake_sim::{RateLimits, SimConfig, SimHandle, Simulator};

use crate::{CLIENT_SECRET, JWT, client, day, read_record_ids};

/// Types the extractor does not ask a message store of (message_store.rs).
const TYPES_WITHOUT_MAILBOX: [&str; 4] = [
    "Announcement",
    "PagingOnly",
    "ParkLocation",
    "GroupCallPickup",
];

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn days(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first.iter_days().take_while(|d| *d <= last).collect()
}

fn config(from: DateTime<Utc>, to: DateTime<Utc>) -> SimConfig {
    SimConfig::new()
        .with_seed(7)
        .with_extensions(24)
        .with_calls_per_day(20)
        .with_messages_per_extension_per_day(4)
        .with_data_range(from, to)
        .with_limits(RateLimits::scaled(2))
}

async fn serve(cfg: SimConfig) -> SimHandle {
    Simulator::new(cfg)
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn requests(c: &ApiClient, group: RateGroup) -> u64 {
    c.stats().by_group.get(&group).map_or(0, |g| g.requests)
}

fn sim_requests(h: &SimHandle, group: &str) -> u64 {
    h.stats().requests_by_group.get(group).copied().unwrap_or(0)
}

/// The truth's extensions whose store the extractor reads.
fn mailboxes(h: &SimHandle) -> Vec<ExtensionRef> {
    h.truth()
        .extensions
        .iter()
        .filter(|e| !TYPES_WITHOUT_MAILBOX.contains(&e.r#type.as_str()))
        .map(|e| {
            ExtensionRef::new(e.id)
                .with_type(e.r#type.clone())
                .with_status(e.status.clone())
        })
        .collect()
}

/// Message ids of a mailbox's published span, exactly as i64.
fn raw_message_ids(raw: &Path, span: &str, mailbox: i64) -> Vec<i64> {
    let dir = raw
        .join("message-store")
        .join(span)
        .join(mailbox.to_string());
    read_record_ids(&dir)
        .iter()
        .map(|v| v.as_i64().expect("message id is a JSON integer"))
        .collect()
}

fn truth_message_ids(
    h: &SimHandle,
    mailbox: i64,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Vec<i64> {
    let mut ids: Vec<i64> = h
        .truth()
        .messages_in(mailbox, window.0, window.1)
        .map(|m| m.id)
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn extension_list_and_message_store_hold_the_truth_with_the_fewest_requests() {
    let h = serve(config(utc(2024, 2, 26), utc(2024, 3, 26))).await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let tz: Tz = chrono_tz::America::Los_Angeles;
    let per_page = 50;
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"))
        .with_time_zone(tz)
        .with_per_page(per_page);
    let c = client(&h.base_url(), CLIENT_SECRET, JWT);

    // The extension list: every extension of the truth, on the snapshot day's pages.
    let snapshot = day("2024-03-25");
    let list = extract_extensions(&c, &opts, snapshot, &NoProgress)
        .await
        .unwrap();
    let truth_ids: BTreeSet<i64> = h.truth().extensions.iter().map(|e| e.id).collect();
    let listed: BTreeSet<i64> = list.extensions.iter().map(|e| e.id).collect();
    assert_eq!(listed, truth_ids);
    assert_eq!(list.extensions.len(), h.truth().extensions.len());
    assert_eq!(list.unreadable_records, 0);
    let on_disk: BTreeSet<i64> = read_record_ids(&raw.join("extensions").join("2024-03-25"))
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(on_disk, truth_ids);
    for e in &h.truth().extensions {
        let got = list.extensions.iter().find(|x| x.id == e.id).unwrap();
        assert_eq!(got.r#type.as_deref(), Some(e.r#type.as_str()));
        assert_eq!(got.status.as_deref(), Some(e.status.as_str()));
    }
    // perPage=50 over more than 24 extensions may take more than one page; one request each.
    let medium = requests(&c, RateGroup::Medium);
    assert_eq!(medium, u64::from(list.pages));
    assert_eq!(sim_requests(&h, "Medium"), medium);
    assert_eq!(
        u64::from(list.pages),
        (h.truth().extensions.len() as u64).div_ceil(u64::from(per_page))
    );

    // A smaller page size pages the list; the snapshot of the day is replaced whole.
    let small = client(&h.base_url(), CLIENT_SECRET, JWT);
    let paged = extract_extensions(
        &small,
        &opts.clone().with_per_page(7),
        snapshot,
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(paged.extensions, list.extensions);
    assert_eq!(
        u64::from(paged.pages),
        (h.truth().extensions.len() as u64).div_ceil(7)
    );
    assert!(paged.pages > 1);
    assert_eq!(requests(&small, RateGroup::Medium), u64::from(paged.pages));
    assert_eq!(
        crate::read_pages(&raw.join("extensions").join("2024-03-25")).len(),
        paged.pages as usize
    );
    assert_eq!(
        std::fs::read_dir(raw.join("extensions")).unwrap().count(),
        1,
        "one snapshot dir, no leftovers"
    );

    // Three weeks over the spring-forward day, one window per mailbox.
    let wanted = days(day("2024-03-01"), day("2024-03-21"));
    let window = (
        day_window(wanted[0], tz).0,
        day_window(*wanted.last().unwrap(), tz).1,
    );
    let s = extract_message_store(&c, &opts, &list.extensions, &wanted, &NoProgress)
        .await
        .unwrap();
    assert!(s.failed_mailboxes.is_empty(), "{s:?}");
    let expected_mailboxes = mailboxes(&h);
    assert_eq!(s.mailboxes_total, expected_mailboxes.len());
    assert_eq!(
        s.mailboxes_fetched + s.mailboxes_without_store,
        s.mailboxes_total
    );
    assert_eq!(s.complete_days, wanted.iter().copied().collect());

    let mut minimum = 0u64;
    let mut total_records = 0u64;
    let mut busiest = 0usize;
    for m in &expected_mailboxes {
        let truth = truth_message_ids(&h, m.id, window);
        let dir = raw
            .join("message-store")
            .join("2024-03-01_2024-03-21")
            .join(m.id.to_string());
        if dir.exists() {
            let mut got = raw_message_ids(&raw, "2024-03-01_2024-03-21", m.id);
            let n = got.len();
            got.sort_unstable();
            assert_eq!(got, truth, "mailbox {}", m.id);
            assert_eq!(
                got.iter().collect::<BTreeSet<_>>().len(),
                n,
                "no duplicates"
            );
        } else {
            assert!(truth.is_empty(), "mailbox {} has messages", m.id);
        }
        minimum += (truth.len() as u64).div_ceil(u64::from(per_page)).max(1);
        total_records += truth.len() as u64;
        busiest = busiest.max(truth.len());
    }
    assert!(
        busiest > 2 * per_page as usize,
        "a busy mailbox pages: {busiest}"
    );
    assert_eq!(s.records, total_records);
    let light = requests(&c, RateGroup::Light);
    eprintln!(
        "message store: {} mailboxes ({} without store), {} records, {} pages, Light requests {light} (minimum {minimum}); extension list: {medium} Medium requests",
        s.mailboxes_total, s.mailboxes_without_store, s.records, s.pages
    );
    assert_eq!(light, minimum, "{s:?}");
    assert_eq!(sim_requests(&h, "Light"), minimum);
    assert_eq!(s.pages, minimum);
    assert_eq!(c.stats().total_429(), 0);

    // A re-run of the settled range asks nothing.
    let again = client(&h.base_url(), CLIENT_SECRET, JWT);
    let s = extract_message_store(&again, &opts, &list.extensions, &wanted, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        (s.mailboxes_skipped, s.mailboxes_fetched),
        (s.mailboxes_total, 0)
    );
    assert_eq!(s.complete_days.len(), wanted.len());
    assert_eq!(again.stats().total_requests(), 0);
    assert_eq!(sim_requests(&h, "Light"), minimum);
    h.shutdown().await;
}

#[tokio::test]
async fn a_rerun_of_a_recent_range_refetches_only_the_unsettled_days_in_one_request_per_mailbox() {
    let now = Utc::now();
    let today = now.date_naive();
    let first = today - Days::new(6);
    let h = serve(config(day_window(first - Days::new(2), Tz::UTC).0, now)).await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"));
    let wanted = days(first, today);
    let exts = mailboxes(&h);

    let c = client(&h.base_url(), CLIENT_SECRET, JWT);
    let s = extract_message_store(&c, &opts, &exts, &wanted, &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.mailboxes_fetched + s.mailboxes_without_store, exts.len());
    // perPage=1000: one page per thousand messages of a mailbox's window (a busy mailbox,
    // such as a department's, may hold more than a thousand in the week), never fewer
    // than one.
    let whole = (day_window(first, Tz::UTC).0, day_window(today, Tz::UTC).1);
    let pages: u64 = exts
        .iter()
        .map(|m| {
            (h.truth().messages_in(m.id, whole.0, whole.1).count() as u64)
                .div_ceil(1000)
                .max(1)
        })
        .sum();
    assert_eq!(requests(&c, RateGroup::Light), pages);

    // Look-back 2 days: the days that ended at least 2 days before the first run's
    // fetch are settled; the last three are not.
    let c = client(&h.base_url(), CLIENT_SECRET, JWT);
    let s = extract_message_store(&c, &opts, &exts, &wanted, &NoProgress)
        .await
        .unwrap();
    assert!(s.failed_mailboxes.is_empty(), "{s:?}");
    assert_eq!(s.mailboxes_skipped, 0);
    assert_eq!(s.mailboxes_fetched + s.mailboxes_without_store, exts.len());
    let light = requests(&c, RateGroup::Light);
    eprintln!(
        "recent re-run: {} mailboxes, Light requests {light}",
        exts.len()
    );
    assert_eq!(light, exts.len() as u64, "one request per mailbox");
    assert_eq!(s.complete_days, wanted.iter().copied().collect());
    let unsettled_first = today - Days::new(2);
    let span = format!("{unsettled_first}_{today}");
    let spans: Vec<String> = std::fs::read_dir(raw.join("message-store"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(spans, [format!("{first}_{today}"), span.clone()]);
    let window = (
        day_window(unsettled_first, Tz::UTC).0,
        day_window(today, Tz::UTC).1,
    );
    let mut refetched = 0;
    for m in &exts {
        let truth = truth_message_ids(&h, m.id, window);
        if raw
            .join("message-store")
            .join(&span)
            .join(m.id.to_string())
            .exists()
        {
            let mut got = raw_message_ids(&raw, &span, m.id);
            got.sort_unstable();
            assert_eq!(got, truth, "mailbox {}", m.id);
            refetched += got.len();
        }
    }
    assert!(refetched > 0, "the recent days have messages");
    h.shutdown().await;
}

#[tokio::test]
async fn active_calls_snapshot_lands_in_the_contract_dir_with_the_truth_ids() {
    let now = Utc::now();
    let h = serve(config(now - chrono::Duration::days(2), now)).await;
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let tz: Tz = chrono_tz::Asia::Tokyo;
    let opts = ExtractOptions::new(&raw, tmp.path().join("state"))
        .with_time_zone(tz)
        .with_per_page(2);
    let c = client(&h.base_url(), CLIENT_SECRET, JWT);
    let s = snapshot_active_calls(&c, &opts, &NoProgress).await.unwrap();

    let date = s.taken_at.with_timezone(&tz).date_naive();
    let expected_dir = raw
        .join("active-calls")
        .join(date.format("%Y-%m-%d").to_string())
        .join(s.taken_at.format("%Y%m%dT%H%M%S%.3fZ").to_string());
    assert_eq!(s.dir, expected_dir);
    assert!(s.taken_at <= Utc::now() && s.taken_at >= now - chrono::Duration::seconds(60));
    let ids: Vec<String> = read_record_ids(&s.dir)
        .iter()
        .map(|v| v.as_str().expect("call-log id is a string").to_owned())
        .collect();
    let truth: BTreeSet<String> = h.truth().active_calls.iter().cloned().collect();
    assert!(!truth.is_empty(), "the simulator has calls in progress");
    assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), truth);
    assert_eq!(ids.len(), truth.len());
    assert_eq!(s.records, truth.len() as u64);
    let heavy = requests(&c, RateGroup::Heavy);
    eprintln!(
        "active calls: {} calls, {} pages at perPage=2, Heavy requests {heavy}",
        s.records, s.pages
    );
    assert_eq!(heavy, u64::from(s.pages));
    assert_eq!(u64::from(s.pages), (truth.len() as u64).div_ceil(2).max(1));

    // A second snapshot is another directory beside the first.
    let second = snapshot_active_calls(&c, &opts, &NoProgress).await.unwrap();
    assert_ne!(second.dir, s.dir);
    assert!(s.dir.exists() && second.dir.exists());
    h.shutdown().await;
}
