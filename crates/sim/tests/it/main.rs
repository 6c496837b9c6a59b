//! Integration tests: the simulator over real HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod call_log;
mod extensions;
mod extract_sync;
mod faults;
mod generator;
mod late_updates;
mod limits;
mod message_content;
mod message_items;
mod message_sync;
mod messages;
mod support;
