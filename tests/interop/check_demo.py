"""`make demo`'s check: DuckDB reads the demo lake and counts what the simulator held.

usage: check_demo.py LAKE TRUTH_JSON   (exit 1 on any difference)
"""
import json
import sys

import duckdb


def main(lake: str, truth_path: str) -> int:
    truth = json.load(open(truth_path))
    con = duckdb.connect()
    calls = f"read_parquet('{lake}/calls/*/*.parquet', hive_partitioning=true)"
    legs = f"read_parquet('{lake}/call_legs/*/*.parquet', hive_partitioning=true)"
    n_calls = con.execute(f"SELECT count(*) FROM {calls}").fetchone()[0]
    n_legs = con.execute(f"SELECT count(*) FROM {legs}").fetchone()[0]
    per_day = {str(d): n for d, n in con.execute(f"SELECT date, count(*) FROM {calls} GROUP BY ALL").fetchall()}
    problems = []
    if n_calls != truth["calls"]:
        problems.append(f"calls: lake {n_calls} != simulator {truth['calls']}")
    if n_legs != truth["legs"]:
        problems.append(f"legs: lake {n_legs} != simulator {truth['legs']}")
    if per_day != {k: v for k, v in truth["calls_per_day"].items()}:
        problems.append(f"calls per day differ: lake {per_day} simulator {truth['calls_per_day']}")
    print(f"duckdb   calls {n_calls} (simulator {truth['calls']}), legs {n_legs} (simulator {truth['legs']}), "
          f"{len(per_day)} days {truth['from']}..{truth['to']}")
    for p in problems:
        print("MISMATCH " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
