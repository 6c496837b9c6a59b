//! Message-store pages → the `messages`, `message_recipients` and `message_attachments`
//! tables (docs/api.md §1.8, §1.9, §3.4).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono_tz::Tz;
use ringlake_model::{MessageAttachmentInfo, MessageRecord, MessageStoreCallerInfoTo};

use ringlake_contracts::Stream as StreamId;

use crate::columns::{BatchBuilder, Column, Getter, RowKind, extra_json, json_text};
use crate::columns::{extra_json_column, table_schema};
use crate::error::Result;
use crate::layout::{mailbox_of_page, mailbox_of_uri};
use crate::output::{TransformOptions, TransformOutput};
use crate::run::gather;
use crate::schema::tables;
use crate::stream::{
    ChildRows, Keyed, PageBuilder, PageRows, PageShapes, Read, Stream, partition_day,
};

/// Reads message-store pages into the `messages`, `message_recipients` and
/// `message_attachments` tables, split by partition day (`creationTime` in
/// [`TransformOptions::time_zone`]; children follow their message).
///
/// A page is a message list or message-sync envelope (`{records: […]}`), a single message
/// (`message-store/{id}`), or a bulk array `[{resourceId, status, body}]` whose items with
/// a status other than 200 are skipped and counted
/// ([`crate::TransformStats::bulk_items_skipped`]); an item that is not a bulk item (or a
/// 200 without a body) is a dead letter, like an unreadable record.
///
/// Each message belongs to a mailbox (the extension whose store it was read from): the
/// page's parent directory when its name is an extension id
/// (`…/message-store/<FROM>_<TO>/<MAILBOX>/page-…`), otherwise the record's `uri`
/// (`…/extension/<id>/message-store/<msgid>`); when neither tells, the record is a dead
/// letter. So is a record without `id` or `creationTime` — except the message-sync records
/// of deleted or purged messages, which carry only `id` and `availability` (docs/api.md
/// §1.9): they cannot be partitioned and are counted as dropped
/// ([`crate::TransformStats::deleted_stubs_dropped`]), not dead-lettered.
///
/// Duplicates of (mailbox, id) keep the newest `lastModifiedTime` (ties: the later page by
/// path, then the later position). Rows are sorted by (mailbox, id[, index]).
pub fn transform_messages(pages: &[PathBuf], opts: &TransformOptions) -> Result<TransformOutput> {
    gather(&Messages, pages, opts)
}

/// A readable message and the mailbox it was read from.
pub(crate) struct MessageItem {
    mailbox: i64,
    id: i64,
    creation_time: i64,
    rec: MessageRecord,
}

impl Keyed for MessageItem {
    type Key = (i64, i64);
    fn key(&self) -> (i64, i64) {
        (self.mailbox, self.id)
    }
    fn last_modified(&self) -> Option<i64> {
        self.rec.last_modified_time
    }
}

pub(crate) struct Messages;

impl Stream for Messages {
    type Item = MessageItem;
    type Builder = MessageRows;
    /// The mailbox named by the page's directory, if it names one.
    type PageContext = Option<i64>;
    const STREAM: StreamId = StreamId::MessageStore;
    const SHAPES: PageShapes = PageShapes::ListItemOrBulk;

    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)> {
        vec![
            (tables::MESSAGES, &MESSAGES_SCHEMA),
            (tables::MESSAGE_RECIPIENTS, &MESSAGE_RECIPIENTS_SCHEMA),
            (tables::MESSAGE_ATTACHMENTS, &MESSAGE_ATTACHMENTS_SCHEMA),
        ]
    }

    fn page_builder(&self, records: usize) -> Result<MessageRows, ArrowError> {
        MessageRows::new(records)
    }

    fn page_context(&self, path: &Path) -> Result<Option<i64>> {
        Ok(mailbox_of_page(path))
    }

    fn read(&self, raw: &str, mailbox: &Option<i64>, tz: Tz) -> Read<MessageItem> {
        let rec: MessageRecord = match serde_json::from_str(raw) {
            Ok(rec) => rec,
            Err(e) => return Read::Dead(e.to_string()),
        };
        let Some(id) = rec.id else {
            return Read::Dead("message has no id".into());
        };
        let Some(creation_time) = rec.creation_time else {
            // A sync stub of a deleted/purged message (docs/api.md §1.9).
            return if matches!(rec.availability.as_deref(), Some("Deleted" | "Purged")) {
                Read::DeletedStub
            } else {
                Read::Dead(format!(
                    "message {id} has no creationTime, so it has no partition day"
                ))
            };
        };
        let Some(mailbox) = mailbox.or_else(|| rec.uri.as_deref().and_then(mailbox_of_uri)) else {
            return Read::Dead(format!(
                "cannot tell whose message store message {id} was read from: the page is not \
                 in a mailbox directory (<raw>/message-store/<FROM>_<TO>/<MAILBOX>/page-…) and \
                 its uri names no …/extension/<id>/message-store/…"
            ));
        };
        match partition_day(creation_time, tz, "creationTime") {
            Ok(day) => Read::Row(
                MessageItem {
                    mailbox,
                    id,
                    creation_time,
                    rec,
                },
                day,
            ),
            Err(reason) => Read::Dead(reason),
        }
    }
}

