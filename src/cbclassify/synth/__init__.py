"""Synthetic therapy practices with injected, exactly labelled credit balances.

``generate_practice(SynthConfig(...))`` returns a ``SynthPractice`` (ledger + truth);
``write_practice`` writes it as a ledger folder plus ``synth_truth.csv`` (see docs/synth.md).
"""

from cbclassify.synth.config import SynthConfig, SynthPractice
from cbclassify.synth.generate import generate_practice
from cbclassify.synth.truth import TRUTH_COLUMNS
from cbclassify.synth.write import TRUTH_FILE, read_truth, write_practice

__all__ = [
    "TRUTH_COLUMNS",
    "TRUTH_FILE",
    "SynthConfig",
    "SynthPractice",
    "generate_practice",
    "read_truth",
    "write_practice",
]
