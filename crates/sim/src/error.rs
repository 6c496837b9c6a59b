//! Request errors and the error bodies the API sends for them (docs/api.md §6.1).

use axum::http::StatusCode;
use serde_json::{Value, json};

/// Why the simulator refused a request. Each variant maps to the status and body the real
/// API sends.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query parameter has a value the API rejects (`CMN-101`).
    #[error("Parameter [{name}] value is invalid: {value:?}")]
    InvalidParameter {
        /// Parameter name as sent, e.g. `perPage`.
        name: &'static str,
        /// The rejected value.
        value: String,
    },
    /// The account in the path is neither `~` nor the simulated account (`CMN-102`).
    #[error("Resource for parameter [accountId] is not found: {account_id:?}")]
    UnknownAccount {
        /// The path segment received.
        account_id: String,
    },
    /// The extension in the path is neither `~` nor one of the account's (`CMN-102`).
    #[error("Resource for parameter [extensionId] is not found: {extension_id:?}")]
    UnknownExtension {
        /// The path segment received.
        extension_id: String,
    },
    /// No message with this id in the mailbox of the path (`CMN-102`, 404).
    #[error("Resource for parameter [messageId] is not found: {message_id:?}")]
    UnknownMessage {
        /// The id as received.
        message_id: String,
    },
    /// The message has no attachment with this id, or no longer has any because it was
    /// purged (`CMN-102`, 404; docs/api.md §7).
    #[error("Resource for parameter [attachmentId] is not found: {attachment_id:?}")]
    UnknownAttachment {
        /// The id as received.
        attachment_id: String,
    },
    /// A bulk GET named more ids than the API allows (`CMN-106`, 400; docs/api.md §6.2).
    #[error("Batch request is limited to {max} entries, got {count}")]
    BatchTooLarge {
        /// Ids in the request.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An `ISync` token the server no longer honours (`MSG-333`, 400; docs/api.md §1.9).
    #[error("Full synchronization is required: {reason}")]
    FullSyncRequired {
        /// Why: unparsable, another mailbox, too old.
        reason: &'static str,
    },
    /// A call-log sync token the server no longer honours: expired or not one it issued
    /// (`CLG-101`, 400; docs/api.md §1.3). The client starts again with an `FSync`.
    #[error("Parameter [syncToken] is invalid: {reason}")]
    SyncTokenInvalid {
        /// Why: expired, unreadable.
        reason: &'static str,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// HTTP status the API answers with.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. }
            | Self::BatchTooLarge { .. }
            | Self::FullSyncRequired { .. }
            | Self::SyncTokenInvalid { .. } => StatusCode::BAD_REQUEST,
            Self::UnknownAccount { .. }
            | Self::UnknownExtension { .. }
            | Self::UnknownMessage { .. }
            | Self::UnknownAttachment { .. } => StatusCode::NOT_FOUND,
        }
    }

    /// Body the API answers with: legacy top-level fields plus the `errors` array.
    pub(crate) fn body(&self) -> Value {
        match self {
            Self::InvalidParameter { name, value } => {
                let message = format!("Parameter [{name}] value is invalid.");
                json!({
                    "errorCode": "CMN-101",
                    "message": message,
                    "errors": [{
                        "errorCode": "CMN-101",
                        "message": message,
                        "parameterName": name,
                        "parameterValue": value,
                    }],
                    "parameterName": name,
                })
            }
            Self::UnknownAccount { .. } => not_found("accountId"),
            Self::UnknownExtension { .. } => not_found("extensionId"),
            Self::UnknownMessage { .. } => not_found("messageId"),
            Self::UnknownAttachment { .. } => not_found("attachmentId"),
            Self::BatchTooLarge { max, .. } => api_error(
                "CMN-106",
                "CMN-106",
                &format!("Batch request is limited to {max} entries"),
            ),
            Self::FullSyncRequired { .. } => {
                let message = "Full synchronization is required";
                json!({
                    "errorCode": "MSG-333",
                    "message": message,
                    "errors": [{
                        "errorCode": "MSG-333",
                        "message": message,
                        "parameterName": "syncToken",
                    }],
                    "parameterName": "syncToken",
                })
            }
            Self::SyncTokenInvalid { reason } => {
                let message = format!("Parameter [syncToken] is invalid [{reason}]");
                json!({
                    "errorCode": "CLG-101",
                    "message": message,
                    "errors": [{
                        "errorCode": "CLG-101",
                        "message": message,
                        "parameterName": "syncToken",
                    }],
                    "parameterName": "syncToken",
                })
            }
        }
    }
}

/// The `CMN-102` body, shaped like the 404 item of samples/message_batch_get_multipart_json_207.json.
fn not_found(parameter: &str) -> Value {
    let message = format!("Resource for parameter [{parameter}] is not found");
    json!({
        "errorCode": "CMN-102",
        "message": message,
        "errors": [{
            "errorCode": "CMN-102",
            "message": message,
            "parameterName": parameter,
        }],
        "parameterName": parameter,
    })
}

/// `{"errorCode", "message", "errors": [{"errorCode", "message"}]}` with one code.
pub(crate) fn api_error(top_code: &str, code: &str, message: &str) -> Value {
    json!({
        "errorCode": top_code,
        "message": message,
        "errors": [{ "errorCode": code, "message": message }],
    })
}

/// OAuth error body (docs/api.md §4): RFC 6749 `error` plus the `errors` array.
pub(crate) fn oauth_error(error: &str, code: &str, description: &str) -> Value {
    json!({
        "error": error,
        "error_description": description,
        "errors": [{ "errorCode": code, "message": description }],
    })
}
