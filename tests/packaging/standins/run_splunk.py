"""Runs a Splunk SOAR app's connector under the stand-in ``phantom`` package, as the platform would:
import the main module, find its BaseConnector subclass, call ``_handle_action`` per request.
Usage: run_splunk.py APP_FOLDER MAIN_MODULE REQUESTS.json OUT.json

What the real platform does with an action's parameters before the connector sees them, and this driver
does too (from the app JSON, as the platform reads it):
- a ``numeric`` parameter arrives as a float (``5.0``), whatever was typed or passed by a playbook;
- a ``boolean`` one as a bool, a ``string`` one (``allow_list`` ones too: "a,b") as a string;
- every parameter set carries a ``context`` key (guid, artifact id, parent action run) that is no parameter.
Asset settings (``config``) are typed the same way from the app JSON's ``configuration``.
"""
import importlib.util
import inspect
import json
import os
import sys


def _typed(value, data_type):
    if value is None:
        return None
    if data_type == "numeric":
        return float(value)
    if data_type == "boolean":
        return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1", "yes")
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict) else str(value)


def _as_platform_sends(request, app):
    specs = {a["identifier"]: a.get("parameters", {}) for a in app["actions"]}[request["identifier"]]
    parameters = []
    for param in request.get("parameters", [{}]):
        typed = {k: _typed(v, specs[k]["data_type"]) if k in specs else v for k, v in param.items()}
        typed["context"] = {"guid": "00000000-0000-0000-0000-000000000000", "artifact_id": 0, "parent_action_run": []}
        parameters.append(typed)
    config = {k: _typed(v, app["configuration"][k]["data_type"]) if k in app["configuration"] else v
              for k, v in request.get("config", {}).items()}
    return dict(request, parameters=parameters, config=config)


def main(app_folder, main_module, requests_path, out_path):
    sys.path.insert(0, app_folder)
    from phantom.base_connector import BaseConnector, flush
    spec = importlib.util.spec_from_file_location("app_connector", os.path.join(app_folder, main_module))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    connector_class = next(c for _, c in inspect.getmembers(module, inspect.isclass)
                           if issubclass(c, BaseConnector) and c.__module__ == module.__name__)
    app_json = os.path.join(app_folder, os.path.basename(app_folder.rstrip("/")) + ".json")
    with open(app_json, encoding="utf-8") as handle:
        app = json.load(handle)
    with open(requests_path, encoding="utf-8") as handle:
        requests = json.load(handle)
    answers = [json.loads(connector_class()._handle_action(json.dumps(_as_platform_sends(r, app)), None))
               for r in requests]
    flush()
    loaded = sys.modules.get("soarpacks.integrations")
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"answers": answers, "loaded_from": getattr(loaded, "__file__", None),
                   "python": "%d.%d" % sys.version_info[:2]}, handle)


if __name__ == "__main__":
    main(*sys.argv[1:])