/// The rows of a page's messages in the three message tables.
pub(crate) struct MessageRows {
    messages: BatchBuilder,
    recipients: ChildRows,
    attachments: ChildRows,
}

impl MessageRows {
    fn new(messages: usize) -> Result<Self, ArrowError> {
        Ok(MessageRows {
            messages: BatchBuilder::new(&MESSAGES_SCHEMA, &MESSAGE_COLUMNS, messages)?,
            recipients: ChildRows::new(
                &MESSAGE_RECIPIENTS_SCHEMA,
                &RECIPIENT_COLUMNS,
                messages,
                messages,
            )?,
            attachments: ChildRows::new(
                &MESSAGE_ATTACHMENTS_SCHEMA,
                &ATTACHMENT_COLUMNS,
                messages,
                messages,
            )?,
        })
    }
}

impl PageBuilder<MessageItem> for MessageRows {
    fn append(&mut self, items: &[&MessageItem]) -> Result<(), ArrowError> {
        let messages: Vec<MessageRow<'_>> = items
            .iter()
            .map(|item| MessageRow {
                item,
                extra_json: extra_json(item.rec.unknown_fields()),
                vm_side_recipients_json: json_text(item.rec.vm_side_recipients.as_ref()),
            })
            .collect();
        let recipients: Vec<RecipientRow<'_>> = items
            .iter()
            .flat_map(|m| {
                m.rec.to.iter().enumerate().map(|(i, to)| RecipientRow {
                    mailbox: m.mailbox,
                    message_id: m.id,
                    index: index_i32(i),
                    to,
                    extra_json: extra_json(to.extra.clone()),
                })
            })
            .collect();
        let attachments: Vec<AttachmentRow<'_>> = items
            .iter()
            .flat_map(|m| {
                m.rec
                    .attachments
                    .iter()
                    .enumerate()
                    .map(|(i, att)| AttachmentRow {
                        mailbox: m.mailbox,
                        message_id: m.id,
                        index: index_i32(i),
                        att,
                        extra_json: extra_json(att.extra.clone()),
                    })
            })
            .collect();
        self.messages.append(&MESSAGE_COLUMNS, &messages)?;
        self.recipients.append(
            &RECIPIENT_COLUMNS,
            &recipients,
            items.iter().map(|m| m.rec.to.len()),
        )?;
        self.attachments.append(
            &ATTACHMENT_COLUMNS,
            &attachments,
            items.iter().map(|m| m.rec.attachments.len()),
        )
    }

    fn finish(self) -> Result<PageRows, ArrowError> {
        PageRows::new(self.messages, vec![self.recipients, self.attachments])
    }
}

fn index_i32(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// One `messages` row.
pub(crate) struct MessageRow<'a> {
    item: &'a MessageItem,
    extra_json: Option<String>,
    vm_side_recipients_json: Option<String>,
}

/// One `message_recipients` row.
pub(crate) struct RecipientRow<'a> {
    mailbox: i64,
    message_id: i64,
    index: i32,
    to: &'a MessageStoreCallerInfoTo,
    extra_json: Option<String>,
}

