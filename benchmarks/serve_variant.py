"""Run the API for a load run of classify-on-demand (loopback only).

A before/after comparison runs this script from a worktree of each commit, on the same machine
and data (there is one scoring path, no switch to turn it off):

    CBCLASSIFY_DATA_DIR=... python benchmarks/serve_variant.py --port 8765 --workers 2
    python benchmarks/load_classify.py --url http://127.0.0.1:8765 --token ... --body body.json

The data directory must hold a migrated database, a user token and a champion model
(``cbclassify db upgrade``, ``users add``/``users token``, ``train``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def create_app() -> object:
    """The service app."""
    sys.path.insert(0, str(ROOT))
    from api.app import create_app as service_app

    return service_app()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["CBCLASSIFY_AUTO_MIGRATE"] = "false"
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    sys.path.insert(0, str(ROOT))
    from api.server import run_service

    run_service(
        "127.0.0.1", args.port, args.workers, "warning", "benchmarks.serve_variant:create_app"
    )


if __name__ == "__main__":
    main()
