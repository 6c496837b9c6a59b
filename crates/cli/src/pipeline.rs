//! The run's plan and summary, for people. The run itself is `ringlake_run`.

use ringlake_extract::RunPlan;
use ringlake_load::Lake;
use ringlake_run::{ExtractReport, RunReport, RunSpec};

use crate::config::Stream;

/// The plan, for people: windows, requests per group, wall time.
pub fn print_plan(
    out: &mut dyn std::io::Write,
    cfg: &RunSpec,
    plan: &RunPlan,
) -> std::io::Result<()> {
    writeln!(
        out,
        "dry run  {}..{} ({}), streams {}; nothing was requested",
        cfg.from,
        cfg.to,
        cfg.time_zone,
        cfg.streams
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(",")
    )?;
    if cfg.streams.contains(&Stream::CallLog) {
        let to_fetch = plan
            .call_log
            .iter()
            .filter(|(_, _, settled)| !settled)
            .count();
        writeln!(
            out,
            "call-log {} days to fetch, {} settled (skipped)",
            to_fetch,
            plan.call_log.len() - to_fetch
        )?;
        for (day, (from, to), settled) in &plan.call_log {
            writeln!(
                out,
                "         {day}  dateFrom {}  dateTo {}  {}",
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                to.format("%Y-%m-%dT%H:%M:%SZ"),
                if *settled { "settled" } else { "fetch" }
            )?;
        }
    }
    if cfg.streams.contains(&Stream::CallLogSync) {
        writeln!(
            out,
            "call-log-sync one session: every record modified since the last session (the first one: since {} in {}), then days {}..{} rebuilt",
            cfg.from, cfg.time_zone, cfg.from, cfg.to
        )?;
    }
    if cfg.streams.contains(&Stream::MessageStore) {
        if plan.mailboxes_known == 0 {
            writeln!(
                out,
                "messages mailboxes not known yet: the extension list is read first, then one request window per mailbox"
            )?;
        } else {
            writeln!(
                out,
                "messages {} of {} known mailboxes to fetch, one request window each (new extensions add one each)",
                plan.mailboxes.len(),
                plan.mailboxes_known
            )?;
            for m in &plan.mailboxes {
                writeln!(
                    out,
                    "         extension {}  dateFrom {}  dateTo {}  ({} days)",
                    m.mailbox,
                    m.window.0.format("%Y-%m-%dT%H:%M:%SZ"),
                    m.window.1.format("%Y-%m-%dT%H:%M:%SZ"),
                    m.days.len()
                )?;
            }
        }
    }
    let groups: Vec<String> = plan
        .requests
        .iter()
        .map(|(g, n)| {
            let (limit, window) = plan.limits[g];
            format!("{g} ≥{n} (limit {limit} per {} s)", window.as_secs_f64())
        })
        .collect();
    writeln!(out, "requests {}", groups.join(", "))?;
    writeln!(
        out,
        "wall     ≥{:.0} s at the {} limits (Heavy beside Medium + Light)",
        plan.wall.as_secs_f64(),
        if plan.limits_from_account {
            "account's announced"
        } else {
            "default plan's"
        }
    )
}

/// The summary printed at the end of a run (stdout: it is the command's result).
pub fn print_summary(
    out: &mut dyn std::io::Write,
    report: &RunReport,
    lake: Option<&Lake>,
) -> std::io::Result<()> {
    if let Some(e) = &report.extract {
        print_extract(out, e)?;
    }
    if let Some(l) = &report.load {
        let rows: Vec<String> = l
            .load
            .rows
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        writeln!(out, "lake     rows: {}", rows.join(", "))?;
        writeln!(
            out,
            "         partitions: {} written, {} unchanged, {} kept (no rows this time); {} duplicate records merged",
            l.load.partitions_written,
            l.load.partitions_unchanged,
            l.load.partitions_kept,
            l.transform.duplicates_dropped
        )?;
        if l.dead_letters > 0 {
            writeln!(out, "SET ASIDE {} unreadable records, see:", l.dead_letters)?;
            for f in &l.dead_letter_files {
                writeln!(out, "         {f}")?;
            }
        }
    }
    if let Some(lake) = lake {
        writeln!(out, "lake at  {lake}")?;
    }
    writeln!(out, "wall     {:.1} s", report.wall.as_secs_f64())?;
    Ok(())
}

fn print_extract(out: &mut dyn std::io::Write, e: &ExtractReport) -> std::io::Result<()> {
    for st in &e.stages {
        let extracted = e.streams.get(&st.stream);
        let what = extracted.map(|s| s.summary());
        // The fewest requests paging allows, beside those made: the difference is retries,
        // 429s and empty last pages (a sync session has no such bound).
        let minimum = extracted.and_then(|s| s.paging_minimum());
        let requests: Vec<String> = st
            .requests
            .iter()
            .map(|(g, n)| match minimum {
                Some(min) => format!("{g} {n} (paging minimum {min})"),
                None => format!("{g} {n}"),
            })
            .collect();
        writeln!(
            out,
            "extract  {}: {}; requests: {}; {:.1} s",
            st.stream.name(),
            what.unwrap_or_default(),
            if requests.is_empty() {
                "none".to_string()
            } else {
                requests.join(", ")
            },
            st.wall.as_secs_f64()
        )?;
    }
    let groups: Vec<String> = e
        .requests
        .by_group
        .iter()
        .map(|(g, st)| format!("{g} {}", st.requests))
        .collect();
    writeln!(
        out,
        "requests {} ({}), 429 responses: {}, retries: {}",
        e.requests.total_requests(),
        groups.join(", "),
        e.requests.total_429(),
        e.requests.by_group.values().map(|g| g.retries).sum::<u64>()
    )?;
    for failure in e.streams.values().flat_map(|s| s.failures()) {
        writeln!(out, "FAILED   {failure}")?;
    }
    Ok(())
}
