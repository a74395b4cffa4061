"""Build the chosen targets for the chosen integrations into one output folder."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Mapping

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import Integration

from . import archive

TARGETS = ("native", "xsoar", "splunk")


def _builders(xsoar_docker_image: str | None) -> dict[str, Callable[..., Path]]:
    from .native import build_native
    from .splunk import build_splunk
    from .xsoar import DEFAULT_DOCKER_IMAGE, build_xsoar, exported_playbooks
    image = xsoar_docker_image or DEFAULT_DOCKER_IMAGE
    playbooks: list = []

    def xsoar(integration: Integration, out: Path, everyone: Mapping[str, Integration]) -> Path:
        if not playbooks:  # exported once per build, for every pack
            playbooks.append(exported_playbooks())
        return build_xsoar(integration, out, docker_image=image, others=everyone, playbooks=playbooks[0])

    return {
        "native": lambda integration, out, everyone: build_native(integration, out),
        "xsoar": xsoar,
        "splunk": lambda integration, out, everyone: build_splunk(integration, out),
    }


def build_all(integrations: Mapping[str, Integration], *, targets: Iterable[str], out_dir: str | Path,
              only: Iterable[str] | None = None, xsoar_docker_image: str | None = None) -> dict[tuple[str, str], Path]:
    """Every (target, integration) artifact; returns where each one was written."""
    targets = list(targets)
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise errors.InputError(f"unknown target {unknown[0]!r} (targets: {', '.join(TARGETS)}, all)")
    wanted = list(only) if only else sorted(integrations)
    missing = [name for name in wanted if name not in integrations]
    if missing:
        raise errors.InputError(f"no integration {missing[0]!r} (installed: {', '.join(sorted(integrations)) or 'none'})")
    if "xsoar" in targets:
        from .xsoar import check_command_names
        check_command_names(integrations.values())   # every installed pack, not only the ones built now
    out = archive.prepare_output_dir(out_dir)
    builders = _builders(xsoar_docker_image)
    built = {}
    for name in wanted:
        for target in targets:
            built[(target, name)] = builders[target](integrations[name], out, integrations)
    return built
