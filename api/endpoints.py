"""Which permission each endpoint needs, read from the endpoints' own dependencies (so the
docs and the exhaustive permission test can never drift from the code)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import get_user
from api.routes import admin, auth, cases, health, ingest, model, reports

API_PREFIX = "/api/v1"
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    admin.router,
    ingest.router,
    cases.router,
    reports.router,
    model.router,
)


@dataclass(frozen=True)
class Endpoint:
    """One method + path, the permission it needs (None: any signed-in user, or public)."""

    method: str
    path: str
    permission: str | None
    authenticated: bool
    summary: str


def _walk(dependant: Dependant) -> tuple[str | None, bool]:
    permission, authenticated = None, False
    for dep in dependant.dependencies:
        found = getattr(dep.call, "permission", None)
        if found is not None:
            permission = found.value
        if dep.call is get_user or found is not None:
            authenticated = True
        sub_permission, sub_auth = _walk(dep)
        permission = permission or sub_permission
        authenticated = authenticated or sub_auth
    return permission, authenticated


def endpoints() -> list[Endpoint]:
    """Every API endpoint with the permission it requires."""
    found: list[Endpoint] = []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            permission, authenticated = _walk(route.dependant)
            for method in sorted(route.methods or ()):
                found.append(
                    Endpoint(
                        method,
                        API_PREFIX + route.path,
                        permission,
                        authenticated,
                        route.summary or route.name,
                    )
                )
    return found


def annotate_openapi() -> None:
    """Publish each endpoint's permission in OpenAPI as ``x-permission``."""
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                permission, authenticated = _walk(route.dependant)
                value = permission or ("signed-in user" if authenticated else "public")
                route.openapi_extra = {**(route.openapi_extra or {}), "x-permission": value}


def endpoints_markdown() -> str:
    """The endpoint table of docs/permissions.md."""
    lines = ["| method | path | permission |", "|---|---|---|"]
    for e in endpoints():
        needed = (
            f"`{e.permission}`"
            if e.permission
            else ("any signed-in user" if e.authenticated else "public")
        )
        lines.append(f"| {e.method} | `{e.path}` | {needed} |")
    return "\n".join(lines)
