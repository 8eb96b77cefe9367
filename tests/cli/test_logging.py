"""Library and INFO logging stay off the terminal unless ``cbclassify --verbose``; the CLI's
callback sets this up when a command runs, not an import."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from cbclassify.cli.logs import configure_logging


def test_info_logging_only_with_verbose(run, ledger_dir: Path) -> None:
    quiet = run("worklist", ledger_dir, "--limit", "1")
    assert quiet.exit_code == 0, quiet.output
    assert "INFO" not in quiet.output and "worklist:" not in quiet.output
    loud = run("--verbose", "worklist", ledger_dir, "--limit", "1")
    assert loud.exit_code == 0, loud.output
    assert "INFO cbclassify.cli.worklist_cmds: worklist:" in loud.output


def test_quiet_run_holds_libraries_at_warning_but_keeps_warnings() -> None:
    configure_logging(verbose=False)
    for name in ("mlflow", "alembic", "sqlalchemy.engine"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
    assert logging.getLogger().getEffectiveLevel() == logging.WARNING
    configure_logging(verbose=True)
    assert logging.getLogger("mlflow").getEffectiveLevel() == logging.INFO
    assert logging.getLogger().getEffectiveLevel() == logging.INFO


def test_importing_the_cli_configures_no_logging() -> None:
    """Only running a command configures logging (and importing does not pull in MLflow)."""
    code = (
        "import logging, sys; import cbclassify.cli.main; "
        "root = logging.getLogger(); "
        "print(len(root.handlers), root.level, 'mlflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", str(logging.WARNING), "False"]
