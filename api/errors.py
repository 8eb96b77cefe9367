"""One error shape for every 4xx: ``{"detail": message, "code": ..., "field": ..., "issues": [...]}``.

Store, workflow and validation errors become clear 4xx answers; anything unexpected is a 500
without internals, logged by type only (no patient or claim identifiers in logs): it is caught by
``UnexpectedErrors``, so no traceback (whose messages could hold them) reaches the server log.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cbclassify.contract.errors import LedgerValidationError
from cbclassify.store.errors import AccountError, ConflictError, DuplicateError, NotFound
from cbclassify.workflow.errors import (
    InvalidRequest,
    InvalidTransition,
    NotPermitted,
    SelfApprovalError,
    WorkflowError,
)

log = logging.getLogger("cbclassify.api")
#: Set in the ASGI scope when a streamed body passed the size limit (answered 413).
TOO_LARGE_FLAG = "cbclassify.body_too_large"


def too_large_detail(limit: int) -> str:
    """The message of a 413 answer."""
    return f"upload larger than the limit of {limit} bytes"


class ApiError(Exception):
    """An answer with a status, a stable code and a message (optionally field and issues)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        issues: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.field, self.issues, self.headers = field, issues, headers


def body(
    code: str, detail: str, field: str | None = None, issues: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The JSON error body."""
    out: dict[str, Any] = {"detail": detail, "code": code}
    if field is not None:
        out["field"] = field
    if issues is not None:
        out["issues"] = issues
    return out


def issue_dicts(error: LedgerValidationError, limit: int = 500) -> list[dict[str, Any]]:
    """The validation issues as JSON objects (file, row, column, message)."""
    return [
        {"file": i.file, "row": i.row, "column": i.column, "message": i.message}
        for i in error.issues[:limit]
    ]


def _field(error: dict[str, Any]) -> str:
    """The request field an error is about (``body.transactions.3.amount``); a body that is
    not JSON at all is ``body`` (FastAPI adds the character position)."""
    loc = error["loc"][:1] if error["type"] == "json_invalid" else error["loc"]
    return ".".join(str(p) for p in loc)


_WORKFLOW_STATUS = {
    NotPermitted: 403,
    SelfApprovalError: 403,
    InvalidTransition: 409,
    InvalidRequest: 422,
}


def _status_for(err: WorkflowError) -> int:
    for kind, status in _WORKFLOW_STATUS.items():
        if isinstance(err, kind):
            return status
    return 400


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error answer."""

    @app.exception_handler(ApiError)
    def _api(_: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(
            body(err.code, err.detail, err.field, err.issues), err.status, headers=err.headers
        )

    @app.exception_handler(WorkflowError)
    def _workflow(_: Request, err: WorkflowError) -> JSONResponse:
        return JSONResponse(body(err.code, err.message, err.field), _status_for(err))

    @app.exception_handler(NotFound)
    def _not_found(_: Request, err: NotFound) -> JSONResponse:
        return JSONResponse(body("not_found", str(err)), 404)

    @app.exception_handler(ConflictError)
    def _conflict(_: Request, err: ConflictError) -> JSONResponse:
        return JSONResponse(body("stale_version", f"{err}; reload the case and retry"), 409)

    @app.exception_handler(DuplicateError)
    def _duplicate(_: Request, err: DuplicateError) -> JSONResponse:
        return JSONResponse(body("duplicate", str(err)), 409)

    @app.exception_handler(AccountError)
    def _account(_: Request, err: AccountError) -> JSONResponse:
        return JSONResponse(body("invalid_account", str(err)), 422)

    @app.exception_handler(LedgerValidationError)
    def _ledger(_: Request, err: LedgerValidationError) -> JSONResponse:
        detail = f"{len(err.issues)} problem(s) in the uploaded ledger"
        return JSONResponse(body("invalid_ledger", detail, issues=issue_dicts(err)), 422)

    @app.exception_handler(RequestValidationError)
    def _request(_: Request, err: RequestValidationError) -> JSONResponse:
        problems = [{"field": _field(e), "message": str(e["msg"])} for e in err.errors()]
        field = problems[0]["field"] if problems else None
        message = problems[0]["message"] if problems else "invalid request"
        detail = f"{field}: {message}" if field else message
        return JSONResponse(body("invalid_request", detail, field, problems), 422)

    @app.exception_handler(Exception)
    def _unexpected(request: Request, err: Exception) -> JSONResponse:
        _log_unexpected(request.scope, err)
        return JSONResponse(
            body("internal_error", "internal error; the request was not applied"), 500
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, err: StarletteHTTPException) -> JSONResponse:
        limit = request.scope.get(TOO_LARGE_FLAG)
        if limit is not None:  # a streamed body passed the size limit while being parsed
            return JSONResponse(body("too_large", too_large_detail(limit)), 413)
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        return JSONResponse(
            body(code, str(err.detail)), err.status_code, headers=getattr(err, "headers", None)
        )


class UnexpectedErrors:
    """ASGI middleware (the outermost of the app's own): an exception nothing else handled is
    answered by the app's ``Exception`` handler (logged by type and route, a 500 without
    internals; a page on the web) and goes no further. Starlette calls that handler and then
    re-raises to the server, which logged the whole traceback."""

    def __init__(self, app: ASGIApp, handlers: Mapping[Any, Callable[..., Any]]) -> None:
        self.app, self.handlers = app, handlers  # the app's handlers, read when needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as err:  # noqa: BLE001 - the last line of defence, by design
            if started:  # the answer is cut short, as a broken connection would cut it
                _log_unexpected(scope, err)
                return
            answer = self.handlers[Exception](Request(scope, receive), err)
            if inspect.isawaitable(answer):
                answer = await answer
            await answer(scope, receive, send)


def _log_unexpected(scope: Scope, err: Exception) -> None:
    route = getattr(scope.get("route"), "path", "unmatched")
    log.error("unhandled %s on %s %s", type(err).__name__, scope.get("method"), route)
