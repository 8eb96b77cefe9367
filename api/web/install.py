"""Add the web pages, their static files and their error pages to the service's app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import (
    routes_auth,
    routes_bulk,
    routes_case,
    routes_documents,
    routes_manage,
    routes_uploads,
    routes_users,
    routes_worklist,
)
from api.web.errors import install_page_errors
from api.web.pages import STATIC_DIR

ROUTERS = (
    routes_auth.router,
    routes_worklist.router,
    routes_bulk.router,
    routes_case.router,
    routes_manage.router,
    routes_documents.router,
    routes_uploads.router,
    routes_users.router,
)


def install_web(app: FastAPI) -> None:
    """Include the page routes, mount ``/static`` and make error answers pages outside
    ``/api`` (call after the API's error handlers are installed)."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    install_page_errors(app)
