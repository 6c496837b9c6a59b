//! The message store: per-extension SMS conversations, faxes, voicemails and pager
//! messages (docs/api.md §1.8, §3.4, §7), generated from the seed and rendered as the
//! REST message list sends them.
//!
//! Messages are few next to calls (thousands, not millions), so they are kept whole in
//! memory, sorted by `(mailbox, creationTime, id)`: one mailbox's date window is a slice.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::account::Account;
use crate::calls::EXTERNAL;
use crate::config::SimConfig;
use crate::pick::{digits, pick, pick_weighted, poisson};
use crate::render::{Urls, timestamp};
use crate::traffic::{HOME_TZ, HOUR_SHAPE, weekday_weight};
use crate::truth::TruthMessage;

/// Keeps the message stream independent of the call stream, so adding messages did not
/// change the calls generated for a seed.
const MESSAGE_SEED_SALT: u64 = 0x6d65_7373_6167_6573;

/// Deleted messages become `Purged` after about 5 days (docs/api.md §7).
const PURGE_AFTER_DAYS: i64 = 5;

const SMS_TEXTS: &[&str] = &[
    "Running 10 min late, start without me",
    "Can you call me back?",
    "Thanks! Got it.",
    "Invoice #4471 is attached to the email",
    "Meeting moved to 3pm",
    "ok",
    "Your appointment is confirmed for Tuesday 9:30",
    "上次的报价还有效吗？",
    "Bitte um Rückruf 🙏",
    "Is the office open on Saturday?",
    "Delivery arrived at the front desk",
    "👍",
];
const PAGER_TEXTS: &[&str] = &[
    "Customer on line 2 for you",
    "Lunch?",
    "Please pick up the Sales queue",
    "test 2",
    "Server room door is open",
];
const SMS_NAMES: &[&str] = &["Dana Whitfield", "ACME CORP", "Steven", "Globex Support"];

/// One message party (`from`, or one entry of `to`).
#[derive(Clone, Debug, Default)]
pub(crate) struct MsgParty {
    pub phone_number: Option<String>,
    pub extension_number: Option<String>,
    pub name: Option<String>,
    pub location: Option<&'static str>,
    /// Per-recipient status on outbound faxes.
    pub message_status: Option<&'static str>,
    pub fax_error_code: Option<&'static str>,
}

/// One `attachments[]` entry.
#[derive(Clone, Debug)]
pub(crate) struct Attachment {
    pub id: i64,
    pub kind: &'static str,
    pub content_type: &'static str,
    pub size: Option<u32>,
    pub vm_duration: Option<u32>,
}

/// One message of one extension's store.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    pub id: i64,
    /// The extension whose store holds it.
    pub mailbox: i64,
    pub kind: &'static str,
    pub direction: &'static str,
    pub availability: &'static str,
    pub read_status: &'static str,
    pub message_status: &'static str,
    pub priority: &'static str,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    pub from: Option<MsgParty>,
    pub to: Vec<MsgParty>,
    pub subject: Option<String>,
    pub attachments: Vec<Attachment>,
    pub conversation_id: Option<i64>,
    pub sms_delivery_time: Option<DateTime<Utc>>,
    pub sms_sending_attempts: Option<u32>,
    pub delivery_error_code: Option<&'static str>,
    pub fax_page_count: Option<u32>,
    pub fax_resolution: Option<&'static str>,
    pub cover_index: Option<u32>,
    pub vm_transcription_status: Option<&'static str>,
    pub pg_to_department: Option<bool>,
    /// Which unknown extra field the record carries, if any (0 = none).
    pub extra: u8,
}

#[cfg(test)]
impl Message {
    /// An inbound SMS with every optional field absent, for unit tests to adjust.
    pub(crate) fn test_sample() -> Self {
        let t = DateTime::<Utc>::UNIX_EPOCH;
        Self {
            id: 1_900_000_008,
            mailbox: 1,
            kind: "SMS",
            direction: "Inbound",
            availability: "Alive",
            read_status: "Read",
            message_status: "Received",
            priority: "Normal",
            created: t,
            last_modified: t,
            from: None,
            to: Vec::new(),
            subject: None,
            attachments: Vec::new(),
            conversation_id: None,
            sms_delivery_time: None,
            sms_sending_attempts: None,
            delivery_error_code: None,
            fax_page_count: None,
            fax_resolution: None,
            cover_index: None,
            vm_transcription_status: None,
            pg_to_department: None,
            extra: 0,
        }
    }
}

