//! The Arrow schemas of every table, declared by hand (DESIGN.md "Tables"), each column with
//! its description and the API field it is read from.
//!
//! This is the contract analysts and the report stage rely on: a change here is a change of
//! [`SCHEMA_VERSION`], of the snapshot tests and of `docs/lake.md` (rendered from these
//! declarations by [`crate::lake_reference`]). Column names are snake_case forms of the
//! API names; nested objects are flattened with their parent's name as prefix
//! (`from.phoneNumber` → `from_phone_number`). There is no `date` column: the partition date
//! lives only in the Hive directory name.
//!
//! Every field carries two metadata entries, declared next to it with [`Doc::doc`] so they
//! cannot drift from the column: [`DESCRIPTION_METADATA`] (what it means, units, zone) and
//! [`SOURCE_METADATA`] (where it comes from). A source is an API field path as the JSON
//! spells it (`from.phoneNumber`; `legs[].x` is a field of each element of `legs`;
//! `legs[].*` every field of a leg that has no column of its own), alternatives separated
//! by `, `, or a parenthesised note for a value ringlake derives (`(run)`,
//! `(count of legs[])`). The integration test `it::sources` checks the paths against the
//! getters in `columns.rs` and friends.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Version of the table schemas below. Bump it with any change to a column or its metadata.
///
/// 2: the message-store, extension and active-call tables.
/// 3: field metadata (`description`, `ringlake.source`) on every column, and table-level
///    `description` and `ringlake.partition_date`.
pub const SCHEMA_VERSION: u32 = 3;

pub use ringlake_contracts::metadata::{
    DESCRIPTION_METADATA, PARTITION_DATE_METADATA, SCHEMA_VERSION_METADATA, SORT_KEY_METADATA,
    SOURCE_METADATA,
};
pub use ringlake_contracts::tables;

/// Attaches a column's documentation to its field.
trait Doc {
    /// `source`: the API field (module doc); `description`: one or two sentences.
    fn doc(self, source: impl Into<String>, description: impl Into<String>) -> Field;
}

impl Doc for Field {
    fn doc(self, source: impl Into<String>, description: impl Into<String>) -> Field {
        self.with_metadata(HashMap::from([
            (SOURCE_METADATA.to_owned(), source.into()),
            (DESCRIPTION_METADATA.to_owned(), description.into()),
        ]))
    }
}

pub(crate) static CALLS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema(
        call_fields(),
        "start_time,id",
        "One record of the account's call log (Detailed view): a call as RingCentral logged \
         it; its legs are in `call_legs`, its recordings in `call_recordings`.",
        "The day of `start_time` in the run's time zone.",
    )
});

/// `calls`' columns, also those of `active_calls` after its `snapshot_time`.
fn call_fields() -> Vec<Field> {
    let mut fields = vec![
        utf8("id", false).doc(
            "id",
            "Call-log record id (opaque text, may contain `-` and `_`).",
        ),
        utf8("uri", true).doc("uri", "Canonical API URL of the record."),
        utf8("session_id", true).doc(
            "sessionId",
            "Call session id (digits, as text): the records of one call share it.",
        ),
    ];
    fields.extend(base_fields("", "call"));
    fields.extend([
        timestamp("last_modified_time", true).doc(
            "lastModifiedTime",
            "When RingCentral last changed the record (billing and recordings arrive after \
             the call ends), UTC.",
        ),
        Field::new("deleted", DataType::Boolean, false).doc(
            "deleted",
            "True for a record deleted in RingCentral. The API sends the flag only on \
             deleted records, so absent is false.",
        ),
        Field::new("leg_count", DataType::Int32, false).doc(
            "(count of legs[])",
            "Number of legs, the record's rows in `call_legs` (0 when the API sent none).",
        ),
        utf8("ringout_caller_result", true).doc(
            "legs[].result",
            "RingOut calls: the `result` of the leg that rang the caller's own phone \
             (`RingOut…ToCaller`); null for other calls.",
        ),
        utf8("ringout_callee_result", true).doc(
            "legs[].result",
            "RingOut calls: the `result` of the leg that rang the callee \
             (`RingOut…ToSubscriber`); null when the callee was never rung (caller busy) \
             and for other calls.",
        ),
        extra_json(""),
    ]);
    fields
}

pub(crate) static CALL_LEGS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        utf8("call_id", false).doc("id", "The parent record's `id`: joins to `calls.id`."),
        Field::new("leg_index", DataType::Int32, false).doc(
            "(position in legs[])",
            "0-based position of the leg in the record's `legs` list, in API order (the \
             API documents no order: use `master` to find the leg that stands for the call).",
        ),
        utf8("leg_type", true).doc(
            "legs[].legType",
            "What the leg is: `Accept`, `PstnToSip`, `TransferCall`, `RingOutWebToCaller`, … \
             (`CallLegTypeEnum`, an open set).",
        ),
        Field::new("master", DataType::Boolean, false).doc(
            "legs[].master",
            "True for the leg that represents the call as a whole. The API sends the flag \
             only on that leg, so absent is false.",
        ),
    ];
    fields.extend(base_fields("legs[].", "leg"));
    fields.push(extra_json("legs[]."));
    schema(
        fields,
        "start_time,call_id,leg_index",
        "One leg (one hop: an accept, a forward, a transfer, each side of a RingOut…) of a \
         Detailed call-log record.",
        "The parent call's partition (the day of its `start_time` in the run's time zone), \
         even when the leg itself started on another day.",
    )
});

