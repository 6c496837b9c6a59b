"""Reads a ringlake lake with DuckDB and prints what the end-to-end tests compare with the
simulator's ground truth, as one JSON object on stdout.

usage: lake_summary.py LAKE
"""
import json
import sys

import duckdb


def main(lake: str) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    calls = f"read_parquet('{lake}/calls/*/*.parquet', hive_partitioning=true)"
    legs = f"read_parquet('{lake}/call_legs/*/*.parquet', hive_partitioning=true)"
    out = {
        "calls": con.execute(f"SELECT count(*) FROM {calls}").fetchone()[0],
        "distinct_ids": con.execute(f"SELECT count(DISTINCT id) FROM {calls}").fetchone()[0],
        "legs": con.execute(f"SELECT count(*) FROM {legs}").fetchone()[0],
        "per_day": {str(d): n for d, n in con.execute(f"SELECT date, count(*) FROM {calls} GROUP BY ALL").fetchall()},
        # Decimal sums come back as exact decimals; print them as text.
        "billing_included": str(con.execute(f"SELECT coalesce(sum(billing_cost_included), 0) FROM {calls}").fetchone()[0]),
        "types": {
            r[0]: r[1]
            for r in con.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {calls}) "
                "WHERE column_name IN ('start_time', 'billing_cost_included', 'date', 'extension_id', 'deleted')"
            ).fetchall()
        },
        "min_start": str(con.execute(f"SELECT min(start_time)::VARCHAR FROM {calls}").fetchone()[0]),
    }
    messages = f"read_parquet('{lake}/messages/*/*.parquet', hive_partitioning=true)"
    out["messages"] = con.execute(f"SELECT count(*) FROM {messages}").fetchone()[0]
    # Ids as text, so that nothing on the way (JSON, Python) can round them.
    out["conversation_ids"] = sorted(
        r[0] for r in con.execute(
            f"SELECT DISTINCT conversation_id::VARCHAR FROM {messages} WHERE conversation_id IS NOT NULL"
        ).fetchall()
    )
    out["message_types"] = {
        r[0]: r[1]
        for r in con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {messages}) "
            "WHERE column_name IN ('id', 'conversation_id', 'creation_time', 'date')"
        ).fetchall()
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
