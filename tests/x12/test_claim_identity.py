"""835 claim identity (issue 14, failure 11): a repeated CLP01 is one claim only when it is.

Within a batch, a CLP01 repeated by the same payer with another patient (NM1*QC member id) or
another payer claim number (CLP07) is another claim, unless it is the correction that follows a
reversal (CLP02=22): it becomes a separate claim, claim_id = CLP01 + ``~`` + CLP07 (``~2``...
without CLP07), with a ``claim_split`` warning; never merged silently (docs/x12.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from remit_factory import payer_header, remittances, service

from cbclassify.balances.balance import claim_balances
from cbclassify.x12 import ConversionResult, convert_remittances, read_835
from cbclassify.x12.summary import format_summary
from x12.claim_identity_figures import figures
from x12.x12text import claim, interchange, render, transaction_set


def _convert(*sets: list[str], name: str = "batch.835") -> ConversionResult:
    return convert_remittances(remittances(*sets, name=name))


def _two_patients_under_one_clp01() -> ConversionResult:
    """The issue's case: one CLP01, two patients and two payer claim numbers, same payer."""
    first = claim(
        "C1", charge="6", paid="6", member="MBRA", icn="ICNA", services=[service("97110", "6", "6")]
    )
    second = claim(
        "C1",
        charge="20",
        paid="12",
        member="MBRB",
        icn="ICNB",
        services=[service("97140", "20", "12", "20240103")],
    )
    return _convert(transaction_set(first + second, total="18"))


def test_distinct_patients_under_one_clp01_become_separate_claims() -> None:
    result = _two_patients_under_one_clp01()
    lines = result.ledger.claim_lines.set_index("claim_id")
    assert lines.index.tolist() == ["C1", "C1~ICNB"]
    assert lines.loc["C1", "cpt"] == "97110" and lines.loc["C1~ICNB", "cpt"] == "97140"
    assert lines.loc["C1", "patient_id"] != lines.loc["C1~ICNB", "patient_id"]
    assert len(result.ledger.patients) == 2
    pay = result.ledger.transactions.query("kind == 'payment'")
    assert pay.groupby("claim_id")["amount_cents"].sum().to_dict() == {"C1": 600, "C1~ICNB": 1200}
    assert pay["line_no"].tolist() == [1, 1]  # each SVC on its own claim's line
    balances = claim_balances(result.ledger).set_index("claim_id")["balance_cents"].to_dict()
    assert balances == {"C1": 0, "C1~ICNB": 0}  # not 12.00 paid on a 6.00 charge


def test_the_split_is_reported_without_identifiers() -> None:
    result = _two_patients_under_one_clp01()
    (split,) = result.findings
    assert (split.severity, split.code, split.file, split.segment) == (
        "warning",
        "claim_split",
        "batch.835",
        17,  # the second CLP
    )
    assert "segment 12" in split.message  # the first CLP
    assert "patient" in split.message and "CLP07" in split.message
    for identifier in ("C1", "MBRA", "MBRB", "ICNA", "ICNB"):
        assert identifier not in split.message
    summary = format_summary([], result, "out", merged=False)
    assert "claims: 2;" in summary


def test_same_patient_with_another_payer_claim_number_is_another_claim() -> None:
    denied = claim(
        "C1",
        status="4",
        charge="100",
        paid="0",
        icn="ICNA",
        services=[["SVC*HC:97110*100*0**1", "DTM*472*20240102", "CAS*CO*16*100"]],
    )
    paid = claim(
        "C1", charge="100", paid="80", icn="ICNB", services=[service("97110", "100", "80")]
    )
    result = _convert(transaction_set(denied + paid, total="80"))
    balances = claim_balances(result.ledger).set_index("claim_id")["balance_cents"].to_dict()
    assert balances == {"C1": 0, "C1~ICNB": 0}  # merged, the denial's CO-16 made a 100.00 credit
    (split,) = result.findings
    assert split.code == "claim_split" and "CLP07" in split.message
    assert "patient" not in split.message


def test_reversal_and_correction_stay_one_claim() -> None:
    original = claim(
        "C1", charge="100", paid="80", icn="ICNA", services=[service("97110", "100", "80")]
    )
    reversal = claim(
        "C1",
        status="22",
        charge="-100",
        paid="-80",
        icn="ICNA",
        services=[["SVC*HC:97110*-100*-80**-1", "DTM*472*20240102", "CAS*CO*45*-20"]],
    )
    correction = claim(
        "C1",
        charge="100",
        paid="90",
        member="M1B",
        icn="ICNB",
        services=[service("97110", "100", "90")],
    )
    result = _convert(
        transaction_set(original, total="80"),
        transaction_set(reversal + correction, total="10", trace="T2", control="0002"),
    )
    assert result.findings == []
    assert result.ledger.claim_lines["claim_id"].tolist() == ["C1"]
    balances = claim_balances(result.ledger).set_index("claim_id")["balance_cents"].to_dict()
    assert balances == {"C1": 0}


