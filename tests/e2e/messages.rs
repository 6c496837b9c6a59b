//! The message store and the extension list, end to end: the lake's `messages`,
//! `message_recipients`, `message_attachments` and `extensions` equal what the simulator
//! holds, ids compared exactly (conversation ids exceed 2^53), with the fewest requests the
//! paging allows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Int32Type, Int64Type, TimestampMillisecondType};
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig, Truth, TruthMessage};

use crate::support::*;

const MESSAGE_TABLES: &[&str] = &[
    "messages",
    "message_recipients",
    "message_attachments",
    "extensions",
];

/// Several weeks, many mailboxes; a few of them busy enough to need several 1000-record pages.
fn account(seed: u64) -> SimConfig {
    SimConfig::new()
        .with_seed(seed)
        .with_extensions(40)
        .with_calls_per_day(50)
        .with_messages_per_extension_per_day(5)
        .with_data_range(utc("2026-01-20"), utc("2026-03-10"))
        .with_limits(RateLimits::scaled(1))
}

/// One message as the lake holds it.
#[derive(Debug, Clone, PartialEq)]
struct LakeMessage {
    date: NaiveDate,
    conversation_id: Option<i64>,
    r#type: String,
    direction: String,
    availability: String,
    read_status: String,
    message_status: String,
    creation_ms: i64,
    last_modified_ms: i64,
    attachment_count: i32,
}

type Key = (i64, i64); // (mailbox_extension_id, id)

#[derive(Debug, Default)]
struct LakeMessages {
    messages: BTreeMap<Key, LakeMessage>,
    rows: usize,
    recipients: BTreeMap<Key, Vec<i32>>,
    attachments: BTreeMap<Key, Vec<i64>>,
}

fn i64_col<'a>(
    b: &'a arrow::array::RecordBatch,
    name: &str,
) -> &'a arrow::array::PrimitiveArray<Int64Type> {
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_primitive::<Int64Type>()
}

fn str_col(b: &arrow::array::RecordBatch, name: &str, i: usize) -> String {
    let a = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_string::<i32>();
    if a.is_valid(i) {
        a.value(i).to_string()
    } else {
        String::new()
    }
}

fn read_messages(lake: &Path) -> LakeMessages {
    let mut out = LakeMessages::default();
    for (date, files) in partition_files(lake, "messages") {
        for f in files {
            for b in read_parquet(&f) {
                let (id, mailbox, conv) = (
                    i64_col(&b, "id"),
                    i64_col(&b, "mailbox_extension_id"),
                    i64_col(&b, "conversation_id"),
                );
                let ts = |name: &str| {
                    b.column_by_name(name)
                        .unwrap()
                        .as_primitive::<TimestampMillisecondType>()
                        .clone()
                };
                let (created, modified) = (ts("creation_time"), ts("last_modified_time"));
                let attachments = b
                    .column_by_name("attachment_count")
                    .unwrap()
                    .as_primitive::<Int32Type>();
                for i in 0..b.num_rows() {
                    out.rows += 1;
                    out.messages.insert(
                        (mailbox.value(i), id.value(i)),
                        LakeMessage {
                            date,
                            conversation_id: conv.is_valid(i).then(|| conv.value(i)),
                            r#type: str_col(&b, "type", i),
                            direction: str_col(&b, "direction", i),
                            availability: str_col(&b, "availability", i),
                            read_status: str_col(&b, "read_status", i),
                            message_status: str_col(&b, "message_status", i),
                            creation_ms: created.value(i),
                            last_modified_ms: modified.value(i),
                            attachment_count: attachments.value(i),
                        },
                    );
                }
            }
        }
    }
    for (_, files) in partition_files(lake, "message_recipients") {
        for f in files {
            for b in read_parquet(&f) {
                let (mailbox, id) = (
                    i64_col(&b, "mailbox_extension_id"),
                    i64_col(&b, "message_id"),
                );
                let index = b
                    .column_by_name("recipient_index")
                    .unwrap()
                    .as_primitive::<Int32Type>();
                for i in 0..b.num_rows() {
                    out.recipients
                        .entry((mailbox.value(i), id.value(i)))
                        .or_default()
                        .push(index.value(i));
                }
            }
        }
    }
    for (_, files) in partition_files(lake, "message_attachments") {
        for f in files {
            for b in read_parquet(&f) {
                let (mailbox, id, att) = (
                    i64_col(&b, "mailbox_extension_id"),
                    i64_col(&b, "message_id"),
                    i64_col(&b, "attachment_id"),
                );
                for i in 0..b.num_rows() {
                    out.attachments
                        .entry((mailbox.value(i), id.value(i)))
                        .or_default()
                        .push(att.value(i));
                }
            }
        }
    }
    out
}

