"""Postings counted more than once: the same amount from the same source on the same claim line.

Copies are grouped by (line, kind, source, payer, CAS codes for adjustments, |amount|). A
negative posting of the same group (a reversal or takeback of that amount) cancels one copy,
so a takeback followed by a corrected payment of the same amount is not a duplicate. The
copies left beyond the first are *extras*. How they arose decides the source and the action:

* ``posted_twice``: the copies share a remittance (era_id) or trace / receipt number: one payment
  posted twice; undone internally (``reverse_posting``), no money moves.
* ``paid_twice``: payer copies on distinct remittances with distinct traces: the payer paid twice;
  less what the payer took back with negative payments that cancel no copy (a partial
  recoupment, often one claim-level amount for several lines): such a takeback is spent once,
  line by line in posting order, and a line it covers whole is ``recouped``.
* ``receipts_twice``: patient copies with distinct receipt numbers: the patient paid twice
  (a patient credit, left in the patient's account).
* ``untraced_twice``: copies without trace or remittance: cannot tell posting from payment.
* ``reversal_not_posted``: the repeat came on a remittance that over-posts by exactly repeats
  and needs this one (``unreversed``): a lost reversal, undone internally.
* ``reversal_or_paid_twice``: the repeat came on an over-posted remittance whose excess is not
  made of repeats and, less what its own copies posted twice explain, is still at least the
  repeat (``reversal_or_paid``): a lost reversal or money received twice; no action.
* ``adjustment_twice``: an adjustment repeated without its payment: an allowance error; one
  repeated on the remittance of a repeated payment belongs to that payment's duplicate.
Responsibility rows repeated in one group are de-duplicated silently (they move no balance).

Also here: an adjustment a sequestering payer posted without any CAS code that is exactly the
2% sequestration of its payment on the line (``uncoded_sequestration``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cbclassify.bundles import Posting
from cbclassify.bundles.events import payment_events, posting_event, repeats, trace_key
from cbclassify.verify.claim import Row, line_key, payer_key

_CANDIDATE_KINDS = ("payment", "adjustment", "responsibility")
#: era_id -> (over-posting cents, ((claim_id, repeated cents), ...), cents of the repeats the
#: remittance had already posted itself): ``LedgerContext``.
Overposting = Mapping[str, tuple[int, tuple[tuple[str, int], ...], int]]
#: Up to this many claims repeating payments on one remittance are weighed in every subset.
_MAX_REPEATING_CLAIMS = 16


@dataclass(frozen=True)
class Duplicates:
    """The duplicated groups of one claim and the copies set aside before the accounting."""

    groups: list[Row]  # one per duplicated group (responsibility groups left out)
    extra: frozenset[str]  # txn_ids of the extra copies


def find_duplicates(
    postings: Sequence[Posting], era_overposting: Overposting | None = None
) -> Duplicates:
    """The duplicate groups of one claim's postings (in posting order): literal copies first,
    then repeated posting events (``repeated_events``). ``era_overposting``: remittances
    over-posted while repeating payments (``LedgerContext.era_overposting``).

    Each group: gid, claim_id, line_key, kind, source, payer_key, group_code, reason_code,
    copy_cents (one copy), n_copies, n_era, u_era, n_trace, u_trace, first_date, last_date,
    n_extra, extra_cents (balance effect of the extras, positive), txn_ids (all copies,
    ';'-joined), traces, eras and dup_kind (see module docstring).
    """
    over = era_overposting or {}
    literal = _literal_duplicates(postings, over)
    events = repeated_events(postings, literal, over)
    return Duplicates(
        literal.groups + [g for g, _ in events],
        literal.extra | frozenset(t for _, ids in events for t in ids),
    )


def _literal_duplicates(postings: Sequence[Posting], over: Overposting) -> Duplicates:
    """Copies of one posting: same line, kind, source, payer, codes and amount."""
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
    _classify(groups, cand, gid_of, copy_extra, over)
    kind_of = {g["gid"]: g["dup_kind"] for g in groups}
    extra = frozenset(
        p.txn_id
        for p in copies
        if p.txn_id in copy_extra
        and kind_of[gid_of[p.txn_id]] not in ("receipts_twice", "takeback_unclear", "recouped")
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
        keys = [trace_key(r) for r in rows]
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
                "n_trace": sum(t is not None for t in keys),
                "u_trace": len({t for t in keys if t is not None}),
                "first_date": min(r.posted_date for r in rows),
                "last_date": max(r.posted_date for r in rows),
                "n_extra": len(extras),
                "extra_cents": -sum(r.effect_cents for r in extras),
                "txn_ids": ";".join(r.txn_id for r in rows),
                "traces": _unique_join(traces, ", "),
                "eras": _unique_join(eras, ";"),
                "recouped_cents": 0,
                "forms": None,
            }
        )
    return groups


def _classify(
    groups: list[Row],
    cand: list[Posting],
    gid_of: dict[str, int],
    copy_extra: set[str],
    over: Overposting,
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
    recouped = _unmatched_takebacks(cand, gid_of)
    extra_eras = {p.txn_id: p.era_id for p in cand if p.txn_id in copy_extra}
    repaid: dict[str, int] = defaultdict(int)  # era -> this claim's repeats posted from it
    paid_twice = {g["gid"] for g in groups if g["dup_kind"] == "paid_twice"}
    for p in cand:
        if p.txn_id in copy_extra and gid_of[p.txn_id] in paid_twice and p.era_id is not None:
            repaid[p.era_id] += p.amount_cents
    for g in groups:
        if g["dup_kind"] != "paid_twice":
            continue
        eras = {extra_eras.get(t) for t in g["txn_ids"].split(";")} - {None}
        claim = g["claim_id"]
        if eras and all(unreversed(e, claim, repaid[e], over) for e in eras if e is not None):
            g["dup_kind"] = "reversal_not_posted"
            continue
        if any(reversal_or_paid(e, claim, repaid[e], over) for e in eras if e is not None):
            g["dup_kind"] = "reversal_or_paid_twice"
            continue
        # a takeback is spent once: across the payer's duplicated lines, not once per line
        back = recouped.get(g["payer_key"], 0)
        taken = min(back, g["extra_cents"])
        recouped[g["payer_key"]] = back - taken
        g["recouped_cents"] = taken
        if taken >= g["extra_cents"]:
            g["dup_kind"] = "recouped"


def _unmatched_takebacks(cand: list[Posting], gid_of: dict[str, int]) -> dict[str, int]:
    """Per payer, the cents of its negative payments that cancel no copy of their amount
    (a recoupment of part of a duplicate, or of all of it under another amount)."""
    pos: dict[int, int] = defaultdict(int)
    neg: dict[int, int] = defaultdict(int)
    pay = [p for p in cand if p.kind == "payment" and p.source == "payer"]
    for p in pay:
        (pos if p.amount_cents > 0 else neg)[gid_of[p.txn_id]] += 1
    out: dict[str, int] = defaultdict(int)
    counted: dict[int, int] = defaultdict(int)
    for p in pay:
        gid = gid_of[p.txn_id]
        if p.amount_cents < 0 and counted[gid] < neg[gid] - pos[gid]:
            counted[gid] += 1
            out[payer_key(p)] += -p.amount_cents
    return dict(out)


def repeated_events(
    postings: Sequence[Posting], literal: Duplicates, over: Overposting
) -> list[tuple[Row, frozenset[str]]]:
    """The same money posted again in another form: a payer's posting event (every payment
    row of one remittance, or of one manual / lockbox posting: method, date, user and trace)
    whose total equals an earlier event's total, or one line's payment of it, although no row
    copies another (claim level against line level, ERA against manual or lockbox, with or
    without the write-off and responsibility rows, on another date). Same trace: the one
    payment posted twice (``posted_twice``); two traces: the payer paid twice
    (``paid_twice``, or ``reversal_not_posted`` when the later remittance's reversal was not
    posted: ``unreversed``, or ``reversal_or_paid_twice`` when it may have been:
    ``reversal_or_paid``); a posting with no trace: ``untraced_twice``. A
    patient receipt posted twice under one receipt number is ``posted_twice`` too. A later
    negative payment of the same amount (a takeback) cancels the repeat. Each with the txn_ids
    of the repeated event's payments (set aside as extra)."""
    taken = {t for g in literal.groups for t in g["txn_ids"].split(";")} | set(literal.extra)
    pays = [
        p for p in postings if p.kind == "payment" and p.amount_cents > 0 and p.txn_id not in taken
    ]
    takebacks = [-p.amount_cents for p in postings if p.kind == "payment" and p.amount_cents < 0]
    out: list[tuple[Row, frozenset[str]]] = []
    ordered = payment_events(pays)
    used: set[int] = set()
    for j, (key_j, rows_j) in enumerate(ordered):
        total_j = sum(r.amount_cents for r in rows_j)
        for i in range(j):
            key_i, rows_i = ordered[i]
            if i in used or key_i[:2] != key_j[:2]:
                continue
            if not repeats(rows_i, total_j):
                continue
            if total_j in takebacks:
                takebacks.remove(total_j)
                break
            kind = _event_kind(rows_i[0], rows_j, over, total_j)
            if kind is None:
                break
            used.update((i, j))
            out.append(
                (_event_group(rows_i, rows_j, kind, total_j), frozenset(r.txn_id for r in rows_j))
            )
            break
    return out


