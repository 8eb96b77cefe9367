"""The layering, read from the source's imports (every ``import`` statement, at module level
or inside a function):

- no import cycle between the top-level packages of ``cbclassify`` (``cbclassify.verify``,
  ``cbclassify.scoring``, ...) and ``api``;
- ``store`` is the database adapter: nothing it reaches imports scoring, features, verify, the
  model registry (MLflow), the application layer (``service``), the API or FastAPI;
- the domain core (contract, balances, features, verify, resolve, bundles) and everything it
  reaches imports no FastAPI, SQLAlchemy or MLflow;
- the API writes no queries: it imports nothing from SQLAlchemy but the ``Session`` type (its
  routes and pages call ``store`` functions).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ((ROOT / "src", "cbclassify"), (ROOT, "api"))
DOMAIN_CORE = ("contract", "balances", "features", "verify", "resolve", "bundles")


#: Cycles that work in progress on issue 15 removes (other branches); when it lands,
#: ``test_pending_cycles_are_still_there`` fails: delete the entry then.
@dataclass(frozen=True)
class Import:
    """One imported name (``cbclassify.scoring``, ``mlflow.pyfunc``) and where."""

    module: str  # the importing module
    target: str  # the imported module (for ``from a import b``: ``a.b`` and ``a``)


def _module_name(path: Path, base: Path) -> str:
    parts = path.relative_to(base).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: resolve against the importing module's package
            package = module.split(".")
            package = package if is_package else package[:-1]
            anchor = package[: len(package) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        yield base
        yield from (f"{base}.{alias.name}" for alias in node.names)


@cache
def imports() -> tuple[Import, ...]:
    """Every import of the ``cbclassify`` and ``api`` source trees."""
    found: list[Import] = []
    for base, top in SOURCES:
        for path in sorted((base / top).rglob("*.py")):
            module = _module_name(path, base)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            is_package = path.name == "__init__.py"
            for node in ast.walk(tree):
                found += [Import(module, t) for t in _targets(node, module, is_package) if t]
    return tuple(found)


def package_of(module: str) -> str | None:
    """The top-level package a module belongs to: ``cbclassify.verify``, ``cbclassify.scoring``
    (a top-level module is its own package), ``cbclassify`` (the root) or ``api``."""
    parts = module.split(".")
    if parts[0] == "api":
        return "api"
    if parts[0] == "cbclassify":
        return ".".join(parts[:2])
    return None


@cache
def package_graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the importing modules."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for imp in imports():
        source, target = package_of(imp.module), package_of(imp.target)
        if source and target and source != target:
            graph[source][target].append(imp.module)
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def reachable(graph: dict[str, dict[str, list[str]]], start: Iterable[str]) -> set[str]:
    """The packages ``start`` imports, directly or through others (``start`` included)."""
    seen = set(start)
    todo = list(seen)
    while todo:
        for nxt in graph.get(todo.pop(), {}):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _explain(cycle: frozenset[str]) -> str:
    graph = package_graph()
    edges = [
        f"{a} -> {b} (in {', '.join(sorted(set(graph[a][b])))})"
        for a in sorted(cycle)
        for b in sorted(graph[a])
        if b in cycle
    ]
    return "; ".join(edges)


def _third_party_imports(packages: set[str], names: tuple[str, ...]) -> list[str]:
    """``module imports name`` for every import of ``names`` (and their submodules) inside
    ``packages``."""
    return sorted(
        {
            f"{imp.module} imports {imp.target}"
            for imp in imports()
            if package_of(imp.module) in packages and imp.target.split(".")[0] in names
        }
    )


def test_the_import_reader_sees_the_code() -> None:
    graph = package_graph()
    assert "cbclassify.store" in graph["api"]
    assert "cbclassify.contract" in graph["cbclassify.verify"]
    assert "sqlalchemy.orm" in {i.target for i in imports() if i.module == "cbclassify.store.db"}
    assert cycles({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}) == [
        frozenset({"a", "b", "c"})
    ]
    assert reachable({"a": {"b": []}, "b": {"c": []}}, ["b"]) == {"b", "c"}


def test_no_package_cycles() -> None:
    found = cycles(package_graph())
    assert not found, "package cycles: " + " | ".join(_explain(c) for c in found)


def test_store_is_only_the_database_adapter() -> None:
    graph = package_graph()
    reached = reachable(graph, ["cbclassify.store"])
    forbidden = {
        f"cbclassify.{name}"
        for name in ("scoring", "scoring_small", "features", "verify", "model", "service")
    } | {"api"}
    assert not reached & forbidden, f"store reaches {sorted(reached & forbidden)}"
    assert not _third_party_imports(reached, ("mlflow", "fastapi", "starlette"))


def test_domain_core_imports_no_framework() -> None:
    core = reachable(package_graph(), [f"cbclassify.{name}" for name in DOMAIN_CORE])
    assert not _third_party_imports(core, ("fastapi", "starlette", "sqlalchemy", "mlflow"))


def test_the_api_writes_no_queries() -> None:
    found = [
        f"{imp.module} imports {imp.target}"
        for imp in imports()
        if package_of(imp.module) == "api"
        and imp.target.split(".")[0] == "sqlalchemy"
        and imp.target not in ("sqlalchemy.orm", "sqlalchemy.orm.Session")
    ]
    assert not found
