"""The generator refuses to write a practice whose truth file disagrees with its own books."""

from __future__ import annotations

from decimal import Decimal

from training.heldout.generate import Practice

CREDIT = Decimal("-0.005")


def check_practice(practice: Practice) -> None:
    b = practice.book
    problems = []
    truth_credit = {}
    for row in practice.truth:
        if row["claim_id"] not in b.claims:
            problems.append(f"truth claim {row['claim_id']} does not exist")
        if row["is_credit_at_asof"] == "true":
            truth_credit[row["claim_id"]] = Decimal(row["credit_amount"])
    for cid in b.claims:
        bal = b.balance(cid)
        if bal < CREDIT:
            want = truth_credit.get(cid)
            if want is None:
                problems.append(f"{cid}: unlabelled credit {-bal}")
            elif want != -bal:
                problems.append(f"{cid}: credit {-bal} but truth says {want}")
        elif cid in truth_credit:
            problems.append(f"{cid}: truth says credit {truth_credit[cid]}, balance {bal}")
    by_claim = {r["claim_id"]: r for r in b.resolutions}
    for cid, r in by_claim.items():
        at = b.balance(cid, r["identified_date"])
        if at >= CREDIT:
            problems.append(f"{cid}: resolution but no credit on its identified date ({at})")
        elif -at != r["amount"]:
            problems.append(f"{cid}: resolution amount {r['amount']} but credit {-at}")
    if problems:
        head = "\n".join(problems[:30])
        raise AssertionError(f"{b.profile.key}: {len(problems)} problems\n{head}")
