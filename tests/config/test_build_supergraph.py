"""Config -> fetched SDLs -> composed supergraph, against real subgraph servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import GatewayConfig, SdlSource, SubgraphConfig
from aggregator.registry import SupergraphBuildError, build_supergraph
from tests.config.subgraphs import inventory_app, plain_app, products_app
from tests.support.servers import free_port, serve_asgi


async def test_composes_federation_and_plain_subgraphs() -> None:
    async with (
        serve_asgi(products_app()) as p,
        serve_asgi(inventory_app()) as i,
        serve_asgi(plain_app()) as lic,
    ):
        config = GatewayConfig(
            subgraphs=(
                SubgraphConfig("products", f"{p}/graphql"),
                SubgraphConfig("inventory", f"{i}/graphql"),
                SubgraphConfig("licences", f"{lic}/graphql", SdlSource.INTROSPECTION),
            )
        )
        sdl = await build_supergraph(config)
    assert f'PRODUCTS @join__graph(name: "products", url: "{p}/graphql")' in sdl
    assert f'LICENCES @join__graph(name: "licences", url: "{lic}/graphql")' in sdl
    assert "topProducts(first: Int! = 5): [Product!]! @join__field(graph: PRODUCTS)" in sdl
    assert "inStock: Boolean! @join__field(graph: INVENTORY)" in sdl
    assert "@join__field(graph: LICENCES)" in sdl


async def test_every_unreachable_required_subgraph_is_named() -> None:
    a = f"http://127.0.0.1:{free_port()}/graphql"
    b = f"http://127.0.0.1:{free_port()}/graphql"
    config = GatewayConfig(subgraphs=(SubgraphConfig("alpha", a), SubgraphConfig("beta", b)))
    with pytest.raises(SupergraphBuildError) as info:
        await build_supergraph(config)
    assert info.value.summary == "cannot fetch the SDL of required subgraphs"
    assert [p.split("): ", 1)[0] + ")" for p in info.value.problems] == [
        f"subgraph 'alpha' ({a})",
        f"subgraph 'beta' ({b})",
    ]


async def test_unreachable_optional_subgraph_is_left_out() -> None:
    gone = f"http://127.0.0.1:{free_port()}/graphql"
    async with serve_asgi(products_app()) as p:
        config = GatewayConfig(
            subgraphs=(
                SubgraphConfig("products", f"{p}/graphql"),
                SubgraphConfig("legacy", gone, optional=True),
            )
        )
        sdl = await build_supergraph(config)
    assert "PRODUCTS @join__graph" in sdl
    assert "LEGACY" not in sdl


async def test_subgraphs_that_do_not_compose_report_all_errors(tmp_path: Path) -> None:
    a = tmp_path / "a.graphql"
    a.write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\n'
        "type Query { x: Int }\ntype Thing { id: ID }\n",
        encoding="utf-8",
    )
    b = tmp_path / "b.graphql"
    b.write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\n'
        "type Query { x: String }\ntype Thing { id: String }\n",
        encoding="utf-8",
    )
    config = GatewayConfig(
        subgraphs=(
            SubgraphConfig("a", "http://a/graphql", SdlSource.FILE, sdl_file=a),
            SubgraphConfig("b", "http://b/graphql", SdlSource.FILE, sdl_file=b),
        )
    )
    with pytest.raises(SupergraphBuildError) as info:
        await build_supergraph(config)
    assert info.value.summary == "the subgraphs do not compose"
    text = "\n".join(info.value.problems)
    assert "Query.x" in text
    assert "Thing.id" in text


async def test_supergraph_file_is_read_as_is(tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text("type Query { a: Int }\n", encoding="utf-8")
    assert await build_supergraph(GatewayConfig(supergraph_file=path)) == "type Query { a: Int }\n"
