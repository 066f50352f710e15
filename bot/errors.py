"""One error hierarchy: every problem a client is told about is a :class:`ReplyWatchError`.

Each carries its HTTP status and the contract's body ``{"error": ..., "details": ...}``.
The HTTP error middleware (:func:`error_middleware`) turns one into an answer and
:func:`error_ack` into a Socket.IO error ack, each in one place. The lower packages do
not know HTTP: their failures (storage refused or unavailable, a proposal decided twice,
a bad library file) are translated here, by :func:`problem_for`, and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from scripts_library.files import LibraryError
from storage.learning import ProposalConflict
from storage.queue import TransferRefused
from storage.writer import StorageRejected, StorageUnavailable

log = logging.getLogger(__name__)


class ReplyWatchError(Exception):
    """A problem with its HTTP status and the contract's JSON error body."""

    status = 500

    def __init__(
        self,
        error: str,
        details: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
    ) -> None:
        super().__init__(error)
        self.error, self.details = error, details
        #: Headers the HTTP answer carries (``Retry-After``, ``WWW-Authenticate``...).
        self.headers: dict[str, str] = dict(headers or {})
        #: The HTTP connection cannot be reused after this answer (a body left unread).
        self.close = close

    def with_status(self, status: int) -> ReplyWatchError:
        """This problem answered with another status (aiohttp's own errors: 404, 405...)."""
        self.status = status
        return self

    def body(self) -> dict[str, Any]:
        """``{"error", "details"}``, as an HTTP body and a Socket.IO ack alike."""
        return {"error": self.error, "details": self.details}


class BadRequest(ReplyWatchError):
    """400: the request itself is malformed or invalid."""

    status = 400


class Unauthorized(ReplyWatchError):
    """401: nobody known is asking."""

    status = 401


class Forbidden(ReplyWatchError):
    """403: the caller may not do this."""

    status = 403


class NotFound(ReplyWatchError):
    """404: no such thing."""

    status = 404


class Conflict(ReplyWatchError):
    """409: the request contradicts what is stored."""

    status = 409


class TooLarge(ReplyWatchError):
    """413: the body is over the size limit."""

    status = 413


class UnsupportedMediaType(ReplyWatchError):
    """415: a body of a type this endpoint does not take."""

    status = 415


class Unprocessable(ReplyWatchError):
    """422: well-formed, but refused as it is: retrying the same cannot help."""

    status = 422


class TooManyRequests(ReplyWatchError):
    """429: slow down (the answer says when to retry)."""

    status = 429


class Unavailable(ReplyWatchError):
    """503: nothing was done; retrying later may succeed."""

    status = 503


class DeliveryError(ReplyWatchError):
    """502: a reply the IM platform did not take; ``retry`` when trying again may help."""

    status = 502

    def __init__(self, reason: str, retry: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry, self.retry_after = reason, retry, retry_after


def problem_for(exc: BaseException) -> ReplyWatchError | None:
    """What the client is told about ``exc``: itself when it is one of ours, the
    translation of a lower package's failure, or None (an unexpected error: a 500)."""
    if isinstance(exc, ReplyWatchError):
        return exc
    if isinstance(exc, StorageRejected):
        return Unprocessable(
            "the database refused this: nothing was stored, do not retry as is",
            {"reason": exc.reason},
        )
    if isinstance(exc, StorageUnavailable):
        return Unavailable("storage unavailable: nothing was stored, retry")
    if isinstance(exc, ProposalConflict | TransferRefused):
        return Conflict(str(exc))
    if isinstance(exc, LibraryError):
        return BadRequest("invalid library file", [p.as_dict() for p in exc.problems])
    return None


def error_ack(exc: BaseException) -> dict[str, Any]:
    """The Socket.IO ack for a handler's failure: the problem's body, or ``internal error``
    (logged) for an unexpected one."""
    problem = problem_for(exc)
    if problem is None:
        log.error("unhandled error in a Socket.IO handler", exc_info=exc)
        return {"error": "internal error", "details": None}
    return problem.body()


def _answer(problem: ReplyWatchError) -> web.Response:
    response = web.json_response(problem.body(), status=problem.status, headers=problem.headers)
    if problem.close:
        response.force_close()  # aiohttp then says ``Connection: close``
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error answer is JSON with its status, and no traceback ever reaches a client."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kept = {k: v for k, v in exc.headers.items() if k in ("Allow", "WWW-Authenticate")}
        return _answer(ReplyWatchError(exc.reason, headers=kept).with_status(exc.status))
    except Exception as exc:
        problem = problem_for(exc)
        if problem is not None:
            return _answer(problem)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "internal error", "details": None}, status=500)