/// The truth's messages of every mailbox created within the days `from..=to` in `tz`.
fn truth_messages(truth: &Truth, from: NaiveDate, to: NaiveDate, tz: Tz) -> Vec<&TruthMessage> {
    let (start, end) = days_window(from, to, tz);
    truth
        .messages
        .iter()
        .filter(|m| (start..end).contains(&m.creation_time))
        .collect()
}

pub(crate) fn assert_messages_equal_truth(
    lake: &Path,
    truth: &Truth,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) {
    let want = truth_messages(truth, from, to, tz);
    let got = read_messages(lake);
    let want_keys: BTreeSet<Key> = want
        .iter()
        .map(|m| (m.mailbox_extension_id, m.id))
        .collect();
    let got_keys: BTreeSet<Key> = got.messages.keys().copied().collect();
    let missing: Vec<_> = want_keys.difference(&got_keys).take(5).collect();
    let extra: Vec<_> = got_keys.difference(&want_keys).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "messages differ: {} in the truth, {} in the lake; missing {missing:?}, extra {extra:?}",
        want_keys.len(),
        got_keys.len()
    );
    assert_eq!(got.rows, want.len(), "duplicate message rows");
    for m in &want {
        let key = (m.mailbox_extension_id, m.id);
        let l = &got.messages[&key];
        let expect = LakeMessage {
            date: m.creation_time.with_timezone(&tz).date_naive(),
            conversation_id: m.conversation_id,
            r#type: m.r#type.clone(),
            direction: m.direction.clone(),
            availability: m.availability.clone(),
            read_status: m.read_status.clone(),
            message_status: m.message_status.clone(),
            creation_ms: m.creation_time.timestamp_millis(),
            last_modified_ms: m.last_modified_time.timestamp_millis(),
            attachment_count: m.attachment_ids.len() as i32,
        };
        assert_eq!(l, &expect, "message {key:?}");
        let recipients = got.recipients.get(&key).cloned().unwrap_or_default();
        assert_eq!(
            recipients,
            (0..m.recipient_count as i32).collect::<Vec<_>>(),
            "recipients of {key:?}"
        );
        assert_eq!(
            got.attachments.get(&key).cloned().unwrap_or_default(),
            m.attachment_ids,
            "attachments of {key:?}"
        );
    }
    // The lake holds nothing of other days or other messages.
    assert_eq!(
        got.recipients.values().map(Vec::len).sum::<usize>(),
        want.iter().map(|m| m.recipient_count).sum::<usize>()
    );
    for table in ["messages", "message_recipients", "message_attachments"] {
        for date in partition_files(lake, table).keys() {
            assert!(
                (from..=to).contains(date),
                "{table} has a partition {date} outside {from}..{to}"
            );
        }
    }
}

/// The fewest message-store requests the paging allows: one per mailbox whose messages fit
/// one page, more for busy ones. `mailboxes`: the extensions whose store is read.
fn minimum_message_requests(
    truth: &Truth,
    mailboxes: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
    per_page: usize,
) -> u64 {
    let (start, end) = days_window(from, to, tz);
    mailboxes
        .iter()
        .map(|&m| {
            // The window of the request: a message exactly at its end may come too when the
            // server's dateTo is inclusive; this simulator's is exclusive.
            let n = truth.messages_in(m, start, end).count();
            n.div_ceil(per_page).max(1) as u64
        })
        .sum()
}

