"""The written permission matrix matches the code, and roles grant what the docs say."""

from __future__ import annotations

from pathlib import Path

from cbclassify.workflow import Permission, Role, has_permission, permissions_of
from cbclassify.workflow.permissions import ROLE_PERMISSIONS, matrix_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_docs_publish_the_matrix_of_the_code() -> None:
    assert matrix_markdown() in DOCS.read_text(encoding="utf-8")


def test_every_role_has_a_row_and_unknown_roles_grant_nothing() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert permissions_of(["superuser", ""]) == frozenset()


def test_separation_of_duties() -> None:
    assert not has_permission(["biller"], Permission.CASE_APPROVE)
    assert not has_permission(["admin"], Permission.CASE_READ)
    assert not has_permission(["data_scientist"], Permission.CASE_READ)
    assert has_permission(["auditor"], Permission.AUDIT_READ)
    assert not any(has_permission([r], Permission.AUDIT_READ) for r in Role if r != Role.AUDITOR)


def test_roles_combine() -> None:
    both = permissions_of(["biller", "data_scientist"])
    assert Permission.CASE_WORK in both and Permission.FEATURES_READ in both
