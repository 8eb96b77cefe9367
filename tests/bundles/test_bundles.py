"""The grouping pass: each credit's bundle holds exactly its claim's rows cut at its date; a
request's bundles equal the frames' bundles; a process pool gives the in-process results in
the credits' order."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from request_rows import typed_rows

from cbclassify.balances import credit_balances
from cbclassify.bundles import ClaimBundle, LedgerContext, credit_bundles, map_patient_groups
from cbclassify.bundles import pool as bundle_pool
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.synth import SynthConfig, generate_practice


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def hand_ledger() -> Ledger:
    """Patients A and B. C1 (A): line 2 listed first and billed 01-05, line 1 billed 02-10.
    C2 (A): billed 01-10, paid twice. C3 (B). C4: a line of B then a line of A (A's claim by
    its last line). Postings before and after the dates the tests cut at."""
    lines = pd.DataFrame(
        {
            "claim_id": ["C1", "C2", "C1", "C3", "C4", "C4"],
            "line_no": [2, 1, 1, 1, 1, 2],
            "patient_id": ["A", "A", "A", "B", "B", "A"],
            "payer_id": ["P1", "P2", "P1", "P2", None, "P1"],
            "secondary_payer_id": [None, None, "P2", None, None, None],
            "location_id": ["L1"] * 6,
            "provider_id": ["R1"] * 6,
            "service_date": pd.to_datetime(
                ["2024-01-04", "2024-01-09", "2024-02-09", "2024-01-02", "2024-01-06", "2024-01-05"]
            ),
            "cpt": ["97110", "97140", "97530", "92507", "90837", "97110"],
            "modifier": ["GP", None, "GP", "GN", None, None],
            "units": [1, 2, 1, 1, 1, 3],
            "charge_amount_cents": [10000, 8000, 5000, 12000, 9000, 3000],
            "billed_date": pd.to_datetime(
                ["2024-01-05", "2024-01-10", "2024-02-10", "2024-01-03", "2024-01-07", "2024-01-07"]
            ),
        }
    )
    txns = pd.DataFrame(
        [
            (
                "T1",
                "C1",
                2,
                "payment",
                "payer",
                "P1",
                9000,
                None,
                None,
                9500,
                None,
                "E1",
                "era",
                "2024-01-20",
            ),
            (
                "T2",
                "C1",
                None,
                "payment",
                "patient",
                None,
                2000,
                None,
                None,
                None,
                "R1",
                None,
                "card",
                "2024-01-25",
            ),
            (
                "T3",
                "C2",
                1,
                "adjustment",
                "payer",
                "P2",
                1000,
                "CO",
                "45",
                None,
                None,
                "E2",
                "era",
                "2024-01-15",
            ),
            (
                "T4",
                "C1",
                2,
                "refund",
                "payer",
                "P1",
                500,
                None,
                None,
                None,
                None,
                None,
                "check",
                "2024-02-20",
            ),
            (
                "T5",
                "C2",
                1,
                "payment",
                "payer",
                "P2",
                7000,
                None,
                None,
                6000,
                "TX",
                "E2",
                "era",
                "2024-01-15",
            ),
            (
                "T6",
                "C3",
                1,
                "payment",
                "payer",
                "P2",
                13000,
                None,
                None,
                None,
                None,
                "E2",
                "era",
                "2024-01-15",
            ),
            (
                "T7",
                "C4",
                None,
                "payment",
                "patient",
                None,
                4000,
                None,
                None,
                None,
                None,
                None,
                "cash",
                "2024-01-01",
            ),
            (
                "T8",
                "C2",
                1,
                "payment",
                "payer",
                "P2",
                -7000,
                None,
                "253",
                None,
                None,
                None,
                "check",
                "2024-03-02",
            ),
            (
                "T9",
                "C2",
                None,
                "responsibility",
                "payer",
                "P2",
                1000,
                "PR",
                "1",
                None,
                None,
                None,
                "check",
                "2024-01-16",
            ),
        ],
        columns=[
            "txn_id",
            "claim_id",
            "line_no",
            "kind",
            "source",
            "payer_id",
            "amount_cents",
            "group_code",
            "reason_code",
            "allowed_amount_cents",
            "trace_number",
            "era_id",
            "method",
            "posted_date",
        ],
    )
    txns["posted_date"] = pd.to_datetime(txns["posted_date"])
    txns["posted_by"] = "u1"
    return Ledger.from_frames(
        payers=pd.DataFrame(
            {
                "payer_id": ["P1", "P2"],
                "payer_name": ["Medicare", "Acme"],
                "payer_type": ["medicare", "commercial"],
                "refund_deadline_days": [None, 30],
                "allows_offset": [None, True],
            }
        ),
        patients=pd.DataFrame({"patient_id": ["A", "B"], "state": ["PA", "NJ"]}),
        claim_lines=lines,
        transactions=txns,
        remittances=pd.DataFrame(
            {
                "era_id": ["E1", "E2"],
                "payer_id": ["P1", "P2"],
                "trace_number": ["TRN1", "TRN2"],
                "payment_date": pd.to_datetime(["2024-01-20", "2024-01-15"]),
                "total_paid_cents": [9000, 20000],
                "method": ["ACH", "ACH"],
                "balanced": [True, True],
            }
        ),
        provider_adjustments=pd.DataFrame(
            {
                "era_id": ["E2", "E2"],
                "reason_code": ["wo", "WO"],
                "reference": ["C3:ICN9", "C2"],
                "amount_cents": [500, -100],
            }
        ),
        fee_schedule=pd.DataFrame(
            {
                "payer_id": ["P1", "P1"],
                "cpt": ["97110", "97110"],
                "modifier": [None, "GP"],
                "allowed_per_unit_cents": [9000, 9500],
                "effective_from": pd.to_datetime(["2023-01-01", "2024-01-01"]),
                "effective_to": [pd.NaT, pd.NaT],
            }
        ),
    )


CREDITS = pd.DataFrame(
    {
        "claim_id": ["C1", "C3", "C1", "C2"],
        "credit_amount_cents": [100, 1000, 200, 300],
        "as_of_date": pd.to_datetime(["2024-01-31", "2024-02-15", "2024-03-01", "2024-01-15"]),
    }
)


def naive_rows(ledger: Ledger, claim_id: str, day: date) -> tuple[list[str], list[int], list[str]]:
    """(txn ids posted by ``day``, line_nos billed by ``day``, all line_nos) by frame filters."""
    t = ledger.transactions
    t = t[(t["claim_id"] == claim_id) & (t["posted_date"] <= pd.Timestamp(day))]
    lines = ledger.claim_lines[ledger.claim_lines["claim_id"] == claim_id]
    billed = lines[lines["billed_date"] <= pd.Timestamp(day)]
    return list(t["txn_id"]), list(billed["line_no"]), list(lines["line_no"])


def test_each_bundle_has_exactly_its_claims_rows_cut_at_its_date() -> None:
    ledger = hand_ledger()
    _, bundles = credit_bundles(ledger, CREDITS)
    assert [(b.claim_id, b.credit_amount_cents) for b in bundles] == [
        ("C1", 100),
        ("C3", 1000),
        ("C1", 200),
        ("C2", 300),
    ]
    for bundle, when in zip(bundles, CREDITS["as_of_date"], strict=True):
        assert bundle.as_of == when.date()
        txn_ids, billed, every = naive_rows(ledger, bundle.claim_id, bundle.as_of)
        assert [p.txn_id for p in bundle.postings] == txn_ids  # ledger order
        assert [line.line_no for line in bundle.lines] == billed
        assert [line.line_no for line in bundle.all_lines] == every
    first, _, later, c2 = bundles
    assert [line.line_no for line in first.lines] == [2]  # line 1 billed 02-10, after 01-31
    assert [p.txn_id for p in first.postings] == ["T1", "T2"]
    assert [p.txn_id for p in later.postings] == ["T1", "T2", "T4"]
    assert [p.txn_id for p in c2.postings] == ["T3", "T5"]  # T9 posted 01-16, T8 03-02


def test_postings_are_typed_with_their_trace_and_balance_effect() -> None:
    _, bundles = credit_bundles(hand_ledger(), CREDITS)
    by_id = {p.txn_id: p for b in bundles for p in b.all_postings}  # every posting, uncut
    assert by_id["T1"].remit_trace == "TRN1"  # no own trace: the remittance's
    assert by_id["T5"].remit_trace == "TX"  # its own trace first
    assert by_id["T2"].remit_trace == "R1" and by_id["T2"].line_no is None
    assert by_id["T3"].reason_code == "45"
    assert by_id["T3"].posted_date == date(2024, 1, 15)
    effects = {t: by_id[t].effect_cents for t in ("T1", "T3", "T4", "T9")}
    assert effects == {"T1": -9000, "T3": -1000, "T4": 500, "T9": 0}
    assert by_id["T1"].allowed_amount_cents == 9500 and by_id["T2"].allowed_amount_cents is None


def test_reason_codes_are_stripped() -> None:
    ledger = hand_ledger()
    txns = ledger.transactions.copy()
    txns["reason_code"] = txns["reason_code"].str.pad(4, side="both")
    _, bundles = credit_bundles(ledger.with_table("transactions", txns), CREDITS)
    assert [p.reason_code for p in bundles[3].postings] == ["45", None]


def test_patient_history_counts_the_patients_claims_as_of_a_date() -> None:
    ledger = hand_ledger()
    _, (first, c3, later, _) = credit_bundles(ledger, CREDITS)
    assert first.patient is later.patient  # one history per patient
    a = first.patient
    assert (a.patient_id, a.state) == ("A", "PA")
    # A's lines: C1 100.00 (01-05) + 50.00 (02-10), C2 80.00 (01-10), C4's A line 30.00 (01-07).
    # A's claims (by last line): C1 from 01-05, C2 from 01-10, C4 from 01-07.
    # Postings from max(posted, claim's first billed): C4's T7 (01-01) counts from 01-07.
    assert a.claim_count(date(2024, 1, 6)) == 1
    assert a.balance_cents(date(2024, 1, 6)) == 10000
    assert a.claim_count(date(2024, 1, 7)) == 2
    assert a.balance_cents(date(2024, 1, 7)) == 10000 + 3000 - 4000
    assert (
        a.balance_cents(date(2024, 1, 31)) == 10000 + 3000 - 4000 + 8000 - 1000 - 7000 - 9000 - 2000
    )
    assert a.claim_count(date(2023, 12, 31)) == 0 and a.balance_cents(date(2023, 12, 31)) == 0
    assert c3.patient.patient_id == "B" and c3.patient.claim_count(date(2024, 2, 15)) == 1
    # C4 has a line of B but belongs to A: B's balance has C4's B line charge, not its posting
    assert c3.patient.balance_cents(date(2024, 2, 15)) == 12000 - 13000 + 9000


def test_open_claims_owed_by_the_patient_and_awaiting_a_payer_on_its_own_lines() -> None:
    """(the oldest claim the patient owes, the oldest one whose balance awaits its payer)."""
    _, (first, *_rest) = credit_bundles(hand_ledger(), CREDITS)
    a = first.patient
    # 01-12: C2 (80.00) has no payer posting yet: it awaits P2; C4 (A's line 30.00, T7
    # -40.00) owes -10.00; C1 is the credit
    assert a.open_claims("C1", date(2024, 1, 12)) == (None, "C2")
    assert a.open_claim("C1", date(2024, 1, 12)) is None  # nothing the patient owes
    # C1 (service 01-04) is open on 01-12 but P1 has not paid it yet
    assert a.open_claims("C4", date(2024, 1, 12)) == (None, "C1")
    # 01-20: C2 paid to 0.00 (T9 moves nothing), C4 still negative, C1 paid by P1 (T1):
    # the 10.00 left is the patient's
    assert a.open_claims("C1", date(2024, 1, 20)) == (None, None)
    assert a.open_claims("C2", date(2024, 1, 20)) == ("C1", None)
    assert a.open_claim("C2", date(2024, 1, 20)) == "C1"
    assert a.open_claims("C2", date(2024, 1, 4)) == (None, None)  # nothing billed yet


def test_the_first_billed_lines_patient_is_the_bundles_patient() -> None:
    _, bundles = credit_bundles(hand_ledger(), CREDITS.iloc[[0]])
    assert set(bundles[0].patients) == {"A"}
    mixed = pd.DataFrame(
        {"claim_id": ["C4"], "credit_amount_cents": [1], "as_of_date": [_day("2024-02-01")]}
    )
    _, (c4,) = credit_bundles(hand_ledger(), mixed)
    assert c4.patient.patient_id == "B" and set(c4.patients) == {"A", "B"}
    assert c4.first_line is not None and c4.first_line.patient_id == "B"
    early = mixed.assign(as_of_date=_day("2024-01-06"))
    _, (unbilled,) = credit_bundles(hand_ledger(), early)
    assert unbilled.lines == () and unbilled.patient.patient_id is None
    assert unbilled.patient.balance_cents(date(2024, 1, 6)) == 0


def test_context_facts() -> None:
    context, _ = credit_bundles(hand_ledger(), CREDITS)
    assert context.payers["P2"].allows_offset and not context.payers["P1"].allows_offset
    assert context.payers["P2"].refund_deadline_days == 30
    assert [f.modifier for f in context.fee_schedule[("P1", "97110")]] == [None, "GP"]
    assert not context.fee_schedule_empty
    assert context.sequestering_payers == frozenset({"P1", "P2"})  # P1 by type, P2 by CO-253
    assert context.plb_recoveries == frozenset({("C3", "P2")})  # the negative WO is not one
    p2 = context.payer_history["P2"]
    assert p2.counts(date(2024, 1, 14)) == (0, 0, 0)
    assert p2.counts(date(2024, 1, 15)) == (2, 0, 1)  # T5 7000 above its 6000 allowed
    assert p2.counts(date(2024, 3, 2)) == (2, 1, 1)


def request_ledger(ledger: Ledger) -> Ledger:
    tables = {
        name: typed_rows(name, ledger.table(name))
        for name in (
            "payers",
            "patients",
            "claim_lines",
            "transactions",
            "fee_schedule",
            "remittances",
            "provider_adjustments",
        )
    }
    built = ledger_from_rows(tables)
    assert built is not None and built.handed_rows("claim_lines") is not None
    return built


def test_request_bundles_equal_frame_bundles() -> None:
    ledger = hand_ledger()
    request = request_ledger(ledger)
    frame_context, frame_bundles = credit_bundles(ledger, CREDITS)
    row_context, row_bundles = credit_bundles(request, CREDITS)
    assert row_bundles == frame_bundles
    assert row_context == frame_context
    assert request.built_tables() == []  # a request's bundles read no frame


@pytest.fixture(scope="module")
def practice() -> Ledger:
    return generate_practice(SynthConfig(claims=450, seed=11)).ledger


def test_request_bundles_equal_frame_bundles_on_a_practice(practice: Ledger) -> None:
    as_of = practice.default_as_of()
    credits = credit_balances(practice, as_of).assign(as_of_date=as_of)
    assert len(credits) > 5
    assert credit_bundles(request_ledger(practice), credits) == credit_bundles(practice, credits)


def summary(context: LedgerContext, bundle: ClaimBundle) -> tuple:
    """A result that reads every part of a bundle (module level: picklable for the pool)."""
    payer = bundle.lines[0].payer_id if bundle.lines else None
    history = context.payer_history.get(payer) if payer is not None else None
    return (
        bundle.claim_id,
        bundle.as_of,
        bundle.credit_amount_cents,
        tuple(p.txn_id for p in bundle.postings),
        tuple(line.line_no for line in bundle.lines),
        bundle.patient.balance_cents(bundle.as_of),
        bundle.patient.claim_count(bundle.as_of),
        bundle.patient.open_claim(bundle.claim_id, bundle.as_of),
        None if history is None else history.counts(bundle.as_of),
    )


def test_pool_results_equal_in_process_results_in_the_credits_order(
    practice: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = practice.default_as_of()
    credits = pd.concat(
        [
            credit_balances(practice, end - pd.Timedelta(days=d)).assign(
                as_of_date=end - pd.Timedelta(days=d)
            )
            for d in (0, 90)
        ]
    ).sample(frac=1.0, random_state=3)
    assert credits["claim_id"].duplicated().any()  # a claim credited on two dates
    monkeypatch.setattr(bundle_pool, "IN_PROCESS_CREDITS", 0)  # a pool even for a few credits
    context, bundles = credit_bundles(practice, credits)
    expected = [summary(context, b) for b in bundles]
    in_process = map_patient_groups(summary, practice, credits, workers=1)
    pooled = map_patient_groups(summary, practice, credits, workers=2)
    assert in_process == expected
    assert pooled == expected
    assert [r[0] for r in pooled] == [str(c) for c in credits["claim_id"]]


def test_no_credits_no_results(practice: Ledger) -> None:
    empty = pd.DataFrame(
        {
            "claim_id": pd.Series([], dtype="string"),
            "credit_amount_cents": [],
            "as_of_date": pd.Series([], dtype="datetime64[ns]"),
        }
    )
    assert map_patient_groups(summary, practice, empty, workers=2) == []
    assert credit_bundles(practice, empty)[1] == []


def test_era_overposting_is_the_same_from_frames_and_from_a_requests_rows() -> None:
    """A remittance that paid $0 net (reversal and re-payment) with only the re-payment
    posted, beside one that balances: the same facts from a frame and from plain rows."""
    from cbclassify.bundles.context import era_overposting

    payments = {
        "era_id": ["E1", "E2", "E2", "E3"],
        "kind": ["payment"] * 4,
        "source": ["payer"] * 4,
        "amount_cents": [18000, 18000, 5000, 5000],
        "claim_id": ["C1", "C1", "C2", "C3"],
        "line_no": [1, 1, 1, None],
    }
    remits = {"era_id": ["E1", "E2", "E3"], "total_paid_cents": [18000, 5000, 5000]}
    plb = {"era_id": [], "amount_cents": []}
    rows = era_overposting(payments, remits, plb)
    assert rows == {"E2": (18000, (("C1", 18000),), 0)}
    frames = era_overposting(
        {k: pd.Series(v, dtype="Int64" if k.endswith("_cents") or k == "line_no" else object)
         for k, v in payments.items()},
        {k: pd.Series(v) for k, v in remits.items()},
        {k: pd.Series(v, dtype=object) for k, v in plb.items()},
    )  # fmt: skip
    assert frames == rows


def test_era_overposting_reads_repeats_in_posting_order_not_row_order() -> None:
    """The same ledger with the re-payment's row listed before the first payment's: the
    repeat is still the later remittance's (posted later), from a frame and from rows; and
    a claim-level first payment repeated on a line is a repeat too."""
    from cbclassify.bundles.context import era_overposting

    payments = {
        "era_id": ["E2", "E1", "E3", "E4"],
        "kind": ["payment"] * 4,
        "source": ["payer"] * 4,
        "amount_cents": [18000, 18000, 5000, 5000],
        "claim_id": ["C1", "C1", "C2", "C2"],
        "line_no": [1, 1, None, 1],
        "posted_date": [date(2026, 2, 20), date(2026, 1, 20), date(2026, 1, 5), date(2026, 3, 1)],
    }
    remits = {"era_id": ["E1", "E2", "E3", "E4"], "total_paid_cents": [18000, 0, 5000, 0]}
    plb = {"era_id": [], "amount_cents": []}
    rows = era_overposting(payments, remits, plb)
    assert rows == {"E2": (18000, (("C1", 18000),), 0), "E4": (5000, (("C2", 5000),), 0)}
    frames = era_overposting(
        {k: pd.Series(v, dtype="Int64" if k.endswith("_cents") or k == "line_no" else object)
         for k, v in payments.items() if k != "posted_date"}
        | {"posted_date": pd.Series(pd.to_datetime(payments["posted_date"]))},
        {k: pd.Series(v) for k, v in remits.items()},
        {k: pd.Series(v, dtype=object) for k, v in plb.items()},
    )  # fmt: skip
    assert frames == rows


def test_era_overposting_counts_the_remittances_own_copies_apart() -> None:
    """E2 pays C1 again ($180.00, a repeat of E1's) and posts C2's $50.00 twice: both are
    repeats, and $50.00 of them is a copy E2 had already posted itself (explained)."""
    from cbclassify.bundles.context import era_overposting

    payments = {
        "era_id": ["E1", "E2", "E2", "E2"],
        "kind": ["payment"] * 4,
        "source": ["payer"] * 4,
        "amount_cents": [18000, 18000, 5000, 5000],
        "claim_id": ["C1", "C1", "C2", "C2"],
        "line_no": [1, 1, 1, 1],
    }
    remits = {"era_id": ["E1", "E2"], "total_paid_cents": [18000, 23000]}
    plb = {"era_id": [], "amount_cents": []}
    assert era_overposting(payments, remits, plb) == {
        "E2": (5000, (("C1", 18000), ("C2", 5000)), 5000)
    }
