"""What every peer tool's runner returns, and the one way they are started."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HarnessError


@dataclass(frozen=True)
class PeerFinding:
    tool: str  # kube-score, kubeconform, ct
    check: str  # the tool's own check id
    resource: str  # "Kind/name" ("Chart/<name>" for ct)
    field: str  # where in the object, as the tool says it ("" when it names none)
    message: str
    severity: str = "CRITICAL"  # kube-score grades CRITICAL and WARNING; the others fail outright


def run(cmd: list[str], ok: tuple[int, ...], timeout: int = 600, env: dict[str, str] | None = None,
        cwd: Path | None = None, interleave: bool = False) -> subprocess.CompletedProcess:
    """Runs a peer; an exit code outside `ok` (the tool itself failing) is one sentence with its last words.

    `interleave` puts stderr into stdout in the order written, for tools whose report is their log.
    """
    tool = Path(cmd[0]).name
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT if interleave else subprocess.PIPE}
    try:
        done = subprocess.run(cmd, text=True, timeout=timeout, env=env, cwd=cwd, **streams)
    except FileNotFoundError:
        raise HarnessError(f"{tool}: {cmd[0]} not found (run `make tools`)") from None
    except subprocess.TimeoutExpired:
        raise HarnessError(f"{tool}: no answer within {timeout} s") from None
    if done.returncode not in ok:
        last = ((done.stderr or "").strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise HarnessError(f"{tool} exited {done.returncode}: {' '.join(last[0].split())[:300]}")
    return done
