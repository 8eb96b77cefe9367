"""Error pages. The API's JSON error handlers stay in charge of ``/api/...``; for page URLs the
same handlers decide the status and message, and the answer is an HTML page instead (a sign-in
redirect for 401, no internals for 500)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.endpoints import API_PREFIX
from api.web.pages import LoginRequired, WebError, login_redirect_target, render

log = logging.getLogger("cbclassify.web")

_TITLES = {
    400: "The request could not be handled",
    403: "You are not allowed to do this",
    404: "Not found",
    405: "Not available here",
    409: "This case changed",
    413: "Too large",
    422: "Some input was not valid",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "Temporarily unavailable",
}
_HINTS = {
    404: "It does not exist, or it belongs to a practice you are not granted. "
    "Check the address or go back to your worklist.",
    500: "Nothing was changed by this request. Try again; if it keeps happening, tell your "
    "administrator the time it happened.",
}
_SAFE_500 = "The page could not be shown because of an unexpected error."


def is_page_request(request: Request) -> bool:
    """True for the web pages (everything outside the API's prefix)."""
    return not request.url.path.startswith(API_PREFIX)


def error_page(
    request: Request, status: int, title: str, message: str, hint: str | None = None
) -> Response:
    """The error page (a bare fallback page if rendering itself fails)."""
    context = {"status": status, "title": title, "message": message, "hint": hint}
    try:
        return render(request, "error.html", context, status)
    except Exception:  # noqa: BLE001 - never let the error page raise
        log.error("error page could not be rendered (status %s)", status)
        return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1>", status)


def _from_api_answer(request: Request, answer: Response) -> Response:
    """An HTML page with the status and message the API's handler decided."""
    status = answer.status_code
    if status == 401:
        return RedirectResponse(login_redirect_target(request.url.path), 303)
    try:
        detail = str(json.loads(bytes(answer.body)).get("detail", ""))
    except (ValueError, AttributeError):
        detail = ""
    if status >= 500:
        detail = _SAFE_500
    elif detail:  # the API's message as a sentence ("no case 12" -> "No case 12.")
        detail = detail[0].upper() + detail[1:] + ("" if detail.endswith(".") else ".")
    title = _TITLES.get(status, "The request could not be handled")
    return error_page(request, status, title, detail or title, _HINTS.get(status))


Handler = Callable[[Request, Any], Any]


def _wrap(original: Handler) -> Handler:
    """The API handler for API paths; its status and message as a page elsewhere."""

    async def handle(request: Request, exc: Exception) -> Response:
        answer = original(request, exc)
        if hasattr(answer, "__await__"):
            answer = await answer
        if not is_page_request(request):
            return cast(Response, answer)
        return _from_api_answer(request, answer)

    return handle


def install_page_errors(app: FastAPI) -> None:
    """Page-aware versions of the app's handlers, plus the web's own exceptions."""
    for key, original in list(app.exception_handlers.items()):
        app.exception_handlers[key] = _wrap(original)

    @app.exception_handler(LoginRequired)
    def _login(_: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_redirect_target(exc.next_path), 303)

    @app.exception_handler(WebError)
    def _web(request: Request, exc: WebError) -> Response:
        return error_page(request, exc.status, exc.title, exc.message, exc.hint)
