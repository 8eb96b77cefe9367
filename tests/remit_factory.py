"""Small distinct 835s for the ingest tests: ``credit_835(i)`` pays claim ``CR<i>`` 130.00 on a
100.00 charge, so each one, once merged into the practice's ledger, adds one credit of 30.00.

Import as ``from remit_factory import credit_835, credit_claim`` (``tests/`` is on sys.path).
"""

from __future__ import annotations

from x12.x12text import claim, interchange, render, transaction_set

CREDIT_CENTS = 3000


def credit_claim(i: int) -> str:
    """The claim id ``credit_835(i)`` posts."""
    return f"CR{i:03d}"


def credit_835(i: int, paid: str = "130") -> str:
    """One balanced 835: claim ``credit_claim(i)``, charge 100, paid ``paid`` (a credit)."""
    service = ["SVC*HC:97110:GP*100*" + paid + "**1", "DTM*472*20240102", "AMT*B6*" + paid]
    body = claim(
        claim_id=credit_claim(i), charge="100", paid=paid, services=[service], member=f"M{i}"
    )
    sets = [transaction_set(body, total=paid, trace=f"TRACE{i}")]
    return render(interchange(sets, control=f"{i + 1:09d}"))
