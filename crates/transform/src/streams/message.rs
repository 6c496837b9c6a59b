//! Message-store pages → the `messages`, `message_recipients` and `message_attachments`
//! tables (docs/api.md §1.8, §1.9, §3.4).

use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono_tz::Tz;
use ringlake_model::{MessageAttachmentInfo, MessageRecord, MessageStoreCallerInfoTo};

use ringlake_contracts::Stream as StreamId;

use crate::columns::{BatchBuilder, Col, Getter, HasBase, extra_json, json_text};
use crate::error::Result;
use crate::layout::{mailbox_of_page, mailbox_of_uri};
use crate::output::{TransformOptions, TransformOutput};
use crate::run::gather;
use crate::schema::{
    MESSAGE_ATTACHMENTS_SCHEMA, MESSAGE_RECIPIENTS_SCHEMA, MESSAGES_SCHEMA, tables,
};
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
            messages: BatchBuilder::new(&MESSAGES_SCHEMA, &message_columns(), messages)?,
            recipients: ChildRows::new(
                &MESSAGE_RECIPIENTS_SCHEMA,
                &recipient_columns(),
                messages,
                messages,
            )?,
            attachments: ChildRows::new(
                &MESSAGE_ATTACHMENTS_SCHEMA,
                &attachment_columns(),
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
        self.messages.append(&message_columns(), &messages)?;
        self.recipients.append(
            &recipient_columns(),
            &recipients,
            items.iter().map(|m| m.rec.to.len()),
        )?;
        self.attachments.append(
            &attachment_columns(),
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

impl HasBase for MessageRow<'_> {
    fn base(&self) -> Option<&ringlake_model::BaseCallLogRecord> {
        None
    }
}
impl HasBase for RecipientRow<'_> {
    fn base(&self) -> Option<&ringlake_model::BaseCallLogRecord> {
        None
    }
}
impl HasBase for AttachmentRow<'_> {
    fn base(&self) -> Option<&ringlake_model::BaseCallLogRecord> {
        None
    }
}

/// The `MessageStoreCallerInfoResponseTo` columns, read through `get` from a row.
macro_rules! party_columns {
    ($row:ty, $prefix:literal, |$r:ident| $get:expr) => {{
        fn p<'x>($r: &'x $row) -> Option<&'x MessageStoreCallerInfoTo> {
            $get
        }
        let cols: Vec<(&'static str, Col<_>)> = vec![
            (
                concat!($prefix, "phone_number"),
                Col::Row(Getter::Str(|r| p(r)?.phone_number.as_deref())),
            ),
            (
                concat!($prefix, "extension_number"),
                Col::Row(Getter::Str(|r| p(r)?.extension_number.as_deref())),
            ),
            (
                concat!($prefix, "extension_id"),
                Col::Row(Getter::Str(|r| p(r)?.extension_id.as_deref())),
            ),
            (
                concat!($prefix, "name"),
                Col::Row(Getter::Str(|r| p(r)?.name.as_deref())),
            ),
            (
                concat!($prefix, "location"),
                Col::Row(Getter::Str(|r| p(r)?.location.as_deref())),
            ),
            (
                concat!($prefix, "target"),
                Col::Row(Getter::Bool(|r| p(r)?.target)),
            ),
            (
                concat!($prefix, "message_status"),
                Col::Row(Getter::Str(|r| p(r)?.message_status.as_deref())),
            ),
            (
                concat!($prefix, "fax_error_code"),
                Col::Row(Getter::Str(|r| p(r)?.fax_error_code.as_deref())),
            ),
            (
                concat!($prefix, "recipient_id"),
                Col::Row(Getter::Str(|r| p(r)?.recipient_id.as_deref())),
            ),
        ];
        cols
    }};
}

