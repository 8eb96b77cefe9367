"""Posting builders shared by normal and credit claims: a payer's adjudication of lines (from an
835 or a paper EOB), a denial, a patient payment. They append columnar rows to a ``RowSink``."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import rows as R
from cbclassify.synth.amounts import STYLE_ERA, STYLE_MANUAL_NO_CODES
from cbclassify.synth.world import World, snap_to_weekday

#: Patient receipt number slots per claim (receipt = claim * RECEIPT_SLOTS + slot).
RECEIPT_SLOTS = 8
SLOT_TOS, SLOT_STMT, SLOT_SECOND, SLOT_PREPAY = 0, 1, 2, 3


def adjudication_key(
    world: World, payer: np.ndarray, from_day: np.ndarray, extra: np.ndarray
) -> np.ndarray:
    """The payment-run day on which ``payer`` pays a claim submitted on ``from_day``."""
    lag = world.payers.lag[payer] + extra
    return snap_to_weekday(from_day + lag, world.payers.run_wd[payer])


def payer_post_day(payer: np.ndarray, key_day: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Day a payer payment is posted: ERAs within 0-2 days of the run, paper checks 3-10 days."""
    era = key_day + (key_day * 7 + payer * 13) % 3
    manual = key_day + 3 + (key_day * 5 + payer * 11) % 8
    return np.where(style == STYLE_ERA, era, manual)


def payer_method(payer: np.ndarray, key_day: np.ndarray, style: np.ndarray) -> np.ndarray:
    """``era`` for 835 postings; ``check`` or ``manual`` for paper postings."""
    paper = np.where((key_day + payer) % 5 < 3, R.METHOD["check"], R.METHOD["manual"])
    return np.where(style == STYLE_ERA, R.METHOD["era"], paper)


def biller(seed_values: np.ndarray) -> np.ndarray:
    """A biller user index chosen deterministically from integers."""
    return R.BILLER0 + np.abs(seed_values) % R.N_BILLERS


def payer_user(payer: np.ndarray, key_day: np.ndarray, style: np.ndarray) -> np.ndarray:
    return np.where(style == STYLE_ERA, R.USER_ERA, biller(key_day * 3 + payer))


def front_desk(location: np.ndarray) -> np.ndarray:
    return R.FRONT_DESK0 + location % R.N_FRONT_DESKS


def _with_evidence(
    cols: dict, evid: np.ndarray | None, ev_mask: np.ndarray | None, role: int, sel: np.ndarray
) -> dict:
    if evid is not None and ev_mask is not None:
        hit = ((ev_mask[sel] >> role) & 1).astype(bool)
        cols["evid"] = np.where(hit, evid[sel], -1)
    return cols


