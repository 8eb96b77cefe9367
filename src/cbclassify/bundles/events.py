"""Posting events: the payment rows one remittance, or one manual / lockbox posting, put on a
claim, and the rule by which a later event repeats an earlier one. One rule for the features
(``features.signatures``) and the verifier (``verify.duplicates``), so that what the model is
shown as a repeated payment is what the ledger is checked for."""

from __future__ import annotations

from collections.abc import Sequence

from cbclassify.bundles.rows import Posting


def trace_key(posting: Posting) -> str | None:
    """The posting's check / EFT trace or receipt number as a biller compares them: without
    surrounding blanks and leading zeros (a trace keyed by hand often drops them)."""
    trace = posting.remit_trace
    if trace is None:
        return None
    text = trace.strip().lstrip("0")
    return text or "0"


def posting_event(posting: Posting) -> tuple[object, ...]:
    """One posting event: a remittance, or one manual / lockbox posting (method, date, user,
    trace)."""
    if posting.era_id is not None:
        return ("era", posting.era_id)
    return ("manual", posting.method, posting.posted_date, posting.posted_by, trace_key(posting))


def payment_events(pays: Sequence[Posting]) -> list[tuple[tuple[object, ...], list[Posting]]]:
    """Positive payments grouped by (source, payer, posting event), in the order of each
    event's first row (its posted date, then txn_id)."""
    events: dict[tuple[object, ...], list[Posting]] = {}
    for p in pays:
        events.setdefault((p.source, p.payer_id or "", posting_event(p)), []).append(p)
    return sorted(events.items(), key=lambda kv: (kv[1][0].posted_date, kv[1][0].txn_id))


def repeats(earlier: Sequence[Posting], later_cents: int) -> bool:
    """A later event of ``later_cents`` repeats ``earlier`` when it equals the earlier event's
    total or one of its rows: the same money at line or claim level, in either order, ERA
    against manual or lockbox, with or without its write-off and responsibility rows."""
    return later_cents == sum(r.amount_cents for r in earlier) or any(
        later_cents == r.amount_cents for r in earlier
    )


def repeated_payment_events(pays: Sequence[Posting]) -> list[tuple[list[Posting], list[Posting]]]:
    """(earlier event, later event) pairs of the same source and payer where the later repeats
    the earlier (``repeats``); each event is paired at most once."""
    ordered = payment_events(pays)
    used: set[int] = set()
    pairs: list[tuple[list[Posting], list[Posting]]] = []
    for j, (key_j, rows_j) in enumerate(ordered):
        total_j = sum(r.amount_cents for r in rows_j)
        for i in range(j):
            key_i, rows_i = ordered[i]
            if i in used or key_i[:2] != key_j[:2] or not repeats(rows_i, total_j):
                continue
            used.update((i, j))
            pairs.append((rows_i, rows_j))
            break
    return pairs