pub(crate) fn message_columns<'a>() -> Vec<(&'static str, Col<MessageRow<'a>>)> {
    use Getter::*;
    fn count(n: usize) -> Option<i32> {
        Some(i32::try_from(n).unwrap_or(i32::MAX))
    }
    let mut cols: Vec<(&'static str, Col<MessageRow<'a>>)> = vec![
        (
            "mailbox_extension_id",
            Col::Row(I64(|r| Some(r.item.mailbox))),
        ),
        ("id", Col::Row(I64(|r| Some(r.item.id)))),
        ("uri", Col::Row(Str(|r| r.item.rec.uri.as_deref()))),
        (
            "extension_id",
            Col::Row(Str(|r| r.item.rec.extension_id.as_deref())),
        ),
        (
            "conversation_id",
            Col::Row(I64(|r| r.item.rec.conversation_id)),
        ),
        (
            "conversation_id_string",
            Col::Row(Str(|r| r.item.rec.conversation.as_ref()?.id.as_deref())),
        ),
        (
            "conversation_uri",
            Col::Row(Str(|r| r.item.rec.conversation.as_ref()?.uri.as_deref())),
        ),
        ("type", Col::Row(Str(|r| r.item.rec.r#type.as_deref()))),
        (
            "direction",
            Col::Row(Str(|r| r.item.rec.direction.as_deref())),
        ),
        (
            "creation_time",
            Col::Row(Ts(|r| Some(r.item.creation_time))),
        ),
        (
            "last_modified_time",
            Col::Row(Ts(|r| r.item.rec.last_modified_time)),
        ),
        (
            "availability",
            Col::Row(Str(|r| r.item.rec.availability.as_deref())),
        ),
        (
            "message_status",
            Col::Row(Str(|r| r.item.rec.message_status.as_deref())),
        ),
        (
            "read_status",
            Col::Row(Str(|r| r.item.rec.read_status.as_deref())),
        ),
        (
            "priority",
            Col::Row(Str(|r| r.item.rec.priority.as_deref())),
        ),
        ("subject", Col::Row(Str(|r| r.item.rec.subject.as_deref()))),
        (
            "from_phone_number",
            Col::Row(Str(|r| r.item.rec.from.as_ref()?.phone_number.as_deref())),
        ),
        (
            "from_name",
            Col::Row(Str(|r| r.item.rec.from.as_ref()?.name.as_deref())),
        ),
        (
            "from_extension_number",
            Col::Row(Str(|r| {
                r.item.rec.from.as_ref()?.extension_number.as_deref()
            })),
        ),
        (
            "from_extension_id",
            Col::Row(Str(|r| r.item.rec.from.as_ref()?.extension_id.as_deref())),
        ),
        (
            "from_location",
            Col::Row(Str(|r| r.item.rec.from.as_ref()?.location.as_deref())),
        ),
        (
            "recipient_count",
            Col::Row(I32(|r| count(r.item.rec.to.len()))),
        ),
        (
            "attachment_count",
            Col::Row(I32(|r| count(r.item.rec.attachments.len()))),
        ),
        (
            "sms_delivery_time",
            Col::Row(Ts(|r| r.item.rec.sms_delivery_time)),
        ),
        (
            "sms_sending_attempts_count",
            Col::Row(I32(|r| r.item.rec.sms_sending_attempts_count)),
        ),
        (
            "delivery_error_code",
            Col::Row(Str(|r| r.item.rec.delivery_error_code.as_deref())),
        ),
        ("segment_count", Col::Row(I32(|r| r.item.rec.segment_count))),
        (
            "fax_page_count",
            Col::Row(I32(|r| r.item.rec.fax_page_count)),
        ),
        (
            "fax_resolution",
            Col::Row(Str(|r| r.item.rec.fax_resolution.as_deref())),
        ),
        ("cover_index", Col::Row(I32(|r| r.item.rec.cover_index))),
        (
            "cover_page_text",
            Col::Row(Str(|r| r.item.rec.cover_page_text.as_deref())),
        ),
        (
            "pg_to_department",
            Col::Row(Bool(|r| r.item.rec.pg_to_department)),
        ),
        (
            "vm_transcription_status",
            Col::Row(Str(|r| r.item.rec.vm_transcription_status.as_deref())),
        ),
        (
            "owner_name",
            Col::Row(Str(|r| r.item.rec.owner.as_ref()?.name.as_deref())),
        ),
        (
            "owner_extension_type",
            Col::Row(Str(|r| {
                r.item.rec.owner.as_ref()?.extension_type.as_deref()
            })),
        ),
        (
            "owner_extension_id",
            Col::Row(Str(|r| r.item.rec.owner.as_ref()?.extension_id.as_deref())),
        ),
        ("private", Col::Row(Bool(|r| r.item.rec.private))),
        (
            "forwarding_original_creation_time",
            Col::Row(Ts(|r| {
                r.item.rec.forwarding.as_ref()?.original_creation_time
            })),
        ),
    ];
    cols.extend(party_columns!(
        MessageRow<'_>,
        "forwarding_original_sender_",
        |r| r.item.rec.forwarding.as_ref()?.original_sender.as_ref()
    ));
    cols.extend([
        (
            "vm_side_recipients_json",
            Col::Row(Str(|r: &MessageRow<'a>| {
                r.vm_side_recipients_json.as_deref()
            })),
        ),
        (
            "extra_json",
            Col::Row(Str(|r: &MessageRow<'a>| r.extra_json.as_deref())),
        ),
    ]);
    cols
}

pub(crate) fn recipient_columns<'a>() -> Vec<(&'static str, Col<RecipientRow<'a>>)> {
    use Getter::*;
    let mut cols: Vec<(&'static str, Col<RecipientRow<'a>>)> = vec![
        ("mailbox_extension_id", Col::Row(I64(|r| Some(r.mailbox)))),
        ("message_id", Col::Row(I64(|r| Some(r.message_id)))),
        ("recipient_index", Col::Row(I32(|r| Some(r.index)))),
    ];
    cols.extend(party_columns!(RecipientRow<'_>, "", |r| Some(r.to)));
    cols.push((
        "extra_json",
        Col::Row(Str(|r: &RecipientRow<'a>| r.extra_json.as_deref())),
    ));
    cols
}

pub(crate) fn attachment_columns<'a>() -> Vec<(&'static str, Col<AttachmentRow<'a>>)> {
    use Getter::*;
    vec![
        ("mailbox_extension_id", Col::Row(I64(|r| Some(r.mailbox)))),
        ("message_id", Col::Row(I64(|r| Some(r.message_id)))),
        ("attachment_index", Col::Row(I32(|r| Some(r.index)))),
        ("attachment_id", Col::Row(I64(|r| r.att.id))),
        ("uri", Col::Row(Str(|r| r.att.uri.as_deref()))),
        ("type", Col::Row(Str(|r| r.att.r#type.as_deref()))),
        (
            "content_type",
            Col::Row(Str(|r| r.att.content_type.as_deref())),
        ),
        ("vm_duration", Col::Row(I32(|r| r.att.vm_duration))),
        ("file_name", Col::Row(Str(|r| r.att.file_name.as_deref()))),
        ("size", Col::Row(I64(|r| r.att.size))),
        ("height", Col::Row(I32(|r| r.att.height))),
        ("width", Col::Row(I32(|r| r.att.width))),
        ("extra_json", Col::Row(Str(|r| r.extra_json.as_deref()))),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use arrow::datatypes::SchemaRef;

    fn names<R>(cols: &[(&'static str, Col<R>)]) -> Vec<String> {
        cols.iter().map(|(n, _)| (*n).to_owned()).collect()
    }

    fn schema_names(s: &SchemaRef) -> Vec<String> {
        s.fields().iter().map(|f| f.name().clone()).collect()
    }

    #[test]
    fn getters_match_schemas_by_name() {
        assert_eq!(names(&message_columns()), schema_names(&MESSAGES_SCHEMA));
        assert_eq!(
            names(&recipient_columns()),
            schema_names(&MESSAGE_RECIPIENTS_SCHEMA)
        );
        assert_eq!(
            names(&attachment_columns()),
            schema_names(&MESSAGE_ATTACHMENTS_SCHEMA)
        );
    }

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
