"""Every subgraph client is built here: one per subgraph the supergraph names.

Receives the supergraph model (which subgraphs exist, and the URLs composition
recorded), the gateway config when there is one (per-subgraph timeout, headers, TLS,
in-process kinds) and URL overrides (command line, tests); returns name -> client.
A subgraph the config lists but the supergraph does not (an optional subgraph left out
of composition) gets no client, so nothing has to be removed from a built gateway.

TLS contexts come from the config's one helper (aggregator/config/tls.py), the same
one SDL fetching uses, so the gateway verifies and presents certificates the way the
registry did when it fetched the SDL. In-process kinds (Python modules, REST
connectors) are built by the caller's ``in_process`` function: the registry owns them
and reports their failures as SDL fetch errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aggregator.config.model import GatewayConfig, SubgraphConfig
from aggregator.config.tls import ssl_context
from aggregator.supergraph.model import SupergraphModel
from aggregator.transport.base import Subgraph
from aggregator.transport.http import HttpSubgraph, HttpSubgraphOptions

__all__ = ["InProcessBuilder", "subgraph_clients"]

InProcessBuilder = Callable[[SubgraphConfig], Subgraph]


def subgraph_clients(
    model: SupergraphModel,
    config: GatewayConfig | None = None,
    urls: Mapping[str, str] | None = None,
    *,
    defaults: HttpSubgraphOptions | None = None,
    in_process: InProcessBuilder | None = None,
) -> dict[str, Subgraph]:
    """``defaults`` applies to subgraphs the config does not describe."""
    overrides = dict(urls or {})
    configured = {sub.name: sub for sub in config.subgraphs} if config is not None else {}
    clients: dict[str, Subgraph] = {}
    for name, info in model.subgraphs.items():
        sub = configured.get(name)
        if sub is not None and sub.in_process:
            if in_process is None:
                raise ValueError(f"subgraph '{name}' runs in process: pass in_process=")
            clients[name] = in_process(sub)
            continue
        url = overrides.get(name) or (sub.url if sub is not None else "") or info.url
        if not url or url.startswith("inprocess://"):  # in-process ones come from the config
            continue
        options = http_options(sub) if sub is not None else defaults or HttpSubgraphOptions()
        clients[name] = HttpSubgraph(name, url, options)
    return clients


def http_options(sub: SubgraphConfig) -> HttpSubgraphOptions:
    """Connection settings; the subgraph's configured headers are sent by the header rules
    (security/propagation.py), which decide what wins over a client's header."""
    return HttpSubgraphOptions(timeout_s=sub.timeout_s, ssl=ssl_context(sub.tls))
