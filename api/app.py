"""The FastAPI application: ``create_app(settings)`` builds it; the lifespan opens the database
(upgrading its schema when configured) and loads the champion model once."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import cbclassify
from api.config import ServiceConfig
from api.docs import install_docs
from api.endpoints import API_PREFIX, ROUTERS, annotate_openapi
from api.errors import install_error_handlers
from api.state import ModelHolder, ModelLoader, ServiceState, default_loader, session_secret
from api.uploads import BodySizeLimit
from api.web import install_web
from cbclassify.settings import Settings, get_settings
from cbclassify.store.db import Database
from cbclassify.store.migrate import upgrade

log = logging.getLogger("cbclassify.api")


def build_state(settings: Settings, config: ServiceConfig, loader: ModelLoader) -> ServiceState:
    """Open the database (migrating if configured) and load the champion."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.resolved_database_url)
    if config.auto_migrate:
        upgrade(db.engine)
    state = ServiceState(
        settings, config, db, ModelHolder(settings, loader), session_secret(settings)
    )
    if config.load_model:
        state.models.reload()
    state.metrics.model_loaded.set(1 if state.models.current else 0)
    return state


def _route_label(scope: Scope) -> str:
    """The matched route's template (``/api/v1/cases/{case_id}``): never ids or query values."""
    route = getattr(scope.get("route"), "path", None)
    if route is None:
        return "unmatched"
    # FastAPI keeps an included router's routes without its prefix: API routes get it back,
    # the web pages (mounted at the root) keep their own path.
    under_api = scope["path"] == API_PREFIX or scope["path"].startswith(API_PREFIX + "/")
    return API_PREFIX + route if under_api and not route.startswith(API_PREFIX) else route


class NoStoreApiAnswers:
    """Every answer under ``/api/v1`` carries ``Cache-Control: no-store`` (unless the route set
    its own): case data, CSV exports and tokens must not stay in browser or proxy caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_no_store)


class RequestMetrics:
    """Count and time every HTTP request by method, route template and status (pure ASGI:
    ``BaseHTTPMiddleware`` would add a task and a body stream to every request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]  # an exception that escapes is answered 500 further out

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            state: ServiceState | None = getattr(scope["app"].state, "service", None)
            if state is not None:
                route, method = _route_label(scope), scope["method"]
                state.metrics.requests.labels(method, route, str(status[0])).inc()
                state.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


def create_app(
    settings: Settings | None = None,
    *,
    config: ServiceConfig | None = None,
    model_loader: ModelLoader | None = None,
) -> FastAPI:
    """The cbclassify service. Nothing is opened until the app starts (lifespan)."""
    settings = settings or get_settings()
    config = config or ServiceConfig()
    loader = model_loader or default_loader

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = build_state(settings, config, loader)
        app.state.service = state
        # Start-up objects (libraries, the model, its SHAP tables) live as long as the process:
        # frozen, the collector no longer rescans them in every full collection (pauses of tens
        # of milliseconds in the middle of requests otherwise).
        gc.collect()
        gc.freeze()
        log.info("cbclassify service ready (model loaded: %s)", state.models.current is not None)
        try:
            yield
        finally:
            state.db.dispose()

    app = FastAPI(
        title="cbclassify",
        version=cbclassify.__version__,
        description="Credit-balance worklist, classification, verification and resolution "
        "workflow for therapy-practice billing teams.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served from package assets below, not a CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    install_docs(app, f"{API_PREFIX}/openapi.json")
    annotate_openapi()
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_web(app)  # the web pages (api/web), after the error handlers
    app.add_middleware(NoStoreApiAnswers)
    app.add_middleware(RequestMetrics)
    app.add_middleware(BodySizeLimit, max_bytes=config.max_upload_bytes)
    return app
