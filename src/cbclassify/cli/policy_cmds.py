"""``cbclassify policy-check FILE`` and ``cbclassify policy-default``: the resolution policy."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from cbclassify.resolve import PolicyError, load_policy


def register(app: typer.Typer) -> None:
    """Add the policy commands to ``app``."""
    app.command("policy-check")(policy_check)
    app.command("policy-default")(policy_default)


def policy_check(
    path: Annotated[Path, typer.Argument(help="The policy YAML file to check.")],
) -> None:
    """Validate a resolution policy file: list every problem with its field (exit 1), or
    summarize what it decides (exit 0)."""
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    d = policy.deadlines
    offsets = ", ".join(policy.offsets.allow) or "as the ledger says (payers.allows_offset)"
    typer.echo(f"OK: {path}")
    typer.echo(
        f"  offset allowed for: {offsets}; never for: {', '.join(policy.offsets.deny) or '-'}"
    )
    credits = policy.patient_credits
    handling = "applied to other open balances" if credits.apply_to_other_balances else "refunded"
    typer.echo(f"  patient credits: {handling} within {credits.refund_days} days")
    typer.echo(f"  refunds of ${policy.refunds.approval_threshold} or more need approval")
    typer.echo(
        f"  Medicare/Medicaid/MA: {d.government_days} days, suspended up to "
        f"{d.investigation_suspension_max_days} days for an open investigation"
    )
    typer.echo(f"  other payers by type: {d.payer_type_days}; per payer: {d.payer_days or '-'}")
    typer.echo(
        f"  state prompt-pay rules: {sorted(d.prompt_pay) or '-'}; internal corrections: "
        f"{d.internal_correction_days} days"
    )
    up = policy.unclaimed_property
    by_state = up.state_dormancy_years or "-"
    typer.echo(f"  unclaimed property: {up.default_dormancy_years} years; by state: {by_state}")


def policy_default() -> None:
    """Print the shipped default policy (a starting point to copy and edit)."""
    text = resources.files("cbclassify.resolve").joinpath("default_policy.yaml").read_text("utf-8")
    typer.echo(text, nl=False)