/// One `message_attachments` row.
pub(crate) struct AttachmentRow<'a> {
    mailbox: i64,
    message_id: i64,
    index: i32,
    att: &'a MessageAttachmentInfo,
    extra_json: Option<String>,
}

impl RowKind for MessageRow<'static> {
    type Row<'a> = MessageRow<'a>;
}
impl RowKind for RecipientRow<'static> {
    type Row<'a> = RecipientRow<'a>;
}
impl RowKind for AttachmentRow<'static> {
    type Row<'a> = AttachmentRow<'a>;
}

type MessageColumn = Column<MessageRow<'static>>;
type RecipientColumn = Column<RecipientRow<'static>>;
type AttachmentColumn = Column<AttachmentRow<'static>>;

/// A row that carries a `MessageStoreCallerInfoResponseTo`: a recipient, or a forwarded
/// message's original sender. Getters must not capture, so [`party_columns`] reaches the
/// party through this.
trait HasParty: RowKind {
    fn party<'r>(row: &'r Self::Row<'_>) -> Option<&'r MessageStoreCallerInfoTo>;
}

impl HasParty for MessageRow<'static> {
    fn party<'r>(row: &'r MessageRow<'_>) -> Option<&'r MessageStoreCallerInfoTo> {
        row.item.rec.forwarding.as_ref()?.original_sender.as_ref()
    }
}

impl HasParty for RecipientRow<'static> {
    fn party<'r>(row: &'r RecipientRow<'_>) -> Option<&'r MessageStoreCallerInfoTo> {
        Some(row.to)
    }
}

/// The party columns, shared by `message_recipients` (no name prefix, sources `to[].…`,
/// `whose` "Recipient's") and `messages.forwarding_original_sender_*`
/// (`forwarding.originalSender.…`, "Forwarded message, original sender's").
fn party_columns<K: HasParty>(
    name_prefix: &str,
    source_prefix: &str,
    whose: &str,
) -> Vec<Column<K>> {
    use Getter::*;
    let n = |column: &str| format!("{name_prefix}{column}");
    let s = |field: &str| format!("{source_prefix}{field}");
    let d = |what: &str| format!("{whose} {what}");
    vec![
        Column::<K>::row(
            n("phone_number"),
            true,
            Str(|r| K::party(r)?.phone_number.as_deref()),
        )
        .doc(
            s("phoneNumber"),
            d("phone number as the API gives it (usually E.164, `+1…`)."),
        ),
        Column::<K>::row(
            n("extension_number"),
            true,
            Str(|r| K::party(r)?.extension_number.as_deref()),
        )
        .doc(
            s("extensionNumber"),
            d("short extension number (internal parties)."),
        ),
        Column::<K>::row(
            n("extension_id"),
            true,
            Str(|r| K::party(r)?.extension_id.as_deref()),
        )
        .doc(s("extensionId"), d("extension id, as text.")),
        Column::<K>::row(n("name"), true, Str(|r| K::party(r)?.name.as_deref()))
            .doc(s("name"), d("name.")),
        Column::<K>::row(
            n("location"),
            true,
            Str(|r| K::party(r)?.location.as_deref()),
        )
        .doc(s("location"), d("city and state, derived from the number.")),
        Column::<K>::row(n("target"), true, Bool(|r| K::party(r)?.target)).doc(
            s("target"),
            d(
                "`target` flag: true when the message was sent to exactly this party (group \
               MMS, where one extension has several numbers).",
            ),
        ),
        Column::<K>::row(
            n("message_status"),
            true,
            Str(|r| K::party(r)?.message_status.as_deref()),
        )
        .doc(
            s("messageStatus"),
            d(
                "delivery status: `Queued`, `Sent`, `Delivered`, `DeliveryFailed`, \
               `SendingFailed` or `Received`.",
            ),
        ),
        Column::<K>::row(
            n("fax_error_code"),
            true,
            Str(|r| K::party(r)?.fax_error_code.as_deref()),
        )
        .doc(
            s("faxErrorCode"),
            d("fax error: why sending failed (`LineBusy`, `NoAnswer`, …: \
               `FaxErrorCodeEnum`)."),
        ),
        Column::<K>::row(
            n("recipient_id"),
            true,
            Str(|r| K::party(r)?.recipient_id.as_deref()),
        )
        .doc(s("recipientId"), d("id, as text.")),
    ]
}

