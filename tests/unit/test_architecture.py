"""The import graph keeps the shape DESIGN.md draws (issue 14): no cycles between packages or
between files, layers point one way, and web, database and channel libraries stay at the edges.

Every import counts, also the ones inside functions and under `if TYPE_CHECKING:`: a type-only
import still ties two modules together for a reader. Run this file as a script
(`python -m tests.unit.test_architecture`) to print the package graph.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "console", "dialogs", "nlu", "office", "permit_rules", "storage")

# Which of our packages each package may import: layers point down, skipping one is fine.
# storage implements the repository interfaces dialogs declares (dialogs.ports), so it sits
# above dialogs; nlu reads the KBLI catalogs permit_rules ships.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "bot": frozenset({"console", "office", "dialogs", "nlu", "permit_rules", "storage"}),
    "console": frozenset({"office", "dialogs", "permit_rules", "storage"}),
    "office": frozenset({"dialogs", "permit_rules", "storage"}),
    "storage": frozenset({"dialogs", "permit_rules"}),
    "dialogs": frozenset({"nlu", "permit_rules"}),
    "nlu": frozenset({"permit_rules"}),
    "permit_rules": frozenset(),
}
# The one bot module that mounts the console on the web server.
CONSOLE_MOUNT = "bot.web"
CHANNEL_SDKS = frozenset({"telegram", "pywa"})
CHANNEL_HOME = "bot.channels"
# Libraries a package must not import: the core stays pure, the office stays off the web.
WEB_DB_CHANNEL = frozenset(
    {"httpx", "sqlalchemy", "fastapi", "starlette", "telegram", "pywa", "aiosqlite", "asyncpg"}
)
FORBIDDEN_LIBRARIES: dict[str, frozenset[str]] = {
    "nlu": WEB_DB_CHANNEL,
    "dialogs": WEB_DB_CHANNEL,
    "permit_rules": WEB_DB_CHANNEL,
    "office": frozenset({"fastapi", "starlette", "telegram", "pywa", "uvicorn", "httpx"}),
}

# Today's violations, each removed by the helper named, then deleted here. A violation that is
# gone while its entry stays fails `test_allowlist_has_no_stale_entries`: delete the entry.
ALLOWED: dict[str, str] = {
    "nlu.rasa_backend -> httpx": "core (C): the Rasa HTTP client moves to bot/",
}


@dataclass
class Graph:
    """Our modules (dotted name -> file) and what each imports: our modules and libraries."""

    modules: dict[str, Path] = field(default_factory=dict)
    imports: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    libraries: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def package_edges(self) -> dict[str, set[str]]:
        edges: dict[str, set[str]] = defaultdict(set)
        for source, targets in self.imports.items():
            for target in targets:
                if package(source) != package(target):
                    edges[package(source)].add(package(target))
        return edges


def package(module: str) -> str:
    return module.split(".", 1)[0]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def scan(root: Path, packages: Iterable[str] = PACKAGES) -> Graph:
    tops = set(packages)
    graph = Graph()
    for top in sorted(tops):
        for path in sorted((root / top).rglob("*.py")):
            graph.modules[module_name(path, root)] = path
    for name, path in graph.modules.items():
        for imported in imported_names(name, path):
            if package(imported) in tops:
                graph.imports[name].add(resolve(imported, graph.modules))
            else:
                graph.libraries[name].add(package(imported))
    return graph


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Dotted names a module imports; `from a import b` gives `a.b` (resolved later)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join([*here, base] if base else here)
            yield from (f"{base}.{alias.name}" for alias in node.names)


def resolve(dotted: str, modules: dict[str, Path]) -> str:
    """The module a dotted name lives in: `office.live.LiveHub` -> `office.live`."""
    while dotted not in modules and "." in dotted:
        dotted = dotted.rsplit(".", 1)[0]
    return dotted


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(sorted(component))
    return sorted(found)


def direction_violations(graph: Graph) -> set[str]:
    found = set()
    for source, targets in graph.imports.items():
        for target in targets:
            src, dst = package(source), package(target)
            if src == dst:
                continue
            if dst not in MAY_IMPORT[src] or (
                src == "bot" and dst == "console" and source != CONSOLE_MOUNT
            ):
                found.add(f"{source} -> {target}")
    return found


def library_violations(graph: Graph) -> set[str]:
    found = set()
    for source, libraries in graph.libraries.items():
        forbidden = FORBIDDEN_LIBRARIES.get(package(source), frozenset())
        in_channels = source == CHANNEL_HOME or source.startswith(CHANNEL_HOME + ".")
        for library in libraries:
            if library in forbidden or (library in CHANNEL_SDKS and not in_channels):
                found.add(f"{source} -> {library}")
    return found


def without_allowed(graph: Graph, allowed: Iterable[str]) -> dict[str, set[str]]:
    """Module edges minus the allowlisted ones (so an allowed edge does not also fail as the
    cycle it closes)."""
    skip = set(allowed)
    return {
        source: {t for t in targets if f"{source} -> {t}" not in skip}
        for source, targets in graph.imports.items()
    }


def format_graph(graph: Graph) -> str:
    edges = graph.package_edges()
    return "\n".join(f"{p} -> {', '.join(sorted(edges.get(p, ()))) or '-'}" for p in PACKAGES)


# ------------------------------------------------------------------------------- the rules


GRAPH = scan(ROOT)


def test_the_scan_sees_the_project() -> None:
    # A walker that found nothing would pass every rule below.
    assert set(PACKAGES) <= {package(m) for m in GRAPH.modules}
    assert "office.live" in GRAPH.imports["bot.outbox"]
    assert "sqlalchemy" in GRAPH.libraries["office.handoff"]


def test_no_cycle_between_files() -> None:
    assert cycles(without_allowed(GRAPH, ALLOWED)) == []


def test_no_cycle_between_packages() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for source, targets in without_allowed(GRAPH, ALLOWED).items():
        edges[package(source)] |= {package(t) for t in targets} - {package(source)}
    assert cycles(edges) == []


def test_imports_point_down_the_layers() -> None:
    assert direction_violations(GRAPH) - ALLOWED.keys() == set()


def test_libraries_stay_at_the_edges() -> None:
    assert library_violations(GRAPH) - ALLOWED.keys() == set()


def test_allowlist_has_no_stale_entries() -> None:
    current = direction_violations(GRAPH) | library_violations(GRAPH)
    stale = {entry: owner for entry, owner in ALLOWED.items() if entry not in current}
    assert stale == {}, "fixed: delete these entries from ALLOWED in this file"


# ------------------------------------------------------------------- the checker itself


def write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_checker_finds_cycles_wrong_directions_and_libraries(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "office/__init__.py": "",
            "office/a.py": "from office import b\nimport fastapi\n",
            "office/b.py": "def f():\n    from office.a import thing\n",
            "dialogs/__init__.py": "",
            "dialogs/flow.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from office.a import x\nimport sqlalchemy.orm\n",
            "bot/__init__.py": "",
            "bot/cli.py": "from console.web import mount\nfrom telegram import Bot\n",
            "bot/web.py": "from console.web import mount\n",
            "bot/channels/__init__.py": "",
            "bot/channels/tg.py": "from telegram import Bot\nfrom . import other\n",
            "bot/channels/other.py": "from ..cli import x\n",
            "console/__init__.py": "",
            "console/web.py": "from bot import cli\n",
        },
    )
    graph = scan(tmp_path)
    assert graph.imports["bot.channels.other"] == {"bot.cli"}  # relative imports resolved
    assert graph.imports["bot.channels.tg"] == {"bot.channels.other"}
    assert cycles(graph.imports) == [["bot.cli", "console.web"], ["office.a", "office.b"]]
    assert direction_violations(graph) == {
        "dialogs.flow -> office.a",
        "bot.cli -> console.web",  # only bot.web mounts the console
        "console.web -> bot.cli",
    }
    assert library_violations(graph) == {
        "office.a -> fastapi",
        "dialogs.flow -> sqlalchemy",
        "bot.cli -> telegram",
    }
    assert format_graph(graph).splitlines()[:2] == ["bot -> console", "console -> bot"]


if __name__ == "__main__":
    print(format_graph(GRAPH))
