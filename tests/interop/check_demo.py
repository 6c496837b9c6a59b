"""`make demo`'s check: DuckDB reads the demo lake and counts what the simulator held.

usage: check_demo.py LAKE TRUTH_JSON   (exit 1 on any difference)
"""
import json
import sys

import duckdb


def main(lake: str, truth_path: str) -> int:
    truth = json.load(open(truth_path))
    con = duckdb.connect()

    def table(name: str) -> str:
        return f"read_parquet('{lake}/{name}/*/*.parquet', hive_partitioning=true)"

    def count(name: str) -> int:
        return con.execute(f"SELECT count(*) FROM {table(name)}").fetchone()[0]

    def per_day(name: str) -> dict:
        rows = con.execute(f"SELECT date, count(*) FROM {table(name)} GROUP BY ALL").fetchall()
        return {str(d): n for d, n in rows}

    problems = []
    figures = []
    for name, key in [
        ("calls", "calls"),
        ("call_legs", "legs"),
        ("messages", "messages"),
        ("message_recipients", "message_recipients"),
        ("message_attachments", "message_attachments"),
        ("extensions", "extensions"),
    ]:
        n = count(name)
        figures.append(f"{name} {n}")
        if n != truth[key]:
            problems.append(f"{name}: lake {n} != simulator {truth[key]}")
    for name, key in [("calls", "calls_per_day"), ("messages", "messages_per_day")]:
        got = per_day(name)
        if got != truth[key]:
            problems.append(f"{name} per day differ: lake {got} simulator {truth[key]}")
    account = con.execute(
        f"SELECT time_zone_name, currency_code FROM {table('account')}"
    ).fetchall()
    figures.append(f"account {len(account)}")
    if account != [(truth["account_time_zone"], truth["account_currency"])]:
        problems.append(
            f"account: lake {account} != simulator "
            f"[({truth['account_time_zone']!r}, {truth['account_currency']!r})]"
        )
    # Ids above 2^53 must come back exactly (they do not fit a double).
    big = con.execute(
        f"SELECT count(*) FROM {table('messages')} WHERE conversation_id > 9007199254740992"
    ).fetchone()[0]
    if truth["messages"] and not big:
        problems.append("no conversation_id above 2^53 in the lake")
    print(f"duckdb   {', '.join(figures)} = simulator for {truth['from']}..{truth['to']}"
          if not problems else f"duckdb   {', '.join(figures)}")
    for p in problems:
        print("MISMATCH " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
