"""Compare two revisions of cbclassify in one run: ``score`` on a large ledger and ``classify()``.

Each revision is checked out with ``git worktree add --detach`` into a temporary folder and run
with this checkout's virtual environment (``PYTHONPATH`` points at the revision's ``src`` and
root, so its code is the one imported). For each revision the script

1. trains a model with ``cbclassify train`` on ``--train`` and promotes it (not timed),
2. runs ``cbclassify score LEDGER`` ``--runs`` times, alternating the revisions (A B A B ...), and
   records wall seconds, CPU seconds (user + system of the command and every process it
   started and waited for), the peak resident memory of the largest single process, and the
   peak of the whole process tree's resident memory (sampled every 50 ms from /proc),
3. times ``api.classify.classify`` in-process on one-claim requests of a small synthetic
   practice (``benchmarks/bench_single_claim.py``'s request builder) and reports p50/p99,

then checks that both revisions wrote the same predictions (every contract column, compared as
text after sorting by claim_id) and prints the figures side by side with after/before ratios.
Prints figures, asserts nothing. Usage:

    .venv/bin/python benchmarks/compare_revisions.py --before 712c610 --after HEAD \\
        --ledger /path/to/ledger1m --train /path/to/train_ledger [--runs 3]

Generate the ledgers with ``cbclassify synth`` (a 1M-line ledger: ``--claims 416667 --seed 7
--format parquet``; a training ledger: ``--claims 20000 --seed 3``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: In-process classify timing, run inside each revision's tree (argv: calls, claims).
CLASSIFY_SNIPPET = r"""
import json, statistics, sys, time
sys.path.insert(0, "benchmarks")
import bench_single_claim as b
from api.classify import classify
from api.schemas_classify import ClassifyIn
calls, claims = int(sys.argv[1]), int(sys.argv[2])
bodies = b.practice_bodies(claims, 5, True)
model = b.LoadedStub(b.trained_model(1500, 6))
texts = [json.dumps(x) for x in bodies]
for t in texts[:5]:
    classify(ClassifyIn.model_validate_json(t), model)
times = []
for i in range(calls):
    t = texts[i % len(texts)]
    start = time.perf_counter()
    classify(ClassifyIn.model_validate_json(t), model)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"p50": statistics.median(times), "p99": times[int(0.99 * (len(times) - 1))],
                  "requests": len(bodies)}))
"""


@dataclass
class Revision:
    """One checked-out revision and its measurements."""

    name: str
    rev: str
    tree: Path
    data: Path
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    max_rss_mb: list[float] = field(default_factory=list)
    tree_rss_mb: list[float] = field(default_factory=list)
    classify: dict[str, float] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
        env["PYTHONPATH"] = f"{self.tree / 'src'}{os.pathsep}{self.tree}"
        env["CBCLASSIFY_DATA_DIR"] = str(self.data)
        return env

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-c", "from cbclassify.cli.main import app; app()", *args]


def _tree_rss_kb(root_pid: int) -> tuple[int, int]:
    """Resident memory (kB) of ``root_pid`` and all its descendants, and of the largest of
    those processes, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry.name), int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, largest, stack = 0, 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total, largest


