"""Property-based fuzz of the 835 parser and converter: no exception escapes, whatever the text.

Mutations (tests/x12/mutations.py) of a built-in 835, the project's fixtures and, when present,
the shared samples in ../shared/testdata/x12: characters flipped, segments deleted, duplicated
or inserted, elements replaced by huge numbers, out-of-range dates or text, delimiters swapped,
the text truncated. ``CBCLASSIFY_X12_FUZZ_EXAMPLES`` raises the example count (default 300).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from x12.mutations import base_texts, convert_or_report, mutate

T = TypeVar("T")
BASES = base_texts()
EXAMPLES = int(os.environ.get("CBCLASSIFY_X12_FUZZ_EXAMPLES", "300"))


class _DrawChooser:
    """The mutations' ``Chooser`` over hypothesis ``draw`` (so failures shrink)."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def choice(self, items: Sequence[T]) -> T:
        return self.draw(st.sampled_from(items))


@st.composite
def mutated_835(draw: st.DrawFn) -> tuple[str, str]:
    name, text = draw(st.sampled_from(BASES))
    return name, mutate(_DrawChooser(draw), text)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_835())
def test_no_exception_escapes_the_835_parser(case: tuple[str, str]) -> None:
    convert_or_report(*case)
