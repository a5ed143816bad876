"""Large documents are checked in a worker process and planned off the loop: same answers."""

from __future__ import annotations

import pytest

from aggregator.gateway import GatewayOptions
from aggregator.operation import DocumentPolicy
from aggregator.security.limits import OperationLimits
from tests.security.hardening.conftest import ShopSubgraphs, serve_shop

ROOTS = 40
LARGE = "{ " + " ".join(f'u{i}: user(id: "1") {{ id name }}' for i in range(ROOTS)) + " }"
HOSTILE = "{ " + 'user(id: "1") { id }\n' * 1600 + "}"
INVALID = "{ " + " ".join(f'u{i}: user(id: "1") {{ id }}' for i in range(ROOTS)) + " nope }"


@pytest.mark.parametrize("processes", [0, 1])
async def test_large_documents_get_the_same_answers_in_a_worker_process_or_a_thread(
    shop_subgraphs: ShopSubgraphs, processes: int
) -> None:
    limits = OperationLimits(max_root_fields=100, max_aliases=100)
    options = GatewayOptions(documents=DocumentPolicy(limits=limits, processes=processes))
    async with serve_shop(shop_subgraphs, options) as served:
        assert len(LARGE) > options.documents.offload_chars
        _, small, _ = await served.post({"query": '{ user(id: "1") { id } }'})
        # no process until a document needs one (a gateway at rest stays one process)
        assert served.gateway._workers is None
        assert small["data"] == {"user": {"id": "1"}}
        _, large, _ = await served.post({"query": LARGE})
        _, hostile, _ = await served.post({"query": HOSTILE})
        _, invalid, _ = await served.post({"query": INVALID})
        _, again, _ = await served.post({"query": LARGE})  # from the cache now
        workers = served.gateway._workers
        assert (workers is not None) is (processes == 1)
    assert large == again
    assert large["data"] == {f"u{i}": {"id": "1", "name": "Ada Lovelace"} for i in range(ROOTS)}
    # refused while parsing, at its 101st root field
    assert [e["extensions"]["code"] for e in hostile["errors"]] == ["MAX_ROOT_FIELDS_LIMIT"]
    [error] = invalid["errors"]
    assert error["message"] == 'Cannot query field "nope" on type "Query".'
    assert error["locations"] == [{"line": 1, "column": len(INVALID) - 5}]


async def test_a_killed_worker_process_is_replaced_and_the_document_still_answered(
    shop_subgraphs: ShopSubgraphs, caplog: pytest.LogCaptureFixture
) -> None:
    import os
    import signal

    limits = OperationLimits(max_root_fields=100, max_aliases=100)
    options = GatewayOptions(documents=DocumentPolicy(limits=limits, processes=1))
    async with serve_shop(shop_subgraphs, options) as served:
        workers = served.gateway.document_workers()
        await workers.start()
        [pid] = workers.pids()
        os.kill(pid, signal.SIGKILL)
        with caplog.at_level("ERROR", logger="aggregator.gateway"):
            _, first, _ = await served.post({"query": LARGE})
        _, second, _ = await served.post({"query": LARGE.replace("u0:", "v0:")})
        replacement = served.gateway._workers
        assert replacement is not None
        assert replacement is not workers
    assert first["data"]["u1"] == {"id": "1", "name": "Ada Lovelace"}
    assert second["data"]["v0"] == {"id": "1", "name": "Ada Lovelace"}
    assert "document worker process failed; restarting it" in caplog.text