/// `mailbox_extension_id`: not an API field; the mailbox a message was read from.
fn mailbox_column<K: RowKind>(get: Getter<K>, description: &str) -> Column<K> {
    Column::row("mailbox_extension_id", false, get).doc("(mailbox read)", description)
}

/// `messages`' columns.
pub(crate) static MESSAGE_COLUMNS: LazyLock<Vec<MessageColumn>> = LazyLock::new(|| {
    use Getter::*;
    fn count(n: usize) -> Option<i32> {
        Some(i32::try_from(n).unwrap_or(i32::MAX))
    }
    let mut cols: Vec<MessageColumn> = vec![
        mailbox_column(
            I64(|r| Some(r.item.mailbox)),
            "The extension whose message store the run read the message \
             from (the same message may sit in several mailboxes): joins to `extensions.id`.",
        ),
        MessageColumn::row("id", false, I64(|r| Some(r.item.id))).doc("id", "Message id."),
        MessageColumn::row("uri", true, Str(|r| r.item.rec.uri.as_deref()))
            .doc("uri", "Canonical API URL of the message."),
        MessageColumn::row(
            "extension_id",
            true,
            Str(|r| r.item.rec.extension_id.as_deref()),
        )
        .doc(
            "extensionId",
            "The extension the message belongs to, as the API gives it (text).",
        ),
        MessageColumn::row("conversation_id", true, I64(|r| r.item.rec.conversation_id)).doc(
            "conversationId",
            "SMS and Pager: the conversation (thread) id. Exact int64: values exceed 2^53, \
             so never read them through a double.",
        ),
        // `conversation.id`: the same id as text (exact even where docs round the number).
        MessageColumn::row(
            "conversation_id_string",
            true,
            Str(|r| r.item.rec.conversation.as_ref()?.id.as_deref()),
        )
        .doc("conversation.id", "The conversation id as text, exact."),
        MessageColumn::row(
            "conversation_uri",
            true,
            Str(|r| r.item.rec.conversation.as_ref()?.uri.as_deref()),
        )
        .doc(
            "conversation.uri",
            "API URL of the conversation (deprecated by the API).",
        ),
        MessageColumn::row("type", true, Str(|r| r.item.rec.r#type.as_deref()))
            .doc("type", "`SMS`, `Fax`, `VoiceMail`, `Pager` or `Text`."),
        MessageColumn::row("direction", true, Str(|r| r.item.rec.direction.as_deref()))
            .doc("direction", "`Inbound` or `Outbound`."),
        MessageColumn::row("creation_time", false, Ts(|r| Some(r.item.creation_time)))
            .doc("creationTime", "When the message was created, UTC."),
        MessageColumn::row(
            "last_modified_time",
            true,
            Ts(|r| r.item.rec.last_modified_time),
        )
        .doc(
            "lastModifiedTime",
            "When RingCentral last changed the message (read status, availability, …), UTC.",
        ),
        MessageColumn::row(
            "availability",
            true,
            Str(|r| r.item.rec.availability.as_deref()),
        )
        .doc(
            "availability",
            "`Alive`, `Deleted` (in the trash, restorable for about 5 days) or `Purged` \
             (content gone).",
        ),
        MessageColumn::row(
            "message_status",
            true,
            Str(|r| r.item.rec.message_status.as_deref()),
        )
        .doc(
            "messageStatus",
            "`Queued`, `Sent`, `Delivered`, `DeliveryFailed`, `SendingFailed` or `Received`.",
        ),
        MessageColumn::row(
            "read_status",
            true,
            Str(|r| r.item.rec.read_status.as_deref()),
        )
        .doc("readStatus", "`Read` or `Unread`."),
        MessageColumn::row("priority", true, Str(|r| r.item.rec.priority.as_deref()))
            .doc("priority", "`Normal` or `High`."),
        MessageColumn::row("subject", true, Str(|r| r.item.rec.subject.as_deref())).doc(
            "subject",
            "Subject. For SMS and Pager the message text; for an inbound fax often the \
             sender's number.",
        ),
        MessageColumn::row(
            "from_phone_number",
            true,
            Str(|r| r.item.rec.from.as_ref()?.phone_number.as_deref()),
        )
        .doc(
            "from.phoneNumber",
            "Sender's phone number as the API gives it (usually E.164, `+1…`).",
        ),
        MessageColumn::row(
            "from_name",
            true,
            Str(|r| r.item.rec.from.as_ref()?.name.as_deref()),
        )
        .doc(
            "from.name",
            "Sender's name: the extension's name, or caller-ID text for outside numbers.",
        ),
        MessageColumn::row(
            "from_extension_number",
            true,
            Str(|r| r.item.rec.from.as_ref()?.extension_number.as_deref()),
        )
        .doc(
            "from.extensionNumber",
            "Sender's short extension number (internal senders).",
        ),
        MessageColumn::row(
            "from_extension_id",
            true,
            Str(|r| r.item.rec.from.as_ref()?.extension_id.as_deref()),
        )
        .doc("from.extensionId", "Sender's extension id, as text."),
        MessageColumn::row(
            "from_location",
            true,
            Str(|r| r.item.rec.from.as_ref()?.location.as_deref()),
        )
        .doc(
            "from.location",
            "City and state derived from the sender's number.",
        ),
        MessageColumn::row(
            "recipient_count",
            false,
            I32(|r| count(r.item.rec.to.len())),
        )
        .doc(
            "(count of to[])",
            "Number of recipients: the message's rows in `message_recipients`.",
        ),
        MessageColumn::row(
            "attachment_count",
            false,
            I32(|r| count(r.item.rec.attachments.len())),
        )
        .doc(
            "(count of attachments[])",
            "Number of attachments: the message's rows in `message_attachments`.",
        ),
        MessageColumn::row(
            "sms_delivery_time",
            true,
            Ts(|r| r.item.rec.sms_delivery_time),
        )
        .doc(
            "smsDeliveryTime",
            "Outbound SMS: when the carrier reported delivery to the handset, UTC.",
        ),
        MessageColumn::row(
            "sms_sending_attempts_count",
            true,
            I32(|r| r.item.rec.sms_sending_attempts_count),
        )
        .doc(
            "smsSendingAttemptsCount",
            "Outbound SMS: attempts to hand the message to the gateway.",
        ),
        MessageColumn::row(
            "delivery_error_code",
            true,
            Str(|r| r.item.rec.delivery_error_code.as_deref()),
        )
        .doc(
            "deliveryErrorCode",
            "SMS: the gateway's delivery error code.",
        ),
        MessageColumn::row("segment_count", true, I32(|r| r.item.rec.segment_count))
            .doc("segmentCount", "SMS: size in segments."),
        MessageColumn::row("fax_page_count", true, I32(|r| r.item.rec.fax_page_count)).doc(
            "faxPageCount",
            "Fax: number of pages (0 for failed or queued faxes).",
        ),
        MessageColumn::row(
            "fax_resolution",
            true,
            Str(|r| r.item.rec.fax_resolution.as_deref()),
        )
        .doc("faxResolution", "Fax: `High` or `Low`."),
        MessageColumn::row("cover_index", true, I32(|r| r.item.rec.cover_index)).doc(
            "coverIndex",
            "Outbound fax: cover page template (0 = no cover page, 1–13).",
        ),
        MessageColumn::row(
            "cover_page_text",
            true,
            Str(|r| r.item.rec.cover_page_text.as_deref()),
        )
        .doc(
            "coverPageText",
            "Outbound fax: the sender's cover page text.",
        ),
        MessageColumn::row(
            "pg_to_department",
            true,
            Bool(|r| r.item.rec.pg_to_department),
        )
        .doc(
            "pgToDepartment",
            "Pager: true when a recipient is a department (call queue) extension.",
        ),
        MessageColumn::row(
            "vm_transcription_status",
            true,
            Str(|r| r.item.rec.vm_transcription_status.as_deref()),
        )
        .doc(
            "vmTranscriptionStatus",
            "Voicemail: state of the voicemail-to-text transcription (`Completed`, \
             `NotAvailable`, `InProgress`, `Failed`, …).",
        ),
        MessageColumn::row(
            "owner_name",
            true,
            Str(|r| r.item.rec.owner.as_ref()?.name.as_deref()),
        )
        .doc("owner.name", "Shared voicemail or SMS: the owner's name."),
        MessageColumn::row(
            "owner_extension_type",
            true,
            Str(|r| r.item.rec.owner.as_ref()?.extension_type.as_deref()),
        )
        .doc(
            "owner.extensionType",
            "Shared voicemail or SMS: the owner's extension type (`User`, `Department`, …).",
        ),
        MessageColumn::row(
            "owner_extension_id",
            true,
            Str(|r| r.item.rec.owner.as_ref()?.extension_id.as_deref()),
        )
        .doc(
            "owner.extensionId",
            "Shared voicemail or SMS: the owner's extension id, as text.",
        ),
        MessageColumn::row("private", true, Bool(|r| r.item.rec.private))
            .doc("private", "Voicemail: true when it may not be forwarded."),
        MessageColumn::row(
            "forwarding_original_creation_time",
            true,
            Ts(|r| r.item.rec.forwarding.as_ref()?.original_creation_time),
        )
        .doc(
            "forwarding.originalCreationTime",
            "Forwarded message: when the original was created, UTC.",
        ),
    ];
    cols.extend(party_columns(
        "forwarding_original_sender_",
        "forwarding.originalSender.",
        "Forwarded message, original sender's",
    ));
    cols.extend([
        MessageColumn::row(
            "vm_side_recipients_json",
            true,
            Str(|r| r.vm_side_recipients_json.as_deref()),
        )
        .doc(
            "vmSideRecipients",
            "Voicemail: the side recipients as a JSON array (sorted keys); sent only when \
             a single message is read.",
        ),
        extra_json_column("", Str(|r| r.extra_json.as_deref())),
    ]);
    cols
});

/// `message_recipients`' columns.
pub(crate) static RECIPIENT_COLUMNS: LazyLock<Vec<RecipientColumn>> = LazyLock::new(|| {
    use Getter::*;
    let mut cols: Vec<RecipientColumn> = vec![
        mailbox_column(
            I64(|r| Some(r.mailbox)),
            "The parent message's mailbox; with `message_id` it joins to \
             `messages` (`mailbox_extension_id`, `id`).",
        ),
        RecipientColumn::row("message_id", false, I64(|r| Some(r.message_id)))
            .doc("id", "The parent message's `id`."),
        RecipientColumn::row("recipient_index", false, I32(|r| Some(r.index))).doc(
            "(position in to[])",
            "0-based position in the message's `to` list.",
        ),
    ];
    cols.extend(party_columns("", "to[].", "Recipient's"));
    cols.push(extra_json_column("to[].", Str(|r| r.extra_json.as_deref())));
    cols
});

/// `message_attachments`' columns.
pub(crate) static ATTACHMENT_COLUMNS: LazyLock<Vec<AttachmentColumn>> = LazyLock::new(|| {
    use Getter::*;
    let a = |field: &str| format!("attachments[].{field}");
    vec![
        mailbox_column(
            I64(|r| Some(r.mailbox)),
            "The parent message's mailbox; with `message_id` it joins \
             to `messages` (`mailbox_extension_id`, `id`).",
        ),
        AttachmentColumn::row("message_id", false, I64(|r| Some(r.message_id)))
            .doc("id", "The parent message's `id`."),
        AttachmentColumn::row("attachment_index", false, I32(|r| Some(r.index))).doc(
            "(position in attachments[])",
            "0-based position in the message's `attachments` list.",
        ),
        AttachmentColumn::row("attachment_id", true, I64(|r| r.att.id)).doc(
            a("id"),
            "Attachment id (often the message's id; `1` in old data).",
        ),
        AttachmentColumn::row("uri", true, Str(|r| r.att.uri.as_deref())).doc(
            a("uri"),
            "URL of the content on the media host (needs an access token).",
        ),
        AttachmentColumn::row("type", true, Str(|r| r.att.r#type.as_deref())).doc(
            a("type"),
            "`AudioRecording`, `AudioTranscription`, `Text`, `SourceDocument`, \
             `RenderedDocument` or `MmsAttachment` (absent in old data).",
        ),
        AttachmentColumn::row("content_type", true, Str(|r| r.att.content_type.as_deref())).doc(
            a("contentType"),
            "MIME type of the content (`audio/wav`, `application/pdf`, `text/plain`, …).",
        ),
        AttachmentColumn::row("vm_duration", true, I32(|r| r.att.vm_duration))
            .doc(a("vmDuration"), "Voicemail: length in seconds."),
        AttachmentColumn::row("file_name", true, Str(|r| r.att.file_name.as_deref()))
            .doc(a("fileName"), "File name of the attachment."),
        AttachmentColumn::row("size", true, I64(|r| r.att.size))
            .doc(a("size"), "Size of the content in bytes."),
        AttachmentColumn::row("height", true, I32(|r| r.att.height))
            .doc(a("height"), "Images: height in pixels."),
        AttachmentColumn::row("width", true, I32(|r| r.att.width))
            .doc(a("width"), "Images: width in pixels."),
        extra_json_column("attachments[].", Str(|r| r.extra_json.as_deref())),
    ]
});

/// `messages`: one row per (mailbox, message id). docs/api.md §3.4.
pub(crate) static MESSAGES_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &MESSAGE_COLUMNS,
        "mailbox_extension_id,id",
        "One message (SMS, fax, voicemail, pager) of one extension's message store, as \
         read from that mailbox. Deleted and purged messages stay, with their \
         `availability`.",
        "The day of `creation_time` in the run's time zone.",
    )
});

