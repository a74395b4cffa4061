"""Exit codes follow the table in ``soarpacks --help``: user mistakes are 2 or 3, never 1 (our bugs)."""
from __future__ import annotations

import pytest

from soarpacks.tools.cli import main


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_names_every_exit_code(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "exit codes:" in out
    assert all(f"\n  {code}  " in out for code in range(6))


def test_an_id_the_vendor_does_not_have_is_bad_input(capsys):
    code, out, err = _cli(capsys, "run", "cisco_gta", "get-event", "alert_id=" + "0" * 64, "--simulate")
    assert code == 2 and "error (not-found)" in err and "not found" in err


def test_out_naming_a_directory_is_bad_input_and_nothing_is_fetched(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "--simulate", "--out", str(tmp_path))
    assert code == 2 and "is a directory" in err and list(tmp_path.iterdir()) == []


def test_out_in_a_folder_that_does_not_exist_is_bad_input(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "--simulate",
                          "--out", str(tmp_path / "no" / "such" / "out.jsonl"))
    assert code == 2 and "does not exist" in err


def test_a_package_output_path_that_cannot_be_created_is_a_config_error_not_our_bug(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, out, err = _cli(capsys, "package", "--target", "native", "cisco_gta", "-o", str(blocker / "dist"))
    assert code == 3 and "bug" not in err and len(err.strip().splitlines()) == 1


def test_version_prints_the_installed_version(capsys):
    from importlib import metadata
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith(f"soarpacks {metadata.version('soarpacks')} ")


def test_describe_shows_each_arguments_description_default_and_allowed_values(capsys):
    code, out, err = _cli(capsys, "describe", "cisco_gta")
    assert code == 0
    assert "max_fetch (integer); default 200" in out and "Most incidents handed over in one run." in out
    assert "one of eu, us, apjc" in out


def test_run_help_shows_examples(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert out.count("\n  soarpacks run ") == 2
