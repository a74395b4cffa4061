"""Entry point of a soarpacks native package: ``python <id>-<version>.zip run <command> key=value ...``.

The runtime opens manifests and schemas by path, which code running straight from a zip cannot do, so
this file (standard library only) extracts the package once into a content-addressed cache folder
(``$SOARPACKS_CACHE_DIR``, else ``$XDG_CACHE_HOME/soarpacks/packages``, else ``~/.cache/...``), checks
every file against the digest recorded at build time, and runs from there. A second run reuses it.
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile
import zipfile

INFO = "soarpacks-package.json"


def _cache_root():
    if os.environ.get("SOARPACKS_CACHE_DIR"):
        return os.environ["SOARPACKS_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "soarpacks", "packages")


def _safe(name):
    parts = name.split("/")
    return name and not name.startswith("/") and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


def _extract(archive_path):
    with zipfile.ZipFile(archive_path) as archive:
        info = json.loads(archive.read(INFO).decode("utf-8"))
        target = os.path.join(_cache_root(), "%s-%s-%s" % (info["id"], info["version"], info["digest"][:24]))
        if os.path.isfile(os.path.join(target, ".complete")):
            return info, target
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".extract-", dir=os.path.dirname(target))
        try:
            digest = hashlib.sha256()
            for name in sorted(info["files"]):
                if not _safe(name):
                    raise SystemExit("soarpacks: refusing the package member %r" % name)
                data = archive.read(name)
                digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
                path = os.path.join(staging, *name.split("/"))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as handle:
                    handle.write(data)
            if digest.hexdigest() != info["digest"]:
                raise SystemExit("soarpacks: %s is damaged (its files do not match its digest)" % archive_path)
            open(os.path.join(staging, ".complete"), "w").close()
            try:
                os.rename(staging, target)
            except OSError:  # another process extracted the same package first: use theirs
                pass
        finally:
            if os.path.isdir(staging):
                shutil.rmtree(staging, ignore_errors=True)
    return info, target


def _main():
    archive_path = os.path.dirname(os.path.abspath(__file__))
    info, folder = _extract(archive_path)
    # Run from the extracted copy only: the zip leaves sys.path, so nothing is imported from it.
    sys.path[:] = [folder] + [p for p in sys.path if os.path.abspath(p or ".") != archive_path]
    from soarpacks.tools.packaging.platform.native import main
    return main(info, sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
