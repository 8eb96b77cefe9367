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
  own, so they do not tell claims apart), unless they share neither the billed charge nor a
  procedure code (then they are not one claim billed to two payers).
Any other occurrence is a separate claim: ``CLP01~CLP07`` (``CLP01~2``, ``~3``... without a
usable CLP07), with a finding naming both CLP positions. Claims the ledger already holds under
the CLP01 (``HeldClaim``: its patient pseudonym, payers, charge and procedure codes) take part
like claims of the batch: a CLP of another patient from the payer the held claim's patient came
from, or with no charge and no procedure code in common, is not that claim. Re-converting the
same file gives the same ids. Pure: occurrences in, claim ids and findings out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
    """One CLP loop with the remittance it came in (``era_id``) and its payer.

    ``patient_id``: the patient pseudonym of its payer + NM1*QC member id (blank without one).
    """

    era_id: str
    payer_id: str
    remittance: Remittance
    claim: ClaimPayment
    patient_id: str = ""

    @property
    def key(self) -> ClaimKey:
        return (self.era_id, self.claim.segment)

    @property
    def charge_cents(self) -> int:
        return abs(self.claim.charge_cents)  # a reversal restates the billed charge

    @property
    def procedures(self) -> frozenset[str]:
        return frozenset(s.procedure for s in self.claim.usable_services)


@dataclass(frozen=True)
class HeldClaim:
    """A claim the ledger already holds, as far as its claim lines tell.

    ``patient_id``: its patient when that is a member pseudonym (blank: the claim is its own
    patient, no member id was known); ``payers``: the payer_id and secondary_payer_id named on
    it; ``charge_cents``: the sum of its lines; ``procedures``: their CPT codes (no placeholder).
    """

    claim_id: str
    patient_id: str
    payers: frozenset[str]
    charge_cents: int
    procedures: frozenset[str]


@dataclass
class _Claim:
    """The occurrences read as one claim so far: per payer, their CLP07s and member ids; the
    charges and procedure codes seen; what the ledger holds of it (``held``)."""

    claim_id: str
    held: HeldClaim | None = None
    first: dict[str, ClaimOccurrence] = field(default_factory=dict)  # per payer
    numbers: dict[str, set[str]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    charges: set[int] = field(default_factory=set)
    procedures: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.held is not None:
            self.charges.add(self.held.charge_cents)
            self.procedures |= self.held.procedures

    def add(self, occ: ClaimOccurrence) -> None:
        self.first.setdefault(occ.payer_id, occ)
        if occ.claim.payer_claim_number:
            self.numbers.setdefault(occ.payer_id, set()).add(occ.claim.payer_claim_number)
        if occ.claim.member_id:
            self.members.setdefault(occ.payer_id, set()).add(occ.claim.member_id)
        self.charges.add(occ.charge_cents)
        self.procedures |= occ.procedures

    def holds_number(self, occ: ClaimOccurrence) -> bool:
        return occ.claim.payer_claim_number in self.numbers.get(occ.payer_id, ())

    def _other_patient(self, occ: ClaimOccurrence) -> bool:
        members = self.members.get(occ.payer_id, set())
        if occ.claim.member_id and members:
            return occ.claim.member_id not in members
        held = self.held
        # the held patient is a pseudonym of this payer's member id when it is the only payer
        return bool(
            held is not None
            and occ.patient_id
            and held.patient_id
            and held.payers == {occ.payer_id}
            and held.patient_id != occ.patient_id
        )

    def conflict(self, occ: ClaimOccurrence) -> str | None:
        """Why ``occ`` is not this claim: another patient or CLP07 from the same payer, or
        neither the charge nor a procedure code in common (whatever the payer)."""
        reasons = []
        if self._other_patient(occ):
            reasons.append("another patient (NM1*QC member id)")
        numbers = self.numbers.get(occ.payer_id, set())
        if occ.claim.payer_claim_number and numbers and not self.holds_number(occ):
            reasons.append("another payer claim number (CLP07)")
        if occ.charge_cents not in self.charges and not (occ.procedures & self.procedures):
            reasons.append("another charge (CLP03) and no procedure code (SVC01) in common")
        return " and ".join(reasons) or None


@dataclass
class ClaimIdentities:
    """The ledger claim id of every CLP loop, and a finding for each claim split off."""

    claim_ids: dict[ClaimKey, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class _Assigner:
    """Places the occurrences of one CLP01, in batch order, into claims: first the claims the
    ledger holds under it (the bare CLP01, then its splits), then those the batch adds."""

    def __init__(self, clp01: str, held: Sequence[HeldClaim], taken: set[str]) -> None:
        self.clp01, self.taken = clp01, taken
        self.claims = [_Claim(h.claim_id, h) for h in held]
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
        if not number:
            return None
        return next((c for c in self.claims if c.claim_id == claim_id and c.held), None)

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
    first = bare.first.get(occ.payer_id) or next(iter(bare.first.values()), None)
    if bare.held is not None or first is None:
        where = "the claim the ledger holds"
    else:
        where = f"the claim at segment {first.claim.segment}"
        if first.remittance.file != occ.remittance.file:
            where = f"the claim at {first.remittance.file}, segment {first.claim.segment}"
    return Finding(
        occ.remittance.file,
        occ.claim.segment,
        occ.remittance.st_control,
        "warning",
        "claim_split",
        f"CLP01 repeats {where} with {bare.conflict(occ)}, and is not the correction of a "
        f"reversal: converted as a separate claim (claim_id: the CLP01, '~' and {suffix})",
    )


def _held_by_clp01(
    held: Mapping[str, HeldClaim], clp01s: AbstractSet[str]
) -> dict[str, list[HeldClaim]]:
    """The ledger's claims under each CLP01: the bare CLP01 first, then its ``CLP01~...`` splits
    (a split's suffix holds no ``~``), in ledger order."""
    bare: dict[str, list[HeldClaim]] = {}
    splits: dict[str, list[HeldClaim]] = {}
    for claim_id, claim in held.items():
        if claim_id in clp01s:
            bare.setdefault(claim_id, []).append(claim)
        base = claim_id.rpartition("~")[0]
        if base in clp01s:
            splits.setdefault(base, []).append(claim)
    return {c: bare.get(c, []) + splits.get(c, []) for c in clp01s}


def assign_claim_ids(
    occurrences: Sequence[ClaimOccurrence], held: Mapping[str, HeldClaim] | None = None
) -> ClaimIdentities:
    """The ledger claim id of each occurrence (batch order); ``held``: the ledger's claims."""
    held = held or {}
    by_clp01: dict[str, list[ClaimOccurrence]] = {}
    for occ in occurrences:
        by_clp01.setdefault(occ.claim.claim_id, []).append(occ)
    taken = set(held) | set(by_clp01)
    out = ClaimIdentities()
    held_under = _held_by_clp01(held, by_clp01.keys())
    for clp01, occs in by_clp01.items():
        assigner = _Assigner(clp01, held_under[clp01], taken)
        for occ in occs:
            out.claim_ids[occ.key] = assigner.place(occ, out)
    return out
