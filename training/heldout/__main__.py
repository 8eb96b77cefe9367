"""python -m training.heldout --out DIR --seed N [--scale S]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from training.heldout.generate import build_practice, write_practice, write_truth
from training.heldout.profiles import PROFILES
from training.heldout.readme import write_readme
from training.heldout.selfcheck import check_practice


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.heldout", description=__doc__)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed", required=True, type=int)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    practices = {}
    for key, profile in PROFILES.items():
        practice = build_practice(profile, args.seed, args.scale)
        check_practice(practice)
        write_practice(practice, args.out / key)
        write_truth(practice, args.out / "truth" / f"{key}.csv")
        practices[key] = practice
    write_readme(args.out / "README.md", practices, args.seed, args.scale)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
