"""One call that turns subgraph SDLs into a supergraph, whichever composer is present.

The Python composer (``aggregator.composition``) is being written in
parallel. Until it lands, and as a cross-check afterwards, the reference
composer (@apollo/composition, installed by ``npm ci`` in tests/oracle) runs
in a node subprocess. ``AGGREGATOR_COMPOSER=python|node`` forces one; by
default the Python composer wins when it can be imported. The lead can drop
the node path once the Python composer passes the same tests.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.registry.errors import SupergraphBuildError

NODE_DIR_ENV = "AGGREGATOR_NODE_COMPOSER_DIR"
_DEFAULT_NODE_DIR = Path(__file__).resolve().parents[2] / "tests" / "oracle"

_NODE_SCRIPT = r"""
const { composeServices } = require('@apollo/composition');
const { parse } = require('graphql');
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const subgraphs = JSON.parse(input);
  const out = {};
  try {
    const services = subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
    const result = composeServices(services);
    if (result.errors) {
      out.errors = result.errors.map((e) => ({
        code: (e.extensions && e.extensions.code) || 'COMPOSITION_ERROR', message: e.message }));
    } else {
      out.supergraphSdl = result.supergraphSdl;
      out.hints = (result.hints || []).map((h) => h.message);
    }
  } catch (e) {
    out.errors = [{ code: 'INVALID_GRAPHQL', message: String(e && e.message) }];
  }
  process.stdout.write(JSON.stringify(out));
});
"""


@dataclass(frozen=True, slots=True)
class SubgraphSdl:
    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class Composed:
    supergraph_sdl: str
    hints: tuple[str, ...] = ()


def compose_sdls(subgraphs: Sequence[SubgraphSdl]) -> Composed:
    """Blocking (run it in a thread); raises :class:`SupergraphBuildError` listing every error."""
    choice = os.environ.get("AGGREGATOR_COMPOSER", "")
    python = _python_composer() if choice != "node" else None
    if python is not None:
        return _compose_python(python, subgraphs)
    if choice == "python":
        raise SupergraphBuildError("composition unavailable",
                                   ["aggregator.composition is not installed"])
    return _compose_node(subgraphs)


def _python_composer() -> Any:
    try:
        return importlib.import_module("aggregator.composition")
    except ImportError:
        return None


def _compose_python(module: Any, subgraphs: Sequence[SubgraphSdl]) -> Composed:
    sources = [module.SubgraphSource(name=s.name, url=s.url, sdl=s.sdl) for s in subgraphs]
    try:
        result = module.compose(sources)
    except Exception as exc:  # a composer bug must read as a failed build, not a crash
        raise SupergraphBuildError("the composer failed", [f"{type(exc).__name__}: {exc}"]) \
            from exc
    sdl = getattr(result, "supergraph_sdl", None)
    if isinstance(sdl, str):
        return Composed(sdl, tuple(str(h) for h in getattr(result, "hints", ())))
    problems = [_describe(e) for e in getattr(result, "errors", ())]
    raise SupergraphBuildError("the subgraphs do not compose", problems or [repr(result)])


def _describe(error: Any) -> str:
    code = getattr(error, "code", None)
    message = getattr(error, "message", str(error))
    return f"[{code}] {message}" if code else str(message)


def _compose_node(subgraphs: Sequence[SubgraphSdl]) -> Composed:
    node = shutil.which("node")
    workdir = Path(os.environ.get(NODE_DIR_ENV, _DEFAULT_NODE_DIR))
    if node is None or not (workdir / "node_modules" / "@apollo" / "composition").is_dir():
        raise SupergraphBuildError("composition unavailable", [
            "neither aggregator.composition nor node with @apollo/composition "
            f"(run `npm ci` in {workdir}) is available"])
    payload = json.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs])
    proc = subprocess.run(
        [node, "-e", _NODE_SCRIPT], input=payload, capture_output=True, text=True,
        cwd=workdir, timeout=120, check=False)
    if proc.returncode != 0:
        raise SupergraphBuildError("the node composer failed", [proc.stderr.strip()[-2000:]])
    try:
        out = json.loads(proc.stdout)
    except ValueError as exc:
        raise SupergraphBuildError("the node composer failed",
                                   [proc.stdout[-2000:] or proc.stderr[-2000:]]) from exc
    if "supergraphSdl" in out:
        return Composed(out["supergraphSdl"], tuple(out.get("hints", ())))
    raise SupergraphBuildError("the subgraphs do not compose",
                               [f"[{e['code']}] {e['message']}" for e in out["errors"]])
