"""Why a supergraph could not be (re)built.

RegistryError
 +-- SdlFetchError          one subgraph's SDL could not be fetched or does not parse
 +-- SupergraphBuildError   the set as a whole failed: required subgraphs unreachable,
                            or the SDLs do not compose (every error listed)
"""

from __future__ import annotations

from collections.abc import Sequence


class RegistryError(Exception):
    pass


class SdlFetchError(RegistryError):
    """Names the subgraph and where it was asked, so operators know whom to call."""

    def __init__(self, subgraph: str, source: str, reason: str) -> None:
        self.subgraph = subgraph
        self.source = source
        self.reason = reason
        super().__init__(f"subgraph '{subgraph}' ({source}): {reason}")


class SupergraphBuildError(RegistryError):
    def __init__(self, summary: str, problems: Sequence[str]) -> None:
        self.summary = summary
        self.problems = tuple(problems)
        lines = [summary, *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


def one_line(error: BaseException) -> str:
    """An error's message on one log line (a build error lists its problems after ';')."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return "; ".join(line.removeprefix("- ") for line in lines)
