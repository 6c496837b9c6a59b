"""The analysts' alternative to `ringlake transform`, for `make bench`: DuckDB flattens raw
call-log pages into the same two date-partitioned tables, `calls` and `call_legs`, zstd
Parquet — `read_json` + `UNNEST` + `COPY … PARTITION_BY`, the way the DuckDB docs teach it.

usage: duckdb_flatten.py RAW OUT
RAW: a raw zone (pages below RAW/call-log/<day>/); OUT: where the tables go.
Prints one JSON line: rows written per table. Every column ringlake's tables take from the
API is selected when the pages hold its field at all (DuckDB's sampled schema says which).
"""
from __future__ import annotations

import json
import os
import sys

import duckdb

PARTY = ["phoneNumber", "extensionNumber", "extensionId", "name", "location", "device.id", "device.uri"]
def snake(path: str) -> str:
    out = []
    for ch in path.replace(".", "_"):
        out.append(f"_{ch.lower()}" if ch.isupper() else ch)
    return "".join(out)


def columns() -> tuple[list, list]:
    """(column, path in a record or a leg, SQL type or None for as-is), as in docs/lake.md."""
    common = [
        ("telephony_session_id", "telephonySessionId", None),
        ("sip_uuid_info", "sipUuidInfo", None),
        ("party_id", "partyId", None),
        ("transfer_target_telephony_session_id", "transferTarget.telephonySessionId", None),
        ("transferee_telephony_session_id", "transferee.telephonySessionId", None),
        ("extension_id", "extension.id", "BIGINT"),
        ("extension_uri", "extension.uri", None),
        ("start_time", "startTime", "TIMESTAMPTZ"),
        ("duration", "duration", "BIGINT"),
        ("duration_ms", "durationMs", "BIGINT"),
        ("type", "type", None),
        ("direction", "direction", None),
        ("action", "action", None),
        ("result", "result", None),
        ("reason", "reason", None),
        ("reason_description", "reasonDescription", None),
        ("internal_type", "internalType", None),
        ("transport", "transport", None),
    ]
    common += [(f"from_{snake(p)}", f"from.{p}", None) for p in PARTY + ["dialerPhoneNumber"]]
    common += [(f"to_{snake(p)}", f"to.{p}", None) for p in PARTY + ["dialedPhoneNumber"]]
    common += [
        ("message_id", "message.id", None),
        ("message_type", "message.type", None),
        ("message_uri", "message.uri", None),
        ("delegate_id", "delegate.id", None),
        ("delegate_name", "delegate.name", None),
        ("delegation_type", "delegationType", None),
        ("billing_cost_included", "billing.costIncluded", "DECIMAL(18,6)"),
        ("billing_cost_purchased", "billing.costPurchased", "DECIMAL(18,6)"),
        ("recording_id", "recording.id", None),
        ("recording_uri", "recording.uri", None),
        ("recording_type", "recording.type", None),
        ("recording_content_uri", "recording.contentUri", None),
        ("short_recording", "shortRecording", None),
        ("metadata_categories", "metadataCategories", None),
        ("finished", "finished", None),
    ]
    calls = (
        [("id", "id", None), ("uri", "uri", None), ("session_id", "sessionId", None)]
        + common
        + [("last_modified_time", "lastModifiedTime", "TIMESTAMPTZ"), ("deleted", "deleted", None)]
    )
    legs = [("leg_type", "legType", None), ("master", "master", None)] + common
    return calls, legs


def expr(base: str, path: str, sql_type: str | None) -> str:
    e = base + "".join(f'."{p}"' for p in path.split("."))
    return f"CAST({e} AS {sql_type})" if sql_type else e


def main(raw: str, out: str) -> int:
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    # One scan of the JSON: the records unnested into a table, then both tables from it.
    con.execute(
        f"""CREATE TABLE rec AS
        SELECT unnest(records) AS r
        FROM read_json('{raw}/call-log/*/*.json', maximum_object_size = 268435456)"""
    )
    calls_cols, legs_cols = columns()

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
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
