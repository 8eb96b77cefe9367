"""Duplicate postings and uncoded sequestration of one claim, over plain rows.

Row-for-row the same rules as ``verify.duplicates.find_duplicates`` and
``verify.accounts.uncoded_sequestration`` (see those modules for the reasoning); the
equivalence is tested on synthetic practices and random ledgers (tests/verify/test_single.py).
"""

from __future__ import annotations

from collections import defaultdict

from cbclassify.verify.single_rows import Row

_CANDIDATE_KINDS = ("payment", "adjustment", "responsibility")


def find_duplicates_rows(txns: list[Row]) -> list[Row]:
    """Mark ``extra`` / ``dup_kind`` on ``txns`` (in place) and return the duplicated groups
    (responsibility groups left out), each a dict like a row of ``find_duplicates``' groups."""
    for t in txns:
        t["extra"] = False
        t["dup_kind"] = None
    cand = [t for t in txns if t["kind"] in _CANDIDATE_KINDS and t["amount_cents"] != 0]
    if not cand:
        return []
    gids: dict[tuple, int] = {}
    members: dict[int, list[Row]] = defaultdict(list)
    for t in cand:
        code = "" if t["kind"] == "payment" else f"{t['group_code'] or ''}-{t['reason_code'] or ''}"
        key = (t["line_key"], t["kind"], t["source"], t["payer_key"], code, abs(t["amount_cents"]))
        t["gid"] = gids.setdefault(key, len(gids))
        members[t["gid"]].append(t)
    _mark_extra_copies(members)
    dup_gids = {g for g, rows in members.items() if any(r["copy_extra"] for r in rows)}
    copies = [t for t in cand if t["gid"] in dup_gids and t["amount_cents"] > 0]
    if not copies:
        return []
    groups = _describe_groups(copies)
    _classify(groups, cand)
    kind_of = {g["gid"]: g["dup_kind"] for g in groups}
    for t in copies:
        t["dup_kind"] = kind_of[t["gid"]]
        if t["copy_extra"] and t["dup_kind"] not in ("receipts_twice", "takeback_unclear"):
            t["extra"] = True
    return [g for g in groups if g["kind"] != "responsibility"]


def _mark_extra_copies(members: dict[int, list[Row]]) -> None:
    """``copy_extra``: the positive copies beyond the survivors' first, latest posted first."""
    for rows in members.values():
        positives = [r for r in rows if r["amount_cents"] > 0]
        n_extra = max(len(positives) - (len(rows) - len(positives)) - 1, 0)
        for r in rows:
            r["copy_extra"] = False
        for r in positives[len(positives) - n_extra :] if n_extra else []:
            r["copy_extra"] = True


def _first(values: list) -> object:
    return next((v for v in values if v is not None), None)


def _unique_join(values: list, sep: str) -> str | None:
    seen = list(dict.fromkeys(v for v in values if v is not None))
    return sep.join(seen) if seen else None


def _describe_groups(copies: list[Row]) -> list[Row]:
    by_gid: dict[int, list[Row]] = {}
    for t in copies:
        by_gid.setdefault(t["gid"], []).append(t)
    groups = []
    for gid, rows in by_gid.items():
        eras = [r["era_id"] for r in rows]
        traces = [r["remit_trace"] for r in rows]
        extras = [r for r in rows if r["copy_extra"]]
        head = rows[0]
        groups.append({
            "gid": gid, "claim_id": head["claim_id"], "line_key": head["line_key"],
            "kind": head["kind"], "source": head["source"], "payer_key": head["payer_key"],
            "group_code": _first([r["group_code"] for r in rows]),
            "reason_code": _first([r["reason_code"] for r in rows]),
            "copy_cents": abs(head["amount_cents"]), "n_copies": len(rows),
            "n_era": sum(e is not None for e in eras),
            "u_era": len({e for e in eras if e is not None}),
            "n_trace": sum(t is not None for t in traces),
            "u_trace": len({t for t in traces if t is not None}),
            "first_date": min(r["posted_date"] for r in rows),
            "last_date": max(r["posted_date"] for r in rows),
            "n_extra": len(extras),
            "extra_cents": -sum(r["effect_cents"] for r in extras),
            "txn_ids": ";".join(r["txn_id"] for r in rows),
            "traces": _unique_join(traces, ", "),
            "eras": _unique_join(eras, ";"),
        })  # fmt: skip
    return groups


