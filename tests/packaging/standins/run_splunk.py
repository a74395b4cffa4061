"""Runs a Splunk SOAR app's connector under the stand-in ``phantom`` package, as the platform would:
import the main module, find its BaseConnector subclass, call ``_handle_action`` per request.
Usage: run_splunk.py APP_FOLDER MAIN_MODULE REQUESTS.json OUT.json"""
import importlib.util
import inspect
import json
import os
import sys


def main(app_folder, main_module, requests_path, out_path):
    sys.path.insert(0, app_folder)
    from phantom.base_connector import BaseConnector, flush
    spec = importlib.util.spec_from_file_location("app_connector", os.path.join(app_folder, main_module))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    connector_class = next(c for _, c in inspect.getmembers(module, inspect.isclass)
                           if issubclass(c, BaseConnector) and c.__module__ == module.__name__)
    with open(requests_path, encoding="utf-8") as handle:
        requests = json.load(handle)
    answers = [json.loads(connector_class()._handle_action(json.dumps(r), None)) for r in requests]
    flush()
    loaded = sys.modules.get("integrations")
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"answers": answers, "loaded_from": getattr(loaded, "__file__", None)}, handle)


if __name__ == "__main__":
    main(*sys.argv[1:])
