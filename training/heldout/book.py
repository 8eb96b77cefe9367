"""The practice's books: claims, postings, remittances, and the normal (non-credit) claim flows."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from training.heldout.profiles import Payer, Profile, Service

D = Decimal
ZERO = D("0.00")
CENT = D("0.01")


def money(x: Decimal | int | str) -> Decimal:
    return D(x).quantize(CENT, rounding=ROUND_HALF_UP)


def pick(rng: random.Random, options: list[tuple[object, float]]):
    values = [o for o, _ in options]
    weights = [w for _, w in options]
    return rng.choices(values, weights=weights, k=1)[0]


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
    payer_id: str  # "" = self-pay
    secondary_id: str
    service_date: date
    billed_date: date
    lines: list[Line]

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), ZERO)


@dataclass
class LineAdj:
    """One line of a payer's adjudication (what its 835 says)."""

    line_no: int
    charge: Decimal
    allowed: Decimal
    co45: Decimal
    pr: list[tuple[str, Decimal]]  # (CARC, amount): 1 deductible, 2 coinsurance, 3 copay
    seq: Decimal
    paid: Decimal

    @property
    def pr_total(self) -> Decimal:
        return sum((a for _, a in self.pr), ZERO)


@dataclass
class Remit:
    era_id: str
    payer_id: str
    trace: str
    payment_date: date
    method: str


