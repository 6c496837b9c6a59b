//! Table names: the lake's directory names, which analysts' queries, the report and the
//! loader's manifests name. Do not rename.

/// One row per call-log record.
pub const CALLS: &str = "calls";
/// One row per leg of a Detailed record.
pub const CALL_LEGS: &str = "call_legs";
/// One row per distinct recording referenced by a call or its legs.
pub const CALL_RECORDINGS: &str = "call_recordings";
/// One row per message-store message, per mailbox it was read from.
pub const MESSAGES: &str = "messages";
/// One row per entry of a message's `to` list.
pub const MESSAGE_RECIPIENTS: &str = "message_recipients";
/// One row per attachment of a message.
pub const MESSAGE_ATTACHMENTS: &str = "message_attachments";
/// One row per extension per snapshot date.
pub const EXTENSIONS: &str = "extensions";
/// One row per call of an active-calls snapshot.
pub const ACTIVE_CALLS: &str = "active_calls";
/// One row per snapshot date: the account, its time zone and currency.
pub const ACCOUNT: &str = "account";

/// Every table, in the order of the streams that make them ([`crate::Stream::ALL`]).
pub const ALL: [&str; 9] = [
    CALLS,
    CALL_LEGS,
    CALL_RECORDINGS,
    MESSAGES,
    MESSAGE_RECIPIENTS,
    MESSAGE_ATTACHMENTS,
    EXTENSIONS,
    ACTIVE_CALLS,
    ACCOUNT,
];
