"""Check rmpair's import structure: the layer contracts and the absence of import cycles.

python tools/check_imports.py contracts   run import-linter's contracts (pyproject.toml)
python tools/check_imports.py cycles      fail on any import cycle in rmpair and screens
python tools/check_imports.py graph       print which package imports which

Both checks read the code as it is installed: ``screens/`` is the package
``rmpair.screens``, so the tree is first staged in a temporary folder with that layout
(an editable install maps it from elsewhere, where the import graph cannot see it).

The cycle check counts every import, including those inside functions and under
``TYPE_CHECKING``, and also a string that names one of our modules (or the prefix of
an f-string that does): that is how ``importlib.import_module`` loads the commands.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "rmpair"


def stage(target: Path, root: Path = ROOT) -> Path:
    """Copy the sources into ``target`` the way they are installed; returns the folder
    to put on ``sys.path``."""
    site = target / "site"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "locale")
    shutil.copytree(root / "rmpair", site / "rmpair", ignore=ignore)
    shutil.copytree(root / "screens", site / "rmpair" / "screens", ignore=ignore)
    return site


@contextmanager
def staged(root: Path = ROOT) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rmpair-imports-") as tmp:
        yield stage(Path(tmp), root)


def _module_name(site: Path, path: Path) -> str:
    parts = list(path.relative_to(site).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(site: Path) -> dict[str, Path]:
    """Every module of the staged package, by dotted name."""
    found = {}
    for path in sorted((site / PACKAGE).rglob("*.py")):
        found[_module_name(site, path)] = path
    return found


def _resolve(name: str, known: Mapping[str, Path]) -> str | None:
    """The module ``name`` refers to: itself, or for ``from pkg import attr`` the
    package (an attribute is not a module)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def imports_of(module: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The modules of our package that ``module`` imports, in any way."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            origin = _absolute(module, is_package, node.level, node.module)
            names = [f"{origin}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # "rmpair.x.y" or "rmpair.x.y:attr": a module loaded by name.
            named = node.value.partition(":")[0]
            if named.startswith(PACKAGE + ".") and named in known:
                names = [named]
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            # f"rmpair.cli.{name}": any module of that package may be loaded.
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                prefix = head.value
                if prefix.startswith(PACKAGE + ".") and prefix.endswith("."):
                    names = [m for m in known if m.startswith(prefix)]
        for name in names:
            resolved = _resolve(name, known)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


def import_graph(site: Path) -> dict[str, set[str]]:
    known = modules(site)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        # Iterative, so a long import chain cannot exhaust Python's recursion limit.
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(groups)


def a_path(graph: Mapping[str, set[str]], group: list[str]) -> list[str]:
    """One cycle through the group's first module, to show in a message."""
    members = set(group)
    start = group[0]
    trail = [start]
    seen = {start}
    while True:
        step = sorted(m for m in graph[trail[-1]] if m in members)
        back = [m for m in step if m == start]
        if back and len(trail) > 1:
            return [*trail, start]
        following = [m for m in step if m not in seen] or step
        trail.append(following[0])
        if following[0] in seen:
            return trail
        seen.add(following[0])


def check_cycles(root: Path = ROOT) -> list[str]:
    """One line per import cycle, empty when there is none."""
    with staged(root) as site:
        graph = import_graph(site)
    return [
        f"{' -> '.join(a_path(graph, group))} (modules in the cycle: {', '.join(group)})"
        for group in cycles(graph)
    ]


CONFIGS = ("pyproject.toml", "tools/importlinter-app.toml")


def run_contracts(root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """import-linter over the staged tree, with the contracts of both files (the
    layers and the core's in pyproject.toml, the app's in tools/importlinter-app.toml);
    the output of both runs, and a failure if either fails."""
    with staged(root) as site:
        env = {**os.environ, "PYTHONPATH": str(site)}
        lint = Path(sys.executable).with_name("lint-imports")
        command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
        runs = [
            subprocess.run(
                [*command, str(root / config), "--no-cache"],
                cwd=site,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            for config in CONFIGS
        ]
    return subprocess.CompletedProcess(
        runs[0].args,
        max(run.returncode for run in runs),
        "".join(run.stdout for run in runs),
        "".join(run.stderr for run in runs),
    )


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Which second-level package or module imports which (``rmpair.domain`` ...)."""
    with staged(root) as site:
        graph = import_graph(site)

    def top(name: str) -> str:
        return ".".join(name.split(".")[:2])

    out: dict[str, set[str]] = {}
    for name, targets in graph.items():
        out.setdefault(top(name), set()).update(top(t) for t in targets if top(t) != top(name))
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "contracts"
    if command == "contracts":
        done = run_contracts()
        print(done.stdout + done.stderr, end="")
        return done.returncode
    if command == "cycles":
        found = check_cycles()
        for line in found:
            print(f"import cycle: {line}")
        return 1 if found else 0
    if command == "graph":
        for name, targets in sorted(package_graph().items()):
            print(f"{name} -> {', '.join(sorted(targets)) or '-'}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
