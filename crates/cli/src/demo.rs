//! `ringlake demo` and `ringlake sim serve`: the simulator in this process, and the real
//! pipeline against it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use ringlake_extract::{Credentials, Progress, Secret};
use ringlake_sim::{Faults, RateLimits, SimConfig, SimCredentials, Simulator};
use serde::Serialize;

use crate::args::{AccountArgs, DemoArgs, FaultArgs, SimServeArgs};
use crate::config::{self, Stream};
use ringlake_run::{RunReport, RunSpec};

/// Marks a lake the demo made, so that the next demo may wipe it and no other directory.
const DEMO_MARKER: &str = "_demo_lake";

/// The previous full calendar month and the first day of the next one, so that month
/// boundaries in other time zones can be checked.
pub fn demo_days(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = today.with_day(1).unwrap_or(today);
    let from = this_month
        .checked_sub_months(Months::new(1))
        .unwrap_or(this_month);
    (from, this_month)
}

/// What the simulator held for the demo's days, for `make demo`'s DuckDB check.
#[derive(Debug, Serialize)]
pub struct DemoTruth {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    pub calls: usize,
    pub legs: usize,
    pub deleted: usize,
    pub calls_per_day: BTreeMap<NaiveDate, usize>,
    /// Messages of every mailbox (all availabilities), their `to` entries and attachments.
    pub messages: usize,
    pub message_recipients: usize,
    pub message_attachments: usize,
    pub messages_per_day: BTreeMap<NaiveDate, usize>,
    /// Extensions in the list (the `extensions` snapshot).
    pub extensions: usize,
    /// The account's time zone and currency (the `account` snapshot).
    pub account_time_zone: String,
    pub account_currency: String,
}

fn sim_config(
    account: &AccountArgs,
    data_from: DateTime<Utc>,
    data_to: DateTime<Utc>,
    window_secs: u64,
) -> SimConfig {
    let limits = if window_secs == 60 {
        RateLimits::default()
    } else {
        RateLimits::scaled(window_secs)
    };
    SimConfig::new()
        .with_seed(account.seed)
        .with_extensions(account.extensions)
        .with_calls_per_day(account.calls_per_day)
        .with_messages_per_extension_per_day(account.messages_per_day)
        .with_data_range(data_from, data_to)
        .with_limits(limits)
}

fn sim_credentials(server_url: String) -> Credentials {
    let c = SimCredentials::default();
    Credentials::new(
        server_url,
        c.client_id.clone(),
        Secret::new(c.client_secret.clone()),
        Secret::new(c.jwt.clone()),
    )
}

/// Prepares the demo lake: refuses a directory that holds anything but an earlier demo.
fn fresh_demo_lake(lake: &Path) -> anyhow::Result<()> {
    if lake.exists() {
        let empty = std::fs::read_dir(lake)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !lake.join(DEMO_MARKER).exists() {
            return Err(config::ConfigError(format!(
                "{} exists and is not a demo lake; pass --lake with a new directory",
                lake.display()
            ))
            .into());
        }
        std::fs::remove_dir_all(lake)
            .with_context(|| format!("cannot clear the old demo lake {}", lake.display()))?;
    }
    std::fs::create_dir_all(lake).with_context(|| format!("cannot create {}", lake.display()))?;
    std::fs::write(
        lake.join(DEMO_MARKER),
        b"made by `ringlake demo`; the next demo replaces this directory\n",
    )
    .with_context(|| format!("cannot write in {}", lake.display()))?;
    Ok(())
}

