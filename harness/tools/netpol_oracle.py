"""The pinned netpol-oracle (tools/netpol-oracle): another implementation's verdicts on connections.

One process answers many documents (one JSON line each), so a property-based test with hundreds of
cases starts it once. A document it refuses (the API server would reject a policy, a pod is missing)
is a `HarnessError` with its sentence; so is a process that dies or answers something else.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import HarnessError


@dataclass(frozen=True)
class OracleVerdict:
    egress: bool  # the source's egress policies let the connection out
    ingress: bool  # the destination's ingress policies let it in

    @property
    def allowed(self) -> bool:
        return self.egress and self.ingress


class NetpolOracle:
    """A running netpol-oracle; use as a context manager so the process ends with the block."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> "NetpolOracle":
        try:
            self._process = subprocess.Popen([str(self.binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL, text=True)
        except OSError as exc:
            raise HarnessError(f"netpol-oracle: cannot start {self.binary} ({exc.strerror}; run `make tools`)") from None
        return self

    def __exit__(self, *_: object) -> None:
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process.stdout.close()
            self._process = None

    def verdicts(self, document: dict[str, Any]) -> list[OracleVerdict]:
        """Verdicts for document["queries"], in order (document: namespaces, pods, policies, queries)."""
        if self._process is None:
            raise HarnessError("netpol-oracle: not started (use it in a `with` block)")
        try:
            self._process.stdin.write(json.dumps(document) + "\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            raise HarnessError("netpol-oracle: the process exited before reading the document") from None
        line = self._process.stdout.readline()
        if not line:
            raise HarnessError(f"netpol-oracle: the process exited (code {self._process.poll()}) without an answer")
        answer = parse_answer(line)
        if len(answer) != len(document.get("queries") or []):
            raise HarnessError(f"netpol-oracle: {len(answer)} verdicts for {len(document.get('queries') or [])} queries")
        return answer


def parse_answer(line: str) -> list[OracleVerdict]:
    try:
        answer = json.loads(line)
    except json.JSONDecodeError:
        raise HarnessError(f"netpol-oracle: answered something that is not JSON: {line.strip()[:200]}") from None
    if not isinstance(answer, dict):
        raise HarnessError("netpol-oracle: expected a JSON object with results or error")
    if "error" in answer:
        raise HarnessError(f"netpol-oracle refused the document: {answer['error']}")
    try:
        return [OracleVerdict(bool(r["egress"]), bool(r["ingress"])) for r in answer["results"]]
    except (KeyError, TypeError):
        raise HarnessError("netpol-oracle: results must be a list of {egress, ingress, allowed}") from None
