"""Tests of the independent red-team generator (training/redteam).

Every accounting check here re-reads the written CSV files and recomputes balances with
the contract's rule on its own, so a bug shared by the generator's builders and its own
checks would still show up.

Run from the work tree root:
    PYTHONPATH=. python -m pytest tests/redteam -q --noconftest -c tests/redteam/pytest.ini
"""
from __future__ import annotations

import ast
import csv
import hashlib
import inspect
import re
import subprocess
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from training.redteam import generate, ledger, postings, truth
from training.redteam.lookalikes import LOOKALIKES
from training.redteam.patterns import PATTERNS

SCALE = 0.05
SEED = 20261130
PRACTICES = ("practice_a", "practice_b")
AS_OF = "2026-11-30"
CBCLASSIFY = Path("/work/main/.venv/bin/cbclassify")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
MONEY_COLUMNS = {
    "claim_lines.csv": ["charge_amount"],
    "transactions.csv": ["amount", "allowed_amount"],
    "remittances.csv": ["total_paid"],
    "provider_adjustments.csv": ["amount"],
    "fee_schedule.csv": ["allowed_per_unit"],
    "resolutions.csv": ["amount"],
}


@pytest.fixture(scope="session")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("redteam")
    t0 = time.perf_counter()
    generate(d, SEED, SCALE)
    d.joinpath("_seconds").write_text(str(time.perf_counter() - t0))
    return d


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class Ledger:
    """The ledger as written, with the contract's balance rule computed independently."""

    def __init__(self, folder: Path):
        self.lines = read(folder / "claim_lines.csv")
        self.txns = read(folder / "transactions.csv")
        self.payers = {p["payer_id"]: p for p in read(folder / "payers.csv")}
        self.remits = read(folder / "remittances.csv")
        self.plb = read(folder / "provider_adjustments.csv")
        self.res = read(folder / "resolutions.csv")
        self.charge = defaultdict(Decimal)
        self.claim_patient = {}
        self.claim_dos = {}
        for ln in self.lines:
            self.charge[ln["claim_id"]] += Decimal(ln["charge_amount"])
            self.claim_patient[ln["claim_id"]] = ln["patient_id"]
            self.claim_dos[ln["claim_id"]] = ln["service_date"]
        self.by_claim = defaultdict(list)
        for t in self.txns:
            self.by_claim[t["claim_id"]].append(t)
        self.patient_claims = defaultdict(list)
        for cid, pid in self.claim_patient.items():
            self.patient_claims[pid].append(cid)

    def balance(self, cid: str, on: str = AS_OF) -> Decimal:
        bal = self.charge[cid]
        for t in self.by_claim[cid]:
            if t["posted_date"] > on:
                continue
            a = Decimal(t["amount"])
            if t["kind"] in ("payment", "adjustment", "transfer"):
                bal -= a
            elif t["kind"] == "refund":
                bal += a
        return bal

    def credits(self) -> dict[str, Decimal]:
        out = {}
        for cid in self.charge:
            b = self.balance(cid)
            if b < Decimal("-0.005"):
                out[cid] = -b
        return out

    def other_positive(self, cid: str, on: str) -> bool:
        pid = self.claim_patient[cid]
        return any(o != cid and self.claim_dos[o] <= on and self.balance(o, on) > Decimal("0.005")
                   for o in self.patient_claims[pid])


@pytest.fixture(scope="session")
def ledgers(out) -> dict[str, Ledger]:
    return {p: Ledger(out / p) for p in PRACTICES}


@pytest.fixture(scope="session")
def truths(out) -> dict[str, list[dict]]:
    return {p: read(out / "truth" / f"{p}.csv") for p in PRACTICES}


