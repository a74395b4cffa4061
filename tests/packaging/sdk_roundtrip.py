"""Runs inside the demisto-sdk virtualenv: puts a unified integration YAML through demisto-sdk's own round
trip, as a content repository does with it: ``split`` into a package (code file with the demistomock and
CommonServerPython imports added), then ``unify`` (those imports deleted, register_module_line added).

    python sdk_roundtrip.py UNIFIED.yml WORK_DIR OUT.py

Writes the script of the re-unified YAML to OUT.py. Offline: both steps only read and write files."""
import os
import sys
from pathlib import Path

import yaml
from demisto_sdk.commands.prepare_content.integration_script_unifier import IntegrationScriptUnifier
from demisto_sdk.commands.split.ymlsplitter import YmlSplitter


def main(source, work, out):
    pack = Path(work).resolve() / "Packs" / "RoundTrip"
    package = pack / "Integrations" / "RoundTrip"
    package.parent.mkdir(parents=True)
    (pack / "pack_metadata.json").write_text('{"name": "RoundTrip", "currentVersion": "1.0.0"}')
    os.chdir(work)
    YmlSplitter(input=str(Path(source).resolve()), output=str(package), file_type="integration",
                no_readme=True).extract_to_package_format()
    (code,) = package.glob("*.py")
    assert "import demistomock as demisto" in code.read_text(), "split no longer adds the import: test is void"
    (yml,) = package.glob("*.yml")
    unified = IntegrationScriptUnifier.unify(yml, yaml.safe_load(yml.read_text()))
    Path(out).write_text(unified["script"]["script"], encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
