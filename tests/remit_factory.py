"""Remittances (X12 835) built for tests, from the segment builders of ``x12.x12text``.

* ``credit_835(i)`` (the ingest tests): a small distinct 835 paying claim ``CR<i>`` 130.00 on a
  100.00 charge, so each one, once merged into the practice's ledger, adds one credit of 30.00;
* ``service``, ``payer_header`` and ``remittances`` (the claim identity tests): service lines,
  a payer's header, and transaction sets read back as parsed remittances.

Import as ``from remit_factory import credit_835, credit_claim`` (``tests/`` is on sys.path).
"""

from __future__ import annotations

from x12.x12text import PAYEE, claim, interchange, render, transaction_set

from cbclassify.x12 import read_835
from cbclassify.x12.model import Remittance

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


def service(cpt: str, charge: str, paid: str, date: str = "20240102") -> list[str]:
    """One service line (SVC, its date, the unpaid rest as a CO-45 adjustment)."""
    return [
        f"SVC*HC:{cpt}*{charge}*{paid}**1",
        f"DTM*472*{date}",
        f"CAS*CO*45*{float(charge) - float(paid):.2f}",
    ]


def payer_header(payer: str, total: str) -> list[str]:
    """A transaction set's header for payer ``payer`` paying ``total`` (pass as ``header=``)."""
    return [
        f"BPR*I*{total}*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20240105",
        f"TRN*1*TR{payer}*1999999999",
        "DTM*405*20240104",
        f"N1*PR*PLAN {payer}*XV*{payer}",
        "N4*NEWARK*NJ*07101",
        *PAYEE,
        "LX*1",
    ]


def remittances(
    *sets: list[str], control: str = "000000001", name: str = "batch.835"
) -> list[Remittance]:
    """The transaction sets in one interchange (file ``name``), parsed back."""
    return read_835(render(interchange(list(sets), control=control)), name).remittances
