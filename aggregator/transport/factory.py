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
from aggregator.config.resilience import SubgraphDefaults, mode_errors
from aggregator.config.tls import ssl_context
from aggregator.supergraph.model import SupergraphModel
from aggregator.transport.base import Subgraph
from aggregator.transport.http import HttpSubgraph, HttpSubgraphOptions
from aggregator.transport.resilience import ResiliencePolicy, ResilientSubgraph

__all__ = ["InProcessBuilder", "default_subgraph", "http_options", "subgraph_clients"]

InProcessBuilder = Callable[[SubgraphConfig], Subgraph]


def subgraph_clients(
    model: SupergraphModel,
    config: GatewayConfig | None = None,
    urls: Mapping[str, str] | None = None,
    *,
    defaults: HttpSubgraphOptions | None = None,
    in_process: InProcessBuilder | None = None,
) -> dict[str, Subgraph]:
    """``defaults`` applies to subgraphs nothing describes (no config). With a config,
    every client sits inside its subgraph's resilience policy (retries, circuit breaker,
    error redaction), and a subgraph only the supergraph names gets the config's
    ``subgraph_defaults``."""
    overrides = dict(urls or {})
    configured = {sub.name: sub for sub in config.subgraphs} if config is not None else {}
    clients: dict[str, Subgraph] = {}
    for name, info in model.subgraphs.items():
        sub = configured.get(name)
        if sub is not None and sub.in_process:
            if in_process is None:
                raise ValueError(f"subgraph '{name}' runs in process: pass in_process=")
            # a function call: nothing to retry or break, but its errors are redacted the same
            policy = ResiliencePolicy(
                errors=sub.resilience.errors, retry=None, circuit_breaker=None
            )
            clients[name] = ResilientSubgraph(in_process(sub), policy)
            continue
        url = overrides.get(name) or (sub.url if sub is not None else "") or info.url
        if not url or url.startswith("inprocess://"):  # in-process ones come from the config
            continue
        if sub is None and config is not None:
            sub = default_subgraph(config, name, url)
        if sub is None:
            clients[name] = HttpSubgraph(name, url, defaults or HttpSubgraphOptions())
            continue
        clients[name] = ResilientSubgraph(
            HttpSubgraph(name, url, http_options(sub)), sub.resilience
        )
    return clients


def default_subgraph(config: GatewayConfig, name: str, url: str) -> SubgraphConfig:
    """A subgraph only the supergraph names, configured by ``subgraph_defaults``."""
    defaults: SubgraphDefaults = config.subgraph_defaults
    policy = ResiliencePolicy(
        errors=defaults.errors or mode_errors(config.mode),
        retry=defaults.retry,
        circuit_breaker=defaults.circuit_breaker,
    )
    return SubgraphConfig(
        name,
        url,
        timeout_s=defaults.timeout_s,
        max_response_bytes=defaults.max_response_bytes,
        resilience=policy,
    )


def http_options(sub: SubgraphConfig) -> HttpSubgraphOptions:
    """Connection settings; the subgraph's configured headers are sent by the header rules
    (security/propagation.py), which decide what wins over a client's header."""
    return HttpSubgraphOptions(
        timeout_s=sub.timeout_s,
        ssl=ssl_context(sub.tls),
        max_response_bytes=sub.max_response_bytes,
    )
