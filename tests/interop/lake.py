"""Where a ringlake lake is and how each reader reaches it, plus the truth it is compared with.

A lake is a local directory or an `s3://bucket/prefix` URL. S3 is reached through s3fs with
the endpoint from AWS_ENDPOINT_URL and the keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
(DuckDB's own httpfs extension is downloaded from the internet at first use, which CI cannot
reach; DuckDB reads `s3://` through the fsspec filesystem registered with it instead).
The end-to-end tests write lakes to an S3-compatible server (moto) on 127.0.0.1 with
ringlake itself and point these variables at it.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from decimal import Decimal

# Every table ringlake writes (crates/transform/src/schema.rs `tables::ALL`).
TABLES = [
    "calls",
    "call_legs",
    "call_recordings",
    "messages",
    "message_recipients",
    "message_attachments",
    "extensions",
    "active_calls",
]

# Results of a call that someone answered (docs/queries.md "missed-call rate").
ANSWERED = ("Accepted", "Call connected", "Answered Elsewhere")


def s3_filesystem():
    import s3fs

    return s3fs.S3FileSystem(
        key=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
        client_kwargs={"region_name": _region()},
    )


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class Lake:
    """A lake root, local or `s3://`, with the path forms each reader wants."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.is_s3 = self.url.startswith("s3://")
        if self.is_s3:
            self.fs = s3_filesystem()
            self.path = self.url[len("s3://"):]  # bucket/prefix, as fsspec names it
        else:
            self.url = os.path.abspath(self.url)
            self.fs = None
            self.path = self.url

    def files(self, table: str) -> list[str]:
        """The table's partition files (`date=…/part-NNNNN.parquet`)."""
        pattern = f"{self.path}/{table}/*/*.parquet"
        if self.fs is not None:
            return sorted(self.fs.glob(pattern))
        import glob

        return sorted(glob.glob(pattern))

    def tables(self) -> list[str]:
        """The tables present, in `TABLES` order."""
        return [t for t in TABLES if self.files(t)]

    def glob(self, table: str) -> str:
        """A glob URL of the table's files, for DuckDB and Polars."""
        return f"{self.url}/{table}/*/*.parquet"

    def table_dir(self, table: str) -> str:
        """The table's directory as pyarrow/pandas want it with `filesystem=self.fs`."""
        return f"{self.path}/{table}"

    def duckdb(self, time_zone: str = "UTC"):
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET TimeZone = '{time_zone}'")
        if self.fs is not None:
            con.register_filesystem(self.fs)
        return con

    def polars_storage_options(self) -> dict | None:
        if not self.is_s3:
            return None
        opts = {
            "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID", ""),
            "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            "aws_region": _region(),
        }
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            opts["aws_endpoint_url"] = endpoint
            if endpoint.startswith("http://"):
                opts["aws_allow_http"] = "true"
        return opts


class Truth:
    """The simulator's truth as the e2e tests write it (tests/e2e/readers.rs `truth_json`)."""

    def __init__(self, path: str):
        with open(path) as f:
            t = json.load(f)
        self.time_zone: str = t["time_zone"]
        self.tables: dict[str, int] = t["tables"]
        self.calls: list[dict] = t["calls"]
        self.extensions: list[dict] = t["extensions"]
        self.messages_per_day: dict[str, int] = t["messages_per_day"]

    def calls_per_day(self) -> dict[str, int]:
        return dict(Counter(c["date"] for c in self.calls))

    def calls_per_direction(self) -> dict[str, int]:
        return dict(Counter(c["direction"] for c in self.calls))

    def billing(self, field: str) -> Decimal:
        return sum((Decimal(c[field]) for c in self.calls if c[field] is not None), Decimal(0))

    def start_range_ms(self) -> tuple[int, int]:
        ms = [c["start_time_ms"] for c in self.calls]
        return min(ms), max(ms)

    def facts(self) -> dict:
        """What every reader must find, in the form `Facts` compares."""
        lo, hi = self.start_range_ms()
        return {
            "rows": {t: n for t, n in self.tables.items()},
            "calls_per_day": self.calls_per_day(),
            "calls_per_direction": self.calls_per_direction(),
            "billing_cost_included": self.billing("billing_cost_included"),
            "billing_cost_purchased": self.billing("billing_cost_purchased"),
            "start_time_min_ms": lo,
            "start_time_max_ms": hi,
            "start_time_sum_ms": sum(c["start_time_ms"] for c in self.calls),
            "messages_per_day": self.messages_per_day,
        }


def differences(reader: str, got: dict, want: dict) -> list[str]:
    """One message per fact where `got` differs from `want`."""
    out = []
    for key, w in want.items():
        g = got.get(key)
        if key == "rows":
            for table, n in w.items():
                if g.get(table, 0) != n:
                    out.append(f"{reader}: {table} has {g.get(table, 0)} rows, the simulator {n}")
        elif isinstance(w, dict):
            g = {str(k): int(v) for k, v in (g or {}).items()}
            if g != w:
                diff = {k: (g.get(k), w.get(k)) for k in sorted(set(g) | set(w)) if g.get(k) != w.get(k)}
                out.append(f"{reader}: {key} differ (lake, simulator): {diff}")
        elif g != w:
            out.append(f"{reader}: {key} is {g!r}, the simulator's {w!r}")
    return out
