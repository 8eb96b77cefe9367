"""Exit codes: 0 done, 1 bad input or a partial failure, 2 a usage error (Typer's own). An
invalid ledger is bad input for every command that reads one: exit 1, the problem named by file,
row and column. (ingest-835 on a folder where some files failed: tests/x12/test_cli.py,
``test_one_bad_file_does_not_stop_the_batch`` and ``test_shared_samples_through_the_cli``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.textutil import plain

#: Commands that read a ledger folder: (arguments; {L} the ledger, {T} a scratch folder).
LEDGER_COMMANDS: list[list[str]] = [
    ["validate", "{L}"],
    ["worklist", "{L}"],
    ["score", "{L}", "--out", "{T}/p.csv"],
    ["root-causes", "{L}"],
    ["report", "{L}", "--out", "{T}/r.html"],
    ["train", "{L}"],
    ["ingest-ledger", "{L}", "--practice", "sunrise", "--no-model"],
]


def _fill(args: list[str], ledger: Path, tmp: Path) -> list[str]:
    return [a.replace("{L}", str(ledger)).replace("{T}", str(tmp)) for a in args]


@pytest.mark.parametrize("args", LEDGER_COMMANDS, ids=lambda a: a[0])
def test_an_invalid_ledger_exits_1_naming_file_row_and_column(
    run, invalid_ledger: Path, tmp_path: Path, args: list[str]
) -> None:
    if args[0] == "ingest-ledger":
        assert run("practices", "add", "sunrise", "--name", "Sunrise PT").exit_code == 0
    result = run(*_fill(args, invalid_ledger, tmp_path))
    assert result.exit_code == 1, result.output
    text = plain(result.output)
    assert "claim_lines.csv" in text and "row 3" in text and "charge_amount" in text
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", LEDGER_COMMANDS, ids=lambda a: a[0])
def test_a_missing_ledger_folder_exits_1(run, tmp_path: Path, args: list[str]) -> None:
    if args[0] == "ingest-ledger":
        assert run("practices", "add", "sunrise", "--name", "Sunrise PT").exit_code == 0
    result = run(*_fill(args, tmp_path / "nowhere", tmp_path))
    assert result.exit_code == 1, result.output
    assert "nowhere" in plain(result.output)


@pytest.mark.parametrize(
    "args",
    [
        ["score", "{L}", "--out", "{T}/p.csv", "--colour", "red"],
        ["worklist", "{L}", "--frobnicate"],
        ["report"],
        ["synth"],
        ["no-such-command"],
        ["worklist", "{L}", "--limit", "zero"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_usage_errors_exit_2(run, ledger_dir: Path, tmp_path: Path, args: list[str]) -> None:
    result = run(*_fill(args, ledger_dir, tmp_path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_store_refusals_are_bad_input(run) -> None:
    """A duplicate user, a weak password, an unknown practice: exit 1 with the reason."""
    password = "correct horse battery staple\n"
    assert run("users", "add", "ann", "--role", "biller", "--password-stdin", stdin=password)
    first = run("users", "add", "ann", "--role", "biller", "--password-stdin", stdin=password)
    assert first.exit_code == 1 and "ann" in first.output
    weak = run("users", "add", "bob", "--role", "biller", "--password-stdin", stdin="x\n")
    assert weak.exit_code == 1 and "at least" in weak.output
    token = run("users", "token", "nobody")
    assert token.exit_code == 1 and "no user 'nobody'" in token.output
    bad = run("practices", "add", "p1", "--name", "P", "--refund-threshold", "lots")
    assert bad.exit_code == 2 and "--refund-threshold" in plain(bad.output)
