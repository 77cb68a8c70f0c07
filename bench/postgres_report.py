#!/usr/bin/env python3
"""The report of bench/postgres.sh: nkbench's figures on SQLite beside the same workloads on
PostgreSQL, and the many-researchers workload with one and two nkserver instances on PostgreSQL.

  postgres_report.py SQLITE.json POSTGRES.json TWO_SERVERS.json

Prints the table on stderr and {"sqlite", "postgres", "postgresTwoServers"} on stdout.
Standard library only.
"""
import json
import sys


def get(obj, *keys):
    for key in keys:
        if isinstance(obj, list) and isinstance(key, int) and key < len(obj):
            obj = obj[key]
        elif isinstance(obj, dict) and key in obj:
            obj = obj[key]
        else:
            return None
    return obj


def fmt(value, spec=",.1f"):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " + ".join(fmt(v, spec) for v in value)
    if isinstance(value, (int, float)):
        return format(value, spec)
    return str(value)


def ms(value):
    return None if value is None else value * 1000


def table(header, rows):
    widths = [max(len(r[i]) for r in list(rows) + [header]) for i in range(len(header))]
    lines = ["", "  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    print("\n".join(lines), file=sys.stderr)


def main():
    sqlite, postgres, two = (json.load(open(path)) for path in sys.argv[1:4])
    rows = []

    def row(workload, figure, a, b, spec=",.1f", ratio=True):
        r = f"{b / a:.2f}×" if ratio and isinstance(a, (int, float)) and isinstance(b, (int, float)) and a else ""
        rows.append((workload, figure, fmt(a, spec), fmt(b, spec), r))

    row("push", "records/s, whole sync", get(sqlite, "push", "recordsPerSecond"),
        get(postgres, "push", "recordsPerSecond"), ",.0f")
    row("push", "records/s, push phase", get(sqlite, "push", "pushPhaseRecordsPerSecond"),
        get(postgres, "push", "pushPhaseRecordsPerSecond"), ",.0f")
    row("push", "server CPU s per 10k", get(sqlite, "push", "serverCPUSecondsPer10k"),
        get(postgres, "push", "serverCPUSecondsPer10k"), ".2f")
    row("push", "PostgreSQL CPU s per 10k", None, get(postgres, "push", "postgresCPUSecondsPer10k"), ".2f", False)
    row("push", "stored / records", f"{get(sqlite, 'push', 'stored')}/{get(sqlite, 'push', 'records')}",
        f"{get(postgres, 'push', 'stored')}/{get(postgres, 'push', 'records')}", ratio=False)
    row("initial pull", "records/s", get(sqlite, "initialPull", "recordsPerSecond"),
        get(postgres, "initialPull", "recordsPerSecond"), ",.0f")
    for index, delta in enumerate(get(sqlite, "delta") or []):
        row("delta", f"ms, {delta['changed']} changes, {delta['annotations']:,} held", ms(delta["seconds"]),
            ms(get(postgres, "delta", index, "seconds")))
        row("delta", "  of which HTTP, ms", ms(delta.get("httpSeconds")),
            ms(get(postgres, "delta", index, "httpSeconds")))
    row("no-op", "ms per sync", ms(get(sqlite, "noop", "seconds")), ms(get(postgres, "noop", "seconds")), ".2f")
    row("no-op", "requests", get(sqlite, "noop", "requests"), get(postgres, "noop", "requests"), "d", False)
    table(("workload", "figure", "SQLite", "PostgreSQL", "PG / SQLite"), rows)

    many_rows = []
    for label, run in (("SQLite, 1 server", sqlite), ("PostgreSQL, 1 server", postgres),
                       ("PostgreSQL, 2 servers", two)):
        many = get(run, "manyResearchers")
        if many is None:
            continue
        many_rows.append((label, fmt(many.get("syncsPerSecond")), fmt(ms(many.get("p50Seconds")), ".0f"),
                          fmt(ms(many.get("p99Seconds")), ".0f"), fmt(many.get("failures"), "d"),
                          fmt(many.get("converged")), fmt(many.get("duplicates"), "d"),
                          fmt(many.get("serverCPUSeconds"), ".2f"), fmt(many.get("postgresCPUSeconds"), ".2f"),
                          fmt(many.get("syncsPerServer"), "d")))
    table(("many researchers", "syncs/s", "p50 ms", "p99 ms", "failures", "converged", "duplicates",
           "nkserver CPU s", "PostgreSQL CPU s", "syncs per server"), many_rows)
    json.dump({"sqlite": sqlite, "postgres": postgres, "postgresTwoServers": two}, sys.stdout, indent=2,
              sort_keys=True)
    print()


if __name__ == "__main__":
    main()