def payment_event_totals(postings: Sequence[Posting], payer: str | None) -> list[int]:
    """The totals of ``payer``'s positive payment events on the claim (posting order)."""
    totals: dict[tuple[object, ...], int] = {}
    for p in postings:
        mine = p.kind == "payment" and p.source == "payer" and p.payer_id == payer
        if mine and p.amount_cents > 0:
            ident = posting_event(p)
            totals[ident] = totals.get(ident, 0) + p.amount_cents
    return list(totals.values())


def unreversed(era: str, claim_id: str, cents: int, over: Overposting) -> bool:
    """Whether ``cents`` of a claim's repeated payments from remittance ``era`` are a
    re-payment whose reversal was never posted: the remittance's over-posting is made up
    exactly of this claim's repeats plus some of the other claims' repeats from it, and
    cannot be made up without this claim's (other claims on the remittance may have been
    really paid twice, or lost their reversals too)."""
    excess, repeats, _ = over.get(era, (0, (), 0))
    others = [c for claim, c in repeats if claim != claim_id and c > 0]
    if excess <= 0 or cents <= 0 or len(others) > _MAX_REPEATING_CLAIMS:
        return excess > 0 and excess == cents
    reachable = _subset_sums(others, excess)
    return excess - cents in reachable and excess not in reachable


