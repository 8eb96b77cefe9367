"""Walk the X12 envelopes of one file (ISA/GS/ST..SE/GE/IEA) and parse every 835 set in it.

Pure: text in, remittances and findings out. One bad transaction set (not an 835, no SE,
an unreadable segment) is reported with its position and skipped; the others still convert.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cbclassify.x12.model import Finding, Remittance, Severity
from cbclassify.x12.remittance import RemittanceError, parse_transaction_set
from cbclassify.x12.tokenize import Segment, X12SyntaxError, tokenize


@dataclass
class FileResult:
    """What one file held: its converted remittances, its findings, how many ST sets it had."""

    file: str
    remittances: list[Remittance] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    transaction_sets: int = 0

    def add(
        self, segment: int | None, st: str | None, severity: Severity, code: str, message: str
    ) -> None:
        """Record a finding about this file."""
        self.findings.append(Finding(self.file, segment, st, severity, code, message))


@dataclass
class _Envelope:
    interchange_control: str = ""
    functional_id: str = ""
    group_control: str = ""
    version: str = ""


def read_835(text: str, file: str) -> FileResult:
    """Parse every 835 transaction set in ``text`` (the content of ``file``, a display name)."""
    result = FileResult(file)
    envelope = _Envelope()
    current: list[Segment] | None = None
    segments = tokenize(text)
    try:
        for seg in segments:
            sid = seg.id
            if sid in ("ISA", "GS", "GE", "IEA", "ST") and current is not None:
                _unterminated(result, current, seg)
                current = None
            if sid == "ISA":
                envelope = _Envelope(interchange_control=seg.get(13))
            elif sid == "GS":
                envelope.functional_id, envelope.group_control = seg.get(1), seg.get(6)
                envelope.version = seg.get(8)
            elif sid == "ST":
                current = [seg]
            elif sid == "SE" and current is not None:
                current.append(seg)
                _transaction_set(result, envelope, current)
                current = None
            elif current is not None:
                current.append(seg)
            elif sid not in ("GE", "IEA"):
                result.add(
                    seg.index,
                    None,
                    "warning",
                    "outside_set",
                    f"{sid} segment outside any ST/SE transaction set: ignored",
                )
    except X12SyntaxError as exc:
        result.add(
            exc.segment,
            None,
            "error",
            "not_x12" if exc.segment == 1 else "malformed",
            f"{exc}; the rest of the file was not read",
        )
    if current is not None:
        _unterminated(result, current, None)
    if result.transaction_sets == 0 and not any(f.severity == "error" for f in result.findings):
        result.add(None, None, "error", "empty", "no transaction set (ST..SE) in the file")
    return result


def _unterminated(result: FileResult, current: list[Segment], at: Segment | None) -> None:
    result.transaction_sets += 1
    where = f"before the {at.id} at segment {at.index}" if at is not None else "at end of file"
    result.add(
        current[0].index,
        current[0].get(2),
        "error",
        "malformed",
        f"transaction set has no SE trailer ({where}; file truncated?): not converted",
    )


def _transaction_set(result: FileResult, envelope: _Envelope, segments: list[Segment]) -> None:
    result.transaction_sets += 1
    st, se = segments[0], segments[-1]
    control = st.get(2)
    if st.get(1) != "835":
        kind = {"837": "an 837 claim", "277": "a 277 claim status", "999": "a 999 ack"}.get(
            st.get(1), f"an X12 {st.get(1) or '(blank)'} transaction"
        )
        result.add(
            st.index,
            control,
            "error",
            "not_835",
            f"not an 835 remittance: ST01={st.get(1)!r} (GS01={envelope.functional_id!r},"
            f" {kind}): not converted",
        )
        return
    if se.get(1) != str(len(segments)):
        result.add(
            se.index,
            control,
            "warning",
            "se_count",
            f"SE01 says {se.get(1)!r} segments, the set has {len(segments)}",
        )
    if se.get(2) != control:
        result.add(
            se.index,
            control,
            "warning",
            "se_control",
            f"SE02 {se.get(2)!r} does not match ST02 {control!r}",
        )
    remittance = Remittance(
        file=result.file,
        st_segment=st.index,
        st_control=control,
        interchange_control=envelope.interchange_control,
        group_control=envelope.group_control,
        version=envelope.version or st.get(3),
    )
    try:
        parse_transaction_set(remittance, segments[1:-1])
    except RemittanceError as exc:
        result.findings.extend(remittance.findings)
        result.add(exc.segment, control, "error", "malformed", f"{exc}: set not converted")
        return
    result.findings.extend(remittance.findings)
    remittance.findings = []
    result.remittances.append(remittance)
