"""Mutations of 835 texts for fuzzing the parser and converter (tests/x12/test_fuzz.py).

Each mutation takes a ``Chooser`` (hypothesis ``draw`` in the suite, ``random.Random`` in the
one-off run below) and a text, and returns the mutated text: a character flipped, a segment
deleted or duplicated, an element replaced by a random value (huge numbers, dates out of range,
text), a random segment inserted, the delimiters swapped, the text truncated.

The property (``convert_or_report``): reading and converting any text raises nothing; every
problem comes back as a finding naming the file.

One-off run with a count and a seed (prints the examples run and the crashes by type)::

    PYTHONPATH=src:. python tests/x12/mutations.py --count 2500 --seed 1
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

T = TypeVar("T")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "x12"

#: Values put into elements: huge and long numbers, signs, exponents, dates out of range, text.
ELEMENT_VALUES = (
    "1" + "0" * 19,
    "9" * 25,
    "-" + "9" * 30 + ".99",
    "9" * 29,
    "0." + "0" * 40 + "1",
    "99999999999999999.99",
    "9999999999999999.99",
    "999999999999999.995",
    "1E+999",
    "NaN",
    "-Infinity",
    ".",
    "-",
    "+-1",
    "１２",  # full-width digits
    "٣",  # Arabic-Indic digit
    "99991231",
    "00010101",
    "16770101",
    "20240230",
    "",
    " ",
    "22",
    "-0",
    "QC",
    "HC:97110:GP",
    "HC:",
    ":::",
    "X" * 300,
)

SEGMENT_IDS = ("CLP", "SVC", "CAS", "NM1", "DTM", "AMT", "PLB", "BPR", "TRN", "N1", "REF", "LX")
DELIMITER_CHARS = ("*", "~", ":", "^", "|", ">", "\n", "\r", " ", "A", "1", "\x00", "\ufeff")


class Chooser(Protocol):
    """What a mutation needs: a whole number in a range and an item of a sequence."""

    def integer(self, low: int, high: int) -> int: ...

    def choice(self, items: Sequence[T]) -> T: ...


class RandomChooser:
    """``Chooser`` over ``random.Random`` (the one-off run)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]


def _separators(text: str) -> tuple[str, str]:
    """(element separator, segment terminator) of the first ISA, else ``*`` and ``~``."""
    from cbclassify.x12.tokenize import X12SyntaxError, read_delimiters

    start = len(text) - len(text.lstrip())
    try:
        found, _, _ = read_delimiters(text, start, 1)
    except (X12SyntaxError, IndexError):
        return "*", "~"
    return found.element, found.segment


def _split(text: str) -> tuple[list[str], str, str]:
    element, terminator = _separators(text)
    return text.split(terminator), element, terminator


def flip_character(c: Chooser, text: str) -> str:
    if not text:
        return text
    i = c.integer(0, len(text) - 1)
    replacement = c.choice(DELIMITER_CHARS + ("0", "9", "-", ".", "Z", "\u00e9", "\ud7ff"))
    return text[:i] + replacement + text[i + 1 :]


def delete_segment(c: Chooser, text: str) -> str:
    parts, _, terminator = _split(text)
    if len(parts) > 1:
        del parts[c.integer(0, len(parts) - 1)]
    return terminator.join(parts)


def duplicate_segment(c: Chooser, text: str) -> str:
    parts, _, terminator = _split(text)
    i = c.integer(0, len(parts) - 1)
    parts.insert(i, parts[i])
    return terminator.join(parts)


def replace_element(c: Chooser, text: str) -> str:
    parts, element, terminator = _split(text)
    i = c.integer(0, len(parts) - 1)
    elements = parts[i].split(element)
    j = c.integer(0, len(elements) - 1)
    elements[j] = c.choice(ELEMENT_VALUES)
    parts[i] = element.join(elements)
    return terminator.join(parts)


def insert_segment(c: Chooser, text: str) -> str:
    parts, element, terminator = _split(text)
    fields = [c.choice(SEGMENT_IDS)]
    fields += [c.choice(ELEMENT_VALUES) for _ in range(c.integer(0, 14))]
    parts.insert(c.integer(0, len(parts)), "\n" + element.join(fields))
    return terminator.join(parts)


def swap_delimiter(c: Chooser, text: str) -> str:
    old = c.choice(("*", "~", ":", "|", "^", ">", "\n"))
    return text.replace(old, c.choice(DELIMITER_CHARS))


def truncate(c: Chooser, text: str) -> str:
    return text[: c.integer(0, len(text))]


MUTATIONS: tuple[Callable[[Chooser, str], str], ...] = (
    flip_character,
    delete_segment,
    duplicate_segment,
    replace_element,
    replace_element,
    insert_segment,
    swap_delimiter,
    truncate,
)


def mutate(c: Chooser, text: str) -> str:
    """One to four mutations of ``text``."""
    for _ in range(c.integer(1, 4)):
        text = c.choice(MUTATIONS)(c, text)
    return text


def base_texts() -> list[tuple[str, str]]:
    """(name, text) to mutate: a built-in 835, the project's fixtures, the shared samples."""
    from x12.x12text import simple_835

    texts = [("built-in.835", simple_835())]
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.835"))]
    if SHARED.is_dir():
        texts += [
            (p.name, p.read_text(encoding="utf-8"))
            for p in sorted(SHARED.iterdir())
            if p.is_file() and p.suffix != ".md"
        ]
    return texts


def convert_or_report(name: str, text: str, validate: bool = False) -> None:
    """Read and convert ``text``; raises only if the parser or converter lets an error out.

    ``validate``: also write the converted ledger and read it back through the contract
    validation (as the service does), which raises LedgerValidationError if it does not hold.
    """
    from cbclassify.x12 import convert_remittances, read_835
    from cbclassify.x12.summary import format_summary

    parsed = read_835(text, name)
    result = convert_remittances(parsed.remittances)
    format_summary([parsed], result, "out", merged=False, verbose=True)
    for finding in parsed.findings + result.findings:
        assert finding.file == name, finding
    if validate and result.converted:
        from cbclassify.ledger_io import read_ledger, write_ledger

        with tempfile.TemporaryDirectory() as scratch:
            write_ledger(result.ledger, scratch, "csv")
            read_ledger(Path(scratch))


def main(argv: list[str] | None = None) -> int:
    """The one-off fuzz: ``--count`` mutations from ``--seed``; prints crashes by type."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=3, help="tracebacks shown per crash type")
    parser.add_argument("--validate", action="store_true", help="read the ledger back too")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    chooser = RandomChooser(rng)
    bases = base_texts()
    crashes: Counter[str] = Counter()
    for n in range(args.count):
        name, text = chooser.choice(bases)
        mutated = mutate(chooser, text)
        try:
            convert_or_report(name, mutated, args.validate)
        except Exception as exc:  # noqa: BLE001 - counting every escape is the point
            kind = f"{type(exc).__name__} at {traceback.extract_tb(exc.__traceback__)[-1].name}"
            crashes[kind] += 1
            if crashes[kind] <= args.show:
                print(f"--- example {n} ({name}): {kind}: {str(exc)[:200]}")
    print(f"bases: {len(bases)}; mutations run: {args.count}; crashes: {sum(crashes.values())}")
    for kind, count in crashes.most_common():
        print(f"  {count:5d}  {kind}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for x12.x12text
    sys.exit(main())
