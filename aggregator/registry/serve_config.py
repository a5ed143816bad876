"""``aggregator serve --config``: the server app with a live, hot-reloading gateway.

The start-up supergraph is built once in the parent process first, so a bad
config or an unreachable subgraph stops the command with a clear message
and exit status 2 instead of a uvicorn start-up traceback. Each worker then
builds its own live gateway in its lifespan start-up and watches the config
on its own (workers share nothing but the files and subgraphs they watch).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

import uvicorn

from aggregator.config import ConfigError, GatewayConfig, load_config
from aggregator.observability.setup import configure_tracing_from_env
from aggregator.registry.build import build_supergraph
from aggregator.registry.errors import RegistryError
from aggregator.registry.gateway_factory import gateway_from_config, server_options
from aggregator.registry.holder import DrainingGatewayHolder
from aggregator.registry.live import LiveGateway, start_live_gateway
from aggregator.server import heap
from aggregator.server.app import GatewayApp, Receive, Send
from aggregator.supergraph import SupergraphError

_ENV = "AGGREGATOR_CONFIG_FILE"
_OVERRIDES_ENV = "AGGREGATOR_CONFIG_OVERRIDES"


class ReloadingGatewayApp(GatewayApp):
    """The server app; its lifespan starts and stops the live gateway."""

    def __init__(self, config: GatewayConfig, *, file_interval_s: float = 1.0) -> None:
        super().__init__(DrainingGatewayHolder(), server_options(config))
        self.config = config
        self.file_interval_s = file_interval_s
        self.live: LiveGateway | None = None

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    assert isinstance(self.holder, DrainingGatewayHolder)
                    self.live = await start_live_gateway(
                        self.config, holder=self.holder, file_interval_s=self.file_interval_s
                    )
                except (ConfigError, RegistryError, SupergraphError) as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                gateway = self.holder.peek()
                if gateway is not None:
                    await gateway.warm_up()
                heap.settle()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.live is not None:
                    await self.live.close()
                heap.release()
                await send({"type": "lifespan.shutdown.complete"})
                return


def app_from_env() -> ReloadingGatewayApp:
    """uvicorn factory: every worker process loads the config itself."""
    _log_reloads()
    configure_tracing_from_env()
    app = ReloadingGatewayApp(load_config(os.environ[_ENV]))
    overrides = json.loads(os.environ.get(_OVERRIDES_ENV, "{}"))
    for name, value in overrides.items():  # command-line flags win over the file
        setattr(app.options, name, value)
    return app


def _log_reloads() -> None:
    """Operators must see reloads and rejected changes, whatever uvicorn's log level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("aggregator.reload", "aggregator.registry"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)


def check_startup(config: GatewayConfig) -> None:
    """Build the supergraph and a gateway once; raises what start-up would."""

    async def build() -> None:
        gateway = gateway_from_config(config, await build_supergraph(config))
        await gateway.close()

    server_options(config)  # a trusted-documents manifest it cannot use stops the start
    asyncio.run(build())


def serve_config(
    config_path: Path,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int = 1,
    graphiql: bool | None = None,
    expose_query_plans: bool | None = None,
) -> int:
    """Serve until interrupted; ``None`` arguments mean "as the config says"."""
    try:
        config = load_config(config_path)
        check_startup(config)
    except (ConfigError, RegistryError, SupergraphError) as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2
    os.environ[_ENV] = str(config_path.resolve())
    overrides = {"graphiql": graphiql, "expose_query_plans": expose_query_plans}
    os.environ[_OVERRIDES_ENV] = json.dumps(
        {name: value for name, value in overrides.items() if value is not None}
    )
    host = host or config.server.host
    port = config.server.port if port is None else port
    print(f"aggregator: serving on http://{host}:{port}/graphql", flush=True)
    uvicorn.run(
        "aggregator.registry.serve_config:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    return 0
