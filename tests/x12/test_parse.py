"""Envelope and 835 parsing: positions, malformed sets, readings the contract leaves open."""

from __future__ import annotations

import pandas as pd

from cbclassify.x12 import read_835
from x12.x12text import claim, interchange, render, simple_835, transaction_set

SVC = ["SVC*HC:97110:GP*100*80**2", "DTM*472*20240102", "CAS*CO*45*20", "AMT*B6*80"]


def _text(*sets: list[str], **kw: str) -> str:
    return render(interchange(list(sets)), **kw)


def test_simple_remittance_fields() -> None:
    result = read_835(simple_835(), "a.835")
    assert result.findings == []
    (rem,) = result.remittances
    assert (rem.total_paid_cents, rem.method, rem.trace_number) == (8000, "ACH", "TRACE1")
    assert (rem.payer_id, rem.payer_name, rem.payee_id, rem.payee_state) == (
        "ACME1",
        "ACME HEALTH PLAN",
        "1999999984",
        "PA",
    )
    assert str(rem.payment_date) == "2024-01-05" and rem.balanced
    (svc,) = rem.claims[0].services
    assert (svc.procedure, svc.modifiers, svc.units, svc.allowed_cents) == (
        "97110",
        ("GP",),
        2,
        8000,
    )


def test_malformed_set_is_skipped_and_the_next_one_converts() -> None:
    bad = transaction_set(claim(paid="eighty", services=[SVC]), control="0001")
    good = transaction_set(claim(services=[SVC]), control="0002", trace="T2")
    result = read_835(_text(bad, good), "batch.835")
    assert [r.st_control for r in result.remittances] == ["0002"]
    (error,) = [f for f in result.findings if f.severity == "error"]
    assert (error.code, error.st_control, error.segment) == ("malformed", "0001", 12)
    assert "CLP04" in error.message and "'eighty'" in error.message


def test_not_an_835_is_reported_with_its_position() -> None:
    text = render(
        [
            "ISA" + simple_835().split("~")[0][3:],
            "GS*HC*A*B*20240101*1200*1*X*005010X222A1",
            "ST*837*0021*005010X222A1",
            "BHT*0019*00*1*20240101*1200*CH",
            "SE*3*0021",
            "GE*1*1",
            "IEA*1*000000001",
        ]
    )
    result = read_835(text, "claim.837")
    assert result.remittances == [] and result.transaction_sets == 1
    (finding,) = result.findings
    assert (finding.code, finding.segment, finding.st_control) == ("not_835", 3, "0021")
    assert "837" in finding.message


def test_truncated_set_is_an_error_but_earlier_sets_convert() -> None:
    first = transaction_set(claim(services=[SVC]), control="0001")
    cut = transaction_set(claim(services=[SVC]), control="0002", trace="T2")[:-1]  # no SE
    text = render(interchange([first]))[: -len("GE*1*1~\nIEA*1*000000001~\n")]
    text += render(cut)
    result = read_835(text, "cut.835")
    assert [r.st_control for r in result.remittances] == ["0001"]
    (error,) = [f for f in result.findings if f.severity == "error"]
    assert error.st_control == "0002" and "no SE" in error.message


def test_se_count_mismatch_is_a_warning_only() -> None:
    st = transaction_set(claim(services=[SVC]))
    st[-1] = "SE*99*0001"
    result = read_835(_text(st), "count.835")
    assert len(result.remittances) == 1
    assert [f.code for f in result.findings] == ["se_count"]


def test_cas_with_six_triplets_and_plb_with_six_pairs() -> None:
    cas = "CAS*CO*45*1*1*253*2**97*3**A1*4**B1*5**16*6"
    plb = "PLB*1999999984*20241231*WO:C9*1*72:R1*-2*FB:F1*3*L6*-4*CS*5*90*6"
    st = transaction_set(
        claim(charge="100", paid="79", services=[["SVC*HC:97110:GP*100*79**1", cas]]) + [plb],
        total="70",
    )
    (rem,) = read_835(_text(st), "many.835").remittances
    adjustments = rem.claims[0].services[0].adjustments
    assert [(a.reason, a.amount_cents) for a in adjustments] == [
        ("45", 100),
        ("253", 200),
        ("97", 300),
        ("A1", 400),
        ("B1", 500),
        ("16", 600),
    ]
    assert [(p.reason, p.reference, p.amount_cents) for p in rem.provider_adjustments] == [
        ("WO", "C9", 100),
        ("72", "R1", -200),
        ("FB", "F1", 300),
        ("L6", "", -400),
        ("CS", "", 500),
        ("90", "", 600),
    ]
    assert rem.plb_cents == 900 and rem.balanced  # 79 - 9 = 70


def test_reversal_sent_with_positive_amounts_is_negated_and_reported() -> None:
    rev = claim(
        "C7",
        status="22",
        charge="100",
        paid="80",
        services=[["SVC*HC:97110*100*80**1", "CAS*CO*45*20", "AMT*B6*80"]],
    )
    result = read_835(_text(transaction_set(rev, total="-80")), "rev.835")
    (rem,) = result.remittances
    c = rem.claims[0]
    svc = c.services[0]
    assert (c.charge_cents, c.paid_cents, svc.paid_cents, svc.allowed_cents) == (
        -10000,
        -8000,
        -8000,
        -8000,
    )
    assert svc.adjustments[0].amount_cents == -2000
    assert rem.balanced
    assert [f.code for f in result.findings] == ["reversal_sign"]


