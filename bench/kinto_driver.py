#!/usr/bin/env python3
"""NK Sync's Kinto driver: the push / full pull / delta / no-op workloads of nkbench, against Kinto.

Records have the shape of an NK Sync annotation (a note, two tags, a quote with 32 characters of
context on each side, a version vector). Loopback URLs only. Prints one JSON object on stdout.
"""
import argparse
import json
import statistics
import sys
import time
import uuid
from urllib.parse import urlparse

import requests


def record(i):
    post = i % 1000
    passage = (i // 1000) % 12
    return {
        "postId": "%016x" % (post * 7919),
        "anchor": {"exact": f"Passage {post}-{passage} says",
                   "prefix": "oats move again. ", "suffix": " at the Dandong wholesale market",
                   "start": passage * 120, "end": passage * 120 + 18},
        "note": f"Note {i}: prices match the customs reports.",
        "tags": ["trade", f"week-{i % 52}"],
        "visibility": "shared", "author": "loader",
        "version": {"bench-loader": 1},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", default="bench")
    ap.add_argument("--password", default="bench-password")
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--noop-rounds", type=int, default=20)
    a = ap.parse_args()
    if urlparse(a.url).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("refusing a non-loopback URL")
    base = a.url.rstrip("/")
    requests.put(f"{base}/accounts/{a.user}", json={"data": {"password": a.password}}, timeout=30)
    s = requests.Session()
    s.auth = (a.user, a.password)
    s.put(f"{base}/buckets/nk", json={"data": {}}, timeout=30).raise_for_status()
    batch_max = requests.get(f"{base}/", timeout=30).json()["settings"]["batch_max_requests"]
    coll = f"c{int(time.time() * 1000)}"
    s.put(f"{base}/buckets/nk/collections/{coll}", json={"data": {}}, timeout=30).raise_for_status()
    path = f"/buckets/nk/collections/{coll}/records"
    ids = [str(uuid.uuid4()) for _ in range(a.records)]
    recs = [record(i) for i in range(a.records)]

    def send(pairs, method):
        for k in range(0, len(pairs), batch_max):
            body = {"defaults": {"method": method},
                    "requests": [{"path": f"{path}/{rid}", "body": {"data": data}} for rid, data in pairs[k:k + batch_max]]}
            r = s.post(f"{base}/batch", json=body, timeout=120)
            r.raise_for_status()
            bad = [x for x in r.json()["responses"] if x["status"] >= 400]
            if bad:
                raise RuntimeError(f"sub-request failed: {bad[0]}")

    def pull(params=None, headers=None):
        url, n, status, etag = f"{base}{path}", 0, None, None
        params = dict(params or {}, _limit=1000)
        while url:
            r = s.get(url, params=params, headers=headers, timeout=120)
            status = r.status_code
            if status == 304:
                return 0, status, etag
            r.raise_for_status()
            etag = etag or r.headers.get("ETag")
            n += len(r.json()["data"])
            url, params = r.headers.get("Next-Page"), None
        return n, status, etag

    t0 = time.perf_counter()
    send(list(zip(ids, recs)), "PUT")
    push_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    n, _, etag = pull()
    pull_s = time.perf_counter() - t0
    assert n == a.records, (n, a.records)

    since = etag.strip('"')
    step = max(1, a.records // a.changes)
    changed = [(ids[k], {"note": f"edited {k}", "version": {"bench-loader": 2}}) for k in range(0, a.records, step)][: a.changes]
    send(changed, "PATCH")
    t0 = time.perf_counter()
    n, _, etag = pull({"_since": since})
    delta_s = time.perf_counter() - t0
    assert n == len(changed), (n, len(changed))

    latest = etag.strip('"')
    noop = []
    for _ in range(a.noop_rounds):
        t0 = time.perf_counter()
        _, status, _ = pull({"_since": latest}, {"If-None-Match": f'"{latest}"'})
        noop.append(time.perf_counter() - t0)
        assert status == 304, status

    print(json.dumps({
        "records": a.records, "batchMaxRequests": batch_max,
        "push": {"seconds": push_s, "recordsPerSecond": a.records / push_s},
        "pull": {"seconds": pull_s, "recordsPerSecond": a.records / pull_s},
        "delta": {"changed": len(changed), "seconds": delta_s},
        "noop": {"seconds": statistics.median(noop)},
    }, sort_keys=True))


if __name__ == "__main__":
    main()