def _digest(d: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(d.rglob("*.csv")):
        h.update(str(f.relative_to(d)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


# ---- run ---------------------------------------------------------------------------------
def test_layout_and_speed(out):
    for p in PRACTICES:
        for name in ("payers", "patients", "claim_lines", "transactions", "remittances", "provider_adjustments",
                     "fee_schedule", "resolutions"):
            assert (out / p / f"{name}.csv").is_file()
        assert not (out / p / "truth.csv").exists(), "truth must stay outside the ledger folder"
        assert (out / "truth" / f"{p}.csv").is_file()
    assert (out / "README.md").is_file()
    assert float(out.joinpath("_seconds").read_text()) < 30  # a few seconds on an idle machine


def test_deterministic_for_a_seed(out, tmp_path):
    again = tmp_path / "again"
    generate(again, SEED, SCALE)
    assert _digest(again) == _digest(out)
    other = tmp_path / "other"
    generate(other, SEED + 1, SCALE)
    assert _digest(other) != _digest(out)


def test_cli(tmp_path):
    from training.redteam.__main__ import main
    assert main(["--out", str(tmp_path / "cli"), "--seed", "3", "--scale", "0.02"]) == 0
    assert (tmp_path / "cli" / "practice_b" / "transactions.csv").is_file()


# ---- balance rule --------------------------------------------------------------------------
def test_truth_credits_equal_recomputed_credits(ledgers, truths):
    for p in PRACTICES:
        credits = ledgers[p].credits()
        rows = [r for r in truths[p] if r["is_credit_at_asof"] == "true"]
        stated = {r["claim_id"]: Decimal(r["credit_amount"]) for r in rows}
        assert len(stated) == len(rows)
        assert set(stated) == set(credits), p
        for cid, amt in stated.items():
            assert credits[cid] == amt, (p, cid)
        # non-credit truth rows really are not credits
        for r in truths[p]:
            if r["is_credit_at_asof"] == "false":
                assert ledgers[p].balance(r["claim_id"]) >= 0, (p, r["claim_id"], r["pattern"])


def test_as_of_is_last_posting(ledgers):
    for p in PRACTICES:
        dates = [t["posted_date"] for t in ledgers[p].txns]
        assert max(dates) == AS_OF
        assert AS_OF in dates


def test_open_credits_arose_in_2026(ledgers, truths):
    for p in PRACTICES:
        for r in truths[p]:
            if r["mode"] == "open" and r["is_credit_at_asof"] == "true":
                assert all(t["posted_date"] >= "2026-01-01" for t in ledgers[p].by_claim[r["claim_id"]]), r
                assert r["resolved"] == "false"


# ---- coverage of designs --------------------------------------------------------------------
def test_every_pattern_and_lookalike_present_twice(truths):
    assert len(PATTERNS) >= 20 and len(LOOKALIKES) >= 20
    for p in PRACTICES:
        seen = defaultdict(int)
        for r in truths[p]:
            if "companion claim" in r["note"]:
                continue
            seen[(r["pattern"], r["mode"])] += 1
        for d in PATTERNS:
            assert seen[(d.name, "open")] >= 2, (p, d.name)
            assert seen[(d.name, "resolved")] >= 2, (p, d.name)
        for d in LOOKALIKES:
            assert seen[(d.name, "open")] >= 2, (p, d.name)


def test_truth_labels_follow_the_contract(ledgers, truths):
    sources = {"payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit"}
    for p in PRACTICES:
        lg = ledgers[p]
        for r in truths[p]:
            src, act, payer = r["expected_source"], r["expected_action"], r["responsible_payer_id"]
            if not src:
                assert not act and not payer
                continue
            assert src in sources
            if act in ("payer_offset", "refund_payer"):
                assert payer in lg.payers
                assert act == ("payer_offset" if lg.payers[payer]["allows_offset"] == "true" else "refund_payer"), r
                assert src in ("payer_overpayment", "duplicate_payment")
            elif act == "reverse_posting":
                assert src == "duplicate_payment" and not payer
            elif act == "correct_adjustment":
                assert src == "allowance_error" and not payer
            else:
                assert src == "patient_credit" and act in ("apply_to_balance", "refund_patient")
                on = AS_OF if r["resolved"] == "false" else r["identified_date"]
                assert (act == "apply_to_balance") == lg.other_positive(r["claim_id"], on), r
            if r["resolved"] == "false" and r["is_credit_at_asof"] == "true" and r["components"]:
                parts = [(x.split(":")[0], Decimal(x.split(":")[1])) for x in r["components"].split("|")]
                assert sum(a for _, a in parts) == Decimal(r["credit_amount"])
                assert max(parts, key=lambda x: x[1])[0] == src  # principal = larger amount


def test_ambiguous_rows_name_both_readings(truths):
    for p in PRACTICES:
        amb = [r for r in truths[p] if r["ambiguous"] == "true"]
        assert amb
        for r in amb:
            assert r["note"]


# ---- resolutions ------------------------------------------------------------------------------
def test_resolutions_refer_to_credits_and_settle(ledgers, truths):
    for p in PRACTICES:
        lg = ledgers[p]
        assert lg.res
        resolved_truth = {r["claim_id"]: r for r in truths[p] if r["resolved"] == "true"}
        assert set(resolved_truth) == {x["claim_id"] for x in lg.res}
        for x in lg.res:
            cid = x["claim_id"]
            assert x["identified_date"] < x["resolved_date"]
            assert x["identified_date"] <= "2025-12-31"
            assert lg.balance(cid, x["identified_date"]) == -Decimal(x["amount"]), x
            assert lg.balance(cid) == 0, x
            assert any(t["posted_date"] < x["identified_date"] for t in lg.by_claim[cid])
            assert any(t["posted_date"] > x["identified_date"] for t in lg.by_claim[cid])  # the resolving postings
            t = resolved_truth[cid]
            assert (t["expected_source"], t["expected_action"]) == (x["source"], x["action"])
            assert Decimal(t["resolved_amount"]) == Decimal(x["amount"])


# ---- remittances -------------------------------------------------------------------------------
def test_remittances_balance(out, ledgers):
    for p in PRACTICES:
        lg = ledgers[p]
        exc = {e["era_id"]: e for e in read(out / "truth" / f"{p}_remittance_exceptions.csv")}
        pay = defaultdict(Decimal)
        for t in lg.txns:
            if t["era_id"] and t["kind"] == "payment":
                pay[t["era_id"]] += Decimal(t["amount"])
        plb = defaultdict(Decimal)
        for a in lg.plb:
            plb[a["era_id"]] += Decimal(a["amount"])
        ids = {r["era_id"] for r in lg.remits}
        assert set(pay) <= ids and set(plb) <= ids
        for r in lg.remits:
            assert r["balanced"] == "true"
            assert Decimal(r["total_paid"]) >= 0
            e = r["era_id"]
            if e in exc:
                assert Decimal(exc[e]["posted_payments"]) == pay[e]
                assert Decimal(r["total_paid"]) == Decimal(exc[e]["remitted_payments"]) - plb[e]
                assert exc[e]["reason"]
            else:
                assert Decimal(r["total_paid"]) == pay[e] - plb[e], e
        for t in lg.txns:
            if t["era_id"]:
                assert t["method"] == "era"
            if t["source"] == "patient" and t["kind"] == "payment":
                assert not t["era_id"]


# ---- formats ------------------------------------------------------------------------------------
def test_money_has_two_decimals(out):
    for p in PRACTICES:
        for name, cols in MONEY_COLUMNS.items():
            for row in read(out / p / name):
                for c in cols:
                    v = row[c]
                    assert v == "" or MONEY.match(v), (p, name, c, v)
        for row in read(out / "truth" / f"{p}.csv"):
            for c in ("credit_amount", "resolved_amount"):
                assert row[c] == "" or MONEY.match(row[c])


def test_leading_zeros_kept_in_practice_b(out, ledgers):
    lg = ledgers["practice_b"]
    assert all(re.fullmatch(r"0\d{8}", ln["claim_id"]) for ln in lg.lines)
    assert all(re.fullmatch(r"0\d{6}", ln["patient_id"]) for ln in lg.lines)
    assert all(re.fullmatch(r"0\d{4}", p) for p in lg.payers)
    assert all(re.fullmatch(r"0\d{9}", t["txn_id"]) for t in lg.txns)
    assert all(re.fullmatch(r"0\d{7}", r["era_id"]) for r in lg.remits)
    patients = {r["patient_id"] for r in read(out / "practice_b" / "patients.csv")}
    assert {ln["patient_id"] for ln in lg.lines} <= patients
    truth_ids = {r["claim_id"] for r in read(out / "truth" / "practice_b.csv")}
    assert truth_ids <= {ln["claim_id"] for ln in lg.lines}
    a = ledgers["practice_a"]
    assert not any(re.fullmatch(r"\d+", ln["claim_id"]) for ln in a.lines)  # a different id style


def test_no_floats_in_money_or_writer():
    with pytest.raises(TypeError):
        postings.money(1.5)
    with pytest.raises(TypeError):
        postings.fmt_money(1.5)
    for fn in (ledger.write_ledger, ledger._w, ledger.finalize_remits, postings.fmt_money, postings.money,
               truth.write_truth, truth.build_truth, truth.check_credits):
        tree = ast.parse(inspect.getsource(fn).lstrip() if not inspect.getsource(fn).startswith(" ")
                         else "if 1:\n" + inspect.getsource(fn))
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), fn.__name__
            assert not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "float"), fn.__name__


# ---- the one black-box check --------------------------------------------------------------------
@pytest.mark.skipif(not CBCLASSIFY.exists(), reason="cbclassify not installed at /work/main/.venv")
def test_cbclassify_validate(out):
    for p in PRACTICES:
        proc = subprocess.run([str(CBCLASSIFY), "validate", str(out / p)], capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