pub(crate) static CALL_RECORDINGS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema(
        vec![
            utf8("recording_id", false).doc(
                "recording.id, legs[].recording.id",
                "Recording id. Each recording the call or any of its legs references, once \
                 per call.",
            ),
            utf8("call_id", false).doc(
                "id",
                "The call-log record that references the recording: joins to `calls.id`.",
            ),
            timestamp("start_time", false).doc("startTime", "The parent call's start, UTC."),
            utf8("uri", true).doc(
                "recording.uri",
                "API URL of the recording's metadata (from the first reference: the call's \
                 own, else its first leg's).",
            ),
            utf8("type", true).doc("recording.type", "`Automatic` or `OnDemand`."),
            utf8("content_uri", true).doc(
                "recording.contentUri",
                "URL of the audio on the media host (needs an access token). RingCentral \
                 keeps recordings about 90 days.",
            ),
        ],
        "start_time,call_id,recording_id",
        "One recording referenced by a call-log record or its legs.",
        "The parent call's partition (the day of its `start_time` in the run's time zone).",
    )
});

/// An active-calls snapshot: when it was taken, then the columns of `calls` (legs are
/// counted in `leg_count`; snapshots have no legs table).
pub(crate) static ACTIVE_CALLS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![timestamp("snapshot_time", false).doc(
        "(run)",
        "When the run took the active-calls snapshot the row belongs to, UTC.",
    )];
    fields.extend(call_fields());
    schema(
        fields,
        "snapshot_time,id",
        "One call in progress (or ended in the last minutes) as one active-calls snapshot \
         saw it; the columns after `snapshot_time` are those of `calls`. A call appears once \
         per snapshot that saw it.",
        "The day of `snapshot_time` in the run's time zone.",
    )
});

/// `messages`: one row per (mailbox, message id). docs/api.md §3.4.
pub(crate) static MESSAGES_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        mailbox_extension_id(
            "The extension whose message store the run read the message \
             from (the same message may sit in several mailboxes): joins to `extensions.id`.",
        ),
        int64("id", false).doc("id", "Message id."),
        utf8("uri", true).doc("uri", "Canonical API URL of the message."),
        utf8("extension_id", true).doc(
            "extensionId",
            "The extension the message belongs to, as the API gives it (text).",
        ),
        int64("conversation_id", true).doc(
            "conversationId",
            "SMS and Pager: the conversation (thread) id. Exact int64: values exceed 2^53, \
             so never read them through a double.",
        ),
        // `conversation.id`: the same id as text (exact even where docs round the number).
        utf8("conversation_id_string", true)
            .doc("conversation.id", "The conversation id as text, exact."),
        utf8("conversation_uri", true).doc(
            "conversation.uri",
            "API URL of the conversation (deprecated by the API).",
        ),
        utf8("type", true).doc("type", "`SMS`, `Fax`, `VoiceMail`, `Pager` or `Text`."),
        utf8("direction", true).doc("direction", "`Inbound` or `Outbound`."),
        timestamp("creation_time", false).doc("creationTime", "When the message was created, UTC."),
        timestamp("last_modified_time", true).doc(
            "lastModifiedTime",
            "When RingCentral last changed the message (read status, availability, …), UTC.",
        ),
        utf8("availability", true).doc(
            "availability",
            "`Alive`, `Deleted` (in the trash, restorable for about 5 days) or `Purged` \
             (content gone).",
        ),
        utf8("message_status", true).doc(
            "messageStatus",
            "`Queued`, `Sent`, `Delivered`, `DeliveryFailed`, `SendingFailed` or `Received`.",
        ),
        utf8("read_status", true).doc("readStatus", "`Read` or `Unread`."),
        utf8("priority", true).doc("priority", "`Normal` or `High`."),
        utf8("subject", true).doc(
            "subject",
            "Subject. For SMS and Pager the message text; for an inbound fax often the \
             sender's number.",
        ),
        utf8("from_phone_number", true).doc(
            "from.phoneNumber",
            "Sender's phone number as the API gives it (usually E.164, `+1…`).",
        ),
        utf8("from_name", true).doc(
            "from.name",
            "Sender's name: the extension's name, or caller-ID text for outside numbers.",
        ),
        utf8("from_extension_number", true).doc(
            "from.extensionNumber",
            "Sender's short extension number (internal senders).",
        ),
        utf8("from_extension_id", true).doc("from.extensionId", "Sender's extension id, as text."),
        utf8("from_location", true).doc(
            "from.location",
            "City and state derived from the sender's number.",
        ),
        int32("recipient_count", false).doc(
            "(count of to[])",
            "Number of recipients: the message's rows in `message_recipients`.",
        ),
        int32("attachment_count", false).doc(
            "(count of attachments[])",
            "Number of attachments: the message's rows in `message_attachments`.",
        ),
        timestamp("sms_delivery_time", true).doc(
            "smsDeliveryTime",
            "Outbound SMS: when the carrier reported delivery to the handset, UTC.",
        ),
        int32("sms_sending_attempts_count", true).doc(
            "smsSendingAttemptsCount",
            "Outbound SMS: attempts to hand the message to the gateway.",
        ),
        utf8("delivery_error_code", true).doc(
            "deliveryErrorCode",
            "SMS: the gateway's delivery error code.",
        ),
        int32("segment_count", true).doc("segmentCount", "SMS: size in segments."),
        int32("fax_page_count", true).doc(
            "faxPageCount",
            "Fax: number of pages (0 for failed or queued faxes).",
        ),
        utf8("fax_resolution", true).doc("faxResolution", "Fax: `High` or `Low`."),
        int32("cover_index", true).doc(
            "coverIndex",
            "Outbound fax: cover page template (0 = no cover page, 1–13).",
        ),
        utf8("cover_page_text", true).doc(
            "coverPageText",
            "Outbound fax: the sender's cover page text.",
        ),
        boolean("pg_to_department", true).doc(
            "pgToDepartment",
            "Pager: true when a recipient is a department (call queue) extension.",
        ),
        utf8("vm_transcription_status", true).doc(
            "vmTranscriptionStatus",
            "Voicemail: state of the voicemail-to-text transcription (`Completed`, \
             `NotAvailable`, `InProgress`, `Failed`, …).",
        ),
        utf8("owner_name", true).doc("owner.name", "Shared voicemail or SMS: the owner's name."),
        utf8("owner_extension_type", true).doc(
            "owner.extensionType",
            "Shared voicemail or SMS: the owner's extension type (`User`, `Department`, …).",
        ),
        utf8("owner_extension_id", true).doc(
            "owner.extensionId",
            "Shared voicemail or SMS: the owner's extension id, as text.",
        ),
        boolean("private", true).doc("private", "Voicemail: true when it may not be forwarded."),
        timestamp("forwarding_original_creation_time", true).doc(
            "forwarding.originalCreationTime",
            "Forwarded message: when the original was created, UTC.",
        ),
    ];
    fields.extend(
        recipient_fields(
            "forwarding.originalSender.",
            "Forwarded message, original sender's",
        )
        .into_iter()
        .map(|f| {
            let name = format!("forwarding_original_sender_{}", f.name());
            f.with_name(name)
        }),
    );
    fields.extend([
        utf8("vm_side_recipients_json", true).doc(
            "vmSideRecipients",
            "Voicemail: the side recipients as a JSON array (sorted keys); sent only when \
             a single message is read.",
        ),
        extra_json(""),
    ]);
    schema(
        fields,
        "mailbox_extension_id,id",
        "One message (SMS, fax, voicemail, pager) of one extension's message store, as \
         read from that mailbox. Deleted and purged messages stay, with their \
         `availability`.",
        "The day of `creation_time` in the run's time zone.",
    )
});

