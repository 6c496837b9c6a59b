//! The extract stage of a run: one lane per rate group, the lanes side by side. Each group
//! has its own budget (docs/api.md §5), so the run takes as long as its slowest lane, not
//! the sum; inside a lane the streams run one after the other, so that the requests a
//! lane's group counted while a stream ran are that stream's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use ringlake_contracts::Stream;
use ringlake_extract::{
    ApiClient, ExtensionRef, ExtractOptions, Extracted, Progress, RateGroup, RequestStats,
};
use tokio::sync::watch;

use crate::report::{ExtractReport, StageFigures};
use crate::spec::RunSpec;
use crate::streams::lanes;

/// What every lane reads.
struct Lanes<'a> {
    spec: &'a RunSpec,
    client: &'a ApiClient,
    opts: ExtractOptions,
    days: &'a [NaiveDate],
    snapshot_day: NaiveDate,
    progress: &'a dyn Progress,
    /// The extension list, once the Medium lane has read it: the mailboxes of the message
    /// store (its `needs`).
    mailboxes: watch::Sender<Option<Arc<Vec<ExtensionRef>>>>,
}

/// Extracts the spec's streams (and those they need), lane by lane.
pub(crate) async fn extract(
    spec: &RunSpec,
    client: &ApiClient,
    days: &[NaiveDate],
    snapshot_day: NaiveDate,
    progress: &dyn Progress,
) -> anyhow::Result<ExtractReport> {
    let ctx = Lanes {
        spec,
        client,
        opts: spec.extract_options(),
        days,
        snapshot_day,
        progress,
        mailboxes: watch::Sender::new(None),
    };
    let [heavy, medium, light] =
        lanes(&spec.streams).map(|(group, streams)| ctx.lane(group, streams));
    // The first error cancels the other lanes; their staged pages are removed and what they
    // finished is in the checkpoints.
    let (heavy, medium, light) = tokio::try_join!(heavy, medium, light)?;
    let mut ex = heavy;
    ex.merge(medium);
    ex.merge(light);
    ex.requests = client.stats();
    Ok(ex)
}

impl Lanes<'_> {
    /// One rate group's streams, one after the other.
    async fn lane(&self, group: RateGroup, streams: Vec<Stream>) -> anyhow::Result<ExtractReport> {
        let count = |st: &RequestStats| st.by_group.get(&group).map_or(0, |g| g.requests);
        let mut ex = ExtractReport::default();
        for stream in streams {
            let (before, began) = (count(&self.client.stats()), Instant::now());
            self.extract_one(stream, &mut ex).await?;
            ex.stages.push(StageFigures {
                stream,
                requests: BTreeMap::from([(group, count(&self.client.stats()) - before)]),
                wall: began.elapsed(),
            });
        }
        Ok(ex)
    }

    /// How each stream is extracted: the one place that calls the extract stage per stream.
    async fn extract_one(&self, stream: Stream, ex: &mut ExtractReport) -> anyhow::Result<()> {
        let Lanes {
            spec,
            client,
            ref opts,
            days,
            snapshot_day,
            progress,
            ..
        } = *self;
        let extracted: Box<dyn Extracted> = match stream {
            Stream::CallLog => {
                Box::new(ringlake_extract::extract_call_log(client, opts, days, progress).await?)
            }
            Stream::CallLogSync => {
                // Where a first session starts; later sessions go on from the saved token.
                let since = ringlake_contracts::day::day_window(spec.from, spec.time_zone).0;
                Box::new(
                    ringlake_extract::extract_call_log_sync(client, opts, since, progress).await?,
                )
            }
            Stream::ActiveCalls => {
                Box::new(ringlake_extract::snapshot_active_calls(client, opts, progress).await?)
            }
            Stream::Extensions => {
                let list =
                    ringlake_extract::extract_extensions(client, opts, snapshot_day, progress)
                        .await?;
                self.mailboxes
                    .send_replace(Some(Arc::new(list.extensions.clone())));
                Box::new(list)
            }
            Stream::MessageStore => {
                // Waits for the Medium lane's extension list. Should that lane fail, the
                // run's `try_join!` ends this wait with its error.
                let mut list = self.mailboxes.subscribe();
                let mailboxes = list
                    .wait_for(Option::is_some)
                    .await
                    .map_err(|_| anyhow::anyhow!("the extension list was not read"))?
                    .clone()
                    .unwrap_or_default();
                Box::new(
                    ringlake_extract::extract_message_store(
                        client, opts, &mailboxes, days, progress,
                    )
                    .await?,
                )
            }
            Stream::Account => Box::new(
                ringlake_extract::snapshot_account(client, opts, snapshot_day, progress).await?,
            ),
        };
        ex.streams.insert(stream, extracted);
        Ok(())
    }
}