pub(crate) static MESSAGE_RECIPIENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &RECIPIENT_COLUMNS,
        "mailbox_extension_id,message_id,recipient_index",
        "One entry of a message's `to` list (a recipient), per mailbox the message was read \
         from.",
        "The parent message's partition (the day of its `creation_time` in the run's time \
         zone).",
    )
});

pub(crate) static MESSAGE_ATTACHMENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    table_schema(
        &ATTACHMENT_COLUMNS,
        "mailbox_extension_id,message_id,attachment_index",
        "One attachment of a message (its metadata; the content stays on RingCentral's media \
         host), per mailbox the message was read from.",
        "The parent message's partition (the day of its `creation_time` in the run's time \
         zone).",
    )
});

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    fn read(raw: &str, mailbox: Option<i64>) -> Read<MessageItem> {
        Messages.read(raw, &mailbox, Tz::UTC)
    }

    #[test]
    fn mailbox_from_dir_first_then_uri() {
        let raw = r#"{"id":1,"creationTime":"2020-01-01T00:00:00Z",
            "uri":"https://x/restapi/v1.0/account/1/extension/22/message-store/1"}"#;
        assert!(matches!(
            read(raw, Some(11)),
            Read::Row(MessageItem { mailbox: 11, .. }, _)
        ));
        assert!(matches!(
            read(raw, None),
            Read::Row(MessageItem { mailbox: 22, .. }, _)
        ));
        let no_uri = r#"{"id":1,"creationTime":"2020-01-01T00:00:00Z"}"#;
        match read(no_uri, None) {
            Read::Dead(reason) => assert!(reason.contains("whose message store"), "{reason}"),
            _ => panic!("expected a dead letter"),
        }
    }

    #[test]
    fn deleted_stubs_are_dropped_and_other_gaps_are_dead_letters() {
        assert!(matches!(
            read(r#"{"id":1,"availability":"Deleted"}"#, Some(1)),
            Read::DeletedStub
        ));
        assert!(matches!(
            read(r#"{"id":1,"availability":"Purged"}"#, None),
            Read::DeletedStub
        ));
        for bad in [
            r#"{"id":1,"availability":"Alive"}"#,
            r#"{"id":1}"#,
            r#"{"availability":"Deleted"}"#,
            r#"{"creationTime":"2020-01-01T00:00:00Z"}"#,
            r#"{"id":1,"creationTime":"later"}"#,
            r#"[1]"#,
        ] {
            assert!(matches!(read(bad, Some(1)), Read::Dead(_)), "{bad}");
        }
    }
}
