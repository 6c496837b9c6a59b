"""Reads a ringlake lake with DuckDB, pyarrow, pandas and Polars and checks each against the
simulator's truth: row counts of every table, the column types analysts rely on (UTC
timestamps, decimals, the partition `date`), and aggregates (calls per day and per
direction, billing totals, first and last start instant, messages per day).

usage: readers.py LAKE TRUTH_JSON

LAKE is a directory or `s3://bucket/prefix` (endpoint and keys from AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
Prints one line per reader; exits 1 with one MISMATCH line per difference.
"""
from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

from lake import Lake, Truth, differences

# The calls columns whose types are checked, in every reader.
TYPED = ["start_time", "billing_cost_included", "billing_cost_purchased", "date", "extension_id", "duration"]


def type_differences(reader: str, got: dict, want: dict) -> list[str]:
    return [
        f"{reader}: calls.{col} is {got.get(col)!r}, expected {w!r}"
        for col, w in want.items()
        if got.get(col) != w
    ]


def not_dates(reader: str, values) -> list[str]:
    """The partition values a reader gives as text must parse as dates."""
    bad = []
    for v in values:
        try:
            date.fromisoformat(v)
        except (TypeError, ValueError):
            bad.append(v)
    return [f"{reader}: partition values that are not dates: {bad[:5]}"] if bad else []