/// All message stores of the account.
#[derive(Clone, Debug, Default)]
pub(crate) struct MessageStore {
    /// Sorted by `(mailbox, created, id)`.
    pub messages: Vec<Message>,
    /// Message id → index in `messages`, for the by-id GET.
    by_id: HashMap<i64, usize>,
}

struct Conversation {
    id: i64,
    members: Vec<MsgParty>,
}

fn external_party(rng: &mut ChaCha8Rng) -> MsgParty {
    let (prefix, location, _) = *pick(rng, EXTERNAL);
    MsgParty {
        phone_number: Some(format!("{prefix}{}", digits(rng, 7))),
        name: rng
            .random_bool(0.4)
            .then(|| pick(rng, SMS_NAMES).to_string()),
        location: rng.random_bool(0.7).then_some(location),
        ..MsgParty::default()
    }
}

/// `conversationId` values exceed 2^53 (docs/api.md §3.4), so a double cannot hold them.
fn conversation_id(rng: &mut ChaCha8Rng) -> i64 {
    rng.random_range((1i64 << 53) + 1..=i64::MAX)
}

/// A creation time in `[from, to)` shaped by business hours and weekdays.
fn message_time(rng: &mut ChaCha8Rng, from: DateTime<Utc>, span_ms: i64) -> DateTime<Utc> {
    let mut t = from;
    for _ in 0..30 {
        t = from + Duration::milliseconds(rng.random_range(0..span_ms));
        let local = t.with_timezone(&HOME_TZ);
        let w =
            HOUR_SHAPE[local.hour() as usize % 24] / 8.0 * weekday_weight(local.weekday()) / 1.5;
        if rng.random::<f64>() < w {
            break;
        }
    }
    // Message times are whole seconds in the samples.
    t - Duration::milliseconds(i64::from(t.timestamp_subsec_millis()))
}

