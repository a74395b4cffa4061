"""A stand-in for XSOAR's ``demisto`` object: the calls an integration script makes, recorded.

The driver (``run_xsoar.py``) sets ``invocation`` before each run and hands this module to the script as
its global ``demisto``, as XSOAR's python loop hands over its own object. ``server`` plays the XSOAR server's
part: it keeps, per integration instance, the fetch's lastRun and the integration context across runs.

What the real server does, and this stand-in therefore does too:
- lastRun belongs to the fetch flow: a ``fetch-incidents`` run reads what the instance's last fetch saved;
  any other command (war room, test-module, mirroring) reads ``{}`` and what it sets is not kept
  (XSOAR's "Fetching Incidents" developer docs: lastRun "is not stored in between CLI command runs").
- The integration context is the instance's, for every command.
- Everything crosses the boundary as JSON: a value that does not survive ``json.dumps`` fails here too.
"""
import json

FETCH = "fetch-incidents"
DEFAULT_INSTANCE = "stand-in"

invocation = {"command": "", "params": {}, "args": {}, "instance": DEFAULT_INSTANCE}
server = {"lastRun": {}, "integrationContext": {}}   # {instance: value}
out = {"results": [], "incidents": None, "errors": [], "setLastRun_calls": 0}


def _copy(value):
    return json.loads(json.dumps(value))  # XSOAR stores JSON: anything else must fail here too


def _instance():
    return invocation.get("instance") or DEFAULT_INSTANCE


def command():
    return invocation["command"]


def params():
    return _copy(invocation["params"])


def args():
    return _copy(invocation["args"])


def integrationInstance():
    return _instance()


def getLastRun():
    if invocation["command"] != FETCH:
        return {}
    return _copy(server["lastRun"].get(_instance(), {}))


def setLastRun(obj):
    out["setLastRun_calls"] += 1
    value = _copy(obj)
    if invocation["command"] == FETCH:
        server["lastRun"][_instance()] = value


def getIntegrationContext():
    return _copy(server["integrationContext"].get(_instance(), {}))


def setIntegrationContext(obj):
    server["integrationContext"][_instance()] = _copy(obj)


def incidents(items):
    if out["incidents"] is not None:
        raise AssertionError("demisto.incidents() called twice in one run")
    out["incidents"] = _copy(items)


def results(entry):
    out["results"].append(_copy(entry))


def error(*parts):
    out["errors"].append(" ".join(str(p) for p in parts))


def info(*parts):
    pass


def debug(*parts):
    pass
