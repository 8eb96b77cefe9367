"""The FastAPI application: ``create_app(settings)`` builds it; the lifespan opens the database
(upgrading its schema when configured) and loads the champion model once."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

import cbclassify
from api.config import ServiceConfig
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
    state = ServiceState(settings, config, db, ModelHolder(settings, loader),
                         session_secret(settings))  # fmt: skip
    if config.load_model:
        state.models.reload()
    state.metrics.model_loaded.set(1 if state.models.current else 0)
    return state


def _route_label(request: Request) -> str:
    """The matched route's template (``/api/v1/cases/{case_id}``): never ids or query values."""
    route = getattr(request.scope.get("route"), "path", None)
    if route is None:
        return "unmatched"
    return API_PREFIX + route if not route.startswith(API_PREFIX) else route


def _metrics_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def record(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = _route_label(request)
        state: ServiceState | None = getattr(request.app.state, "service", None)
        if state is not None:
            state.metrics.requests.labels(request.method, route, str(response.status_code)).inc()
            state.metrics.latency.labels(request.method, route).observe(
                time.perf_counter() - started
            )
        return response


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
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    annotate_openapi()
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_web(app)  # the web pages (api/web), after the error handlers
    _metrics_middleware(app)
    app.add_middleware(BodySizeLimit, max_bytes=config.max_upload_bytes)
    return app
