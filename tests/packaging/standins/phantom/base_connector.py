"""BaseConnector as the platform drives it: ``_handle_action`` → initialize → handle_action per
parameter set → finalize. ``SOARPACKS_PHANTOM_WORLD`` names the JSON file holding the platform's side
(containers, artifacts, the asset state).

How the real Splunk SOAR behaves, and this stand-in too:
- ``save_container(container)`` returns ``(status, message, container_id)``. A container whose
  ``source_data_identifier`` is already known (for the asset) is not saved again: the answer is success,
  the message "Duplicate container found" and the EXISTING container's id; the existing container keeps its
  fields. Published polling apps (msgraphforoffice365, ...) then add the new artifacts to it with
  ``save_artifacts`` and that id.
- ``save_artifacts(artifacts)`` returns ``(status, message, ids)``; each artifact names its
  ``container_id``; an unknown container is an error. SOAR drops an artifact equal to one the container holds;
  the stand-in treats artifacts with the same ``source_data_identifier`` in a container as equal.
- Action parameters arrive typed by the platform (numbers as floats; see ``run_splunk.py``).
"""
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

    def save_artifacts(self, artifacts):
        world = _load()
        ids = []
        for artifact in json.loads(json.dumps(artifacts)):
            container_id = artifact.get("container_id")
            if not isinstance(container_id, int) or not 0 < container_id <= len(world["containers"]):
                return app.APP_ERROR, "Invalid container_id %r" % (container_id,), ids
            held = world["containers"][container_id - 1].setdefault("artifacts", [])
            same = [a for a in held if a.get("source_data_identifier") == artifact.get("source_data_identifier")]
            if same:
                ids.append(same[0]["id"])
                continue
            world["artifact_count"] = world.get("artifact_count", 0) + 1
            artifact["id"] = world["artifact_count"]
            held.append(artifact)
            ids.append(artifact["id"])
        return app.APP_SUCCESS, "Artifacts saved", ids

    def save_artifact(self, artifact):
        status, message, ids = self.save_artifacts([artifact])
        return status, message, (ids[0] if ids else None)

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
