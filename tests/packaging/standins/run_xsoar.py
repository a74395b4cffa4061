"""Runs an XSOAR integration script under the stand-in ``demistomock``, once per invocation, in one
process (XSOAR's Python loop also reuses its process). Usage: run_xsoar.py PLAN.json OUT.json"""
import json
import runpy
import sys

import demistomock


def main(plan_path, out_path):
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    demistomock.server["lastRun"] = plan.get("lastRun", {})
    runs = []
    for invocation in plan["invocations"]:
        demistomock.invocation.update(command=invocation["command"], params=invocation.get("params", {}),
                                      args=invocation.get("args", {}))
        demistomock.out.update(results=[], incidents=None, errors=[], setLastRun_calls=0)
        raised = None
        try:
            runpy.run_path(plan["script"], run_name="__main__")
        except Exception as exc:
            raised = "%s: %s" % (type(exc).__name__, exc)
        runs.append(dict(demistomock.out, raised=raised, lastRun=demistomock.server["lastRun"]))
    loaded = sys.modules.get("soarpacks.integrations")
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"runs": runs, "loaded_from": getattr(loaded, "__file__", None)}, handle)


if __name__ == "__main__":
    main(*sys.argv[1:])
