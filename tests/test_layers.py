"""The package's import graph: no cycles, and no module imports a layer above its own.

Layers, bottom first (docs/architecture.md): vocabulary/errors/resources/identity and the output
sanitiser report.safe (it imports nothing of the package); limits/model/facts/findings;
sources; extract; engine (and corrections, applied beside it); pipeline; report; batch; cli. Only module-level imports count (imports
inside functions and under TYPE_CHECKING are how the CLI stays fast to start).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

LAYERS = [("auditor.vocabulary", 0), ("auditor.errors", 0), ("auditor.resources", 0), ("auditor.derived", 0), ("auditor.identity", 0),
          ("auditor.report.safe", 0), ("auditor.limits", 1), ("auditor.model", 1), ("auditor.corrections", 4),
          ("auditor.facts", 1), ("auditor.findings", 1), ("auditor.sources", 2), ("auditor.fetch", 2), ("auditor.extract", 3),
          ("auditor.engine", 4), ("auditor.pipeline", 5), ("auditor.report", 6), ("auditor.batch", 7),
          ("auditor.cli", 8), ("auditor.__main__", 9)]


def _modules() -> dict[str, Path]:
    out = {}
    for path in (REPO / "auditor").rglob("*.py"):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        out[name] = path
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("auditor"):
                subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in mods]
                deps.update(subs)
                if len(subs) < len(node.names):
                    deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("auditor"))
        graph[name] = {d for d in deps if d in mods and d != name and d != "auditor"}
    return graph


def _layer(module: str) -> int:
    for prefix, level in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return level
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and docs/architecture.md")


def test_no_module_imports_a_higher_layer() -> None:
    upward = [f"{m} -> {d}" for m, deps in _graph().items() for d in deps if _layer(d) > _layer(m)]
    assert upward == []


def test_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(dep):], dep]))
            if dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
