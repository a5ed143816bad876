"""Notice when the supergraph should change, rebuild it, and hand it on.

Three triggers: the config file changes (re-read and validated; a broken
edit is logged and ignored), a file it names changes (the supergraph file,
a subgraph's SDL file or TLS file), or, when ``poll_interval_s`` is set, a
running subgraph starts answering a different SDL. A config edit that changes
only subgraph settings (timeout, headers, TLS, limits, retries, error policy)
or gateway-wide limits hands on the same SDL again, so a new gateway applies
them; what changed is logged. Files are compared by content
hash, not mtime, so rapid rewrites within one mtime tick are not missed.
The callback only sees supergraphs that were built successfully and differ
from the one already serving (it may return False to reject one); a set that
does not compose leaves the old supergraph in place and the composition
errors in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import aiohttp

from aggregator.config import ConfigError, GatewayConfig, load_config
from aggregator.observability.metrics import metrics
from aggregator.registry.build import FetchedSdls, compose_fetched, fetch_all_sdls
from aggregator.registry.changes import describe_changes, restart_needed, tls_files
from aggregator.registry.errors import RegistryError, SupergraphBuildError, one_line

log = logging.getLogger("aggregator.reload")

OnNewSupergraph = Callable[[str], Awaitable[object]]
OnError = Callable[[Exception], object]


class SupergraphWatcher:
    def __init__(
        self,
        config: GatewayConfig,
        on_new_supergraph: OnNewSupergraph,
        *,
        file_interval_s: float = 1.0,
        on_error: OnError | None = None,
    ) -> None:
        self.config = config
        self.on_new_supergraph = on_new_supergraph
        self.on_error = on_error
        self.file_interval_s = file_interval_s
        self.sdl: str | None = None
        self.builds = 0
        self.errors = 0
        self._hashes: dict[Path, str | None] = {}
        self._sdls: Mapping[str, str] = {}
        self._rejected: dict[str, str] = {}
        self._last_poll = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    # -- lifecycle --------------------------------------------------------------

    async def build_initial(self) -> str:
        """The start-up supergraph; raises (start-up must fail) instead of logging."""
        self._hashes = self._fingerprint(self.config)
        self.sdl = await self._build(self.config)
        return self.sdl

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="aggregator-supergraph-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> SupergraphWatcher:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.file_interval_s)
            try:
                await self.check_once()
            except Exception:  # a bug in one round must not end hot reload for good
                self.errors += 1
                log.exception("supergraph check failed; the previous supergraph keeps serving")

    # -- one round ----------------------------------------------------------------

    async def check_once(self) -> bool:
        """Look for changes once; True when a new supergraph was handed on."""
        try:
            return await self._check()
        except (ConfigError, RegistryError, OSError) as exc:
            self.errors += 1
            metrics.reload(False)
            log.error("supergraph not reloaded; the previous one keeps serving: %s", one_line(exc))
            if self.on_error is not None:
                self.on_error(exc)
            return False

    async def _check(self) -> bool:
        hashes = self._fingerprint(self.config)
        config_path = self.config.path
        config = previous = self.config
        settings: list[str] = []
        # serving a supergraph file, an edit to the config or to a connector changes how
        # subgraphs are reached, not the supergraph: the gateway is rebuilt all the same
        rebuild = False
        if hashes != self._hashes:
            config_changed = (
                hashes.get(config_path) != self._hashes.get(config_path)
                if config_path is not None
                else False
            )
            changed_files = {p for p in hashes if hashes[p] != self._hashes.get(p)}
            self._hashes = hashes  # a broken edit is reported once, not on every tick
            if config_changed and config_path is not None:
                config = load_config(config_path)
                self._hashes = self._fingerprint(config)
                self.config = config
                settings = describe_changes(previous, config)
                for section in restart_needed(previous, config):
                    log.warning("config section %s changed; it applies after a restart", section)
            settings.extend(f"{p} changed" for p in sorted(changed_files & tls_files(config)))
            sdl = await self._build(config)
            rebuild = config.supergraph_file is not None
        elif self._poll_due(config):
            fetched = await self._fetch(config)
            seen = dict(fetched.sdls)
            if seen in (dict(self._sdls), self._rejected):
                return False
            self._rejected = seen  # until it composes
            sdl = await self._compose(config, fetched)
        else:
            return False
        if sdl == self.sdl and not settings and not rebuild:
            return False
        if settings:
            log.info("applying config changes: %s", "; ".join(settings))
        if await self.on_new_supergraph(sdl) is False:  # the receiver rejected it
            return False
        self.sdl = sdl
        return True

    def _poll_due(self, config: GatewayConfig) -> bool:
        if config.poll_interval_s is None or not config.subgraphs or config.supergraph_file:
            return False
        now = time.monotonic()
        if now - self._last_poll < config.poll_interval_s:
            return False
        self._last_poll = now
        return True

    # -- building -------------------------------------------------------------------

    async def _build(self, config: GatewayConfig) -> str:
        if config.supergraph_file is not None:
            try:
                return config.supergraph_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise SupergraphBuildError("cannot read the supergraph file", [str(exc)]) from exc
        return await self._compose(config, await self._fetch(config))

    async def _fetch(self, config: GatewayConfig) -> FetchedSdls:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return await fetch_all_sdls(config, self._session)

    async def _compose(self, config: GatewayConfig, fetched: FetchedSdls) -> str:
        sdl = await compose_fetched(config, fetched)
        self._sdls = fetched.sdls  # only a set that composed counts as seen
        self._rejected = {}
        self.builds += 1
        return sdl

    @staticmethod
    def _fingerprint(config: GatewayConfig) -> dict[Path, str | None]:
        hashes: dict[Path, str | None] = {}
        for path in config.watched_files():
            try:
                hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                hashes[path] = None
        return hashes
