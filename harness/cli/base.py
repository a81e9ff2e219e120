"""What every command shares: the exit-code contract, one-line errors, argument types, report files."""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path
from typing import Callable

from ..checks.report import FORMATS, summary
from ..core.errors import HarnessError

OK, FAILED, BAD_INPUT = 0, 1, 2
INTERRUPTED = 130  # the shell's code for SIGINT

EXIT_CODES = """\
exit codes, the same for every command:
  0    ok
  1    checks failed: findings, render or lint failures, failed smoke checks, drifted
       generated files, a cluster or node that is not running (status)
  2    bad input or environment (an unknown name, a missing file or tool, no cluster, an
       argument that cannot apply): one `error:` line on stderr, no traceback
  3-7  release and demo: 3 preflight failed, 4 apply failed, 5 smoke failed and rolled
       back, 6 smoke failed and rollback did not help, 7 a canary aborted by its analysis or a
       blue-green release whose preview or watch failed
       (README, Release)
  130  interrupted
"""

Handler = Callable[[argparse.Namespace], int]


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line too (argparse would print the whole usage first), exit 2."""

    def error(self, message: str):
        self.exit(BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def command(sub: argparse._SubParsersAction, name: str, handler: Handler, help: str,
            **kwargs) -> argparse.ArgumentParser:
    """A subcommand whose arguments reach `handler`; its name prefixes the command's error lines."""
    parser = sub.add_parser(name, help=help, description=help, **kwargs)
    parser.set_defaults(handler=handler, command_name=parser.prog.split(" ", 1)[1], command_parser=parser)
    return parser


def group(sub: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    """A command with subcommands of its own (`harness cluster up`)."""
    parser = sub.add_parser(name, help=help, description=help)
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")


def run(args: argparse.Namespace) -> int:
    """The handler's exit code; a refusal of the harness or the OS becomes one line and exit 2."""
    name = args.command_name
    try:
        return args.handler(args)
    except HarnessError as exc:
        print(f"harness {name}: error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except OSError as exc:  # an unwritable --output/--junit path, a vanished file: still one line
        print(f"harness {name}: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print(f"harness {name}: interrupted", file=sys.stderr)
        return INTERRUPTED


def refuse(condition: bool, message: str) -> None:
    """An explicit argument that cannot apply is bad input, never silently ignored."""
    if condition:
        raise HarnessError(message)


def positive_int(text: str) -> int:
    """--jobs: 0 or a negative count would reach ThreadPoolExecutor as a traceback."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(text)


def seconds(text: str) -> float:
    """A duration: a number of seconds, zero or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number of seconds (0 or more), got {text!r}")
    return value


def http_url(text: str) -> str:
    """A service's base URL (--prometheus): scheme and host, nothing a request would misread."""
    parts = urllib.parse.urlsplit(text)
    try:
        parts.port  # noqa: B018 - a port out of range or not a number raises here
    except ValueError:
        parts = urllib.parse.urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"must be an http(s)://HOST[:PORT] URL, got {text!r}")
    return text.rstrip("/")


def existing_file(text: str) -> Path:
    """A file named on the command line must exist: a typo must not mean "use the default"."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} does not exist" if not path.exists() else f"{text} is not a file")
    return path


def pairs(values: list[str], flag: str) -> dict[str, str]:
    """KEY=VALUE arguments (--resolve, --expect-revision) as a mapping."""
    found = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key or not val:
            raise HarnessError(f"{flag}: expected KEY=VALUE, got {value!r}")
        found[key] = val
    return found


def write_reports(outcomes, fmt: str, output: Path | None, extra: dict[str, Path | None]) -> None:
    """The report in `fmt` to stdout (or `output`, then a summary line), plus one file per extra format."""
    report = FORMATS[fmt](outcomes)
    if output:
        save(output, report)
        print(summary(outcomes))
    else:
        sys.stdout.write(report)
    for extra_fmt, path in extra.items():
        if path:
            save(path, FORMATS[extra_fmt](outcomes))


def save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
