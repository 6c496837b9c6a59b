//! The extract stage: pulls call-log pages out of the RingCentral REST API into the raw
//! landing zone.
//!
//! It knows OAuth (JWT bearer and refresh grants, renewal before expiry and once on a 401),
//! the rate-limit groups and their sliding windows (one pacer per group, driven by the
//! `X-Rate-Limit-*` headers, so that 429s do not happen), retries with backoff, paging with
//! `navigation.nextPage`, the raw landing zone (`<raw>/call-log/<YYYY-MM-DD>/page-NNNNN.json.zst`,
//! every body byte for byte, a day published whole) and the checkpoint that lets a re-run skip
//! settled days. It does not know what a call-log record contains: records stay raw JSON for
//! the transform stage. The API facts it relies on are in `shared/ringcentral/API-NOTES.md`.

// Unwrapping is how a test fails; outside tests the lints stand.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod auth;
mod call_log;
mod checkpoint;
mod client;
mod error;
mod landing;
mod pacer;
mod progress;
mod retry;
mod secret;
mod window;

pub use call_log::{CallLogOptions, StreamSummary, extract_call_log};
pub use client::{ApiClient, ClientOptions, GroupStats, RequestStats};
pub use error::{Error, Result};
pub use pacer::RateGroup;
pub use progress::{NoProgress, Progress, WaitReason};
pub use retry::RetryPolicy;
pub use secret::{Credentials, Secret};
pub use window::day_window;
