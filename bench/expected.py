"""The benchmark's request and its expected answer, and the check every response must pass.

The expected answer was recorded from Apollo Gateway (the reference) and is the
same as Hive Gateway's. Responses are compared by a checksum of their canonical
JSON (sorted keys, compact), so formatting differences between gateways do not
matter but any wrong value, missing field or extra ``errors`` entry does.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import orjson

BENCH_DIR = Path(__file__).parent
QUERY_FILE = BENCH_DIR / "query.graphql"
EXPECTED_FILE = BENCH_DIR / "expected-response.json"
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
def expected_response() -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(EXPECTED_FILE.read_bytes())
    return data


@cache
def expected_checksum() -> str:
    return canonical_checksum(expected_response())


def response_problem(status: int, body: bytes) -> str | None:
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
    if canonical_checksum(document) != expected_checksum():
        return f"data differs from the expected response: {body[:300]!r}"
    return None
