"""Invariants of the held-out generator, checked on the written CSVs (not on its internals)."""

from __future__ import annotations

import csv
import functools
import hashlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from training.heldout.__main__ import main

PRACTICES = ("practice_a", "practice_b")
SOURCES = {"payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit"}
ACTIONS = {
    "refund_payer",
    "payer_offset",
    "reverse_posting",
    "correct_adjustment",
    "refund_patient",
    "apply_to_balance",
}
TRUTH_COLUMNS = [
    "claim_id",
    "pattern",
    "is_credit_at_asof",
    "credit_amount",
    "expected_source",
    "expected_action",
    "responsible_payer_id",
    "ambiguous",
    "lookalike",
    "resolved",
    "note",
]
SCALE = "0.3"


def read(path: Path) -> list[dict]:
    return [dict(r) for r in _read(str(path), path.stat().st_mtime_ns)]


@functools.lru_cache(maxsize=64)
def _read(path: str, mtime: int) -> tuple[dict, ...]:
    with open(path, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("heldout")
    assert main(["--out", str(d), "--seed", "7", "--scale", SCALE]) == 0
    return d


def balances(folder: Path, on: str | None = None) -> dict[str, Decimal]:
    bal: dict[str, Decimal] = defaultdict(Decimal)
    for r in read(folder / "claim_lines.csv"):
        bal[r["claim_id"]] += Decimal(r["charge_amount"])
    for t in read(folder / "transactions.csv"):
        if on is not None and t["posted_date"] > on:
            continue
        amt = Decimal(t["amount"])
        if t["kind"] in ("payment", "adjustment", "transfer"):
            bal[t["claim_id"]] -= amt
        elif t["kind"] == "refund":
            bal[t["claim_id"]] += amt
    return bal


def asof(folder: Path) -> str:
    return max(t["posted_date"] for t in read(folder / "transactions.csv"))


@pytest.mark.parametrize("practice", PRACTICES)
def test_every_credit_in_the_ledger_is_in_the_truth_with_its_amount(out, practice):
    folder = out / practice
    truth = read(out / "truth" / f"{practice}.csv")
    credits = {c: -b for c, b in balances(folder).items() if b < Decimal("-0.005")}
    told = {
        r["claim_id"]: Decimal(r["credit_amount"])
        for r in truth
        if r["is_credit_at_asof"] == "true"
    }
    assert credits == told
    assert len(credits) > 20


@pytest.mark.parametrize("practice", PRACTICES)
def test_non_credit_truth_rows_have_no_credit(out, practice):
    bal = balances(out / practice)
    for r in read(out / "truth" / f"{practice}.csv"):
        if r["is_credit_at_asof"] == "false":
            assert bal[r["claim_id"]] >= Decimal("-0.005"), r


@pytest.mark.parametrize("practice", PRACTICES)
def test_resolutions_carry_a_credit_on_their_identified_date(out, practice):
    folder = out / practice
    for r in read(folder / "resolutions.csv"):
        assert (
            r["identified_date"] < r["resolved_date"] or r["identified_date"] == r["resolved_date"]
        )
        bal = balances(folder, r["identified_date"])[r["claim_id"]]
        assert -bal == Decimal(r["amount"]), r
        assert r["source"] in SOURCES and r["action"] in ACTIONS


@pytest.mark.parametrize("practice", PRACTICES)
def test_referential_integrity(out, practice):
    folder = out / practice
    payers = {p["payer_id"] for p in read(folder / "payers.csv")}
    patients = {p["patient_id"] for p in read(folder / "patients.csv")}
    lines = read(folder / "claim_lines.csv")
    claims = {r["claim_id"] for r in lines}
    keys = [(r["claim_id"], r["line_no"]) for r in lines]
    assert len(keys) == len(set(keys))
    for r in lines:
        assert r["patient_id"] in patients
        assert r["payer_id"] == "" or r["payer_id"] in payers
        assert r["secondary_payer_id"] == "" or r["secondary_payer_id"] in payers
        assert Decimal(r["charge_amount"]) > 0
    line_keys = set(keys)
    eras = {r["era_id"]: r for r in read(folder / "remittances.csv")}
    txn_ids = set()
    for t in read(folder / "transactions.csv"):
        assert t["txn_id"] not in txn_ids
        txn_ids.add(t["txn_id"])
        assert t["claim_id"] in claims
        assert t["line_no"] == "" or (t["claim_id"], t["line_no"]) in line_keys
        if t["source"] == "payer":
            assert t["payer_id"] in payers
        assert t["era_id"] == "" or t["era_id"] in eras
        assert t["posted_by"] and t["method"] and t["posted_date"]
    for p in read(folder / "provider_adjustments.csv"):
        assert p["era_id"] in eras
    for r in read(folder / "resolutions.csv"):
        assert r["claim_id"] in claims
    for f in read(folder / "fee_schedule.csv"):
        assert f["payer_id"] in payers


@pytest.mark.parametrize("practice", PRACTICES)
def test_truth_rows_name_existing_claims_and_valid_labels(out, practice):
    folder = out / practice
    claims = {r["claim_id"] for r in read(folder / "claim_lines.csv")}
    payers = {p["payer_id"]: p for p in read(folder / "payers.csv")}
    with (out / "truth" / f"{practice}.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == TRUTH_COLUMNS
    for r in read(out / "truth" / f"{practice}.csv"):
        assert r["claim_id"] in claims
        assert r["expected_source"] in SOURCES | {""}
        assert r["expected_action"] in ACTIONS | {""}
        if r["expected_action"] in ("refund_payer", "payer_offset"):
            p = payers[r["responsible_payer_id"]]
            want = "payer_offset" if p["allows_offset"] == "true" else "refund_payer"
            assert r["expected_action"] == want, r
        else:
            assert r["responsible_payer_id"] == ""
        if r["lookalike"] == "true" and r["is_credit_at_asof"] == "false":
            assert r["expected_source"] == "" and r["credit_amount"] == "0.00"
        if r["ambiguous"] == "false" and r["lookalike"] == "false":
            assert r["expected_source"] in SOURCES and r["expected_action"] in ACTIONS


@pytest.mark.parametrize("practice", PRACTICES)
def test_open_patient_credits_apply_only_where_another_balance_is_open(out, practice):
    folder = out / practice
    bal = balances(folder)
    patient_of = {r["claim_id"]: r["patient_id"] for r in read(folder / "claim_lines.csv")}
    owing = defaultdict(set)
    for c, b in bal.items():
        if b > Decimal("0.005"):
            owing[patient_of[c]].add(c)
    for r in read(out / "truth" / f"{practice}.csv"):
        if r["is_credit_at_asof"] != "true" or r["expected_source"] != "patient_credit":
            continue
        other = owing[patient_of[r["claim_id"]]] - {r["claim_id"]}
        want = "apply_to_balance" if other else "refund_patient"
        assert r["expected_action"] == want, r


@pytest.mark.parametrize("practice", PRACTICES)
def test_remittances_balance_as_received_except_the_flagged_ones(out, practice):
    folder = out / practice
    remits = read(folder / "remittances.csv")
    flagged = [r for r in remits if r["balanced"] == "false"]
    assert 1 <= len(flagged) <= 2
    plb = defaultdict(Decimal)
    for p in read(folder / "provider_adjustments.csv"):
        plb[p["era_id"]] += Decimal(p["amount"])
    assert all(Decimal(r["total_paid"]) >= 0 for r in remits)
    assert any(v < 0 for v in plb.values())  # interest (L6) or forward balance


@pytest.mark.parametrize("practice", PRACTICES)
def test_manual_payer_postings_are_ten_to_fifteen_percent(out, practice):
    pays = [
        t
        for t in read(out / practice / "transactions.csv")
        if t["kind"] == "payment" and t["source"] == "payer" and Decimal(t["amount"]) > 0
    ]
    manual = sum(1 for t in pays if t["era_id"] == "") / len(pays)
    assert 0.08 <= manual <= 0.18


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.csv")):
        h.update(p.relative_to(folder).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_reproduces_and_another_seed_differs(out, tmp_path):
    main(["--out", str(tmp_path / "again"), "--seed", "7", "--scale", SCALE])
    main(["--out", str(tmp_path / "other"), "--seed", "8", "--scale", SCALE])
    assert digest(tmp_path / "again") == digest(out)
    assert digest(tmp_path / "other") != digest(out)


def test_practices_differ_in_id_style_and_payer_mix(out):
    a = read(out / "practice_a" / "claim_lines.csv")
    b = read(out / "practice_b" / "claim_lines.csv")
    assert all(r["claim_id"].startswith("BH-") for r in a)
    assert all(r["claim_id"].isdigit() and r["claim_id"].startswith("0") for r in b)
    types_a = {p["payer_type"] for p in read(out / "practice_a" / "payers.csv")}
    types_b = {p["payer_type"] for p in read(out / "practice_b" / "payers.csv")}
    assert "workers_comp" in types_b and "workers_comp" not in types_a
    assert "tricare" in types_a


def test_pattern_and_lookalike_catalogue(out):
    for practice in PRACTICES:
        truth = read(out / "truth" / f"{practice}.csv")
        patterns = {r["pattern"] for r in truth if r["lookalike"] == "false"}
        lookalikes = {r["pattern"] for r in truth if r["lookalike"] == "true"}
        assert len(patterns) >= 20
        assert len(lookalikes) >= len(patterns)
        assert any(r["ambiguous"] == "true" for r in truth)


@pytest.mark.parametrize("practice", PRACTICES)
def test_resolution_actions_follow_the_contract_rules_on_the_identified_date(out, practice):
    folder = out / practice
    payers = {p["payer_id"]: p for p in read(folder / "payers.csv")}
    patient_of = {r["claim_id"]: r["patient_id"] for r in read(folder / "claim_lines.csv")}
    payer_rows = defaultdict(list)
    for t in read(folder / "transactions.csv"):
        payer_rows[t["claim_id"]].append(t)
    for r in read(folder / "resolutions.csv"):
        if r["source"] == "patient_credit":
            bal = balances(folder, r["identified_date"])
            me = patient_of[r["claim_id"]]
            other = [
                c
                for c, b in bal.items()
                if b > Decimal("0.005") and c != r["claim_id"] and patient_of[c] == me
            ]
            want = "apply_to_balance" if other else "refund_patient"
            assert r["action"] == want, r
        if r["action"] in ("refund_payer", "payer_offset"):
            after = [
                t
                for t in payer_rows[r["claim_id"]]
                if t["posted_date"] > r["identified_date"] and t["source"] == "payer"
            ]
            assert after, r
            p = payers[after[0]["payer_id"]]
            want = "payer_offset" if p["allows_offset"] == "true" else "refund_payer"
            assert r["action"] == want, r
