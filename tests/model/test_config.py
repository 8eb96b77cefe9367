"""The training configuration file and its validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbclassify.model.config import TrainingConfig, TrainingConfigError, load_training_config

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_yaml_states_the_defaults():
    assert load_training_config(REPO / "training" / "config.yaml") == TrainingConfig()


def test_unknown_keys_are_errors_naming_file_and_key(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("seed: 1\nlightgbm:\n  num_leafs: 3\n")
    with pytest.raises(TrainingConfigError) as err:
        load_training_config(path)
    assert str(path) in str(err.value) and "lightgbm.num_leafs" in str(err.value)


def test_values_are_checked(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("split:\n  test_share: 1.5\nclass_weight: sometimes\n")
    with pytest.raises(TrainingConfigError) as err:
        load_training_config(path)
    assert "split.test_share" in str(err.value) and "class_weight" in str(err.value)


def test_not_a_mapping_and_unreadable(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(TrainingConfigError, match="mapping"):
        load_training_config(path)
    with pytest.raises(TrainingConfigError, match="cannot read"):
        load_training_config(tmp_path / "absent.yaml")