impl MessageStore {
    pub fn generate(cfg: &SimConfig, acc: &Account) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ MESSAGE_SEED_SALT);
        let (from, to) = (cfg.data_from, cfg.data_to);
        let span_ms = (to - from).num_milliseconds();
        if span_ms <= 0 || cfg.messages_per_extension_per_day == 0 {
            return Self::default();
        }
        let days = span_ms as f64 / 86_400_000.0;
        let per_day = f64::from(cfg.messages_per_extension_per_day);
        let mut all = Vec::new();
        let mut mailboxes: Vec<(usize, f64)> = Vec::new();
        for (k, &u) in acc.users.iter().enumerate() {
            // The main extension and two others are very busy (several 1000-record pages
            // a month); the rest are quiet, as in real accounts.
            let weight = match k {
                0 => 30.0,
                1 | 2 => 12.0,
                _ => 0.5,
            };
            mailboxes.push((u, weight));
        }
        mailboxes.push((acc.fax, 1.0));
        for (idx, weight) in mailboxes {
            let ext = &acc.extensions[idx];
            let is_fax = idx == acc.fax;
            let me = MsgParty {
                phone_number: ext.direct_number.clone(),
                name: Some(ext.name.clone()),
                ..MsgParty::default()
            };
            let me_internal = MsgParty {
                extension_number: ext.number.clone(),
                name: Some(ext.name.clone()),
                ..MsgParty::default()
            };
            let convs: Vec<Conversation> = (0..rng.random_range(3..12))
                .map(|_| {
                    let n = if rng.random_bool(0.2) {
                        rng.random_range(2..5)
                    } else {
                        1
                    };
                    Conversation {
                        id: conversation_id(&mut rng),
                        members: (0..n).map(|_| external_party(&mut rng)).collect(),
                    }
                })
                .collect();
            let n = poisson(&mut rng, per_day * weight * days);
            for _ in 0..n {
                let created = message_time(&mut rng, from, span_ms);
                let kind = if is_fax {
                    "Fax"
                } else {
                    *pick_weighted(
                        &mut rng,
                        &[("SMS", 60), ("VoiceMail", 20), ("Fax", 8), ("Pager", 12)],
                    )
                };
                let mut m = Message {
                    id: 0,
                    mailbox: ext.id,
                    kind,
                    direction: "Inbound",
                    availability: "Alive",
                    read_status: "Read",
                    message_status: "Received",
                    priority: if rng.random_bool(0.03) {
                        "High"
                    } else {
                        "Normal"
                    },
                    created,
                    last_modified: created + Duration::milliseconds(rng.random_range(5..900)),
                    from: None,
                    to: Vec::new(),
                    subject: None,
                    attachments: Vec::new(),
                    conversation_id: None,
                    sms_delivery_time: None,
                    sms_sending_attempts: None,
                    delivery_error_code: None,
                    fax_page_count: None,
                    fax_resolution: None,
                    cover_index: None,
                    vm_transcription_status: None,
                    pg_to_department: None,
                    extra: 0,
                };
                match kind {
                    "SMS" => {
                        let c = pick(&mut rng, &convs);
                        m.conversation_id = Some(c.id);
                        m.subject = Some(pick(&mut rng, SMS_TEXTS).to_string());
                        m.attachments
                            .push(attachment("Text", "text/plain", None, None));
                        if rng.random_bool(0.5) {
                            m.direction = "Outbound";
                            m.from = Some(me.clone());
                            m.to = c.members.clone();
                            m.message_status = *pick_weighted(
                                &mut rng,
                                &[
                                    ("Delivered", 85),
                                    ("Sent", 8),
                                    ("DeliveryFailed", 4),
                                    ("SendingFailed", 3),
                                ],
                            );
                            m.sms_sending_attempts = Some(1);
                            match m.message_status {
                                "Delivered" => {
                                    m.sms_delivery_time = Some(
                                        created
                                            + Duration::milliseconds(rng.random_range(800..6000)),
                                    );
                                }
                                "DeliveryFailed" | "SendingFailed" => {
                                    m.delivery_error_code = Some("SMS-UP-410");
                                }
                                _ => {}
                            }
                        } else {
                            let k = rng.random_range(0..c.members.len());
                            m.from = Some(c.members[k].clone());
                            m.to = std::iter::once(me.clone())
                                .chain(
                                    c.members
                                        .iter()
                                        .enumerate()
                                        .filter(|(j, _)| *j != k)
                                        .map(|(_, p)| p.clone()),
                                )
                                .collect();
                        }
                    }
                    "Fax" => {
                        let pages = rng.random_range(1..13u32);
                        m.fax_resolution = Some(if rng.random_bool(0.6) { "High" } else { "Low" });
                        let peer = external_party(&mut rng);
                        if rng.random_bool(0.55) {
                            m.subject = peer.phone_number.clone();
                            m.from = Some(peer);
                            // Some inbound faxes carry no `to` (docs/api.md §3.4).
                            if rng.random_bool(0.7) {
                                m.to = vec![me.clone()];
                            }
                            m.fax_page_count = Some(pages);
                        } else {
                            m.direction = "Outbound";
                            if rng.random_bool(0.7) {
                                m.from = Some(me.clone());
                            }
                            let failed = rng.random_bool(0.08);
                            m.message_status = if failed { "SendingFailed" } else { "Sent" };
                            m.to = vec![MsgParty {
                                message_status: Some(m.message_status),
                                fax_error_code: failed.then_some("LineBusy"),
                                ..peer
                            }];
                            // 0 for failed faxes (docs/api.md §3.4).
                            m.fax_page_count = Some(if failed { 0 } else { pages });
                            m.cover_index = Some(rng.random_range(0..14));
                            m.last_modified += Duration::seconds(rng.random_range(30..600));
                        }
                        let size = pages * rng.random_range(20_000..90_000);
                        m.attachments.push(attachment(
                            "RenderedDocument",
                            "application/pdf",
                            Some(size),
                            None,
                        ));
                    }
                    "VoiceMail" => {
                        let secs = rng.random_range(3..120u32);
                        let (ct, rate) = if rng.random_bool(0.7) {
                            ("audio/x-wav", 16_000)
                        } else {
                            ("audio/mpeg", 2_000)
                        };
                        m.from = Some(if rng.random_bool(0.25) {
                            let other = &acc.extensions[*pick(&mut rng, &acc.users)];
                            MsgParty {
                                extension_number: other.number.clone(),
                                name: Some(other.name.clone()),
                                ..MsgParty::default()
                            }
                        } else {
                            external_party(&mut rng)
                        });
                        m.to = vec![MsgParty {
                            name: Some(ext.name.clone()),
                            ..MsgParty::default()
                        }];
                        m.attachments.push(attachment(
                            "AudioRecording",
                            ct,
                            Some(secs * rate),
                            Some(secs),
                        ));
                        let status = *pick_weighted(
                            &mut rng,
                            &[
                                ("NotAvailable", 40),
                                ("Completed", 40),
                                ("CompletedPartially", 6),
                                ("Failed", 6),
                                ("InProgress", 4),
                                ("TimedOut", 4),
                            ],
                        );
                        m.vm_transcription_status = Some(status);
                        if matches!(status, "Completed" | "CompletedPartially") {
                            m.attachments.push(attachment(
                                "AudioTranscription",
                                "text/plain",
                                Some(secs * 12),
                                None,
                            ));
                            m.last_modified += Duration::seconds(rng.random_range(20..240));
                        }
                        if rng.random_bool(0.4) {
                            m.read_status = "Unread";
                        }
                    }
                    _ => {
                        // Pager: internal, extension numbers only.
                        m.subject = Some(pick(&mut rng, PAGER_TEXTS).to_string());
                        m.attachments
                            .push(attachment("Text", "text/plain", None, None));
                        let other = &acc.extensions[*pick(&mut rng, &acc.users)];
                        let other = MsgParty {
                            extension_number: other.number.clone(),
                            name: Some(other.name.clone()),
                            ..MsgParty::default()
                        };
                        let to_dept = !acc.queues.is_empty() && rng.random_bool(0.15);
                        m.pg_to_department = Some(to_dept);
                        m.conversation_id = Some(conversation_id(&mut rng));
                        m.message_status = "Sent";
                        if rng.random_bool(0.5) {
                            m.direction = "Outbound";
                            m.from = Some(me_internal.clone());
                            m.to = if to_dept {
                                let q = &acc.extensions[pick(&mut rng, &acc.queues).0];
                                vec![MsgParty {
                                    extension_number: q.number.clone(),
                                    name: Some(q.name.clone()),
                                    ..MsgParty::default()
                                }]
                            } else {
                                vec![other]
                            };
                        } else {
                            m.from = Some(other);
                            m.to = vec![me_internal.clone()];
                        }
                    }
                }
                if m.direction == "Inbound" && m.read_status == "Read" && rng.random_bool(0.15) {
                    m.read_status = "Unread";
                }
                if m.read_status == "Read" && m.direction == "Inbound" {
                    // Reading a message modifies it.
                    m.last_modified += Duration::minutes(rng.random_range(1..600));
                }
                let old = created < to - Duration::days(2 * PURGE_AFTER_DAYS);
                m.availability = if old {
                    *pick_weighted(&mut rng, &[("Alive", 88), ("Deleted", 4), ("Purged", 8)])
                } else {
                    *pick_weighted(&mut rng, &[("Alive", 93), ("Deleted", 7)])
                };
                match m.availability {
                    "Deleted" => m.last_modified += Duration::hours(rng.random_range(1..96)),
                    "Purged" => {
                        // Purged messages lose their attachments (docs/api.md §7).
                        m.attachments.clear();
                        m.last_modified += Duration::days(PURGE_AFTER_DAYS)
                            + Duration::hours(rng.random_range(1..48));
                    }
                    _ => {}
                }
                if rng.random_bool(0.02) {
                    m.extra = rng.random_range(1..3);
                }
                all.push(m);
            }
        }
        // Ids grow with creation time like the real ones; the first attachment shares the
        // message id (docs/api.md §3.4), further attachments get their own.
        all.sort_by_key(|m| m.created);
        let mut next = 1_900_000_000i64;
        for m in &mut all {
            next += rng.random_range(1..500);
            m.id = next * 1000 + 8;
            for (k, a) in m.attachments.iter_mut().enumerate() {
                if k == 0 {
                    a.id = m.id;
                } else {
                    next += 1;
                    a.id = next * 1000 + 8;
                }
            }
        }
        all.sort_by_key(|m| (m.mailbox, m.created, m.id));
        let by_id = all.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        Self {
            messages: all,
            by_id,
        }
    }

    /// The message `id` of `mailbox`'s store; another mailbox's message is not found.
    pub fn get(&self, mailbox: i64, id: i64) -> Option<&Message> {
        let m = self.messages.get(*self.by_id.get(&id)?)?;
        (m.mailbox == mailbox).then_some(m)
    }

    /// Indices of all of `mailbox`'s messages.
    pub fn mailbox(&self, mailbox: i64) -> Range<usize> {
        let ms = &self.messages;
        let lo = ms.partition_point(|m| m.mailbox < mailbox);
        let hi = ms.partition_point(|m| m.mailbox <= mailbox);
        lo..hi.max(lo)
    }

    /// Indices of `mailbox`'s messages with `from <= creationTime < to` (`<= to` when
    /// inclusive), oldest first.
    pub fn window(
        &self,
        mailbox: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        inclusive: bool,
    ) -> Range<usize> {
        let ms = &self.messages;
        let lo = ms.partition_point(|m| (m.mailbox, m.created) < (mailbox, from));
        let hi = if inclusive {
            ms.partition_point(|m| (m.mailbox, m.created) <= (mailbox, to))
        } else {
            ms.partition_point(|m| (m.mailbox, m.created) < (mailbox, to))
        };
        lo..hi.max(lo)
    }

    pub fn truth(&self) -> Vec<TruthMessage> {
        self.messages
            .iter()
            .map(|m| TruthMessage {
                id: m.id,
                mailbox_extension_id: m.mailbox,
                conversation_id: m.conversation_id,
                r#type: m.kind.to_string(),
                direction: m.direction.to_string(),
                availability: m.availability.to_string(),
                read_status: m.read_status.to_string(),
                message_status: m.message_status.to_string(),
                creation_time: m.created,
                last_modified_time: m.last_modified,
                recipient_count: m.to.len(),
                attachment_ids: m.attachments.iter().map(|a| a.id).collect(),
            })
            .collect()
    }
}

