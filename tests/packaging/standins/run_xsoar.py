"""A stand-in for XSOAR's docker "python loop": runs integration scripts one after another in ONE process,
the way the real engine does. Usage: run_xsoar.py PLAN.json OUT.json

How the real loop behaves (its source ships in XSOAR's integration images as the loop script; this
stand-in copies none of it, only the behaviour that matters to a pack):
- One long-lived Python process per docker image runs the scripts of every integration instance that uses
  that image, one run at a time: several packs, and several versions of one pack, share the interpreter.
- Each run compiles the script and ``exec``s it in a FRESH globals dict that holds the loop's ``demisto``
  object and no ``__name__`` (so a script's ``__name__`` is ``builtins``: hence CommonServerPython's
  ``if __name__ in ('__main__', '__builtin__', 'builtins')``). ``sys.modules``, ``sys.path`` and files
  written to disk are NOT reset between runs; ``os.environ`` is restored after each run.
- ``SystemExit`` ends a run normally: CommonServerPython's ``return_error`` sends an error entry and calls
  ``sys.exit(0)`` for ordinary commands; for fetch-incidents (and the other server-handled commands) it
  raises instead, and an exception is reported to the server as the run's error.
- The server keeps lastRun per instance for the fetch flow, and the integration context per instance
  (see demistomock.py).

PLAN: {"script": PATH, "lastRun": {...} (for the default instance), "invocations": [{"command", "params",
"args", "script" (default: the plan's), "instance" (default: demistomock.DEFAULT_INSTANCE)}],
"unimportable": [module names the docker image does not have, e.g. "jsonschema": importing one, or a
submodule of one, raises ModuleNotFoundError as in an image without it]}.
OUT: per run what the script handed over, ``raised`` (the error the loop would report), ``exited`` (a
SystemExit ended it), ``lastRun`` (the instance's after the run) and ``new_roots`` (the top-level
``soarpacks*`` packages this run imported for the first time); and ``roots``: every such package loaded
at the end, with the file its ``integrations`` package was loaded from; ``unimportable_attempts`` (the
imports of unimportable modules tried) and ``unimportable_loaded`` (any that got into ``sys.modules``).
"""
import json
import os
import sys

import demistomock


class Unimportable:
    """A meta path finder that makes modules missing, as in a docker image that does not have them."""

    def __init__(self, names):
        self.names = tuple(names)
        self.attempts = []

    def _blocked(self, name):
        return any(name == n or name.startswith(n + ".") for n in self.names)

    def find_spec(self, name, path=None, target=None):
        if self._blocked(name):
            self.attempts.append(name)
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return None

    def install(self):
        for name in [m for m in sys.modules if self._blocked(m)]:
            del sys.modules[name]
        sys.meta_path.insert(0, self)


def _roots():
    return {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())
            if name.startswith("soarpacks") and "." not in name}


def _integrations_files():
    """Where each runtime copy's ``integrations`` package was loaded from."""
    return {name.split(".")[0]: getattr(module, "__file__", None) for name, module in list(sys.modules.items())
            if name.startswith("soarpacks") and name.count(".") == 1 and name.endswith(".integrations")}


def run_once(code):
    """One run of the loop: fresh globals, the ``demisto`` object, no ``__name__``."""
    environment = dict(os.environ)
    sub_globals = {"demisto": demistomock, "exit": sys.exit, "quit": sys.exit}
    raised, exited = None, False
    try:
        exec(code, sub_globals, sub_globals)
    except SystemExit:
        exited = True
    except Exception as exc:
        raised = "%s: %s" % (type(exc).__name__, exc)
    finally:
        sub_globals.clear()
        os.environ.clear()
        os.environ.update(environment)
    return raised, exited


def main(plan_path, out_path):
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    missing = Unimportable(plan.get("unimportable") or [])
    missing.install()
    demistomock.server["lastRun"][demistomock.DEFAULT_INSTANCE] = plan.get("lastRun") or {}
    compiled = {}
    runs = []
    for invocation in plan["invocations"]:
        path = invocation.get("script") or plan["script"]
        if path not in compiled:
            with open(path, encoding="utf-8") as handle:
                compiled[path] = compile(handle.read(), "<string>", "exec")
        instance = invocation.get("instance") or demistomock.DEFAULT_INSTANCE
        demistomock.invocation.update(command=invocation["command"], params=invocation.get("params", {}),
                                      args=invocation.get("args", {}), instance=instance)
        demistomock.out.update(results=[], incidents=None, errors=[], setLastRun_calls=0)
        before = set(_roots())
        raised, exited = run_once(compiled[path])
        runs.append(dict(demistomock.out, raised=raised, exited=exited,
                         lastRun=demistomock.server["lastRun"].get(instance, {}),
                         new_roots=sorted(set(_roots()) - before)))
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"runs": runs, "roots": _integrations_files(), "unimportable_attempts": missing.attempts,
                   "unimportable_loaded": sorted(m for m in sys.modules if missing._blocked(m))}, handle)


if __name__ == "__main__":
    main(*sys.argv[1:])
