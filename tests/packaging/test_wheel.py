"""The wheel users install: one importable namespace, everything the runtime reads inside it.

These specs build the wheel from the checkout (pip, the same way ``pip install .`` does) and read it.
.ci/run goes further: it installs the wheel into fresh 3.9 and 3.13 virtualenvs and runs the CLI and
this whole suite against the installed copy.
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
MAPPED = {"integrations": "soarpacks/integrations", "tools": "soarpacks/tools",
          "schemas": "soarpacks/schemas", "playbooks": "soarpacks/playbooks"}


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                           "--no-deps", "-w", str(out), str(CHECKOUT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = out.glob("soarpacks-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def _shipped_source(folder: str) -> list[Path]:
    root = CHECKOUT / folder
    return [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            and p.suffix in (".py", ".yaml", ".json", ".md", ".ndjson")]


def test_the_wheel_has_no_top_level_name_but_soarpacks(wheel_names):
    top = {name.split("/")[0] for name in wheel_names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"soarpacks"}


@pytest.mark.parametrize("folder", sorted(MAPPED))
def test_every_source_and_data_file_of_a_mapped_folder_is_in_the_wheel(wheel_names, folder):
    missing = [str(p.relative_to(CHECKOUT)) for p in _shipped_source(folder)
               if f"{MAPPED[folder]}/{p.relative_to(CHECKOUT / folder).as_posix()}" not in wheel_names]
    assert missing == []


def test_the_installed_package_finds_its_data_without_the_checkout():
    from soarpacks.integrations.common.manifest import SCHEMAS_DIR
    from soarpacks.integrations.common.registry import INTEGRATIONS_DIR
    import soarpacks.integrations

    assert Path(soarpacks.integrations.__file__).parent == INTEGRATIONS_DIR
    assert (SCHEMAS_DIR / "manifest.schema.json").is_file()
    assert sorted(p.parent.name for p in INTEGRATIONS_DIR.glob("*/manifest.yaml")) == [
        "alertlogic", "alienvault_usm", "alphasoc", "authentic8", "cisco_gta"]


def test_no_module_finds_files_by_walking_up_from_itself():
    offenders = [f"{p.relative_to(CHECKOUT)}" for folder in ("integrations", "tools") for p in (CHECKOUT / folder).rglob("*.py")
                 if "parents[" in p.read_text(encoding="utf-8") or ".parent.parent" in p.read_text(encoding="utf-8")]
    assert offenders == []
