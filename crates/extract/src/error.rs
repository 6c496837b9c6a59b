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
        /// HTTP status of the refusal, e.g. 400 or 401.
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
        /// URL path of the request (never the query).
        path: String,
        /// HTTP status, normally 403.
        status: u16,
        /// API error code: `CMN-401` (app permission), `CMN-402` (admin needed), `CMN-408` (user
        /// permission), or `-`.
        code: String,
        /// The permission the server named, if any (`ReadCallLog`, `FullCompanyCallLog`).
        permission: Option<String>,
        /// The server's message.
        message: String,
        /// What to grant, and where (app or user role).
        fix: String,
    },

    /// A 4xx that retrying cannot fix (bad parameter, unknown path, …).
    #[error("request to {path} failed with HTTP {status} ({code}): {message}")]
    Http {
        /// URL path of the request (never the query).
        path: String,
        /// HTTP status, a 4xx other than 401, 403 and 429.
        status: u16,
        /// API error code (`CMN-101`, `CLG-110`, …), or `-`.
        code: String,
        /// The server's message.
        message: String,
    },

    /// The run's deadline came while a request waited (for its rate limit, a 429 penalty
    /// or a backoff): what is left is fetched by the next run.
    #[error(
        "the run's deadline ({limit_secs} s after it started) came while waiting for the {group} rate limit; what is left is fetched by the next run (raise --deadline to wait longer)"
    )]
    Deadline {
        /// The rate-limit group that was waited for.
        group: RateGroup,
        /// The run's time limit, in seconds.
        limit_secs: u64,
    },

    /// 5xx on the last attempt of the retry budget.
    #[error("server error on {path}: HTTP {status} ({code}) after {attempts} attempts")]
    Server {
        /// URL path of the request (never the query).
        path: String,
        /// HTTP status of the last answer, a 5xx.
        status: u16,
        /// API error code (`CMN-201`, `CMN-203`), or `-`.
        code: String,
        /// Requests sent, the first one included.
        attempts: u32,
    },

    /// Connection error or timeout on the last attempt of the retry budget.
    #[error("network error on {path} after {attempts} attempts")]
    Transport {
        /// URL path of the request (never the query).
        path: String,
        /// Requests sent, the first one included.
        attempts: u32,
        /// The last connection error or timeout.
        #[source]
        source: reqwest::Error,
    },

    /// A 200 body that is not the expected JSON (e.g. truncated) on the last attempt.
    #[error("unreadable response body from {path} after {attempts} attempts: {detail}")]
    InvalidBody {
        /// URL path of the request (never the query).
        path: String,
        /// Requests sent, the first one included.
        attempts: u32,
        /// What the JSON reader found wrong.
        detail: String,
    },

    /// Paging went wrong (a `nextPage` loop, too many pages, an unusable link).
    #[error("paging {window} failed at {path}: {detail}")]
    Paging {
        /// The stream and window, e.g. `call-log 2024-01-02` or
        /// `message-store 2024-01-01_2024-01-05/123`.
        window: String,
        /// URL path of the page where paging stopped (never the query).
        path: String,
        /// What went wrong, e.g. the link that loops.
        detail: String,
    },

    /// A file or directory operation failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done, e.g. `create directory`, `publish`, `fsync`.
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// The checkpoint file exists but cannot be read.
    #[error("checkpoint {} is unreadable: {detail}; delete it to fetch every day again", path.display())]
    Checkpoint {
        /// Where the checkpoint file is.
        path: PathBuf,
        /// What is wrong with it (bad JSON, a version newer than this program, …).
        detail: String,
    },

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
            Error::Server { .. } | Error::Transport { .. } | Error::InvalidBody { .. }
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
        self.is_retryable() || matches!(self, Error::Paging { .. } | Error::Deadline { .. })
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
