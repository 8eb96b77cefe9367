"""Which ledger claim each CLP loop of a batch posts to (docs/x12.md, "Claim identity").

CLP01 (the provider's patient control number) names the claim, but one CLP01 can come back for
another claim: another patient (NM1*QC member id) or another adjudication (CLP07, the payer
claim number) from the same payer. Within a batch, occurrences of one CLP01 are the same claim
when they:
- come from the same payer with the same CLP07 (a re-sent remittance) and the same member id
  (blank values match anything);
- are a reversal (CLP02 = 22) of a CLP07 the claim holds, or the next CLP of that payer after a
  reversal (its correction, whatever its CLP07 or member id);
- come from different payers (coordination of benefits: CLP07 and member ids are each payer's
  own, so they do not tell claims apart).
Any other occurrence is a separate claim: ``CLP01~CLP07`` (``CLP01~2``, ``~3``... without a
usable CLP07), with a finding naming both CLP positions. A claim split in an earlier batch is
found again in the ledger by that id. Pure: occurrences in, claim ids and findings out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from cbclassify.x12.model import ClaimPayment, Finding, Remittance

_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]")
#: (era_id, CLP segment position): one CLP loop of a batch.
ClaimKey = tuple[str, int]


def id_part(text: str) -> str:
    """An id component safe in file names and URLs: other characters become ``_``."""
    return _UNSAFE_ID_CHARS.sub("_", text.strip())


@dataclass(frozen=True)
class ClaimOccurrence:
    """One CLP loop with the remittance it came in (``era_id``) and its payer."""

    era_id: str
    payer_id: str
    remittance: Remittance
    claim: ClaimPayment

    @property
    def key(self) -> ClaimKey:
        return (self.era_id, self.claim.segment)


@dataclass
class _Claim:
    """The occurrences read as one claim so far: per payer, their CLP07s and member ids."""

    claim_id: str
    first: dict[str, ClaimOccurrence] = field(default_factory=dict)  # per payer
    numbers: dict[str, set[str]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)

    def add(self, occ: ClaimOccurrence) -> None:
        self.first.setdefault(occ.payer_id, occ)
        if occ.claim.payer_claim_number:
            self.numbers.setdefault(occ.payer_id, set()).add(occ.claim.payer_claim_number)
        if occ.claim.member_id:
            self.members.setdefault(occ.payer_id, set()).add(occ.claim.member_id)

    def holds_number(self, occ: ClaimOccurrence) -> bool:
        return occ.claim.payer_claim_number in self.numbers.get(occ.payer_id, ())

    def conflict(self, occ: ClaimOccurrence) -> str | None:
        """Why ``occ`` is not this claim (another patient or CLP07 from the same payer)."""
        reasons = []
        members = self.members.get(occ.payer_id, set())
        if occ.claim.member_id and members and occ.claim.member_id not in members:
            reasons.append("another patient (NM1*QC member id)")
        numbers = self.numbers.get(occ.payer_id, set())
        if occ.claim.payer_claim_number and numbers and not self.holds_number(occ):
            reasons.append("another payer claim number (CLP07)")
        return " and ".join(reasons) or None


@dataclass
class ClaimIdentities:
    """The ledger claim id of every CLP loop, and a finding for each claim split off."""

    claim_ids: dict[ClaimKey, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class _Assigner:
    """Places the occurrences of one CLP01, in batch order, into claims."""

    def __init__(self, clp01: str, held: AbstractSet[str], taken: set[str]) -> None:
        self.clp01, self.held, self.taken = clp01, held, taken
        self.claims: list[_Claim] = []
        self.after_reversal: dict[str, _Claim] = {}  # payer -> claim its last reversal hit

    def place(self, occ: ClaimOccurrence, out: ClaimIdentities) -> str:
        target = self._held_split(occ) or self._reversal_pair(occ)
        if target is None:
            target = next((c for c in self.claims if c.conflict(occ) is None), None)
        if target is None:
            target = self._new_claim(occ, out)
        target.add(occ)
        if occ.claim.is_reversal:
            self.after_reversal[occ.payer_id] = target
        else:
            self.after_reversal.pop(occ.payer_id, None)
        return target.claim_id

    def _held_split(self, occ: ClaimOccurrence) -> _Claim | None:
        """The claim split off in an earlier batch under ``CLP01~CLP07``, when the ledger has it."""
        number = id_part(occ.claim.payer_claim_number)
        claim_id = f"{self.clp01}~{number}"
        if not number or claim_id not in self.held:
            return None
        found = next((c for c in self.claims if c.claim_id == claim_id), None)
        if found is None:
            found = _Claim(claim_id)
            self.claims.append(found)
        return found

    def _reversal_pair(self, occ: ClaimOccurrence) -> _Claim | None:
        if not occ.claim.is_reversal:
            return self.after_reversal.get(occ.payer_id)  # the correction of a reversal
        return next((c for c in self.claims if c.holds_number(occ)), None)

    def _new_claim(self, occ: ClaimOccurrence, out: ClaimIdentities) -> _Claim:
        bare = next((c for c in self.claims if c.claim_id == self.clp01), None)
        if bare is None:
            claim = _Claim(self.clp01)
        else:
            claim_id, suffix = self._split_id(occ)
            claim = _Claim(claim_id)
            out.findings.append(_split_finding(occ, bare, suffix))
        self.claims.append(claim)
        return claim

    def _split_id(self, occ: ClaimOccurrence) -> tuple[str, str]:
        """``CLP01~CLP07``, else (no CLP07, or that id taken) ``CLP01~2``, ``~3``..., and which."""
        number = id_part(occ.claim.payer_claim_number)
        if number and f"{self.clp01}~{number}" not in self.taken:
            claim_id, suffix = f"{self.clp01}~{number}", "its CLP07"
        else:
            n = 2
            while f"{self.clp01}~{n}" in self.taken:
                n += 1
            claim_id, suffix = f"{self.clp01}~{n}", "a number"
        self.taken.add(claim_id)
        return claim_id, suffix


def _split_finding(occ: ClaimOccurrence, bare: _Claim, suffix: str) -> Finding:
    """The split, by positions only (no claim, payer claim or member ids)."""
    first = bare.first[occ.payer_id]  # the conflict is with this payer's own CLP
    where = f"segment {first.claim.segment}"
    if first.remittance.file != occ.remittance.file:
        where = f"{first.remittance.file}, {where}"
    return Finding(
        occ.remittance.file,
        occ.claim.segment,
        occ.remittance.st_control,
        "warning",
        "claim_split",
        f"CLP01 repeats the claim at {where} from the same payer with {bare.conflict(occ)}, "
        f"and is not the correction of a reversal: converted as a separate claim (claim_id: "
        f"the CLP01, '~' and {suffix})",
    )


def assign_claim_ids(
    occurrences: Sequence[ClaimOccurrence], held: AbstractSet[str] = frozenset()
) -> ClaimIdentities:
    """The ledger claim id of each occurrence (batch order); ``held``: the ledger's claim ids."""
    by_clp01: dict[str, list[ClaimOccurrence]] = {}
    for occ in occurrences:
        by_clp01.setdefault(occ.claim.claim_id, []).append(occ)
    taken = set(held) | set(by_clp01)
    out = ClaimIdentities()
    for clp01, occs in by_clp01.items():
        assigner = _Assigner(clp01, held, taken)
        for occ in occs:
            out.claim_ids[occ.key] = assigner.place(occ, out)
    return out
