"""Model info and reload, and classify-on-demand of a single claim."""

from __future__ import annotations

import threading
from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api.classify import classify
from api.deps import Classifier, Model, ModelManager, ModelReader, State
from api.errors import ApiError
from api.schemas_classify import ClassifyIn, ClassifyOut
from api.state import ServiceState
from cbclassify.store.audit import AuditActor, append_audit

router = APIRouter(tags=["model"])


class ModelOut(BaseModel):
    loaded: bool
    name: str | None = None
    version: str | None = None
    alias: str = "champion"
    run_id: str | None = None
    uri: str | None = None
    loaded_at: datetime | None = None
    error: str | None = None


def model_out(state: ServiceState) -> ModelOut:
    """Which registered version serves predictions now."""
    current = state.models.current
    if current is None:
        return ModelOut(
            loaded=False, name=state.settings.registered_model_name, error=state.models.error
        )
    return ModelOut(
        loaded=True,
        name=current.ref.name,
        version=current.ref.version,
        run_id=current.ref.run_id,
        uri=current.uri,
        loaded_at=current.loaded_at,
        error=state.models.error,
    )


@router.get("/model", response_model=ModelOut, summary="The champion model in service")
def model_info(state: State, user: ModelReader) -> ModelOut:
    """Name, version and run of the loaded champion (or why none is loaded)."""
    return model_out(state)


@router.post("/model/reload", response_model=ModelOut, summary="Reload the champion")
def reload_model(state: State, user: ModelManager) -> ModelOut:
    """Load whatever version holds the champion alias now, without a restart. On failure the
    previous model keeps serving and the error is reported."""
    before = model_out(state)
    state.models.reload()
    after = model_out(state)
    state.metrics.model_loaded.set(1 if after.loaded else 0)
    with state.db.transaction() as session:
        append_audit(
            session,
            AuditActor(user.user_id, user.username),
            "model.reload",
            before={"version": before.version},
            after={"version": after.version},
            details={"error": after.error},
        )
    return after


#: One classification at a time per worker process. The work is CPU-bound and holds the GIL, so
#: requests run side by side in the threadpool only stretch each other (every one finishes late);
#: queued, they finish in turn and the median request waits less. Workers (`serve --workers`)
#: give the parallelism.
CLASSIFYING = threading.Lock()


@router.post("/classify", response_model=ClassifyOut, summary="Classify one claim on demand")
def classify_claim(state: State, user: Classifier, model: Model, body: ClassifyIn) -> Response:
    """Send a claim's lines and postings; get its balance and, for a credit, the predicted
    source with probabilities, the verification, the recommendation, its due date and the
    reasons in words. Nothing is stored."""
    _refuse_too_many_rows(body, state.config.max_classify_rows)
    with CLASSIFYING:
        out = classify(body, model)
    state.metrics.classified.inc(len(out.credits))
    # Already a validated ClassifyOut: serialized once here rather than dumped, re-validated
    # and encoded again by the response_model machinery (which still documents it).
    return Response(out.model_dump_json(), media_type="application/json")


def _refuse_too_many_rows(body: ClassifyIn, limit: int) -> None:
    """413 naming the table when one table of the request holds more than ``limit`` rows."""
    for name in type(body).model_fields:
        rows = getattr(body, name)
        if isinstance(rows, list) and len(rows) > limit:
            detail = f"body.{name}: {len(rows)} rows, more than the limit of {limit} per table"
            raise ApiError(413, "too_large", detail, field=f"body.{name}")