def run_measured(
    command: list[str], env: dict[str, str], cwd: Path
) -> tuple[float, float, float, float]:
    """Wall s, CPU s (the command and its waited-for descendants), peak RSS MB of the largest
    single process and of the process tree, both sampled from /proc during this run
    (``ru_maxrss`` of the children would be the peak over every earlier run too)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree, largest = _tree_rss_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], tree), max(peak[1], largest)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[3:])} failed ({proc.returncode}):\n{stderr.decode()[-3000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak[1] / 1024, peak[0] / 1024


def prepare(rev: Revision, train: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(rev.tree), rev.rev],
        check=True,
        capture_output=True,
    )
    for args in (("train", str(train)), ("promote", "--force")):
        done = subprocess.run(
            rev.cli(*args), check=False, env=rev.env(), cwd=rev.tree, capture_output=True
        )
        if done.returncode != 0:
            raise SystemExit(
                f"{rev.name}: {' '.join(args)} failed:\n{done.stderr.decode()[-3000:]}"
            )


def time_classify(rev: Revision, calls: int, claims: int) -> None:
    import json

    done = subprocess.run(
        [sys.executable, "-c", CLASSIFY_SNIPPET, str(calls), str(claims)],
        check=False,
        env=rev.env(),
        cwd=rev.tree,
        capture_output=True,
    )
    if done.returncode != 0:
        print(f"{rev.name}: classify timing failed:\n{done.stderr.decode()[-2000:]}")
        return
    rev.classify = json.loads(done.stdout.decode().strip().splitlines()[-1])


def same_predictions(a: Path, b: Path) -> str:
    import pandas as pd

    left = pd.read_csv(a, dtype=str, keep_default_na=False).sort_values("claim_id")
    right = pd.read_csv(b, dtype=str, keep_default_na=False).sort_values("claim_id")
    if list(left["claim_id"]) != list(right["claim_id"]):
        return f"different credits: {len(left)} vs {len(right)} rows"
    columns = [c for c in left.columns if c in right.columns]
    diffs = {c: int((left[c].to_numpy() != right[c].to_numpy()).sum()) for c in columns}
    diffs = {c: n for c, n in diffs.items() if n}
    missing = sorted(set(left.columns) ^ set(right.columns))
    if not diffs and not missing:
        return f"identical: {len(left):,} rows x {len(columns)} columns"
    return f"differences (rows per column): {diffs}; columns only on one side: {missing}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--classify-calls", type=int, default=300)
    parser.add_argument("--classify-claims", type=int, default=1200)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cbclassify-compare-"))
    revs = [
        Revision(name, rev, work / name, work / f"{name}-data")
        for name, rev in (("before", args.before), ("after", args.after))
    ]
    try:
        for rev in revs:
            prepare(rev, args.train)
            print(f"{rev.name}: {rev.rev} checked out and trained", flush=True)
        outputs = {rev.name: work / f"{rev.name}-predictions.csv" for rev in revs}
        for i in range(args.runs):
            for rev in revs:
                command = rev.cli("score", str(args.ledger), "--out", str(outputs[rev.name]))
                wall, cpu, largest, tree = run_measured(command, rev.env(), rev.tree)
                rev.wall.append(wall)
                rev.cpu.append(cpu)
                rev.max_rss_mb.append(largest)
                rev.tree_rss_mb.append(tree)
                print(
                    f"run {i + 1} {rev.name}: wall {wall:.1f} s, cpu {cpu:.1f} s, "
                    f"largest process {largest:,.0f} MB, process tree {tree:,.0f} MB",
                    flush=True,
                )
        for rev in revs:
            time_classify(rev, args.classify_calls, args.classify_claims)
        before, after = revs
        print(f"\nscore {args.ledger} (median of {args.runs} runs, alternating)")
        print(f"{'figure':32} {'before':>10} {'after':>10} {'after/before':>13}")
        for label, attr in (
            ("wall s", "wall"),
            ("cpu s", "cpu"),
            ("largest process RSS MB", "max_rss_mb"),
            ("process tree RSS MB", "tree_rss_mb"),
        ):
            b = statistics.median(getattr(before, attr))
            a = statistics.median(getattr(after, attr))
            print(f"{label:32} {b:10.1f} {a:10.1f} {a / b:13.2f}")
        for key in ("p50", "p99"):
            b, a = before.classify.get(key), after.classify.get(key)
            if b and a:
                print(f"{'classify() ' + key + ' ms':32} {b:10.2f} {a:10.2f} {a / b:13.2f}")
        print("predictions:", same_predictions(outputs["before"], outputs["after"]))
    finally:
        for rev in revs:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(rev.tree)],
                check=False,
                capture_output=True,
            )


if __name__ == "__main__":
    main()
