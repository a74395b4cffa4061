"""BaseConnector as the platform drives it: ``_handle_action`` → initialize → handle_action per
parameter set → finalize. ``SOARPACKS_PHANTOM_WORLD`` names the JSON file holding the platform's side
(containers by source_data_identifier, like Splunk SOAR's duplicate check, and the asset state)."""
import json
import os

from . import app


def _load():
    path = os.environ["SOARPACKS_PHANTOM_WORLD"]
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    return {"containers": [], "state": None, "progress": []}


def _store(world):
    with open(os.environ["SOARPACKS_PHANTOM_WORLD"], "w", encoding="utf-8") as handle:
        json.dump(world, handle)


class BaseConnector:
    def __init__(self):
        self._config = {}
        self._action = None
        self._results = []
        self._poll_now = False

    # --- what apps call -------------------------------------------------------------------
    def get_config(self):
        return dict(self._config)

    def get_action_identifier(self):
        return self._action

    def add_action_result(self, action_result):
        self._results.append(action_result)
        return action_result

    def save_progress(self, message, *more):
        world = _load()
        world["progress"].append(str(message))
        _store(world)

    def debug_print(self, *parts):
        pass

    def error_print(self, *parts):
        pass

    def is_poll_now(self):
        return self._poll_now

    def load_state(self):
        return _load()["state"]

    def save_state(self, state):
        world = _load()
        world["state"] = json.loads(json.dumps(state))
        _store(world)
        return app.APP_SUCCESS

    def save_container(self, container):
        container = json.loads(json.dumps(container))  # the platform stores JSON
        for key in ("name", "source_data_identifier"):
            if not container.get(key):
                return app.APP_ERROR, "container has no %s" % key, None
        world = _load()
        for existing in world["containers"]:
            if existing["source_data_identifier"] == container["source_data_identifier"]:
                existing.setdefault("updates", []).append(container)
                _store(world)
                return app.APP_SUCCESS, "Duplicate container found", existing["id"]
        container["id"] = len(world["containers"]) + 1
        world["containers"].append(container)
        _store(world)
        return app.APP_SUCCESS, "Container created", container["id"]

    # --- what the platform calls -------------------------------------------------------------
    def _handle_action(self, in_json, handle):
        request = json.loads(in_json)
        self._config = request.get("config", {})
        self._action = request["identifier"]
        self._poll_now = bool(request.get("poll_now"))
        if app.is_fail(self.initialize()):
            return json.dumps({"status": "failed", "results": []})
        for param in request.get("parameters", [{}]):
            self.handle_action(param)
        self.finalize()
        results = [r.to_dict() for r in self._results]
        status = "success" if results and all(r["status"] == "success" for r in results) else "failed"
        return json.dumps({"status": status, "results": results})

    def initialize(self):
        return app.APP_SUCCESS

    def finalize(self):
        return app.APP_SUCCESS
