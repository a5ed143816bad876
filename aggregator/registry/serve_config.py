"""``aggregator serve --config``: the server app with a live, hot-reloading gateway.

The start-up supergraph is built once in the parent process first, so a bad
config or an unreachable subgraph stops the command with a clear message
and exit status 2 instead of a uvicorn start-up traceback. Each worker then
builds its own live gateway in its lifespan start-up and watches the config
on its own (workers share nothing but the files and subgraphs they watch).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import ssl
import sys
from pathlib import Path

from aggregator.config import ConfigError, GatewayConfig, load_config
from aggregator.observability.otlp_metrics import OtlpMetricsError, check_exporter
from aggregator.registry.build import build_supergraph
from aggregator.registry.errors import RegistryError
from aggregator.registry.gateway_factory import (
    authenticator,
    gateway_from_config,
    server_options,
)
from aggregator.registry.holder import DrainingGatewayHolder
from aggregator.registry.live import LiveGateway, start_live_gateway
from aggregator.security.audit import DisclosureLog, DisclosureLogError, probe_log_path
from aggregator.security.authorization import DisclosureHook
from aggregator.security.disclosure_hook import disclosure_hook
from aggregator.server import heap
from aggregator.server.app import GatewayApp, Receive, Send
from aggregator.server.gc_tuning import tune_for_serving
from aggregator.server.graceful import DrainSettings
from aggregator.server.launch import ServeSettings, serve_and_report
from aggregator.server.stack import App, StackSettings, prepare_process, server_stack
from aggregator.server.tls import ServerTls
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
        self.disclosure_log: DisclosureLog | None = None

    async def open_disclosure_log(self) -> DisclosureHook | None:
        """This worker's disclosure log (``audit:``), shared by every gateway hot reload
        builds; raises ``DisclosureLogError`` when it cannot be opened (fail closed)."""
        audit = self.config.audit
        if not audit.enabled or audit.path is None:
            return None
        self.disclosure_log = await DisclosureLog.open(audit)
        return disclosure_hook(self.disclosure_log)

    async def close_disclosure_log(self) -> None:
        if self.disclosure_log is not None:
            await self.disclosure_log.close()
            self.disclosure_log = None

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    assert isinstance(self.holder, DrainingGatewayHolder)
                    hook = await self.open_disclosure_log()
                    self.live = await start_live_gateway(
                        self.config,
                        holder=self.holder,
                        file_interval_s=self.file_interval_s,
                        build_gateway=functools.partial(gateway_from_config, on_disclosure=hook),
                    )
                except (ConfigError, RegistryError, SupergraphError, DisclosureLogError) as exc:
                    await self.close_disclosure_log()
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                heap.settle()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.live is not None:
                    await self.live.close()
                await self.close_disclosure_log()
                await self.close_authenticator()
                heap.release()
                await send({"type": "lifespan.shutdown.complete"})
                return


def app_from_env() -> App:
    """uvicorn factory: every worker process loads the config itself."""
    config = load_config(os.environ[_ENV])
    # operators must see reloads and rejected changes, whatever uvicorn's log level
    prepare_process(config.observability)
    app = ReloadingGatewayApp(config)
    overrides = json.loads(os.environ.get(_OVERRIDES_ENV, "{}"))
    for name, value in overrides.items():  # command-line flags win over the file
        setattr(app.options, name, value)
    tune_for_serving()
    return server_stack(
        app,
        StackSettings(
            config.observability, config.compression, config.tls, app.options.graphql_path
        ),
    )


def check_startup(config: GatewayConfig) -> None:
    """Build the supergraph and a gateway once; raises what start-up would."""

    async def build() -> None:
        gateway = gateway_from_config(config, await build_supergraph(config))
        await gateway.close()
        auth = authenticator(config)  # fail closed here, not in a worker's start-up
        if auth is not None:
            await auth.close()

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
    shutdown_timeout_s: float | None = None,
    shutdown_delay_s: float | None = None,
) -> int:
    """Serve until interrupted; ``None`` arguments mean "as the config says"."""
    try:
        config = load_config(config_path)
        if config.audit.enabled and config.audit.path is not None:
            probe_log_path(config.audit.path, workers=workers)  # fail closed before binding
        if config.observability.with_env(os.environ).metrics.otlp:
            check_exporter()
        check_startup(config)
        if config.tls is not None:
            ServerTls(config.tls)  # a certificate that does not load stops us here
    except (
        ConfigError,
        RegistryError,
        SupergraphError,
        DisclosureLogError,
        OtlpMetricsError,
    ) as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 2
    except ssl.SSLError as exc:
        print(
            f"aggregator: error: tls: cannot use {config.tls.cert_file if config.tls else ''}"
            f" with its key: {exc.reason or exc}",
            file=sys.stderr,
        )
        return 2
    os.environ[_ENV] = str(config_path.resolve())
    overrides = {"graphiql": graphiql, "expose_query_plans": expose_query_plans}
    os.environ[_OVERRIDES_ENV] = json.dumps(
        {name: value for name, value in overrides.items() if value is not None}
    )
    host = host or config.server.host
    port = config.server.port if port is None else port
    drain = DrainSettings(
        timeout_s=config.server.shutdown_timeout_s
        if shutdown_timeout_s is None
        else shutdown_timeout_s,
        delay_s=config.server.shutdown_delay_s if shutdown_delay_s is None else shutdown_delay_s,
    )
    settings = ServeSettings(
        host,
        port,
        workers,
        drain,
        tls=config.tls,
        observability=config.observability,
    )
    return serve_and_report("aggregator.registry.serve_config:app_from_env", settings)
