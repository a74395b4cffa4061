"""xsoar: the unified script survives demisto-sdk. A content repository splits a pack's YAML and unifies it
again (``demisto-sdk split`` / ``unify`` / ``prepare-content``); unify deletes every ``import demistomock as
demisto`` and CommonServerPython import wherever it stands, and XSOAR prepends CommonServerPython (which
defines ``register_module_line``) to the script it runs. The re-unified script must still compile and run."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from soarpacks.integrations.common import errors
from soarpacks.tools.packaging import xsoar
from soarpacks.tools.packaging.sources import SourceFile, package_files

from .helpers import STANDINS, clean_env, fetch_limit_args, platform_settings, run, run_python
from .test_xsoar import _unified

SDK_ROUNDTRIP = Path(__file__).parent / "sdk_roundtrip.py"
# What XSOAR's engine puts before a unified script (CommonServerPython defines these; we copy none of it).
ENGINE_PRELUDE = "def register_module_line(*args, **kwargs):\n    pass\n\n\ndef __line__():\n    return 0\n\n\n"
# demisto-sdk's IntegrationScriptUnifier.clean_python_code, as its source documents it.
SDK_CLEANING = (r"import demistomock as demisto[ \t]*(#.*)?", r"from CommonServerPython import \*[ \t]*(#.*)?",
                r"from CommonServerUserPython import \*[ \t]*(#.*)?", r"from __future__ import print_function[ \t]*(#.*)?")


def _cleaned(script: str) -> str:
    for pattern in SDK_CLEANING:
        script = re.sub(pattern, "", script)
    return script


def test_the_script_compiles_after_demisto_sdks_documented_cleaning(integration, dist):
    script = _unified(dist, integration)["script"]["script"]
    cleaned = _cleaned("import demistomock as demisto  # noqa: F401\nfrom CommonServerPython import *  # noqa: F401\n"
                       + script)
    assert "import demistomock" not in cleaned and "CommonServerPython import" not in cleaned
    compile(cleaned, "<unified>", "exec")
    assert _cleaned(script) == script, "the generated script itself holds a line demisto-sdk deletes"


def test_an_embedded_file_holding_a_line_demisto_sdk_deletes_fails_the_build(integration):
    files = package_files(integration)
    poisoned = [*files, SourceFile(files[0].name.rsplit("/", 1)[0] + "/poison.py", b"import demistomock as demisto\n")]
    with pytest.raises(errors.ConfigError, match="demisto-sdk"):
        xsoar.script_text(integration, files=poisoned)


def _roundtrip(sdk_python, script_yaml: Path, tmp_path: Path) -> str:
    out = tmp_path / "roundtrip.py"
    (tmp_path / "work").mkdir()
    done = run([str(sdk_python), str(SDK_ROUNDTRIP), str(script_yaml), str(tmp_path / "work"), str(out)],
               cwd=tmp_path, env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("integration", ["cisco_gta"], indirect=True)
def test_the_script_runs_after_a_demisto_sdk_split_and_unify_round_trip(integration, dist, served, sdk_python,
                                                                      tmp_path):
    archive_yaml = tmp_path / "integration.yml"
    unified = _unified(dist, integration)
    archive_yaml.write_text(json.dumps(unified), encoding="utf-8")  # JSON is YAML
    roundtripped = _roundtrip(sdk_python, archive_yaml, tmp_path)
    assert "import demistomock" not in roundtripped and "register_module_line(" in roundtripped
    script = tmp_path / "engine.py"
    script.write_text(ENGINE_PRELUDE + roundtripped, encoding="utf-8")

    settings = {**platform_settings(integration, served, fetch_limit_args(integration, served.simulator),
                                    credentials=True), "isFetch": True}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"script": str(script), "invocations": [
        {"command": "test-module", "params": settings}, {"command": "fetch-incidents", "params": settings}]}))
    (tmp_path / "run").mkdir()
    test, fetch = run_python(sys.executable, STANDINS / "run_xsoar.py", str(plan), tmp=tmp_path / "run")["runs"]
    assert test["raised"] is None and not test["errors"] and test["results"] == ["ok"]
    assert fetch["raised"] is None and not fetch["errors"] and fetch["incidents"]
