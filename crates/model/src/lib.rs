//! Serde types of the RingCentral API payloads that ringlake reads: list envelopes,
//! call-log records, message-store records (and bulk-response items), extension-list
//! records, the account, OAuth token responses and error bodies.
//!
//! This crate does no I/O and knows nothing of HTTP, files or Arrow. Its types are lenient
//! where the API is (docs/api.md §3): every non-required field is optional, unknown fields are
//! kept, unknown enum values are plain strings, and ids are read exactly.

#![warn(missing_docs)]

mod account;
mod call_log;
mod envelope;
mod error_body;
mod extension;
mod message;
mod open;
mod token;
mod values;

pub use account::{
    AccountOperatorInfo, AccountRecord, AccountRegionalSettings, CountryInfo, CurrencyInfo,
    LanguageInfo, TimezoneInfo,
};
pub use call_log::*;
pub use envelope::{ListPage, NavLink, Navigation, Paging};
pub use error_body::{ApiErrorBody, ApiErrorItem};
pub use extension::{
    AssignedCountryInfo, BusinessAddressInfo, CallQueueExtensionInfo, ContactInfo, CostCenterInfo,
    ExtensionPermissions, ExtensionRecord, PermissionInfo, ProfileImageInfo, ProfileImageScale,
    PronouncedNameInfo, PronouncedNamePromptInfo, ReferenceInfo, RoleInfo, SiteInfo,
};
pub use message::{
    BulkItem, ConversationInfo, MessageAttachmentInfo, MessageForwardingInfo, MessageOwnerInfo,
    MessageRecord, MessageStoreCallerInfoFrom, MessageStoreCallerInfoTo,
};
pub use token::TokenResponse;
pub use values::*;
