//! What a run did, stage by stage, for the summary and the exit code.

use std::collections::BTreeMap;
use std::ops::AddAssign;
use std::time::Duration;

use ringlake_contracts::Stream;
use ringlake_extract::{Extracted, RateGroup, RequestStats};
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
}

impl ExtractReport {
    /// What `stream` brought, as its own summary type (`None`: it did not run, or `T` is
    /// not its type).
    pub fn get<T: Extracted>(&self, stream: Stream) -> Option<&T> {
        self.streams.get(&stream)?.as_any().downcast_ref()
    }

    /// Takes in what another lane extracted (each stream runs in one lane only).
    pub(crate) fn merge(&mut self, other: ExtractReport) {
        let ExtractReport {
            streams,
            stages,
            requests: _, // the client's, read once at the end
        } = other;
        self.streams.extend(streams);
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
