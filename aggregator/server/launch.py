"""Start uvicorn for ``serve``: bind first, then say "serving", then run the workers.

Binding the listening socket (and the metrics listener) in this process
before anything is printed means a port already in use is one clear line
and exit status 2, not "serving on ..." followed by a uvicorn traceback.
The bound socket is handed to uvicorn (one worker) or to its multi-process
supervisor (``--workers N``), which is what ``uvicorn.run`` would do.

With several workers and Prometheus metrics, the workers write their values
to a fresh ``PROMETHEUS_MULTIPROC_DIR`` and the metrics listener, running
in this (supervisor) process, serves their sum; see docs/decisions/0014.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass, field

import uvicorn
from uvicorn.supervisors import Multiprocess

from aggregator.config.observability import ObservabilityConfig, parse_listen
from aggregator.config.server_tls import ServerTlsConfig
from aggregator.observability.logs import configure_logging

__all__ = ["Launch", "launch", "listen_socket"]

EXIT_USAGE = 2


@dataclass(frozen=True, slots=True)
class Launch:
    factory: str  # "module:function" returning the ASGI app, run in every worker
    host: str
    port: int
    workers: int = 1
    tls: ServerTlsConfig | None = None
    observability: ObservabilityConfig = field(default_factory=ObservabilityConfig)
    graphql_path: str = "/graphql"


def listen_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (IPv4 or IPv6) with Nagle's algorithm off for its connections.

    ``IPPROTO_TCP`` is given explicitly: asyncio sets TCP_NODELAY only on sockets
    whose ``proto`` says TCP, and without it a response written in two parts
    waits ~40 ms for a delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def _fail(message: str) -> int:
    print(f"aggregator: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _start_metrics_listener(spec: Launch, observability: ObservabilityConfig) -> str | None:
    """Start the separate /metrics listener if configured; returns its URL."""
    metrics = observability.metrics
    if not metrics.prometheus or metrics.on_main_port:
        return None
    if spec.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="aggregator-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # inherited by every worker
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    from prometheus_client import start_http_server

    from aggregator.observability.prometheus import current_registry

    address = parse_listen(metrics.listen)
    assert address is not None  # checked when the config was read
    host, port = address
    server, _ = start_http_server(port, addr=host, registry=current_registry())
    bound_port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{bound_port}{metrics.path}"


def launch(spec: Launch) -> int:
    """Serve until interrupted; 2 when the address cannot be used."""
    observability = spec.observability.with_env(os.environ)
    configure_logging(observability.log_format)
    try:
        sock = listen_socket(spec.host, spec.port)
    except OSError as exc:
        return _fail(f"cannot listen on {spec.host}:{spec.port}: {exc.strerror or exc}")
    try:
        metrics_url = _start_metrics_listener(spec, observability)
    except OSError as exc:
        sock.close()
        return _fail(
            f"cannot listen for metrics on {observability.metrics.listen}: {exc.strerror or exc}"
        )
    scheme = "https" if spec.tls is not None else "http"
    host = f"[{spec.host}]" if ":" in spec.host else spec.host
    print(
        f"aggregator: serving on {scheme}://{host}:{sock.getsockname()[1]}{spec.graphql_path}",
        flush=True,
    )
    if metrics_url is not None:
        print(f"aggregator: metrics on {metrics_url}", flush=True)
    tls_options: dict[str, object] = {}
    if spec.tls is not None:
        from aggregator.server.tls import TlsHttpToolsProtocol, uvicorn_ssl_context

        tls_options = {
            "ssl_certfile": str(spec.tls.cert_file),
            "ssl_keyfile": str(spec.tls.key_file),
            "ssl_context_factory": functools.partial(uvicorn_ssl_context, spec.tls),
            "http": TlsHttpToolsProtocol,
        }
    config = uvicorn.Config(
        spec.factory,
        factory=True,
        workers=spec.workers,
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="on",
        **tls_options,  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    try:
        if spec.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    if spec.workers == 1 and not server.started:
        return 1
    return 0
