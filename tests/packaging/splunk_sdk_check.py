"""Runs inside the splunk-soar-sdk virtualenv: reads app JSON files with the SDK's own app-JSON reader
(``AppMetaDeserializer``, which builds its pydantic models of the app, every action's parameters and
output data paths, and parses ``python_version``).

    python splunk_sdk_check.py APP.json ...

Prints one JSON object: {APP.json: {"errors": [...], "python_versions": [...], "actions": N}}."""
import json
import sys
from pathlib import Path

from soar_sdk.cli.manifests.deserializers import AppMetaDeserializer
from soar_sdk.compat import PythonVersion


def check(path):
    try:
        app = AppMetaDeserializer.from_app_json(Path(path)).app_meta
    except Exception as exc:  # pydantic.ValidationError, ValueError, KeyError: the reader's refusals
        return {"errors": [f"{type(exc).__name__}: {exc}"]}
    return {"errors": [], "actions": len(app.actions),
            "python_versions": [str(v) for v in PythonVersion.from_csv(app.python_version)]}


if __name__ == "__main__":
    print(json.dumps({path: check(path) for path in sys.argv[1:]}))
