"""`harness COMMAND` (also `python -m harness`): the one command line of the suite.

Each group of commands is one module here with one `add_commands(sub)`; a new command is a
function in its group (or a new module in GROUPS), never a second entry point. Commands
import the heavy layers (the kubernetes client, the release flow) only when they run, so
`harness check` on an unchanged tree stays well under a second.
"""

from __future__ import annotations

import argparse

from . import backup, cluster, images, observability, publish, release, render, smoke
from .base import EXIT_CODES, OneLineParser, run

GROUPS = (render.add_commands, publish.add_commands, smoke.add_commands, release.add_commands,
          cluster.add_commands, backup.add_commands, images.add_commands, observability.add_commands)


def parser() -> argparse.ArgumentParser:
    top = OneLineParser(prog="harness", description="Render, check, publish and deploy the Acme charts.",
                        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_commands in GROUPS:
        add_commands(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args, unknown = parser().parse_known_args(argv)
    if unknown:  # named by the command they were given to, not by `harness` as argparse would
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return run(args)
