"""Which files a package carries: the integration's folder, the shared runtime (with the platform
adapters) and the shared schemas, laid out as in the wheel (``soarpacks/integrations/<id>/…``,
``soarpacks/integrations/common/…``, ``soarpacks/schemas/…``), so the runtime finds manifests and
schemas through ``importlib.resources`` exactly as it does when installed.

Never shipped: simulators (``simulator.py`` and the modules it mounts, ``simulator_*.py``) and the simulator
kit (test doubles, and they need werkzeug), tests, caches,
hidden files. Symlinks are refused: a link could pull in a file from anywhere on the build machine.
"""
from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from pathlib import Path

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import SCHEMAS_DIR
from soarpacks.integrations.common.registry import INTEGRATIONS_DIR, Integration
from soarpacks.integrations.common.resources import ROOT_PACKAGE, package_dir

# What a package needs installed, and nothing else (werkzeug only serves the simulators).
RUNTIME_REQUIREMENTS = ("requests>=2.28", "jsonschema>=4.18", "PyYAML>=6.0")

EXCLUDED_FILES = frozenset({"simulator.py", "simkit.py", "conftest.py"})
EXCLUDED_DIRS = frozenset({"tests", "test", "__pycache__"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# Modules that must never be imported by shipped code: they are not in the package.
FORBIDDEN_IMPORTS = ("werkzeug", "pytest", f"{ROOT_PACKAGE}.integrations.common.simkit")

PLATFORM_DIR = Path(__file__).resolve().parent / "platform"


@dataclass(frozen=True)
class SourceFile:
    name: str      # the path inside the package, with forward slashes
    data: bytes


def _excluded(relative: Path) -> bool:
    parts = relative.parts
    return (any(p in EXCLUDED_DIRS or p.startswith(".") for p in parts[:-1])
            or parts[-1] in EXCLUDED_FILES or parts[-1].startswith(".")
            or parts[-1].endswith(EXCLUDED_SUFFIXES)
            or (parts[-1].startswith("simulator_") and parts[-1].endswith(".py"))
            or (parts[-1].startswith("test_") and parts[-1].endswith(".py")))


def _tree(folder: Path, prefix: str, *, pattern: str = "**/*") -> list[SourceFile]:
    files = []
    for path in sorted(folder.glob(pattern)):
        relative = path.relative_to(folder)
        if _excluded(relative):
            continue
        if path.is_symlink():
            raise errors.ConfigError(f"refusing to package the symlink {path}")
        if path.is_file():
            files.append(SourceFile(f"{prefix}/{relative.as_posix()}" if prefix else relative.as_posix(),
                                    path.read_bytes()))
    return files


def runtime_files() -> list[SourceFile]:
    """The shared runtime (without the simulator kit) and the shared schemas."""
    root = ROOT_PACKAGE
    return ([SourceFile(f"{root}/integrations/__init__.py", (INTEGRATIONS_DIR / "__init__.py").read_bytes())]
            + _tree(INTEGRATIONS_DIR / "common", f"{root}/integrations/common", pattern="*.py")
            + _tree(INTEGRATIONS_DIR / "common" / "platform", f"{root}/integrations/common/platform", pattern="*.py")
            + _tree(SCHEMAS_DIR, f"{root}/schemas", pattern="*.json")
            + [SourceFile(f"{root}/schemas/__init__.py", (SCHEMAS_DIR / "__init__.py").read_bytes())])


def integration_files(integration: Integration) -> list[SourceFile]:
    folder = integration.manifest.folder
    if folder.parent.resolve() != INTEGRATIONS_DIR.resolve():
        raise errors.ConfigError(f"{integration.id}: {folder} is not under {INTEGRATIONS_DIR}")
    return _tree(folder, f"{ROOT_PACKAGE}/integrations/{integration.id}")


def tool_files(*relative: str) -> list[SourceFile]:
    """Modules of ``soarpacks.tools`` (the CLI for the native package), named relative to it."""
    tools = package_dir("tools")
    return [SourceFile(f"{ROOT_PACKAGE}/tools/{name}", (tools / name).read_bytes()) for name in relative]


def package_files(integration: Integration, *extra: list[SourceFile]) -> list[SourceFile]:
    files = runtime_files() + integration_files(integration)
    for more in extra:
        files += more
    files.sort(key=lambda f: f.name)
    check_imports(files)
    return files


def check_imports(files: list[SourceFile]) -> None:
    """Fail the build, not the first run on a SOAR engine, when shipped code imports a test-only module."""
    shipped = {f.name for f in files}
    for source in files:
        # The CLI shipped in the native package imports the simulator kit only for --simulate,
        # which the package's launcher refuses; everything else is checked.
        if not source.name.endswith(".py") or source.name.startswith(f"{ROOT_PACKAGE}/tools/"):
            continue
        tree = ast.parse(source.data, filename=source.name)
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [_absolute(source.name, node.module, node.level)]
            for module in modules:
                if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN_IMPORTS):
                    raise errors.ConfigError(f"{source.name} imports {module}, which packages do not ship")
                if module.startswith(f"{ROOT_PACKAGE}.integrations."):
                    as_path = module.replace(".", "/")
                    if f"{as_path}.py" not in shipped and f"{as_path}/__init__.py" not in shipped:
                        raise errors.ConfigError(f"{source.name} imports {module}, which is not in the package")


def _absolute(file_name: str, module: str, level: int) -> str:
    """The absolute name of ``from <level dots><module> import ...`` written in ``file_name``."""
    if not level:
        return module
    package = file_name.split("/")[:-1]
    return ".".join(package[:len(package) - level + 1] + [module])


def digest(files: list[SourceFile]) -> str:
    """A content address of the files (names and bytes)."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.data).digest())
    return h.hexdigest()