def test_duplicate_era_and_other_payers_stay_one_claim() -> None:
    primary = transaction_set(
        claim("C1", charge="100", paid="60", icn="P1", services=[service("97110", "100", "60")]),
        header=payer_header("PAYA", "60"),
    )
    secondary = transaction_set(
        claim(
            "C1",
            status="2",
            charge="100",
            paid="20",
            member="SEC9",
            icn="S7",
            services=[["SVC*HC:97110*100*20**1", "DTM*472*20240102", "CAS*OA*23*80"]],
        ),
        header=payer_header("PAYB", "20"),
        control="0002",
    )
    result = _convert(primary, primary, secondary)
    assert [f.code for f in result.findings] == ["duplicate_era"]
    (line,) = result.ledger.claim_lines.itertuples()
    assert (line.claim_id, line.payer_id, line.secondary_payer_id) == ("C1", "PAYA", "PAYB")


def test_split_without_payer_claim_number_is_numbered_and_deterministic() -> None:
    first = claim("C1", member="M1", icn="", services=[service("97110", "100", "80")])
    second = claim("C1", member="M2", icn="", services=[service("97110", "100", "80")])
    third = claim("C1", member="M3", icn="", services=[service("97110", "100", "80")])
    st = transaction_set(first + second + third, total="240")
    ids = [_convert(st).ledger.claim_lines["claim_id"].tolist() for _ in range(2)]
    assert ids[0] == ids[1] == ["C1", "C1~2", "C1~3"]


def test_a_split_claim_is_found_again_in_the_ledger() -> None:
    earlier = _two_patients_under_one_clp01()
    reversal = claim(
        "C1",
        status="22",
        charge="-20",
        paid="-12",
        member="MBRB",
        icn="ICNB",
        services=[["SVC*HC:97140*-20*-12**-1", "DTM*472*20240103", "CAS*CO*45*-8"]],
    )
    later = convert_remittances(
        remittances(
            transaction_set(reversal, total="-12", trace="T9"),
            control="000000002",
            name="later.835",
        ),
        existing=earlier.ledger,
    )
    assert later.findings == []
    pay = later.new_rows["transactions"].query("kind == 'payment'")
    assert pay["claim_id"].tolist() == ["C1~ICNB"]
    assert len(later.new_rows["claim_lines"]) == 0


def test_another_patient_in_a_later_file_is_another_claim() -> None:
    """Across uploads (the service converts each 835 onto the practice's ledger): the later
    file's CLP01 of another patient from the same payer is not posted onto the held claim."""
    first = claim(
        "C1", charge="6", paid="6", member="MBRA", icn="ICNA", services=[service("97110", "6", "6")]
    )
    earlier = _convert(transaction_set(first, total="6"))
    second = claim(
        "C1",
        charge="20",
        paid="12",
        member="MBRB",
        icn="ICNB",
        services=[service("97140", "20", "12", "20240103")],
    )
    later = convert_remittances(
        remittances(
            transaction_set(second, total="12", trace="T2"), control="000000002", name="later.835"
        ),
        existing=earlier.ledger,
    )
    lines = later.ledger.claim_lines.set_index("claim_id")
    assert lines.index.tolist() == ["C1", "C1~ICNB"]
    assert lines.loc["C1", "patient_id"] != lines.loc["C1~ICNB", "patient_id"]
    assert len(later.ledger.patients) == 2
    pay = later.ledger.transactions.query("kind == 'payment'")
    assert pay.groupby("claim_id")["amount_cents"].sum().to_dict() == {"C1": 600, "C1~ICNB": 1200}
    assert pay["line_no"].tolist() == [1, 1]  # not 12.00 at claim level on the 6.00 claim
    (split,) = later.findings
    assert (split.code, split.file, split.segment) == ("claim_split", "later.835", 12)
    assert "the ledger holds" in split.message and "patient" in split.message
    assert "MBR" not in split.message and "ICN" not in split.message


def test_the_same_patient_in_a_later_file_posts_to_its_claim() -> None:
    """A later reversal of the held claim and its correction (a new CLP07 and a corrected
    member id) stay on it, and so does a secondary payer's CLP: one claim, balance 0."""
    paid = claim(
        "C1", charge="100", paid="80", icn="ICNA", services=[service("97110", "100", "80")]
    )
    earlier = _convert(transaction_set(paid, total="80"))
    reversal = claim(
        "C1",
        status="22",
        charge="-100",
        paid="-80",
        icn="ICNA",
        services=[["SVC*HC:97110*-100*-80**-1", "DTM*472*20240102", "CAS*CO*45*-20"]],
    )
    correction = claim(
        "C1",
        charge="100",
        paid="70",
        member="M1B",
        icn="ICNC",
        services=[service("97110", "100", "70")],
    )
    secondary = claim(
        "C1",
        status="2",
        charge="100",
        paid="0",
        member="SEC9",
        icn="S7",
        services=[["SVC*HC:97110*100*0**1", "DTM*472*20240102", "CAS*OA*23*70"]],
    )
    later = convert_remittances(
        remittances(
            transaction_set(reversal + correction, total="-10", trace="T2"),
            transaction_set(secondary, header=payer_header("PAYB", "0"), control="0002"),
            control="000000002",
            name="later.835",
        ),
        existing=earlier.ledger,
    )
    assert later.findings == []
    assert later.ledger.claim_lines["claim_id"].tolist() == ["C1"]
    assert set(later.ledger.transactions["claim_id"]) == {"C1"}
    balances = claim_balances(later.ledger).set_index("claim_id")["balance_cents"].to_dict()
    assert balances == {"C1": 0}


