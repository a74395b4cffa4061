"""Reproducible archives and output paths that cannot leave the output folder.

Same files in → same bytes out: entries sorted, a fixed timestamp, fixed permissions and owners,
and a gzip header without a name or time. The only writes are into the output folder, through a
temporary file renamed into place (an existing symlink there is replaced, never followed).
"""
from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Iterable

from soarpacks.integrations.common import errors

# 1980-01-01: the earliest time a zip entry can hold; used for tar entries too.
FIXED_EPOCH = 315532800
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$")

Files = Iterable[tuple[str, bytes]]


def check_member(name: str) -> str:
    """An archive member name: relative, forward slashes, no ``..``, nothing hidden at the top."""
    path = PurePosixPath(name)
    if (not name or name.startswith("/") or "\\" in name or path.is_absolute()
            or any(part in ("", ".", "..") for part in name.split("/"))):
        raise errors.InputError(f"refusing archive member name {name!r}")
    return name


def output_path(out_dir: Path, name: str) -> Path:
    """``out_dir/name`` for a plain file name; anything that could point elsewhere is refused."""
    if not _SAFE_NAME.match(name) or name in (".", ".."):
        raise errors.InputError(f"refusing output file name {name!r}")
    base = out_dir.resolve()
    target = (base / name)
    if target.parent != base:
        raise errors.InputError(f"{name!r} would be written outside {base}")
    return target


def prepare_output_dir(path: str | os.PathLike[str]) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise errors.InputError(f"output folder {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out.resolve()


def write_file(out_dir: Path, name: str, data: bytes) -> Path:
    target = output_path(out_dir, name)
    fd, temp = tempfile.mkstemp(prefix=".partial-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return target


def _sorted_unique(files: Files) -> list[tuple[str, bytes]]:
    entries = sorted(files, key=lambda item: item[0])
    names = [check_member(name) for name, _ in entries]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise errors.ConfigError(f"archive would hold {sorted(duplicates)[0]} twice")
    return entries


def zip_bytes(files: Files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in _sorted_unique(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permission bits below mean what they say
            info.external_attr = (0o100644 & 0xFFFF) << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def tgz_bytes(files: Files, *, top: str) -> bytes:
    """A gzipped tar with every file under the folder ``top`` (directories listed too)."""
    check_member(top)
    entries = _sorted_unique((f"{top}/{name}", data) for name, data in files)
    folders = sorted({str(parent) for name, _ in entries for parent in PurePosixPath(name).parents
                      if str(parent) != "."})
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for folder in folders:
            tar.addfile(_tar_info(folder, tarfile.DIRTYPE, 0o755, 0))
        for name, data in entries:
            tar.addfile(_tar_info(name, tarfile.REGTYPE, 0o644, len(data)), io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def _tar_info(name: str, kind: bytes, mode: int, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = FIXED_EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info
