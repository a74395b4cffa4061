"""native: one zip per integration that runs with `python <zip> run ...` in a virtualenv holding only
the runtime's dependencies, from the zip itself (unpacked nowhere by hand)."""
from __future__ import annotations

import json
import zipfile

from soarpacks.tools.packaging.native import native_files
from soarpacks.tools.packaging.sources import RUNTIME_REQUIREMENTS

from .helpers import as_text, clean_env, fetch_limit_args, run

MAX_RUNS = 12


def _run_zip(python, path, tmp, *args):
    return run([str(python), str(path), *args], cwd=tmp, env=clean_env(tmp))


def _param_flags(served):
    return [f"--param={name}={as_text(value)}" for name, value in served.params().items()]


def test_a_native_zip_holds_the_runtime_and_the_integration_but_no_simulator_or_tests(integration, dist):
    names = zipfile.ZipFile(dist[("native", integration.id)]).namelist()
    assert "__main__.py" in names and "requirements.txt" in names
    assert f"soarpacks/integrations/{integration.id}/manifest.yaml" in names
    assert f"soarpacks/integrations/{integration.id}/handlers.py" in names
    assert "soarpacks/integrations/common/runner.py" in names and "soarpacks/schemas/incident.schema.json" in names
    assert not [n for n in names if n.endswith("simulator.py") or "/simulator_" in n or "simkit" in n or "/tests/" in n
                or n.startswith("tests/") or "__pycache__" in n]
    other = [n for n in names if n.startswith("soarpacks/integrations/") and n.split("/")[2] not in ("common", integration.id)
             and n != "soarpacks/integrations/__init__.py"]
    assert other == []


def test_the_requirements_file_lists_exactly_the_runtime_dependencies(integration, dist):
    text = zipfile.ZipFile(dist[("native", integration.id)]).read("requirements.txt").decode()
    assert text.split() == list(RUNTIME_REQUIREMENTS)


def test_the_same_sources_give_the_same_bytes(integration):
    assert native_files(integration) == native_files(integration)


def test_entries_have_fixed_times_and_sorted_names(integration, dist):
    infos = zipfile.ZipFile(dist[("native", integration.id)]).infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_test_module_and_fetch_run_from_the_zip_in_a_clean_virtualenv(integration, dist, served, runtime_python,
                                                                        tmp_path):
    path = dist[("native", integration.id)]
    done = _run_zip(runtime_python, path, tmp_path, "run", "test-module", *_param_flags(served), "-o", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)

    state = tmp_path / "state.sqlite3"
    args = [f"{k}={as_text(v)}" for k, v in fetch_limit_args(integration, served.simulator).items()]
    fetch = ["run", "fetch-incidents", *args, *_param_flags(served), "-o", "json", "--state", str(state)]
    handed: list[str] = []
    for _ in range(MAX_RUNS):  # each run resumes from the bookmark in --state; the last one finds nothing new
        done = _run_zip(runtime_python, path, tmp_path, *fetch)
        assert done.returncode == 0, done.stderr
        batch = [i["id"] for i in json.loads(done.stdout)]
        if not batch:
            break
        handed += batch
    assert not batch, "still fetching"
    assert len(set(handed)) == len(handed) == served.simulator.expected_incident_count()


def test_the_zip_refuses_simulate_with_a_clear_error(dist, tmp_path):
    path = next(p for (target, _), p in sorted(dist.items()) if target == "native")
    import sys
    done = _run_zip(sys.executable, path, tmp_path, "run", "test-module", "--simulate")
    assert done.returncode == 2 and "simulators" in done.stderr


def test_bad_arguments_exit_2_with_one_line(dist, tmp_path):
    import sys
    path = next(p for (target, _), p in sorted(dist.items()) if target == "native")
    done = _run_zip(sys.executable, path, tmp_path, "run", "no-such-command")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


def test_fetch_as_ocsf_findings_runs_from_the_zip_with_arguments_after_flags(integration, dist, served,
                                                                              runtime_python, tmp_path):
    path = dist[("native", integration.id)]
    args = [f"{k}={as_text(v)}" for k, v in fetch_limit_args(integration, served.simulator, max_fetch=2).items()]
    done = _run_zip(runtime_python, path, tmp_path, "run", "fetch-incidents", *_param_flags(served), "-o", "ocsf",
                    "--state", str(tmp_path / "state.sqlite3"), *args)
    assert done.returncode == 0, done.stderr
    findings = [json.loads(line) for line in done.stdout.splitlines()]
    assert findings and all(f["class_uid"] == 2004 for f in findings)
