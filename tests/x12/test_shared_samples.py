"""Every 835 in ../shared/testdata/x12 converts; figures hand-checked against each file.

Expected figures were read off the files' BPR02 / CLP04 / PLB segments by hand (see the
comment on each row); the balanced flag is BPR02 == sum(CLP04) - sum(PLB) in cents.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cbclassify.balances.balance import claim_balances
from cbclassify.x12 import ConversionResult, FileResult, convert_remittances, read_835


def _convert(directory: Path, name: str) -> tuple[FileResult, ConversionResult]:
    path = directory / name
    parsed = read_835(path.read_text(encoding="utf-8"), name)
    return parsed, convert_remittances(parsed.remittances)


def _cents(dollars: str) -> int:
    return round(float(dollars) * 100)  # test literals only; the code under test is exact


# file, [(BPR02 total_paid, sum of payment rows, balanced) per ST set, in file order]
EXPECTED = [
    # 4010, all on one line; two identical ST sets: 56.52+18.88+59.69-42.58-86.76 = 5.75
    ("editools_835_reversals_dup_4010.x12", [("5.75", "5.75", True), ("5.75", "5.75", True)]),
    # 5010, two ST sets: CLP04 200+195 = 395, PLB 90 = 3.95 -> 391.05
    ("editools_Sample1_two_st_plb90_5010.edi", [("391.05", "395.00", True)] * 2),
    ("lfh_835_cob-contractural-adjustment.835", [("34.00", "34.00", True)]),
    # CLP04 450 + 495; SVC03 500/550 less claim-level CO-A2 50/55
    ("lfh_835_managed-care.835", [("945.00", "945.00", True)]),
    # CLP04 138018.40 + 11980.33 = 149998.73, PLB CV -1.27 -> 150000.00
    ("lfh_835_medicare-part-a.835", [("150000.00", "149998.73", True)]),
    ("lfh_835_secondary-payment.835", [("1222.00", "1222.00", True)]),  # 912 + 310
    ("lfh_835_tertiary-payment.835", [("187.50", "187.50", True)]),
    ("pyx12_835_mult_loops_5010.txt", [("0.00", "0.00", True)]),  # BPR*H, denied claim
    # CLP04 -210 + 200 - 500.25 = -510.25; PLB CS -1008.10 + 24.21 + 5.95 = -977.94 -> 467.69
    ("pyx12_835id_reversal_4010.x12", [("5950.21", "-510.25", False)]),
    # ST 0001: 200.02 vs 12345.67; ST 0002: 12000.65 balances
    (
        "tigershark_835-example-2_multi_st_4010.txt",
        [("12345.67", "200.02", False), ("12000.65", "12000.65", True)],
    ),
    # CLP04 200.02 + 12000.65 = 12200.67, PLB WO -361.19 -> 12561.86 vs 12345.67
    ("tigershark_835-example_plb_wo_4010.txt", [("12345.67", "12200.67", False)]),
]


def test_every_835_in_the_shared_folder_is_covered(shared_x12_dir: Path) -> None:
    names = {
        p.name
        for p in shared_x12_dir.iterdir()
        if p.is_file() and ".835" not in p.name and p.suffix in (".x12", ".edi", ".txt")
    } | {p.name for p in shared_x12_dir.glob("*.835")}
    assert names == {name for name, _ in EXPECTED}


@pytest.mark.parametrize(("name", "expected"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_remittance_figures(shared_x12_dir: Path, name: str, expected: list[tuple]) -> None:
    parsed, result = _convert(shared_x12_dir, name)
    assert not [f for f in parsed.findings + result.findings if f.severity == "error"]
    remittances = result.ledger.remittances
    assert len(remittances) == len(expected)
    txns = result.ledger.transactions
    payments = txns[txns["kind"] == "payment"].groupby("era_id")["amount_cents"].sum()
    for row, (total, paid, balanced) in zip(remittances.itertuples(), expected, strict=True):
        assert row.total_paid_cents == _cents(total)
        assert payments.get(row.era_id, 0) == _cents(paid)
        assert bool(row.balanced) is balanced
    unbalanced = [f for f in result.findings if f.code == "unbalanced"]
    assert len(unbalanced) == sum(1 for *_, b in expected if not b)
    assert all(f.segment is not None and f.st_control for f in unbalanced)


@pytest.mark.parametrize("name", ["lfh_837p_demo.example1.837", "lfh_837p_demo.cob.example3.A.837"])
def test_837_files_are_rejected_as_not_835(shared_x12_dir: Path, name: str) -> None:
    parsed, result = _convert(shared_x12_dir, name)
    assert parsed.remittances == [] and result.converted == []
    (finding,) = parsed.findings
    assert (finding.severity, finding.code, finding.segment, finding.st_control) == (
        "error",
        "not_835",
        3,
        "0021",
    )
    assert name in str(finding) and "ST01='837'" in finding.message


def test_reversals_are_negative(shared_x12_dir: Path) -> None:
    _, result = _convert(shared_x12_dir, "pyx12_835id_reversal_4010.x12")
    t = result.ledger.transactions
    pay = t[t["kind"] == "payment"]
    assert pay.loc[pay["claim_id"] == "134158-27488", "amount_cents"].tolist() == [-50025]
    assert pay.loc[pay["claim_id"] == "123839-24635", "amount_cents"].tolist() == [-21000, 20000]
    cr = t[(t["group_code"] == "CR") & (t["claim_id"] == "123839-24635")]
    assert cr["amount_cents"].tolist() == [-10000, 10000]
    # the claim line comes from the correction (CLP02=1), not from the reversal
    line = result.ledger.claim_lines.set_index("claim_id").loc["123839-24635"]
    assert (line["cpt"], line["units"], line["charge_amount_cents"]) == ("T1017", 6, 30000)
    plb = result.ledger.provider_adjustments
    assert plb["reason_code"].tolist() == ["CS"] * 3
    assert plb["amount_cents"].tolist() == [-100810, 2421, 595]

    _, editools = _convert(shared_x12_dir, "editools_835_reversals_dup_4010.x12")
    t = editools.ledger.transactions
    rev = t[(t["kind"] == "payment") & t["claim_id"].isin(["123456", "090909"])]
    assert sorted(rev["amount_cents"].tolist()) == [-8676, -8676, -4258, -4258]


@pytest.mark.parametrize(
    ("name", "carried"),
    [
        ("lfh_835_secondary-payment.835", {("L0004828311", None), ("0001000053", 1)}),
        ("lfh_835_tertiary-payment.835", {("0001000054", None)}),
        ("lfh_835_cob-contractural-adjustment.835", {("0001000055", 1)}),
    ],
)
def test_oa23_on_secondary_is_carried_not_an_adjustment(
    shared_x12_dir: Path, name: str, carried: set
) -> None:
    _, result = _convert(shared_x12_dir, name)
    t = result.ledger.transactions
    oa23 = t[(t["group_code"] == "OA") & (t["reason_code"] == "23")]
    assert set(oa23["kind"]) == {"payment"}
    got = {(r.claim_id, None if pd.isna(r.line_no) else int(r.line_no)) for r in oa23.itertuples()}
    assert got == carried


def test_other_adjustments_and_responsibility_rows(shared_x12_dir: Path) -> None:
    _, cob = _convert(shared_x12_dir, "lfh_835_cob-contractural-adjustment.835")
    t = cob.ledger.transactions
    oa94 = t[t["reason_code"] == "94"]
    assert oa94[["kind", "group_code", "amount_cents"]].values.tolist() == [
        ["adjustment", "OA", -900]
    ]
    assert t.loc[t["kind"] == "payment", "allowed_amount_cents"].tolist() == [55000]

    _, sec = _convert(shared_x12_dir, "lfh_835_secondary-payment.835")
    t = sec.ledger.transactions
    pr = t[t["group_code"] == "PR"]
    assert set(pr["kind"]) == {"responsibility"} and set(pr["source"]) == {"payer"}
    assert sorted(pr["amount_cents"].tolist()) == [7000, 15000]
    assert t.loc[t["reason_code"] == "42", "kind"].tolist() == ["adjustment"]


def test_claim_level_adjustments_leave_patient_responsibility_as_balance(
    shared_x12_dir: Path,
) -> None:
    _, result = _convert(shared_x12_dir, "lfh_835_managed-care.835")
    balances = claim_balances(result.ledger).set_index("claim_id")["balance_cents"]
    assert balances.to_dict() == {"5554555444": 30000, "8765432112": 60000}  # = PR-1
    _, sample = _convert(shared_x12_dir, "editools_Sample1_two_st_plb90_5010.edi")
    claims = sample.ledger.claim_lines.groupby("claim_id")["charge_amount_cents"].sum()
    assert claims.to_dict() == {"ABC9001": 22500, "ABC9002": 22500}


def test_line_break_before_terminator_and_plb_wo(shared_x12_dir: Path) -> None:
    name = "tigershark_835-example_plb_wo_4010.txt"
    assert "|^\n~GS|" in (shared_x12_dir / name).read_text()
    parsed, result = _convert(shared_x12_dir, name)
    assert [len(r.claims) for r in parsed.remittances] == [2]
    (plb,) = result.ledger.provider_adjustments.itertuples()
    assert (plb.reason_code, plb.reference, plb.amount_cents) == (
        "WO",
        "12104411559120820 001GAL295513",
        -36119,
    )
    assert result.ledger.payers["payer_id"].tolist() == ["87726"]


def test_one_line_file_with_two_identical_sets(shared_x12_dir: Path) -> None:
    name = "editools_835_reversals_dup_4010.x12"
    assert "\n" not in (shared_x12_dir / name).read_text().strip()
    parsed, result = _convert(shared_x12_dir, name)
    assert [len(r.claims) for r in parsed.remittances] == [9, 9]
    era_ids = result.ledger.remittances["era_id"].tolist()
    assert len(set(era_ids)) == 2
    (dup,) = [f for f in result.findings if f.code == "duplicate_era"]
    assert dup.st_control == "99999"
    t = result.ledger.transactions
    denial = t[
        (t["claim_id"] == "999999") & (t["kind"] == "adjustment") & (t["group_code"] == "CR")
    ]
    assert denial["reason_code"].tolist() == ["18", "18"]  # CR-18 duplicate claim, once per set


def test_payer_types_from_claim_filing_indicator(shared_x12_dir: Path) -> None:
    expected = {
        "lfh_835_medicare-part-a.835": "medicare",
        "pyx12_835_mult_loops_5010.txt": "medicaid",
        "lfh_835_managed-care.835": "commercial",
    }
    for name, payer_type in expected.items():
        _, result = _convert(shared_x12_dir, name)
        assert result.ledger.payers["payer_type"].tolist() == [payer_type]


def test_whole_folder_as_one_batch(shared_x12_dir: Path) -> None:
    files = sorted(p for p in shared_x12_dir.iterdir() if p.is_file())
    parsed = [read_835(p.read_text(encoding="utf-8"), p.name) for p in files]
    result = convert_remittances([r for f in parsed for r in f.remittances])
    assert len(result.converted) == 14
    errors = [f for p in parsed for f in p.findings if f.severity == "error"]
    assert sorted((f.file, f.code) for f in errors) == [
        ("SOURCES.md", "not_x12"),
        ("lfh_837p_demo.cob.example3.A.837", "not_835"),
        ("lfh_837p_demo.example1.837", "not_835"),
    ]
    # the two TigerShark files carry the same interchange and trace number: a duplicate ERA
    duplicates = [f.file for f in result.findings if f.code == "duplicate_era"]
    assert sorted(duplicates) == [
        "editools_835_reversals_dup_4010.x12",
        "editools_Sample1_two_st_plb90_5010.edi",
        "tigershark_835-example_plb_wo_4010.txt",
    ]
    assert result.ledger.remittances["era_id"].is_unique
    assert result.ledger.transactions["txn_id"].is_unique
