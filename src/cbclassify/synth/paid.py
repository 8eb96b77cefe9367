"""Posting a ``PaidPlan``: the desk copay, the primary's adjudication, the secondary's payment
(or COB overpayment) and the patient's statement payment or small-balance write-off."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import flows as F
from cbclassify.synth import rows as R
from cbclassify.synth.amounts import STYLE_ERA
from cbclassify.synth.plan import SEC_LEGIT, SEC_NONE, STMT_PAID, STMT_WRITEOFF, PaidPlan
from cbclassify.synth.world import World


def post_paid(world: World, sink: R.RowSink, plan: PaidPlan, phase: int = 0) -> None:
    """Append every posting of the plan's claims."""
    c = world.claims
    assert c is not None
    line_evid = plan.evid[plan.owner]
    tos = plan.tos_amt > 0
    F.post_patient_payment(
        sink,
        claim=plan.claims[tos],
        amount=plan.tos_amt[tos],
        day=c.service_day[plan.claims[tos]],
        method=plan.tos_method[tos],
        user=plan.tos_user[tos],
        slot=F.SLOT_TOS,
        role=R.ROLE_TOS,
        evid=_claim_evid(plan, tos, R.ROLE_TOS),
        phase=phase,
    )
    owner_claim = plan.claims[plan.owner]
    F.post_adjudication(
        sink,
        claim=owner_claim,
        gline=plan.gline,
        payer=plan.payer[plan.owner],
        key_day=plan.key_day[plan.owner],
        style=plan.style[plan.owner],
        pay=plan.pay,
        b6=plan.b6,
        co45=plan.co45,
        seq=plan.seq,
        ded=plan.ded,
        coins=plan.coins,
        copay=plan.copay,
        evid=line_evid,
        ev_mask=plan.ev_line,
        phase=phase,
    )
    _post_secondary(sink, plan, owner_claim, line_evid, phase)
    paid = (plan.stmt_outcome == STMT_PAID) & (plan.stmt_amt > 0)
    F.post_patient_payment(
        sink,
        claim=plan.claims[paid],
        amount=plan.stmt_amt[paid],
        day=plan.stmt_day[paid],
        method=plan.stmt_method[paid],
        user=plan.stmt_user[paid],
        slot=F.SLOT_STMT,
        role=R.ROLE_STMT,
        evid=_claim_evid(plan, paid, R.ROLE_STMT),
        phase=phase,
    )
    wo = (plan.stmt_outcome == STMT_WRITEOFF) & (plan.stmt_amt > 0)
    sink.add(
        int(wo.sum()),
        claim=plan.claims[wo],
        kind=R.KIND["adjustment"],
        source=R.PATIENT_SRC,
        amount=plan.stmt_amt[wo],
        method=R.METHOD["manual"],
        posted_day=plan.stmt_day[wo],
        posted_by=F.biller(plan.claims[wo]),
        phase=phase,
    )


def _claim_evid(plan: PaidPlan, sel: np.ndarray, role: int) -> np.ndarray:
    hit = ((plan.ev_claim[sel] >> role) & 1).astype(bool)
    return np.where(hit, plan.evid[sel], -1)


def _post_secondary(
    sink: R.RowSink, plan: PaidPlan, owner_claim: np.ndarray, line_evid: np.ndarray, phase: int
) -> None:
    """Secondary payer: OA-23 payment of the patient's share (and a Medicaid write-off of the
    rest), or a payment as if it were primary (no OA-23: a COB overpayment)."""
    mode = plan.sec_mode[plan.owner]
    sel = mode != SEC_NONE
    if not sel.any():
        return
    o = plan.owner[sel]
    payer = plan.sec_payer[o]
    key = plan.sec_key_day[o]
    style = np.full(len(o), STYLE_ERA)
    legit = mode[sel] == SEC_LEGIT
    hit = ((plan.ev_line[sel] >> R.ROLE_SEC) & 1).astype(bool)
    evid = np.where(hit, line_evid[sel], -1)
    common = {
        "source": R.PAYER_SRC,
        "payer": payer,
        "trace_kind": R.TRACE_KEY,
        "key_day": key,
        "key_era": True,
        "has_era": True,
        "method": R.METHOD["era"],
        "posted_day": F.payer_post_day(payer, key, style),
        "posted_by": R.USER_ERA,
        "phase": phase,
        "role": R.ROLE_SEC,
    }
    sink.add(
        len(o),
        claim=owner_claim[sel],
        gline=plan.gline[sel],
        kind=R.KIND["payment"],
        amount=plan.sec_pay[sel],
        group=np.where(legit, R.GROUP["OA"], -1),
        reason=np.where(legit, R.REASON["23"], -1),
        allowed=plan.sec_b6[sel],
        evid=evid,
        **common,
    )
    wo = legit & (plan.sec_wo[sel] > 0)
    common_wo = {k: (v[wo] if isinstance(v, np.ndarray) else v) for k, v in common.items()}
    sink.add(
        int(wo.sum()),
        claim=owner_claim[sel][wo],
        gline=plan.gline[sel][wo],
        kind=R.KIND["adjustment"],
        amount=plan.sec_wo[sel][wo],
        group=R.GROUP["CO"],
        reason=R.REASON["45"],
        evid=evid[wo],
        **common_wo,
    )
