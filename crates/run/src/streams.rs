//! What a run knows of each stream beside the contracts' [`Stream`] (its name, raw layout
//! and tables): the rate group its requests count against and the streams it needs first.
//! How each is extracted is one `match` in the extract lanes; how it is transformed is the
//! transform's registry ([`ringlake_transform::transform_by_day`]).

use ringlake_contracts::Stream;
use ringlake_extract::RateGroup;

/// A stream as a run schedules it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSpec {
    /// The stream.
    pub stream: Stream,
    /// The rate group of its requests ([`RateGroup::of`]): the lane it runs in.
    pub rate_group: RateGroup,
    /// Streams it reads the results of ([`Stream::needs`]), extracted before it even when
    /// not asked for.
    pub needs: &'static [Stream],
}

/// The run's view of `stream`.
pub const fn spec(stream: Stream) -> StreamSpec {
    StreamSpec {
        stream,
        rate_group: RateGroup::of(stream),
        needs: stream.needs(),
    }
}

/// The rate groups that have lanes, in the order their reports are merged.
pub const LANES: [RateGroup; 3] = [RateGroup::Heavy, RateGroup::Medium, RateGroup::Light];

/// The streams each lane extracts for a run asked for `wanted`: those of its rate group,
/// the needed ones added, in [`Stream::ALL`] order except that a stream that waits for
/// another goes after those that do not (so that it does not hold them up).
pub fn lanes(wanted: &[Stream]) -> [(RateGroup, Vec<Stream>); LANES.len()] {
    let needed =
        |s: Stream| wanted.contains(&s) || wanted.iter().any(|w| spec(*w).needs.contains(&s));
    LANES.map(|group| {
        let mut streams: Vec<Stream> = Stream::ALL
            .into_iter()
            .filter(|s| needed(*s) && spec(*s).rate_group == group)
            .collect();
        streams.sort_by_key(|s| !spec(*s).needs.is_empty());
        (group, streams)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_runs_in_exactly_one_lane() {
        let all = lanes(&Stream::ALL);
        for s in Stream::ALL {
            let homes: Vec<_> = all.iter().filter(|(_, l)| l.contains(&s)).collect();
            assert_eq!(homes.len(), 1, "{s}");
            assert_eq!(homes[0].0, spec(s).rate_group, "{s}");
            assert_eq!(spec(s).stream, s);
        }
    }

    #[test]
    fn needed_streams_are_added_and_waiters_go_last() {
        let l = lanes(&[Stream::MessageStore, Stream::Account]);
        assert_eq!(
            l,
            [
                (RateGroup::Heavy, vec![]),
                (RateGroup::Medium, vec![Stream::Extensions]),
                (
                    RateGroup::Light,
                    vec![Stream::Account, Stream::MessageStore]
                ),
            ]
        );
        // A needed stream is never in the lane of the one that waits for it: a lane waiting
        // on itself would never finish.
        for s in Stream::ALL {
            for n in spec(s).needs {
                assert_ne!(spec(*n).rate_group, spec(s).rate_group, "{s} needs {n}");
                assert!(spec(*n).needs.is_empty(), "{n}: needs are one level deep");
            }
        }
        assert_eq!(lanes(&[Stream::CallLog])[0].1, [Stream::CallLog]);
    }
}
