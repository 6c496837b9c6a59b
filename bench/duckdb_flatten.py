"""The analysts' alternative to `ringlake transform`, for `make bench`: DuckDB flattens raw
call-log pages into the same two date-partitioned tables, `calls` and `call_legs`, zstd
Parquet — `read_json` + `UNNEST` + `COPY … PARTITION_BY`, the way the DuckDB docs teach it.

usage: duckdb_flatten.py RAW OUT COLUMNS_JSON
RAW: a raw zone (pages below RAW/call-log/<day>/); OUT: where the tables go; COLUMNS_JSON:
{"calls"|"call_legs": [[column, ringlake.source, arrow type], ...]} from ringlake's lake
(bench/run.py writes it). Prints one JSON line: rows written per table. Every column
ringlake's tables read from an API field is selected when the pages hold that field at all
(DuckDB's sampled schema says which).
"""
from __future__ import annotations

import json
import os
import sys

import duckdb

def sql_type(arrow_type: str) -> str | None:
    """The cast that gives ringlake's column type, or None to keep DuckDB's own."""
    if arrow_type.startswith("timestamp"):
        return "TIMESTAMPTZ"
    if arrow_type.startswith("decimal128"):
        return "DECIMAL(18,6)"
    return {"int64": "BIGINT", "int32": "INTEGER"}.get(arrow_type)


def columns(spec_path: str) -> tuple[list, list]:
    """(column, path in a record or a leg, SQL type) of `calls` and `call_legs`, from the
    `ringlake.source` field metadata of ringlake's own Parquet (the API field each column
    comes from); columns derived rather than read (`(count of legs[])`, `*`) are left out."""
    with open(spec_path) as f:
        spec = json.load(f)

    def fields(table: str, prefix: str) -> list:
        out = []
        for name, source, arrow_type in spec[table]:
            path = source.removeprefix(prefix)
            if path and all(part.isidentifier() for part in path.split(".")):
                out.append((name, path, sql_type(arrow_type)))
        return out

    return fields("calls", ""), fields("call_legs", "legs[].")


def expr(base: str, path: str, sql_type: str | None) -> str:
    e = base + "".join(f'."{p}"' for p in path.split("."))
    return f"CAST({e} AS {sql_type})" if sql_type else e


def main(raw: str, out: str, spec: str) -> int:
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    # One scan of the JSON: the records unnested into a table, then both tables from it.
    con.execute(
        f"""CREATE TABLE rec AS
        SELECT unnest(records) AS r
        FROM read_json('{raw}/call-log/*/*.json', maximum_object_size = 268435456)"""
    )
    calls_cols, legs_cols = columns(spec)

    def present(base: str, source: str, cols: list) -> list[str]:
        kept = []
        for name, path, sql_type in cols:
            e = expr(base, path, sql_type)
            try:
                con.execute(f"SELECT {e} FROM {source} LIMIT 0")
            except duckdb.Error:
                continue  # the pages never hold this field
            kept.append(f"{e} AS {name}")
        return kept

    day = "CAST(timezone('UTC', CAST(r.startTime AS TIMESTAMPTZ)) AS DATE)"
    calls = present("r", "rec", calls_cols) + ["len(r.legs) AS leg_count", f"{day} AS date"]
    con.execute(
        f"""COPY (SELECT {', '.join(calls)} FROM rec)
        TO '{out}/calls' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date), OVERWRITE_OR_IGNORE)"""
    )
    legs_source = "(SELECT r.id AS call_id, r.startTime AS call_start, unnest(r.legs) AS l, generate_subscripts(r.legs, 1) - 1 AS leg_index FROM rec)"
    legs = (
        ["call_id", "CAST(leg_index AS INTEGER) AS leg_index"]
        + present("l", legs_source, legs_cols)
        + ["CAST(timezone('UTC', CAST(call_start AS TIMESTAMPTZ)) AS DATE) AS date"]
    )
    con.execute(
        f"""COPY (SELECT {', '.join(legs)} FROM {legs_source})
        TO '{out}/call_legs' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date), OVERWRITE_OR_IGNORE)"""
    )
    counts = {
        t: con.execute(f"SELECT count(*) FROM read_parquet('{out}/{t}/*/*.parquet')").fetchone()[0]
        for t in ("calls", "call_legs")
    }
    print(json.dumps({"rows": counts, "calls_columns": len(calls), "call_legs_columns": len(legs)}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3]))
