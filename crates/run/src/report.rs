//! What a run did, stage by stage, for the summary and the exit code.

use std::collections::BTreeMap;
use std::ops::AddAssign;
use std::time::Duration;

use ringlake_contracts::Stream;
use ringlake_extract::{
    AccountSummary, ExtensionsSummary, MessageStoreSummary, RateGroup, RequestStats,
    SnapshotSummary, StreamSummary, SyncSummary,
};
use ringlake_load::LoadStats;
use ringlake_transform::TransformStats;

/// What a run did.
#[derive(Debug, Default)]
pub struct RunReport {
    /// The extraction, when the run fetched anything (`ringlake transform` does not).
    pub extract: Option<ExtractReport>,
    /// The transform and load, when the run loaded (`ringlake extract` does not).
    pub load: Option<LoadReport>,
    /// Wall time of the whole run.
    pub wall: Duration,
}

impl RunReport {
    /// True when the run finished but left work for the next run or set records aside.
    pub fn incomplete(&self) -> bool {
        self.extract.as_ref().is_some_and(|e| {
            e.call_log
                .as_ref()
                .is_some_and(|s| !s.failed_days.is_empty())
                || e.call_log_sync.as_ref().is_some_and(|s| s.error.is_some())
                || e.message_store
                    .as_ref()
                    .is_some_and(|s| !s.failed_mailboxes.is_empty())
        }) || self.load.as_ref().is_some_and(|l| l.dead_letters > 0)
    }
}

/// What the extract stage did, stream by stream (`None`: the stream did not run).
#[derive(Debug, Default)]
pub struct ExtractReport {
    /// The call log by day window.
    pub call_log: Option<StreamSummary>,
    /// The call log's sync session.
    pub call_log_sync: Option<SyncSummary>,
    /// The extension list (also read when only the message store was asked for).
    pub extensions: Option<ExtensionsSummary>,
    /// Every mailbox's message store.
    pub message_store: Option<MessageStoreSummary>,
    /// The active-calls snapshot.
    pub active_calls: Option<SnapshotSummary>,
    /// The account snapshot.
    pub account: Option<AccountSummary>,
    /// Requests and wall time of each stream: lane by lane (Heavy, Medium, Light), each
    /// lane's streams in the order they ran.
    pub stages: Vec<StageFigures>,
    /// Requests of the whole run.
    pub requests: RequestStats,
}

impl ExtractReport {
    /// Takes in what another lane extracted (each stream runs in one lane only).
    pub(crate) fn merge(&mut self, other: ExtractReport) {
        let ExtractReport {
            call_log,
            call_log_sync,
            extensions,
            message_store,
            active_calls,
            account,
            stages,
            requests: _, // the client's, read once at the end
        } = other;
        self.call_log = self.call_log.take().or(call_log);
        self.call_log_sync = self.call_log_sync.take().or(call_log_sync);
        self.extensions = self.extensions.take().or(extensions);
        self.message_store = self.message_store.take().or(message_store);
        self.active_calls = self.active_calls.take().or(active_calls);
        self.account = self.account.take().or(account);
        self.stages.extend(stages);
    }
}

/// The cost of one stream's extraction.
#[derive(Debug, Clone)]
pub struct StageFigures {
    /// The stream.
    pub stream: Stream,
    /// Requests per rate group (retries included): those of the stream's own group, which
    /// no other stream used while it ran.
    pub requests: BTreeMap<RateGroup, u64>,
    /// Wall time of the stream's extraction, its waits for the rate limit included.
    pub wall: Duration,
}

/// What the transform and load stages did.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// The transform's counters, summed over its streams.
    pub transform: TransformStats,
    /// The load's counters, summed over its tables.
    pub load: LoadStats,
    /// Records set aside as unreadable.
    pub dead_letters: usize,
    /// Where the dead letters went (paths or URLs).
    pub dead_letter_files: Vec<String>,
}

impl AddAssign for LoadReport {
    fn add_assign(&mut self, other: LoadReport) {
        let LoadReport {
            transform,
            load,
            dead_letters,
            dead_letter_files,
        } = other;
        self.transform += &transform;
        self.load += &load;
        self.dead_letters += dead_letters;
        self.dead_letter_files.extend(dead_letter_files);
    }
}