def post_adjudication(
    sink: R.RowSink,
    *,
    claim: np.ndarray,
    gline: np.ndarray,
    payer: np.ndarray,
    key_day: np.ndarray,
    style: np.ndarray,
    pay: np.ndarray,
    b6: np.ndarray,
    co45: np.ndarray,
    seq: np.ndarray,
    ded: np.ndarray,
    coins: np.ndarray,
    copay: np.ndarray,
    sign: int = 1,
    evid: np.ndarray | None = None,
    ev_mask: np.ndarray | None = None,
    phase: int = 0,
) -> None:
    """One payer adjudication of lines: payment (with AMT B6), CO-45, CO-253, PR-1/2/3 rows.

    Paper postings without codes carry no group/reason codes and no responsibility rows; a
    ``sign`` of -1 posts the reversal (CLP02 = 22) of such an adjudication.
    """
    codes = style != STYLE_MANUAL_NO_CODES
    common = {"source": R.PAYER_SRC, "phase": phase, "trace_kind": R.TRACE_KEY}
    post = payer_post_day(payer, key_day, style)
    method = payer_method(payer, key_day, style)
    user = payer_user(payer, key_day, style)
    era = style == STYLE_ERA

    def emit(
        sel: np.ndarray,
        kind: str,
        amount: np.ndarray,
        role: int,
        group: np.ndarray | int,
        reason: np.ndarray | int,
        allowed: np.ndarray | int = R.NO_AMOUNT,
    ) -> None:
        cols = dict(
            claim=claim[sel],
            gline=gline[sel],
            kind=R.KIND[kind],
            payer=payer[sel],
            amount=sign * amount[sel],
            group=group,
            reason=reason,
            allowed=allowed,
            key_day=key_day[sel],
            key_era=era[sel],
            has_era=era[sel],
            method=method[sel],
            posted_day=post[sel],
            posted_by=user[sel],
            role=role,
            **common,
        )
        sink.add(
            int(sel.sum()) if sel.dtype == bool else len(sel),
            **_with_evidence(cols, evid, ev_mask, role, sel),
        )

    all_lines = np.ones(len(claim), dtype=bool)
    b6_ok = codes & (sign > 0)
    emit(all_lines, "payment", pay, R.ROLE_PAY, -1, -1, np.where(b6_ok, b6, R.NO_AMOUNT))
    for amount, reason, role in ((co45, "45", R.ROLE_CO45), (seq, "253", R.ROLE_SEQ)):
        sel = amount != 0
        emit(
            sel,
            "adjustment",
            amount,
            role,
            np.where(codes[sel], R.GROUP["CO"], -1),
            np.where(codes[sel], R.REASON[reason], -1),
        )
    for amount, reason in ((ded, "1"), (coins, "2"), (copay, "3")):
        sel = (amount != 0) & codes
        emit(sel, "responsibility", amount, R.ROLE_PR, R.GROUP["PR"], R.REASON[reason])


def post_denial(
    sink: R.RowSink,
    *,
    claim: np.ndarray,
    gline: np.ndarray,
    payer: np.ndarray,
    key_day: np.ndarray,
    style: np.ndarray,
    reason: np.ndarray,
) -> None:
    """A 0.00 payment per line carrying the denial's CARC (CO-16, CO-197, ...)."""
    era = style == STYLE_ERA
    sink.add(
        len(claim),
        claim=claim,
        gline=gline,
        kind=R.KIND["payment"],
        source=R.PAYER_SRC,
        payer=payer,
        amount=0,
        group=R.GROUP["CO"],
        reason=reason,
        trace_kind=R.TRACE_KEY,
        key_day=key_day,
        key_era=era,
        has_era=era,
        method=payer_method(payer, key_day, style),
        posted_day=payer_post_day(payer, key_day, style),
        posted_by=payer_user(payer, key_day, style),
    )


def post_patient_payment(
    sink: R.RowSink,
    *,
    claim: np.ndarray,
    amount: np.ndarray,
    day: np.ndarray,
    method: np.ndarray,
    user: np.ndarray,
    slot: int | np.ndarray,
    role: int,
    evid: np.ndarray | int = -1,
    phase: int = 0,
) -> None:
    """Claim-level patient payments with receipt numbers."""
    sink.add(
        len(claim),
        claim=claim,
        kind=R.KIND["payment"],
        source=R.PATIENT_SRC,
        amount=amount,
        trace_kind=R.TRACE_RECEIPT,
        trace_num=claim * RECEIPT_SLOTS + slot,
        method=method,
        posted_day=day,
        posted_by=user,
        role=role,
        evid=evid,
        phase=phase,
    )


def patient_channel(world: World, n: int, at_desk: bool) -> tuple[np.ndarray, np.ndarray]:
    """(method, user-kind) of patient payments: at the desk card/cash/check; by mail through the
    lockbox, online through the portal. User-kind -1 means the claim's front desk."""
    draw = world.rng.random(n)
    if at_desk:
        method = np.where(
            draw < 0.65, R.METHOD["card"], np.where(draw < 0.8, R.METHOD["cash"], R.METHOD["check"])
        )
        return method, np.full(n, -1)
    method = np.where(
        draw < 0.4, R.METHOD["lockbox"], np.where(draw < 0.85, R.METHOD["card"], R.METHOD["check"])
    )
    user = np.where(draw < 0.4, R.USER_LOCKBOX, np.where(draw < 0.85, R.USER_PORTAL, -1))
    return method, user
