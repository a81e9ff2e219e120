"""Run one program and capture its output, or start one detached: the one place the harness
calls `subprocess` or spawns a process.

A binary that cannot be started or a call that outlives its timeout raises `ToolError`; a
non-zero exit is returned to the caller (some tools use exit codes as answers: `helmfile diff
--detailed-exitcode`, `git rev-parse --verify`, checkov's 1 for findings), and `Ran.require`
turns it into a `ToolError` when it is a failure.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..core.errors import HarnessError


class ToolError(HarnessError):
    """A tool that is missing, hung or failed, named with what the harness asked of it."""


@dataclass(frozen=True)
class Ran:
    command: tuple[str, ...]
    returncode: int
    stdout: str | bytes
    stderr: str | bytes

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 3, separator: str = " | ") -> str:
        """The last lines of stderr (stdout when stderr is empty): where tools put their reason."""
        text = self.stderr or self.stdout
        text = text.decode(errors="replace") if isinstance(text, bytes) else text
        return separator.join(text.strip().splitlines()[-lines:]) or "no output"

    def require(self, what: str, ok: Sequence[int] = (0,), lines: int = 3) -> "Ran":
        if self.returncode not in ok:
            raise ToolError(f"`{what}` failed (exit {self.returncode}): {self.tail(lines)}")
        return self


def run(command: Sequence[str | Path], *, what: str | None = None, cwd: Path | None = None,
        env: Mapping[str, str] | None = None, timeout: float | None = None, binary: bool = False,
        stdin: str | None = None) -> Ran:
    """Run `command` with output captured (text unless `binary`), `stdin` fed to it; `what` names the call in errors."""
    argv = tuple(str(part) for part in command)
    what = what or " ".join((Path(argv[0]).name, *argv[1:3]))
    try:
        done = subprocess.run(argv, cwd=cwd, env=None if env is None else dict(env), capture_output=True,
                              text=not binary, timeout=timeout, input=stdin)
    except FileNotFoundError:
        if cwd is not None and not Path(cwd).is_dir():
            raise ToolError(f"`{what}`: working directory {cwd} does not exist") from None
        raise ToolError(f"`{what}`: {argv[0]} not found (run `make tools`, or put it on PATH)") from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"`{what}` did not finish within {timeout:.0f} s") from None
    except OSError as err:  # not executable, a directory, a broken interpreter line
        raise ToolError(f"`{what}`: cannot run {argv[0]}: {err.strerror or err}") from None
    return Ran(argv, done.returncode, done.stdout, done.stderr)


def spawn(command: Sequence[str | Path], *, log: Path | None = None, env: Mapping[str, str] | None = None,
          what: str | None = None) -> int:
    """Start `command` detached (a session of its own, stdin from /dev/null, stdout and stderr
    appended to `log` or discarded) and return its pid: for daemons that outlive the harness
    command that started them. The caller owns the pid (reaps it, stops it)."""
    argv = [str(part) for part in command]
    what = what or " ".join((Path(argv[0]).name, *argv[1:3]))
    output = str(log) if log is not None else os.devnull
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    try:
        return os.posix_spawnp(argv[0], argv, dict(os.environ if env is None else env), file_actions=actions,
                               setsid=True)
    except FileNotFoundError:
        raise ToolError(f"`{what}`: {argv[0]} not found (run `make tools`, or put it on PATH)") from None
    except OSError as err:
        raise ToolError(f"`{what}`: cannot start {argv[0]}: {err.strerror or err}") from None
