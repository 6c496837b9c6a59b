//! `ringlake-bench`: the inputs and the floor of `make bench` (`bench/run.py` drives it and
//! times ringlake and DuckDB on what it makes).
//!
//! - `generate --records N --out DIR`: the simulator's generator makes an account with about
//!   N call-log records over whole UTC days, and every record is written as the server pages
//!   it for `view=Detailed&showDeleted=true&perPage=1000`, one window per day, into
//!   ringlake's raw layout `DIR/raw/call-log/<day>/page-NNNNN.json`. `DIR/truth.json` holds
//!   what a correct lake of those pages contains.
//! - `parse-floor --raw DIR`: every page file below `DIR/call-log` read and parsed on all
//!   cores (serde_json, every byte through the JSON grammar once, nothing built or kept),
//!   nothing written: the least time a transform of these files can take.

use ringlake_contracts::Stream;
use ringlake_contracts::raw::{Window, page_file_name};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, bail};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use rayon::prelude::*;
use ringlake_sim::{SimConfig, Simulator};
use serde::{Deserialize, Serialize};

/// The allocator of the `ringlake` binary: the floors allocate as the transform does.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "ringlake-bench",
    about = "Benchmark inputs and floors for `make bench`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Raw call-log pages of about N records, and their truth.
    Generate {
        #[arg(long)]
        records: u64,
        #[arg(long)]
        out: PathBuf,
        /// Records per UTC day, about (the days follow from --records, whole weeks, so that
        /// the weekly shape of the traffic averages out).
        #[arg(long, default_value_t = 14_286)]
        per_day: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Parse every page below RAW/call-log on all cores; print a JSON line of figures.
    ParseFloor {
        #[arg(long)]
        raw: PathBuf,
        /// Deserialize the records into ringlake-model's call-log structs (what the
        /// transform reads them into) instead of only through the JSON grammar.
        #[arg(long)]
        typed: bool,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Generate {
            records,
            out,
            per_day,
            seed,
        } => generate(records, per_day, seed, &out),
        Command::ParseFloor { raw, typed } => parse_floor(&raw, typed),
    }
}

/// The first day of generated data: fixed, so that runs are comparable, and in the past,
/// so that the simulator serves every record.
const FIRST_DAY: &str = "2026-03-02";
const PER_PAGE: u32 = 1000;

/// What a lake made from the pages must hold (compared by bench/run.py).
#[derive(Serialize)]
struct Truth {
    records: usize,
    legs: usize,
    recordings: usize,
    deleted: usize,
    /// Records per UTC start day.
    per_day: BTreeMap<String, usize>,
    billing_cost_included_micros: i128,
    billing_cost_purchased_micros: i128,
    pages: usize,
    bytes: u64,
}

