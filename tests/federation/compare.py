"""Compare a gateway response with a golden recorded from Apollo Gateway.

What is compared, and every normalisation applied (both sides alike):
  * ``data``: exactly, including key order (compared as ``json.dumps`` text without
    ``sort_keys``), and whether the key is present at all (request errors have none).
    Numbers compare by value: JavaScript prints the Float ``0.0`` as ``0``, so integral
    floats are written as integers on both sides before comparing.
  * ``errors``: as a list of ``(message, path, extensions.code)``.
    - Only ``extensions.code`` is compared: Apollo adds implementation details
      (``serviceName``, ``stacktrace``, HTTP bodies) that are not part of the contract.
    - Loopback ports in messages become ``PORT`` (they change every run).
    - Errors are sorted by (path, message, code): Apollo reports errors of parallel
      fetches in completion order, so their order is not deterministic.
    - Request errors (the golden has no ``data`` key: parse, validation, variable
      coercion, operation selection) compare ``(path, code)`` only: their wording comes
      from the GraphQL library (graphql-js 16 in Apollo, graphql-core 3.3 here, which
      quotes names with ' and phrases variable errors differently). Count and codes
      still compare.
    - Transport failures (HTTP 500, non-JSON body, connection refused) are marked
      ``"error_fields": ["path"]`` in operations.json: their wording is each gateway's
      own, and Apollo Gateway codes them ``INTERNAL_SERVER_ERROR`` where our registry
      uses Apollo Router's ``SUBREQUEST_*`` codes. Their count and paths still compare.
  * Where Apollo Gateway is wrong (an operation with ``oracle_bug``), our gateway is
    compared with the operation's hand-written ``correct`` response instead.
  * ``locations``, the response's top-level ``extensions`` (Apollo puts its own
    ``valueCompletion`` report there) and the HTTP status code are recorded but not
    compared.
"""

from __future__ import annotations

import json
from typing import Any

from tests.federation.harness import scrub_ports

ErrorKey = tuple[str, str, str]


ALL_FIELDS = ("message", "path", "code")


def error_keys(body: dict[str, Any], fields: tuple[str, ...] = ALL_FIELDS) -> list[ErrorKey]:
    keys: list[ErrorKey] = []
    for error in body.get("errors") or []:
        message = scrub_ports(str(error.get("message"))) if "message" in fields else ""
        path = json.dumps(error.get("path")) if "path" in fields else ""
        code = str((error.get("extensions") or {}).get("code")) if "code" in fields else ""
        keys.append((message, path, code))
    return sorted(keys, key=lambda k: (k[1], k[0], k[2]))


def _js_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    return value


def data_text(body: dict[str, Any]) -> str:
    if "data" not in body:
        return "<no data key>"
    return json.dumps(_js_numbers(body["data"]), indent=1, ensure_ascii=False)


def differences(actual: Any, expected: Any, fields: tuple[str, ...] = ALL_FIELDS) -> list[str]:
    """Human-readable differences; empty when the responses match."""
    if not isinstance(actual, dict):
        return [f"response is not a JSON object: {actual!r}"]
    problems: list[str] = []
    got, want = data_text(actual), data_text(expected)
    if got != want:
        problems.append(f"data differs\n--- expected\n{want}\n--- actual\n{got}")
    if "data" not in expected:
        fields = tuple(f for f in fields if f != "message")
    got_errors = error_keys(actual, fields)
    want_errors = error_keys(expected, fields)
    if got_errors != want_errors:
        problems.append(f"errors differ\n--- expected\n{want_errors}\n--- actual\n{got_errors}")
    return problems
