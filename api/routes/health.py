"""Liveness, readiness and Prometheus metrics (no authentication; no patient data)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import State
from cbclassify.store.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness")
def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/ready", summary="Readiness")
def ready(state: State, response: Response) -> dict[str, object]:
    """Ready when the database answers and its schema is current. The model is reported;
    without a champion the workflow still serves (classify answers 503)."""
    checks: dict[str, object] = {}
    try:
        state.db.ping()
        revision = current_revision(state.db.engine)
        checks["database"] = "ok"
        checks["schema"] = "ok" if revision == head_revision() else f"at {revision}, needs upgrade"
    except Exception as err:  # noqa: BLE001 - any database failure means not ready
        checks["database"] = f"unavailable ({type(err).__name__})"
    checks["model"] = "loaded" if state.models.current else "none"
    ok = checks.get("database") == "ok" and checks.get("schema") == "ok"
    response.status_code = 200 if ok else 503
    return {"status": "ready" if ok else "not ready", "checks": checks}


@router.get("/metrics", summary="Prometheus metrics")
def metrics(state: State) -> Response:
    """Request counts and latencies, workflow actions, ingests, model state."""
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
