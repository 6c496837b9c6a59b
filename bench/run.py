"""`make bench`: ringlake against DuckDB on the same raw call-log pages, and both against the
parse-only floor, at 100 k and 1 M records (or the sizes given).

usage: run.py BIN_DIR [RECORDS ...]
BIN_DIR holds the release `ringlake` and `ringlake-bench`. For each size: `ringlake-bench
generate` makes the pages once (bench/data/<records>/, reused while its truth.json matches);
then, each in its own process on the same files (warm page cache; the floors run first and
warm it), BENCH_REPEAT rounds of one run each (default 3; the median wall time and the
largest peak RSS are kept): the parse-only floors (every byte through the JSON grammar; the records deserialized
into ringlake-model's structs), `ringlake transform` (raw → calls, call_legs,
call_recordings) and DuckDB's flattening into calls and call_legs. Wall time and peak RSS
come from the kernel (wait4). ringlake's lake is then checked against the generator's truth
(row counts, records per day, billing sums) with DuckDB. Then a month of a 4,000-extension
account is extracted from `ringlake sim serve` at the API's default limits with 1 s windows
(BENCH_EXTRACT=0 skips it): wall time against the least the limits allow, 429 responses,
requests against the paging minimum. Figures go to bench/results.json.
"""
from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent


REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def measure(tools: list[dict]) -> dict[str, dict]:
    """Runs each tool REPEAT times, in rounds of one run of each, in the order given (a
    tool's `before()` ahead of each of its runs, its `after_first()` after its first): this
    machine's speed drifts over minutes, and rounds let every tool meet the same drift, so
    the ratios compare like with like. Per tool: the median wall seconds, the largest peak
    RSS, and the last stdout."""
    runs: dict[str, list[dict]] = {t["name"]: [] for t in tools}
    for round_ in range(REPEAT):
        for t in tools:
            if t.get("before"):
                t["before"]()
            # What the last run wrote goes to disk now, not during this run (ringlake syncs
            # each file it publishes, which would wait for the previous tool's writes too).
            os.sync()
            runs[t["name"]].append(measure_once(t["cmd"], t.get("env")))
            if round_ == 0 and t.get("after_first"):
                t["after_first"]()
    out = {}
    for name, r in runs.items():
        walls = sorted(x["seconds"] for x in r)
        out[name] = {
            "seconds": walls[len(walls) // 2],
            "all_seconds": [x["seconds"] for x in r],
            "peak_rss_mb": max(x["peak_rss_mb"] for x in r),
            "stdout": r[-1]["stdout"],
        }
    return out


def measure_once(cmd: list[str], env: dict | None = None) -> dict:
    """Runs cmd once; wall seconds, peak RSS (MB) of the process, and its stdout."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env={**os.environ, **(env or {})})
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"bench: {' '.join(cmd)} exited {code}")
    return {"seconds": round(wall, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "stdout": stdout.decode()}


def generate(bench_bin: Path, records: int, data: Path) -> dict:
    truth_path = data / "truth.json"
    meta_path = data / "generated-for.json"
    want = {"records": records, "generator": "ringlake-bench generate v2"}
    if truth_path.exists() and meta_path.exists() and json.loads(meta_path.read_text()) == want:
        return json.loads(truth_path.read_text())
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(bench_bin), "generate", "--records", str(records), "--out", str(data)], check=True)
    meta_path.write_text(json.dumps(want))
    return json.loads(truth_path.read_text())


def column_spec(lake: Path) -> dict:
    """Each column of ringlake's `calls` and `call_legs` with the API field it comes from
    (its `ringlake.source` metadata) and its Arrow type: DuckDB flattens the same fields."""
    import pyarrow.parquet as pq

    spec = {}
    for table in ("calls", "call_legs"):
        schema = pq.read_schema(next((lake / table).glob("*/*.parquet")))
        spec[table] = [
            [f.name, (f.metadata or {}).get(b"ringlake.source", b"").decode(), str(f.type)] for f in schema
        ]
    return spec


def check_lake(lake: Path, truth: dict) -> list[str]:
    """ringlake's lake against the generator's truth; the differences."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    src = lambda t: f"read_parquet('{lake}/{t}/*/*.parquet', hive_partitioning = true)"
    problems = []
    calls = con.execute(f"SELECT count(*) FROM {src('calls')}").fetchone()[0]
    legs = con.execute(f"SELECT count(*) FROM {src('call_legs')}").fetchone()[0]
    recs = con.execute(f"SELECT count(*) FROM {src('call_recordings')}").fetchone()[0]
    deleted = con.execute(f"SELECT count(*) FILTER (WHERE deleted) FROM {src('calls')}").fetchone()[0]
    for name, got, want in [
        ("calls", calls, truth["records"]),
        ("call_legs", legs, truth["legs"]),
        ("call_recordings", recs, truth["recordings"]),
        ("deleted calls", deleted, truth["deleted"]),
    ]:
        if got != want:
            problems.append(f"{name}: {got} rows, the generator made {want}")
    per_day = dict(
        (str(d), n) for d, n in con.execute(f"SELECT date, count(*) FROM {src('calls')} GROUP BY 1").fetchall()
    )
    if per_day != truth["per_day"]:
        problems.append(f"calls per day differ: {per_day} vs {truth['per_day']}")
    inc, pur = con.execute(
        f"SELECT coalesce(sum(billing_cost_included), 0), coalesce(sum(billing_cost_purchased), 0) FROM {src('calls')}"
    ).fetchone()
    for name, got, want in [
        ("billing_cost_included", inc, truth["billing_cost_included_micros"]),
        ("billing_cost_purchased", pur, truth["billing_cost_purchased_micros"]),
    ]:
        if Decimal(got) * 1_000_000 != want:
            problems.append(f"sum({name}) = {got}, the generator's {Decimal(want) / 1_000_000}")
    return problems


def run_size(bin_dir: Path, python: str, records: int) -> dict:
    data = HERE / "data" / str(records)
    truth = generate(bin_dir / "ringlake-bench", records, data)
    raw = data / "raw"
    n, mb = truth["records"], truth["bytes"] / 1e6
    print(f"\n{n:,} records, {truth['legs']:,} legs, {truth['pages']} pages, {mb:,.0f} MB of JSON")

    out = data / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()

    def fresh(path: Path):
        return lambda: shutil.rmtree(path, ignore_errors=True)

    spec = out / "columns.json"
    measured = measure(
        [
            {"name": "parse_floor", "cmd": [str(bin_dir / "ringlake-bench"), "parse-floor", "--raw", str(raw)]},
            {
                "name": "typed_parse_floor",
                "cmd": [str(bin_dir / "ringlake-bench"), "parse-floor", "--typed", "--raw", str(raw)],
            },
            {
                "name": "ringlake",
                "cmd": [
                    str(bin_dir / "ringlake"), "--no-progress", "transform", "--raw", str(raw),
                    "--lake", str(out / "ringlake"), "--time-zone", "UTC",
                ],
                "env": {"RUST_LOG": "warn"},
                "before": fresh(out / "ringlake"),
                # DuckDB flattens the columns ringlake's lake has.
                "after_first": lambda: spec.write_text(json.dumps(column_spec(out / "ringlake"))),
            },
            {
                "name": "duckdb",
                "cmd": [python, str(HERE / "duckdb_flatten.py"), str(raw), str(out / "duckdb"), str(spec)],
                "before": fresh(out / "duckdb"),
            },
        ]
    )
    floor, typed_floor = measured["parse_floor"], measured["typed_parse_floor"]
    ringlake, duck = measured["ringlake"], measured["duckdb"]
    problems = check_lake(out / "ringlake", truth)

    result = {"records": n, "legs": truth["legs"], "json_mb": round(mb, 1)}
    for name, m in [("ringlake", ringlake), ("duckdb", duck), ("parse_floor", floor), ("typed_parse_floor", typed_floor)]:
        result[name] = {
            "seconds": m["seconds"],
            "all_seconds": m["all_seconds"],
            "peak_rss_mb": m["peak_rss_mb"],
            "records_per_s": round(n / m["seconds"]),
            "mb_per_s": round(mb / m["seconds"], 1),
        }
    result["duckdb"]["output"] = json.loads(duck["stdout"])
    result["ratios"] = {
        "speed_vs_duckdb": round(duck["seconds"] / ringlake["seconds"], 2),
        "rss_vs_duckdb": round(ringlake["peak_rss_mb"] / duck["peak_rss_mb"], 3),
        "time_vs_parse_floor": round(ringlake["seconds"] / floor["seconds"], 2),
        "time_vs_typed_parse_floor": round(ringlake["seconds"] / typed_floor["seconds"], 2),
    }
    result["checks"] = "ok" if not problems else problems
    print(f"median of {REPEAT} rounds")
    print(f"{'':17} {'seconds':>8} {'records/s':>11} {'MB/s':>7} {'peak RSS MB':>12}")
    for name in ("ringlake", "duckdb", "parse_floor", "typed_parse_floor"):
        r = result[name]
        print(f"{name:17} {r['seconds']:8.2f} {r['records_per_s']:11,} {r['mb_per_s']:7.1f} {r['peak_rss_mb']:12.1f}")
    ratios = result["ratios"]
    print(
        f"ringlake: {ratios['speed_vs_duckdb']}x DuckDB's speed, {ratios['rss_vs_duckdb']}x its peak RSS, "
        f"{ratios['time_vs_parse_floor']}x the parse floor's time, "
        f"{ratios['time_vs_typed_parse_floor']}x the typed parse floor's; checks: "
        + ("ok (rows, calls per day, billing sums = generator)" if not problems else "; ".join(problems))
    )
    return result


# The API's default plan (API-NOTES §5): requests per window of each rate group.
DEFAULT_LIMITS = {"Light": 50, "Medium": 40, "Heavy": 10, "Auth": 5}


def extraction(bin_dir: Path, users: int = 4000, calls_per_day: int = 20_000, window_secs: int = 1) -> dict:
    """A month of a `users`-extension account extracted from `ringlake sim serve` at the
    default limits with a `window_secs` window (the real one is 60 s): wall time against the
    least the limits allow for the requests made, 429 responses, requests against the paging
    minimum."""
    ringlake = str(bin_dir / "ringlake")
    first, last = "2026-10-01", "2026-10-30"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sim = subprocess.Popen(
        [ringlake, "--no-progress", "sim", "serve", "--addr", f"127.0.0.1:{port}", "--from", first, "--to", last,
         "--extensions", str(users), "--calls-per-day", str(calls_per_day), "--messages-per-day", "1",
         "--rate-window-secs", str(window_secs)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "warn"},
    )
    try:
        ready = sim.stdout.readline()
        if "listening" not in ready:
            sys.exit(f"bench: the simulator did not start: {ready!r}")
        env = {
            "RC_SERVER_URL": f"http://127.0.0.1:{port}",
            "RC_CLIENT_ID": "sim-client-id",
            "RC_CLIENT_SECRET": "sim-client-secret",
            "RC_JWT": "sim-jwt-credential",
            "RUST_LOG": "warn",
        }
        with tempfile.TemporaryDirectory() as work:
            m = measure_once(
                [ringlake, "--no-progress", "extract", "--from", first, "--to", last, "--lake", f"{work}/lake",
                 "--streams", "call-log,message-store,extensions"],
                env,
            )
    finally:
        sim.send_signal(signal.SIGINT)
        try:
            sim.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sim.kill()
    summary = m["stdout"]
    totals = re.search(r"^requests (\d+) \(([^)]*)\), 429 responses: (\d+)", summary, re.M)
    if not totals:
        sys.exit(f"bench: no request line in the extract summary:\n{summary}")
    by_group = {g: int(n) for g, n in (part.split() for part in totals.group(2).split(", "))}
    least = max(
        (math.ceil(n / DEFAULT_LIMITS[g]) - 1) * window_secs for g, n in by_group.items() if g in DEFAULT_LIMITS
    )
    minimums = dict(re.findall(r"(\w+) \d+ \(paging minimum (\d+)\)", summary))
    result = {
        "users": users,
        "days": 30,
        "window_secs": window_secs,
        "seconds": m["seconds"],
        "least_seconds": least,
        "requests": by_group,
        "paging_minimum": {g: int(n) for g, n in minimums.items()},
        "responses_429": int(totals.group(3)),
    }
    print(
        f"\nextract: a month of {users} extensions at the default limits, {window_secs} s windows: "
        f"{m['seconds']:.1f} s (the limits allow {least} s at least), requests {by_group}, "
        f"{result['responses_429']} responses 429"
    )
    for line in summary.splitlines():
        if line.startswith("extract  "):
            print("  " + line)
    return result


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    bin_dir = Path(argv[0])
    sizes = [int(a) for a in argv[1:]] or [100_000, 1_000_000]
    results = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "duckdb": duckdb.__version__},
        "runs": [run_size(bin_dir, sys.executable, n) for n in sizes],
    }
    runs = results["runs"]
    if os.environ.get("BENCH_EXTRACT", "1") == "1":
        results["extract"] = extraction(bin_dir)
    if len(runs) > 1:
        results["rss_growth_largest_vs_smallest"] = round(runs[-1]["ringlake"]["peak_rss_mb"] / runs[0]["ringlake"]["peak_rss_mb"], 2)
        print(f"\nringlake peak RSS at {runs[-1]['records']:,} records: {results['rss_growth_largest_vs_smallest']}x that at {runs[0]['records']:,}")
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures in {HERE / 'results.json'}")
    failed = [r["records"] for r in runs if r["checks"] != "ok"]
    if results.get("extract", {}).get("responses_429"):
        failed.append("extract")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
