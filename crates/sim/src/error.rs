//! Request errors and the error bodies the API sends for them (API-NOTES §6.1).

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
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// HTTP status the API answers with.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            Self::UnknownAccount { .. } | Self::UnknownExtension { .. } => StatusCode::NOT_FOUND,
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
            Self::UnknownExtension { .. } => {
                let message = "Resource for parameter [extensionId] is not found";
                json!({
                    "errorCode": "CMN-102",
                    "message": message,
                    "errors": [{
                        "errorCode": "CMN-102",
                        "message": message,
                        "parameterName": "extensionId",
                    }],
                    "parameterName": "extensionId",
                })
            }
            Self::UnknownAccount { .. } => {
                let message = "Resource for parameter [accountId] is not found";
                json!({
                    "errorCode": "CMN-102",
                    "message": message,
                    "errors": [{
                        "errorCode": "CMN-102",
                        "message": message,
                        "parameterName": "accountId",
                    }],
                    "parameterName": "accountId",
                })
            }
        }
    }
}

/// `{"errorCode", "message", "errors": [{"errorCode", "message"}]}` with one code.
pub(crate) fn api_error(top_code: &str, code: &str, message: &str) -> Value {
    json!({
        "errorCode": top_code,
        "message": message,
        "errors": [{ "errorCode": code, "message": message }],
    })
}

/// OAuth error body (API-NOTES §4): RFC 6749 `error` plus the `errors` array.
pub(crate) fn oauth_error(error: &str, code: &str, description: &str) -> Value {
    json!({
        "error": error,
        "error_description": description,
        "errors": [{ "errorCode": code, "message": description }],
    })
}