def _classify(groups: list[Row], cand: list[Row]) -> None:
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
    messy = _unmatched_takebacks(cand)
    for g in groups:
        if g["dup_kind"] == "paid_twice" and g["payer_key"] in messy:
            g["dup_kind"] = "takeback_unclear"
    _attach_adjustments(groups, cand)


def _unmatched_takebacks(cand: list[Row]) -> set[str]:
    """Payers with a negative payment that cancels no copy of its amount."""
    pos: dict[int, int] = defaultdict(int)
    neg: dict[int, int] = defaultdict(int)
    pay = [t for t in cand if t["kind"] == "payment" and t["source"] == "payer"]
    for t in pay:
        (pos if t["amount_cents"] > 0 else neg)[t["gid"]] += 1
    return {t["payer_key"] for t in pay if neg[t["gid"]] > pos[t["gid"]]}


def _attach_adjustments(groups: list[Row], cand: list[Row]) -> None:
    """An adjustment repeated on the remittance of a repeated payment joins that duplicate."""
    pay_gids = {g["gid"] for g in groups if g["dup_kind"] in ("posted_twice", "paid_twice")}
    adj_gids = {g["gid"] for g in groups if g["dup_kind"] == "adjustment_twice"}
    if not pay_gids or not adj_gids:
        return
    extra_rows = [t for t in cand if t["copy_extra"]]
    parent_by_era: dict[str, int] = {}
    for t in extra_rows:
        if t["gid"] in pay_gids and t["era_id"] is not None:
            parent_by_era.setdefault(t["era_id"], t["gid"])
    parent_of: dict[int, int] = {}
    for t in extra_rows:
        if t["gid"] in adj_gids and t["era_id"] in parent_by_era:
            parent_of.setdefault(t["gid"], parent_by_era[t["era_id"]])
    kind_of = {g["gid"]: g["dup_kind"] for g in groups}
    for g in groups:
        if g["gid"] in parent_of:
            g["dup_kind"] = kind_of[parent_of[g["gid"]]]


def uncoded_sequestration_rows(txns: list[Row], payers: frozenset[str]) -> None:
    """Set ``uncoded_seq`` on each posting (``accounts.uncoded_sequestration``)."""
    for t in txns:
        t["uncoded_seq"] = False
    if not payers:
        return
    live = [t for t in txns
            if not t["extra"] and t["source"] == "payer" and t["payer_key"] in payers]  # fmt: skip
    bare = [t for t in live
            if t["kind"] == "adjustment" and t["group_code"] is None
            and t["reason_code"] is None and t["line_no"] is not None]  # fmt: skip
    if not bare:
        return
    paid: dict[tuple, int] = defaultdict(int)
    for t in live:
        if t["kind"] == "payment" and t["amount_cents"] > 0:
            paid[(t["line_key"], t["payer_key"])] += t["amount_cents"]
    matches: dict[tuple, int] = defaultdict(int)
    matched = []
    for t in bare:
        line_paid = paid.get((t["line_key"], t["payer_key"]), 0)
        expected = (line_paid * 2 + 49) // 98
        hit = abs(t["amount_cents"] - expected) <= 1 and line_paid > 0
        matched.append(hit)
        matches[(t["line_key"], t["payer_key"])] += hit
    for t, hit in zip(bare, matched, strict=True):
        t["uncoded_seq"] = hit and matches[(t["line_key"], t["payer_key"])] == 1
