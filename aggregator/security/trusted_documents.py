"""Trusted documents: the operations a gateway serves come from a reviewed list.

A client build registers its operations ahead of time (Apollo's
``generate-persisted-query-manifest``, or Relay's compiler with ``persistConfig``);
the manifest ships to the gateway, and in ``strict`` mode nothing else runs: a
hostile document never reaches the parser. Both manifest formats load:

- Apollo: ``{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id", "name", "type", "body"}]}``; clients send
  ``extensions.persistedQuery.sha256Hash`` = ``id``.
- Relay: ``{"<id>": "<document text>"}``; clients send ``doc_id`` (or the
  GraphQL-over-HTTP draft's ``documentId``).

A request naming an id gets the listed document. A request with a full document is
served in ``strict`` mode only if that exact text is listed (and ``require_id`` is
off); ``log_unlisted`` serves everything but logs each unlisted operation once, to
build the list before turning ``strict`` on. Automatic persisted queries (clients
registering documents themselves) are a development convenience and cannot be
combined with ``strict``.

Exceptions::

    TrustedDocumentsError    a manifest cannot be read or is not in a known format
    DocumentRefused          a request this list does not allow (the server answers it)
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from aggregator.errors import ErrorCode

__all__ = [
    "DocumentRefused",
    "Enforcement",
    "TrustedDocuments",
    "TrustedDocumentsError",
    "document_id",
    "load_manifest",
]

log = logging.getLogger("aggregator.trusted_documents")

APOLLO_FORMAT = "apollo-persisted-query-manifest"
_MAX_LOGGED_UNLISTED = 10_000


class TrustedDocumentsError(Exception):
    """A manifest the gateway cannot use; the message names the file and the problem."""


class DocumentRefused(Exception):
    def __init__(self, message: str, code: ErrorCode, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class Enforcement(StrEnum):
    STRICT = "strict"
    LOG_UNLISTED = "log_unlisted"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """Document id -> document text, from an Apollo or a Relay manifest."""
    try:
        payload: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TrustedDocumentsError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise TrustedDocumentsError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(payload, dict):
        raise TrustedDocumentsError(f"{path}: expected a JSON object")
    if payload.get("format") == APOLLO_FORMAT:
        if payload.get("version") != 1:
            raise TrustedDocumentsError(
                f"{path}: unsupported {APOLLO_FORMAT} version {payload.get('version')!r} "
                "(expected 1)"
            )
        operations = payload.get("operations")
        if not isinstance(operations, list):
            raise TrustedDocumentsError(f"{path}: 'operations' must be a list")
        out: dict[str, str] = {}
        for index, operation in enumerate(operations):
            if not isinstance(operation, dict):
                raise TrustedDocumentsError(f"{path}: operations[{index}] must be an object")
            body, ident = operation.get("body"), operation.get("id")
            if not isinstance(body, str) or not isinstance(ident, str) or not ident:
                raise TrustedDocumentsError(
                    f"{path}: operations[{index}] needs a string 'id' and 'body'"
                )
            out[ident] = body
        return out
    if "format" in payload or "operations" in payload:
        raise TrustedDocumentsError(
            f"{path}: unknown manifest format {payload.get('format')!r} "
            f"(expected '{APOLLO_FORMAT}' or a Relay id -> document map)"
        )
    for ident, body in payload.items():
        if not isinstance(body, str):
            raise TrustedDocumentsError(
                f"{path}: '{ident}' must map to the document text (a Relay manifest)"
            )
    return dict(payload)


@dataclass
class TrustedDocuments:
    """The merged manifests and how strictly they are enforced."""

    documents: dict[str, str]
    enforcement: Enforcement = Enforcement.STRICT
    require_id: bool = False
    _bodies: set[str] = field(default_factory=set, repr=False)
    _logged: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self._bodies = {_sha256(body) for body in self.documents.values()}

    @classmethod
    def from_files(
        cls, paths: Iterable[Path], enforcement: Enforcement, require_id: bool = False
    ) -> TrustedDocuments:
        documents: dict[str, str] = {}
        for path in paths:
            for ident, body in load_manifest(path).items():
                if documents.get(ident, body) != body:
                    raise TrustedDocumentsError(
                        f"{path}: id {ident!r} names a different document in another manifest"
                    )
                documents[ident] = body
        return cls(documents, enforcement, require_id)

    def resolve(
        self,
        query: str | None,
        document_id: str | None,
        operation_name: str | None = None,
    ) -> str | None:
        """The document to run: the listed one for an id, or ``query`` if allowed.

        None: an id this list does not know, in ``log_unlisted`` mode (automatic persisted
        queries may know it). Raises :class:`DocumentRefused` for what must not run.
        """
        if document_id is not None:
            body = self.documents.get(document_id)
            if body is not None:
                if query and query != body:
                    raise DocumentRefused(
                        "the document does not match its trusted id", ErrorCode.BAD_REQUEST
                    )
                return body
            if self.enforcement is Enforcement.LOG_UNLISTED:
                if query:
                    self._log_unlisted(query, operation_name)
                return None
            raise DocumentRefused("PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND)
        if not query:
            return query  # nothing to check: the HTTP layer reports the missing document
        if _sha256(query) in self._bodies and not self.require_id:
            return query
        if self.enforcement is Enforcement.LOG_UNLISTED:
            self._log_unlisted(query, operation_name)
            return query
        if self.require_id:
            raise DocumentRefused(
                "This gateway serves trusted documents only: send the document's id "
                "(extensions.persistedQuery.sha256Hash or documentId), not its text",
                ErrorCode.PERSISTED_QUERY_ID_REQUIRED,
            )
        raise DocumentRefused(
            "This operation is not in the gateway's list of trusted documents",
            ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
        )

    def _log_unlisted(self, query: str, operation_name: str | None) -> None:
        digest = _sha256(query)
        if digest in self._logged:
            return
        if len(self._logged) < _MAX_LOGGED_UNLISTED:
            self._logged.add(digest)
        log.warning(
            "unlisted operation served (log_unlisted mode): name=%s sha256=%s",
            operation_name or "-",
            digest,
        )


def document_id(extensions: Mapping[str, Any] | None, relay_id: str | None) -> str | None:
    """The id a request names: Apollo's ``persistedQuery.sha256Hash`` or Relay's ``doc_id``."""
    extension = (extensions or {}).get("persistedQuery")
    if isinstance(extension, dict):
        sha = extension.get("sha256Hash")
        if isinstance(sha, str) and sha:
            return sha.lower()
    return relay_id or None
