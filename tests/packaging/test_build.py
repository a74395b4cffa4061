"""The tool as a whole: every target for every integration, the same bytes twice, writes only inside the
output folder, refuses names that would escape it, and reads manifests with safe YAML only."""
from __future__ import annotations

import hashlib

import pytest

from soarpacks.integrations.common import errors
from soarpacks.tools.cli import main
from soarpacks.tools.packaging import archive
from soarpacks.tools.packaging.build import build_all
from soarpacks.tools.packaging.sources import SourceFile, check_imports

from .conftest import INTEGRATIONS


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_every_target_is_built_for_every_integration(splunk_dist):
    assert set(splunk_dist) == {(t, i) for t in ("native", "xsoar", "splunk") for i in INTEGRATIONS}


def test_building_twice_gives_identical_bytes(splunk_dist, tmp_path):
    dist = splunk_dist
    build_all(INTEGRATIONS, targets=("native", "xsoar", "splunk"), out_dir=tmp_path)
    first = next(iter(dist.values())).parent
    assert _digests(tmp_path) == _digests(first)


def test_the_command_line_builds_into_the_output_folder_and_nowhere_else(tmp_path, capsys):
    out = tmp_path / "dist"
    before = set(tmp_path.iterdir())
    name = sorted(INTEGRATIONS)[0]
    assert main(["package", "--target", "native", name, "-o", str(out)]) == 0
    assert set(tmp_path.iterdir()) - before == {out}
    assert [p.name for p in out.iterdir()] == [f"{name}-{INTEGRATIONS[name].manifest.version}-native.zip"]
    assert not [p for p in out.iterdir() if p.name.startswith(".partial-")]


def test_an_unknown_integration_is_bad_input(tmp_path, capsys):
    assert main(["package", "../../etc", "-o", str(tmp_path)]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../x.zip", "/etc/passwd", "a/b.zip", "..", ".hidden", "", "x\\y.zip"])
def test_output_names_that_could_escape_the_folder_are_refused(tmp_path, name):
    with pytest.raises(errors.InputError):
        archive.write_file(tmp_path, name, b"data")


@pytest.mark.parametrize("member", ["../evil.py", "/abs.py", "a/../../b.py", "a//b.py", "a\\b.py"])
def test_archive_members_that_could_escape_are_refused(member):
    with pytest.raises(errors.InputError):
        archive.zip_bytes([(member, b"")])


def test_an_existing_symlink_in_the_output_folder_is_replaced_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.zip").symlink_to(outside)
    archive.write_file(out, "x.zip", b"new")
    assert outside.read_text() == "keep" and (out / "x.zip").read_bytes() == b"new"


def test_shipped_code_that_imports_a_test_only_module_fails_the_build():
    with pytest.raises(errors.ConfigError, match="werkzeug"):
        check_imports([SourceFile("soarpacks/integrations/x/handlers.py", b"import werkzeug\n")])
    with pytest.raises(errors.ConfigError, match="simulator"):
        check_imports([SourceFile("soarpacks/integrations/x/handlers.py", b"from .simulator import S\n")])


def test_manifests_are_read_with_safe_yaml(tmp_path):
    from soarpacks.integrations.common.manifest import load_manifest
    path = tmp_path / "manifest.yaml"
    path.write_text("id: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(errors.ConfigError):
        load_manifest(path)
