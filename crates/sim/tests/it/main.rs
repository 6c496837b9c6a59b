//! Integration tests: the simulator over real HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod call_log;
mod extensions;
mod generator;
mod limits;
mod messages;
mod support;