def test_debit_bpr_is_a_negative_total() -> None:
    st = transaction_set(
        claim("C8", status="22", charge="-100", paid="-80", services=[]), total="80"
    )
    st[1] = st[1].replace("*C*ACH", "*D*ACH")
    (rem,) = read_835(_text(st), "debit.835").remittances
    assert rem.total_paid_cents == -8000 and rem.balanced


def test_payment_date_falls_back_to_dtm_405_with_a_warning() -> None:
    st = transaction_set(claim(services=[SVC]))
    st[1] = st[1].replace("*20240105", "*20002316")
    result = read_835(_text(st), "date.835")
    assert str(result.remittances[0].payment_date) == "2024-01-04"
    (finding,) = result.findings
    assert finding.code == "payment_date" and finding.segment == 4


def test_svc_composite_with_a_foreign_separator_is_read_and_reported() -> None:
    svc = ["SVC*HC>92507>GN*100*80**1", "CAS*CO*45*20"]
    result = read_835(_text(transaction_set(claim(services=[svc])), sub="^"), "sep.835")
    service = result.remittances[0].claims[0].services[0]
    assert (service.procedure, service.modifiers) == ("92507", ("GN",))
    assert [f.code for f in result.findings] == ["svc_separator"]


def test_svc_without_procedure_code_posts_the_claim_at_claim_level() -> None:
    svc = ["SVC*HC*100*80*80**1"]
    result = read_835(_text(transaction_set(claim(services=[svc]))), "noproc.835")
    c = result.remittances[0].claims[0]
    assert c.usable_services == [] and [f.code for f in result.findings] == ["svc_no_procedure"]


def test_unknown_cas_group_rejects_the_set() -> None:
    st = transaction_set(claim(services=[["SVC*HC:97110*100*80**1", "CAS*XX*45*20"]]))
    result = read_835(_text(st), "group.835")
    assert result.remittances == []
    assert "CAS01" in result.findings[0].message


def test_non_x12_file_is_one_error() -> None:
    result = read_835("# notes\nnot an interchange", "README.md")
    assert result.remittances == []
    (finding,) = result.findings
    assert (finding.severity, finding.code, finding.segment) == ("error", "not_x12", 1)


def test_oversized_numbers_are_errors_naming_file_and_segment_and_the_batch_converts() -> None:
    """20+ digit amounts (were OverflowError) and 29-digit units (were InvalidOperation)."""
    from cbclassify.x12 import convert_remittances

    huge_paid = transaction_set(claim(paid="1" + "0" * 20, services=[SVC]), control="0001")
    huge_units = ["SVC*HC:97110:GP*100*80**" + "9" * 29, "DTM*472*20240102"]
    units_set = transaction_set(claim(services=[huge_units]), control="0002", trace="T2")
    good = transaction_set(claim(services=[SVC]), control="0003", trace="T3")
    far_date = ["SVC*HC:97110:GP*100*80**2", "DTM*472*99991231", "CAS*CO*45*20"]
    dated = transaction_set(claim("C4", services=[far_date]), control="0004", trace="T4")
    result = read_835(_text(huge_paid, units_set, good, dated), "big.835")
    assert [r.st_control for r in result.remittances] == ["0003", "0004"]
    errors = [f for f in result.findings if f.severity == "error"]
    assert [(f.file, f.segment, f.st_control) for f in errors] == [
        ("big.835", 12, "0001"),  # the CLP
        ("big.835", 30, "0002"),  # the SVC
    ]
    assert "CLP04" in errors[0].message and "more than 18 digits" in errors[0].message
    assert "SVC05" in errors[1].message and "more than 15 digits" in errors[1].message
    assert str(errors[0]).startswith("big.835, segment 12 (ST 0001): ")
    (bad_date,) = [f for f in result.findings if f.code == "bad_date"]
    assert bad_date.st_control == "0004"
    converted = convert_remittances(result.remittances)
    assert len(converted.ledger.remittances) == 2
    lines = converted.ledger.claim_lines.set_index("claim_id")
    assert lines.loc["C4", "service_date"] == pd.Timestamp("2024-01-05")  # the payment date


def test_missing_payment_method_rejects_the_set_only() -> None:
    """BPR04 is mandatory and the ledger requires a method: the set is an error (found by the
    fuzz: a blank BPR04 made the whole batch's ledger fail the contract)."""
    bad = transaction_set(claim(services=[SVC]), control="0001")
    bad[1] = bad[1].replace("*C*ACH*", "*C**")
    good = transaction_set(claim(services=[SVC]), control="0002", trace="T2")
    result = read_835(_text(bad, good), "method.835")
    assert [r.st_control for r in result.remittances] == ["0002"]
    (error,) = result.findings
    assert (error.severity, error.segment, error.st_control) == ("error", 4, "0001")
    assert "BPR04" in error.message
