"""Money, dates and the posting book: every row the generator writes goes through here.

Accounting view (from the ledger contract, "Balance rule"):

    balance = sum(charge_amount)
              - sum(amount of payment, adjustment, transfer rows)
              + sum(amount of refund rows)

`responsibility` rows never move a balance.  A negative payment is a reversal or a
recoupment.  A transfer is `-X` on the claim the money leaves and `+X` on the claim it
enters.  Money is `decimal.Decimal` quantized to cents everywhere; nothing in this
package ever builds a float from or for money.

Two generator-only flags live on a row and are never written:

* `in_ledger=False` marks a row that the payer's 835 carried but that the practice never
  posted (a skipped CLP02=22 reversal).  It counts in its remittance's BPR total, not in
  any balance.
* `as_received=False` marks a row that re-posts something already counted in its
  remittance (the same ERA posted twice).  It counts in balances, not in the remittance
  total as the payer sent it.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
AS_OF = date(2026, 11, 30)
YEAR_END_2025 = date(2025, 12, 31)


def money(value) -> Decimal:
    """Quantize an int, str or Decimal to cents (half up).  Floats are refused."""
    if isinstance(value, float):
        raise TypeError("money must never be built from a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        raise TypeError(f"money column holds {type(value).__name__}, not Decimal")
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def pct(rate: str, amount: Decimal) -> Decimal:
    return money(Decimal(rate) * amount)


def bday(d: date) -> date:
    """The business day on or after d."""
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def add_days(d: date, n: int) -> date:
    return d + timedelta(days=n)


def add_bdays(d: date, n: int) -> date:
    return bday(d + timedelta(days=n))


@dataclass
class Txn:
    txn_id: str
    claim_id: str
    line_no: int | None
    kind: str  # payment adjustment responsibility refund transfer
    source: str  # payer | patient
    payer_id: str
    amount: Decimal
    posted_date: date
    posted_by: str
    method: str
    group_code: str = ""
    reason_code: str = ""
    allowed_amount: Decimal | None = None
    trace_number: str = ""
    era_id: str = ""
    in_ledger: bool = True
    as_received: bool = True
    tag: str = ""

    def moves_balance(self) -> Decimal:
        """Signed effect on the claim balance (positive lowers what is owed)."""
        if self.kind in ("payment", "adjustment", "transfer"):
            return self.amount
        if self.kind == "refund":
            return -self.amount
        return ZERO


@dataclass
class Remit:
    era_id: str
    payer_id: str
    trace_number: str
    payment_date: date
    posted_date: date
    method: str  # ACH CHK NON
    user: str = ""
    plbs: list = field(default_factory=list)  # (reason, reference, amount)
    note: str = ""


@dataclass
class Line:
    line_no: int
    cpt: str
    modifier: str
    units: int
    charge: Decimal


@dataclass
class Claim:
    claim_id: str
    patient_id: str
    payer_id: str  # '' = self-pay
    secondary_payer_id: str
    location_id: str
    provider_id: str
    service_date: date
    billed_date: date
    lines: list[Line]
    plan: object = None  # profiles.Plan in force on the date of service
    adj: object = None  # ledger.ClaimAdj, the correct primary adjudication
    sec: object = None  # ledger.SecAdj, the correct secondary adjudication
    design: str = ""  # pattern or look-alike hosted here ('' = ordinary)
    touched: bool = False  # postings changed by another claim's design (transfer target)
    outcome: str = ""

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), ZERO)


class IdCounter:
    def __init__(self, start: int, rng: random.Random, max_gap: int = 1):
        self.n = start
        self.rng = rng
        self.max_gap = max_gap

    def next(self) -> int:
        self.n += self.rng.randint(1, self.max_gap) if self.max_gap > 1 else 1
        return self.n


class Book:
    """Holds claims, postings, remittances and resolutions of one practice."""

    def __init__(self, profile, rng: random.Random):
        self.prof = profile
        self.rng = rng
        self.claims: dict[str, Claim] = {}
        self.by_claim: dict[str, list[Txn]] = defaultdict(list)
        self.remits: dict[str, Remit] = {}
        self.remit_key: dict[tuple, str] = {}
        self.remit_count: dict[tuple, int] = {}
        self.resolutions: list[dict] = []
        self.exceptions: list[dict] = []  # remittances whose postings differ from the 835
        ids = profile.ids
        self.c_txn = IdCounter(ids.txn_start, rng)
        self.c_check = IdCounter(ids.check_start, rng, 5)
        self.c_receipt = IdCounter(ids.receipt_start, rng, 3)
        self.c_refund = IdCounter(ids.refund_start, rng, 2)

    # ---- ids -------------------------------------------------------------------
    def txn_id(self) -> str:
        return self.prof.ids.txn(self.c_txn.next())

    def receipt(self) -> str:
        return self.prof.ids.receipt(self.c_receipt.next())

    def check_no(self) -> str:
        return self.prof.ids.check(self.c_check.next())

    def eft_trace(self) -> str:
        """An EFT trace for money keyed by hand from a paper EOB (not an 835)."""
        return self.prof.ids.eft(self.prof.ids.manual_eft_start + self.c_check.next())

    def refund_no(self) -> str:
        return self.prof.ids.refund(self.c_refund.next())

    # ---- rows ------------------------------------------------------------------
    def post(self, claim: Claim, kind: str, source: str, amount: Decimal, posted: date, *,
             line_no: int | None = None, payer_id: str = "", method: str = "manual",
             posted_by: str = "", group: str = "", reason: str = "",
             allowed: Decimal | None = None, trace: str = "", era: Remit | None = None,
             in_ledger: bool = True, as_received: bool = True, tag: str = "") -> Txn:
        if not isinstance(amount, Decimal):
            raise TypeError("amount must be Decimal")
        if posted > AS_OF:
            raise ValueError(f"posting after as-of on {claim.claim_id}: {posted}")
        if source == "payer" and not payer_id:
            raise ValueError("payer row without payer_id")
        t = Txn(
            txn_id=self.txn_id(), claim_id=claim.claim_id, line_no=line_no, kind=kind,
            source=source, payer_id=payer_id, amount=money(amount), posted_date=posted,
            posted_by=posted_by or (era.user if era and method == "era" else self.prof.user(self.rng, method)),
            method=method,
            group_code=group, reason_code=reason,
            allowed_amount=None if allowed is None else money(allowed),
            trace_number=trace if not era else (trace or era.trace_number),
            era_id=era.era_id if era else "", in_ledger=in_ledger, as_received=as_received,
            tag=tag,
        )
        self.by_claim[claim.claim_id].append(t)
        return t

    @property
    def txns(self) -> list[Txn]:
        return [t for rows in self.by_claim.values() for t in rows]

    def clear_claim(self, claim: Claim) -> None:
        self.by_claim[claim.claim_id] = []

    def remove_txn(self, t: Txn) -> None:
        self.by_claim[t.claim_id] = [x for x in self.by_claim[t.claim_id] if x is not t]

    def move_txn(self, t: Txn, to_claim: Claim) -> None:
        self.by_claim[t.claim_id] = [x for x in self.by_claim[t.claim_id] if x is not t]
        t.claim_id = to_claim.claim_id
        self.by_claim[to_claim.claim_id].append(t)

    # ---- remittances --------------------------------------------------------------
    def remit(self, payer_id: str, pay_date: date, *, fresh: bool = False) -> Remit | None:
        """The payer's check run on pay_date (one 835 per payer and day), or None when it
        would be posted after the as-of date."""
        key = (payer_id, pay_date)
        if not fresh and key in self.remit_key:
            r = self.remits[self.remit_key[key]]
            return r if r.posted_date <= AS_OF else None
        payer = self.prof.payers[payer_id]
        posted = add_bdays(pay_date, self.rng.choice((0, 0, 1, 1, 2)))
        if posted > AS_OF:
            posted = AS_OF if pay_date <= AS_OF else posted
        # ids grow with the payment date, as a payer's check runs do
        k = self.remit_count.get(key, 0)
        self.remit_count[key] = k + 1
        if k > 3:
            raise AssertionError("more than four 835s from one payer on one day")
        pidx = list(self.prof.payers).index(payer_id)
        n = (((pay_date - date(2024, 1, 1)).days * 16) + pidx) * 4 + k
        era_id = self.prof.ids.era(n)
        ids = self.prof.ids
        trace = ids.eft(ids.eft_start + n * 7) if payer.eft else ids.check(ids.remit_check_start + n)
        r = Remit(era_id, payer_id, trace, pay_date, posted, "ACH" if payer.eft else "CHK",
                  self.prof.user(self.rng, "era"))
        self.remits[era_id] = r
        if not fresh:
            self.remit_key[key] = era_id
        else:
            self.remit_key[(payer_id, pay_date, era_id)] = era_id
        return r if r.posted_date <= AS_OF else None

    def remit_after(self, payer_id: str, after: date, *, fresh: bool = False,
                    latest: date = AS_OF) -> Remit | None:
        """The first check run of the payer on or after `after` posted no later than latest."""
        payer = self.prof.payers[payer_id]
        d = payer.next_pay_day(after)
        r = self.remit(payer_id, d, fresh=fresh)
        if r is None or r.posted_date > latest:
            return None
        return r

    # ---- balances -------------------------------------------------------------------
    def balance(self, claim_id: str, on: date = AS_OF) -> Decimal:
        c = self.claims[claim_id]
        bal = c.charge
        for t in self.by_claim.get(claim_id, []):
            if t.in_ledger and t.posted_date <= on:
                bal -= t.moves_balance()
        return bal

    def last_posting(self, claim_id: str) -> date | None:
        ds = [t.posted_date for t in self.by_claim.get(claim_id, []) if t.in_ledger]
        return max(ds) if ds else None
