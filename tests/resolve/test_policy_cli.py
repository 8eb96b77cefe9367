"""``cbclassify policy-check`` / ``policy-default``."""

from __future__ import annotations

from typer.testing import CliRunner

from cbclassify.cli.main import app


def test_policy_default_prints_a_file_that_checks(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(app, ["policy-default"])
    assert shown.exit_code == 0 and "government_days: 60" in shown.output
    path = tmp_path / "p.yaml"
    path.write_text(shown.output, encoding="utf-8")
    checked = runner.invoke(app, ["policy-check", str(path)])
    assert checked.exit_code == 0, checked.output
    assert "OK:" in checked.output and "60 days" in checked.output


def test_policy_check_lists_problems_and_exits_1(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("refunds: {approval_threshold: lots}\noffset: {}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["policy-check", str(path)])
    assert result.exit_code == 1
    assert (
        "refunds.approval_threshold" in result.output and "offset: unknown field" in result.output
    )
