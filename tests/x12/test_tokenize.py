"""Tokenizer: delimiters come from the ISA, line breaks never change the segments."""

from __future__ import annotations

import pytest

from cbclassify.x12 import X12SyntaxError, read_delimiters, tokenize
from x12.x12text import interchange, render, simple_835, transaction_set

BASELINE = [(s.id, s.elements[1:]) for s in tokenize(simple_835())]


def _shape(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Segments after the ISA, with each one's own sub-element separator written as ``:``."""
    return [
        (s.id, tuple(e.replace(s.delimiters.sub_element, ":") for e in s.elements[1:]))
        for s in tokenize(text)
    ][1:]


def test_delimiters_read_from_isa() -> None:
    text = simple_835(element="|", sub=">", terminator="!")
    delimiters, _, _ = read_delimiters(text, 0, 1)
    assert (delimiters.element, delimiters.sub_element, delimiters.segment) == ("|", ">", "!")
    assert delimiters.repetition == "^"


def test_4010_isa11_is_not_a_repetition_separator() -> None:
    text = render(
        interchange([transaction_set([])], isa_version="00401", gs_version="004010X091A1")
    )
    delimiters, _, _ = read_delimiters(text, 0, 1)
    assert delimiters.repetition is None


@pytest.mark.parametrize(
    ("element", "sub", "terminator", "after"),
    [
        ("*", ":", "~", ""),  # one long line
        ("*", ":", "~", "\n"),  # a line break after each terminator
        ("*", ":", "~", "\r\n"),  # Windows line breaks
        ("|", "^", "~", "\n"),
        ("!", "\\", "'", ""),  # unusual but legal choices
    ],
)
def test_same_segments_with_any_delimiters_and_line_breaks(
    element: str, sub: str, terminator: str, after: str
) -> None:
    text = simple_835(element=element, sub=sub, terminator=terminator, after=after)
    segments = list(tokenize(text))
    assert _shape(text) == BASELINE[1:]
    svc = next(s for s in segments if s.id == "SVC")
    assert svc.composite(1) == ("HC", "97110", "GP")


def test_line_break_between_isa16_and_terminator() -> None:
    # "...|^" newline "~GS|..." as some senders write it: the terminator is "~", not the newline.
    text = simple_835(element="|", sub="^", terminator="", after="\n~")
    assert text.startswith("ISA|") and "|^\n~GS|" in text
    delimiters, _, _ = read_delimiters(text, 0, 1)
    assert delimiters.segment == "~"
    assert _shape(text) == BASELINE[1:]


def test_newline_terminated_file() -> None:
    text = simple_835(terminator="", after="\n")
    delimiters, _, _ = read_delimiters(text, 0, 1)
    assert delimiters.segment == "\n"
    assert _shape(text) == BASELINE[1:]


def test_each_interchange_reads_its_own_delimiters() -> None:
    first = simple_835()
    second = render(
        interchange([transaction_set([], control="0002")], control="000000002"),
        element="|",
        sub=">",
        terminator="!",
    )
    segments = list(tokenize(first + "\n\n" + second))
    isas = [s for s in segments if s.id == "ISA"]
    assert [s.delimiters.element for s in isas] == ["*", "|"]
    assert [s.get(13) for s in isas] == ["000000001", "000000002"]
    assert [s.index for s in segments] == list(range(1, len(segments) + 1))


def test_segment_positions_are_one_based_and_skip_blank_lines() -> None:
    text = simple_835(after="\n\n")
    segments = list(tokenize(text))
    assert segments[0].id == "ISA" and segments[0].index == 1
    assert segments[-1].id == "IEA" and segments[-1].index == len(segments)


def test_bom_and_leading_whitespace_are_skipped() -> None:
    assert _shape("\ufeff\n  " + simple_835()) == BASELINE[1:]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello world", "expected an ISA"),
        ("ISA*00*  *00", "truncated"),
        ("ISAA00", "invalid element separator"),
        (simple_835().replace(":~", "::", 1), "not distinct"),
    ],
)
def test_unreadable_isa_is_reported_with_position(text: str, message: str) -> None:
    with pytest.raises(X12SyntaxError, match=message) as info:
        list(tokenize(text))
    assert info.value.segment == 1


def test_garbage_after_an_interchange_reports_its_position() -> None:
    text = simple_835() + "not x12 at all"
    with pytest.raises(X12SyntaxError) as info:
        list(tokenize(text))
    assert info.value.segment == len(BASELINE) + 1
