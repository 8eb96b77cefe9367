"""X12 tokenizer: delimiters read from each ISA segment, text split into segments.

Hand-written on purpose (see docs/x12.md, "Why no library"): it is small, it never assumes a
delimiter, it accepts files with or without line breaks after the segment terminator, and it
keeps each segment's 1-based position in the file so that every finding can name it.

Delimiter rules (ASC X12 ISA):
- element separator: the character right after ``ISA`` (position 3);
- sub-element (component) separator: ISA16, the character after the 16th element separator;
- segment terminator: the character right after ISA16; when that character is whitespace,
  the first non-whitespace character after it (some senders put a line break between ISA16
  and the terminator). When that character starts the next segment (a letter or digit), the
  line break itself is the terminator (newline-terminated files).
- repetition separator: ISA11 when it is not a letter or digit (5010), else none (4010).
Every interchange (ISA..IEA) reads its own delimiters, so one file may mix them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

ISA_ELEMENT_COUNT = 16


class X12SyntaxError(ValueError):
    """The text cannot be split into X12 segments; ``segment`` is the 1-based position."""

    def __init__(self, segment: int, message: str) -> None:
        self.segment = segment
        super().__init__(message)


@dataclass(frozen=True)
class Delimiters:
    """The separators of one interchange."""

    element: str
    sub_element: str
    segment: str
    repetition: str | None = None


@dataclass(frozen=True)
class Segment:
    """One X12 segment: ``elements[0]`` is the segment id; ``index`` is its 1-based position."""

    index: int
    elements: tuple[str, ...]
    delimiters: Delimiters
    id: str = field(init=False)  # the segment id (``CLP``, ``SVC``...), upper case

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.elements[0].strip().upper())

    def get(self, position: int) -> str:
        """Element ``position`` (1-based, as in ``CLP04``) stripped; ``""`` when absent."""
        if position < len(self.elements):
            return self.elements[position].strip()
        return ""

    def composite(self, position: int) -> tuple[str, ...]:
        """Element ``position`` split on the sub-element separator, each part stripped."""
        value = self.get(position)
        if not value:
            return ()
        return tuple(part.strip() for part in value.split(self.delimiters.sub_element))


def _skip_whitespace(text: str, pos: int) -> int:
    while pos < len(text) and (text[pos].isspace() or text[pos] == "\ufeff"):
        pos += 1
    return pos


def read_delimiters(text: str, start: int, segment_index: int) -> tuple[Delimiters, int, int]:
    """Read the delimiters of the ISA segment starting at ``start``.

    Returns ``(delimiters, isa_end, next_pos)``: the ISA text is ``text[start:isa_end]`` and the
    next segment starts at ``next_pos`` (just after the segment terminator).
    """
    if not text.startswith("ISA", start) or len(text) < start + 4:
        raise X12SyntaxError(segment_index, "not an X12 interchange: expected an ISA segment")
    element = text[start + 3]
    if element.isalnum() or element.isspace():
        raise X12SyntaxError(segment_index, f"ISA has an invalid element separator {element!r}")
    pos = start + 3
    for _ in range(ISA_ELEMENT_COUNT - 1):
        pos = text.find(element, pos + 1)
        if pos == -1:
            raise X12SyntaxError(segment_index, "ISA segment is truncated (fewer than 16 elements)")
    sub_pos = pos + 1  # ISA16
    if sub_pos >= len(text):
        raise X12SyntaxError(segment_index, "ISA segment is truncated (no ISA16)")
    sub_element = text[sub_pos]
    terminator, next_pos = _read_terminator(text, sub_pos + 1, segment_index)
    if len({element, sub_element, terminator}) < 3 or sub_element.isspace():
        raise X12SyntaxError(
            segment_index,
            f"ISA delimiters are not distinct: element {element!r}, sub-element "
            f"{sub_element!r}, segment {terminator!r}",
        )
    isa_elements = text[start : sub_pos + 1].split(element)
    repetition = isa_elements[11].strip() if len(isa_elements) > 11 else ""
    rep = repetition if len(repetition) == 1 and not repetition.isalnum() else None
    return Delimiters(element, sub_element, terminator, rep), sub_pos + 1, next_pos


def _read_terminator(text: str, pos: int, segment_index: int) -> tuple[str, int]:
    """The segment terminator found at ``pos`` (right after ISA16) and the position after it."""
    if pos >= len(text):
        raise X12SyntaxError(segment_index, "ISA segment has no segment terminator")
    if not text[pos].isspace():
        return text[pos], pos + 1
    first_visible = _skip_whitespace(text, pos)
    if first_visible < len(text) and not text[first_visible].isalnum():
        return text[first_visible], first_visible + 1
    # The line break itself terminates segments (the next segment id follows it).
    whitespace = text[pos:first_visible]
    return ("\n" if "\n" in whitespace else whitespace[:1]), pos + 1


def tokenize(text: str) -> Iterator[Segment]:
    """Split X12 ``text`` into segments, interchange by interchange.

    Raises X12SyntaxError (with the position of the offending segment) when an interchange does
    not start with a readable ISA segment. Segments already yielded stay valid.
    """
    pos = _skip_whitespace(text, 0)
    index = 0
    while pos < len(text):
        index += 1
        isa_start = pos
        delimiters, isa_end, pos = read_delimiters(text, isa_start, index)
        isa_text = text[isa_start:isa_end]
        yield Segment(index, tuple(isa_text.split(delimiters.element)), delimiters)
        while pos < len(text):
            end = text.find(delimiters.segment, pos)
            raw = text[pos:] if end == -1 else text[pos:end]
            pos = len(text) if end == -1 else end + 1
            body = raw.strip()
            if not body:
                continue
            index += 1
            segment = Segment(index, tuple(body.split(delimiters.element)), delimiters)
            yield segment
            if segment.id == "IEA":
                break
        pos = _skip_whitespace(text, pos)
