//! A RingCentral REST API simulator, so that ringlake's pipeline runs and is tested with no
//! network. It generates a seeded, realistic account (extensions, call queues, an IVR, a fax
//! user) and call log (legs, billing, recordings, RingOut, transfers, deleted records,
//! day-boundary calls), and serves it over HTTP with the token endpoint, the account call
//! log and the extension list exactly as `docs/api.md` describes them: envelopes, paging
//! defaults and limits, error bodies, rate-limit groups with headers, 429 and penalty, token
//! expiry and single-use refresh. [`Truth`] is what the server holds, for tests to compare a
//! lake against.
//!
//! It is written from the API notes alone and knows nothing of ringlake's other crates.
//! It also serves each extension's message store (docs/api.md §1.8–§1.9): the list (SMS
//! conversations with int64 `conversationId`s above 2^53, faxes, voicemails, pager
//! messages; `availability` defaulting to `Alive`), single messages and bulk GETs of up to
//! 50 ids (207 as `multipart/mixed` or the RingCentral multipart JSON array), message sync
//! (`FSync` over a creation window defaulting to the spec's `dateTo − 24 h`, `ISync` by
//! `lastModifiedTime` with a 5 s overlap, `MSG-333` for foreign, broken or too old tokens),
//! and attachment content with byte ranges on the same host as the API, which also takes
//! `?access_token=` there. It serves the account and extension active-calls lists, and the
//! company call-log extract sync (docs/api.md §1.4: records by modification time, `FSync` and
//! `ISync` chained by tokens, `CLG-101` for expired ones).
//!
//! For resilience tests it injects seeded [`Faults`] into `/restapi/...` answers (503
//! `CMN-201`, dropped connections, truncated bodies, slow replies), changes rate limits of a
//! running server ([`SimHandle::set_limits`]), and applies late updates to past data
//! ([`SimHandle::mutate`]: billing re-rated, recordings attached, messages read or deleted),
//! also through `POST /_admin/mutate`, `/_admin/faults` and `/_admin/limits`. It does not
//! serve call-log sync, single call-log records or recording content.

#![warn(missing_docs)]

mod account;
mod active;
mod auth;
mod bulk;
mod calls;
mod config;
mod dataset;
mod error;
mod extract_sync;
mod faults;
mod limiter;
mod media;
mod message_sync;
mod messages;
mod mutate;
mod pick;
mod query;
mod render;
mod server;
mod traffic;
mod truth;

pub use config::{DEFAULT_CURRENCY, DEFAULT_TIME_ZONE, RateLimits, SimConfig, SimCredentials};
pub use error::{Error, Result};
pub use faults::{BrokenRoute, Faults};
pub use mutate::{Mutation, MutationReport};
pub use server::{SimHandle, SimStats, Simulator};
pub use truth::{Truth, TruthAccount, TruthCall, TruthExtension, TruthMessage};
