"""The benchmark's request and its expected answers, and the check every response must pass.

Each scenario's expected answer (``bench.scenarios``) was recorded from Apollo
Gateway (the reference) by ``bench/record`` and is the same as Hive Gateway's.
Responses are compared by a checksum of their canonical JSON (sorted keys,
compact), so formatting differences between gateways do not matter but any
wrong value, missing field or extra ``errors`` entry does.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import orjson

from bench.scenarios import BENCH_DIR, DEFAULT_SCENARIO, scenario

QUERY_FILE = BENCH_DIR / "query.graphql"
SUPERGRAPH_FILE = BENCH_DIR / "supergraph.graphql"


def canonical_checksum(document: Any) -> str:
    """sha256 of the canonical JSON of ``document``."""
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


@cache
def query_text() -> str:
    return QUERY_FILE.read_text()


@cache
def request_body() -> bytes:
    """The exact POST body every load generator sends."""
    return orjson.dumps({"query": query_text()})


@cache
def expected_response(scenario_name: str = DEFAULT_SCENARIO) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(scenario(scenario_name).expected_file.read_bytes())
    return data


@cache
def expected_checksum(scenario_name: str = DEFAULT_SCENARIO) -> str:
    return canonical_checksum(expected_response(scenario_name))


def response_problem(status: int, body: bytes, scenario_name: str = DEFAULT_SCENARIO) -> str | None:
    """Why this response is not the expected one, or None if it is."""
    if status != 200:
        return f"HTTP status {status}: {body[:300]!r}"
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return f"body is not JSON: {body[:300]!r}"
    if not isinstance(document, dict):
        return "body is not a JSON object"
    if "errors" in document:
        return f"GraphQL errors: {orjson.dumps(document['errors'])[:500].decode()}"
    if canonical_checksum(document) != expected_checksum(scenario_name):
        return f"data differs from the expected response: {body[:300]!r}"
    return None
