"""The practice's resolution policy: configuration, not code (docs/policies.md).

A YAML file validated by pydantic (unknown keys are errors); ``load_policy`` is the only file read
in ``verify``/``resolve`` and reports every problem with the path of the YAML field at fault.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cbclassify.contract.enums import PAYER_TYPES

Days = Annotated[int, Field(ge=0, le=3650)]
StateCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OffsetPolicy(_Strict):
    """Overrides of ``payers.allows_offset``."""

    allow: list[str] = Field(
        default_factory=list, description="payer_ids that may recoup by offset"
    )
    deny: list[str] = Field(default_factory=list, description="payer_ids that must get a refund")


class PatientCreditPolicy(_Strict):
    """What happens to a patient's confirmed credit."""

    apply_to_other_balances: bool = True
    apply_to_deductible_balances: bool = True
    refund_days: Days = 30


class RefundPolicy(_Strict):
    """Refunds at or above the threshold need a manager's approval before they go out."""

    approval_threshold: Decimal = Field(default=Decimal("500.00"), ge=0, decimal_places=2)

    @property
    def approval_threshold_cents(self) -> int:
        return int(self.approval_threshold * 100)


class PromptPayRule(_Strict):
    """A state's prompt-pay / overpayment-refund rule for the payer types it covers."""

    refund_days: Days
    payer_types: list[str] = Field(default_factory=lambda: ["commercial"])
    citation: str = ""

    @field_validator("payer_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PAYER_TYPES))
        if unknown:
            raise ValueError(f"unknown payer types {unknown}; expected some of {list(PAYER_TYPES)}")
        return value


class DeadlinePolicy(_Strict):
    """Refund deadlines (days from identification) and where a claim's state comes from."""

    government_days: Days = 60
    investigation_suspension_max_days: Days = 180
    payer_type_days: dict[str, Days] = Field(
        default_factory=lambda: {"commercial": 60, "tricare": 60, "workers_comp": 60, "other": 60}
    )
    payer_days: dict[str, Days] = Field(default_factory=dict)
    internal_correction_days: Days = 30
    prompt_pay: dict[StateCode, PromptPayRule] = Field(default_factory=dict)
    practice_state: StateCode | None = None
    location_states: dict[str, StateCode] = Field(default_factory=dict)

    @field_validator("payer_type_days")
    @classmethod
    def _known_payer_types(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(PAYER_TYPES))
        if unknown:
            raise ValueError(f"unknown payer types {unknown}; expected some of {list(PAYER_TYPES)}")
        return value


class UnclaimedPropertyPolicy(_Strict):
    """Dormancy before an unclaimed patient credit is reported to the state (escheat)."""

    default_dormancy_years: Annotated[int, Field(ge=1, le=15)] = 3
    state_dormancy_years: dict[StateCode, Annotated[int, Field(ge=1, le=15)]] = Field(
        default_factory=dict
    )


class VerificationPolicy(_Strict):
    """When a verdict may carry an action."""

    confirm_ledger_source: bool = Field(
        default=False,
        description=(
            "where the ledger proves a source other than the predicted one, confirm the "
            "ledger's source and recommend its action (default: refuted, no action, a biller "
            "decides)"
        ),
    )


class Policy(_Strict):
    """A practice's resolution policy."""

    version: int = Field(default=1, ge=1, le=1)
    offsets: OffsetPolicy = Field(default_factory=OffsetPolicy)
    patient_credits: PatientCreditPolicy = Field(default_factory=PatientCreditPolicy)
    refunds: RefundPolicy = Field(default_factory=RefundPolicy)
    deadlines: DeadlinePolicy = Field(default_factory=DeadlinePolicy)
    unclaimed_property: UnclaimedPropertyPolicy = Field(default_factory=UnclaimedPropertyPolicy)
    verification: VerificationPolicy = Field(default_factory=VerificationPolicy)


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and each field at fault."""


def parse_policy(data: object, source: str = "policy") -> Policy:
    """Validate an already-parsed YAML document into a Policy (pure)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping of policy sections at the top level")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source}: {len(exc.errors())} problem(s) in the policy:"]
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"]) or "(top level)"
            message = (
                "unknown field (not part of the policy)"
                if err["type"] == "extra_forbidden"
                else err["msg"]
            )
            lines.append(f"  - {path}: {message}")
        raise PolicyError("\n".join(lines)) from None


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy YAML file (the edge function of resolve: its only file read)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{file}: policy file not found") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{file}: not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PolicyError(
            f"{file}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    return parse_policy(data, str(file))


@cache
def default_policy() -> Policy:
    """The policy shipped with cbclassify (``resolve/default_policy.yaml``), read once: the
    model is frozen, so every caller can share it."""
    text = resources.files("cbclassify.resolve").joinpath("default_policy.yaml").read_text("utf-8")
    return parse_policy(yaml.safe_load(text), "default_policy.yaml")
