"""Bulk work from the worklist: assign (and "My cases"), propose the recommended action on
confirmed cases only, managers' approve / reject behind one confirmation page with count and
total, each case through the single-case rules (roles, own proposal, amount bound, version,
audit); and the CSV export of every matching case, formula-safe."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from web_helpers import OTHER, PRACTICE, SignIn, csrf_of, unlabelled_controls

from api.web.formatting import usd
from cbclassify.service.exports import WORKLIST_CSV_COLUMNS
from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_auth import Practice, User
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")
BASE = "/practices/sunrise/worklist"
ROW = re.compile(r'<a href="/cases/(\d+)" class="claim-link">')


def _db(client: TestClient):
    return client.app.state.service.db  # type: ignore[attr-defined]


def _cases(client: TestClient, code: str = PRACTICE) -> list[CreditCase]:
    with _db(client).read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == code))
        return list(
            s.scalars(
                select(CreditCase).where(CreditCase.practice_id == pid).order_by(CreditCase.id)
            )
        )


def _by_id(client: TestClient) -> dict[int, CreditCase]:
    return {c.id: c for c in _cases(client)}


def _user_id(client: TestClient, name: str) -> int:
    with _db(client).read_session() as s:
        return s.scalar(select(User.id).where(User.username == name))  # type: ignore[return-value]


def _audits(client: TestClient, action: str) -> list[AuditEvent]:
    with _db(client).read_session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _bulk(client: TestClient, action: str, **fields: Any):
    page = client.get(BASE)
    data = {"csrf_token": csrf_of(page.text), "bulk_action": action, **fields}
    data.setdefault("filter", "")
    return client.post(f"{BASE}/bulk", data=data)


def _confirm(client: TestClient, confirmation: str, **fields: Any):
    pairs = re.findall(r'name="case" value="(\d+:\d+)"', confirmation)
    action = re.search(r'name="bulk_action" value="(\w+)"', confirmation)
    assert action
    data = {
        "csrf_token": csrf_of(confirmation),
        "bulk_action": action.group(1),
        "case": pairs,
        "filter": "",
        **fields,
    }
    return client.post(f"{BASE}/bulk/confirm", data=data)


def _confirmed_refunds(client: TestClient, at_least: int = 2) -> list[CreditCase]:
    """Confirmed credits whose action returns money to a payer (a manager approves them); the
    seed has two, more are made from refuted ones when a test needs them."""
    spare = [c.id for c in _cases(client) if c.verification == "refuted" and c.state == "open"]
    with _db(client).transaction() as s:
        s.execute(
            update(CreditCase)
            .where(CreditCase.id.in_(spare[: max(at_least - 2, 0)]))
            .values(
                verification="confirmed",
                verified_source="payer_overpayment",
                recommended_action="refund_payer",
            )
        )
    return [
        c
        for c in _cases(client)
        if c.verification == "confirmed"
        and c.recommended_action in ("refund_payer", "payer_offset")
    ]


def test_bulk_assign_and_my_cases(client: TestClient, sign_in: SignIn) -> None:
    picked = [c.id for c in _cases(client)[:3]]
    versions = {c.id: c.version for c in _cases(client)}
    sign_in("bill")
    bill = _user_id(client, "bill")
    answer = _bulk(
        client, "assign", assignee=str(bill), scope="selected", case_id=[str(i) for i in picked]
    )
    assert answer.status_code == 200
    claims = {c.id: c.claim_id for c in _cases(client)}
    assert "Assigned 3 cases to bill" in answer.text
    assert all(claims[i] in answer.text for i in picked)
    after = _by_id(client)
    assert all(after[i].assigned_to_id == bill for i in picked)
    assert all(after[i].version == versions[i] for i in picked)  # not a workflow step
    assigned = _audits(client, "case.assign")
    assert sorted(a.case_id for a in assigned) == sorted(picked)
    mine = client.get(f"{BASE}?assigned=me&per_page=100")
    assert sorted(int(i) for i in ROW.findall(mine.text)) == sorted(picked)
    assert mine.text.count('<td class="nowrap">bill</td>') == 3
    # the same again changes nothing and writes no audit row
    again = _bulk(
        client, "assign", assignee=str(bill), scope="selected", case_id=[str(i) for i in picked]
    )
    assert "3 already so" in again.text and len(_audits(client, "case.assign")) == 3
    # unassign
    _bulk(client, "assign", assignee="none", scope="selected", case_id=[str(picked[0])])
    assert _by_id(client)[picked[0]].assigned_to_id is None


def test_assignees_are_the_practices_billers_and_managers_only(
    client: TestClient, sign_in: SignIn
) -> None:
    picked = str(_cases(client)[0].id)
    sign_in("bill")
    for outsider in ("hal", "ada"):  # another practice's biller; an auditor
        answer = _bulk(
            client,
            "assign",
            assignee=str(_user_id(client, outsider)),
            scope="selected",
            case_id=[picked],
        )
        assert answer.status_code == 422 and "Nothing was changed" in answer.text
    assert _by_id(client)[int(picked)].assigned_to_id is None
    assert not _audits(client, "case.assign")
    page = client.get(BASE).text
    options = page[page.index('id="b-assignee"') : page.index("Nobody (unassign)")]
    assert (
        ">bill" in options and ">max<" in options and "hal" not in options and "ada" not in options
    )


def test_bulk_ids_of_another_practice_are_ignored(client: TestClient, sign_in: SignIn) -> None:
    harbor = _cases(client, OTHER)[0]
    sign_in("bill")
    answer = _bulk(
        client,
        "assign",
        assignee=str(_user_id(client, "bill")),
        scope="selected",
        case_id=[str(harbor.id)],
    )
    assert answer.status_code == 422 and "Nothing was changed" in answer.text
    assert _cases(client, OTHER)[0].assigned_to_id is None


def test_bulk_propose_applies_to_confirmed_cases_and_says_why_others_were_skipped(
    client: TestClient, sign_in: SignIn
) -> None:
    cases = _cases(client)
    page_ids = [str(c.id) for c in cases]
    confirmed = [c for c in cases if c.verification == "confirmed" and c.recommended_action]
    others = [c for c in cases if c not in confirmed]
    assert confirmed and others
    sign_in("bill")
    answer = _bulk(client, "propose", scope="page", page_id=page_ids)
    assert answer.status_code == 200
    assert f"Proposed the recommended action on {len(confirmed)} cases" in answer.text
    assert f"Skipped {len(others)} cases" in answer.text
    assert answer.text.count("not confirmed (refuted by the ledger)") == sum(
        c.verification == "refuted" for c in others
    )
    after = _by_id(client)
    for c in confirmed:
        assert after[c.id].state == "action_proposed"
        assert after[c.id].proposed_action == c.recommended_action
        assert after[c.id].proposed_amount_cents == c.credit_amount_cents
    for c in others:
        assert after[c.id].state == c.state and after[c.id].proposed_action is None
    assert len(_audits(client, "case.propose")) == len(confirmed)
    assert len(_audits(client, "case.start_review")) == len(confirmed)
    # again: every case is now already proposed or unconfirmed, nothing changes
    again = _bulk(client, "propose", scope="page", page_id=page_ids)
    assert "Nothing was changed" in again.text and "already proposed" in again.text


def test_biller_cannot_bulk_approve(client: TestClient, sign_in: SignIn) -> None:
    sign_in("bill")
    answer = _bulk(client, "approve", scope="all")
    assert answer.status_code == 403 and "manager" in answer.text
    assert 'value="approve"' not in client.get(BASE).text


def test_bulk_approve_confirms_count_and_total_first(client: TestClient, sign_in: SignIn) -> None:
    refunds = _confirmed_refunds(client)
    assert len(refunds) >= 2
    sign_in("bill")
    _bulk(client, "propose", scope="selected", case_id=[str(c.id) for c in refunds])
    waiting = [c for c in _cases(client) if c.state == "action_proposed" and c.approval_required]
    assert sorted(c.id for c in waiting) == sorted(c.id for c in refunds)
    total = sum(c.proposed_amount_cents or 0 for c in waiting)

    sign_in("max")
    confirmation = _bulk(
        client, "approve", scope="all", filter="status=action_proposed&sort=amount"
    )
    assert confirmation.status_code == 200
    n = len(waiting)
    assert f"Approve {n} proposals?" in confirmation.text
    assert f'<strong class="confirm-count">{n}</strong>' in confirmation.text
    assert f'<strong class="confirm-total">{usd(total)}</strong>' in confirmation.text
    assert f"Approve {n} proposals ({usd(total)})" in confirmation.text
    assert all(c.claim_id in confirmation.text for c in waiting)
    assert unlabelled_controls(confirmation.text) == []
    assert unlabelled_controls(client.get(BASE).text) == []
    # nothing is approved before the confirmation
    assert all(
        c.state == "action_proposed" for c in _cases(client) if c.id in {w.id for w in waiting}
    )
    assert not _audits(client, "case.approve")

    result = _confirm(client, confirmation.text)
    assert result.status_code == 200
    assert f"Approved {n} cases ({usd(total)}): claims " in result.text
    named = re.search(r"Approved \d+ cases \([^)]*\): claims ([^.]*)\.", result.text)
    assert named and all(c.claim_id in named.group(1) for c in waiting[:5])
    after = _by_id(client)
    assert all(after[c.id].state == "approved" for c in waiting)
    assert len(_audits(client, "case.approve")) == n


def test_bulk_approve_skips_own_proposals_changed_cases_and_amounts_above_the_credit(
    client: TestClient, sign_in: SignIn
) -> None:
    refunds = _confirmed_refunds(client, at_least=5)
    assert len(refunds) >= 5
    own, changed, too_big, *rest = refunds
    sign_in("max")  # max proposes one himself
    _bulk(client, "propose", scope="selected", case_id=[str(own.id)])
    sign_in("bill")
    _bulk(
        client, "propose", scope="selected", case_id=[str(c.id) for c in (changed, too_big, *rest)]
    )
    sign_in("max")
    confirmation = _bulk(client, "approve", scope="all", filter="status=action_proposed")
    n = 2 + len(rest)
    assert f"Approve {n} proposals?" in confirmation.text
    assert "your own proposal: another manager decides" in confirmation.text
    with _db(client).engine.begin() as conn:  # after the confirmation page was shown:
        conn.execute(  # someone withdrew and re-proposed (a new version) ...
            update(CreditCase)
            .where(CreditCase.id == changed.id)
            .values(version=CreditCase.version + 1)
        )
        conn.execute(  # ... and the credit of another dropped to a cent (the version moved too)
            update(CreditCase).where(CreditCase.id == too_big.id).values(credit_amount_cents=1)
        )
    result = _confirm(client, confirmation.text)
    assert "it changed since you confirmed" in result.text
    assert "is above the current credit of $0.01" in result.text
    after = _by_id(client)
    assert after[changed.id].state == "action_proposed"
    assert after[too_big.id].state == "action_proposed"
    assert after[own.id].state == "action_proposed"
    assert all(after[c.id].state == "approved" for c in rest)
    assert len(_audits(client, "case.approve")) == len(rest)


def test_bulk_reject_needs_a_reason_and_sends_cases_back_to_review(
    client: TestClient, sign_in: SignIn
) -> None:
    refunds = _confirmed_refunds(client)[:2]
    sign_in("bill")
    _bulk(client, "propose", scope="selected", case_id=[str(c.id) for c in refunds])
    sign_in("max")
    confirmation = _bulk(client, "reject", scope="selected", case_id=[str(c.id) for c in refunds])
    total = sum(c.credit_amount_cents for c in refunds)
    assert f"Reject 2 proposals ({usd(total)})" in confirmation.text
    no_reason = _confirm(client, confirmation.text)
    assert no_reason.status_code == 422 and "A rejection needs a reason" in no_reason.text
    assert all(_by_id(client)[c.id].state == "action_proposed" for c in refunds)
    result = _confirm(client, confirmation.text, reason="check the allowed amount first")
    assert "Rejected 2 cases" in result.text
    after = _by_id(client)
    assert all(after[c.id].state == "in_review" for c in refunds)
    assert all(
        a.details and "check the allowed" in a.details for a in _audits(client, "case.reject")
    )


def test_bulk_post_without_csrf_changes_nothing(client: TestClient, sign_in: SignIn) -> None:
    case = _cases(client)[0]
    sign_in("bill")
    answer = client.post(
        f"{BASE}/bulk",
        data={
            "bulk_action": "assign",
            "assignee": "none",
            "scope": "selected",
            "case_id": [str(case.id)],
        },
    )
    assert answer.status_code == 403 and "This form has expired" in answer.text


def test_nothing_selected_is_said(client: TestClient, sign_in: SignIn) -> None:
    sign_in("bill")
    answer = _bulk(client, "propose", scope="selected")
    assert answer.status_code == 422 and "No case was selected" in answer.text


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_has_every_matching_case_on_all_pages_formula_safe(
    client: TestClient, sign_in: SignIn
) -> None:
    cases = [c for c in _cases(client) if c.state != "done" and c.credit_present]
    evil = cases[0]
    with _db(client).transaction() as s:
        s.execute(
            update(CreditCase)
            .where(CreditCase.id == evil.id)
            .values(patient_id='=HYPERLINK("http://x")', payer_name="+SUM(1,2)")
        )
    sign_in("bill")
    answer = client.get(f"{BASE}.csv?per_page=25&page=2&sort=amount&dir=desc")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = _rows(answer.text)
    assert len(rows) == len(cases) > 25  # every page, not the one shown
    assert tuple(rows[0]) == WORKLIST_CSV_COLUMNS
    amounts = [int(r["credit_amount"].replace(".", "")) for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    bad = next(r for r in rows if r["case_id"] == str(evil.id))
    assert bad["patient_id"] == '\'=HYPERLINK("http://x")'
    assert bad["payer_name"] == "'+SUM(1,2)"
    assert all(re.fullmatch(r"-?\d+\.\d\d", r["credit_amount"]) for r in rows)
    assert {r["as_of"] for r in rows} == {rows[0]["as_of"]}
    exports = _audits(client, "export.worklist")
    assert len(exports) == 1 and '"rows":' in (exports[0].details or "")
    assert evil.claim_id not in (exports[0].details or "")
    confirmed = _rows(client.get(f"{BASE}.csv?verification=confirmed").text)
    assert sorted(int(r["case_id"]) for r in confirmed) == sorted(
        c.id for c in cases if c.verification == "confirmed"
    )


def test_export_is_scoped_to_the_users_practices(client: TestClient, sign_in: SignIn) -> None:
    sign_in("bill")
    assert client.get("/practices/harbor/worklist.csv").status_code == 404
    with _db(client).read_session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "export.worklist")
            )
            == 0
        )
