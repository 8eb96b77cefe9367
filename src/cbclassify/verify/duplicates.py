"""Postings counted more than once: the same amount from the same source on the same claim line.

Copies are grouped by (line, kind, source, payer, CAS codes for adjustments, |amount|). A
negative posting of the same group (a reversal or takeback of that amount) cancels one copy,
so a takeback followed by a corrected payment of the same amount is not a duplicate. The
copies left beyond the first are *extras*. How they arose decides the source and the action:

* ``posted_twice``: the copies share a remittance (era_id) or trace / receipt number: one payment
  posted twice; undone internally (``reverse_posting``), no money moves.
* ``paid_twice``: payer copies on distinct remittances with distinct traces: the payer paid twice
  (``takeback_unclear`` instead when the payer has a negative payment that cancels no copy).
* ``receipts_twice``: patient copies with distinct receipt numbers: the patient paid twice
  (a patient credit, left in the patient's account).
* ``untraced_twice``: copies without trace or remittance: cannot tell posting from payment.
* ``adjustment_twice``: an adjustment repeated without its payment: an allowance error; one
  repeated on the remittance of a repeated payment belongs to that payment's duplicate.
Responsibility rows repeated in one group are de-duplicated silently (they move no balance).

Also here: an adjustment a sequestering payer posted without any CAS code that is exactly the
2% sequestration of its payment on the line (``uncoded_sequestration``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cbclassify.bundles import Posting
from cbclassify.verify.claim import Row, line_key, payer_key

_CANDIDATE_KINDS = ("payment", "adjustment", "responsibility")


@dataclass(frozen=True)
class Duplicates:
    """The duplicated groups of one claim and the copies set aside before the accounting."""

    groups: list[Row]  # one per duplicated group (responsibility groups left out)
    extra: frozenset[str]  # txn_ids of the extra copies


def find_duplicates(postings: Sequence[Posting]) -> Duplicates:
    """The duplicate groups of one claim's postings (in posting order).

    Each group: gid, claim_id, line_key, kind, source, payer_key, group_code, reason_code,
    copy_cents (one copy), n_copies, n_era, u_era, n_trace, u_trace, first_date, last_date,
    n_extra, extra_cents (balance effect of the extras, positive), txn_ids (all copies,
    ';'-joined), traces, eras and dup_kind (see module docstring).
    """
    cand = [p for p in postings if p.kind in _CANDIDATE_KINDS and p.amount_cents != 0]
    if not cand:
        return Duplicates([], frozenset())
    gids: dict[tuple[int, str, str, str, str, int], int] = {}
    gid_of: dict[str, int] = {}
    members: dict[int, list[Posting]] = defaultdict(list)
    for p in cand:
        code = "" if p.kind == "payment" else f"{p.group_code or ''}-{p.reason_code or ''}"
        key = (line_key(p), p.kind, p.source, payer_key(p), code, abs(p.amount_cents))
        gid = gid_of[p.txn_id] = gids.setdefault(key, len(gids))
        members[gid].append(p)
    copy_extra = _extra_copies(members.values())
    dup_gids = {g for g, rows in members.items() if any(r.txn_id in copy_extra for r in rows)}
    copies = [p for p in cand if gid_of[p.txn_id] in dup_gids and p.amount_cents > 0]
    if not copies:
        return Duplicates([], frozenset())
    groups = _describe_groups(copies, gid_of, copy_extra)
    _classify(groups, cand, gid_of, copy_extra)
    kind_of = {g["gid"]: g["dup_kind"] for g in groups}
    extra = frozenset(
        p.txn_id
        for p in copies
        if p.txn_id in copy_extra
        and kind_of[gid_of[p.txn_id]] not in ("receipts_twice", "takeback_unclear")
    )
    return Duplicates([g for g in groups if g["kind"] != "responsibility"], extra)


def _extra_copies(groups: Iterable[list[Posting]]) -> set[str]:
    """The positive copies beyond the survivors' first (each negative copy cancels one),
    latest posted first."""
    out: set[str] = set()
    for rows in groups:
        positives = [r for r in rows if r.amount_cents > 0]
        n_extra = max(len(positives) - (len(rows) - len(positives)) - 1, 0)
        if n_extra:
            out.update(r.txn_id for r in positives[len(positives) - n_extra :])
    return out


def _first(values: list[str | None]) -> str | None:
    return next((v for v in values if v is not None), None)


def _unique_join(values: list[str | None], sep: str) -> str | None:
    seen = list(dict.fromkeys(v for v in values if v is not None))
    return sep.join(seen) if seen else None


def _describe_groups(
    copies: list[Posting], gid_of: dict[str, int], copy_extra: set[str]
) -> list[Row]:
    by_gid: dict[int, list[Posting]] = {}
    for p in copies:
        by_gid.setdefault(gid_of[p.txn_id], []).append(p)
    groups = []
    for gid, rows in by_gid.items():
        eras = [r.era_id for r in rows]
        traces = [r.remit_trace for r in rows]
        extras = [r for r in rows if r.txn_id in copy_extra]
        head = rows[0]
        groups.append(
            {
                "gid": gid,
                "claim_id": head.claim_id,
                "line_key": line_key(head),
                "kind": head.kind,
                "source": head.source,
                "payer_key": payer_key(head),
                "group_code": _first([r.group_code for r in rows]),
                "reason_code": _first([r.reason_code for r in rows]),
                "copy_cents": abs(head.amount_cents),
                "n_copies": len(rows),
                "n_era": sum(e is not None for e in eras),
                "u_era": len({e for e in eras if e is not None}),
                "n_trace": sum(t is not None for t in traces),
                "u_trace": len({t for t in traces if t is not None}),
                "first_date": min(r.posted_date for r in rows),
                "last_date": max(r.posted_date for r in rows),
                "n_extra": len(extras),
                "extra_cents": -sum(r.effect_cents for r in extras),
                "txn_ids": ";".join(r.txn_id for r in rows),
                "traces": _unique_join(traces, ", "),
                "eras": _unique_join(eras, ";"),
            }
        )
    return groups


def _classify(
    groups: list[Row], cand: list[Posting], gid_of: dict[str, int], copy_extra: set[str]
) -> None:
    for g in groups:
        shared = g["n_era"] > g["u_era"] or g["n_trace"] > g["u_trace"]
        keyed_all = g["n_trace"] == g["n_copies"] or g["n_era"] == g["n_copies"]
        is_pay = g["kind"] == "payment"
        if g["kind"] == "responsibility":
            g["dup_kind"] = "responsibility_twice"
        elif g["kind"] == "adjustment":
            g["dup_kind"] = "adjustment_twice"
        elif is_pay and shared:
            g["dup_kind"] = "posted_twice"
        elif is_pay and keyed_all and g["source"] == "patient":
            g["dup_kind"] = "receipts_twice"
        elif is_pay and keyed_all:
            g["dup_kind"] = "paid_twice"
        else:
            g["dup_kind"] = "untraced_twice"
    messy = _unmatched_takebacks(cand, gid_of)
    for g in groups:
        if g["dup_kind"] == "paid_twice" and g["payer_key"] in messy:
            g["dup_kind"] = "takeback_unclear"
    _attach_adjustments(groups, cand, gid_of, copy_extra)


def _unmatched_takebacks(cand: list[Posting], gid_of: dict[str, int]) -> set[str]:
    """Payers with a negative payment that cancels no copy of its amount."""
    pos: dict[int, int] = defaultdict(int)
    neg: dict[int, int] = defaultdict(int)
    pay = [p for p in cand if p.kind == "payment" and p.source == "payer"]
    for p in pay:
        (pos if p.amount_cents > 0 else neg)[gid_of[p.txn_id]] += 1
    return {payer_key(p) for p in pay if neg[gid_of[p.txn_id]] > pos[gid_of[p.txn_id]]}


def _attach_adjustments(
    groups: list[Row], cand: list[Posting], gid_of: dict[str, int], copy_extra: set[str]
) -> None:
    """An adjustment repeated on the remittance of a repeated payment joins that duplicate
    (the whole remittance was posted or paid again)."""
    pay_gids = {g["gid"] for g in groups if g["dup_kind"] in ("posted_twice", "paid_twice")}
    adj_gids = {g["gid"] for g in groups if g["dup_kind"] == "adjustment_twice"}
    if not pay_gids or not adj_gids:
        return
    extra_rows = [p for p in cand if p.txn_id in copy_extra]
    parent_by_era: dict[str, int] = {}
    for p in extra_rows:
        if gid_of[p.txn_id] in pay_gids and p.era_id is not None:
            parent_by_era.setdefault(p.era_id, gid_of[p.txn_id])
    parent_of: dict[int, int] = {}
    for p in extra_rows:
        if gid_of[p.txn_id] in adj_gids and p.era_id in parent_by_era:
            parent_of.setdefault(gid_of[p.txn_id], parent_by_era[p.era_id])
    kind_of = {g["gid"]: g["dup_kind"] for g in groups}
    for g in groups:
        if g["gid"] in parent_of:
            g["dup_kind"] = kind_of[parent_of[g["gid"]]]


def uncoded_sequestration(live: Sequence[Posting], payers: frozenset[str]) -> frozenset[str]:
    """The txn_ids of adjustments posted without any CAS code by a sequestering payer whose
    amount is the 2% sequestration of that payer's payment on the line (2/98 of the payment, to
    the cent): a paper EOB's CO-253 keyed in without its code. Only one such row per line.
    ``live``: the claim's postings without the extra copies."""
    if not payers:
        return frozenset()
    mine = [p for p in live if p.source == "payer" and payer_key(p) in payers]
    bare = [
        p
        for p in mine
        if p.kind == "adjustment"
        and p.group_code is None
        and p.reason_code is None
        and p.line_no is not None
    ]
    if not bare:
        return frozenset()
    paid: dict[tuple[int, str], int] = defaultdict(int)
    for p in mine:
        if p.kind == "payment" and p.amount_cents > 0:
            paid[(line_key(p), payer_key(p))] += p.amount_cents
    matches: dict[tuple[int, str], int] = defaultdict(int)
    hits = []
    for p in bare:
        line_paid = paid.get((line_key(p), payer_key(p)), 0)
        expected = (line_paid * 2 + 49) // 98
        hit = abs(p.amount_cents - expected) <= 1 and line_paid > 0
        hits.append(hit)
        matches[(line_key(p), payer_key(p))] += hit
    return frozenset(
        p.txn_id
        for p, hit in zip(bare, hits, strict=True)
        if hit and matches[(line_key(p), payer_key(p))] == 1
    )
