//! The extract stage of a run: one lane per rate group, the lanes side by side. Each group
//! has its own budget (docs/api.md §5), so the run takes as long as its slowest lane, not
//! the sum; inside a lane the streams run one after the other, so that the requests a
//! lane's group counted while a stream ran are that stream's.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use ringlake_contracts::Stream;
use ringlake_extract::{
    ApiClient, ExtensionRef, ExtractOptions, Extracted, Progress, RateGroup, RequestStats,
};
use tokio::sync::watch;
use tracing::debug;

use crate::report::{ExtractReport, Failed, StageFigures, is_run_wide, keep_error};
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
    /// The extension list, once the Medium lane has read it (or why it could not): the
    /// mailboxes of the message store (its `needs`).
    mailboxes: watch::Sender<Option<Result<Arc<Vec<ExtensionRef>>, String>>>,
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
    // A stream that fails fails alone: the lanes go on, and what the others fetched is
    // loaded. Only a run where every stream failed (bad credentials, the server down) is a
    // failed run, with the first error.
    let (heavy, medium, light) = tokio::join!(heavy, medium, light);
    let mut ex = heavy;
    ex.merge(medium);
    ex.merge(light);
    ex.requests = client.stats();
    if let Some(first) = ex.first_error.take()
        && (is_run_wide(&first)
            || ex
                .streams
                .values()
                .all(|s| (s.as_ref() as &dyn Any).is::<Failed>()))
    {
        return Err(first);
    }
    Ok(ex)
}

impl Lanes<'_> {
    /// One rate group's streams, one after the other.
    async fn lane(&self, group: RateGroup, streams: Vec<Stream>) -> ExtractReport {
        let count = |st: &RequestStats| st.by_group.get(&group).map_or(0, |g| g.requests);
        let mut ex = ExtractReport::default();
        for stream in streams {
            let (before, began) = (count(&self.client.stats()), Instant::now());
            if let Err(error) = self.extract_one(stream, &mut ex).await {
                // Said once, in the summary's FAILED line (or as the run's error when every
                // stream failed).
                debug!(stream = %stream, error = %format!("{error:#}"), "Stream failed; the others go on.");
                if stream == Stream::Extensions {
                    self.mailboxes.send_replace(Some(Err(format!("{error:#}"))));
                }
                ex.streams
                    .insert(stream, Box::new(Failed::new(stream, &error)));
                keep_error(&mut ex.first_error, error);
            }
            ex.stages.push(StageFigures {
                stream,
                requests: BTreeMap::from([(group, count(&self.client.stats()) - before)]),
                wall: began.elapsed(),
            });
        }
        ex
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
                    .send_replace(Some(Ok(Arc::new(list.extensions.clone()))));
                Box::new(list)
            }
            Stream::MessageStore => {
                // Waits for the Medium lane's extension list, or for why it failed.
                let mut list = self.mailboxes.subscribe();
                let mailboxes = list
                    .wait_for(Option::is_some)
                    .await
                    .map_err(|_| anyhow::anyhow!("the extension list was not read"))?
                    .clone()
                    .unwrap_or_else(|| Err("the extension list was not read".into()))
                    .map_err(|e| anyhow::anyhow!("the extension list was not read: {e}"))?;
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