/// `mailbox_extension_id`: not an API field; the mailbox a message was read from.
fn mailbox_extension_id(description: &str) -> Field {
    int64("mailbox_extension_id", false).doc("(mailbox read)", description)
}

/// The fields of a `MessageStoreCallerInfoResponseTo`, shared by `message_recipients`
/// (`to[].…`, `whose` "Recipient's") and `messages.forwarding_original_sender_*`
/// (`forwarding.originalSender.…`, "Forwarded message, original sender's").
fn recipient_fields(source_prefix: &str, whose: &str) -> Vec<Field> {
    let s = |field: &str| format!("{source_prefix}{field}");
    let d = |what: &str| format!("{whose} {what}");
    vec![
        utf8("phone_number", true).doc(
            s("phoneNumber"),
            d("phone number as the API gives it (usually E.164, `+1…`)."),
        ),
        utf8("extension_number", true).doc(
            s("extensionNumber"),
            d("short extension number (internal parties)."),
        ),
        utf8("extension_id", true).doc(s("extensionId"), d("extension id, as text.")),
        utf8("name", true).doc(s("name"), d("name.")),
        utf8("location", true).doc(s("location"), d("city and state, derived from the number.")),
        boolean("target", true).doc(
            s("target"),
            d(
                "`target` flag: true when the message was sent to exactly this party (group \
               MMS, where one extension has several numbers).",
            ),
        ),
        utf8("message_status", true).doc(
            s("messageStatus"),
            d(
                "delivery status: `Queued`, `Sent`, `Delivered`, `DeliveryFailed`, \
               `SendingFailed` or `Received`.",
            ),
        ),
        utf8("fax_error_code", true).doc(
            s("faxErrorCode"),
            d("fax error: why sending failed (`LineBusy`, `NoAnswer`, …: \
               `FaxErrorCodeEnum`)."),
        ),
        utf8("recipient_id", true).doc(s("recipientId"), d("id, as text.")),
    ]
}

pub(crate) static MESSAGE_RECIPIENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        mailbox_extension_id(
            "The parent message's mailbox; with `message_id` it joins to \
             `messages` (`mailbox_extension_id`, `id`).",
        ),
        int64("message_id", false).doc("id", "The parent message's `id`."),
        int32("recipient_index", false).doc(
            "(position in to[])",
            "0-based position in the message's `to` list.",
        ),
    ];
    fields.extend(recipient_fields("to[].", "Recipient's"));
    fields.push(extra_json("to[]."));
    schema(
        fields,
        "mailbox_extension_id,message_id,recipient_index",
        "One entry of a message's `to` list (a recipient), per mailbox the message was read \
         from.",
        "The parent message's partition (the day of its `creation_time` in the run's time \
         zone).",
    )
});

pub(crate) static MESSAGE_ATTACHMENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let a = |field: &str| format!("attachments[].{field}");
    schema(
        vec![
            mailbox_extension_id(
                "The parent message's mailbox; with `message_id` it joins \
                 to `messages` (`mailbox_extension_id`, `id`).",
            ),
            int64("message_id", false).doc("id", "The parent message's `id`."),
            int32("attachment_index", false).doc(
                "(position in attachments[])",
                "0-based position in the message's `attachments` list.",
            ),
            int64("attachment_id", true).doc(
                a("id"),
                "Attachment id (often the message's id; `1` in old data).",
            ),
            utf8("uri", true).doc(
                a("uri"),
                "URL of the content on the media host (needs an access token).",
            ),
            utf8("type", true).doc(
                a("type"),
                "`AudioRecording`, `AudioTranscription`, `Text`, `SourceDocument`, \
                 `RenderedDocument` or `MmsAttachment` (absent in old data).",
            ),
            utf8("content_type", true).doc(
                a("contentType"),
                "MIME type of the content (`audio/wav`, `application/pdf`, `text/plain`, …).",
            ),
            int32("vm_duration", true).doc(a("vmDuration"), "Voicemail: length in seconds."),
            utf8("file_name", true).doc(a("fileName"), "File name of the attachment."),
            int64("size", true).doc(a("size"), "Size of the content in bytes."),
            int32("height", true).doc(a("height"), "Images: height in pixels."),
            int32("width", true).doc(a("width"), "Images: width in pixels."),
            extra_json("attachments[]."),
        ],
        "mailbox_extension_id,message_id,attachment_index",
        "One attachment of a message (its metadata; the content stays on RingCentral's media \
         host), per mailbox the message was read from.",
        "The parent message's partition (the day of its `creation_time` in the run's time \
         zone).",
    )
});

