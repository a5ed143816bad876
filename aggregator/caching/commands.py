"""``aggregator cache purge | stats``: invalidate entries and read the counters.

Where the entries live decides how a purge reaches them:

- ``backend: redis`` — the command talks to Redis itself (every replica shares
  it), so a purge works even with no gateway running;
- ``backend: memory`` — entries live inside the gateway process, so the
  command calls the running gateway's admin endpoint (``--url``, default the
  config's ``server.host:port``) with the admin token.

``--url`` always goes through the admin endpoint (which also checks type and
key names against the served supergraph). The token comes from
``cache.admin_token`` in the config or the environment variable named by
``--token-env`` (default ``AGGREGATOR_CACHE_ADMIN_TOKEN``).

Exit status: 0 done, 1 the purge could not be carried out (gateway or Redis
unreachable, token refused), 2 a usage or configuration mistake. One line,
never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["register_cache_commands"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
TOKEN_ENV = "AGGREGATOR_CACHE_ADMIN_TOKEN"


class _Failed(Exception):
    def __init__(self, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.status = status


def register_cache_commands(subparsers: Any) -> None:
    """Add ``cache`` (``purge``, ``stats``) to the top-level command parser."""
    cache = subparsers.add_parser("cache", help="purge the resolver cache or read its counters")
    cache.set_defaults(func=lambda _args: _usage(cache))
    commands = cache.add_subparsers(dest="cache_command", metavar="COMMAND")
    purge = commands.add_parser(
        "purge", help="remove entries by type (and key), subgraph or @cacheTag tag"
    )
    _target(purge)
    purge.add_argument("--type", dest="type_name", help="entity or object type, e.g. Vehicle")
    purge.add_argument(
        "--key",
        help='one entity by its @key fields, as JSON: --type Vehicle --key \'{"plate":"X"}\'',
    )
    purge.add_argument("--subgraph", help="every entry fetched from this subgraph")
    purge.add_argument("--tag", help="every entry carrying this @cacheTag name")
    purge.set_defaults(func=purge_command)
    stats = commands.add_parser("stats", help="print the cache counters of a running gateway")
    _target(stats)
    stats.set_defaults(func=stats_command)


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="aggregator.yaml (its cache: section)")
    parser.add_argument("--url", help="a running gateway, e.g. http://127.0.0.1:4000")
    parser.add_argument(
        "--token-env", default=TOKEN_ENV, metavar="VAR", help="environment variable with the token"
    )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _fail(message: str, status: int) -> int:
    print(f"aggregator: error: {message}", file=sys.stderr)
    return status


def _purge_payload(args: argparse.Namespace) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if args.type_name:
        payload["type"] = args.type_name
    if args.key is not None:
        if not args.type_name:
            raise _Failed("--key needs --type", EXIT_USAGE)
        try:
            key = json.loads(args.key)
        except json.JSONDecodeError as exc:
            raise _Failed(f"--key is not JSON: {exc.msg}", EXIT_USAGE) from exc
        if not isinstance(key, dict) or not key:
            raise _Failed("--key must be a JSON object of @key fields", EXIT_USAGE)
        payload["key"] = key
    if args.subgraph:
        payload["subgraph"] = args.subgraph
    if args.tag:
        payload["tag"] = args.tag
    if not payload:
        raise _Failed("name what to purge: --type [--key], --subgraph or --tag", EXIT_USAGE)
    return payload


def _load(args: argparse.Namespace) -> Any:
    from aggregator.config import ConfigError, load_config

    if args.config is None:
        return None
    try:
        return load_config(args.config)
    except ConfigError as exc:
        raise _Failed(str(exc), EXIT_USAGE) from exc


def _admin_url(args: argparse.Namespace, config: Any) -> str:
    if args.url:
        return str(args.url).rstrip("/")
    if config is None:
        raise _Failed("give --config or --url", EXIT_USAGE)
    host = config.server.host
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{config.server.port}"


def _token(args: argparse.Namespace, config: Any) -> str:
    token = os.environ.get(args.token_env)
    if token:
        return token
    if config is not None and config.cache.admin_token:
        return str(config.cache.admin_token)
    raise _Failed(
        f"no admin token: set cache.admin_token in the config or ${args.token_env}", EXIT_USAGE
    )


async def _call_admin(method: str, url: str, token: str, payload: Any = None) -> Any:
    import aiohttp

    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
            session.request(
                method, url, json=payload, headers={"authorization": f"Bearer {token}"}
            ) as response,
        ):
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise _Failed(f"cannot reach the gateway at {url}: {exc or type(exc).__name__}") from exc
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if status != 200:
        message = raw[:200].decode("utf-8", "replace")
        if isinstance(body, dict) and body.get("errors"):
            message = str(body["errors"][0].get("message"))
        if status == 404:
            message = "the gateway has no cache admin endpoint (set cache.admin_token)"
        raise _Failed(
            f"{url}: HTTP {status}: {message}", EXIT_USAGE if status == 400 else EXIT_FAILED
        )
    return body


async def _purge_redis(config: Any, payload: dict[str, Any]) -> int:
    from aggregator.caching.backends.redis import RedisBackend
    from aggregator.caching.errors import BackendUnavailable, InvalidPurge
    from aggregator.caching.supergraph_cache import PurgeRequest

    request = PurgeRequest(
        payload.get("type"), payload.get("key"), payload.get("subgraph"), payload.get("tag")
    )
    backend = RedisBackend(config.cache.redis, max_ttl_s=config.cache.max_ttl_s)
    try:
        return await backend.purge(request.tags())
    except InvalidPurge as exc:
        raise _Failed(str(exc), EXIT_USAGE) from exc
    except BackendUnavailable as exc:
        raise _Failed(f"cannot purge: {exc}") from exc
    finally:
        await backend.close()


def purge_command(args: argparse.Namespace) -> int:
    from aggregator.config.cache import CacheBackendKind

    try:
        payload = _purge_payload(args)
        config = _load(args)
        if (
            args.url is None
            and config is not None
            and config.cache.backend is CacheBackendKind.REDIS
            and config.cache.redis is not None
        ):
            purged = asyncio.run(_purge_redis(config, payload))
        else:
            url = _admin_url(args, config) + "/admin/cache/purge"
            body = asyncio.run(_call_admin("POST", url, _token(args, config), payload))
            purged = int(body["purged"])
    except _Failed as exc:
        return _fail(str(exc), exc.status)
    print(f"purged {purged} {'entry' if purged == 1 else 'entries'}")
    return EXIT_OK


def stats_command(args: argparse.Namespace) -> int:
    try:
        config = _load(args)
        url = _admin_url(args, config) + "/admin/cache/stats"
        body = asyncio.run(_call_admin("GET", url, _token(args, config)))
    except _Failed as exc:
        return _fail(str(exc), exc.status)
    print(json.dumps(body, indent=2, sort_keys=True))
    return EXIT_OK
