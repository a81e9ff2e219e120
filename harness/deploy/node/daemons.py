"""The node's long-running processes, each with a log under .cache/node/logs and a pid file
that survives the command that started it. Those inside the sandbox end with it
(sandbox.destroy); the one on the host (the API relay) is stopped by name."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ...core.errors import HarnessError
from ...tools.nsenter import inside
from ...tools.process import ToolError, spawn
from .settings import NodeSettings


@dataclass(frozen=True)
class Daemon:
    name: str
    argv: list[str]
    ready: Callable[[], bool]  # polled after the start until true
    timeout: float = 30
    in_sandbox: bool = True
    env: dict[str, str] = field(default_factory=dict)


def _pid_file(settings: NodeSettings, name: str) -> Path:
    return settings.state_dir / "pids" / name


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid`: with the pid it names one process, even after pid reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return None if fields[0] == "Z" else fields[19]


def pid_of(settings: NodeSettings, name: str) -> int | None:
    try:
        pid_text, started = _pid_file(settings, name).read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    return pid if _start_time(pid) == started else None


def log_of(settings: NodeSettings, name: str) -> Path:
    return settings.log_dir / f"{name}.log"


def wait_for(ready: Callable[[], bool], what: str, timeout: float, log: Path,
             alive: Callable[[], bool] = lambda: True) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if not alive():
            raise HarnessError(f"node: {what} exited; see {log}")
        if time.monotonic() > deadline:
            raise HarnessError(f"node: {what} not ready after {timeout:.0f} s; see {log}")
        time.sleep(0.05)


def start(settings: NodeSettings, holder: int, daemon: Daemon) -> None:
    """Start `daemon` unless it runs, then wait until it is ready (or name its log)."""
    log = log_of(settings, daemon.name)
    if pid_of(settings, daemon.name) is None:
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        _pid_file(settings, daemon.name).parent.mkdir(parents=True, exist_ok=True)
        argv = inside(holder, *daemon.argv) if daemon.in_sandbox else daemon.argv
        try:
            pid = spawn(argv, log=log, env={**os.environ, **daemon.env}, what=daemon.name)
        except ToolError as err:
            raise HarnessError(f"node: {err}") from None
        started = _start_time(pid)
        if started is None:
            raise HarnessError(f"node: {daemon.name} did not start; see {log}")
        _pid_file(settings, daemon.name).write_text(f"{pid} {started}\n")
    wait_for(daemon.ready, daemon.name, daemon.timeout, log, lambda: _alive(settings, daemon.name))


def _alive(settings: NodeSettings, name: str) -> bool:
    pid = pid_of(settings, name)
    if pid is not None:
        try:
            os.waitpid(pid, os.WNOHANG)  # collect it if it is our child and exited
        except ChildProcessError:
            pass
    return pid_of(settings, name) is not None


def stop(settings: NodeSettings, name: str, timeout: float = 5) -> None:
    pid = pid_of(settings, name)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(settings, name) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _alive(settings, name):
            os.kill(pid, signal.SIGKILL)
    _pid_file(settings, name).unlink(missing_ok=True)