/// `extensions`: docs/api.md §3.5. Nested objects are flattened; lists are JSON text.
pub(crate) static EXTENSIONS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema(
        vec![
            int64("id", false).doc("id", "Extension id; the table's key within a snapshot."),
            utf8("uri", true).doc("uri", "Canonical API URL of the extension."),
            utf8("extension_number", true).doc(
                "extensionNumber",
                "Short extension number (absent for unassigned extensions).",
            ),
            utf8("name", true).doc(
                "name",
                "Extension name; for users their first and last name.",
            ),
            utf8("type", true).doc(
                "type",
                "`User`, `Department` (call queue), `IvrMenu`, `Voicemail`, `ParkLocation`, \
                 … (`AllExtensionTypesEnum`, an open set).",
            ),
            utf8("sub_type", true).doc(
                "subType",
                "Sub-type of some extension types (`VideoPro`, `Emergency`, …).",
            ),
            utf8("status", true).doc(
                "status",
                "`Enabled`, `Disabled`, `Frozen`, `NotActivated` or `Unassigned`.",
            ),
            utf8("contact_first_name", true).doc("contact.firstName", "User's first name."),
            utf8("contact_last_name", true).doc("contact.lastName", "User's last name."),
            utf8("contact_name", true).doc(
                "contact.name",
                "Contact name (for users, first and last name).",
            ),
            utf8("contact_company", true).doc("contact.company", "User's company name."),
            utf8("contact_job_title", true).doc("contact.jobTitle", "User's job title."),
            utf8("contact_email", true).doc("contact.email", "User's contact email."),
            utf8("contact_business_phone", true).doc(
                "contact.businessPhone",
                "User's business phone number (E.164, `+…`).",
            ),
            utf8("contact_mobile_phone", true).doc(
                "contact.mobilePhone",
                "User's mobile phone number (E.164, `+…`).",
            ),
            utf8("contact_business_address_country", true).doc(
                "contact.businessAddress.country",
                "Business address: country.",
            ),
            utf8("contact_business_address_state", true).doc(
                "contact.businessAddress.state",
                "Business address: state or province.",
            ),
            utf8("contact_business_address_city", true)
                .doc("contact.businessAddress.city", "Business address: city."),
            utf8("contact_business_address_street", true).doc(
                "contact.businessAddress.street",
                "Business address: street.",
            ),
            utf8("contact_business_address_zip", true).doc(
                "contact.businessAddress.zip",
                "Business address: zip or postal code.",
            ),
            boolean("contact_email_as_login_name", true).doc(
                "contact.emailAsLoginName",
                "True when the contact email is the user's login name.",
            ),
            utf8("contact_pronounced_name_type", true).doc(
                "contact.pronouncedName.type",
                "How the name is pronounced: `Default`, `TextToSpeech` or `Recorded`.",
            ),
            utf8("contact_pronounced_name_text", true).doc(
                "contact.pronouncedName.text",
                "Text spoken for the name (`TextToSpeech`).",
            ),
            utf8("contact_pronounced_name_prompt_id", true).doc(
                "contact.pronouncedName.prompt.id",
                "Recorded name prompt: its id.",
            ),
            utf8("contact_pronounced_name_prompt_content_uri", true).doc(
                "contact.pronouncedName.prompt.contentUri",
                "Recorded name prompt: URL of the audio.",
            ),
            utf8("contact_pronounced_name_prompt_content_type", true).doc(
                "contact.pronouncedName.prompt.contentType",
                "Recorded name prompt: MIME type of the audio.",
            ),
            utf8("contact_department", true).doc("contact.department", "User's department."),
            boolean("permissions_admin_enabled", true).doc(
                "permissions.admin.enabled",
                "True when the extension has administrator permission.",
            ),
            boolean("permissions_international_calling_enabled", true).doc(
                "permissions.internationalCalling.enabled",
                "True when the extension may call international numbers.",
            ),
            utf8("profile_image_uri", true).doc("profileImage.uri", "URL of the profile image."),
            utf8("profile_image_etag", true)
                .doc("profileImage.etag", "Version tag of the profile image."),
            timestamp("profile_image_last_modified", true).doc(
                "profileImage.lastModified",
                "When the profile image was last changed, UTC.",
            ),
            utf8("profile_image_content_type", true).doc(
                "profileImage.contentType",
                "MIME type of the profile image.",
            ),
            utf8("profile_image_scales_json", true).doc(
                "profileImage.scales",
                "URLs of the profile image in other sizes, as a JSON array (sorted keys).",
            ),
            utf8("partner_id", true).doc(
                "partnerId",
                "Partner applications: the partner's id for the extension.",
            ),
            utf8("references_json", true).doc(
                "references",
                "Ids of the extension in other systems, as a JSON array of `{ref, type, \
                 refAccId}` (sorted keys).",
            ),
            int32("call_queue_info_sla_goal", true).doc(
                "callQueueInfo.slaGoal",
                "Call queues: target percentage of calls answered within \
                 `call_queue_info_sla_threshold_seconds`.",
            ),
            int32("call_queue_info_sla_threshold_seconds", true).doc(
                "callQueueInfo.slaThresholdSeconds",
                "Call queues: seconds within which a call counts as answered in time.",
            ),
            boolean("call_queue_info_include_abandoned_calls", true).doc(
                "callQueueInfo.includeAbandonedCalls",
                "Call queues: true when abandoned calls count in the service level.",
            ),
            int32("call_queue_info_abandoned_threshold_seconds", true).doc(
                "callQueueInfo.abandonedThresholdSeconds",
                "Call queues: abandoned calls shorter than this many seconds are left out of \
                 the service level.",
            ),
            boolean("hidden", true).doc(
                "hidden",
                "True when the extension is hidden from the company directory.",
            ),
            utf8("roles_json", true).doc(
                "roles",
                "The extension's roles, as a JSON array (sorted keys).",
            ),
            utf8("site_id", true).doc("site.id", "Id of the site the extension belongs to."),
            utf8("site_uri", true).doc("site.uri", "API URL of the site."),
            utf8("site_name", true).doc("site.name", "Name of the site."),
            utf8("site_code", true).doc("site.code", "Site code, when one is set."),
            utf8("assigned_country_id", true).doc(
                "assignedCountry.id",
                "Id of the country assigned to the extension.",
            ),
            utf8("assigned_country_uri", true)
                .doc("assignedCountry.uri", "API URL of the assigned country."),
            utf8("assigned_country_iso_code", true).doc(
                "assignedCountry.isoCode",
                "ISO 3166 alpha-2 code of the assigned country.",
            ),
            utf8("assigned_country_name", true)
                .doc("assignedCountry.name", "Name of the assigned country."),
            utf8("cost_center_id", true).doc("costCenter.id", "Id of the cost center."),
            utf8("cost_center_name", true).doc("costCenter.name", "Name of the cost center."),
            timestamp("creation_time", true)
                .doc("creationTime", "When the extension was created, UTC."),
            int32("alert_timer", true).doc(
                "alertTimer",
                "Call queues: seconds a queued call waits before members are alerted.",
            ),
            extra_json(""),
        ],
        "id",
        "One extension (user, call queue, IVR menu, …) as one run's snapshot of the \
         extension list saw it: the table keeps one snapshot per date, so it shows how \
         extensions changed over time.",
        "The snapshot date: the day the run read the extension list, in the run's time zone.",
    )
});