def test_reconverting_a_file_keeps_its_claim_ids() -> None:
    """Idempotent: the same file again (a duplicate ERA) posts to the claims it made, numbered
    splits (no CLP07) included; no new claim, patient or split."""
    first = claim("C1", member="M1", icn="", services=[service("97110", "100", "80")])
    second = claim("C1", member="M2", icn="", services=[service("97110", "100", "80")])
    named = claim("C1", member="M3", icn="ICN3", services=[service("97110", "100", "80")])
    text = render(interchange([transaction_set(first + second + named, total="240")]))
    once = convert_remittances(read_835(text, "a.835").remittances)
    again = convert_remittances(read_835(text, "a.835").remittances, existing=once.ledger)
    assert sorted(set(once.claim_ids.values())) == ["C1", "C1~2", "C1~ICN3"]
    assert list(again.claim_ids.values()) == list(once.claim_ids.values())
    assert [f.code for f in again.findings] == ["duplicate_era"]
    for name in ("claim_lines", "patients"):
        assert len(again.new_rows[name]) == 0


def test_two_payers_with_nothing_in_common_are_two_claims() -> None:
    """Coordination of benefits keeps one CLP01 of two payers together, but not when the two
    share neither the billed charge nor a procedure code (two claims under one number)."""
    first = transaction_set(
        claim("C1", charge="6", paid="6", icn="A1", services=[service("97110", "6", "6")]),
        header=payer_header("PAYA", "6"),
    )
    other = transaction_set(
        claim("C1", charge="15000", paid="11980.33", member="Z9", icn="B7"),
        header=payer_header("PAYB", "11980.33"),
        control="0002",
    )
    result = _convert(first, other)
    charge = result.ledger.claim_lines.groupby("claim_id")["charge_amount_cents"].sum()
    assert charge.to_dict() == {"C1": 600, "C1~B7": 1500000}
    balances = claim_balances(result.ledger).set_index("claim_id")["balance_cents"]
    assert balances.to_dict() == {"C1": 0, "C1~B7": 1500000 - 1198033}  # no 11980.33 on 6.00
    (split,) = [f for f in result.findings if f.code == "claim_split"]
    assert split.segment == 27 and "charge" in split.message


def test_a_practice_export_ledger_is_not_compared_by_patient() -> None:
    """A ledger whose patient ids are the practice's own (not 835 pseudonyms) keeps its claims:
    a member pseudonym can never equal them, so they prove nothing."""
    earlier = _convert(
        transaction_set(claim("C1", services=[service("97110", "100", "80")]), total="80")
    )
    lines = earlier.ledger.claim_lines.assign(patient_id="ACCT-0042")
    export = earlier.ledger.with_table("claim_lines", lines).with_table(
        "patients", earlier.ledger.patients.assign(patient_id="ACCT-0042")
    )
    later_claim = claim("C1", status="22", charge="-100", paid="-80", member="OTHER")
    later = convert_remittances(
        remittances(
            transaction_set(later_claim, total="-80", trace="T2"),
            control="000000002",
            name="later.835",
        ),
        existing=export,
    )
    assert later.findings == [] and set(later.claim_ids.values()) == {"C1"}


def test_shared_samples_keep_their_claims(shared_x12_dir: Path) -> None:
    """The public samples: no payer repeats a CLP01 for another claim; one CLP01 (777777) is
    used by two projects' files for two patients, two payers and two charges (136.90 and
    15000.00, no service line in common): two claims, not 11980.33 paid on a 136.90 charge."""
    files = sorted(p for p in shared_x12_dir.iterdir() if p.is_file())
    parsed = [read_835(p.read_text(encoding="utf-8"), p.name) for p in files]
    result = convert_remittances([r for f in parsed for r in f.remittances])
    (split,) = [f for f in result.findings if f.code == "claim_split"]
    assert (split.file, split.segment) == ("lfh_835_medicare-part-a.835", 24)
    claim_ids = result.ledger.claim_lines["claim_id"]
    assert claim_ids[claim_ids.str.contains("~")].unique().tolist() == ["777777~1999999444445"]
    assert pd.Series(claim_ids).nunique() == 25


def test_shared_samples_figures(shared_x12_dir: Path) -> None:
    """Each file alone, all in one batch, and one after another into one ledger (the service):
    no merged claim, no claim paid over its charge (duplicate ERAs left out)."""
    got = figures(shared_x12_dir)
    assert (got["files"], got["files_differing"]) == (11, 0)
    for mode in ("alone", "batch", "sequential"):
        assert (got[f"{mode}_merged"], got[f"{mode}_paid_over_charge"]) == (0, 0), mode
    assert (got["alone_claims"], got["batch_claims"], got["sequential_claims"]) == (26, 25, 25)
