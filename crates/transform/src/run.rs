//! The run of one stream: pages decoded window by window, duplicates dropped, each
//! partition day built and handed over as soon as no later window can add to it.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::ops::Bound;
use std::path::PathBuf;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use ringlake_contracts::Layout;
use ringlake_contracts::day::WINDOW_REACH_DAYS;
use ringlake_contracts::raw::Window;
use tracing::info;

use crate::days::{Built, DayRows, build_days};
use crate::decode::{Decoded, Found, Pick, decode_page};
use crate::error::{Error, Result};
use crate::output::{
    DayTables, TableData, TransformOptions, TransformOutput, TransformStats, TransformSummary,
};
use crate::stream::Stream;

/// Where a transform hands each finished partition day (see [`run`]).
pub(crate) type Emit<'e> = dyn FnMut(DayTables) -> Result<()> + 'e;

/// The run of one stream: pages decoded and turned into rows in parallel, duplicates
/// dropped, records split by partition day and filtered by [`TransformOptions::days`], each
/// day's batches taken out of its pages' rows and sorted by their tables' keys (days in
/// parallel, and while the next window decodes) and handed to `emit` in day order.
///
/// Memory is bounded by a few days of rows, not by the input: pages of day windows
/// (`call-log/<YYYY-MM-DD>/…`) are decoded window by window, oldest first, and a day is
/// built and emitted as soon as no later window can add to it; pages outside day windows
/// (sync sessions, other tools' layouts) are decoded first, and their rows wait for
/// their day. A record id seen more than once keeps the copy with the newest
/// `last_modified` (ties: the later page file by path, then the later position in the page),
/// independent of the order the pages were given or decoded in, and the kept copy's day is
/// the record's day. Copies are compared while their days wait; a copy more than
/// [`WINDOW_REACH_DAYS`] windows after the day of an emitted copy would not be (a call's
/// `startTime` never changes, so its copies share a day).
///
/// A page that cannot be read as a page fails the run (a corrupt raw file) with an error
/// that names the directory to delete so that the extract stage fetches it again; days
/// emitted before it are complete and correct, its own and later days are not emitted. A
/// record that cannot be read becomes a [`DeadLetter`] and the rest of its page is kept.
pub(crate) fn run<S: Stream>(
    stream: &S,
    pages: &[PathBuf],
    opts: &TransformOptions,
    emit: &mut Emit<'_>,
) -> Result<TransformSummary> {
    let tables = stream.tables();
    let mut run = Run {
        pages,
        opts,
        tables: &tables,
        pending: BTreeMap::new(),
        winners: HashMap::new(),
        done_below: None,
        summary: TransformSummary {
            dead_letters: Vec::new(),
            stats: TransformStats {
                pages: pages.len(),
                ..TransformStats::default()
            },
        },
        days: 0,
        rows: 0,
    };
    // Days complete after a window are built while the next window decodes.
    let mut ready = BTreeMap::new();
    for (window, group) in window_groups(pages, S::LAYOUT) {
        let (decoded, built) = rayon::join(
            || {
                group
                    .par_iter()
                    .map(|&i| decode_page(stream, i, &pages[i], opts.time_zone))
                    .collect::<Vec<Result<Decoded<S>>>>()
            },
            || build_days(&tables, std::mem::take(&mut ready)),
        );
        run.emit(built, emit)?;
        for page in decoded {
            let page = page?;
            let stats = &mut run.summary.stats;
            stats.records_read += page.records;
            stats.deleted_stubs_dropped += page.deleted_stubs;
            stats.bulk_items_skipped += page.bulk_skipped;
            stats.dead_letters += page.dead_letters.len();
            run.summary.dead_letters.extend(page.dead_letters);
            for f in page.found {
                // Its day was handed over without it: a page in the wrong window.
                if run.done_below.is_some_and(|done| f.day < done) {
                    return Err(Error::OutsideWindow {
                        path: pages[f.pick.page].clone(),
                        day: f.day,
                    });
                }
                run.add(f);
            }
        }
        if let Some(window) = window {
            // Later windows hold no records of days up to `window - WINDOW_REACH_DAYS`.
            ready = run.take_ready(Some(window - chrono::Days::new(WINDOW_REACH_DAYS - 1)));
        }
    }
    // The last window's complete days, then every day left.
    ready.append(&mut run.take_ready(None));
    run.emit(build_days(&tables, ready), emit)?;
    info!(
        stream = S::STREAM.name(),
        pages = run.summary.stats.pages,
        records = run.summary.stats.records_read,
        duplicates = run.summary.stats.duplicates_dropped,
        outside_days = run.summary.stats.outside_days_dropped,
        deleted_stubs = run.summary.stats.deleted_stubs_dropped,
        bulk_skipped = run.summary.stats.bulk_items_skipped,
        dead_letters = run.summary.stats.dead_letters,
        partitions = run.days,
        rows = run.rows,
        "Stream transformed."
    );
    Ok(run.summary)
}

