#!/usr/bin/env python3
"""The report of bench/compare-kinto.sh: NK Sync (nkbench's JSON) beside Kinto (kinto_driver.py's
JSON) and the SQLite floor (in nkbench's JSON), with the ratios and the issue's targets.

  compare_report.py --kinto kinto.json [--nkbench nk.json] [--json out.json]

Prints the table on stderr and one JSON object on stdout (Kinto's own JSON when there is no
nkbench JSON; otherwise {"kinto", "nkbench", "comparison", "targets"}). Standard library only.
"""
import argparse
import json
import sys


def get(obj, *keys):
    for key in keys:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def fmt(value, spec=",.0f", suffix=""):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format(value, spec) + suffix
    return str(value)


def times(value, suffix="×"):
    """A ratio: three significant digits (152×, 12.7×, 0.12×)."""
    return "-" if value is None else format(value, ".3g") + suffix


def pct(value):
    """A fraction of the floor, as a percentage."""
    return "-" if value is None else format(value * 100, ".3g") + " %"


def ms(seconds):
    return None if seconds is None else seconds * 1000


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


class Table:
    def __init__(self, headers, widths, right):
        self.headers, self.widths, self.right, self.rows = headers, widths, right, []

    def add(self, *cells):
        self.rows.append([c if isinstance(c, str) else fmt(c) for c in cells])

    def render(self):
        widths = [max([w, len(self.headers[i])] + [len(r[i]) for r in self.rows]) for i, w in enumerate(self.widths)]

        def line(cells):
            return "  ".join((c.rjust(w) if self.right[i] else c.ljust(w)) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        return "\n".join([line(self.headers), line(["-" * w for w in widths])] + [line(r) for r in self.rows])


def kinto_header(k):
    return (f"Kinto {k.get('kintoVersion', '?')} on PostgreSQL {k.get('postgresVersion', '?')}: "
            f"{fmt(k.get('records'))} records of ~{fmt(k.get('averageRecordBytes'))} B JSON, "
            f"batches of {k.get('batchMaxRequests')} requests, load average {k.get('loadAverage')}")


def kinto_table(k):
    t = Table(["workload", "figure", "Kinto", "detail"], [10, 30, 10, 0], [False, False, True, False])
    p = k.get("push", {})
    t.add("push", "records/s", fmt(p.get("recordsPerSecond")),
          f"{fmt(p.get('seconds'), '.2f')} s, {fmt(p.get('requests'))} batch requests")
    t.add("push", "server CPU s per 10k records", fmt(p.get("serverCPUSecondsPer10k"), ".2f"),
          f"Kinto {fmt(p.get('kintoCPUSeconds'), '.2f')} s + PostgreSQL {fmt(p.get('postgresCPUSeconds'), '.2f')} s")
    for key, label in (("pull", "default pages"), ("pullLimit1000", "_limit=1000")):
        q = k.get(key, {})
        t.add("full pull", f"records/s, {label}", fmt(q.get("recordsPerSecond")),
              f"{fmt(q.get('seconds'), '.3f')} s (median of {q.get('secondsAll')}), {fmt(q.get('pages'))} page(s)")
    d = k.get("delta", {})
    t.add("delta", f"ms, {fmt(d.get('changed'))} changes, {fmt(d.get('annotations'))} held",
          fmt(ms(d.get("seconds")), ".1f"), f"median of {[round(x * 1000, 1) for x in d.get('secondsAll', [])]} ms")
    n = k.get("noop", {})
    t.add("no-op", "ms per poll (304)", fmt(ms(n.get("seconds")), ".2f"),
          f"p99 {fmt(ms(n.get('p99Seconds')), '.2f')} ms, {fmt(n.get('rounds'))} polls, 1 request each")
    return t.render()


def compare(k, n):
    """The comparison table, the ratios and the targets."""
    t = Table(["workload", "figure", "NK Sync", "Kinto", "SQLite floor", "NK vs Kinto", "NK / floor"],
              [10, 34, 9, 9, 12, 11, 10], [False, False, True, True, True, True, True])
    comparison, targets, notes = {}, {}, []

    push = n.get("push")
    kpush = get(k, "push", "recordsPerSecond")
    if push:
        rate, phase = push.get("recordsPerSecond"), push.get("pushPhaseRecordsPerSecond")
        floor = push.get("sqliteFloorRecordsPerSecond")
        comparison["pushTimesKinto"] = div(rate, kpush)
        comparison["pushPhaseTimesKinto"] = div(phase, kpush)
        comparison["pushRatioToSQLite"] = push.get("ratioToSQLite")
        t.add("push", f"records/s ({fmt(push.get('records'))}, whole sync)", fmt(rate), fmt(kpush), fmt(floor),
              times(comparison["pushTimesKinto"]), pct(push.get("ratioToSQLite")))
        t.add("push", "records/s, push phase only", fmt(phase), fmt(kpush), fmt(floor),
              times(comparison["pushPhaseTimesKinto"]), pct(push.get("pushPhaseRatioToSQLite")))
        kcpu = get(k, "push", "serverCPUSecondsPer10k")
        comparison["pushServerCPUPer10kKintoOverNK"] = div(kcpu, push.get("serverCPUSecondsPer10k"))
        t.add("push", "server CPU s per 10k (Kinto + PG)", fmt(push.get("serverCPUSecondsPer10k"), ".2f"),
              fmt(kcpu, ".2f"), "", times(comparison["pushServerCPUPer10kKintoOverNK"], "× less"), "")
        targets["pushAtLeast100xKinto"] = ("push: records/s, times Kinto's", comparison["pushTimesKinto"], 100, "×")
        targets["pushAtLeast30PercentOfSQLite"] = ("push: share of the SQLite floor's rate", push.get("ratioToSQLite"), 0.3, "")

    pull = n.get("initialPull")
    kpull = get(k, "pull", "recordsPerSecond")
    if pull:
        rate = pull.get("recordsPerSecond")
        comparison["pullTimesKinto"] = div(rate, kpull)
        comparison["pullRatioToSQLite"] = pull.get("ratioToSQLite")
        t.add("full pull", f"records/s (NK {fmt(pull.get('records'))}, Kinto {fmt(get(k, 'pull', 'records'))})",
              fmt(rate), fmt(kpull), fmt(pull.get("sqliteFloorRecordsPerSecond")),
              times(comparison["pullTimesKinto"]), pct(pull.get("ratioToSQLite")))
        t.add("full pull", "client peak RSS MB", fmt(pull.get("clientPeakRSSMB"), ".1f"), "", "", "", "")
        targets["pullAtLeast30PercentOfSQLite"] = ("initial pull: share of the SQLite floor's rate", pull.get("ratioToSQLite"), 0.3, "")
        targets["pullClientRSSUnder100MB"] = ("initial pull: client peak RSS", pull.get("clientPeakRSSMB"), 100, " MB", "below")
        notes.append("Kinto's pull only parses the JSON pages (nothing stored); NK Sync's stores every "
                     "record in the replica (full-text index included).")

    deltas = n.get("delta") or []
    kdelta = get(k, "delta", "seconds")
    kheld = get(k, "delta", "annotations")
    same = None
    if deltas and kheld is not None:
        same = min(deltas, key=lambda d: (abs(d.get("annotations", 0) - kheld), d.get("annotations", 0)))
    for d in sorted(deltas, key=lambda d: d.get("annotations", 0)):
        speed = div(kdelta, d.get("seconds"))
        comparison[f"deltaTimesKinto@{d.get('annotations')}"] = speed
        kcell = fmt(ms(kdelta), ".1f") if d is same else f"({fmt(ms(kdelta), '.1f')})"
        t.add("delta", f"ms, {fmt(d.get('changed'))} changes, {fmt(d.get('annotations'))} held",
              fmt(ms(d.get("seconds")), ".1f"), kcell, fmt(ms(d.get("sqliteFloorSeconds")), ".2f"),
              times(speed), pct(d.get("ratioToSQLite")))
    if same is not None:
        targets["deltaAtMostATenthOfKinto"] = (
            f"delta: Kinto's time / NK's (at {fmt(same.get('annotations'))} held)",
            comparison[f"deltaTimesKinto@{same.get('annotations')}"], 10, "×")
        if same.get("annotations") != kheld:
            notes.append(f"Kinto's delta was measured with {fmt(kheld)} records held; NK Sync's nearest size is "
                         f"{fmt(same.get('annotations'))}.")
        if len({d.get("changed") for d in deltas} | {get(k, "delta", "changed")}) > 1:
            notes.append("NK Sync and Kinto changed different numbers of records before the delta.")
    if n.get("deltaLargestToSmallest") is not None and len(deltas) > 1:
        sizes = sorted(d.get("annotations", 0) for d in deltas)
        t.add("delta", f"{fmt(sizes[-1])} held / {fmt(sizes[0])} held", fmt(n["deltaLargestToSmallest"], ".2f", "×"),
              "", "", "", "")
        targets["deltaLargestWithin1point5xOfSmallest"] = (
            f"delta: time at {fmt(sizes[-1])} held / at {fmt(sizes[0])}",
            n["deltaLargestToSmallest"], 1.5, "×", "at most")

    noop = n.get("noop")
    if noop:
        knoop = get(k, "noop", "seconds")
        comparison["noopTimesKinto"] = div(knoop, noop.get("seconds"))
        t.add("no-op", "ms per sync (median)", fmt(ms(noop.get("seconds")), ".2f"), fmt(ms(knoop), ".2f"), "",
              times(comparison["noopTimesKinto"]), "")
        t.add("no-op", "requests per sync", fmt(noop.get("requests")), "1", "", "", "")
        one = noop.get("requests") == 1 and noop.get("requestsMin") == 1
        targets["noopOneRequest"] = ("no-op: exactly one request per sync", one, True, "")
        plan = noop.get("changesQueryPlan")
        if plan:
            notes.append(f"no-op changes query plan: {'; '.join(plan)}")

    many = n.get("manyResearchers")
    if many:
        t.add("many", f"syncs/s ({fmt(many.get('replicas'))} replicas)", fmt(many.get("syncsPerSecond"), ".1f"),
              "", "", "", "")
        ok = many.get("failures") == 0 and many.get("converged") is True
        targets["manyNoFailuresConverged"] = ("many researchers: no failure, all converged", ok, True, "")

    # verdicts
    verdicts = {}
    tt = Table(["target", "measured", "needed", "verdict"], [48, 9, 9, 7], [False, True, True, False])
    for key, spec in targets.items():
        name, value, threshold, unit = spec[0], spec[1], spec[2], spec[3]
        mode = spec[4] if len(spec) > 4 else "at least"
        if isinstance(threshold, bool):
            met, shown, needed = value is True, fmt(value), "yes"
        else:
            show = (lambda v: times(v)) if unit == "×" else (lambda v: pct(v)) if unit == "" else (
                lambda v: fmt(v, ".0f" if v == int(v) else ".1f", unit))
            needed = {"at least": "≥ ", "below": "< ", "at most": "≤ "}[mode] + show(threshold)
            if value is None:
                met, shown = None, "-"
            else:
                met = value >= threshold if mode == "at least" else (
                    value < threshold if mode == "below" else value <= threshold)
                shown = show(value)
        verdicts[key] = met
        tt.add(name, shown, needed, "-" if met is None else ("met" if met else "MISSED"))
    return t.render(), tt.render(), comparison, verdicts, notes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinto", required=True)
    ap.add_argument("--nkbench")
    ap.add_argument("--json")
    a = ap.parse_args()
    k = json.load(open(a.kinto))
    out = [kinto_header(k), ""]
    if not a.nkbench:
        out.append(kinto_table(k))
        result = k
    else:
        n = json.load(open(a.nkbench))
        table, ttable, comparison, verdicts, notes = compare(k, n)
        m = n.get("machine", {})
        out[0:0] = [f"NK Sync ({n.get('build', '?')} nkbench{', quick' if n.get('quick') else ''}) vs Kinto vs "
                    f"the SQLite floor, one invocation; machine: {m.get('cores')} cores {m.get('cpu', '')}, "
                    f"load average {m.get('loadAverage')}"]
        out += [table, "", "NK vs Kinto: how many times faster NK Sync is (> 1: NK Sync ahead, < 1: Kinto ahead). "
                "NK / floor: NK Sync's rate as a fraction of the raw SQLite insert rate of the same rows.", "",
                ttable]
        if notes:
            out += [""] + [f"note: {x}" for x in notes]
        out += ["", "Kinto alone:", kinto_table(k)]
        result = {"kinto": k, "nkbench": n,
                  "comparison": {key: (None if v is None else round(v, 4)) for key, v in comparison.items()},
                  "targets": verdicts}
    print("\n" + "\n".join(out) + "\n", file=sys.stderr)
    text = json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
