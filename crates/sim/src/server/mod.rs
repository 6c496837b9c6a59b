//! The HTTP side. [`routes`] lists every endpoint with its guard; [`gate`] is the guard
//! (rate limit, faults, bearer token) written once; one module per concern holds the
//! handlers; [`simulator`] is the public face that binds, serves and hands out a handle.
//!
//! Modules here only import siblings (never this one or each other both ways): `state`,
//! `respond`, `paging` and `request` below, handlers and `gate` above them, `routes` and
//! `simulator` on top.

mod account;
mod active_calls;
mod admin;
mod call_log;
mod content;
mod gate;
mod messages;
mod paging;
mod request;
mod respond;
mod routes;
mod simulator;
mod state;
mod token;

pub use simulator::{SimHandle, Simulator};
pub use state::SimStats;