/// The extensions whose store is read: every type the simulator has (users, call queues, the
/// IVR menu, the fax user). ringlake skips only types that cannot have a mailbox (paging-only
/// groups, park locations, announcements, pickup groups), and the simulator makes none.
fn mailboxes(truth: &Truth) -> Vec<i64> {
    truth.extensions.iter().map(|e| e.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_store_lake_equals_truth_with_fewest_requests() {
    let sim = start_sim(account(31)).await;
    let truth = sim.truth();
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let (from, to) = (day("2026-01-26"), day("2026-03-06"));
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    let out = run_days(
        &sim,
        "2026-01-26",
        "2026-03-06",
        &lake,
        &[
            "--time-zone",
            "Europe/Berlin",
            "--streams",
            "message-store,extensions",
        ],
    )
    .await;
    assert_success(&out);
    let summary = text(&out.stdout);

    // What the test checks is there to check: deleted and purged messages, ids above 2^53,
    // busy mailboxes that need several pages.
    let want = truth_messages(&truth, from, to, tz);
    for availability in ["Alive", "Deleted", "Purged"] {
        assert!(
            want.iter().any(|m| m.availability == availability),
            "no {availability} message in the truth"
        );
    }
    assert!(
        want.iter()
            .any(|m| m.conversation_id.is_some_and(|c| c > 1 << 53))
    );
    assert_messages_equal_truth(&lake, &truth, from, to, tz);

    // Requests: the extension list (Medium) and the message store (Light), no more than the
    // paging needs.
    let stats = sim.stats();
    let min_light = minimum_message_requests(&truth, &mailboxes(&truth), from, to, tz, 1000);
    let light = stats.requests_by_group.get("Light").copied().unwrap_or(0);
    let medium = stats.requests_by_group.get("Medium").copied().unwrap_or(0);
    println!(
        "message store: {light} Light requests (minimum {min_light}) for {} mailboxes, \
         {medium} Medium (extension list), {} messages",
        mailboxes(&truth).len(),
        want.len()
    );
    assert!(
        min_light > mailboxes(&truth).len() as u64,
        "some mailbox should need several pages"
    );
    assert_eq!(light, min_light, "message-store requests\n{summary}");
    assert_eq!(medium, 1, "one extension-list page\n{summary}");
    assert_eq!(
        stats.requests_by_group.get("Heavy").copied().unwrap_or(0),
        0
    );
    assert_eq!(stats.responses_429, 0);
    // The summary shows the requests made beside the minimum the truth implies.
    assert!(
        summary.contains(&format!("Light {min_light} (paging minimum {min_light})")),
        "{summary}"
    );
    assert!(summary.contains("Medium 1 (paging minimum 1)"), "{summary}");

    // The extension list: one snapshot row per extension, dated today.
    let snapshots = partition_files(&lake, "extensions");
    assert_eq!(snapshots.len(), 1, "one snapshot date");
    let ids: BTreeSet<i64> = snapshots
        .values()
        .flatten()
        .flat_map(|f| read_parquet(f))
        .flat_map(|b| i64_col(&b, "id").values().to_vec())
        .collect();
    let want_ids: BTreeSet<i64> = truth.extensions.iter().map(|e| e.id).collect();
    assert_eq!(ids, want_ids, "extension ids");

    // A second run of the same, long-settled range reads no message store at all and leaves
    // every message partition as it was.
    let before = lake_files(&lake, MESSAGE_TABLES);
    let out = run_days(
        &sim,
        "2026-01-26",
        "2026-03-06",
        &lake,
        &[
            "--time-zone",
            "Europe/Berlin",
            "--streams",
            "message-store,extensions",
        ],
    )
    .await;
    assert_success(&out);
    let stats = sim.stats();
    assert_eq!(
        stats.requests_by_group.get("Light").copied().unwrap_or(0),
        light,
        "a re-run of settled days fetched message-store pages again\n{}",
        text(&out.stdout)
    );
    assert!(
        before == lake_files(&lake, MESSAGE_TABLES),
        "partitions changed on a re-run"
    );
    sim.shutdown().await;
}
