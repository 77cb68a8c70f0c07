"""Schemathesis hooks for scripts/schemathesis.sh (issue 6, suite 8; see RELIABILITY.md).

Two rules of the API that a JSON Schema cannot state, so that schema-valid requests are not
answered 400 for reasons the schema cannot know:

- a pushed version's `id` must be the id inside its `post` or `annotation` (else the push is a
  400 `invalid_json`): generated pushes get the inner id copied out;
- a cursor (`since`) past the server's newest sequence number is a 400 `invalid_cursor` (the bound
  moves with every push): the configuration lets positive data of `changes` and `wait` be a 400,
  and the check below makes sure such a 400 is that one and nothing else.
"""

import schemathesis
from schemathesis.generation import GenerationMode


@schemathesis.hook
def before_call(ctx, case, kwargs):
    """Copies each pushed version's inner id to its `id`, only where both are strings, so a
    negative case stays negative (its mutation is elsewhere or leaves the ids alone)."""
    if case.operation.method.upper() != "POST" or case.operation.path != "/v1/push":
        return
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("versions"), list):
        return
    for version in body["versions"]:
        if not isinstance(version, dict) or not isinstance(version.get("id"), str):
            continue
        kind = version.get("type")
        inner = version.get(kind) if kind in ("post", "annotation") else None
        if isinstance(inner, dict) and isinstance(inner.get("id"), str):
            version["id"] = inner["id"]


@schemathesis.check
def cursor_rejection_is_invalid_cursor(ctx, response, case):
    """A schema-valid request to `changes` or `wait` may only be refused for its cursor."""
    if case.operation.path not in ("/v1/changes", "/v1/wait") or response.status_code != 400:
        return None
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return None
    code = (response.json() or {}).get("error", {}).get("code")
    if code != "invalid_cursor":
        raise AssertionError(f"a schema-valid request was refused with 400 `{code}`, not `invalid_cursor`")
    return None
