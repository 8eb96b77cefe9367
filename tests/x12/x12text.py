"""Build small synthetic X12 835 texts for tests (segments written with ``*`` and ``:``)."""

from __future__ import annotations

from collections.abc import Sequence

PAYER = ("N1*PR*ACME HEALTH PLAN*XV*ACME1", "N4*NEWARK*NJ*07101")
PAYEE = ("N1*PE*STEPPING STONES THERAPY*XX*1999999984", "N4*PITTSBURGH*PA*15213")


def isa(control: str = "000000001", version: str = "00501", repetition: str = "^") -> str:
    """An ISA segment (without terminator) in ``*``/``:`` notation, fixed-width like the TR3."""
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "SENDER".ljust(15),
        "ZZ",
        "RECEIVER".ljust(15),
        "240105",
        "1200",
        repetition,
        version,
        control,
        "0",
        "P",
        ":",
    ]
    return "*".join(fields)


def claim(
    claim_id: str = "C1",
    status: str = "1",
    charge: str = "100",
    paid: str = "80",
    services: Sequence[Sequence[str]] = (),
    extra: Sequence[str] = (),
    member: str = "M1",
    icn: str | None = None,
) -> list[str]:
    """A CLP loop: CLP, NM1*QC, claim-level ``extra`` segments, then each service's segments.
    CLP07 (payer claim number) is ``icn``, by default ``ICN`` + the claim id."""
    segments = [
        f"CLP*{claim_id}*{status}*{charge}*{paid}**CI*{f'ICN{claim_id}' if icn is None else icn}",
        f"NM1*QC*1*TESTPATIENT*ZULU****MI*{member}",
        *extra,
    ]
    for service in services:
        segments.extend(service)
    return segments


def transaction_set(
    body: Sequence[str],
    total: str = "80",
    trace: str = "TRACE1",
    control: str = "0001",
    header: Sequence[str] | None = None,
) -> list[str]:
    """ST..SE with BPR/TRN/payer/payee header and a correct SE01."""
    head = (
        list(header)
        if header is not None
        else [
            f"BPR*I*{total}*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20240105",
            f"TRN*1*{trace}*1999999999",
            "DTM*405*20240104",
            *PAYER,
            *PAYEE,
            "LX*1",
        ]
    )
    segments = [f"ST*835*{control}", *head, *body]
    return [*segments, f"SE*{len(segments) + 1}*{control}"]


def interchange(
    sets: Sequence[Sequence[str]],
    control: str = "000000001",
    gs_version: str = "005010X221A1",
    isa_version: str = "00501",
) -> list[str]:
    """ISA/GS/sets/GE/IEA as a list of segments (``*``/``:`` notation)."""
    repetition = "^" if isa_version >= "00501" else "U"
    segments = [
        isa(control, isa_version, repetition),
        f"GS*HP*SENDER*RECEIVER*20240105*1200*{int(control)}*X*{gs_version}",
    ]
    for st in sets:
        segments.extend(st)
    return [*segments, f"GE*{len(sets)}*{int(control)}", f"IEA*1*{control}"]


def render(
    segments: Sequence[str],
    element: str = "*",
    sub: str = ":",
    terminator: str = "~",
    after: str = "\n",
) -> str:
    """Join segments with ``terminator + after``, swapping in the given delimiters."""
    table = str.maketrans({"*": element, ":": sub})
    return "".join(s.translate(table) + terminator + after for s in segments)


def simple_835(**kwargs: str) -> str:
    """One balanced 835 (one claim, one 97110 GP line) rendered with the given delimiters."""
    service = ["SVC*HC:97110:GP*100*80**2", "DTM*472*20240102", "CAS*CO*45*20", "AMT*B6*80"]
    segments = interchange([transaction_set(claim(services=[service]))])
    return render(segments, **kwargs)
