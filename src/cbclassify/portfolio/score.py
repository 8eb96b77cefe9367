"""``cbclassify portfolio score``: every practice under a root folder scored as Dask tasks.

Each practice is one task, or one task per patient group when its ledger is large
(``practices.DEFAULT_SPLIT_BYTES``); a task is ``work.score_part``. The client gathers a
practice's parts as they finish and writes ``OUT/<practice>/predictions.csv`` itself, once,
atomically (temporary file, fsync, rename), so a task that Dask retries after losing a worker
never writes twice, and a run stopped half-way leaves every practice either whole or absent.
``OUT/portfolio_summary.csv`` follows, one row per practice (``summary``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cbclassify.csv_cells import formula_safe_frame
from cbclassify.portfolio.practices import DEFAULT_SPLIT_BYTES, Practice, find_practices
from cbclassify.portfolio.summary import SUMMARY_COLUMNS, failed_summary, practice_summary
from cbclassify.portfolio.work import ModelRef, PartResult, PartTask, score_part

PREDICTIONS_FILE = "predictions.csv"
PROBLEMS_FILE = "problems.txt"
SUMMARY_FILE = "portfolio_summary.csv"

#: ``progress(done, total)`` after each practice is written or reported.
Progress = Callable[[int, int], None]


@dataclass
class PracticeOutcome:
    """What happened to one practice: ``scored`` (with its predictions file), ``invalid`` (its
    ledger's problems) or ``failed`` (an error while scoring it)."""

    practice: str
    status: str
    predictions: Path | None = None
    problems: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)  # its portfolio_summary.csv row


@dataclass
class PortfolioResult:
    """Every practice's outcome, in name order, and the summary file."""

    outcomes: list[PracticeOutcome]
    summary_path: Path

    @property
    def not_scored(self) -> list[PracticeOutcome]:
        """Practices that are invalid or failed."""
        return [o for o in self.outcomes if o.status != "scored"]


def score_portfolio(
    root: Path | str,
    out: Path | str,
    model: ModelRef,
    client: Any,
    *,
    as_of: pd.Timestamp | None = None,
    split_bytes: int = DEFAULT_SPLIT_BYTES,
    progress: Progress | None = None,
) -> PortfolioResult:
    """Score every practice under ``root`` on the Dask ``client``'s cluster into ``out``.

    An invalid practice is reported (its problems in ``OUT/<practice>/problems.txt`` and the
    summary) and the others complete. ``as_of`` defaults to each ledger's latest posting.
    """
    from distributed import as_completed

    practices = find_practices(root)
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    tasks = [
        PartTask(p.name, str(p.ledger_dir), model, as_of, part, parts)
        for p in practices
        for parts in [p.parts(split_bytes)]
        for part in range(parts)
    ]
    expected = {p.name: p.parts(split_bytes) for p in practices}
    futures = [client.submit(score_part, task, pure=False) for task in tasks]
    owner = {f.key: t for f, t in zip(futures, tasks, strict=True)}
    arrived: dict[str, list[PartResult | BaseException]] = {p.name: [] for p in practices}
    outcomes: dict[str, PracticeOutcome] = {}
    for future, result in as_completed(futures, with_results=True, raise_errors=False):
        task = owner[future.key]
        arrived[task.practice].append(result)
        if len(arrived[task.practice]) == expected[task.practice]:
            outcomes[task.practice] = _finish(
                _practice(practices, task.practice), arrived.pop(task.practice), target
            )
            if progress is not None:
                progress(len(outcomes), len(practices))
    ordered = [outcomes[p.name] for p in practices]
    return PortfolioResult(ordered, _write_summary(ordered, target))


def _practice(practices: list[Practice], name: str) -> Practice:
    return next(p for p in practices if p.name == name)


def _finish(
    practice: Practice, parts: list[PartResult | BaseException], out: Path
) -> PracticeOutcome:
    """Write one practice's predictions (or its problems) from all its parts."""
    folder = out / practice.name
    folder.mkdir(parents=True, exist_ok=True)
    errors = [p for p in parts if isinstance(p, BaseException)]
    results = [p for p in parts if isinstance(p, PartResult)]
    problems = [text for r in results for text in r.problems]
    if errors or problems:
        status = "failed" if errors else "invalid"
        texts = problems or [f"{type(e).__name__}: {e}" for e in errors]
        _atomic_write_text(folder / PROBLEMS_FILE, "\n".join(texts) + "\n")
        (folder / PREDICTIONS_FILE).unlink(missing_ok=True)  # never a stale file beside it
        summary = failed_summary(practice.name, texts, status)
        return PracticeOutcome(practice.name, status, problems=texts, summary=summary)
    from cbclassify.scoring import write_scores

    scores = pd.concat([r.scores for r in results if r.scores is not None]).sort_index()
    scores = scores.reset_index(drop=True)
    path = folder / PREDICTIONS_FILE
    temporary = folder / f".{PREDICTIONS_FILE}.partial.csv"
    write_scores(scores, temporary)
    _fsync(temporary)
    os.replace(temporary, path)
    (folder / PROBLEMS_FILE).unlink(missing_ok=True)
    as_of = next(r.as_of for r in results if r.as_of is not None)
    summary = practice_summary(practice.name, scores, as_of)
    return PracticeOutcome(practice.name, "scored", predictions=path, summary=summary)


def _write_summary(outcomes: list[PracticeOutcome], out: Path) -> Path:
    """``OUT/portfolio_summary.csv``: one row per practice, in name order, formula-safe."""
    frame = pd.DataFrame([o.summary for o in outcomes], columns=list(SUMMARY_COLUMNS))
    path = out / SUMMARY_FILE
    temporary = out / f".{SUMMARY_FILE}.partial"
    formula_safe_frame(frame).to_csv(temporary, index=False, lineterminator="\n")
    _fsync(temporary)
    os.replace(temporary, path)
    return path


def _atomic_write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    _fsync(temporary)
    os.replace(temporary, path)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
