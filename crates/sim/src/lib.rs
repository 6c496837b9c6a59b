//! A RingCentral REST API simulator, so that ringlake's pipeline runs and is tested with no
//! network. It generates a seeded, realistic account (extensions, call queues, an IVR, a fax
//! user) and call log (legs, billing, recordings, RingOut, transfers, deleted records,
//! day-boundary calls), and serves it over HTTP with the token endpoint, the account call
//! log and the extension list exactly as `API-NOTES.md` describes them: envelopes, paging
//! defaults and limits, error bodies, rate-limit groups with headers, 429 and penalty, token
//! expiry and single-use refresh. [`Truth`] is what the server holds, for tests to compare a
//! lake against.
//!
//! It is written from the API notes alone and knows nothing of ringlake's other crates.
//! It does not serve the message store, call-log sync, single records or media content,
//! and it injects no faults (5xx, resets) yet.

mod account;
mod auth;
mod calls;
mod config;
mod dataset;
mod error;
mod limiter;
mod pick;
mod query;
mod render;
mod server;
mod truth;

pub use config::{RateLimits, SimConfig, SimCredentials};
pub use error::{Error, Result};
pub use server::{SimHandle, SimStats, Simulator};
pub use truth::{Truth, TruthCall, TruthExtension};
