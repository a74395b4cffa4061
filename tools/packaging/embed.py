"""One Python script that carries a whole package: the files as readable string literals, and a few lines
that write them once to a content-addressed folder and put it on ``sys.path``.

Why: XSOAR runs an integration as a single script, and the runtime opens manifests and schemas by path.
The files stay readable in the platform's code view (no opaque blob); a folder that exists but is not
ours (another user, group/world-writable, or not matching the digest) is never used.
"""
from __future__ import annotations

from soarpacks.integrations.common import errors

from .sources import SourceFile, digest

BOOTSTRAP = '''
def _soarpacks_materialise(files, package, digest):
    """Write the embedded files once into a private folder named by their digest; return it."""
    import hashlib
    import os
    import shutil
    import stat
    import tempfile

    def ours(folder):
        try:
            info = os.lstat(folder)
        except OSError:
            return False
        return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022
                and os.path.isfile(os.path.join(folder, ".complete")))

    check = hashlib.sha256()
    for name in sorted(files):
        check.update(name.encode("utf-8") + b"\\0" + hashlib.sha256(files[name].encode("utf-8")).digest())
    if check.hexdigest() != digest:
        raise RuntimeError("soarpacks: the embedded files do not match their digest; re-import the pack")
    root = tempfile.gettempdir()
    folder = os.path.join(root, "soarpacks-%s-%s" % (package, digest[:24]))
    if ours(folder):
        return folder
    staging = tempfile.mkdtemp(prefix=".soarpacks-", dir=root)
    for name, text in files.items():
        parts = name.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise RuntimeError("soarpacks: refusing the embedded file name %r" % name)
        path = os.path.join(staging, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    open(os.path.join(staging, ".complete"), "w").close()
    try:
        os.rename(staging, folder)
    except OSError:
        pass
    if ours(folder):
        shutil.rmtree(staging, ignore_errors=True)
        return folder
    return staging  # someone else's folder sits at the shared name: use our private copy
'''


def literal(text: str) -> str:
    """A raw triple-quoted literal when that reproduces ``text`` exactly, else ``repr``."""
    if "'''" not in text and not text.endswith("\\") and "\r" not in text and "\x00" not in text:
        trailing = text[-1:] == "'"
        if not trailing:
            return "r'''" + text + "'''"
    return repr(text)


def embedded_files(files: list[SourceFile]) -> tuple[str, str]:
    """The ``FILES = {...}`` block and the digest of the files, as text."""
    texts = {}
    for source in sorted(files, key=lambda f: f.name):
        try:
            texts[source.name] = source.data.decode("utf-8")
        except UnicodeDecodeError:
            raise errors.ConfigError(f"{source.name} is not UTF-8 text; it cannot be embedded") from None
    # The digest is over the text as written back (UTF-8), the same bytes the bootstrap checks.
    value = digest([SourceFile(name, text.encode("utf-8")) for name, text in texts.items()])
    block = "SOARPACKS_FILES = {\n" + "".join(f"{name!r}: {literal(text)},\n" for name, text in texts.items()) + "}\n"
    return block, value