pub async fn demo(
    args: &DemoArgs,
    progress: &dyn Progress,
) -> anyhow::Result<(RunReport, DemoTruth)> {
    let tz: Tz = config::parse_tz(Some(&args.time_zone))?;
    let (from, to) = demo_days(Utc::now().date_naive());
    fresh_demo_lake(&args.lake)?;

    // Generate a day more on each side than asked, so any partition time zone finds its days.
    let data_from = from
        .checked_sub_days(Days::new(1))
        .unwrap_or(from)
        .and_time(Default::default())
        .and_utc();
    let data_to = to
        .checked_add_days(Days::new(2))
        .unwrap_or(to)
        .and_time(Default::default())
        .and_utc();
    let sim = Simulator::new(sim_config(
        &args.account,
        data_from,
        data_to,
        args.rate_window_secs,
    ));
    let handle = sim
        .serve("127.0.0.1:0".parse()?)
        .await
        .context("cannot start the simulator on 127.0.0.1")?;
    eprintln!(
        "demo: simulator on {} ({} extensions, ~{} calls/day, ~{} messages/extension/day, rate-limit window {} s), days {from}..{to} ({tz})",
        handle.base_url(),
        args.account.extensions,
        args.account.calls_per_day,
        args.account.messages_per_day,
        args.rate_window_secs
    );

    let spec = RunSpec {
        name: "demo".into(),
        from,
        to,
        lake: ringlake_load::Lake::local(&args.lake),
        raw: args.lake.join("_raw"),
        state: args.lake.join("_state"),
        time_zone: tz,
        lookback_days: config::DEFAULT_LOOKBACK_DAYS,
        concurrency: config::DEFAULT_CONCURRENCY,
        per_page: config::DEFAULT_PER_PAGE,
        streams: Stream::DEFAULT.to_vec(),
        deadline: ringlake_extract::ClientOptions::DEFAULT_DEADLINE,
    };
    let result = ringlake_run::run(&spec, sim_credentials(handle.base_url()), true, progress).await;
    let truth = handle.truth();
    handle.shutdown().await;
    let report = result?;

    let (start, _) = ringlake_contracts::day::day_window(from, tz);
    let (_, end) = ringlake_contracts::day::day_window(to, tz);
    let mut t = DemoTruth {
        from,
        to,
        time_zone: tz.name().to_string(),
        calls: 0,
        legs: 0,
        deleted: 0,
        calls_per_day: BTreeMap::new(),
        messages: 0,
        message_recipients: 0,
        message_attachments: 0,
        messages_per_day: BTreeMap::new(),
        extensions: truth.extensions.len(),
        account_time_zone: truth.account.time_zone.clone(),
        account_currency: truth.account.currency.clone(),
    };
    for c in truth.calls_in(start, end) {
        t.calls += 1;
        t.legs += c.leg_count;
        t.deleted += usize::from(c.deleted);
        *t.calls_per_day
            .entry(c.start_time.with_timezone(&tz).date_naive())
            .or_default() += 1;
    }
    for m in truth
        .messages
        .iter()
        .filter(|m| (start..end).contains(&m.creation_time))
    {
        t.messages += 1;
        t.message_recipients += m.recipient_count;
        t.message_attachments += m.attachment_ids.len();
        *t.messages_per_day
            .entry(m.creation_time.with_timezone(&tz).date_naive())
            .or_default() += 1;
    }
    if let Some(path) = &args.truth_out {
        std::fs::write(path, serde_json::to_vec_pretty(&t)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok((report, t))
}

pub async fn sim_serve(args: &SimServeArgs) -> anyhow::Result<()> {
    let (def_from, def_to) = demo_days(Utc::now().date_naive());
    let from = args
        .from
        .as_deref()
        .map(|s| config::parse_day("--from", s))
        .transpose()?
        .unwrap_or(def_from);
    let to = args
        .to
        .as_deref()
        .map(|s| config::parse_day("--to", s))
        .transpose()?
        .unwrap_or(def_to);
    if to < from {
        return Err(config::ConfigError(format!("--to {to} is before --from {from}")).into());
    }
    let data_from = from.and_time(Default::default()).and_utc();
    let data_to = to
        .checked_add_days(Days::new(1))
        .unwrap_or(to)
        .and_time(Default::default())
        .and_utc();
    let cfg = sim_config(&args.account, data_from, data_to, args.rate_window_secs)
        .with_access_token_ttl_secs(args.access_token_ttl_secs)
        .with_date_to_inclusive(args.date_to_inclusive)
        .with_faults(faults(&args.faults)?);
    let handle = Simulator::new(cfg)
        .serve(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let truth = handle.truth();
    println!(
        "simulator listening on {} with {} calls ({from}..{to}); ground truth at {}/_admin/truth",
        handle.base_url(),
        truth.calls.len(),
        handle.base_url()
    );
    println!(
        "use: RC_SERVER_URL={} RC_CLIENT_ID={} and the simulator's documented secret and JWT (README); Ctrl-C stops it",
        handle.base_url(),
        SimCredentials::default().client_id
    );
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    handle.shutdown().await;
    Ok(())
}

/// The fault flags, each a fraction of requests between 0 and 1.
fn faults(a: &FaultArgs) -> anyhow::Result<Faults> {
    for (flag, rate) in [
        ("--fault-503-rate", a.fault_503_rate),
        ("--fault-drop-rate", a.fault_drop_rate),
        ("--fault-truncate-rate", a.fault_truncate_rate),
        ("--fault-slow-rate", a.fault_slow_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(config::ConfigError(format!(
                "{flag} {rate} is not a fraction between 0 and 1"
            ))
            .into());
        }
    }
    Ok(Faults::new()
        .with_503_rate(a.fault_503_rate)
        .with_drop_rate(a.fault_drop_rate)
        .with_truncate_rate(a.fault_truncate_rate)
        .with_slow_rate(a.fault_slow_rate)
        .with_slow_ms(a.fault_slow_ms)
        .with_seed(a.fault_seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_covers_last_month_and_the_next_first_day() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            demo_days(d("2026-11-22")),
            (d("2026-10-01"), d("2026-11-01"))
        );
        assert_eq!(
            demo_days(d("2026-01-01")),
            (d("2025-12-01"), d("2026-01-01"))
        );
        assert_eq!(
            demo_days(d("2024-03-31")),
            (d("2024-02-01"), d("2024-03-01"))
        );
    }
}
