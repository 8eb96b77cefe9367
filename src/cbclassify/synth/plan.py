"""A paid claim's whole story as arrays (``PaidPlan``): copay at the desk, the primary payer's
adjudication, the secondary's payment, the patient's statement payment. Normal claims use it as
built; injected credits modify it (extra payment, larger write-off, copay above PR, ...)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cbclassify.synth import catalog as cat
from cbclassify.synth import flows as F
from cbclassify.synth.amounts import STYLE_ERA
from cbclassify.synth.world import World, snap_to_weekday

_LINE_FIELDS = frozenset(
    {
        "gline",
        "pay",
        "b6",
        "co45",
        "seq",
        "ded",
        "coins",
        "copay",
        "sec_pay",
        "sec_wo",
        "sec_b6",
        "ev_line",
    }
)
STMT_NONE, STMT_PAID, STMT_OPEN, STMT_WRITEOFF = 0, 1, 2, 3
SEC_NONE, SEC_LEGIT, SEC_AS_PRIMARY = 0, 1, 2


@dataclass
class PaidPlan:
    """Per-claim (index ``k``) and per-line (index ``j``) arrays of claims to post as paid."""

    claims: np.ndarray
    line_start: np.ndarray  # k -> first j
    n_lines: np.ndarray
    gline: np.ndarray  # j -> global line
    owner: np.ndarray  # j -> k
    payer: np.ndarray
    style: np.ndarray
    key_day: np.ndarray
    tos_amt: np.ndarray
    tos_method: np.ndarray
    tos_user: np.ndarray
    pay: np.ndarray
    b6: np.ndarray
    co45: np.ndarray
    seq: np.ndarray
    ded: np.ndarray
    coins: np.ndarray
    copay: np.ndarray
    stmt_amt: np.ndarray
    stmt_day: np.ndarray
    stmt_outcome: np.ndarray
    stmt_method: np.ndarray
    stmt_user: np.ndarray
    sec_mode: np.ndarray
    sec_payer: np.ndarray
    sec_key_day: np.ndarray
    sec_pay: np.ndarray
    sec_wo: np.ndarray
    sec_b6: np.ndarray
    evid: np.ndarray  # k -> credit id or -1
    ev_line: np.ndarray  # j -> evidence role mask
    ev_claim: np.ndarray  # k -> evidence role mask (claim-level rows)

    @property
    def post_day(self) -> np.ndarray:
        """Day the primary adjudication is posted."""
        return F.payer_post_day(self.payer, self.key_day, self.style)

    @property
    def sec_post_day(self) -> np.ndarray:
        return F.payer_post_day(
            np.maximum(self.sec_payer, 0), self.sec_key_day, np.full(len(self.claims), STYLE_ERA)
        )

    def lines_of(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Line positions j of claims at positions ``pos``, and for each the index into ``pos``."""
        counts = self.n_lines[pos]
        owner_in_pos = np.repeat(np.arange(len(pos)), counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.line_start[pos][owner_in_pos] + within, owner_in_pos

    def take(self, mask: np.ndarray) -> PaidPlan:
        """The sub-plan of the claims where ``mask`` is True."""
        line_mask = mask[self.owner]
        counts = self.n_lines[mask]
        values = {}
        for name, value in self.__dict__.items():
            if name in ("line_start", "owner"):
                continue
            per_line = name in _LINE_FIELDS
            values[name] = value[line_mask] if per_line else value[mask]
        values["line_start"] = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        values["owner"] = np.repeat(np.arange(len(counts)), counts)
        return PaidPlan(**values)

    def claim_total(self, per_line: np.ndarray) -> np.ndarray:
        """Sum a per-line plan array per claim."""
        return (
            np.add.reduceat(per_line, self.line_start) if len(per_line) else np.zeros(0, np.int64)
        )


def build_plan(world: World, claims: np.ndarray, key_day: np.ndarray | None = None) -> PaidPlan:
    """The default paid story of ``claims`` (adjudicated on ``key_day``, else after billing)."""
    rng, c, ln, pats = world.rng, world.claims, world.lines, world.patients
    assert c is not None and ln is not None and pats is not None
    n = len(claims)
    counts = c.n_lines[claims]
    line_start = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
    owner = np.repeat(np.arange(n), counts)
    gline = c.first_line[claims][owner] + (np.arange(counts.sum()) - line_start[owner])
    payer = c.payer[claims]
    if key_day is None:
        key_day = F.adjudication_key(
            world, payer, c.billed_day[claims], rng.integers(-4, 12, size=n)
        )
    style = world.claim_style[claims].copy()
    secondary = c.secondary[claims]
    plan_kind = pats.plan[c.patient[claims]]
    copay = ln.copay[gline].copy()
    pr_total = (
        np.add.reduceat(ln.ded[gline] + ln.coins[gline] + copay, line_start) if n else copay[:0]
    )
    copay_total = np.add.reduceat(copay, line_start) if n else copay[:0]
    tos = np.where((plan_kind == cat.PLAN_COPAY) & (secondary < 0), copay_total, 0)
    tos_method, tos_user = F.patient_channel(world, n, at_desk=True)
    stmt_method, stmt_user = F.patient_channel(world, n, at_desk=False)
    location = c.location[claims]
    out = PaidPlan(
        claims=claims,
        line_start=line_start,
        n_lines=counts,
        gline=gline,
        owner=owner,
        payer=payer,
        style=style,
        key_day=key_day,
        tos_amt=tos,
        tos_method=tos_method,
        tos_user=np.where(tos_user < 0, F.front_desk(location), tos_user),
        pay=ln.pay[gline].copy(),
        b6=ln.allowed[gline].copy(),
        co45=ln.co45[gline].copy(),
        seq=ln.seq[gline].copy(),
        ded=ln.ded[gline].copy(),
        coins=ln.coins[gline].copy(),
        copay=copay,
        stmt_amt=np.where(secondary < 0, pr_total - tos, 0),
        stmt_day=np.zeros(n, dtype=np.int64),
        stmt_outcome=np.full(n, STMT_PAID, dtype=np.int8),
        stmt_method=stmt_method,
        stmt_user=np.where(stmt_user < 0, F.front_desk(location), stmt_user),
        sec_mode=np.where(secondary >= 0, SEC_LEGIT, SEC_NONE).astype(np.int8),
        sec_payer=secondary,
        sec_key_day=np.zeros(n, dtype=np.int64),
        sec_pay=ln.sec_pay[gline].copy(),
        sec_wo=ln.sec_wo[gline].copy(),
        sec_b6=ln.sec_allowed[gline].copy(),
        evid=np.full(n, -1, dtype=np.int64),
        ev_line=np.zeros(len(gline), dtype=np.int16),
        ev_claim=np.zeros(n, dtype=np.int16),
    )
    retime(world, out)
    return out


def retime(world: World, plan: PaidPlan) -> None:
    """Statement and secondary days after the primary posting (call after changing key_day)."""
    n = len(plan.claims)
    post = plan.post_day
    plan.stmt_day = post + 12 + world.rng.integers(0, 45, size=n)
    sec = np.maximum(plan.sec_payer, 0)
    plan.sec_key_day = snap_to_weekday(
        post + 7 + world.rng.integers(0, 21, size=n), world.payers.run_wd[sec]
    )
