"""The queries of docs/queries.md and what each must return, computed without SQL.

Each query is a fenced block tagged `sql duckdb name=NAME` or `sql spark name=NAME`. The
expected rows come from the simulator's truth (tests/e2e/readers.rs `truth_json`), except
the mean durations, which the truth does not hold: those come from pyarrow over the same
files.
"""
from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from lake import ANSWERED, Lake, Truth

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "queries.md")
FENCE = re.compile(r"^```sql (duckdb|spark) name=([a-z_]+)\n(.*?)^```", re.S | re.M)

# Every query the doc must hold, in both engines (tests/e2e/queries.rs `QUERIES`).
NAMES = [
    "calls_per_day_per_extension",
    "missed_call_rate_per_day",
    "average_handle_time_per_extension",
    "cost_per_extension_per_month",
    "recordings_per_user",
]


def load(engine: str, doc: str = DOC) -> tuple[dict[str, str], list[str]]:
    """The doc's queries for `engine` by name, and problems with the doc (a query missing in
    either engine, a name twice, a name no test knows)."""
    with open(doc) as f:
        text = f.read()
    found: dict[tuple[str, str], str] = {}
    problems = []
    for eng, name, sql in FENCE.findall(text):
        if (eng, name) in found:
            problems.append(f"docs/queries.md: {eng} query {name} appears twice")
        found[(eng, name)] = sql
    for eng, name in found:
        if name not in NAMES:
            problems.append(f"docs/queries.md: {eng} query {name} has no check in tests/interop/queries.py")
    for name in NAMES:
        for eng in ("duckdb", "spark"):
            if (eng, name) not in found:
                problems.append(f"docs/queries.md: no `sql {eng} name={name}` block")
    return {name: sql for (eng, name), sql in found.items() if eng == engine}, problems


def render(sql: str, lake: str) -> str:
    """The query ready for an engine's API: the lake filled in, no trailing semicolon."""
    return sql.replace("{lake}", lake).strip().rstrip(";")


def _answered(c: dict) -> bool:
    return c["result"] in ANSWERED


def expected(name: str, truth: Truth, lake: Lake) -> list[dict]:
    """The rows `name` must return (order aside)."""
    ext = {e["id"]: e for e in truth.extensions}

    def names(ext_id):
        e = ext.get(ext_id) or {}
        return {"extension_id": ext_id, "extension_number": e.get("extension_number"), "extension_name": e.get("name")}

    voice = [c for c in truth.calls if c["type"] == "Voice"]
    if name == "calls_per_day_per_extension":
        n = Counter((c["date"], c["extension_id"]) for c in voice)
        return [{"date": d, **names(x), "calls": k} for (d, x), k in n.items()]
    if name == "missed_call_rate_per_day":
        inbound, missed = Counter(), Counter()
        for c in voice:
            if c["direction"] == "Inbound":
                inbound[c["date"]] += 1
                missed[c["date"]] += not _answered(c)
        return [
            {"date": d, "inbound_calls": n, "missed_calls": missed[d], "missed_rate": missed[d] / n}
            for d, n in inbound.items()
        ]
    if name == "average_handle_time_per_extension":
        answered = Counter(c["extension_id"] for c in voice if _answered(c))
        means = _mean_answered_durations(lake)
        return [
            {**names(x), "answered_calls": n, "avg_handle_seconds": means.get(x)}
            for x, n in answered.items()
        ]
    if name == "cost_per_extension_per_month":
        sums = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
        for c in truth.calls:
            s = sums[(c["date"][:7], c["extension_id"])]
            s[0] += 1
            s[1] += Decimal(c["billing_cost_included"] or 0)
            s[2] += Decimal(c["billing_cost_purchased"] or 0)
        return [
            {"month": m, **names(x), "calls": n, "cost_included": inc, "cost_purchased": pur, "cost_total": inc + pur}
            for (m, x), (n, inc, pur) in sums.items()
        ]
    if name == "recordings_per_user":
        n = Counter(
            c["extension_id"]
            for c in truth.calls
            if c["recording_id"] is not None and ext.get(c["extension_id"], {}).get("type") == "User"
        )
        return [{**names(x), "recordings": k} for x, k in n.items()]
    raise KeyError(name)


def _mean_answered_durations(lake: Lake) -> dict:
    """Mean `duration` of answered voice calls per extension, by pyarrow over the lake's
    files: the one figure of the doc the truth does not hold."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    t = ds.dataset(lake.table_dir("calls"), filesystem=lake.fs, format="parquet", partitioning="hive").to_table(
        columns=["extension_id", "duration", "type", "result"]
    )
    t = t.filter(pc.and_(pc.equal(t["type"], "Voice"), pc.is_in(t["result"], value_set=pa.array(ANSWERED))))
    g = t.group_by("extension_id").aggregate([("duration", "mean")])
    return dict(zip(g["extension_id"].to_pylist(), g["duration_mean"].to_pylist()))


def _canonical(v):
    """One form for the values of every engine: dates as text, numbers as Decimal or float."""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return v.normalize() if v != 0 else Decimal(0)
    if hasattr(v, "item"):  # numpy scalars
        return _canonical(v.item())
    return v


def _key(row: dict) -> tuple:
    return tuple((k, str(_canonical(v))) for k, v in sorted(row.items()) if not isinstance(v, float))


def differences(engine: str, name: str, columns: list[str], rows: list[tuple], want: list[dict]) -> list[str]:
    """Differences between a query's result and the expected rows. Rates and means are
    rounded by the query: they must be within the rounding of the exact value."""
    label = f"{engine}-sql {name}"
    want_cols = list(want[0]) if want else []
    if sorted(columns) != sorted(want_cols):
        return [f"{label}: columns {columns}, expected {want_cols}"]
    got = [dict(zip(columns, map(_canonical, r))) for r in rows]
    if not got:
        return [f"{label}: no rows"]
    problems = []
    if len(got) != len(want):
        problems.append(f"{label}: {len(got)} rows, expected {len(want)}")
    by_key = {_key(w): w for w in want}
    for g in got:
        w = by_key.pop(_key(g), None)
        if w is None:
            problems.append(f"{label}: unexpected row {g}")
            continue
        for col, wv in w.items():
            if isinstance(wv, float) or wv is None and isinstance(g[col], float):
                gv = g[col]
                digits = 4 if col.endswith("rate") else 1
                if gv is None or wv is None or not math.isclose(gv, wv, abs_tol=0.5 * 10**-digits + 1e-9):
                    problems.append(f"{label}: {col} {gv} for {w}, expected {wv} to {digits} digits")
    for w in list(by_key.values())[:5]:
        problems.append(f"{label}: missing row {w}")
    return problems[:10]
