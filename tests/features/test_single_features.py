"""The single-claim feature path (``features.single``) gives exactly the frame of the vectorized
pipeline: same index, columns, dtypes and bit-identical float64 values (``check_exact``).

Checked on every claim of synthetic practices on several dates (credits or not, billed or not),
on the labelled credits with their own identification dates (as training calls it), on each
credit claim alone in a request-sized ledger (as classify-on-demand sends it), with whole tables
read into Python and with tables selected by key (a large ledger), and on random hand-made
ledgers (hypothesis). No tolerance was needed for any feature.
"""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from feature_ledgers import LedgerBuilder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbclassify.balances import credit_balances
from cbclassify.contract.ledger import Ledger
from cbclassify.features import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    NUMERIC_FEATURES,
    credit_features,
    single,
    single_table,
)
from cbclassify.features.build import credit_features_vectorized
from cbclassify.features.single import credit_features_small, feature_records
from cbclassify.model.labels import labelled_credits
from cbclassify.synth import SynthConfig, generate_practice

WHOLE, FILTERED = 10**9, 0  # single_table.SMALL_TABLE_ROWS: tables read whole / selected by key


def assert_same(ledger: Ledger, credits: pd.DataFrame) -> pd.DataFrame:
    small = credit_features_small(ledger, credits)
    pd.testing.assert_frame_equal(
        small, credit_features_vectorized(ledger, credits), check_exact=True
    )
    return small


@pytest.fixture(scope="module", params=[(11, "default"), (5, "medicare_heavy")])
def practice(request) -> Ledger:
    seed, mix = request.param
    return generate_practice(SynthConfig(claims=450, seed=seed, payer_mix=mix)).ledger


