"""Runs the DuckDB queries of docs/queries.md against a lake and checks each result against
the simulator's truth (tests/interop/queries.py says how each is computed).

usage: check_queries.py LAKE TRUTH_JSON
LAKE: a directory or s3://bucket/prefix (endpoint and keys from the AWS_ variables).
Prints `duckdb-sql NAME ok …` per query; exits 1 with MISMATCH lines on any difference.
"""
from __future__ import annotations

import sys

import queries
from lake import Lake, Truth


def main(lake_url: str, truth_path: str) -> int:
    lake = Lake(lake_url)
    truth = Truth(truth_path)
    sqls, problems = queries.load("duckdb")
    con = lake.duckdb(time_zone="UTC")
    for name in queries.NAMES:
        if name not in sqls:
            continue
        try:
            cur = con.execute(queries.render(sqls[name], lake.url))
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
        except Exception as e:  # a query that does not run is the finding
            problems.append(f"duckdb-sql {name}: {type(e).__name__}: {e}")
            continue
        found = queries.differences("duckdb", name, columns, rows, queries.expected(name, truth, lake))
        problems += found
        if not found:
            print(f"duckdb-sql {name} ok on {lake.url}: {len(rows)} rows = simulator")
    for p in problems:
        print(f"MISMATCH {p}")
    return 1 if problems else 0


def cli(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    return main(argv[0], argv[1])


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
