"""How ``@sensitive(mask: ...)`` rewrites a value the caller may not see in full.

Styles are small on purpose (an agency audits what they reveal):

* ``"last4"`` (the default), ``"lastN"``: keep the last N characters, ``*`` for the rest;
* ``"firstN"``: keep the first N characters;
* ``"all"``: a fixed ``********`` that hides even the length;
* ``"none"``: released as is (the field is still accountable and purpose-bound).

A value no longer than N characters is masked whole: a mask never reveals a
short value entirely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["MaskError", "compile_mask"]

_FILL = "*"
_HIDDEN = "********"
_STYLE = re.compile(r"^(last|first)([1-9][0-9]?)$")


class MaskError(ValueError):
    """A ``mask:`` style this gateway does not know."""


def compile_mask(style: str) -> Callable[[Any], Any] | None:
    """The function that masks one leaf value (``None`` for ``"none"``)."""
    if style == "none":
        return None
    if style == "all":
        return _all
    match = _STYLE.match(style)
    if match is None:
        raise MaskError(
            f"unknown mask {style!r} (expected 'lastN', 'firstN', 'all' or 'none', N in 1..99)"
        )
    keep = int(match.group(2))
    if match.group(1) == "last":

        def last(value: Any) -> Any:
            if value is None:
                return None
            text = str(value)
            if len(text) <= keep:
                return _FILL * len(text)
            return _FILL * (len(text) - keep) + text[-keep:]

        return last

    def first(value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        if len(text) <= keep:
            return _FILL * len(text)
        return text[:keep] + _FILL * (len(text) - keep)

    return first


def _all(value: Any) -> Any:
    return None if value is None else _HIDDEN
