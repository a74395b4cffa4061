"""The layers hold: nothing under integrations/ imports tools/, and no module imports itself back
through others (function-level imports included, where a cycle hides until run time)."""
from __future__ import annotations

import ast
from pathlib import Path

import soarpacks.integrations
import soarpacks.tools

PACKAGES = {"soarpacks.integrations": Path(soarpacks.integrations.__file__).parent,
            "soarpacks.tools": Path(soarpacks.tools.__file__).parent}


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((package, *parts))
            found[name[: -len(".__init__")] if name.endswith(".__init__") else name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else (node.module or "")
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c in known and c != name}
    return found


MODULES = _modules()
GRAPH = {name: _imports(name, path, set(MODULES)) for name, path in MODULES.items()}


def _cycle_from(start: str) -> list[str] | None:
    stack, seen = [(start, [start])], set()
    while stack:
        node, trail = stack.pop()
        for nxt in GRAPH[node]:
            if nxt == start:
                return trail + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, trail + [nxt]))
    return None


def test_the_runtime_never_imports_the_tools():
    upward = sorted(f"{a} -> {b}" for a, targets in GRAPH.items() for b in targets
                    if a.startswith("soarpacks.integrations") and b.startswith("soarpacks.tools"))
    assert upward == []


def test_no_module_imports_itself_back_through_others():
    cycles = [cycle for cycle in map(_cycle_from, sorted(GRAPH)) if cycle]
    assert cycles == [], " ; ".join(" -> ".join(c) for c in cycles[:3])


# The project guide's size limits (issue 15): past them a module or a function does more than one thing.
# Simulators stand in for a vendor's whole API and are exempt, as are tests.
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _sized_modules() -> dict[str, Path]:
    return {name: path for name, path in MODULES.items()
            if not path.name.startswith("simulator") and "tests" not in name.split(".")
            and not path.name.startswith("test_")}


def test_no_module_is_over_the_line_limit():
    long = sorted(f"{name}: {n} lines" for name, path in _sized_modules().items()
                  if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES)
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them by concern): {long}"


def test_no_function_is_over_the_line_limit():
    long = []
    for name, path in _sized_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name} (line {node.lineno}): {lines} lines")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines (split them into named helpers): {sorted(long)}"


VENDOR_MODULES = ("client.py", "mapping.py", "handlers.py", "manifest.yaml")
VENDOR_TESTS = ("test_client.py", "test_mapping.py", "test_fetch.py", "test_commands.py", "test_simulator.py")


def _vendors() -> list[Path]:
    root = Path(soarpacks.integrations.__file__).parent
    return sorted(p for p in root.iterdir() if (p / "manifest.yaml").is_file())


def test_every_vendor_has_the_one_layout():
    missing = [f"{v.name}/{name}" for v in _vendors() for name in VENDOR_MODULES if not (v / name).is_file()]
    assert not missing, f"vendor modules missing: {missing}"


def test_every_vendor_has_the_same_test_files():
    tests = Path(__file__).parent
    missing = [f"{v.name}/{name}" for v in _vendors() for name in VENDOR_TESTS if not (tests / v.name / name).is_file()]
    assert not missing, f"vendor test files missing: {missing}"
