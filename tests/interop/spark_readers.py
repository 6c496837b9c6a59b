"""Reads a ringlake lake with Spark (pyspark, local[2], session time zone UTC) and checks it as
readers.py checks the other readers: row counts of every table, column types, aggregates;
then runs the Spark SQL of docs/queries.md and checks each result (queries.py).

usage: spark_readers.py LAKE TRUTH_JSON   (LAKE: a local directory; Spark's S3 connector,
hadoop-aws, is a Maven download this machine cannot make)
Prints `spark ok …` and `spark-sql NAME ok …` lines; exits 1 with MISMATCH lines on any
difference. Needs requirements-spark.txt and Java 17 (`make test-spark` installs both).
"""
from __future__ import annotations

import sys
import time
from decimal import Decimal

import queries
from lake import Lake, Truth, differences


def session():
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("ringlake-readers")
        .config("spark.sql.session.timeZone", "UTC")
        # Loopback only, no web UI; few shuffle partitions for a small lake.
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def read_spark(spark, lake: Lake) -> tuple[dict, list[str]]:
    from pyspark.sql import functions as F

    def table(t: str):
        # Partition discovery types `date=YYYY-MM-DD` as DateType; `_manifest.json` and
        # other `_` names are skipped.
        return spark.read.parquet(lake.table_dir(t))

    calls = table("calls")
    types = {f.name: f.dataType.simpleString() for f in calls.schema.fields}
    want_types = {
        "start_time": "timestamp",  # TimestampType: an instant, shown in the session zone
        "billing_cost_included": "decimal(18,6)",
        "billing_cost_purchased": "decimal(18,6)",
        "date": "date",
        "extension_id": "bigint",
        "duration": "bigint",
    }
    problems = [
        f"spark: calls.{c} is {types.get(c)!r}, expected {w!r}" for c, w in want_types.items() if types.get(c) != w
    ]

    def counts(df, col: str) -> dict:
        return {str(r[0]): r[1] for r in df.groupBy(col).count().collect()}

    agg = calls.agg(
        F.sum("billing_cost_included").alias("inc"),
        F.sum("billing_cost_purchased").alias("pur"),
        F.unix_millis(F.min("start_time")).alias("lo"),
        F.unix_millis(F.max("start_time")).alias("hi"),
        F.sum(F.unix_millis("start_time")).alias("sum_ms"),
    ).collect()[0]
    facts = {
        "rows": {t: table(t).count() for t in lake.tables()},
        "calls_per_day": counts(calls, "date"),
        "calls_per_direction": counts(calls, "direction"),
        "billing_cost_included": agg["inc"] if agg["inc"] is not None else Decimal(0),
        "billing_cost_purchased": agg["pur"] if agg["pur"] is not None else Decimal(0),
        "start_time_min_ms": agg["lo"],
        "start_time_max_ms": agg["hi"],
        "start_time_sum_ms": agg["sum_ms"],
        "messages_per_day": counts(table("messages"), "date"),
    }
    return facts, problems


def main(lake_url: str, truth_path: str) -> int:
    if lake_url.startswith("s3://"):
        print("spark_readers.py reads local lakes only (no hadoop-aws here)", file=sys.stderr)
        return 2
    lake = Lake(lake_url)
    truth = Truth(truth_path)
    started = time.monotonic()
    spark = session()
    print(f"spark {spark.version} session in {time.monotonic() - started:.1f} s")
    problems: list[str] = []
    try:
        got, found = read_spark(spark, lake)
        found += differences("spark", got, truth.facts())
        problems += found
        if not found:
            rows = ", ".join(f"{t} {n}" for t, n in got["rows"].items())
            print(f"spark ok on {lake.url}: {rows}; types, days, directions, billing, start instants = simulator")

        sqls, doc_problems = queries.load("spark")
        problems += doc_problems
        for name in queries.NAMES:
            if name not in sqls:
                continue
            try:
                df = spark.sql(queries.render(sqls[name], lake.url))
                columns = df.columns
                rows = [tuple(r) for r in df.collect()]
            except Exception as e:  # a query that does not run is the finding
                problems.append(f"spark-sql {name}: {type(e).__name__}: {str(e)[:500]}")
                continue
            found = queries.differences("spark", name, columns, rows, queries.expected(name, truth, lake))
            problems += found
            if not found:
                print(f"spark-sql {name} ok: {len(rows)} rows = simulator")
    finally:
        spark.stop()
    for p in problems:
        print(f"MISMATCH {p}")
    print(f"spark total {time.monotonic() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
