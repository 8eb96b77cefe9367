"""Loading the champion from a real (local, SQLite) MLflow registry."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cbclassify.service.champion import NoChampionError, load_champion
from cbclassify.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))


@pytest.mark.slow
def test_load_champion_by_alias_and_refuse_when_none(tmp_path: Path) -> None:
    import mlflow
    import pandas as pd
    from api_helpers import tiny_champion

    from cbclassify.features import FEATURE_NAMES
    from cbclassify.model.pyfunc import log_pyfunc
    from cbclassify.model.registry import register
    from cbclassify.model.tracking import configure, experiment_id

    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(NoChampionError, match="champion"):
        load_champion(settings)
    client = configure(settings)
    model = tiny_champion().predictor
    features = pd.DataFrame({c: [0.0] * 3 for c in FEATURE_NAMES})
    with mlflow.start_run(experiment_id=experiment_id(client, "service-test", settings)) as run:
        info = log_pyfunc(model, features, tmp_path)
    registration = register(client, settings.registered_model_name, info.model_uri, run.info.run_id)
    loaded = load_champion(settings)
    assert loaded.ref.version == registration.version == "1"
    assert loaded.ref.run_id == run.info.run_id and loaded.uri.endswith("/1")
    proba = loaded.predictor.predict_proba(features)
    assert proba.shape == (3, 4) and abs(proba.sum(axis=1) - 1).max() < 1e-9
