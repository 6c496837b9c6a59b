//! The streams ringlake archives: the one list every stage and the command line read.

use crate::raw::Layout;
use crate::tables;

/// A stream: one kind of API data, landed under `<raw>/<name>/` and flattened into its
/// tables. Adding a stream is a line in [`Stream::ALL`] and one file per stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stream {
    /// The account call log by day window → `calls`, `call_legs`, `call_recordings`.
    CallLog,
    /// Every extension's message store → `messages`, `message_recipients`,
    /// `message_attachments`. Reads the extension list to know the mailboxes.
    MessageStore,
    /// The extension list, a snapshot per run date → `extensions`.
    Extensions,
    /// The account's calls in progress, a snapshot per run → `active_calls`.
    ActiveCalls,
    /// The call log again, incrementally: every record modified since the last run
    /// (`call-log-extract-sync`, docs/api.md §1.4) instead of day windows → the call-log
    /// tables. Not with `call-log` in the same run.
    CallLogSync,
    /// The account itself (docs/api.md §1.10): time zone, currency, home country; a
    /// snapshot per run date → `account`.
    Account,
}

impl Stream {
    /// Every stream, in the order runs take and report them.
    pub const ALL: [Stream; 6] = [
        Stream::CallLog,
        Stream::MessageStore,
        Stream::Extensions,
        Stream::ActiveCalls,
        Stream::CallLogSync,
        Stream::Account,
    ];

    /// What a run archives when no stream is named: everything, the call log by day.
    pub const DEFAULT: [Stream; 5] = [
        Stream::CallLog,
        Stream::MessageStore,
        Stream::Extensions,
        Stream::ActiveCalls,
        Stream::Account,
    ];

    /// Its name on the command line and in pipeline files, which is also its directory
    /// under the raw zone: `call-log`, `message-store`, …
    pub const fn name(self) -> &'static str {
        match self {
            Stream::CallLog => "call-log",
            Stream::MessageStore => "message-store",
            Stream::Extensions => "extensions",
            Stream::ActiveCalls => "active-calls",
            Stream::CallLogSync => "call-log-sync",
            Stream::Account => "account",
        }
    }

    /// The stream named `name` (as [`Stream::name`] spells it).
    pub fn from_name(name: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|s| s.name() == name)
    }

    /// How its windows sit below `<raw>/<name>/`.
    pub const fn layout(self) -> Layout {
        match self {
            Stream::CallLog => Layout::DayWindow,
            Stream::MessageStore => Layout::MailboxWindow,
            Stream::Extensions | Stream::Account => Layout::DaySnapshot,
            Stream::ActiveCalls => Layout::InstantSnapshot,
            Stream::CallLogSync => Layout::Session,
        }
    }

    /// Streams whose results this one reads, so a run extracts them first even when they
    /// were not asked for: the message store pages each mailbox of the extension list.
    pub const fn needs(self) -> &'static [Stream] {
        match self {
            Stream::MessageStore => &[Stream::Extensions],
            _ => &[],
        }
    }

    /// The stream whose tables this one fills: both call-log modes fill the call-log
    /// tables, from the pages of both.
    pub const fn table_owner(self) -> Stream {
        match self {
            Stream::CallLogSync => Stream::CallLog,
            other => other,
        }
    }

    /// Its tables, parent table first.
    pub const fn tables(self) -> &'static [&'static str] {
        match self.table_owner() {
            Stream::MessageStore => &[
                tables::MESSAGES,
                tables::MESSAGE_RECIPIENTS,
                tables::MESSAGE_ATTACHMENTS,
            ],
            Stream::Extensions => &[tables::EXTENSIONS],
            Stream::ActiveCalls => &[tables::ACTIVE_CALLS],
            Stream::Account => &[tables::ACCOUNT],
            _ => &[tables::CALLS, tables::CALL_LEGS, tables::CALL_RECORDINGS],
        }
    }

    /// Every stream whose pages make this stream's tables: itself and those that fill the
    /// same tables, in [`Stream::ALL`] order.
    pub fn sources(self) -> Vec<Stream> {
        let owner = self.table_owner();
        Stream::ALL
            .into_iter()
            .filter(|s| s.table_owner() == owner)
            .collect()
    }

    /// Where its pages sit, for messages: `<raw>/call-log/<YYYY-MM-DD>/page-NNNNN.json.zst`.
    pub fn page_pattern(self) -> String {
        format!(
            "<raw>/{}/{}/page-NNNNN.json.zst",
            self.name(),
            self.layout().dir_pattern()
        )
    }
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for s in Stream::ALL {
            assert_eq!(Stream::from_name(s.name()), Some(s));
            assert_eq!(
                Stream::ALL.iter().filter(|o| o.name() == s.name()).count(),
                1
            );
        }
        assert_eq!(Stream::from_name("sms"), None);
        let mut sorted = Stream::ALL;
        sorted.sort();
        assert_eq!(sorted, Stream::ALL, "ALL is in declaration (Ord) order");
    }

    #[test]
    fn every_table_is_made_by_one_owner_stream() {
        let mut made: Vec<&str> = Stream::ALL
            .into_iter()
            .filter(|s| s.table_owner() == *s)
            .flat_map(|s| s.tables().iter().copied())
            .collect();
        assert_eq!(made, tables::ALL);
        made.sort();
        made.dedup();
        assert_eq!(made.len(), tables::ALL.len());
        assert_eq!(
            Stream::CallLogSync.sources(),
            [Stream::CallLog, Stream::CallLogSync]
        );
        assert_eq!(Stream::CallLog.sources(), Stream::CallLogSync.sources());
        assert_eq!(Stream::Account.sources(), [Stream::Account]);
        assert_eq!(
            Stream::Extensions.page_pattern(),
            "<raw>/extensions/<YYYY-MM-DD>/page-NNNNN.json.zst"
        );
    }
}
