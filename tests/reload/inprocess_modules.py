"""A Python agency module, named in configs as ``tests.reload.inprocess_modules:schema``."""

from __future__ import annotations

import strawberry
import strawberry.federation as fed


@strawberry.type
class Query:
    @strawberry.field
    def motd(self) -> str:
        return "offices closed on Monday"


schema = fed.Schema(query=Query)
not_a_schema = 42
