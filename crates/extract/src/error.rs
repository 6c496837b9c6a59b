//! The crate's one error type.
//!
//! Messages are one line with the context an operator needs (URL path — never the query or a
//! token —, status, API error code, day, file path) and the fix where one is known.

use std::path::PathBuf;

use crate::pacer::RateGroup;

/// Everything that can go wrong while extracting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token endpoint refused the credentials, or a data call kept answering 401.
    #[error("authentication failed: {what} (HTTP {status}, {code}): {message}; {fix}")]
    Auth {
        /// What was rejected, e.g. "the client id / client secret".
        what: &'static str,
        status: u16,
        /// API or OAuth error code (`OAU-123`, `invalid_grant`, …), or `-`.
        code: String,
        /// The server's message (never contains our secrets: it is the server's text).
        message: String,
        /// What to do about it.
        fix: &'static str,
    },

    /// HTTP 403 CMN-401/402/408: the app or the user lacks a permission.
    #[error("permission denied on {path} (HTTP {status}, {code}): {message}; fix: {fix}")]
    Permission {
        path: String,
        status: u16,
        code: String,
        /// The permission the server named, if any (`ReadCallLog`, `FullCompanyCallLog`).
        permission: Option<String>,
        message: String,
        fix: String,
    },

    /// A 4xx that retrying cannot fix (bad parameter, unknown path, …).
    #[error("request to {path} failed with HTTP {status} ({code}): {message}")]
    Http {
        path: String,
        status: u16,
        code: String,
        message: String,
    },

    /// 429 on every attempt of the retry budget.
    #[error(
        "request to {path} still rate-limited (group {group}) after {attempts} attempts; lower the concurrency or retry later"
    )]
    RateLimited {
        path: String,
        group: RateGroup,
        attempts: u32,
    },

    /// 5xx on the last attempt of the retry budget.
    #[error("server error on {path}: HTTP {status} ({code}) after {attempts} attempts")]
    Server {
        path: String,
        status: u16,
        code: String,
        attempts: u32,
    },

    /// Connection error or timeout on the last attempt of the retry budget.
    #[error("network error on {path} after {attempts} attempts")]
    Transport {
        path: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },

    /// A 200 body that is not the expected JSON (e.g. truncated) on the last attempt.
    #[error("unreadable response body from {path} after {attempts} attempts: {detail}")]
    InvalidBody {
        path: String,
        attempts: u32,
        detail: String,
    },

    /// Paging went wrong (a `nextPage` loop, too many pages, an unusable link).
    #[error("paging {window} failed at {path}: {detail}")]
    Paging {
        /// The stream and window, e.g. `call-log 2024-01-02` or
        /// `message-store 2024-01-01_2024-01-05/123`.
        window: String,
        path: String,
        detail: String,
    },

    /// A file or directory operation failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The checkpoint file exists but cannot be read.
    #[error("checkpoint {} is unreadable: {detail}; delete it to fetch every day again", path.display())]
    Checkpoint { path: PathBuf, detail: String },

    /// Bad configuration (server URL, options).
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True when the same request may succeed later without anything being changed
    /// (rate limits, server errors, network faults, truncated bodies). Credentials,
    /// permissions, bad requests and local I/O need a fix first.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Server { .. }
                | Error::Transport { .. }
                | Error::InvalidBody { .. }
        )
    }

    /// True when the user must change the configuration before a run can succeed: the
    /// server URL or options, the credentials, or the app's and user's permissions. The
    /// CLI maps it to its configuration exit code.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            Error::Config(_) | Error::Auth { .. } | Error::Permission { .. }
        )
    }

    /// True when the error concerns one window only (a day, a mailbox), so the others
    /// can go on.
    pub(crate) fn is_day_local(&self) -> bool {
        self.is_retryable() || matches!(self, Error::Paging { .. })
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let server = Error::Server {
            path: "/p".into(),
            status: 503,
            code: "CMN-201".into(),
            attempts: 8,
        };
        assert!(server.is_retryable() && server.is_day_local() && !server.is_config());
        let paging = Error::Paging {
            window: "call-log 2024-01-02".into(),
            path: "/p".into(),
            detail: "loop".into(),
        };
        assert!(!paging.is_retryable() && paging.is_day_local());
        let config = Error::Config("bad".into());
        assert!(config.is_config() && !config.is_day_local());
        let auth = Error::Auth {
            what: "w",
            status: 400,
            code: "invalid_client".into(),
            message: "m".into(),
            fix: "f",
        };
        assert!(!auth.is_retryable() && !auth.is_day_local());
        assert_eq!(
            server.to_string(),
            "server error on /p: HTTP 503 (CMN-201) after 8 attempts"
        );
    }
}
