"""Trusted documents: Apollo and Relay manifests, strict and log-unlisted modes."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from aggregator.config import ConfigError, parse_config
from aggregator.registry.gateway_factory import server_options
from aggregator.security.trusted_documents import TrustedDocumentsError, load_manifest
from tests.resilience.conftest import LICENCE, QUERY, dmv_gateway

HOLDER = 'query Holder { licence(id: "L1") { holder } }'


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apollo_manifest(path: Path, *bodies: str) -> Path:
    operations = [
        {"id": sha(b), "name": f"Op{i}", "type": "query", "body": b} for i, b in enumerate(bodies)
    ]
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return path


async def test_strict_serves_listed_documents_by_id_and_by_text_and_nothing_else(
    tmp_path: Path,
) -> None:
    manifest = apollo_manifest(tmp_path / "apollo.json", QUERY)
    config = f"trusted_documents: {{manifests: [{manifest}]}}\n"
    async with dmv_gateway(tmp_path, config) as served:
        by_id = await served.session.post(
            served.url,
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(QUERY)}}},
        )
        by_id_body = await by_id.json()
        _, by_text, _ = await served.post(QUERY)
        served.subgraph.reset()
        status, unlisted, _ = await served.post(HOLDER)
        assert served.subgraph.requests == []
    assert by_id_body == by_text == {"data": {"licence": LICENCE}}
    assert status == 400
    assert unlisted["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_relay_manifests_are_served_by_doc_id_or_document_id(tmp_path: Path) -> None:
    manifest = tmp_path / "relay.json"
    manifest.write_text(json.dumps({"a1b2": QUERY}))
    config = f"trusted_documents: {{manifests: [{manifest}], require_id: true}}\n"
    async with dmv_gateway(tmp_path, config) as served:
        answers = []
        for body in (
            {"doc_id": "a1b2"},
            {"documentId": "a1b2"},
            {"query": QUERY},
            {"doc_id": "nope"},
        ):
            async with served.session.post(served.url, json=body) as response:
                answers.append(await response.json())
    assert answers[0] == answers[1] == {"data": {"licence": LICENCE}}
    assert answers[2]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ID_REQUIRED"
    assert answers[3]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_log_unlisted_serves_and_logs_each_unlisted_operation_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manifest = apollo_manifest(tmp_path / "apollo.json", QUERY)
    config = f"trusted_documents: {{manifests: [{manifest}], mode: log_unlisted}}\n"
    async with dmv_gateway(tmp_path, config) as served:
        with caplog.at_level(logging.WARNING, logger="aggregator.trusted_documents"):
            answers = [await served.post(text) for text in (QUERY, HOLDER, HOLDER)]
    assert [a[1] for a in answers] == [
        {"data": {"licence": LICENCE}},
        {"data": {"licence": {"holder": "Ada"}}},
        {"data": {"licence": {"holder": "Ada"}}},
    ]
    logged = [r.getMessage() for r in caplog.records if r.name == "aggregator.trusted_documents"]
    assert logged == [f"unlisted operation served (log_unlisted mode): name=- sha256={sha(HOLDER)}"]


def test_strict_trusted_documents_cannot_be_combined_with_apq(tmp_path: Path) -> None:
    manifest = apollo_manifest(tmp_path / "apollo.json", QUERY)
    (tmp_path / "sg.graphql").write_text("")
    with pytest.raises(ConfigError) as info:
        parse_config(
            f"supergraph_file: {tmp_path / 'sg.graphql'}\nserver: {{apq: true}}\n"
            f"trusted_documents: {{manifests: [{manifest}]}}\n"
        )
    assert str(info.value) == (
        "<config>:3: trusted_documents.mode: strict trusted documents cannot be combined with "
        "server.apq (clients could register any document)"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[1, 2]", "expected a JSON object"),
        (
            '{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}',
            "unsupported apollo-persisted-query-manifest version 2 (expected 1)",
        ),
        ('{"format": "other", "operations": []}', "unknown manifest format 'other'"),
        ('{"x": 1}', "'x' must map to the document text (a Relay manifest)"),
        ('{"a": ', "1: not valid JSON"),
    ],
)
def test_a_manifest_that_cannot_be_used_stops_the_start(
    tmp_path: Path, content: str, problem: str
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(content)
    with pytest.raises(TrustedDocumentsError) as info:
        load_manifest(manifest)
    assert problem in str(info.value)
    (tmp_path / "sg.graphql").write_text("")
    config = parse_config(
        f"supergraph_file: {tmp_path / 'sg.graphql'}\n"
        f"trusted_documents: {{manifests: [{manifest}]}}\n"
    )
    with pytest.raises(ConfigError, match="trusted_documents: "):
        server_options(config)
