//! Criterion benches of the hot functions, on one day of generated call-log pages (the
//! simulator's generator, as `make bench` uses at scale):
//! - `decode_page`: one page of 1000 Detailed records into ringlake-model's structs;
//! - `transform_window`: one day window's pages → deduplicated records → the Arrow batches
//!   of `calls`, `call_legs` and `call_recordings` (decode + row building);
//! - `partition_split`: the same window split into the partition days of another zone
//!   (Los Angeles: two days out of one UTC window);
//! - `parquet_encode`: one day's `calls` and `call_legs` batches written as zstd Parquet
//!   into a fresh local lake (encoding, checksums, manifest).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_debug_implementations
)] // bench code

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ringlake_sim::{SimConfig, Simulator};
use ringlake_transform::{Stream, TransformOptions, Tz, transform_by_day, transform_call_log};

/// The allocator of the `ringlake` binary: the hot functions allocate as they do there.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const DAY: &str = "2026-03-03";

/// One UTC day window of pages in a raw layout `<dir>/call-log/<DAY>/page-NNNNN.json`.
fn window(dir: &std::path::Path) -> (Vec<PathBuf>, Vec<Vec<u8>>) {
    let from: DateTime<Utc> = format!("{DAY}T00:00:00Z").parse().unwrap();
    let to = from + chrono::Days::new(1);
    let sim = Simulator::new(
        SimConfig::new()
            .with_seed(7)
            .with_extensions(1000)
            .with_calls_per_day(14_000)
            .with_messages_per_extension_per_day(0)
            .with_data_range(from - chrono::Days::new(1), to + chrono::Days::new(1)),
    );
    let day_dir = dir.join(Stream::CallLog.name()).join(DAY);
    std::fs::create_dir_all(&day_dir).unwrap();
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let (mut paths, mut bodies) = (Vec::new(), Vec::new());
    for page in 1.. {
        let query = format!(
            "view=Detailed&showDeleted=true&dateFrom={}&dateTo={}&page={page}&perPage=1000",
            fmt(from),
            fmt(to)
        );
        let body = sim.call_log_page(&query).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let path = day_dir.join(format!("page-{page:05}.json"));
        std::fs::write(&path, &body).unwrap();
        paths.push(path);
        bodies.push(body);
        if value["navigation"]["nextPage"].is_null() {
            break;
        }
    }
    (paths, bodies)
}

fn records(pages: &[PathBuf]) -> u64 {
    let out = transform_call_log(pages, &TransformOptions::new()).unwrap();
    out.stats.records_read as u64
}

fn hot(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (pages, bodies) = window(dir.path());
    let n = records(&pages);

    #[derive(serde::Deserialize)]
    struct Page {
        records: Vec<ringlake_model::CallLogRecord>,
    }
    let mut g = c.benchmark_group("call-log");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("decode_page", |b| {
        b.iter(|| {
            serde_json::from_slice::<Page>(&bodies[0])
                .unwrap()
                .records
                .len()
        });
    });

    g.throughput(Throughput::Elements(n));
    g.bench_function("transform_window", |b| {
        b.iter(|| {
            transform_by_day(
                Stream::CallLog,
                &pages,
                &TransformOptions::new(),
                |_| Ok(()),
            )
            .unwrap()
        });
    });
    let los_angeles = TransformOptions::new().with_time_zone(Tz::America__Los_Angeles);
    g.bench_function("partition_split", |b| {
        b.iter(|| {
            let mut days = 0;
            transform_by_day(Stream::CallLog, &pages, &los_angeles, |_| {
                days += 1;
                Ok(())
            })
            .unwrap();
            assert_eq!(days, 2);
        });
    });

    let out = transform_call_log(&pages, &TransformOptions::new()).unwrap();
    let opts = ringlake_load::LoadOptions::new();
    g.bench_function("parquet_encode", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |lake_dir| {
                let lake = ringlake_load::Lake::local(lake_dir.path());
                for table in out.tables.iter().take(2) {
                    ringlake_load::write_table(&lake, table.name, &table.partitions, &opts)
                        .unwrap();
                }
                lake_dir
            },
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = hot
}
criterion_main!(benches);
