"""uvicorn's HTTP/1.1 protocol, answering requests it cannot parse like the gateway does.

uvicorn answers a request line or header it cannot parse with a ``text/plain``
400; a GraphQL client gets a GraphQL error instead (``extensions.code``), and
a URL longer than the parser can split (64 KiB, the usual fate of a large
``GET /graphql?query=...``) gets 414 with the advice to use POST.
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from aggregator.errors import ErrorCode, graphql_error

__all__ = ["MAX_URL_BYTES", "GatewayHttpProtocol"]

# httptools.parse_url keeps offsets in 16 bits: a longer URL cannot be parsed
MAX_URL_BYTES = 65535

_REASONS = {400: b"Bad Request", 414: b"URI Too Long"}


def _refusal(
    status: int, message: str, code: ErrorCode, default_headers: list[tuple[bytes, bytes]]
) -> bytes:
    body = orjson.dumps({"errors": [graphql_error(message, code)]})
    head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
    for name, value in default_headers:
        head.extend([name, b": ", value, b"\r\n"])
    head.extend(
        [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
    )
    return b"".join(head) + body


class GatewayHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol whose protocol-level refusals are GraphQL errors in JSON."""

    _url_too_long = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._url_too_long = False

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self._url_too_long = True

    def send_400_response(self, msg: str) -> None:
        if self._url_too_long:
            status, code = 414, ErrorCode.URI_TOO_LONG
            message = (
                f"the request URL is longer than {MAX_URL_BYTES} bytes; "
                "send large operations with POST"
            )
        else:
            status, code = 400, ErrorCode.BAD_REQUEST
            message = "the HTTP request is malformed"
        self.transport.write(_refusal(status, message, code, self.server_state.default_headers))
        self.transport.close()
