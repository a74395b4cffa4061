"""``soarpacks package [--target native|xsoar|splunk|all] [integration ...] [-o DIR]``."""
from __future__ import annotations

import argparse
from typing import Any

from .build import TARGETS


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("package", help="build native / XSOAR / Splunk SOAR packages",
                                   description="Build packages for every integration found on disk (or the ones named).")
    parser.add_argument("integrations", nargs="*", metavar="integration", help="default: every integration")
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all", help="default: all")
    parser.add_argument("-o", "--output", default="dist", metavar="DIR", help="output folder (default: dist)")
    parser.add_argument("--xsoar-docker-image", default=None, metavar="IMAGE",
                        help="docker image for the XSOAR integration (needs requests, jsonschema>=4.18, PyYAML)")
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from soarpacks.integrations.common.registry import discover

    from .build import build_all
    targets = TARGETS if options.target == "all" else (options.target,)
    built = build_all(discover(), targets=targets, out_dir=options.output, only=options.integrations or None,
                      xsoar_docker_image=options.xsoar_docker_image)
    for (target, name), path in sorted(built.items()):
        print(f"{target:7} {name:16} {path}")
    return 0
