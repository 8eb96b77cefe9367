"""Run one 835 ingest and SIGKILL this process at a chosen point (for test_ingest_crash.py).

    python ingest_victim.py DB_URL DATA_DIR FILE.835 POINT

POINT: ``snapshot_written`` (the snapshot's files are written to the ledgers folder, not yet
published), ``snapshot_renamed`` (the snapshot folder was just renamed into place) or
``committed`` (the ingest's transaction has just committed). The points are found through
library calls every version of the ingest makes, so the same script exercises any version.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import sqlalchemy.orm

from cbclassify import ledger_io


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _in_ledgers(path: object, data_dir: Path) -> bool:
    return str(Path(str(path)).resolve()).startswith(str((data_dir / "ledgers").resolve()))


def arm(point: str, data_dir: Path) -> None:
    """Install the kill at ``point``."""
    if point == "snapshot_written":
        real_write = ledger_io.write_ledger

        def write_then_die(ledger: object, out: object, *args: object, **kwargs: object) -> object:
            result = real_write(ledger, out, *args, **kwargs)
            if _in_ledgers(out, data_dir):
                _die()
            return result

        ledger_io.write_ledger = write_then_die  # before the service imports it
    elif point == "snapshot_renamed":
        for name in ("rename", "replace"):
            real = getattr(os, name)

            def move_then_die(
                src: object, dst: object, *a: object, _real=real, **k: object
            ) -> None:
                _real(src, dst, *a, **k)
                if _in_ledgers(dst, data_dir) and Path(str(dst)).name.isdigit():
                    _die()

            setattr(os, name, move_then_die)
    elif point == "committed":
        real_commit = sqlalchemy.orm.Session.commit

        def commit_then_die(self: sqlalchemy.orm.Session) -> None:
            real_commit(self)
            _die()

        sqlalchemy.orm.Session.commit = commit_then_die  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown kill point {point!r}")


def main() -> None:
    db_url, data_dir, remit, point = sys.argv[1:5]
    arm(point, Path(data_dir))
    from cbclassify.service.ingest import ingest_835_texts
    from cbclassify.settings import Settings
    from cbclassify.store.audit import SYSTEM
    from cbclassify.store.db import Database

    settings = Settings(data_dir=Path(data_dir), database_url=db_url, secret_key="test")
    db = Database.from_url(db_url)
    text = Path(remit).read_text()
    ingest_835_texts(db, settings, "a", [(Path(remit).name, text)], None, SYSTEM)
    print("ingest finished without being killed")  # the test fails on this


if __name__ == "__main__":
    main()