@pytest.mark.parametrize("table_rows", [WHOLE, FILTERED], ids=["whole-tables", "filtered-tables"])
def test_every_claim_of_a_practice_matches_on_several_dates(
    practice: Ledger, table_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(single_table, "SMALL_TABLE_ROWS", table_rows)
    claims = list(practice.claim_lines["claim_id"].unique()) + ["NO-SUCH-CLAIM"]
    end = practice.default_as_of()
    for days_back in (0, 120, 300):
        as_of = end - pd.Timedelta(days=days_back)
        frame = assert_same(practice, pd.DataFrame({"claim_id": claims, "as_of_date": as_of}))
        credits = credit_balances(practice, as_of)
        keys = credits[["claim_id"]].assign(as_of_date=as_of)  # as scoring calls it
        assert 0 < len(keys) <= single.SMALL_FEATURE_CREDITS
        assert_same(practice, keys)
    # the practice exercises the rules, not only their empty cases
    assert frame["contracted_allowed_usd"].notna().any()
    assert (frame["identical_payer_payment_count"] > 0).any()
    assert (frame["patient_claim_count"] > 1).any()
    assert frame["payer_history_reversal_share"].gt(0).any()


@pytest.mark.parametrize("table_rows", [WHOLE, FILTERED], ids=["whole-tables", "filtered-tables"])
def test_labelled_credits_match_on_their_own_dates(
    practice: Ledger, table_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(single_table, "SMALL_TABLE_ROWS", table_rows)
    labels = labelled_credits(practice)  # as model.dataset calls credit_features
    assert labels["as_of_date"].nunique() > 1
    assert_same(practice, labels[["claim_id", "as_of_date"]].set_axis(labels.index + 100))


def request_ledger_of(ledger: Ledger, claim_id: str, as_of: pd.Timestamp) -> Ledger:
    """One credit claim with the patient's other claims, cut at ``as_of``, with their payers,
    fee schedule rows and remittances (``benchmarks/bench_single_claim.py::claim_body``)."""
    lines = ledger.claim_lines
    patient = lines.loc[lines["claim_id"] == claim_id, "patient_id"].iloc[0]
    ids = set(lines.loc[lines["patient_id"] == patient, "claim_id"])
    lines = lines[lines["claim_id"].isin(ids) & (lines["billed_date"] <= as_of)]
    txns = ledger.transactions
    txns = txns[txns["claim_id"].isin(ids) & (txns["posted_date"] <= as_of)]
    payer_ids = set(lines["payer_id"].dropna()) | set(lines["secondary_payer_id"].dropna())
    payer_ids |= set(txns["payer_id"].dropna())
    remits = ledger.remittances[ledger.remittances["era_id"].isin(set(txns["era_id"].dropna()))]
    payer_ids |= set(remits["payer_id"].dropna())
    fees = ledger.fee_schedule
    fees = fees[fees["payer_id"].isin(payer_ids) & fees["cpt"].isin(set(lines["cpt"]))]
    plb = ledger.provider_adjustments
    return Ledger(
        payers=ledger.payers[ledger.payers["payer_id"].isin(payer_ids)].reset_index(drop=True),
        patients=ledger.patients[ledger.patients["patient_id"] == patient].reset_index(drop=True),
        claim_lines=lines.reset_index(drop=True), transactions=txns.reset_index(drop=True),
        fee_schedule=fees.reset_index(drop=True), remittances=remits.reset_index(drop=True),
        provider_adjustments=plb[plb["era_id"].isin(set(remits["era_id"]))].reset_index(drop=True),
        resolutions=ledger.resolutions.iloc[:0],
    )  # fmt: skip


@pytest.fixture(scope="module")
def small_practice() -> Ledger:
    return generate_practice(SynthConfig(claims=300, seed=7, payer_mix="commercial_heavy")).ledger


def test_each_credit_alone_matches(small_practice: Ledger) -> None:
    end = small_practice.default_as_of()
    seen = 0
    for as_of in (end, end - pd.Timedelta(days=90)):
        for claim_id in credit_balances(small_practice, as_of)["claim_id"]:
            alone = request_ledger_of(small_practice, claim_id, as_of)
            credits = credit_balances(alone, as_of)
            assert claim_id in set(credits["claim_id"])
            assert_same(alone, credits[["claim_id"]].assign(as_of_date=as_of))
            seen += 1
    assert seen > 10


def test_records_are_the_frame_row_by_row(practice: Ledger) -> None:
    claims = list(practice.claim_lines["claim_id"].unique()[:40]) + ["NO-SUCH-CLAIM"]
    credits = pd.DataFrame({"claim_id": claims, "as_of_date": practice.default_as_of()})
    records = feature_records(practice, credits)
    frame = credit_features_vectorized(practice, credits)
    assert len(records) == len(frame)
    for record, (_, row) in zip(records, frame.iterrows(), strict=True):
        assert list(record) == list(FEATURE_NAMES)
        for name in NUMERIC_FEATURES:
            value = record[name]
            assert type(value) is float
            assert value == row[name] or (math.isnan(value) and math.isnan(row[name])), name
        for name in CATEGORICAL_FEATURES:
            value = record[name]
            assert value is None if row[name] is pd.NA else value == row[name], name
            assert value is None or type(value) is str


def test_dispatch_takes_the_small_path_only_for_a_handful_of_credits(practice: Ledger) -> None:
    claims = list(practice.claim_lines["claim_id"].unique())
    as_of = practice.default_as_of()
    few = pd.DataFrame({"claim_id": claims[: single.SMALL_FEATURE_CREDITS], "as_of_date": as_of})
    many = pd.DataFrame({"claim_id": claims[: single.SMALL_FEATURE_CREDITS + 1], "as_of_date": as_of})  # fmt: skip
    with mock.patch.object(single, "credit_features_small", wraps=credit_features_small) as spy:
        frame = credit_features(practice, few)
        assert spy.call_count == 1
        credit_features(practice, many)
        assert spy.call_count == 1
    pd.testing.assert_frame_equal(
        frame, credit_features_vectorized(practice, few), check_exact=True
    )


def test_edge_inputs_behave_like_the_vectorized_path(practice: Ledger) -> None:
    none = pd.DataFrame({"claim_id": pd.Series([], dtype="string"), "as_of_date": []})
    assert_same(practice, none)
    assert feature_records(practice, none) == []
    for bad, message in ((pd.DataFrame({"claim_id": ["x"]}), "lacks column"),
                         (pd.DataFrame({"claim_id": ["x"], "as_of_date": [pd.NaT]}), "as_of_date")):  # fmt: skip
        for fn in (credit_features_small, credit_features_vectorized):
            with pytest.raises(ValueError, match=message):
                fn(practice, bad)
    text_dates = pd.DataFrame({"claim_id": [practice.claim_lines["claim_id"].iloc[0]] * 2,
                               "as_of_date": ["2025-06-30 15:00", "2025-09-01 00:00"]}, index=["a", "b"])  # fmt: skip
    assert_same(practice, text_dates)


# --- random hand-made ledgers ------------------------------------------------------------------

DAYS = ("2024-12-20", "2025-01-06", "2025-01-20", "2025-02-01", "2025-02-15", "2025-03-01")
AS_OF = st.sampled_from(DAYS[2:] + ("2025-06-01",) * 3) | st.sampled_from(DAYS)
CPTS = ("97110", "97112", "97153", "92507", "90837", "97161", "97166", "0362T", "G0283")
MODIFIERS = (None, "GP", "gp", "GO", "GN", "59")
KINDS = ("payment", "payment", "payment", "adjustment", "responsibility", "refund", "transfer")
PAYERS = ("P1", "P2", "P3", "PX", None)  # PX is not in the payers table
AMOUNTS = st.sampled_from([2000, 5000, 8000, -5000, 0]) | st.integers(-20000, 60000)


def _lines(draw, b: LedgerBuilder, claim: str) -> None:
    patient, payer = draw(st.sampled_from(["A", "B"])), draw(st.sampled_from(PAYERS))
    for line_no in range(1, draw(st.integers(1, 3)) + 1):
        service = draw(st.sampled_from(DAYS[:4]))
        b.line(claim, patient if line_no == 1 else draw(st.sampled_from(["A", "B", patient])),
               payer, draw(st.integers(1000, 50000)), service_date=service,
               cpt=draw(st.sampled_from(CPTS[:3]) | st.sampled_from(CPTS)),
               modifier=draw(st.sampled_from(MODIFIERS)), units=draw(st.integers(1, 4)),
               line_no=line_no, secondary=draw(st.sampled_from([None, "P2", "P3"])),
               billed_date=draw(st.sampled_from([service, service, "2025-02-10", "2025-03-05"])))  # fmt: skip


def _postings(draw, b: LedgerBuilder, claim: str) -> None:
    """Arbitrary postings, mostly by the claim's payer; some repeat an earlier one (a
    duplicate, maybe from another ERA or day) or reverse it."""
    billed = next(r["payer_id"] for r in b.lines if r["claim_id"] == claim)
    payers = st.sampled_from([billed, billed]) | st.sampled_from(PAYERS)
    for _ in range(draw(st.integers(0, 12))):
        again = [t for t in b.txns if t["claim_id"] == claim]
        if again and draw(st.booleans()):
            t = dict(draw(st.sampled_from(again)))
            t["txn_id"] = f"T{len(b.txns) + 1}"
            change = draw(st.sampled_from(["none", "era", "trace", "date", "reverse"]))
            if change == "reverse":
                t["amount_cents"] = -t["amount_cents"]
            elif change != "none":
                key = {"era": "era_id", "trace": "trace_number", "date": "posted_date"}[change]
                t[key] = draw(st.sampled_from({"era": [None, "E1", "E2"], "trace": [None, "T1", "T2"],
                                               "date": list(DAYS)}[change]))  # fmt: skip
            b.txns.append(t)
            continue
        source = draw(st.sampled_from(["payer", "payer", "patient"]))
        b.txn(claim, draw(st.sampled_from(KINDS)), draw(AMOUNTS), draw(st.sampled_from(DAYS)),
              source=source, payer_id=draw(payers) if source == "payer" else None,
              line_no=draw(st.sampled_from([1, 2, None])),
              group=draw(st.sampled_from([None, "CO", "PR", "OA", "CR"])),
              reason=draw(st.sampled_from([None, "45", "2", "3", "253", "23", "129", " 45"])),
              allowed=draw(st.sampled_from([None, 0, 5000, 10000])),
              trace=draw(st.sampled_from([None, "T1", "T2"])),
              era=draw(st.sampled_from([None, "E1", "E2"])))  # fmt: skip


@st.composite
def random_ledgers(draw) -> Ledger:
    """Claims of two patients with arbitrary lines, postings and fee-schedule rows (ties,
    modifiers in any case, closed ranges), payments of unknown payers, late billing."""
    b = LedgerBuilder().payer("P1", "commercial", offset=True).payer("P2", "medicare")
    b.payer("P3", "medicaid", offset=False).patient("A").patient("B")
    for _ in range(draw(st.integers(0, 8))):
        b.fee(draw(st.sampled_from(PAYERS[:3])), draw(st.sampled_from(CPTS[:3])),
              draw(st.sampled_from([1000, 2500, 4000])), draw(st.sampled_from(DAYS[:4])),
              end=draw(st.sampled_from([None, "2025-01-31", "2025-06-30"])),
              modifier=draw(st.sampled_from(MODIFIERS)))  # fmt: skip
    for n in range(draw(st.integers(1, 4))):
        _lines(draw, b, f"C{n}")
        _postings(draw, b, f"C{n}")
    return b.build()


@st.composite
def credits_for(draw, ledger: Ledger) -> pd.DataFrame:
    claims = sorted(set(ledger.claim_lines["claim_id"])) * 3 + ["CX"]  # CX: an unknown claim
    n = draw(st.integers(1, 6))
    return pd.DataFrame(
        {"claim_id": [draw(st.sampled_from(claims)) for _ in range(n)],
         "as_of_date": [pd.Timestamp(draw(AS_OF)) for _ in range(n)]},
        index=np.arange(n) * 7 + draw(st.integers(0, 5)),
    )  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), random_ledgers(), st.sampled_from([WHOLE, FILTERED]))
def test_random_ledgers_match(data, ledger: Ledger, table_rows: int) -> None:
    credits = data.draw(credits_for(ledger))
    with mock.patch.object(single_table, "SMALL_TABLE_ROWS", table_rows):
        assert_same(ledger, credits)
