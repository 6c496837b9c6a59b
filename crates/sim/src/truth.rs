//! The ground truth: what the simulator holds, for tests to compare a lake against.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Everything the simulator serves, flattened to the facts tests check.
#[derive(Clone, Debug, Serialize)]
pub struct Truth {
    /// The account id.
    pub account_id: i64,
    /// What `GET /restapi/v1.0/account/~` answers.
    pub account: TruthAccount,
    /// Every call-log record, deleted ones included, sorted by `start_time` then `id`.
    pub calls: Vec<TruthCall>,
    /// Every extension of the account, in list order.
    pub extensions: Vec<TruthExtension>,
    /// Every message of every extension's store (all availabilities), sorted by
    /// `mailbox_extension_id`, then `creation_time`, then `id`.
    pub messages: Vec<TruthMessage>,
    /// Ids of the call-log records served by the active-calls lists (in progress now).
    pub active_calls: Vec<String>,
}

/// The account's own facts, as its info endpoint serves them.
#[derive(Clone, Debug, Serialize)]
pub struct TruthAccount {
    /// `id`.
    pub id: i64,
    /// `mainNumber`.
    pub main_number: String,
    /// `regionalSettings.timezone.name`.
    pub time_zone: String,
    /// `regionalSettings.currency.code`.
    pub currency: String,
}

impl Truth {
    /// Calls with `start_time` in `[from, to)`, oldest first.
    pub fn calls_in(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &TruthCall> {
        let lo = self.calls.partition_point(|c| c.start_time < from);
        let hi = self.calls.partition_point(|c| c.start_time < to).max(lo);
        self.calls[lo..hi].iter()
    }

    /// Messages of the store of extension `ext_id` with `creation_time` in `[from, to)`,
    /// oldest first, every availability included.
    pub fn messages_in(
        &self,
        ext_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &TruthMessage> {
        let key = |m: &TruthMessage| (m.mailbox_extension_id, m.creation_time);
        let lo = self.messages.partition_point(|m| key(m) < (ext_id, from));
        let hi = self
            .messages
            .partition_point(|m| key(m) < (ext_id, to))
            .max(lo);
        self.messages[lo..hi].iter()
    }
}

/// One message of an extension's message store as served.
#[derive(Clone, Debug, Serialize)]
pub struct TruthMessage {
    /// `id` (a JSON integer).
    pub id: i64,
    /// The extension whose message store holds it.
    pub mailbox_extension_id: i64,
    /// `conversationId` (above 2^53), SMS and Pager only.
    pub conversation_id: Option<i64>,
    /// `type`: `SMS`, `Fax`, `VoiceMail` or `Pager`.
    pub r#type: String,
    /// `direction`.
    pub direction: String,
    /// `availability`: `Alive`, `Deleted` or `Purged`.
    pub availability: String,
    /// `readStatus`.
    pub read_status: String,
    /// `messageStatus`.
    pub message_status: String,
    /// `creationTime`.
    pub creation_time: DateTime<Utc>,
    /// `lastModifiedTime`.
    pub last_modified_time: DateTime<Utc>,
    /// Number of `to` entries (0 when `to` is absent).
    pub recipient_count: usize,
    /// `attachments[].id` in order (empty for purged messages).
    pub attachment_ids: Vec<i64>,
}

/// One call-log record as served.
#[derive(Clone, Debug, Serialize)]
pub struct TruthCall {
    /// Call-log record id (`id`).
    pub id: String,
    /// `sessionId`.
    pub session_id: String,
    /// `startTime`.
    pub start_time: DateTime<Utc>,
    /// `type`: `Voice` or `Fax`.
    pub r#type: String,
    /// `direction`: `Inbound` or `Outbound`.
    pub direction: String,
    /// `result`, when sent.
    pub result: Option<String>,
    /// Whether the record is deleted (served only with `showDeleted=true`).
    pub deleted: bool,
    /// Number of `legs` in the Detailed view.
    pub leg_count: usize,
    /// `billing.costIncluded` exactly as the JSON text sent, e.g. `"0.137"`.
    pub billing_cost_included: Option<String>,
    /// `billing.costPurchased` exactly as the JSON text sent.
    pub billing_cost_purchased: Option<String>,
    /// `recording.id`.
    pub recording_id: Option<String>,
    /// `extension.id` of the record.
    pub extension_id: Option<i64>,
    /// `result` of the RingOut leg to the caller (docs/api.md §9).
    pub ringout_caller_result: Option<String>,
    /// `result` of the RingOut leg to the callee (docs/api.md §9); absent when never called.
    pub ringout_callee_result: Option<String>,
    /// `lastModifiedTime`.
    pub last_modified_time: DateTime<Utc>,
}

/// One extension as served by the extension list.
#[derive(Clone, Debug, Serialize)]
pub struct TruthExtension {
    /// `id`.
    pub id: i64,
    /// `extensionNumber`, absent for unassigned extensions.
    pub extension_number: Option<String>,
    /// `name`.
    pub name: String,
    /// `type`, e.g. `User`, `Department`, `IvrMenu`, `FaxUser`.
    pub r#type: String,
    /// `status`, e.g. `Enabled`, `Disabled`, `NotActivated`.
    pub status: String,
}