pub(crate) static ACCOUNT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let language = |name: &str, source: &str, what: &str| {
        utf8(name, true).doc(
            format!("regionalSettings.{source}.localeCode"),
            format!("Locale code of the account's {what}, e.g. `en-US`."),
        )
    };
    let kept = |name: &str, source: &str, what: &str| {
        utf8(name, true).doc(
            source,
            format!("{what}, kept whole as JSON text with sorted keys."),
        )
    };
    schema(
        vec![
            int64("id", false).doc(
                "id",
                "Account id; equals the id of the account's system extension.",
            ),
            utf8("uri", true).doc("uri", "Canonical API URL of the account."),
            utf8("bsid", true).doc("bsid", "Id of the account in the billing system."),
            utf8("main_number", true).doc("mainNumber", "Main phone number of the account."),
            utf8("status", true).doc(
                "status",
                "`Initial`, `Unconfirmed`, `Confirmed` or `Disabled`.",
            ),
            utf8("setup_wizard_state", true).doc(
                "setupWizardState",
                "`NotStarted`, `Incomplete`, `Completed` or `Unknown`.",
            ),
            utf8("partner_id", true).doc("partnerId", "Account id given by a partner application."),
            utf8("cfid", true).doc(
                "cfid",
                "Customer-facing id (accounts without PBX features): the main number in \
                 E.164 without `+`.",
            ),
            boolean("federated", true).doc(
                "federated",
                "Whether the account belongs to a federation of accounts.",
            ),
            int32("outbound_call_prefix", true).doc(
                "outboundCallPrefix",
                "Digit dialled before outbound numbers (2–9), when one is set.",
            ),
            int64("operator_id", true)
                .doc("operator.id", "Extension id of the account's operator."),
            utf8("operator_extension_number", true).doc(
                "operator.extensionNumber",
                "Extension number of the account's operator.",
            ),
            utf8("home_country_id", true).doc(
                "regionalSettings.homeCountry.id",
                "Id of the account's home country.",
            ),
            utf8("home_country_name", true).doc(
                "regionalSettings.homeCountry.name",
                "Name of the account's home country.",
            ),
            utf8("home_country_iso_code", true).doc(
                "regionalSettings.homeCountry.isoCode",
                "ISO 3166 alpha-2 code of the home country, e.g. `US`.",
            ),
            utf8("home_country_calling_code", true).doc(
                "regionalSettings.homeCountry.callingCode",
                "Country calling code of the home country, e.g. `1`.",
            ),
            utf8("time_zone_id", true).doc(
                "regionalSettings.timezone.id",
                "RingCentral's id of the account's time zone.",
            ),
            utf8("time_zone_name", true).doc(
                "regionalSettings.timezone.name",
                "The account's time zone, an IANA name (`America/New_York`): the zone \
                 RingCentral bills and reports in, and the billing report's default.",
            ),
            utf8("time_zone_description", true).doc(
                "regionalSettings.timezone.description",
                "The time zone as RingCentral shows it, e.g. `Eastern Time (US & Canada)`.",
            ),
            utf8("time_zone_bias", true).doc(
                "regionalSettings.timezone.bias",
                "The zone's standard offset from UTC as RingCentral sends it.",
            ),
            language(
                "language_locale_code",
                "language",
                "user interface language",
            ),
            language(
                "greeting_language_locale_code",
                "greetingLanguage",
                "greeting language",
            ),
            language(
                "formatting_locale_code",
                "formattingLocale",
                "formatting locale (numbers, dates, currencies)",
            ),
            utf8("time_format", true).doc("regionalSettings.timeFormat", "`12h` or `24h`."),
            int64("currency_id", true).doc(
                "regionalSettings.currency.id",
                "RingCentral's id of the currency.",
            ),
            utf8("currency_code", true).doc(
                "regionalSettings.currency.code",
                "ISO 4217 code of the account's currency (`USD`): the currency of every \
                 cost column of the call log.",
            ),
            utf8("currency_name", true)
                .doc("regionalSettings.currency.name", "Name of the currency."),
            utf8("currency_symbol", true).doc(
                "regionalSettings.currency.symbol",
                "Symbol of the currency, e.g. `$`.",
            ),
            utf8("currency_minor_symbol", true).doc(
                "regionalSettings.currency.minorSymbol",
                "Symbol of the currency's minor unit, e.g. `¢`.",
            ),
            kept(
                "service_info_json",
                "serviceInfo",
                "Brand, service plan and billing plan",
            ),
            kept("signup_info_json", "signupInfo", "Sign-up data"),
            kept(
                "status_info_json",
                "statusInfo",
                "Why the account is in its status",
            ),
            kept("limits_json", "limits", "Account limits"),
            extra_json(""),
        ],
        "id",
        "The account as one run read it (`GET /restapi/v1.0/account/~`): its status, home \
         country, time zone and currency; one row per snapshot date. The columns of \
         `regionalSettings` leave that prefix out (`time_zone_name`, `currency_code`).",
        "The snapshot date: the day the run read the account, in the run's time zone.",
    )
});

