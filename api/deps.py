"""Typed FastAPI dependencies: the service state, the calling user, permission checks,
practice scoping and the loaded model."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Path, Request

from api.auth import authenticate
from api.errors import ApiError
from api.state import ServiceState
from cbclassify.service.champion import LoadedModel
from cbclassify.store.accounts import find_practice
from cbclassify.store.cases import ActingUser
from cbclassify.store.models_auth import Practice
from cbclassify.workflow.permissions import Permission, has_permission


# ``get_state`` and ``get_model`` only read attributes: ``async`` keeps FastAPI from running
# each of them in the threadpool (a thread hop per dependency per request).
async def get_state(request: Request) -> ServiceState:
    """The service state built by the lifespan."""
    service: ServiceState = request.app.state.service
    return service


State = Annotated[ServiceState, Depends(get_state)]


async def get_user(request: Request, state: State) -> ActingUser:
    """The authenticated caller (401 otherwise)."""
    return await authenticate(request, state)


CurrentUser = Annotated[ActingUser, Depends(get_user)]

PermissionCheck = Callable[[ActingUser], Awaitable[ActingUser]]


def require(permission: Permission) -> PermissionCheck:
    """A dependency returning the caller when one of their roles grants ``permission``
    (403 otherwise). The permission is kept on the function for docs and tests."""

    async def check(user: CurrentUser) -> ActingUser:
        if not has_permission(user.roles, permission):
            raise ApiError(403, "forbidden", f"your role does not allow {permission.value}")
        return user

    # A function attribute (api.endpoints lists it); mypy types a function without attributes.
    check.permission = permission  # type: ignore[attr-defined]
    return check


_P = Permission
#: The caller, checked for one permission each (``user: CaseReader`` in an endpoint).
CaseLister = Annotated[ActingUser, Depends(require(_P.CASE_LIST))]
CaseReader = Annotated[ActingUser, Depends(require(_P.CASE_READ))]
CaseWorker = Annotated[ActingUser, Depends(require(_P.CASE_WORK))]
CaseApprover = Annotated[ActingUser, Depends(require(_P.CASE_APPROVE))]
CaseReopener = Annotated[ActingUser, Depends(require(_P.CASE_REOPEN))]
Ingester = Annotated[ActingUser, Depends(require(_P.INGEST))]
Classifier = Annotated[ActingUser, Depends(require(_P.CLASSIFY))]
ReportReader = Annotated[ActingUser, Depends(require(_P.REPORTS_READ))]
AuditReader = Annotated[ActingUser, Depends(require(_P.AUDIT_READ))]
FeatureReader = Annotated[ActingUser, Depends(require(_P.FEATURES_READ))]
ResolutionExporter = Annotated[ActingUser, Depends(require(_P.RESOLUTIONS_EXPORT))]
ModelReader = Annotated[ActingUser, Depends(require(_P.MODEL_READ))]
ModelManager = Annotated[ActingUser, Depends(require(_P.MODEL_MANAGE))]
UserManager = Annotated[ActingUser, Depends(require(_P.USERS_MANAGE))]
PracticeManager = Annotated[ActingUser, Depends(require(_P.PRACTICES_MANAGE))]


def scoped_practice(state: ServiceState, user: ActingUser, code: str) -> Practice:
    """The practice ``code`` if the user is granted it; 404 for any other (no existence leak)."""
    with state.db.read_session() as session:
        practice = find_practice(session, code)
    if practice is None or practice.id not in user.practice_ids:
        raise ApiError(404, "not_found", f"no practice {code!r} among yours")
    return practice


PracticeCode = Annotated[str, Path(description="the practice's code", max_length=64)]


async def get_model(state: State) -> LoadedModel:
    """The loaded champion model (503 while there is none)."""
    model = state.models.current
    if model is None:
        reason = state.models.error or "no model loaded"
        raise ApiError(503, "model_unavailable", f"no champion model is loaded ({reason})")
    return model


Model = Annotated[LoadedModel, Depends(get_model)]
