"""Model info and reload, and classify-on-demand of a single claim."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api.classify import classify
from api.deps import Classifier, Model, ModelManager, ModelReader, State
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
        return ModelOut(loaded=False, name=state.settings.registered_model_name,
                        error=state.models.error)  # fmt: skip
    return ModelOut(loaded=True, name=current.ref.name, version=current.ref.version,
                    run_id=current.ref.run_id, uri=current.uri, loaded_at=current.loaded_at,
                    error=state.models.error)  # fmt: skip


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
        append_audit(session, AuditActor(user.user_id, user.username), "model.reload",
                     before={"version": before.version}, after={"version": after.version},
                     details={"error": after.error})  # fmt: skip
    return after


#: One classification at a time per worker process. The work is CPU-bound and holds the GIL, so
#: requests run side by side in the threadpool only stretch each other (every one finishes late);
#: queued, they finish in turn and the median request waits less. Workers (`serve --workers`)
#: give the parallelism.
CLASSIFYING = threading.Lock()


async def classify_request(request: Request) -> ClassifyIn:
    """The request body parsed and validated in one pass by pydantic-core. FastAPI would
    ``json.loads`` it, then validate the dicts: about 0.9 ms more on a 40 kB claim. Errors are
    FastAPI's own (422, ``body.transactions.3.amount``)."""
    raw = await request.body()
    try:
        return ClassifyIn.model_validate_json(raw or b"null")
    except ValidationError as err:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in err.errors(include_url=False)]
        raise RequestValidationError(errors) from None


#: The request body as OpenAPI documents it (``classify_request`` reads it; see
#: ``document_request_bodies``).
_CLASSIFY_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/ClassifyIn"}}}}}  # fmt: skip


def document_request_bodies(app: FastAPI) -> None:
    """Put ``ClassifyIn`` (and the models it nests) in the app's OpenAPI components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        body = ClassifyIn.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, part in {**body.pop("$defs", {}), "ClassifyIn": body}.items():
            if components.setdefault(name, part) != part:
                raise RuntimeError(f"two OpenAPI schemas named {name}")
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


@router.post("/classify", response_model=ClassifyOut, summary="Classify one claim on demand",
             openapi_extra=_CLASSIFY_BODY)  # fmt: skip
def classify_claim(
    state: State, user: Classifier, model: Model,
    body: Annotated[ClassifyIn, Depends(classify_request)],
) -> Response:  # fmt: skip
    """Send a claim's lines and postings; get its balance and, for a credit, the predicted
    source with probabilities, the verification, the recommendation, its due date and the
    reasons in words. Nothing is stored."""
    with CLASSIFYING:
        out = classify(body, model)
    state.metrics.classified.inc(len(out.credits))
    # Already a validated ClassifyOut: serialized once here rather than dumped, re-validated
    # and encoded again by the response_model machinery (which still documents it).
    return Response(out.model_dump_json(), media_type="application/json")
