"""Policy YAML: the shipped default loads; bad files give errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbclassify.resolve import Policy, PolicyError, default_policy, load_policy


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_policy_values():
    policy = default_policy()
    assert policy.deadlines.government_days == 60
    assert policy.deadlines.investigation_suspension_max_days == 180
    assert policy.patient_credits.apply_to_other_balances is True
    assert policy.refunds.approval_threshold_cents == 50000
    assert policy.unclaimed_property.default_dormancy_years == 3


def test_load_policy_reads_a_valid_file(tmp_path):
    policy = load_policy(
        _write(
            tmp_path,
            """
offsets: {allow: [BCBS], deny: [UHC]}
patient_credits: {apply_to_other_balances: false, refund_days: 45}
refunds: {approval_threshold: "1000.50"}
deadlines:
  payer_days: {BCBS: 30}
  prompt_pay: {CA: {refund_days: 30, payer_types: [commercial]}}
  practice_state: CA
unclaimed_property: {state_dormancy_years: {NY: 5}}
""",
        )
    )
    assert policy.offsets.allow == ["BCBS"]
    assert policy.refunds.approval_threshold_cents == 100050
    assert policy.deadlines.prompt_pay["CA"].refund_days == 30
    assert policy.deadlines.internal_correction_days == 30  # default kept


def test_unknown_key_is_an_error_naming_its_path(tmp_path):
    with pytest.raises(PolicyError) as err:
        load_policy(_write(tmp_path, "patient_credits:\n  apply_to_other_balance: true\n"))
    assert "patient_credits.apply_to_other_balance: unknown field" in str(err.value)
    assert "policy.yaml" in str(err.value)


def test_every_bad_field_is_reported_with_its_path(tmp_path):
    with pytest.raises(PolicyError) as err:
        load_policy(
            _write(
                tmp_path,
                """
deadlines:
  government_days: sixty
  payer_type_days: {commercial: 30, hmo: 20}
refunds: {approval_threshold: "-5"}
unclaimed_property: {state_dormancy_years: {Penn: 3}}
""",
            )
        )
    text = str(err.value)
    assert "4 problem(s)" in text
    assert "deadlines.government_days" in text
    assert "deadlines.payer_type_days" in text and "hmo" in text
    assert "refunds.approval_threshold" in text
    assert "unclaimed_property.state_dormancy_years.Penn" in text


def test_prompt_pay_rule_with_unknown_payer_type(tmp_path):
    with pytest.raises(PolicyError) as err:
        load_policy(
            _write(
                tmp_path, "deadlines:\n  prompt_pay: {TX: {refund_days: 45, payer_types: [hmo]}}\n"
            )
        )
    assert "deadlines.prompt_pay.TX.payer_types" in str(err.value)


def test_invalid_yaml_names_line_and_column(tmp_path):
    with pytest.raises(PolicyError) as err:
        load_policy(_write(tmp_path, "offsets:\n  allow: [BCBS\n"))
    assert "line" in str(err.value) and "not valid YAML" in str(err.value)


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.yaml")
    with pytest.raises(PolicyError, match="mapping"):
        load_policy(_write(tmp_path, "- a\n- b\n"))


def test_empty_file_is_the_built_in_defaults(tmp_path):
    assert load_policy(_write(tmp_path, "")) == Policy()
