"""Logging of the command line, configured once per run by the app's callback (never at import).

Quiet by default: warnings and errors only, and the libraries' INFO chatter (MLflow's
"Creating initial MLflow database tables", "Successfully registered model", alembic's migration
lines) is kept off the terminal. ``cbclassify --verbose COMMAND`` shows INFO from cbclassify and
the libraries.
"""

from __future__ import annotations

import logging
import os
import sys

#: Loggers of libraries that talk at INFO; held at WARNING unless --verbose.
NOISY_LIBRARIES: tuple[str, ...] = ("mlflow", "alembic", "sqlalchemy.engine", "urllib3", "httpx")
_FORMAT = "%(levelname)s %(name)s: %(message)s"
_state = {"verbose": False}


class _StderrHandler(logging.StreamHandler):
    """Writes to the ``sys.stderr`` of the moment (a test runner may swap it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter(_FORMAT))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(verbose: bool) -> None:
    """Root logging for one CLI run: INFO and up with ``verbose``, else WARNING and up, and
    the noisy libraries held at WARNING. Safe to call again (tests run many commands)."""
    _state["verbose"] = verbose
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not isinstance(h, _StderrHandler)]
    root.addHandler(_StderrHandler())
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    level = "INFO" if verbose else "WARNING"
    os.environ["MLFLOW_LOGGING_LEVEL"] = level  # read by MLflow when it is first imported
    for name in NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(level)
    if "mlflow" in sys.modules:  # already imported (in this process): apply to it directly
        quiet_mlflow()


def is_verbose() -> bool:
    """Whether this run was started with ``--verbose``."""
    return _state["verbose"]


def quiet_mlflow() -> None:
    """Hold MLflow to this run's level: its loggers and its ``eprint`` lines ("Successfully
    registered model ...", "Created version ..."), which bypass logging. Quiet, MLflow's
    warnings still reach standard error through this module's handler. Call after MLflow is
    imported (the commands that register or load models do)."""
    from mlflow.utils import logging_utils

    if is_verbose():
        logging_utils.enable_logging()
        logging.getLogger("mlflow").setLevel(logging.INFO)
        return
    logging_utils.disable_logging()  # MLflow's own stream: eprint and its handler
    for name in ("mlflow", "alembic"):
        logger = logging.getLogger(name)
        logger.handlers = [_StderrHandler()]
        logger.setLevel(logging.WARNING)
