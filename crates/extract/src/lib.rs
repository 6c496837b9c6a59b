//! The extract stage: pulls pages out of the RingCentral REST API into the raw landing
//! zone — the account call log, the extension list, every extension's message store, a
//! snapshot of the active calls, and the account itself.
//!
//! It knows OAuth (JWT bearer and refresh grants, renewal before expiry and once on a 401),
//! the rate-limit groups and their sliding windows (one pacer per group, driven by the
//! `X-Rate-Limit-*` headers, so that 429s do not happen), retries with backoff, paging with
//! `navigation.nextPage` (one loop for every list), the raw landing zone — every body byte
//! for byte, a window published whole: `<raw>/call-log/<day>/`, `<raw>/extensions/<day>/`,
//! `<raw>/message-store/<FROM>_<TO>/<MAILBOX>/`, `<raw>/active-calls/<day>/<SNAPSHOT>/`,
//! `<raw>/call-log-sync/<SYNC_TIME>/`, `<raw>/account/<day>/`, each holding `page-NNNNN.json.zst` — and the
//! checkpoint that lets a re-run skip call-log days and days of each mailbox that are
//! settled and still on disk (a quiet mailbox costs one request per run whatever the
//! number of days), and lets the incremental mode (`call-log-extract-sync`) go on from its
//! last token. Dry runs plan from the checkpoint and the raw zone without a request. It reads no more of a record than paging and planning
//! need (an extension's id, type and status): records stay raw JSON for the transform
//! stage. The API facts it relies on are in `docs/api.md`.

#![warn(missing_docs)]
// Unwrapping is how a test fails; outside tests the lints stand.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod account;
mod active_calls;
mod auth;
mod call_log;
mod checkpoint;
mod client;
mod error;
mod extensions;
mod landing;
mod message_store;
mod options;
mod outcome;
mod pacer;
mod paging;
mod plan;
mod progress;
mod retry;
mod secret;
mod sync;
mod token;
mod window;

pub use account::{AccountSummary, snapshot_account};
pub use active_calls::{SnapshotSummary, snapshot_active_calls};
pub use call_log::{DayPlan, StreamSummary, extract_call_log, plan_call_log};
pub use client::{ApiClient, ClientOptions, GroupStats, RequestStats};
pub use error::{Error, Result};
pub use extensions::{ExtensionRef, ExtensionsSummary, extract_extensions};
pub use message_store::{
    MailboxPlan, MessageStoreSummary, extract_message_store, plan_message_store,
};
pub use options::ExtractOptions;
pub use outcome::{Extracted, RunDays};
pub use pacer::{GroupLimits, RateGroup, WaitReason, default_limits};
pub use paging::paging_minimum;
pub use plan::{RunPlan, least_wall_time, plan_run};
pub use progress::{NoProgress, Progress};
pub use retry::RetryPolicy;
pub use secret::{Credentials, Secret};
pub use sync::{SyncSummary, extract_call_log_sync};
