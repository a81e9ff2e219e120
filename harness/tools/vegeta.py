"""The pinned vegeta (tools/vegeta): a constant-rate attack in the background while something
else happens (a rollout, an eviction), stopped on demand, its results read back as JSON."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Sequence

from ..core.errors import HarnessError
from .process import run, spawn

# A request that takes longer than this is a failure for a user too.
REQUEST_TIMEOUT = "5s"


def start(binary: Path, targets: Path, rate: int, output: Path, log: Path, *,
          connect_to: Sequence[str] = (), root_certs: Path | None = None) -> int:
    """`vegeta attack` at `rate` requests per second over the targets until stop(); returns its pid.
    connect_to: `host:port:address:port` mappings (the edge's address for every public host)."""
    argv = [str(binary), "attack", "-targets", str(targets), "-rate", f"{rate}/s", "-duration", "0",
            "-timeout", REQUEST_TIMEOUT, "-redirects", "-1", "-output", str(output)]
    for mapping in connect_to:
        argv += ["-connect-to", mapping]
    if root_certs is not None:
        argv += ["-root-certs", str(root_certs)]
    return spawn(argv, log=log, what="vegeta attack")


def stop(pid: int, timeout: float = 10) -> None:
    """SIGINT: vegeta finishes the requests in flight and closes its output."""
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:  # not our child: poll for its exit instead
            if not Path(f"/proc/{pid}").exists():
                return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    raise HarnessError(f"vegeta (pid {pid}) did not stop within {timeout:.0f} s of SIGINT; killed")


def results(binary: Path, output: Path) -> list[dict]:
    """Every request of the attack: code, latency (ns), error, timestamp, url."""
    done = run([binary, "encode", "--to", "json", str(output)], what="vegeta encode", timeout=120).require("vegeta encode")
    try:
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    except json.JSONDecodeError:
        raise HarnessError(f"vegeta encode wrote something else than JSON lines: {done.stdout[:200]}") from None
