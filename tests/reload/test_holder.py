"""The draining holder: who holds a gateway, and when a replaced one is free to close."""

from __future__ import annotations

import asyncio

from aggregator.gateway import Gateway
from aggregator.registry import DrainingGatewayHolder
from tests.reload.backends import SDL_WITHOUT_SLOW, supergraph


def gateway() -> Gateway:
    return Gateway.from_supergraph_sdl(
        supergraph("http://products.invalid/graphql", SDL_WITHOUT_SLOW)
    )


async def test_a_task_reading_current_holds_it_until_the_task_ends() -> None:
    old, new = gateway(), gateway()
    holder = DrainingGatewayHolder(old)
    release = asyncio.Event()

    async def request() -> Gateway | None:
        seen = holder.current
        await release.wait()
        return seen

    task = asyncio.create_task(request())
    await asyncio.sleep(0)
    assert holder.in_flight(old) == 1
    assert holder.swap(new) is old
    assert holder.peek() is new
    drained = asyncio.create_task(holder.drained(old))
    await asyncio.sleep(0)
    assert not drained.done()
    release.set()
    assert await task is old  # the request kept the gateway it started with
    assert await drained is True
    assert holder.in_flight(old) == 0


async def test_explicit_use_and_drain_timeout() -> None:
    old = gateway()
    holder = DrainingGatewayHolder(old)
    async with holder.use() as held:
        assert held is old
        assert holder.in_flight(old) == 1
        holder.swap(gateway())
        assert await holder.drained(old, timeout_s=0.01) is False
    assert await holder.drained(old, timeout_s=0.01) is True


def test_reading_current_outside_an_event_loop_takes_no_lease() -> None:
    current = gateway()
    holder = DrainingGatewayHolder(current)
    assert holder.current is current
    assert holder.in_flight(current) == 0
