//! What a load did, summed over tables and runs.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use crate::writer::PartitionWrite;

/// Rows and partitions a load wrote: each [`PartitionWrite`] counted once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadStats {
    /// Rows per table over the partitions written or found unchanged.
    pub rows: BTreeMap<String, usize>,
    /// Partitions whose files changed (written, or stale files removed).
    pub partitions_written: usize,
    /// Partitions that already held exactly these bytes (left untouched).
    pub partitions_unchanged: usize,
    /// Partitions kept as the lake held them because their day came with no rows (an
    /// empty answer never deletes archived rows).
    pub partitions_kept: usize,
}

impl LoadStats {
    /// Counts these writes.
    pub fn tally(&mut self, writes: &[PartitionWrite]) {
        for w in writes {
            *self.rows.entry(w.table.clone()).or_default() += w.rows;
            match (&w.path, w.changed, w.kept) {
                (_, _, true) => self.partitions_kept += 1,
                (Some(_), true, false) => self.partitions_written += 1,
                (Some(_), false, false) => self.partitions_unchanged += 1,
                // A day with neither rows nor a partition: nothing happened.
                (None, _, false) => {}
            }
        }
    }
}

impl AddAssign<&LoadStats> for LoadStats {
    fn add_assign(&mut self, other: &LoadStats) {
        // Destructured so that a new counter cannot be left out of the sum.
        let LoadStats {
            rows,
            partitions_written,
            partitions_unchanged,
            partitions_kept,
        } = other;
        for (table, n) in rows {
            *self.rows.entry(table.clone()).or_default() += n;
        }
        self.partitions_written += partitions_written;
        self.partitions_unchanged += partitions_unchanged;
        self.partitions_kept += partitions_kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn write(table: &str, rows: usize, path: bool, changed: bool, kept: bool) -> PartitionWrite {
        PartitionWrite {
            table: table.into(),
            date: NaiveDate::MIN,
            path: path.then(|| "x".to_owned()),
            files: Vec::new(),
            rows,
            bytes: 0,
            changed,
            kept,
        }
    }

    #[test]
    fn tally_and_sum_count_every_write_once() {
        let mut a = LoadStats::default();
        a.tally(&[
            write("calls", 5, true, true, false),
            write("calls", 2, true, false, false),
            write("calls", 4, true, false, true),
            write("calls", 0, false, false, false),
            write("call_legs", 9, true, true, false),
        ]);
        assert_eq!(
            (
                a.partitions_written,
                a.partitions_unchanged,
                a.partitions_kept
            ),
            (2, 1, 1)
        );
        let mut total = a.clone();
        total += &a;
        assert_eq!(total.rows["calls"], 22);
        assert_eq!(total.rows["call_legs"], 18);
        assert_eq!(
            (
                total.partitions_written,
                total.partitions_unchanged,
                total.partitions_kept
            ),
            (4, 2, 2)
        );
    }
}