@dataclass
class Book:
    profile: Profile
    rng: random.Random
    payers: dict[str, Payer] = field(default_factory=dict)
    patients: dict[str, str] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    txns: list[dict] = field(default_factory=list)
    remits: dict[str, Remit] = field(default_factory=dict)
    plb: list[dict] = field(default_factory=list)
    resolutions: list[dict] = field(default_factory=list)
    not_in_remit: set[str] = field(default_factory=set)
    fee_rows: list[dict] = field(default_factory=list)
    extra_remit: dict[str, Decimal] = field(default_factory=dict)
    _batch: dict[tuple[str, date], str] = field(default_factory=dict)
    _n: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.payers = {p.payer_id: p for p in self.profile.payers}
        self._build_fee_schedule()

    # ---- undo (a scenario that finds no fitting payer mix leaves nothing behind) --------------
    def mark(self) -> tuple[int, ...]:
        return (
            len(self.txns),
            len(self.claims),
            len(self.patients),
            len(self.remits),
            len(self.plb),
            len(self.resolutions),
            len(self.not_in_remit),
        )

    def rollback(self, mark: tuple[int, ...]) -> None:
        n_txn, n_claim, n_pat, n_remit, n_plb, n_res, _ = mark
        for t in self.txns[n_txn:]:
            self.not_in_remit.discard(t["txn_id"])
        del self.txns[n_txn:]
        for d, n in ((self.claims, n_claim), (self.patients, n_pat)):
            for k in list(d)[n:]:
                del d[k]
        for k in list(self.remits)[n_remit:]:
            del self.remits[k]
            self.extra_remit.pop(k, None)
        self._batch = {k: v for k, v in self._batch.items() if v in self.remits}
        del self.plb[n_plb:]
        del self.resolutions[n_res:]

    # ---- counters and ids -------------------------------------------------------------------
    def next(self, kind: str, start: int = 1) -> int:
        self._n[kind] = self._n.get(kind, start - 1) + 1
        return self._n[kind]

    @property
    def asof(self) -> date:
        return self.profile.asof

    def clamp(self, d: date) -> date:
        return min(d, self.asof)

    def biller(self) -> str:
        return self.rng.choice(self.profile.billers)

    # ---- fee schedule ----------------------------------------------------------------------
    def _build_fee_schedule(self) -> None:
        y1 = self.profile.year1
        for p in self.profile.payers:
            if p.fee_mult is None:
                continue
            change = self.profile.year2_fee_change.get(p.type, D("1"))
            for s in self.profile.services:
                if s.cpt in p.gaps:
                    continue
                mods = (
                    s.modifiers if self.profile.key == "practice_a" and s.cpt == "97153" else ("",)
                )
                for mod in mods:
                    level = D("0.92") if mod == "HM" else D("1")
                    r1 = money(s.base_rate * p.fee_mult * level)
                    r2 = money(r1 * change)
                    row = {"payer_id": p.payer_id, "cpt": s.cpt, "modifier": mod}
                    self.fee_rows.append(
                        dict(
                            row,
                            allowed_per_unit=r1,
                            effective_from=date(y1, 1, 1),
                            effective_to=date(y1, 12, 31),
                        )
                    )
                    self.fee_rows.append(
                        dict(
                            row,
                            allowed_per_unit=r2,
                            effective_from=date(y1 + 1, 1, 1),
                            effective_to=None,
                        )
                    )

    def contract_rate(self, payer_id: str, cpt: str, mod: str, dos: date) -> Decimal | None:
        best = None
        for r in self.fee_rows:
            if r["payer_id"] != payer_id or r["cpt"] != cpt:
                continue
            if r["modifier"] and r["modifier"] != mod:
                continue
            if dos < r["effective_from"] or (r["effective_to"] and dos > r["effective_to"]):
                continue
            if best is None or (r["modifier"] and not best["modifier"]):
                best = r
        return None if best is None else best["allowed_per_unit"]

    def has_fee_row(self, payer_id: str, cpt: str) -> bool:
        return any(r["payer_id"] == payer_id and r["cpt"] == cpt for r in self.fee_rows)

    # ---- patients and claims -----------------------------------------------------------------
    def new_patient(self) -> str:
        pid = self.profile.patient_id(
            self.next("patient", 1000 if self.profile.key == "practice_b" else 1)
        )
        self.patients[pid] = pick(self.rng, self.profile.states)
        return pid

    def services_for(self, payer: Payer | None) -> list[Service]:
        svcs = self.profile.services
        if (
            payer is not None
            and payer.type in ("medicare", "other")
            and self.profile.key == "practice_a"
        ):
            svcs = [s for s in svcs if s.cpt.startswith("90")]
        return svcs

    def pick_service(self, payer: Payer | None, need_fee_row: bool | None = None) -> Service:
        svcs = self.services_for(payer)
        if payer is not None and need_fee_row is not None:
            svcs = [s for s in svcs if self.has_fee_row(payer.payer_id, s.cpt) == need_fee_row]
        return pick(self.rng, [(s, s.weight) for s in svcs])

    def new_claim(
        self,
        pid: str,
        payer_id: str,
        sd: date,
        n_lines: int | None = None,
        secondary_id: str = "",
        services: list[Service] | None = None,
        need_fee_row: bool | None = None,
    ) -> Claim:
        payer = self.payers.get(payer_id)
        if services is None:
            if n_lines is None:
                n_lines = pick(self.rng, self.profile.lines_per_claim)
            services = []
            for _ in range(n_lines):
                s = self.pick_service(payer, need_fee_row)
                if s.cpt in [x.cpt for x in services]:
                    continue
                services.append(s)
        lines = []
        for i, s in enumerate(services, start=1):
            units = self.rng.randint(*s.units)
            mod = self.rng.choice(s.modifiers)
            lines.append(Line(i, s.cpt, mod, units, money(s.charge_per_unit * units)))
        year = sd.year
        cid = self.profile.claim_id(
            self.next("claim", 40000 if self.profile.key == "practice_b" else 1), year
        )
        billed = self.clamp(sd + timedelta(days=self.rng.randint(1, 6)))
        c = Claim(cid, pid, payer_id, secondary_id, sd, billed, lines)
        c.location = self.rng.choice(self.profile.locations)  # type: ignore[attr-defined]
        c.provider = self.rng.choice(self.profile.providers)  # type: ignore[attr-defined]
        self.claims[cid] = c
        return c

    # ---- postings ----------------------------------------------------------------------------
    def post(
        self,
        claim: Claim,
        kind: str,
        source: str,
        amount: Decimal,
        when: date,
        *,
        line_no: int | None = None,
        payer_id: str = "",
        group: str = "",
        reason: str = "",
        allowed: Decimal | None = None,
        trace: str = "",
        era_id: str = "",
        method: str = "manual",
        by: str | None = None,
        in_remit: bool = True,
    ) -> dict:
        if when > self.asof:
            raise ValueError(f"posting after as-of on {claim.claim_id}")
        tid = self.profile.txn_id(self.next("txn", 100 if self.profile.key == "practice_b" else 1))
        row = {
            "txn_id": tid,
            "claim_id": claim.claim_id,
            "line_no": line_no,
            "kind": kind,
            "source": source,
            "payer_id": payer_id,
            "amount": money(amount),
            "group_code": group,
            "reason_code": reason,
            "allowed_amount": allowed,
            "trace_number": trace,
            "era_id": era_id,
            "method": method,
            "posted_date": when,
            "posted_by": by or (self.profile.era_user if era_id else self.biller()),
        }
        self.txns.append(row)
        if era_id and not in_remit:
            self.not_in_remit.add(tid)
        return row

    def remit(self, payer_id: str, when: date, fresh: bool = False) -> Remit:
        """The payer's weekly 835 batch for that date (or a fresh remittance)."""
        when = self.clamp(when)
        thursday = when + timedelta(days=(3 - when.weekday()) % 7)
        key = (payer_id, self.clamp(thursday))
        if not fresh and key in self._batch:
            return self.remits[self._batch[key]]
        payer = self.payers[payer_id]
        eid = self.profile.era_id(self.next("era", 200))
        if payer.remit_method == "CHK":
            trace = f"{self.rng.randint(100000, 999999)}"
        else:
            trace = f"1{self.rng.randint(10**9, 10**10 - 1)}"
        r = Remit(eid, payer_id, trace, key[1], payer.remit_method)
        self.remits[eid] = r
        if not fresh:
            self._batch[key] = eid
        return r

    def check_number(self) -> str:
        return f"{self.rng.randint(10000, 9999999)}"

    def receipt(self) -> str:
        return self.profile.receipt(self.next("receipt", 5000))

    # ---- adjudication ------------------------------------------------------------------------
    def allowed_for(self, payer: Payer, ln: Line, dos: date) -> tuple[Decimal, bool]:
        rate = self.contract_rate(payer.payer_id, ln.cpt, ln.modifier, dos)
        if rate is not None:
            return min(money(rate * ln.units), ln.charge), True
        return money(ln.charge * payer.reported_pct), False

    def adjudicate(
        self,
        claim: Claim,
        payer_id: str,
        *,
        copay: Decimal | None = None,
        deductible: Decimal = ZERO,
        coins: Decimal | None = None,
        sequester: bool | None = None,
    ) -> list[LineAdj]:
        payer = self.payers[payer_id]
        if copay is None:
            copay = payer.copay if payer.pr_model == "copay" else ZERO
        if coins is None:
            coins = payer.coins if payer.pr_model in ("coins", "medicare", "copay") else ZERO
        if sequester is None:
            sequester = payer.type == "medicare"
        out = []
        ded_left = money(deductible)
        copay_left = money(copay)
        for ln in claim.lines:
            allowed, _ = self.allowed_for(payer, ln, claim.service_date)
            pr: list[tuple[str, Decimal]] = []
            rest = allowed
            if ded_left > 0:
                d = min(ded_left, rest)
                pr.append(("1", d))
                ded_left -= d
                rest -= d
            if copay_left > 0 and rest > 0:
                c = min(copay_left, rest)
                pr.append(("3", c))
                copay_left -= c
                rest -= c
            if coins > 0 and rest > 0 and not (payer.pr_model == "copay" and copay > 0):
                pr.append(("2", money(rest * coins)))
                rest -= money(rest * coins)
            seq = ZERO
            paid = rest
            if sequester and rest > 0:
                paid = money(rest * D("0.98"))
                seq = rest - paid
            out.append(LineAdj(ln.line_no, ln.charge, allowed, ln.charge - allowed, pr, seq, paid))
        return out

    def post_era(
        self,
        claim: Claim,
        payer_id: str,
        adj: list[LineAdj],
        when: date,
        *,
        remit: Remit | None = None,
        secondary: bool = False,
        with_cas: bool = True,
        in_remit: bool = True,
        reported_allowed: dict[int, Decimal] | None = None,
    ) -> list[dict]:
        """Post one payer's 835 claim: per line a payment, its CAS adjustments and PR rows."""
        r = remit or self.remit(payer_id, when)
        when = r.payment_date
        rows = []
        for la in adj:
            allowed = (reported_allowed or {}).get(la.line_no, la.allowed)
            g, rc = ("OA", "23") if secondary else ("", "")
            rows.append(
                self.post(
                    claim,
                    "payment",
                    "payer",
                    la.paid,
                    when,
                    line_no=la.line_no,
                    payer_id=payer_id,
                    group=g,
                    reason=rc,
                    allowed=allowed,
                    trace=r.trace,
                    era_id=r.era_id,
                    method="era",
                    in_remit=in_remit,
                )
            )
            if not with_cas:
                continue
            if la.co45 > 0 and not secondary:
                rows.append(
                    self.post(
                        claim,
                        "adjustment",
                        "payer",
                        la.co45,
                        when,
                        line_no=la.line_no,
                        payer_id=payer_id,
                        group="CO",
                        reason="45",
                        trace=r.trace,
                        era_id=r.era_id,
                        method="era",
                        in_remit=in_remit,
                    )
                )
            if la.seq > 0:
                rows.append(
                    self.post(
                        claim,
                        "adjustment",
                        "payer",
                        la.seq,
                        when,
                        line_no=la.line_no,
                        payer_id=payer_id,
                        group="CO",
                        reason="253",
                        trace=r.trace,
                        era_id=r.era_id,
                        method="era",
                        in_remit=in_remit,
                    )
                )
            for code, amt in la.pr:
                if amt > 0:
                    rows.append(
                        self.post(
                            claim,
                            "responsibility",
                            "payer",
                            amt,
                            when,
                            line_no=la.line_no,
                            payer_id=payer_id,
                            group="PR",
                            reason=code,
                            trace=r.trace,
                            era_id=r.era_id,
                            method="era",
                            in_remit=in_remit,
                        )
                    )
        return rows

    def post_manual_payer(
        self,
        claim: Claim,
        payer_id: str,
        paid: Decimal,
        writeoff: Decimal,
        when: date,
        *,
        trace: str | None = None,
        method: str | None = None,
        by: str | None = None,
    ) -> list[dict]:
        """A paper EOB keyed by hand: claim-level payment and write-off, no CARC, no allowed."""
        method = method or pick(self.rng, self.profile.manual_method)
        by = by or (self.profile.lockbox_user if method == "lockbox" else self.biller())
        trace = trace or self.check_number()
        rows = [
            self.post(
                claim,
                "payment",
                "payer",
                paid,
                when,
                payer_id=payer_id,
                trace=trace,
                method=method,
                by=by,
            )
        ]
        if writeoff > 0:
            g = self.rng.choice(["CO", "", "CO"])
            rows.append(
                self.post(
                    claim,
                    "adjustment",
                    "payer",
                    writeoff,
                    when,
                    payer_id=payer_id,
                    group=g,
                    trace=trace,
                    method="manual",
                    by=by,
                )
            )
        return rows

    def pay_patient(
        self,
        claim: Claim,
        amount: Decimal,
        when: date,
        *,
        method: str | None = None,
        receipt: str | None = None,
        line_no: int | None = None,
        by: str | None = None,
    ) -> dict:
        method = method or pick(self.rng, self.profile.patient_methods)
        by = by or (
            self.profile.lockbox_user
            if method == "lockbox"
            else self.rng.choice(self.profile.front)
        )
        return self.post(
            claim,
            "payment",
            "patient",
            amount,
            when,
            line_no=line_no,
            trace=receipt or self.receipt(),
            method=method,
            by=by,
        )

    # ---- balances ----------------------------------------------------------------------------
    def balance(self, claim_id: str, on: date | None = None) -> Decimal:
        on = on or self.asof
        c = self.claims[claim_id]
        bal = c.charge
        for t in self._txns_by_claim().get(claim_id, []):
            if t["posted_date"] > on:
                continue
            if t["kind"] in ("payment", "adjustment", "transfer"):
                bal -= t["amount"]
            elif t["kind"] == "refund":
                bal += t["amount"]
        return bal

    def _txns_by_claim(self) -> dict[str, list[dict]]:
        cache = getattr(self, "_cache", None)
        if cache is None or cache[0] != len(self.txns):
            idx: dict[str, list[dict]] = {}
            for t in self.txns:
                idx.setdefault(t["claim_id"], []).append(t)
            cache = (len(self.txns), idx)
            self._cache = cache
        return cache[1]
