"""Who works a case: assigning cases of a practice to one of its billers or managers (or to
nobody). Assignment is not a workflow fact: it does not change the case's version (a biller
looking at the case is not interrupted), and every change is one ``case.assign`` audit row."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from cbclassify.store.audit import append_audit
from cbclassify.store.case_queries import case_workers, cases_by_ids
from cbclassify.store.cases import ActingUser
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import ROLE_PERMISSIONS, Permission

#: Roles whose users may be assigned cases (those that work cases).
ASSIGNABLE_ROLES: tuple[str, ...] = tuple(
    role.value for role, granted in ROLE_PERMISSIONS.items() if Permission.CASE_WORK in granted
)


class AssigneeNotAllowed(ValueError):
    """The chosen user cannot be assigned cases of this practice."""


def assignable_users(session: Session, practice_id: int) -> dict[int, str]:
    """Active users of the practice who work cases: id -> username, by name."""
    return case_workers(session, practice_id, ASSIGNABLE_ROLES)


def assign_cases(
    session: Session,
    practice_id: int,
    case_ids: Iterable[int],
    assignee_id: int | None,
    user: ActingUser,
) -> tuple[list[CreditCase], list[CreditCase]]:
    """Assign the practice's cases ``case_ids`` to ``assignee_id`` (None: to nobody), in the
    caller's transaction. Returns (changed, already so); ids of other practices are ignored.
    AssigneeNotAllowed when the assignee is not an active biller or manager of the practice;
    the caller checks the user's own access to the practice."""
    workers = assignable_users(session, practice_id)
    if assignee_id is not None and assignee_id not in workers:
        raise AssigneeNotAllowed("that user does not work cases of this practice")
    changed, unchanged = [], []
    for case in cases_by_ids(session, practice_id, case_ids):
        if case.assigned_to_id == assignee_id:
            unchanged.append(case)
            continue
        before = case.assigned_to_id
        session.execute(
            update(CreditCase)
            .where(CreditCase.id == case.id)
            .values(assigned_to_id=assignee_id)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(case, "assigned_to_id", assignee_id)  # no version bump
        append_audit(
            session,
            user.audit,
            "case.assign",
            practice_id=practice_id,
            case_id=case.id,
            before={"assigned_to_id": before},
            after={"assigned_to_id": assignee_id},
            details={"assigned_to": workers.get(assignee_id) if assignee_id else None},
        )
        changed.append(case)
    return changed, unchanged
