//! Serde types of the RingCentral API payloads that ringlake reads: list envelopes,
//! call-log records, OAuth token responses and error bodies.
//!
//! This crate does no I/O and knows nothing of HTTP, files or Arrow. Its types are lenient
//! where the API is (API-NOTES §3): every non-required field is optional, unknown fields are
//! kept, unknown enum values are plain strings, and ids are read exactly.

mod call_log;
mod envelope;
mod error_body;
mod token;
mod values;

pub use call_log::*;
pub use envelope::{ListPage, NavLink, Navigation, Paging};
pub use error_body::{ApiErrorBody, ApiErrorItem};
pub use token::TokenResponse;
pub use values::*;
