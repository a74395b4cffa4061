"""BaseConnector as the platform drives it: ``_handle_action`` → initialize → handle_action per
parameter set → finalize. ``SOARPACKS_PHANTOM_WORLD`` names the JSON file holding the platform's side
(containers by source_data_identifier, like Splunk SOAR's duplicate check, and the asset state)."""
import json
import os

from . import app

_WORLD = {}


def _load():
    # Kept in memory while the process lives (the driver runs every request in one process).
    if not _WORLD:
        path = os.environ["SOARPACKS_PHANTOM_WORLD"]
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                _WORLD.update(json.load(handle))
        else:
            _WORLD.update(containers=[], by_sdi={}, state=None, progress=[])
    return _WORLD


def _store(world):
    pass


def flush():
    """Write the platform's side to SOARPACKS_PHANTOM_WORLD for the test to read."""
    with open(os.environ["SOARPACKS_PHANTOM_WORLD"], "w", encoding="utf-8") as handle:
        json.dump(_load(), handle)


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
        known = world["by_sdi"].get(container["source_data_identifier"])
        if known is not None:
            existing = world["containers"][known - 1]
            existing.setdefault("updates", []).append(container)
            return app.APP_SUCCESS, "Duplicate container found", existing["id"]
        container["id"] = len(world["containers"]) + 1
        world["containers"].append(container)
        world["by_sdi"][container["source_data_identifier"]] = container["id"]
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
