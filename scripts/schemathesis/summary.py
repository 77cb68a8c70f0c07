"""Figures of one scripts/schemathesis.sh run, from schemathesis' NDJSON event reports.

    python summary.py --token-report A.ndjson --no-token-report B.ndjson --seconds S ...

Prints one line (`suite=api-conformance operations=... failures=0 ...`) and exits 1 when a check
failed, schemathesis met an error, or a request without a valid token to a documented operation got
anything but the documented 401 `{"error":{"code":"unauthorized"}}`.
"""

import argparse
import base64
import json
import sys


def read(path):
    """Cases, check results, errors and interactions of one report."""
    figures = {"cases": 0, "requests": 0, "failures": 0, "errors": 0, "server_errors": 0, "interactions": []}
    operations = set()
    with open(path, encoding="utf-8") as report:
        for line in report:
            event = json.loads(line)
            kind, body = next(iter(event.items()))
            if kind == "NonFatalError":
                figures["errors"] += 1
            elif kind == "FatalError":
                figures["errors"] += 1
            elif kind == "ScenarioFinished":
                recorder = body.get("recorder", {})
                figures["cases"] += len(recorder.get("cases", {}))
                for case in recorder.get("cases", {}).values():
                    value = case.get("value", {})
                    if value.get("method") and value.get("path"):
                        operations.add((value["method"].upper(), value["path"]))
                for results in recorder.get("checks", {}).values():
                    figures["failures"] += sum(1 for result in results if result.get("status") == "failure")
                for interaction in recorder.get("interactions", {}).values():
                    figures["requests"] += 1
                    response = interaction.get("response") or {}
                    if response.get("status_code", 0) >= 500:
                        figures["server_errors"] += 1
                    figures["interactions"].append(interaction)
    figures["operations"] = operations
    return figures


def documented_operations(spec_path):
    with open(spec_path, encoding="utf-8") as spec:
        paths = json.load(spec)["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def matches(template, path):
    """`/v1/records/{type}/{id}` against a request path (segments split as the server's router does)."""
    want = [part for part in template.split("/") if part]
    have = [part for part in path.split("/") if part]
    return len(want) == len(have) and all(w.startswith("{") or w == h for w, h in zip(want, have))


def unauthorized_figures(interactions, documented):
    """(answered 401 unauthorized, requests) over the requests of the run without a token (a generated
    `Authorization` header is never a valid token) to the documented `/v1` operations."""
    good = total = 0
    for interaction in interactions:
        request, response = interaction["request"], interaction.get("response")
        method = request["method"].upper()
        path = "/" + request["uri"].split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        if not path.startswith("/v1/") or response is None:
            continue
        if not any(m == method and matches(template, path) for m, template in documented):
            continue  # an undeclared method (405) or an unknown path (404)
        total += 1
        content = response.get("content") or {}
        try:
            body = json.loads(base64.b64decode(content.get("$base64", "")) or b"null")
        except ValueError:
            body = None
        code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
        if response["status_code"] == 401 and code == "unauthorized":
            good += 1
    return good, total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--token-report", required=True)
    parser.add_argument("--no-token-report", required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--token-exit", type=int, required=True)
    parser.add_argument("--no-token-exit", type=int, required=True)
    parser.add_argument("--examples", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--seconds", type=int, required=True)
    options = parser.parse_args()

    documented = documented_operations(options.spec)
    token = read(options.token_report)
    anonymous = read(options.no_token_report)
    answered_401, requests_401 = unauthorized_figures(anonymous["interactions"], documented)
    failures = token["failures"] + anonymous["failures"]
    errors = token["errors"] + anonymous["errors"]
    wrong_401 = requests_401 - answered_401
    tested = {operation for operation in token["operations"] | anonymous["operations"] if operation in documented}
    print(
        f"suite=api-conformance operations={len(tested)}/{len(documented)} examples={options.examples}"
        f" cases={token['cases'] + anonymous['cases']} requests={token['requests'] + anonymous['requests']}"
        f" failures={failures} errors={errors}"
        f" token_cases={token['cases']} token_failures={token['failures']}"
        f" no_token_cases={anonymous['cases']} no_token_failures={anonymous['failures']}"
        f" no_token_401={answered_401}/{requests_401}"
        f" server_errors={token['server_errors'] + anonymous['server_errors']}"
        f" seed={options.seed} seconds={options.seconds}"
    )
    ok = (
        failures == 0 and errors == 0 and wrong_401 == 0 and requests_401 > 0
        and options.token_exit == 0 and options.no_token_exit == 0 and len(tested) == len(documented)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