def reversal_or_paid(era: str, claim_id: str, cents: int, over: Overposting) -> bool:
    """Whether ``cents`` of a claim's repeats from remittance ``era`` (not ``unreversed``) may
    be a lost reversal as well as money received twice: the remittance is over-posted, its
    over-posting is not made up of repeats from it (with or without this claim's: then
    ``unreversed`` decides), and what is left of it once its own copies posted twice (the same
    payment posted twice from it, which over-posts it as well) are taken away is still at least
    ``cents``. Less than that left, the repeat cannot be part of the over-posting: paid twice.
    Also doubt: an over-posting made of repeats both with this claim's and without it (two
    equal repeats, one over-posted: either claim's reversal may be the lost one).
    With more repeating claims than can be weighed, any over-posting that large is doubt."""
    excess, repeats, copies = over.get(era, (0, (), 0))
    if excess <= 0 or cents <= 0 or excess - copies < cents:
        return False
    amounts = [c for _, c in repeats if c > 0]
    if len(amounts) > _MAX_REPEATING_CLAIMS:
        return True
    if excess not in _subset_sums(amounts, excess):
        return True
    # made of repeats both with this claim's and without it (e.g. two equal repeats, one
    # lost reversal): which claim's reversal was lost, the ledger cannot tell
    without = _subset_sums([c for claim, c in repeats if claim != claim_id and c > 0], excess)
    return excess in without and excess - cents in without


def _subset_sums(amounts: list[int], limit: int) -> set[int]:
    """Every total (up to ``limit``) that some of ``amounts`` add up to, 0 included."""
    sums = {0}
    for c in amounts:
        sums |= {s + c for s in sums if s + c <= limit}
    return sums


def _event_kind(first: Posting, repeat: list[Posting], over: Overposting, cents: int) -> str | None:
    t1, t2 = trace_key(first), trace_key(repeat[0])
    if t1 is not None and t1 == t2:
        return "posted_twice"
    if first.source == "patient":
        return None  # two receipts: the literal rule (receipts_twice) or the accounting
    if t1 is None or t2 is None:
        return "untraced_twice"
    era = repeat[0].era_id
    if era is not None and unreversed(era, repeat[0].claim_id, cents, over):
        return "reversal_not_posted"
    if era is not None and reversal_or_paid(era, repeat[0].claim_id, cents, over):
        return "reversal_or_paid_twice"
    return "paid_twice"


def _event_group(first: list[Posting], repeat: list[Posting], kind: str, cents: int) -> Row:
    rows = first + repeat
    lines = {line_key(r) for r in rows}
    traces = [r.remit_trace for r in rows]
    eras = [r.era_id for r in rows]
    head = repeat[0]
    return {
        "gid": -1,
        "claim_id": head.claim_id,
        "line_key": lines.pop() if len(lines) == 1 else 0,
        "kind": "payment",
        "source": head.source,
        "payer_key": payer_key(head),
        "group_code": None,
        "reason_code": None,
        "copy_cents": cents,
        "n_copies": 2,
        "n_era": sum(e is not None for e in eras),
        "u_era": len({e for e in eras if e is not None}),
        "n_trace": sum(t is not None for t in traces),
        "u_trace": len({t for t in traces if t is not None}),
        "first_date": min(r.posted_date for r in rows),
        "last_date": max(r.posted_date for r in rows),
        "n_extra": 1,
        "extra_cents": cents,
        "txn_ids": ";".join(r.txn_id for r in rows),
        "traces": _unique_join(traces, ", "),
        "eras": _unique_join(eras, ";"),
        "dup_kind": kind,
        "recouped_cents": 0,
        "forms": _unique_join([_form(r) for r in rows], " and "),
    }


def _form(posting: Posting) -> str:
    level = f"line {posting.line_no}" if posting.line_no is not None else "claim level"
    how = "835" if posting.era_id is not None else posting.method
    return f"{how} at {level} on {posting.posted_date.isoformat()}"


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
