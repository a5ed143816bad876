"""Opaque, signed cursors bound to one field, its arguments and its parent.

A cursor is ``base64url(payload).base64url(hmac)``. The payload holds the
position in the backend's list and a binding: a hash of the field coordinate
and the backend call it paginates (path, non-paging query, body, hence the
arguments and the parent). A cursor that was forged, altered, or taken from
another field, argument set or parent fails the check and the client gets
``BAD_USER_INPUT`` instead of another query's data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

import orjson
from graphql import GraphQLError

from aggregator.errors import ErrorCode

__all__ = ["CursorCodec", "binding_of", "invalid_input"]

_MAC_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def invalid_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": str(ErrorCode.BAD_USER_INPUT)})


def binding_of(*parts: Any) -> str:
    """A short digest of everything a cursor must stay bound to."""
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()[:24]


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the cursor signing key must be at least 16 bytes")
        self._key = key

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, binding: str, position: Any) -> str:
        payload = orjson.dumps({"b": binding, "p": position})
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, cursor: str, binding: str, argument: str) -> Any:
        """The position stored in ``cursor``; raises ``BAD_USER_INPUT`` unless it is ours."""
        body, sep, mac = cursor.partition(".")
        try:
            payload = _unb64(body)
            given = _unb64(mac)
        except (binascii.Error, ValueError) as error:
            raise invalid_input(f"Invalid cursor in '{argument}'") from error
        if not sep or not hmac.compare_digest(given, self._mac(payload)):
            raise invalid_input(f"Invalid cursor in '{argument}'")
        data = orjson.loads(payload)
        if data.get("b") != binding:
            raise invalid_input(
                f"Cursor in '{argument}' belongs to another field, argument set or parent"
            )
        return data.get("p")