/// The `BaseCallLogRecord` columns, shared by `calls` and `call_legs` in this order. The
/// sources get `source_prefix` (`legs[].` for legs); descriptions speak of `it` ("call",
/// "leg").
fn base_fields(source_prefix: &str, it: &str) -> Vec<Field> {
    let s = |field: &str| format!("{source_prefix}{field}");
    vec![
        utf8("telephony_session_id", true).doc(
            s("telephonySessionId"),
            "Telephony session id (`s-…`), the id the Call Control API uses.",
        ),
        utf8("sip_uuid_info", true).doc(s("sipUuidInfo"), "SIP UUID of the call session."),
        utf8("party_id", true).doc(s("partyId"), "Telephony party id of the participant."),
        utf8("transfer_target_telephony_session_id", true).doc(
            s("transferTarget.telephonySessionId"),
            "Warm transfer: the telephony session the call was transferred to.",
        ),
        utf8("transferee_telephony_session_id", true).doc(
            s("transferee.telephonySessionId"),
            "Warm transfer: the telephony session of the party that was transferred.",
        ),
        Field::new("extension_id", DataType::Int64, true).doc(
            s("extension.id"),
            format!(
                "The extension whose log holds the {it} (for a secretary's log, the boss): \
                 joins to `extensions.id`."
            ),
        ),
        utf8("extension_uri", true).doc(s("extension.uri"), "API URL of that extension."),
        timestamp("start_time", false).doc(s("startTime"), format!("When the {it} started, UTC.")),
        Field::new("duration", DataType::Int64, true).doc(
            s("duration"),
            format!("Length of the {it} in whole seconds (0 when unanswered)."),
        ),
        Field::new("duration_ms", DataType::Int64, true).doc(
            s("durationMs"),
            format!("Length of the {it} in milliseconds (newer records only)."),
        ),
        utf8("type", true).doc(s("type"), "`Voice` or `Fax`."),
        utf8("direction", true).doc(
            s("direction"),
            "`Inbound` or `Outbound`, seen from the extension that logged it.",
        ),
        utf8("action", true).doc(
            s("action"),
            "What started it: `Phone Call`, `VoIP Call`, `RingOut Web`, `Transfer`, \
             `Incoming Fax`, … (`CallActionEnum`, an open set).",
        ),
        utf8("result", true).doc(
            s("result"),
            "Outcome: `Accepted`, `Call connected`, `Missed`, `Voicemail`, `Busy`, \
             `No Answer`, … (`CallResultEnum`, an open set; mind the casing).",
        ),
        utf8("reason", true).doc(
            s("reason"),
            "Why it ended so, mostly on unsuccessful calls (`CallResultReasonEnum`).",
        ),
        utf8("reason_description", true)
            .doc(s("reasonDescription"), "Free-text detail of `reason`."),
        utf8("internal_type", true).doc(
            s("internalType"),
            "Call category: `Local`, `LongDistance`, `International`, `Sip`, `RingOut`, \
             `TollFreeNumber`, … (`CallInternalTypeEnum`).",
        ),
        utf8("transport", true).doc(s("transport"), "`PSTN` or `VoIP`."),
        utf8("from_phone_number", true).doc(
            s("from.phoneNumber"),
            "Caller's phone number as the API gives it: usually E.164 (`+1…`), in old data \
             without `+`, sometimes formatted or short.",
        ),
        utf8("from_extension_number", true).doc(
            s("from.extensionNumber"),
            "Caller's short extension number (internal calls).",
        ),
        utf8("from_extension_id", true).doc(
            s("from.extensionId"),
            "Caller's extension id, as text (cast to compare with `extensions.id`).",
        ),
        utf8("from_name", true).doc(
            s("from.name"),
            "Caller's name: the extension's name, or caller-ID (CNAM) text for outside \
             numbers (may carry padding spaces).",
        ),
        utf8("from_location", true).doc(
            s("from.location"),
            "City and state derived from the caller's number.",
        ),
        utf8("from_device_id", true).doc(s("from.device.id"), "Caller's device id."),
        utf8("from_device_uri", true).doc(s("from.device.uri"), "API URL of the caller's device."),
        utf8("from_dialer_phone_number", true).doc(
            s("from.dialerPhoneNumber"),
            "Inbound calls: the caller's number exactly as received, unformatted.",
        ),
        utf8("to_phone_number", true).doc(
            s("to.phoneNumber"),
            "Callee's phone number as the API gives it (see `from_phone_number`).",
        ),
        utf8("to_extension_number", true).doc(
            s("to.extensionNumber"),
            "Callee's short extension number (internal calls).",
        ),
        utf8("to_extension_id", true).doc(
            s("to.extensionId"),
            "Callee's extension id, as text (cast to compare with `extensions.id`).",
        ),
        utf8("to_name", true).doc(
            s("to.name"),
            "Callee's name: the extension's name, or caller-ID text for outside numbers.",
        ),
        utf8("to_location", true).doc(
            s("to.location"),
            "City and state derived from the callee's number.",
        ),
        utf8("to_device_id", true).doc(s("to.device.id"), "Callee's device id."),
        utf8("to_device_uri", true).doc(s("to.device.uri"), "API URL of the callee's device."),
        utf8("to_dialed_phone_number", true).doc(
            s("to.dialedPhoneNumber"),
            "Outbound calls: the number exactly as dialled, unformatted.",
        ),
        utf8("message_id", true).doc(
            s("message.id"),
            "The linked message-store item (fax or voicemail), as text: `messages.id` cast \
             to text.",
        ),
        utf8("message_type", true).doc(
            s("message.type"),
            "Type of the linked message (`Fax`, `VoiceMail`, …).",
        ),
        utf8("message_uri", true).doc(s("message.uri"), "API URL of the linked message."),
        utf8("delegate_id", true).doc(
            s("delegate.id"),
            "Delegation: the secretary extension that handled the call for its boss.",
        ),
        utf8("delegate_name", true).doc(s("delegate.name"), "Delegation: the secretary's name."),
        utf8("delegation_type", true).doc(
            s("delegationType"),
            "Delegation: `Coworker`, `QueueForwarding` or `Unknown`.",
        ),
        money("billing_cost_included").doc(
            s("billing.costIncluded"),
            format!(
                "Cost of the {it} covered by the service plan: exact decimal, in the \
                 account's currency (the API sends no currency code)."
            ),
        ),
        money("billing_cost_purchased").doc(
            s("billing.costPurchased"),
            format!(
                "Cost of the {it} charged beyond the service plan: exact decimal, in the \
                 account's currency (the API sends no currency code)."
            ),
        ),
        utf8("recording_id", true).doc(
            s("recording.id"),
            "Id of the recording: joins to `call_recordings.recording_id`.",
        ),
        utf8("recording_uri", true).doc(s("recording.uri"), "API URL of the recording's metadata."),
        utf8("recording_type", true).doc(s("recording.type"), "`Automatic` or `OnDemand`."),
        utf8("recording_content_uri", true).doc(
            s("recording.contentUri"),
            "URL of the recording's audio on the media host (needs an access token).",
        ),
        Field::new("short_recording", DataType::Boolean, true).doc(
            s("shortRecording"),
            "True when the recording was too short to be kept. The API sends the flag only \
             when true, so null means false.",
        ),
        Field::new(
            "metadata_categories",
            DataType::List(Arc::new(list_item())),
            true,
        )
        .doc(
            s("metadataCategories"),
            format!("Metadata categories applied to the {it}."),
        ),
        Field::new("finished", DataType::Boolean, true).doc(
            s("finished"),
            format!("Whether the {it} had reached a finished state."),
        ),
    ]
}

