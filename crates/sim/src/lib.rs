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
//! It also serves each extension's message store list (SMS conversations with int64
//! `conversationId`s above 2^53, faxes, voicemails, pager messages; `availability`
//! defaulting to `Alive`) and the account and extension active-calls lists. It does not
//! serve single messages, bulk message GETs, message or call-log sync, single call-log
//! records or media/attachment content, and it injects no faults (5xx, resets) yet.

mod account;
mod active;
mod auth;
mod calls;
mod config;
mod dataset;
mod error;
mod limiter;
mod messages;
mod pick;
mod query;
mod render;
mod server;
mod truth;

pub use config::{RateLimits, SimConfig, SimCredentials};
pub use error::{Error, Result};
pub use server::{SimHandle, SimStats, Simulator};
pub use truth::{Truth, TruthCall, TruthExtension, TruthMessage};
