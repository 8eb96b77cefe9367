"""Shared synthetic practices for the synth tests (generated once per session)."""

from __future__ import annotations

import pytest

from cbclassify.synth import SynthConfig, SynthPractice, generate_practice

#: A moderate practice: large enough for every variant, small enough for a quick test run.
MODERATE = SynthConfig(claims=2500, seed=7)


@pytest.fixture(scope="session")
def practice() -> SynthPractice:
    return generate_practice(MODERATE)
