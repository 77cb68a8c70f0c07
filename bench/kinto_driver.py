#!/usr/bin/env python3
"""NK Sync's Kinto driver: nkbench's push / full pull / delta / no-op workloads, against Kinto.

The records are nkbench's annotations (Sources/nkbench/BenchCorpus.swift), rebuilt here field for
field: the same post texts and post ids (FNV-1a of category and title), the quote of passage p of
post q located in its post with 32 characters of context each side, the same note text and two
tags, the same deterministic annotation ids, `visibility`, `author`, ISO 8601 dates, plus the
version vector a replica would send. Each record's JSON is what nkserver stores as the body of the
version (sorted keys) with `version` beside it; Kinto adds `id` and `last_modified`.

Workloads (one user, one bucket, a fresh collection; every request over one keep-alive session):
  push   N records PUT through POST /v1/batch, `batch_max_requests` (25 by default) per batch,
         sequential: what a Kinto client does (kinto-http's batch splits the same way).
         Kinto's and PostgreSQL's CPU seconds are read from /proc around it.
  pull   GET .../records following Next-Page, with Kinto's default page size (what kinto-http and
         kinto.js do: no _limit) and, reported beside it, with _limit=1000; the JSON of every page
         is parsed, nothing is stored. Median of --pull-rounds.
  delta  `changes` records are rewritten (a full PUT of the next version, untimed), then
         GET .../records?_since=<ETag before the edit> (timed, pages followed); must return
         exactly the changed records. Median of --delta-rounds, other records each round.
  noop   GET .../records?_since=<latest> with If-None-Match: "<latest>": one request, 304.
         Median of --noop-rounds.

Loopback URLs only. Prints one JSON object on stdout (keys named as nkbench names them),
progress on stderr.
"""
import argparse
import json
import os
import statistics
import sys
import time
from urllib.parse import urlparse

import requests

# ---- nkbench's corpus (BenchCorpus.swift) ----------------------------------------------------

CATEGORY = "Bench"
PASSAGES_PER_POST = 12
CONTEXT = 32  # Anchor.contextLength
DATE = "2024-03-09T16:00:00Z"  # Date(timeIntervalSince1970: 1_710_000_000), .iso8601


def post_id(category, title):
    """PostID.derived: FNV-1a 64 of normalised category, U+001F, normalised title; 16 hex digits."""
    key = " ".join(category.split()).lower() + "\u001f" + " ".join(title.split()).lower()
    h = 0xCBF29CE484222325
    for byte in key.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def quote(post, passage):
    return f"Passage {post}-{passage} says"


def post_text(post):
    paragraphs = []
    for first in range(0, PASSAGES_PER_POST, 3):
        paragraphs.append(" ".join(
            quote(post, p) + " at the Dandong wholesale market saw prices of rice cookers and winter coats move again."
            for p in range(first, first + 3)))
    return "\n\n".join(paragraphs)


def annotation_id(salt, index):
    """BenchCorpus.annotationID: a deterministic lowercase UUID."""
    return "%08x-0000-4000-8000-%012x" % (salt, index)


def note(index, edit=0):
    return f"Note {index}{'' if edit == 0 else f' (revised {edit})'}: prices match the customs reports."


def tags(index):
    return sorted({"trade", f"week-{index % 52}"})