fn generate(records: u64, per_day: u64, seed: u64, out: &Path) -> anyhow::Result<()> {
    if records == 0 || per_day == 0 {
        bail!("--records and --per-day must be positive");
    }
    let started = Instant::now();
    let days = records.div_ceil(per_day * 7) * 7;
    let first: NaiveDate = FIRST_DAY.parse()?;
    let start = first.and_time(Default::default()).and_utc();
    let end = start + Duration::days(i64::try_from(days)?);
    let cfg = SimConfig::new()
        .with_seed(seed)
        .with_extensions(1000)
        .with_calls_per_day(u32::try_from(records.div_ceil(days))?)
        .with_messages_per_extension_per_day(0)
        .with_data_range(start, end);
    let sim = Simulator::new(cfg);
    let raw = out.join("raw").join(Stream::CallLog.name());
    if out.join("raw").exists() {
        fs::remove_dir_all(out.join("raw"))
            .with_context(|| format!("cannot clear {}", out.display()))?;
    }
    let day_list: Vec<DateTime<Utc>> = (0..days)
        .map(|d| start + Duration::days(i64::try_from(d).unwrap_or(0)))
        .collect();
    let written: Vec<(usize, u64)> = day_list
        .par_iter()
        .map(|&from| write_day(&sim, &raw, from))
        .collect::<anyhow::Result<_>>()?;

    let truth = sim.truth();
    let mut t = Truth {
        records: truth.calls.len(),
        legs: truth.calls.iter().map(|c| c.leg_count).sum(),
        recordings: truth
            .calls
            .iter()
            .filter(|c| c.recording_id.is_some())
            .count(),
        deleted: truth.calls.iter().filter(|c| c.deleted).count(),
        per_day: BTreeMap::new(),
        billing_cost_included_micros: 0,
        billing_cost_purchased_micros: 0,
        pages: written.iter().map(|w| w.0).sum(),
        bytes: written.iter().map(|w| w.1).sum(),
    };
    for c in &truth.calls {
        *t.per_day
            .entry(c.start_time.date_naive().to_string())
            .or_default() += 1;
        t.billing_cost_included_micros += micros(c.billing_cost_included.as_deref())?;
        t.billing_cost_purchased_micros += micros(c.billing_cost_purchased.as_deref())?;
    }
    fs::write(out.join("truth.json"), serde_json::to_vec_pretty(&t)?)?;
    eprintln!(
        "generated {} records ({} legs) in {} pages, {:.0} MB, {:.0} bytes a record, in {:.1} s",
        t.records,
        t.legs,
        t.pages,
        t.bytes as f64 / 1e6,
        t.bytes as f64 / t.records.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The pages of the day window `[from, from + 1 day)`, as the extractor lands them.
fn write_day(sim: &Simulator, raw: &Path, from: DateTime<Utc>) -> anyhow::Result<(usize, u64)> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Nav {
        next_page: Option<serde::de::IgnoredAny>,
    }
    #[derive(Deserialize)]
    struct Envelope {
        navigation: Nav,
    }
    let dir = raw.join(Window::Day(from.date_naive()).rel_dir());
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let to = from + Duration::days(1);
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let (mut pages, mut bytes) = (0, 0);
    for page in 1.. {
        let query = format!(
            "view=Detailed&showDeleted=true&dateFrom={}&dateTo={}&page={page}&perPage={PER_PAGE}",
            fmt(from),
            fmt(to)
        );
        let body = sim.call_log_page(&query)?;
        // Uncompressed, as other tools save pages (the transform reads both).
        let name = page_file_name(page);
        let path = dir.join(name.strip_suffix(".zst").unwrap_or(&name));
        fs::write(&path, &body).with_context(|| format!("cannot write {}", path.display()))?;
        pages += 1;
        bytes += body.len() as u64;
        let env: Envelope = serde_json::from_slice(&body)?;
        if env.navigation.next_page.is_none() {
            break;
        }
    }
    Ok((pages, bytes))
}

/// `"0.137"` → 137000; none → 0.
fn micros(s: Option<&str>) -> anyhow::Result<i128> {
    let Some(s) = s else { return Ok(0) };
    let (neg, digits) = s.strip_prefix('-').map_or((false, s), |d| (true, d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if frac.len() > 6 {
        bail!("money {s:?} has more than 6 decimals");
    }
    let v: i128 = format!("{int}{frac:0<6}")
        .parse()
        .with_context(|| format!("money {s:?}"))?;
    Ok(if neg { -v } else { v })
}

/// Figures of the parse-only floor.
#[derive(Serialize)]
struct Floor {
    files: usize,
    bytes: u64,
    records: usize,
    seconds: f64,
}

fn parse_floor(raw: &Path, typed: bool) -> anyhow::Result<()> {
    /// Every byte of the page goes through the JSON grammar once; records are counted,
    /// nothing is kept or allocated for them.
    #[derive(Deserialize)]
    struct Page {
        records: Vec<serde::de::IgnoredAny>,
    }
    /// The records as the transform reads them, then dropped.
    #[derive(Deserialize)]
    struct TypedPage {
        records: Vec<ringlake_model::CallLogRecord>,
    }
    let started = Instant::now();
    let mut files = Vec::new();
    let root = raw.join(Stream::CallLog.name());
    for day in fs::read_dir(&root).with_context(|| format!("cannot list {}", root.display()))? {
        for page in fs::read_dir(day?.path())? {
            files.push(page?.path());
        }
    }
    let per_file: Vec<(u64, usize)> = files
        .par_iter()
        .map(|path| {
            let bytes =
                fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let records = if typed {
                serde_json::from_slice::<TypedPage>(&bytes).map(|p| p.records.len())
            } else {
                serde_json::from_slice::<Page>(&bytes).map(|p| p.records.len())
            }
            .with_context(|| format!("{} is not a page", path.display()))?;
            Ok((bytes.len() as u64, records))
        })
        .collect::<anyhow::Result<_>>()?;
    let floor = Floor {
        files: files.len(),
        bytes: per_file.iter().map(|f| f.0).sum(),
        records: per_file.iter().map(|f| f.1).sum(),
        seconds: started.elapsed().as_secs_f64(),
    };
    println!("{}", serde_json::to_string(&floor)?);
    Ok(())
}
