"""FastExplainer: class names, given predictions, the row-hash cache, the fallback path and
models wrapped like the project's CreditSourceModel."""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from cbclassify.explain import ExplanationCache, FastExplainer, lightgbm_contributions
from cbclassify.explain import explainer as explainer_module
from cbclassify.explain.trees import booster_of, model_matrix
from explain.factories import CLASSES


def test_predicted_given_by_name_explains_that_class(booster, data) -> None:
    frame, _ = data
    rows = frame.head(40)
    wanted = np.array([CLASSES[i % 4] for i in range(40)])
    explanation = FastExplainer(booster, class_names=CLASSES).explain(rows, predicted=wanted)
    assert list(explanation.predicted_names) == list(wanted)
    full = lightgbm_contributions(booster, rows)
    picked = full[np.arange(40), [i % 4 for i in range(40)], :-1]
    np.testing.assert_allclose(explanation.contributions, picked, atol=1e-9)
    with pytest.raises(ValueError, match="not in the model's classes"):
        FastExplainer(booster, class_names=CLASSES).explain(rows.head(1), predicted=["refund"])
    with pytest.raises(ValueError, match="class names"):
        FastExplainer(booster, class_names=CLASSES[:3])


def test_cache_serves_unchanged_rows_without_recomputing(booster, data, monkeypatch) -> None:
    frame, _ = data
    explainer = FastExplainer(booster, class_names=CLASSES)
    explainer.cache = ExplanationCache(explainer.fingerprint(), width=frame.shape[1] + 1)
    first = explainer.explain(frame.head(50))
    computed: list[int] = []
    original = FastExplainer._compute

    def counting(self, matrix, predicted):  # type: ignore[no-untyped-def]
        computed.append(len(matrix))
        return original(self, matrix, predicted)

    monkeypatch.setattr(FastExplainer, "_compute", counting)
    changed = frame.head(60).copy()
    changed.iloc[0, 0] = 123.0  # one credit's input changed
    second = explainer.explain(changed)
    assert computed == [11]  # row 0 changed + 10 new rows
    np.testing.assert_array_equal(second.contributions[1:50], first.contributions[1:50])
    fresh = FastExplainer(booster, class_names=CLASSES).explain(changed)
    np.testing.assert_allclose(second.contributions, fresh.contributions, atol=1e-12)


def test_cache_of_another_model_starts_empty(booster, deep_booster, data) -> None:
    frame, _ = data
    one = FastExplainer(booster)
    one.cache = ExplanationCache(one.fingerprint(), width=frame.shape[1] + 1)
    one.explain(frame.head(10))
    arrays = one.cache.to_arrays()
    assert len(ExplanationCache.from_arrays(arrays, one.fingerprint())) == 10
    other = FastExplainer(deep_booster).fingerprint()
    assert other != one.fingerprint()
    assert len(ExplanationCache.from_arrays(arrays, other)) == 0


def test_fallback_to_pred_contrib_gives_the_same_values(booster, data, monkeypatch) -> None:
    frame, _ = data
    fast = FastExplainer(booster).explain(frame.head(30))

    def refuse(forest):  # type: ignore[no-untyped-def]
        raise NotImplementedError("pretend the model is unreadable")

    monkeypatch.setattr(explainer_module, "build_tables", refuse)
    slow = FastExplainer(booster).explain(frame.head(30))
    np.testing.assert_allclose(slow.contributions, fast.contributions, atol=1e-9)
    np.testing.assert_allclose(slow.base, fast.base, atol=1e-9)


def test_threads_and_chunks_do_not_change_values(deep_booster, data) -> None:
    frame, _ = data
    one = FastExplainer(deep_booster, rows_per_chunk=1000).explain(frame)
    many = FastExplainer(deep_booster, threads=2, rows_per_chunk=17, trees_per_block=1).explain(
        frame
    )
    np.testing.assert_allclose(many.contributions, one.contributions, atol=1e-12)


@dataclass
class WrappedModel:
    """Shaped like cbclassify.model.CreditSourceModel: a booster plus its own encoder."""

    booster: lgb.Booster
    columns: list[str]

    @property
    def feature_names(self) -> list[str]:
        return self.columns

    def matrix(self, features: pd.DataFrame) -> np.ndarray:
        return model_matrix(self.booster, features[self.columns])


def test_wrapped_model_uses_its_encoder_and_names(booster, data) -> None:
    frame, _ = data
    wrapped = WrappedModel(booster, list(frame.columns))
    assert booster_of(wrapped) is booster
    shuffled = frame[frame.columns[::-1]].head(20)  # the encoder puts columns in order
    explanation = FastExplainer(wrapped).explain(shuffled)
    assert explanation.feature_names == tuple(frame.columns)
    direct = FastExplainer(booster).explain(frame.head(20))
    np.testing.assert_allclose(explanation.contributions, direct.contributions, atol=1e-12)


def test_top_orders_by_absolute_contribution(booster, data) -> None:
    frame, _ = data
    explanation = FastExplainer(booster).explain(frame.head(25))
    idx, values = explanation.top(3)
    assert idx.shape == (25, 3)
    magnitudes = np.abs(values)
    assert (magnitudes[:, 0] >= magnitudes[:, 1]).all() and (
        magnitudes[:, 1] >= magnitudes[:, 2]
    ).all()
    assert (magnitudes[:, 2] >= np.sort(np.abs(explanation.contributions), axis=1)[:, -3]).all()


def test_not_a_lightgbm_model() -> None:
    with pytest.raises(TypeError, match="not a LightGBM model"):
        FastExplainer(object())


class _Pyfunc:
    """Shaped like mlflow's PyFuncModel around CreditSourcePyfunc."""

    def __init__(self, model: object) -> None:
        self._inner = type("Inner", (), {"model": model})()

    def unwrap_python_model(self) -> object:
        return self._inner


def test_reasons_for_unwraps_a_pyfunc_and_reuses_the_explainer(booster, data) -> None:
    from cbclassify.explain import explainer_for, reasons_for

    frame, _ = data
    wrapped = _Pyfunc(WrappedModel(booster, list(frame.columns)))
    predicted = ["duplicate_payment"] * 5
    column = reasons_for(wrapped, frame.head(5), predicted)
    assert len(column) == 5 and all(
        text.count("toward duplicate payment") + text.count("against duplicate payment") == 3
        for text in column
    )
    assert explainer_for(wrapped, CLASSES) is explainer_for(booster, CLASSES)
