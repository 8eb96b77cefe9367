"""The balance rule (``contract.balance_rule``): one table of signs, for one posting or columns."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from cbclassify.balances import signed_balance_effect
from cbclassify.contract import balance_effect, balance_effects
from cbclassify.contract.enums import TXN_KINDS
from cbclassify.synth import SynthConfig, generate_practice


def test_reducing_kinds_subtract_refunds_add_responsibility_does_not_move() -> None:
    assert [balance_effect(kind, 1234) for kind in TXN_KINDS] == [-1234, -1234, 0, 1234, -1234]
    assert balance_effect("payment", -500) == 500  # a reversal adds back


def test_columns_follow_the_same_rule_row_by_row() -> None:
    kinds = [*TXN_KINDS, None, "unknown"]
    amounts = [100, 250, 999, 40, 7, 5, 6]
    expected = [balance_effect(k, a) if k else 0 for k, a in zip(kinds, amounts, strict=True)]
    as_pandas = pd.Series(kinds, dtype="string")
    assert balance_effects(as_pandas, amounts).tolist() == expected
    assert balance_effects(pa.array(kinds), pd.Series(amounts)).tolist() == expected


def test_a_practice_balances_as_the_balances_package_sums_it() -> None:
    txns = generate_practice(SynthConfig(claims=200, seed=4)).ledger.transactions
    effects = balance_effects(txns["kind"], txns["amount_cents"])
    assert effects.tolist() == signed_balance_effect(txns).tolist()
    one_by_one = [balance_effect(k, a) for k, a in zip(txns["kind"], txns["amount_cents"])]
    assert effects.tolist() == one_by_one
