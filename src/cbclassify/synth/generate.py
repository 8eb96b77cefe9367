"""``generate_practice``: the whole pipeline, stage by stage."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.synth import rows as R
from cbclassify.synth.amounts import compute_amounts
from cbclassify.synth.assemble import (
    claim_lines_frame,
    patients_frame,
    payers_frame,
    posting_order,
    transactions_frame,
)
from cbclassify.synth.claims import build_claims
from cbclassify.synth.config import SynthConfig, SynthPractice
from cbclassify.synth.credits import Credits, post_credit_claims
from cbclassify.synth.entities import build_fee_codes, build_places
from cbclassify.synth.normal import post_normal_claims
from cbclassify.synth.remits import payment_keys, remittance_tables
from cbclassify.synth.resolution import Outcome, decide, resolving_rows
from cbclassify.synth.timeline import BalanceTimeline, balance_effect
from cbclassify.synth.truth import evidence_strings, resolutions_frame, truth_frame
from cbclassify.synth.world import Payers, World, to_day

log = logging.getLogger(__name__)


def new_world(config: SynthConfig) -> World:
    """An empty world for ``config``: rng, dates and payers."""
    start = to_day(config.start_date)
    end = (
        to_day(config.end_date)
        if config.end_date is not None
        else to_day(pd.Timestamp(config.start_date) + pd.DateOffset(months=config.months)) - 1
    )
    return World(
        config=config,
        rng=np.random.default_rng(config.seed),
        start_day=start,
        end_day=end,
        payers=Payers(),
    )


def _pre_resolution_rows(world: World) -> tuple[R.Rows, Credits]:
    """All postings of normal and credit claims up to the last day, without resolutions."""
    assert world.claims is not None
    credit_sink = R.RowSink()
    credits = post_credit_claims(world, credit_sink)
    normal = np.ones(world.claims.n, dtype=bool)
    normal[credits.claim] = False
    sink = R.RowSink()
    post_normal_claims(world, sink, np.nonzero(normal)[0])
    rows = sink.rows()
    rows = R.take_rows(rows, rows["posted_day"] <= world.end_day)
    credit_rows = credit_sink.rows()
    if (credit_rows["posted_day"] > world.end_day).any():
        raise RuntimeError("synth: a credit claim posting falls after the last day")
    return R.concat_rows([rows, credit_rows]), credits


def generate_practice(config: SynthConfig) -> SynthPractice:
    """Generate a synthetic therapy practice with injected, labelled credit balances."""
    world = new_world(config)
    world.fees = build_fee_codes(world)
    build_places(world, config.claims)
    build_claims(world)
    compute_amounts(world)
    rows, credits = _pre_resolution_rows(world)
    # A tiny practice may have no posting yet (one claim, unpaid): its books end on the last day.
    as_of = int(rows["posted_day"].max()) if len(rows["posted_day"]) else world.end_day
    outcome = decide(world, rows, credits, as_of)
    rows = R.concat_rows([rows, resolving_rows(world, rows, credits, outcome, as_of)])
    rows = R.take_rows(rows, posting_order(rows))
    check_truth(world, rows, credits, outcome, as_of)
    keys = payment_keys(world, rows)
    remits, plb = remittance_tables(world, rows, keys)
    transactions = transactions_frame(world, rows, keys)
    ledger = Ledger.from_frames(
        payers=payers_frame(world),
        patients=patients_frame(world),
        claim_lines=claim_lines_frame(world),
        transactions=transactions,
        fee_schedule=world.fees.schedule,
        remittances=remits,
        provider_adjustments=plb,
        resolutions=resolutions_frame(world, credits, outcome),
    )
    evidence = evidence_strings(rows, credits.n)
    truth = truth_frame(world, credits, outcome, evidence)
    if config.end_date is not None:
        ledger, truth = end_on(ledger, truth, pd.Timestamp(config.end_date))
    assert world.claims is not None and world.lines is not None
    log.info(
        "synth: %d claims, %d lines, %d transactions, %d credits",
        world.claims.n,
        world.lines.n,
        len(transactions),
        credits.n,
    )
    return SynthPractice(ledger=ledger, truth=truth, config=config)


def end_on(ledger: Ledger, truth: pd.DataFrame, end: pd.Timestamp) -> tuple[Ledger, pd.DataFrame]:
    """The practice with every date moved by the days between its latest posting and ``end``,
    so that its books run exactly to ``end`` (its as-of date). A practice of a few thousand
    claims has postings on its last day already (no move); a small one may end a few days or
    weeks earlier. Moving every date alike keeps every interval, so balances, credits, truth
    and deadlines keep their meaning."""
    gap = end - ledger.default_as_of()
    if gap == pd.Timedelta(0):
        return ledger, truth

    def moved(frame: pd.DataFrame) -> pd.DataFrame:
        dated = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
        return frame.assign(**{c: frame[c] + gap for c in dated}) if dated else frame

    for name in ledger.table_names():
        ledger = ledger.with_table(name, moved(ledger.table(name)))
    return ledger, moved(truth)


def check_truth(world: World, rows: R.Rows, credits: Credits, out: Outcome, as_of: int) -> None:
    """Internal guard: at the as-of date exactly the unresolved credits are credits, with their
    amounts; every credit has its amount on its identified date (raises RuntimeError)."""
    c, lines = world.claims, world.lines
    assert c is not None and lines is not None
    balance = world.claim_sum(lines.charge) * (c.billed_day <= as_of)
    sel = rows["posted_day"] <= as_of
    np.add.at(balance, rows["claim"][sel], balance_effect(R.take_rows(rows, sel)))
    balance[c.billed_day > as_of] = 0  # not in the ledger yet as of that date (balance rule)
    expected = np.zeros(len(balance), dtype=np.int64)
    open_credit = ~out.resolved
    expected[credits.claim[open_credit]] = -credits.total[open_credit]
    if not np.array_equal(np.minimum(balance, 0), expected):
        bad = int((np.minimum(balance, 0) != expected).sum())
        raise RuntimeError(f"synth: {bad} claim(s) disagree with the truth at the as-of date")
    timeline = BalanceTimeline(world, rows, credits.claim)
    if not np.array_equal(timeline.balance_at(credits.claim, out.identified), -credits.total):
        raise RuntimeError("synth: a credit does not have its amount on its identified date")