/// `extra_json` of a row read from the object at `source_prefix` (`""`, `legs[].`, …).
fn extra_json(source_prefix: &str) -> Field {
    utf8("extra_json", true).doc(
        format!("{source_prefix}*"),
        "Every field the API sent that has no column of its own (those of nested objects \
         under their parent's name), as one JSON object with sorted keys; null when there \
         is none.",
    )
}

/// The item field of `List<Utf8>` columns: items are never null.
pub(crate) fn list_item() -> Field {
    Field::new("item", DataType::Utf8, false)
}

/// Precision and scale of money columns: `decimal(18, 6)`, exact micro-units.
pub(crate) const MONEY_PRECISION: u8 = 18;
pub(crate) const MONEY_SCALE: i8 = 6;

/// Time zone of every timestamp column.
pub(crate) const UTC: &str = "UTC";

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn int64(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Int64, nullable)
}

fn int32(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Int32, nullable)
}

fn boolean(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Boolean, nullable)
}

fn timestamp(name: &str, nullable: bool) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into())),
        nullable,
    )
}

fn money(name: &str) -> Field {
    Field::new(
        name,
        DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
        true,
    )
}

/// A table's schema: its fields, sort key, what one row is and what its partition date
/// means (both shown in `docs/lake.md`).
fn schema(fields: Vec<Field>, sort_key: &str, row: &str, partition_date: &str) -> SchemaRef {
    let metadata = HashMap::from([
        (SORT_KEY_METADATA.to_owned(), sort_key.to_owned()),
        (
            SCHEMA_VERSION_METADATA.to_owned(),
            SCHEMA_VERSION.to_string(),
        ),
        (DESCRIPTION_METADATA.to_owned(), row.to_owned()),
        (
            PARTITION_DATE_METADATA.to_owned(),
            partition_date.to_owned(),
        ),
    ]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use crate::streams::schema_for;

    #[test]
    fn known_tables_have_schemas_and_unknown_do_not() {
        for t in tables::ALL {
            assert!(schema_for(t).is_some(), "{t}");
        }
        assert!(schema_for("message").is_none());
    }

    #[test]
    fn sort_keys_name_real_non_null_columns() {
        for t in tables::ALL {
            let s = schema_for(t).unwrap();
            let key = &s.metadata()[SORT_KEY_METADATA];
            for col in key.split(',') {
                let f = s.field_with_name(col).unwrap();
                assert!(!f.is_nullable(), "{t}.{col}");
            }
        }
    }

    #[test]
    fn legs_carry_every_base_column_of_calls() {
        let calls = schema_for(tables::CALLS).unwrap();
        let legs = schema_for(tables::CALL_LEGS).unwrap();
        let call_only = [
            "id",
            "uri",
            "session_id",
            "deleted",
            "last_modified_time",
            "leg_count",
            "ringout_caller_result",
            "ringout_callee_result",
        ];
        // Names, types and nullability; the sources differ (`legs[].…`).
        let shape = |f: &Arc<Field>| (f.name().clone(), f.data_type().clone(), f.is_nullable());
        let from_calls: Vec<_> = calls
            .fields()
            .iter()
            .filter(|f| !call_only.contains(&f.name().as_str()))
            .map(shape)
            .collect();
        let leg_only = ["call_id", "leg_index", "leg_type", "master"];
        let from_legs: Vec<_> = legs
            .fields()
            .iter()
            .filter(|f| !leg_only.contains(&f.name().as_str()))
            .map(shape)
            .collect();
        assert_eq!(from_calls, from_legs);
        // …and every base column of a leg is read from the leg.
        for f in legs.fields() {
            if !leg_only.contains(&f.name().as_str()) {
                assert!(
                    f.metadata()[SOURCE_METADATA].starts_with("legs[]."),
                    "{f:?}"
                );
            }
        }
    }

    #[test]
    fn active_calls_are_calls_with_a_snapshot_time() {
        let calls = schema_for(tables::CALLS).unwrap();
        let active = schema_for(tables::ACTIVE_CALLS).unwrap();
        assert_eq!(active.field(0).name(), "snapshot_time");
        assert_eq!(&active.fields()[1..], &calls.fields()[..]);
    }

    #[test]
    fn design_columns_are_present() {
        // DESIGN.md "Tables": the columns other tools rely on, by name.
        for (t, cols) in [
            (
                tables::MESSAGES,
                &[
                    "id",
                    "mailbox_extension_id",
                    "extension_id",
                    "conversation_id",
                    "type",
                    "direction",
                    "creation_time",
                    "last_modified_time",
                    "availability",
                    "message_status",
                    "read_status",
                    "priority",
                    "subject",
                    "from_phone_number",
                    "from_name",
                    "from_extension_number",
                    "fax_page_count",
                    "fax_resolution",
                    "vm_transcription_status",
                    "attachment_count",
                ][..],
            ),
            (
                tables::MESSAGE_RECIPIENTS,
                &[
                    "message_id",
                    "recipient_index",
                    "phone_number",
                    "extension_number",
                    "name",
                    "location",
                    "message_status",
                ][..],
            ),
            (
                tables::MESSAGE_ATTACHMENTS,
                &[
                    "message_id",
                    "attachment_id",
                    "type",
                    "content_type",
                    "size",
                    "vm_duration",
                    "file_name",
                    "uri",
                ][..],
            ),
            (
                tables::EXTENSIONS,
                &["id", "extension_number", "name", "type", "status"][..],
            ),
        ] {
            let s = schema_for(t).unwrap();
            for c in cols {
                assert!(s.field_with_name(c).is_ok(), "{t}.{c}");
            }
        }
    }

    #[test]
    fn no_date_column_and_unique_names() {
        for t in tables::ALL {
            let s = schema_for(t).unwrap();
            assert!(s.field_with_name("date").is_err());
            let mut names: Vec<_> = s.fields().iter().map(|f| f.name().clone()).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "{t}");
        }
    }

    #[test]
    fn every_column_and_table_is_documented() {
        for t in tables::ALL {
            let s = schema_for(t).unwrap();
            for key in [DESCRIPTION_METADATA, PARTITION_DATE_METADATA] {
                assert!(!s.metadata()[key].trim().is_empty(), "{t}: {key}");
            }
            for f in s.fields() {
                let source = &f.metadata()[SOURCE_METADATA];
                let description = &f.metadata()[DESCRIPTION_METADATA];
                assert!(!source.trim().is_empty(), "{t}.{}", f.name());
                // One line each: they become Markdown table cells.
                assert!(!description.contains('\n'), "{t}.{}", f.name());
                assert!(
                    description.ends_with('.') && description.len() > 10,
                    "{t}.{}: {description:?}",
                    f.name()
                );
                // No doubled spaces from line continuations.
                assert!(
                    !description.contains("  "),
                    "{t}.{}: {description:?}",
                    f.name()
                );
                assert_eq!(f.metadata().len(), 2, "{t}.{}", f.name());
            }
        }
    }

    #[test]
    fn sources_are_api_paths_or_notes() {
        for t in tables::ALL {
            for f in schema_for(t).unwrap().fields() {
                let source = &f.metadata()[SOURCE_METADATA];
                if source.starts_with('(') {
                    assert!(source.ends_with(')'), "{t}.{}: {source}", f.name());
                    continue;
                }
                for path in source.split(", ") {
                    for (i, seg) in path.split('.').enumerate() {
                        let seg = seg.strip_suffix("[]").unwrap_or(seg);
                        let ok = seg == "*"
                            || (seg.chars().all(|c| c.is_ascii_alphanumeric())
                                && seg.starts_with(|c: char| c.is_ascii_lowercase()));
                        assert!(ok, "{t}.{}: {source} (segment {i})", f.name());
                    }
                }
            }
        }
    }
}
