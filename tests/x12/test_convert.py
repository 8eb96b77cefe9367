"""Conversion of the project's own 835 fixtures (therapy CPTs, PLB WO/72/FB, duplicates,
an unbalanced ERA) and merging into an existing ledger."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cbclassify.balances.balance import claim_balances
from cbclassify.contract.ledger import Ledger
from cbclassify.x12 import ConvertOptions, convert_remittances, era_id_for, read_835
from cbclassify.x12.lines import patient_pseudonym
from x12.x12text import claim, interchange, render, transaction_set

FIXTURES = Path(__file__).parent / "fixtures"
ERA = "000000101-101-0001-EFT24031501"


def _parse(*names: str) -> list:
    return [r for n in names for r in read_835((FIXTURES / n).read_text(), n).remittances]


@pytest.fixture(scope="module")
def therapy() -> Ledger:
    result = convert_remittances(_parse("therapy_5010.835"))
    assert [f.code for f in result.findings] == []
    return result.ledger


def test_therapy_remittance_balances_with_four_plb_reasons(therapy: Ledger) -> None:
    (rem,) = therapy.remittances.itertuples()
    assert (rem.era_id, rem.payer_id, rem.total_paid_cents, rem.balanced) == (
        ERA,
        "SHP01",
        67225,
        True,
    )
    plb = therapy.provider_adjustments
    assert plb[["reason_code", "reference", "amount_cents"]].fillna("").values.tolist() == [
        ["WO", "PT0888 20240110", 12500],
        ["72", "REFUND123", -6000],
        ["FB", "PRIOR01", -2500],
        ["L6", "", -450],
        ["CS", "ADJ1", 125],
    ]
    payments = therapy.transactions.query("kind == 'payment'")["amount_cents"].sum()
    assert payments - plb["amount_cents"].sum() == rem.total_paid_cents  # 709.00 - 36.75
    assert set(therapy.transactions["method"]) == {"era"}
    assert set(therapy.transactions["posted_by"]) == {"era-import"}
    assert set(therapy.transactions["posted_date"]) == {pd.Timestamp("2024-03-15")}


def test_therapy_claim_lines(therapy: Ledger) -> None:
    lines = therapy.claim_lines.set_index(["claim_id", "line_no"])
    got = lines[["cpt", "modifier", "units", "charge_amount_cents"]].fillna("")
    assert got.loc["PT1001"].values.tolist() == [
        ["97110", "GP", 4, 20000],
        ["97140", "GP", 2, 10000],
        ["97530", "GP", 2, 10000],
    ]
    assert got.loc[("SLP2001", 1)].tolist() == ["92507", "GN", 1, 15000]
    assert got.loc[("ABA3001", 1)].tolist() == ["97153", "HN", 16, 48000]
    assert got.loc[("PT0999", 1)].tolist() == ["97110", "GP", 4, 20000]  # from the correction
    assert lines.loc[("PT1001", 1), "provider_id"] == "1888888881"
    assert lines.loc[("PT1001", 1), "location_id"] == "1999999984"
    assert lines.loc[("SLP2001", 1), "service_date"] == pd.Timestamp("2024-03-05")
    # paid as secondary: the primary is unknown, the remitting payer is the secondary
    assert pd.isna(lines.loc[("OT4001", 1), "payer_id"])
    assert lines.loc[("OT4001", 1), "secondary_payer_id"] == "SHP01"


def test_therapy_postings(therapy: Ledger) -> None:
    t = therapy.transactions
    pt = t[t["claim_id"] == "PT1001"]
    assert pt[["line_no", "kind", "amount_cents", "allowed_amount_cents"]].fillna(
        -1
    ).values.tolist() == [
        [1, "payment", 12000, 15000],
        [1, "adjustment", 5000, -1],
        [1, "responsibility", 3000, -1],
        [2, "payment", 5000, 6000],
        [2, "adjustment", 4000, -1],
        [2, "responsibility", 1000, -1],
        [3, "payment", 3000, 3000],
        [3, "adjustment", 7000, -1],
    ]
    ot = t[t["claim_id"] == "OT4001"]
    assert ot[["kind", "group_code", "reason_code", "amount_cents"]].values.tolist() == [
        ["payment", "OA", "23", 4500],
        ["responsibility", "PR", "2", 1500],
    ]
    rev = t[t["claim_id"] == "PT0999"]
    assert rev[["line_no", "kind", "amount_cents"]].values.tolist() == [
        [1, "payment", -15000],
        [1, "adjustment", -4000],
        [1, "responsibility", -1000],
        [1, "payment", 14000],
        [1, "adjustment", 5000],
        [1, "responsibility", 1000],
    ]
    assert t["txn_id"].is_unique and set(t["era_id"]) == {ERA} and set(t["source"]) == {"payer"}
    balances = claim_balances(therapy).set_index("claim_id")["balance_cents"].to_dict()
    assert balances == {
        "PT1001": 4000,
        "SLP2001": 2000,
        "ABA3001": 0,
        "OT4001": 25500,
        "PT0999": 20000,
    }


def test_patients_are_pseudonymous(therapy: Ledger) -> None:
    lines = therapy.claim_lines.set_index("claim_id")["patient_id"]
    same_member = {lines.loc["PT1001"].iloc[0], lines.loc["OT4001"], lines.loc["PT0999"]}
    assert len(same_member) == 1
    assert len(therapy.patients) == 3 and set(therapy.patients["state"]) == {"PA"}
    text = " ".join(
        frame.astype(str).to_csv()
        for frame in (therapy.patients, therapy.claim_lines, therapy.transactions)
    )
    for identifier in ("TESTPATIENT", "ALPHA", "M123456", "M654321"):
        assert identifier not in text


def test_pseudonym_is_stable_and_keyed() -> None:
    plain = patient_pseudonym("P1", "M1", "C1")
    assert plain == patient_pseudonym("P1", "M1", "C2")  # same member, another claim
    assert plain != patient_pseudonym("P2", "M1", "C1")
    assert patient_pseudonym("P1", "M1", "C1", key=b"k") != plain
    assert patient_pseudonym("P1", "", "C1") != patient_pseudonym("P1", "", "C2")


def test_duplicate_era_in_one_batch() -> None:
    result = convert_remittances(_parse("duplicate_era_a_4010.835", "duplicate_era_b_4010.835"))
    rems = result.ledger.remittances
    assert rems["trace_number"].tolist() == ["CHK0045521"] * 2 and rems["era_id"].is_unique
    (dup,) = result.findings
    assert (dup.code, dup.file, dup.segment) == ("duplicate_era", "duplicate_era_b_4010.835", 3)
    assert rems["era_id"].iloc[0] in dup.message
    assert result.ledger.payers["payer_type"].tolist() == ["medicare"]
    t = result.ledger.transactions
    assert t.query("kind == 'payment'")["amount_cents"].tolist() == [7840, 7840]
    assert t.query("reason_code == '253'")["amount_cents"].tolist() == [200, 200]  # sequestration
    assert len(result.ledger.claim_lines) == 1  # the claim line once


def test_reingest_into_the_ledger_flags_duplicates_and_keeps_reference_data(
    therapy: Ledger,
) -> None:
    again = convert_remittances(_parse("therapy_5010.835"), existing=therapy)
    (dup,) = [f for f in again.findings if f.code == "duplicate_era"]
    assert "already in the ledger" in dup.message
    assert again.ledger.remittances["era_id"].tolist() == [ERA, f"{ERA}~2"]
    for name in ("claim_lines", "patients", "payers"):
        assert len(again.ledger.table(name)) == len(therapy.table(name))
        assert len(again.new_rows[name]) == 0
    assert len(again.ledger.transactions) == 2 * len(therapy.transactions)
    assert again.ledger.transactions["txn_id"].is_unique


def test_postings_match_the_ledgers_own_lines() -> None:
    held = pd.DataFrame(
        {
            "claim_id": ["PT1001"] * 2,
            "line_no": [1, 2],
            "patient_id": ["P9"] * 2,
            "payer_id": ["SHP01"] * 2,
            "location_id": ["L1"] * 2,
            "provider_id": ["R1"] * 2,
            "service_date": pd.to_datetime(["2024-03-01"] * 2),
            "cpt": ["97530", "97110"],
            "modifier": ["GP", "GP"],
            "units": [2, 4],
            "charge_amount_cents": [10000, 20000],
            "billed_date": pd.to_datetime(["2024-03-02"] * 2),
        }
    )
    existing = Ledger.from_frames(
        claim_lines=held,
        patients=pd.DataFrame({"patient_id": ["P9"], "state": ["PA"]}),
        payers=pd.DataFrame(
            {"payer_id": ["SHP01"], "payer_name": ["Sunrise"], "payer_type": ["medicaid"]}
        ),
    )
    result = convert_remittances(_parse("therapy_5010.835"), existing=existing)
    lines = result.ledger.claim_lines
    assert lines[lines["claim_id"] == "PT1001"]["cpt"].tolist() == ["97530", "97110"]  # kept
    assert result.ledger.payers.set_index("payer_id").loc["SHP01", "payer_type"] == "medicaid"
    pay = result.ledger.transactions.query("claim_id == 'PT1001' and kind == 'payment'")
    assert pay["line_no"].fillna(0).tolist() == [2, 0, 1]  # 97140: claim level
    (unmatched,) = [f for f in result.findings if f.code == "unmatched_line"]
    assert unmatched.segment == 25  # the 97140 SVC: no such line in the ledger


def test_unbalanced_fixture_is_converted_and_reported() -> None:
    result = convert_remittances(_parse("unbalanced_5010.835"))
    (rem,) = result.ledger.remittances.itertuples()
    assert (rem.total_paid_cents, bool(rem.balanced)) == (20000, False)
    (finding,) = result.findings
    assert (finding.code, finding.file, finding.segment, finding.st_control) == (
        "unbalanced",
        "unbalanced_5010.835",
        3,
        "7001",
    )
    assert "difference 8.00" in finding.message
    assert result.ledger.payers["payer_type"].tolist() == ["medicaid"]
    assert result.ledger.transactions.query("kind == 'payment'")["amount_cents"].tolist() == [19200]


def _no_state_text() -> str:
    header = [
        "BPR*I*80*C*CHK************20240105",
        "TRN*1*T9*1999999999",
        "N1*PR*PAYER WITHOUT ADDRESS*XV*P9",
        "N1*PE*CLINIC*XX*1999999984",
        "LX*1",
    ]
    body = claim(services=[["SVC*HC:90837*100*80**1", "DTM*472*20240102", "CAS*CO*45*20"]])
    return render(interchange([transaction_set(body, header=header)]))


def test_patient_state_default_and_missing() -> None:
    rems = read_835(_no_state_text(), "nostate.835").remittances
    missing = convert_remittances(rems)
    assert [(f.severity, f.code) for f in missing.findings] == [("error", "patient_state")]
    with_default = convert_remittances(rems, options=ConvertOptions(default_state="pa"))
    assert with_default.findings == []
    assert with_default.ledger.patients["state"].tolist() == ["PA"]


def test_claim_without_charge_is_reported_and_not_posted() -> None:
    body = claim("Z1", charge="0", paid="0") + claim(
        "C2", services=[["SVC*HC:97110*100*80**1", "CAS*CO*45*20"]]
    )
    rems = read_835(render(interchange([transaction_set(body)])), "zero.835").remittances
    result = convert_remittances(rems)
    assert [(f.code, f.segment) for f in result.findings] == [
        ("no_charge", 12),
        ("no_service_date", 16),
    ]
    assert set(result.ledger.transactions["claim_id"]) == {"C2"}
    (line,) = result.ledger.claim_lines.itertuples()
    assert line.service_date == pd.Timestamp("2024-01-05")  # no DTM: the payment date


def test_era_ids_are_deterministic_and_unique() -> None:
    (rem,) = _parse("unbalanced_5010.835")
    used: set[str] = set()
    first, second = era_id_for(rem, used), era_id_for(rem, used)
    assert first == "000000555-555-7001-EFT24041001" and second == f"{first}~2"
    assert era_id_for(rem, set()) == first
    rem.trace_number = "CHK/77 #5"  # characters unsafe in URLs and file names
    assert era_id_for(rem, set()) == "000000555-555-7001-CHK_77__5"
