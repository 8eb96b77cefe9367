"""The interactive API docs (Swagger UI at ``/api/v1/docs``, ReDoc at ``/api/v1/redoc``) served
from assets shipped in a Python package (``fastapi-offline`` bundles Swagger UI and ReDoc), so
the docs load no script from a CDN and work offline."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.endpoints import API_PREFIX

DOCS_PATH = f"{API_PREFIX}/docs"
REDOC_PATH = f"{API_PREFIX}/redoc"
ASSETS_PATH = f"{API_PREFIX}/docs-assets"


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """Add the docs pages and their static assets to ``app`` (created with ``docs_url=None``)."""
    assets = files("fastapi_offline") / "static"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API docs",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API reference",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )
