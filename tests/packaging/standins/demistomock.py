"""A stand-in for XSOAR's ``demistomock``: the calls an integration script makes, recorded.

The driver (``run_xsoar.py``) sets ``invocation`` before each run; ``server`` keeps lastRun and the
integration context across runs, as the XSOAR server does for one instance."""
import json

invocation = {"command": "", "params": {}, "args": {}}
server = {"lastRun": {}, "integrationContext": {}}
out = {"results": [], "incidents": None, "errors": [], "setLastRun_calls": 0}


def _copy(value):
    return json.loads(json.dumps(value))  # XSOAR stores JSON: anything else must fail here too


def command():
    return invocation["command"]


def params():
    return _copy(invocation["params"])


def args():
    return _copy(invocation["args"])


def getLastRun():
    return _copy(server["lastRun"])


def setLastRun(obj):
    out["setLastRun_calls"] += 1
    server["lastRun"] = _copy(obj)


def getIntegrationContext():
    return _copy(server["integrationContext"])


def setIntegrationContext(obj):
    server["integrationContext"] = _copy(obj)


def incidents(items):
    if out["incidents"] is not None:
        raise AssertionError("demisto.incidents() called twice in one run")
    out["incidents"] = _copy(items)


def results(entry):
    out["results"].append(_copy(entry))


def error(message):
    out["errors"].append(str(message))


def info(*parts):
    pass


def debug(*parts):
    pass


def integrationInstance():
    return "stand-in"
