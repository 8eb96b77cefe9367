"""Fixtures for feature tests."""

from __future__ import annotations

import pytest
from feature_ledgers import four_source_builder

from cbclassify.contract.ledger import Ledger


@pytest.fixture
def four_sources() -> Ledger:
    """The ledger of ``four_source_builder``."""
    return four_source_builder().build()