/// The state of [`run`] between windows.
struct Run<'a, K> {
    pages: &'a [PathBuf],
    opts: &'a TransformOptions,
    tables: &'a [(&'static str, &'static SchemaRef)],
    /// Records of the days not emitted yet; `None` where a newer copy replaced one.
    pending: BTreeMap<NaiveDate, Vec<Option<Pick>>>,
    /// Where the kept copy of each pending key is (day, position).
    winners: HashMap<K, (NaiveDate, usize)>,
    /// Days before this one have been emitted.
    done_below: Option<NaiveDate>,
    summary: TransformSummary,
    /// Days emitted, and rows of their first table.
    days: usize,
    rows: usize,
}

impl<K: Eq + Hash> Run<'_, K> {
    /// Keeps `f` unless a pending copy of its key is newer; see [`run`] for which one.
    fn add(&mut self, f: Found<K>) {
        let pages = self.pages;
        let newer = |a: &Pick, b: &Pick| {
            (a.last_modified, &pages[a.page], a.index) > (b.last_modified, &pages[b.page], b.index)
        };
        let Found { key, day, pick } = f;
        let slot = match self.winners.get(&key) {
            None => None,
            Some(&(d, i)) => {
                self.summary.stats.duplicates_dropped += 1;
                let current = self.pending.get_mut(&d).and_then(|v| v.get_mut(i));
                match current {
                    Some(current) if current.as_ref().is_some_and(|c| !newer(&pick, c)) => return,
                    Some(current) => Some(current),
                    None => None,
                }
            }
        };
        if let Some(old) = slot {
            *old = None;
        }
        let slots = self.pending.entry(day).or_default();
        self.winners.insert(key, (day, slots.len()));
        slots.push(Some(pick));
    }

    /// Takes out every day before `bound` (every day left when `None`), with the asked-for
    /// days that have no records as empty days: no later window can add to them.
    fn take_ready(&mut self, bound: Option<NaiveDate>) -> BTreeMap<NaiveDate, DayRows> {
        let later = match bound {
            Some(b) => self.pending.split_off(&b),
            None => BTreeMap::new(),
        };
        let ready = std::mem::replace(&mut self.pending, later);
        match bound {
            Some(b) => self.winners.retain(|_, &mut (day, _)| day >= b),
            None => self.winners.clear(),
        }
        let mut by_day: BTreeMap<NaiveDate, DayRows> = BTreeMap::new();
        for (day, picks) in ready {
            let kept = picks.into_iter().flatten();
            if self
                .opts
                .days
                .as_ref()
                .is_some_and(|days| !days.contains(&day))
            {
                self.summary.stats.outside_days_dropped += kept.count();
                continue;
            }
            by_day.insert(day, DayRows::of(kept));
        }
        if let Some(days) = &self.opts.days {
            let from = self.done_below.map_or(Bound::Unbounded, Bound::Included);
            let to = bound.map_or(Bound::Unbounded, Bound::Excluded);
            if from_before_to(from, to) {
                for day in days.range((from, to)) {
                    by_day.entry(*day).or_default();
                }
            }
        }
        if bound.is_some() {
            self.done_below = bound.max(self.done_below);
        }
        by_day
    }

    /// Hands built days to `emit`, in day order.
    fn emit(&mut self, built: Vec<Result<Built>>, emit: &mut Emit<'_>) -> Result<()> {
        for day in built {
            let (day, batches) = day?;
            self.days += 1;
            self.rows += batches.first().map_or(0, RecordBatch::num_rows);
            emit(DayTables {
                day,
                batches: self.tables.iter().map(|t| t.0).zip(batches).collect(),
            })?;
        }
        Ok(())
    }
}

/// `BTreeSet::range` panics on an empty or inverted range; this says whether it is not.
fn from_before_to(from: Bound<NaiveDate>, to: Bound<NaiveDate>) -> bool {
    match (from, to) {
        (Bound::Included(a), Bound::Excluded(b)) => a < b,
        _ => true,
    }
}

/// Page indexes in decoding order: the pages of no day window first (their records may
/// belong to any day), then each day window's, oldest window first.
fn window_groups(pages: &[PathBuf], layout: Layout) -> Vec<(Option<NaiveDate>, Vec<usize>)> {
    let mut groups: BTreeMap<Option<NaiveDate>, Vec<usize>> = BTreeMap::new();
    for (i, path) in pages.iter().enumerate() {
        let window = match (layout, Window::of_page(layout, path)) {
            (Layout::DayWindow, Some(Window::Day(day))) => Some(day),
            _ => None,
        };
        groups.entry(window).or_default().push(i);
    }
    // `None` sorts first.
    groups.into_iter().collect()
}

/// [`run`] with the days gathered into whole tables (for callers that want them all at once).
pub(crate) fn gather<S: Stream>(
    stream: &S,
    pages: &[PathBuf],
    opts: &TransformOptions,
) -> Result<TransformOutput> {
    let mut out: Vec<TableData> = stream
        .tables()
        .into_iter()
        .map(|(name, schema)| TableData {
            name,
            schema: (*schema).clone(),
            partitions: BTreeMap::new(),
        })
        .collect();
    let summary = run(stream, pages, opts, &mut |day: DayTables| {
        for (t, (_, batch)) in out.iter_mut().zip(day.batches) {
            t.partitions.insert(day.day, batch);
        }
        Ok(())
    })?;
    Ok(TransformOutput {
        tables: out,
        dead_letters: summary.dead_letters,
        stats: summary.stats,
    })
}