class Corpus:
    def __init__(self, posts):
        self.posts = posts
        self.ids = [post_id(CATEGORY, f"Bench report {p} on border trade") for p in range(posts)]
        self.texts = [post_text(p) for p in range(posts)]

    def placement(self, index):
        return index % self.posts, (index // self.posts) % PASSAGES_PER_POST

    def anchor(self, post, passage):
        """Anchor.locate: offsets in Unicode scalars (Python str indices), 32 characters of context."""
        text, q = self.texts[post], quote(post, passage)
        start = text.index(q)
        assert text.count(q) == 1, q
        end = start + len(q)
        return {"exact": q, "prefix": text[max(0, start - CONTEXT):start], "suffix": text[end:end + CONTEXT],
                "start": start, "end": end}

    def record(self, index, salt, author, replica, counter=1, edit=0, post_version=None):
        """Annotation `index` as nkserver stores it (sorted keys), with its version vector."""
        post, passage = self.placement(index)
        anchor = self.anchor(post, passage)
        if post_version is not None:
            anchor["postVersion"] = post_version
        body = {"anchor": anchor, "author": author, "createdAt": DATE, "id": annotation_id(salt, index),
                "note": note(index, edit), "postId": self.ids[post], "tags": tags(index), "updatedAt": DATE,
                "visibility": "shared", "version": {replica: counter}}
        return body["id"], body


# ---- /proc figures ----------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): ppid=4, utime=14, stime=15, cutime=16, cstime=17
    return int(fields[1]), [int(x) for x in fields[11:15]]


def cpu_seconds(pid, with_children=False):
    """user+system CPU seconds of `pid`; with_children: plus its reaped children (cutime, cstime)
    and its live children (the PostgreSQL postmaster and its backends)."""
    if not pid:
        return None
    try:
        _, t = _stat(pid)
    except OSError:
        return None
    total = t[0] + t[1]
    if with_children:
        total += t[2] + t[3]
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    ppid, c = _stat(name)
                except (OSError, IndexError, ValueError):
                    continue
                if ppid == pid:
                    total += c[0] + c[1]
    return total / TICK


# ---- driver -----------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True, help="Kinto's /v1 URL on 127.0.0.1")
    ap.add_argument("--user", default="admin", help="account (the ini lets account:admin create buckets)")
    ap.add_argument("--password", default="nk-bench-password")
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--posts", type=int, default=1000, help="posts the records annotate (nkbench: 1,000; quick 20)")
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--pull-rounds", type=int, default=3)
    ap.add_argument("--delta-rounds", type=int, default=5)
    ap.add_argument("--noop-rounds", type=int, default=20)
    ap.add_argument("--kinto-pid", type=int, default=None, help="for Kinto's CPU seconds")
    ap.add_argument("--postgres-pid", type=int, default=None, help="the postmaster, for PostgreSQL's CPU seconds")
    a = ap.parse_args()
    if urlparse(a.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("refusing a non-loopback URL")
    if a.changes > a.records:
        sys.exit("--changes must not exceed --records")

    def say(text):
        print(f"kinto: {text}", file=sys.stderr, flush=True)

    base = a.url.rstrip("/")
    s = requests.Session()
    r = s.put(f"{base}/accounts/{a.user}", json={"data": {"password": a.password}}, timeout=30)
    s.auth = (a.user, a.password)
    if r.status_code not in (200, 201):  # it may exist already (a second run on the same server)
        who = s.get(f"{base}/", timeout=30).json().get("user", {}).get("id")
        if who != f"account:{a.user}":
            sys.exit(f"cannot create or log in as the account {a.user}: {r.status_code} {r.text}")
    s.put(f"{base}/buckets/nk", json={"data": {}}, timeout=30).raise_for_status()
    root = s.get(f"{base}/", timeout=30).json()
    batch_max = root["settings"]["batch_max_requests"]
    coll = f"annotations-{int(time.time() * 1000)}"
    s.put(f"{base}/buckets/nk/collections/{coll}", json={"data": {}}, timeout=30).raise_for_status()
    path = f"/buckets/nk/collections/{coll}/records"

    corpus = Corpus(a.posts)
    salt = 1
    # The post's version, as an anchor made by Replica.annotate records it (the server's replica id).
    post_version = {"5f0c3a52-8d1e-4c77-9b2a-0c4e8f1d2a6b": 1}
    records = [corpus.record(i, salt, "loader", "bench-loader-1", post_version=post_version)
               for i in range(a.records)]
    sizes = [len(json.dumps(body, separators=(",", ":"), sort_keys=True)) for _, body in records]

    def send(pairs):
        """PUTs (id, data) pairs through /batch, batch_max per request. Returns requests made."""
        made = 0
        for k in range(0, len(pairs), batch_max):
            body = {"defaults": {"method": "PUT"},
                    "requests": [{"path": f"{path}/{rid}", "body": {"data": data}} for rid, data in pairs[k:k + batch_max]]}
            r = s.post(f"{base}/batch", json=body, timeout=120)
            r.raise_for_status()
            bad = [x for x in r.json()["responses"] if x["status"] >= 400]
            if bad:
                raise RuntimeError(f"batch sub-request failed: {bad[0]}")
            made += 1
        return made

    def pull(params=None, headers=None):
        """Follows Next-Page; returns (records, pages, bytes, status, etag of the first page, ids)."""
        url, n, pages, nbytes, status, etag, ids = f"{base}{path}", 0, 0, 0, None, None, set()
        while url:
            r = s.get(url, params=params, headers=headers, timeout=120)
            status = r.status_code
            if status == 304:
                return 0, 1, 0, status, r.headers.get("ETag"), ids
            r.raise_for_status()
            etag = etag or r.headers.get("ETag")
            data = r.json()["data"]
            n += len(data)
            ids.update(x["id"] for x in data)
            nbytes += len(r.content)
            pages += 1
            url, params = r.headers.get("Next-Page"), None
        return n, pages, nbytes, status, etag, ids

    def cpu():
        return cpu_seconds(a.kinto_pid), cpu_seconds(a.postgres_pid, with_children=True)

    # push
    say(f"push: {a.records} records, {batch_max} per batch…")
    k0, p0 = cpu()
    t0 = time.perf_counter()
    made = send(records)
    push_s = time.perf_counter() - t0
    k1, p1 = cpu()
    kinto_cpu = (k1 - k0) if k0 is not None and k1 is not None else None
    pg_cpu = (p1 - p0) if p0 is not None and p1 is not None else None
    server_cpu = kinto_cpu + pg_cpu if kinto_cpu is not None and pg_cpu is not None else kinto_cpu

    # full pull, Kinto's default pages, then _limit=1000
    say("full pull…")
    def timed_pulls(params):
        runs = []
        for _ in range(a.pull_rounds):
            t0 = time.perf_counter()
            n, pages, nbytes, _, etag, _ = pull(params)
            runs.append((time.perf_counter() - t0, n, pages, nbytes, etag))
            if n != a.records:
                raise RuntimeError(f"full pull returned {n} records, expected {a.records}")
        return runs

    default_runs = timed_pulls(None)
    limit_runs = timed_pulls({"_limit": 1000})
    pull_s = statistics.median(x[0] for x in default_runs)
    limit_s = statistics.median(x[0] for x in limit_runs)
    latest = default_runs[-1][4].strip('"')

    # delta: rewrite `changes` records (as nkbench's editor does), pull them with _since
    say(f"delta: {a.changes} changes on {a.records} records, {a.delta_rounds} rounds…")
    delta_times, delta_pages = [], []
    for rnd in range(1, a.delta_rounds + 1):
        picked = sorted({(c * (a.records // a.changes) + rnd) % a.records for c in range(a.changes)})
        changed = [corpus.record(i, salt, "loader", "bench-loader-1", counter=rnd + 1, edit=rnd,
                                 post_version=post_version) for i in picked]
        send(changed)
        t0 = time.perf_counter()
        n, pages, _, _, etag, ids = pull({"_since": latest})
        delta_times.append(time.perf_counter() - t0)
        delta_pages.append(pages)
        if n != len(changed) or ids != {rid for rid, _ in changed}:
            raise RuntimeError(f"delta returned {n} records, expected the {len(changed)} changed")
        latest = etag.strip('"')

    # no-op: nothing changed since `latest`
    say(f"no-op: {a.noop_rounds} polls…")
    noop_times = []
    for _ in range(a.noop_rounds):
        t0 = time.perf_counter()
        n, _, _, status, _, _ = pull({"_since": latest}, {"If-None-Match": f'"{latest}"'})
        noop_times.append(time.perf_counter() - t0)
        if status != 304:
            raise RuntimeError(f"no-op poll answered {status}, expected 304")

    def r5(x):
        return None if x is None else round(x, 5)

    noop_sorted = sorted(noop_times)
    print(json.dumps({
        "kintoVersion": root.get("project_version"),
        "batchMaxRequests": batch_max,
        "records": a.records,
        "averageRecordBytes": round(statistics.mean(sizes)),
        "loadAverage": [round(x, 2) for x in os.getloadavg()],
        "push": {
            "records": a.records, "requests": made, "seconds": r5(push_s),
            "recordsPerSecond": round(a.records / push_s, 1),
            "serverCPUSeconds": r5(server_cpu), "kintoCPUSeconds": r5(kinto_cpu), "postgresCPUSeconds": r5(pg_cpu),
            "serverCPUSecondsPer10k": None if server_cpu is None else round(server_cpu * 10000 / a.records, 3),
        },
        "pull": {
            "records": a.records, "pageSize": "default", "pages": default_runs[0][2], "bytes": default_runs[0][3],
            "seconds": r5(pull_s), "secondsAll": [r5(x[0]) for x in default_runs],
            "recordsPerSecond": round(a.records / pull_s, 1),
        },
        "pullLimit1000": {
            "records": a.records, "pageSize": 1000, "pages": limit_runs[0][2],
            "seconds": r5(limit_s), "secondsAll": [r5(x[0]) for x in limit_runs],
            "recordsPerSecond": round(a.records / limit_s, 1),
        },
        "delta": {
            "annotations": a.records, "changed": a.changes, "rounds": a.delta_rounds, "requests": max(delta_pages),
            "seconds": r5(statistics.median(delta_times)), "secondsAll": [r5(x) for x in delta_times],
        },
        "noop": {
            "rounds": a.noop_rounds, "requests": 1, "status": 304,
            "seconds": r5(statistics.median(noop_times)),
            "p99Seconds": r5(noop_sorted[min(len(noop_sorted) - 1, int(0.99 * len(noop_sorted)))]),
        },
    }, sort_keys=True, indent=2))


if __name__ == "__main__":
    main()