def read_duckdb(lake: Lake, truth: Truth) -> tuple[dict, list[str]]:
    # The session time zone is the partition zone, not UTC, on purpose: TIMESTAMPTZ values
    # are instants, so epoch_ms must not change with it.
    con = lake.duckdb(time_zone=truth.time_zone)

    def src(t: str) -> str:
        return f"read_parquet('{lake.glob(t)}', hive_partitioning = true)"

    def rows(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    calls = src("calls")
    types = dict(rows(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {calls})"))
    problems = type_differences(
        "duckdb",
        types,
        {
            "start_time": "TIMESTAMP WITH TIME ZONE",
            "billing_cost_included": "DECIMAL(18,6)",
            "billing_cost_purchased": "DECIMAL(18,6)",
            "date": "DATE",  # hive_types_autocast (on by default) types it from the path
            "extension_id": "BIGINT",
            "duration": "BIGINT",
        },
    )
    inc, pur, lo, hi, total_ms = rows(
        f"SELECT sum(billing_cost_included), sum(billing_cost_purchased), "
        f"epoch_ms(min(start_time)), epoch_ms(max(start_time)), sum(epoch_ms(start_time)) FROM {calls}"
    )[0]
    facts = {
        "rows": {t: rows(f"SELECT count(*) FROM {src(t)}")[0][0] for t in lake.tables()},
        "calls_per_day": dict(rows(f"SELECT strftime(date, '%Y-%m-%d'), count(*) FROM {calls} GROUP BY 1")),
        "calls_per_direction": dict(rows(f"SELECT direction, count(*) FROM {calls} GROUP BY 1")),
        "billing_cost_included": inc if inc is not None else Decimal(0),
        "billing_cost_purchased": pur if pur is not None else Decimal(0),
        "start_time_min_ms": lo,
        "start_time_max_ms": hi,
        "start_time_sum_ms": int(total_ms),
        "messages_per_day": dict(
            rows(f"SELECT strftime(date, '%Y-%m-%d'), count(*) FROM {src('messages')} GROUP BY 1")
        ),
    }
    return facts, problems


def read_pyarrow(lake: Lake, truth: Truth) -> tuple[dict, list[str]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    def dataset(t: str):
        return ds.dataset(lake.table_dir(t), filesystem=lake.fs, format="parquet", partitioning="hive")

    calls = dataset("calls")
    types = {c: str(calls.schema.field(c).type) for c in TYPED}
    problems = type_differences(
        "pyarrow",
        types,
        {
            "start_time": "timestamp[ms, tz=UTC]",
            "billing_cost_included": "decimal128(18, 6)",
            "billing_cost_purchased": "decimal128(18, 6)",
            # Hive partition discovery infers only integers; a date comes as text.
            "date": "string",
            "extension_id": "int64",
            "duration": "int64",
        },
    )
    t = calls.to_table(columns=["date", "direction", "start_time", "billing_cost_included", "billing_cost_purchased"])
    problems += not_dates("pyarrow", pc.unique(t["date"]).to_pylist())

    def counts(table: pa.Table, col: str) -> dict:
        g = table.group_by(col).aggregate([([], "count_all")])
        return dict(zip(g[col].to_pylist(), g["count_all"].to_pylist()))

    def total(col: str) -> Decimal:
        v = pc.sum(t[col]).as_py()
        return v if v is not None else Decimal(0)

    epoch_ms = t["start_time"].cast(pa.int64())  # the ms unit: the cast is epoch ms
    start_ms = pc.min_max(epoch_ms).as_py()
    messages = dataset("messages").to_table(columns=["date"])
    facts = {
        "rows": {name: dataset(name).count_rows() for name in lake.tables()},
        "calls_per_day": counts(t, "date"),
        "calls_per_direction": counts(t, "direction"),
        "billing_cost_included": total("billing_cost_included"),
        "billing_cost_purchased": total("billing_cost_purchased"),
        "start_time_min_ms": start_ms["min"],
        "start_time_max_ms": start_ms["max"],
        "start_time_sum_ms": pc.sum(epoch_ms).as_py(),
        "messages_per_day": counts(messages, "date"),
    }
    return facts, problems


def read_pandas(lake: Lake, truth: Truth) -> tuple[dict, list[str]]:
    import pandas as pd
    import pyarrow.parquet as pq

    def frame(t: str, columns: list[str]) -> pd.DataFrame:
        return pd.read_parquet(lake.table_dir(t), engine="pyarrow", filesystem=lake.fs, columns=columns)

    df = frame("calls", TYPED + ["direction"])
    types = {c: str(df[c].dtype) for c in TYPED if c != "date"}
    problems = type_differences(
        "pandas",
        types,
        {
            "start_time": "datetime64[ms, UTC]",
            # Decimals are exact `decimal.Decimal` objects (checked below).
            "billing_cost_included": "object",
            "billing_cost_purchased": "object",
            # NumPy int64 has no null: a column with nulls (calls without an extension) comes
            # as float64 (exact below 2^53; pass dtype_backend="pyarrow" for exact int64).
            "extension_id": "float64" if any(c["extension_id"] is None for c in truth.calls) else "int64",
            "duration": "int64",
        },
    )
    for col in ("billing_cost_included", "billing_cost_purchased"):
        kinds = {type(v).__name__ for v in df[col].dropna()}
        if kinds - {"Decimal"}:
            problems.append(f"pandas: {col} holds {sorted(kinds)}, expected Decimal")
    # The partition column comes back as a categorical of the directory names' text.
    if not isinstance(df["date"].dtype, pd.CategoricalDtype):
        problems.append(f"pandas: calls.date is {df['date'].dtype}, expected category")
    else:
        problems += not_dates("pandas", list(df["date"].cat.categories))

    # Ids above 2^53 (conversation_id) are exact only with a nullable dtype: docs/queries.md
    # tells pandas users to pass dtype_backend; check that it keeps them, against pyarrow.
    exact = pd.read_parquet(
        lake.table_dir("messages"),
        engine="pyarrow",
        filesystem=lake.fs,
        columns=["conversation_id"],
        dtype_backend="numpy_nullable",
    )["conversation_id"]
    reference = pq.read_table(lake.table_dir("messages"), filesystem=lake.fs, columns=["conversation_id"])
    want_ids = {v for v in reference["conversation_id"].to_pylist() if v is not None}
    got_ids = {int(v) for v in exact.dropna()}
    if str(exact.dtype) != "Int64" or got_ids != want_ids or not any(v > 2**53 for v in got_ids):
        problems.append(
            f"pandas: conversation_id with dtype_backend='numpy_nullable' is {exact.dtype}, "
            f"{len(got_ids ^ want_ids)} ids differ from pyarrow's, max {max(got_ids, default=None)}"
        )

    def counts(frame: pd.DataFrame, col: str) -> dict:
        return {str(k): int(v) for k, v in frame.groupby(col, observed=True).size().items()}

    def total(col: str) -> Decimal:
        return sum(df[col].dropna(), Decimal(0))

    def epoch_ms(ts: pd.Timestamp) -> int:
        return (ts - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)

    facts = {
        "rows": {t: len(frame(t, ["date"])) for t in lake.tables()},
        "calls_per_day": counts(df, "date"),
        "calls_per_direction": counts(df, "direction"),
        "billing_cost_included": total("billing_cost_included"),
        "billing_cost_purchased": total("billing_cost_purchased"),
        "start_time_min_ms": epoch_ms(df["start_time"].min()),
        "start_time_max_ms": epoch_ms(df["start_time"].max()),
        "start_time_sum_ms": int(((df["start_time"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)).sum()),
        "messages_per_day": counts(frame("messages", ["date"]), "date"),
    }
    return facts, problems


def read_polars(lake: Lake, truth: Truth) -> tuple[dict, list[str]]:
    import polars as pl

    def scan(t: str) -> pl.LazyFrame:
        return pl.scan_parquet(
            lake.glob(t), hive_partitioning=True, storage_options=lake.polars_storage_options()
        )

    calls = scan("calls")
    schema = calls.collect_schema()
    types = {c: str(schema[c]) for c in TYPED}
    problems = type_differences(
        "polars",
        types,
        {
            "start_time": str(pl.Datetime("ms", "UTC")),
            "billing_cost_included": str(pl.Decimal(18, 6)),
            "billing_cost_purchased": str(pl.Decimal(18, 6)),
            "date": str(pl.Date),
            "extension_id": str(pl.Int64),
            "duration": str(pl.Int64),
        },
    )

    def counts(lf: pl.LazyFrame, col: str) -> dict:
        return {str(k): n for k, n in lf.group_by(col).len().collect().iter_rows()}

    agg = calls.select(
        pl.col("billing_cost_included").sum(),
        pl.col("billing_cost_purchased").sum(),
        pl.col("start_time").min().dt.epoch("ms").alias("lo"),
        pl.col("start_time").max().dt.epoch("ms").alias("hi"),
        pl.col("start_time").dt.epoch("ms").sum().alias("sum_ms"),
    ).collect().row(0, named=True)
    facts = {
        "rows": {t: scan(t).select(pl.len()).collect().item() for t in lake.tables()},
        "calls_per_day": counts(calls, "date"),
        "calls_per_direction": counts(calls, "direction"),
        "billing_cost_included": Decimal(agg["billing_cost_included"] or 0),
        "billing_cost_purchased": Decimal(agg["billing_cost_purchased"] or 0),
        "start_time_min_ms": agg["lo"],
        "start_time_max_ms": agg["hi"],
        "start_time_sum_ms": agg["sum_ms"],
        "messages_per_day": counts(scan("messages"), "date"),
    }
    return facts, problems


READERS = [
    ("duckdb", read_duckdb),
    ("pyarrow", read_pyarrow),
    ("pandas", read_pandas),
    ("polars", read_polars),
]


def check(lake_url: str, truth_path: str) -> int:
    lake = Lake(lake_url)
    truth = Truth(truth_path)
    want = truth.facts()
    missing = [t for t, n in truth.tables.items() if n and not lake.files(t)]
    if missing:
        print(f"MISMATCH the lake {lake.url} has no files for {missing}")
        return 1
    failed = False
    for name, read in READERS:
        try:
            got, problems = read(lake, truth)
        except Exception as e:  # a reader that cannot read the lake is a finding, not a crash
            got, problems = None, [f"{name}: cannot read the lake: {type(e).__name__}: {e}"]
        if got is not None:
            problems += differences(name, got, want)
        if problems:
            failed = True
            print(f"{name} FAILED on {lake.url}")
            for p in problems:
                print(f"MISMATCH {p}")
        else:
            rows = ", ".join(f"{t} {n}" for t, n in got["rows"].items())
            print(
                f"{name} ok on {lake.url}: {rows}; types, {len(want['calls_per_day'])} days, "
                f"directions, billing {got['billing_cost_included']} + {got['billing_cost_purchased']}, "
                f"start instants = simulator"
            )
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    return check(argv[0], argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
