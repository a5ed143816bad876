"""The document cache's byte accounting matches what its entries really hold.

The cache is bounded by bytes it is told, so the estimate must stay close to the
truth: tracemalloc measures what parsing, validating, planning and compiling the
projection of one document keeps alive, and the accounted size must be within a
factor of two of it.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest

from aggregator.execution.projection import COMPILE_BUDGET_FIELDS
from aggregator.gateway import CompiledOperation, Gateway, GatewayOptions
from aggregator.lru import ByteLRU
from aggregator.operation import DocumentPolicy
from aggregator.security.limits import OperationLimits

BENCH = Path(__file__).parents[2] / "bench"


def _document(copies: int, tag: str) -> str:
    query = (BENCH / "query.graphql").read_text()
    fragments = query[: query.index("query TestQuery")]
    body = query[query.index("query TestQuery") + len("query TestQuery {") : query.rindex("}")]
    parts = [
        body.replace("users {", f"u{i}: users {{", 1).replace(
            "topProducts {", f"t{i}: topProducts {{", 1
        )
        for i in range(copies)
    ]
    return fragments + f"query Q{tag} {{" + "\n".join(parts) + "}"


def _compile_projection(compiled: CompiledOperation) -> None:
    """What the first answer compiles (every object the operation can reach)."""
    planned = compiled.planned
    compiled.projector.compiled(planned.selections, planned.root_type)


@pytest.mark.parametrize("copies", [1, 4, 30, 100])
def test_accounted_bytes_are_within_a_factor_of_two_of_the_real_ones(copies: int) -> None:
    gateway = Gateway.from_supergraph_sdl(
        (BENCH / "supergraph.graphql").read_text(),
        options=GatewayOptions(documents=DocumentPolicy(limits=OperationLimits.unlimited())),
    )
    warm = gateway.documents.operation(_document(2, "warm"), None)  # one-time caches
    _compile_projection(gateway.compiled(warm, {}))
    text = _document(copies, "measured")
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    accounted_before = gateway.documents.bytes
    info = gateway.documents.operation(text, None)
    _compile_projection(gateway.compiled(info, {}))
    gc.collect()
    real = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    accounted = gateway.documents.bytes - accounted_before
    assert 0.5 <= accounted / real <= 2.0, (accounted, real, len(text))


def test_byte_lru_evicts_by_bytes_and_refuses_what_is_over_the_entry_cap() -> None:
    cache: ByteLRU[str, str] = ByteLRU(max_bytes=100, max_entry_bytes=80)
    assert cache.put("a", "a", 40)
    assert cache.put("b", "b", 40)
    assert cache.get("a") == "a"  # a is now the most recently used
    assert cache.put("c", "c", 40)  # 120 > 100: the least recently used (b) goes
    assert "b" not in cache
    assert ("a" in cache, "c" in cache, cache.bytes) == (True, True, 80)
    assert not cache.put("d", "d", 81)
    assert "d" not in cache
    cache.grow("a", 30)  # a plan compiled for a: 110 > 100, c goes
    assert ("a" in cache, "c" in cache, cache.bytes) == (True, False, 70)
    cache.grow("a", 40)  # over the entry cap: a is dropped rather than kept oversized
    assert len(cache) == 0
    assert cache.bytes == 0


def test_a_large_operation_compiles_a_bounded_projection() -> None:
    gateway = Gateway.from_supergraph_sdl(
        (BENCH / "supergraph.graphql").read_text(),
        options=GatewayOptions(documents=DocumentPolicy(limits=OperationLimits.unlimited())),
    )
    small = gateway.compiled(gateway.documents.operation(_document(1, "small"), None), {})
    large = gateway.compiled(gateway.documents.operation(_document(30, "large"), None), {})
    for compiled in (small, large):
        _compile_projection(compiled)
    # the benchmark's query compiles whole; thirty copies of it stop at the budget
    assert small.projector.compiled_fields == 55
    assert 0 < large.projector.compiled_fields <= COMPILE_BUDGET_FIELDS
