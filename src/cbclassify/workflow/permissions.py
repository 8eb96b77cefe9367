"""The permission matrix: which role may do what. docs/permissions.md is generated from,
and tested against, this table; the API maps each endpoint to exactly one permission."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from cbclassify.workflow.states import Command, Role


class Permission(StrEnum):
    """One capability; endpoints and CLI commands each require one."""

    CASE_LIST = "case.list"  # the worklist of a practice
    CASE_READ = "case.read"  # a case's details (every read is audited)
    CASE_WORK = "case.work"  # review, propose, withdraw, hold, release, complete
    CASE_APPROVE = "case.approve"  # approve or reject a proposal (never one's own)
    CASE_REOPEN = "case.reopen"  # reopen a done case
    INGEST = "ingest"  # upload a ledger or an 835 batch
    CLASSIFY = "classify"  # classify-on-demand of one claim sent in the request
    REPORTS_READ = "reports.read"  # practice summaries
    AUDIT_READ = "audit.read"  # the audit trail and its CSV export
    FEATURES_READ = "features.read"  # de-identified case features and outcomes
    RESOLUTIONS_EXPORT = "resolutions.export"  # labelled resolutions for retraining
    MODEL_READ = "model.read"  # which model version is champion
    MODEL_MANAGE = "model.manage"  # reload the champion
    USERS_MANAGE = "users.manage"  # users, roles, practice grants
    PRACTICES_MANAGE = "practices.manage"  # create practices


_P = Permission
_BILLER = frozenset(
    {_P.CASE_LIST, _P.CASE_READ, _P.CASE_WORK, _P.INGEST, _P.CLASSIFY, _P.MODEL_READ}
)

#: The matrix itself.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.BILLER: _BILLER,
    Role.MANAGER: _BILLER
    | {_P.CASE_APPROVE, _P.CASE_REOPEN, _P.REPORTS_READ, _P.RESOLUTIONS_EXPORT},
    Role.DATA_SCIENTIST: frozenset(
        {_P.CLASSIFY, _P.FEATURES_READ, _P.RESOLUTIONS_EXPORT, _P.MODEL_READ, _P.MODEL_MANAGE}
    ),
    Role.AUDITOR: frozenset(
        {_P.CASE_LIST, _P.CASE_READ, _P.AUDIT_READ, _P.REPORTS_READ, _P.MODEL_READ}
    ),
    Role.ADMIN: frozenset({_P.USERS_MANAGE, _P.PRACTICES_MANAGE, _P.MODEL_READ, _P.MODEL_MANAGE}),
}

#: The permission each workflow command needs.
COMMAND_PERMISSION: dict[Command, Permission] = {
    Command.START_REVIEW: _P.CASE_WORK,
    Command.PROPOSE: _P.CASE_WORK,
    Command.WITHDRAW: _P.CASE_WORK,
    Command.HOLD: _P.CASE_WORK,
    Command.RELEASE: _P.CASE_WORK,
    Command.COMPLETE: _P.CASE_WORK,
    Command.APPROVE: _P.CASE_APPROVE,
    Command.REJECT: _P.CASE_APPROVE,
    Command.REOPEN: _P.CASE_REOPEN,
}


def permissions_of(roles: Iterable[str]) -> frozenset[Permission]:
    """Every permission granted by any of ``roles`` (unknown role names grant nothing)."""
    granted: set[Permission] = set()
    for role in roles:
        if role in Role._value2member_map_:
            granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)


def has_permission(roles: Iterable[str], permission: Permission) -> bool:
    """True when any of ``roles`` grants ``permission``."""
    return permission in permissions_of(roles)


def matrix_markdown() -> str:
    """The matrix as a Markdown table (permissions x roles), as published in the docs."""
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(r.value for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for perm in Permission:
        cells = ["yes" if perm in ROLE_PERMISSIONS[r] else "-" for r in roles]
        lines.append(f"| `{perm.value}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