fn attachment(
    kind: &'static str,
    content_type: &'static str,
    size: Option<u32>,
    vm_duration: Option<u32>,
) -> Attachment {
    Attachment {
        id: 0,
        kind,
        content_type,
        size,
        vm_duration,
    }
}

fn party(p: &MsgParty) -> Value {
    let mut o = Map::new();
    if let Some(v) = &p.phone_number {
        o.insert("phoneNumber".into(), json!(v));
    }
    if let Some(v) = &p.extension_number {
        o.insert("extensionNumber".into(), json!(v));
    }
    if let Some(v) = &p.name {
        o.insert("name".into(), json!(v));
    }
    if let Some(v) = p.location {
        o.insert("location".into(), json!(v));
    }
    if let Some(v) = p.message_status {
        o.insert("messageStatus".into(), json!(v));
    }
    if let Some(v) = p.fax_error_code {
        o.insert("faxErrorCode".into(), json!(v));
    }
    Value::Object(o)
}

/// The JSON of one message as the list sends it (docs/api.md §3.4): ids as JSON integers,
/// absent fields omitted.
pub(crate) fn render(urls: &Urls, m: &Message) -> Value {
    let item = format!("{}/message-store/{}", urls.extension(m.mailbox), m.id);
    let mut o = Map::new();
    o.insert("uri".into(), json!(item));
    o.insert("id".into(), json!(m.id));
    if !m.to.is_empty() {
        o.insert("to".into(), m.to.iter().map(party).collect());
    }
    if let Some(f) = &m.from {
        o.insert("from".into(), party(f));
    }
    o.insert("type".into(), json!(m.kind));
    o.insert("creationTime".into(), json!(timestamp(m.created)));
    o.insert("readStatus".into(), json!(m.read_status));
    o.insert("priority".into(), json!(m.priority));
    if !m.attachments.is_empty() {
        let atts: Vec<Value> = m
            .attachments
            .iter()
            .map(|a| {
                let mut v = json!({
                    "id": a.id,
                    "uri": format!("{item}/content/{}", a.id),
                    "type": a.kind,
                    "contentType": a.content_type,
                });
                if let Some(o) = v.as_object_mut() {
                    if let Some(s) = a.size {
                        o.insert("size".into(), json!(s));
                    }
                    if let Some(d) = a.vm_duration {
                        o.insert("vmDuration".into(), json!(d));
                    }
                }
                v
            })
            .collect();
        o.insert("attachments".into(), Value::Array(atts));
    }
    o.insert("direction".into(), json!(m.direction));
    o.insert("availability".into(), json!(m.availability));
    if let Some(s) = &m.subject {
        o.insert("subject".into(), json!(s));
    }
    o.insert("messageStatus".into(), json!(m.message_status));
    if let Some(t) = m.sms_delivery_time {
        o.insert("smsDeliveryTime".into(), json!(timestamp(t)));
    }
    if let Some(n) = m.sms_sending_attempts {
        o.insert("smsSendingAttemptsCount".into(), json!(n));
    }
    if let Some(c) = m.delivery_error_code {
        o.insert("deliveryErrorCode".into(), json!(c));
    }
    if let Some(n) = m.fax_page_count {
        o.insert("faxPageCount".into(), json!(n));
    }
    if let Some(r) = m.fax_resolution {
        o.insert("faxResolution".into(), json!(r));
    }
    if let Some(c) = m.cover_index {
        o.insert("coverIndex".into(), json!(c));
    }
    if let Some(s) = m.vm_transcription_status {
        o.insert("vmTranscriptionStatus".into(), json!(s));
    }
    if let Some(b) = m.pg_to_department {
        o.insert("pgToDepartment".into(), json!(b));
    }
    if let Some(c) = m.conversation_id {
        o.insert("conversationId".into(), json!(c));
        o.insert(
            "conversation".into(),
            json!({
                "id": c.to_string(),
                "uri": format!("{}/restapi/v1.0/conversation/{c}", urls.base),
            }),
        );
    }
    o.insert("lastModifiedTime".into(), json!(timestamp(m.last_modified)));
    match m.extra {
        1 => {
            o.insert("smsRetentionTag".into(), json!("Default"));
        }
        2 => {
            o.insert("newMessageFeature".into(), json!({"x": 1}));
        }
        _ => {}
    }
    Value::Object(o)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn store() -> (SimConfig, MessageStore) {
        let from = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
        let cfg = SimConfig::new()
            .with_extensions(20)
            .with_data_range(from, from + Duration::days(31));
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let acc = Account::generate(&mut rng, cfg.account_id, cfg.extensions);
        let s = MessageStore::generate(&cfg, &acc);
        (cfg, s)
    }

    #[test]
    fn mix_and_invariants() {
        let (cfg, s) = store();
        let ms = &s.messages;
        assert!(ms.len() > 2000, "{}", ms.len());
        for k in ["SMS", "Fax", "VoiceMail", "Pager"] {
            assert!(ms.iter().any(|m| m.kind == k), "{k}");
        }
        for a in ["Alive", "Deleted", "Purged"] {
            assert!(ms.iter().any(|m| m.availability == a), "{a}");
        }
        let mut ids: Vec<i64> = ms.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ms.len());
        assert!(
            ms.iter()
                .all(|m| m.created >= cfg.data_from && m.created < cfg.data_to)
        );
        assert!(
            ms.iter()
                .filter(|m| m.availability == "Purged")
                .all(|m| m.attachments.is_empty())
        );
        assert!(
            ms.iter()
                .filter_map(|m| m.conversation_id)
                .all(|c| c > 1 << 53)
        );
        assert!(ms.iter().any(|m| m.kind == "SMS" && m.to.len() > 1));
        assert!(ms.iter().any(|m| m.attachments.len() == 2));
        assert!(ms.iter().all(|m| m.last_modified >= m.created));
        // The main extension needs several pages of 1000 over a month.
        let main = ms.iter().filter(|m| m.mailbox == cfg.account_id).count();
        assert!(main > 2000, "{main}");
    }

    #[test]
    fn deterministic() {
        let (_, a) = store();
        let (_, b) = store();
        assert_eq!(a.truth().len(), b.truth().len());
        assert!(
            a.messages
                .iter()
                .zip(&b.messages)
                .all(|(x, y)| x.id == y.id && x.created == y.created)
        );
    }
}
