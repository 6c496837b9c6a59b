//! What a run did, stage by stage, for the summary and the exit code.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::AddAssign;
use std::time::Duration;

use chrono::NaiveDate;
use ringlake_contracts::Stream;
use ringlake_extract::{Extracted, RateGroup, RequestStats, RunDays};
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
        self.extract
            .as_ref()
            .is_some_and(|e| e.streams.values().any(|s| !s.failures().is_empty()))
            || self.load.as_ref().is_some_and(|l| l.dead_letters > 0)
    }
}

/// What the extract stage did, stream by stream.
#[derive(Debug, Default)]
pub struct ExtractReport {
    /// What each stream that ran brought (the extension list also when only the message
    /// store was asked for).
    pub streams: BTreeMap<Stream, Box<dyn Extracted>>,
    /// Requests and wall time of each stream: lane by lane (Heavy, Medium, Light), each
    /// lane's streams in the order they ran.
    pub stages: Vec<StageFigures>,
    /// Requests of the whole run.
    pub requests: RequestStats,
    /// The first stream error: the run's error when it is run-wide (credentials) or every
    /// stream failed.
    pub(crate) first_error: Option<anyhow::Error>,
}

impl ExtractReport {
    /// What `stream` brought, as its own summary type (`None`: it did not run, or `T` is
    /// not its type).
    pub fn get<T: Extracted>(&self, stream: Stream) -> Option<&T> {
        let extracted: &dyn Any = self.streams.get(&stream)?.as_ref();
        extracted.downcast_ref()
    }

    /// Takes in what another lane extracted (each stream runs in one lane only).
    pub(crate) fn merge(&mut self, other: ExtractReport) {
        let ExtractReport {
            streams,
            stages,
            requests: _, // the client's, read once at the end
            first_error,
        } = other;
        self.streams.extend(streams);
        self.stages.extend(stages);
        if let Some(e) = first_error {
            keep_error(&mut self.first_error, e);
        }
    }
}

/// Whether a stream's error is the whole run's: refused credentials refuse every stream.
pub(crate) fn is_run_wide(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        matches!(
            e.downcast_ref::<ringlake_extract::Error>(),
            Some(ringlake_extract::Error::Auth { .. })
        )
    })
}
/// Keeps the error a run would end with: the first, unless a later one is run-wide.
pub(crate) fn keep_error(slot: &mut Option<anyhow::Error>, error: anyhow::Error) {
    if slot
        .as_ref()
        .is_none_or(|kept| !is_run_wide(kept) && is_run_wide(&error))
    {
        *slot = Some(error);
    }
}

/// A stream whose extraction failed: nothing of it is loaded this run (what it had landed
/// before stays in the raw zone and the lake), and the run is incomplete.
#[derive(Debug)]
pub struct Failed {
    stream: Stream,
    /// The error with its causes, one line.
    pub error: String,
}

impl Failed {
    pub(crate) fn new(stream: Stream, error: &anyhow::Error) -> Self {
        Failed {
            stream,
            error: format!("{error:#}").replace(['\n', '\r'], " "),
        }
    }
}

impl Extracted for Failed {
    fn summary(&self) -> String {
        "failed".to_owned()
    }
    fn records(&self) -> u64 {
        0
    }
    fn paging_minimum(&self) -> Option<u64> {
        None
    }
    fn failures(&self) -> Vec<String> {
        vec![format!(
            "{}: {} (the other streams were loaded; fix this and run the same command again)",
            self.stream, self.error
        )]
    }
    fn loadable_days(&self, _: RunDays<'_>) -> BTreeSet<NaiveDate> {
        BTreeSet::new()
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
