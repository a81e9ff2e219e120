"""chart-testing's `ct lint --all` (yamale, yamllint, helm lint per ci/ values file) as findings.

ct prints a result line per chart at the end (`✔︎ name => (…)` or `✖︎ name => (…) > error`);
the lines ct and its tools printed while linting that chart say why, so they form the message.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import HarnessError
from .peer import PeerFinding, run

RESULT = re.compile(r"^\s*(✔︎|✖︎)\s+(\S+) => \(version: \"([^\"]*)\", path: \"([^\"]*)\"\)(?: > (.*))?$")
LINTING = re.compile(r'^Linting chart "(\S+) => ')
# progress lines of ct: not a reason
NOISE = re.compile(r"^(Linting chart|Validating .*Chart\.yaml|Validation success|==> Linting|"
                   r"1 chart\(s\) linted, 0 chart\(s\) failed|\[INFO\]|-{20,}|Linting chart with values file|$)")


def lint(binary: Path, config: Path, chart_schema: Path, lint_conf: Path, cwd: Path,
         env: dict[str, str]) -> tuple[int, list[PeerFinding]]:
    """(charts that passed, findings) of `ct lint --all` in `cwd`, whose chart dependencies are built:
    ct would build them in the checkout itself, while other commands read it."""
    done = run([str(binary), "lint", "--all", "--skip-helm-dependencies", "--config", str(config),
                "--chart-yaml-schema", str(chart_schema), "--lint-conf", str(lint_conf)],
               ok=(0, 1), env=env, cwd=cwd, interleave=True)
    # yamllint's and helm's complaints go to stderr: interleaved, they stay under their chart
    return parse(done.stdout, done.returncode)


def parse(output: str, returncode: int = 1) -> tuple[int, list[PeerFinding]]:
    """(charts that passed, findings); ct failing without naming a chart is an error, never a pass."""
    reasons: dict[str, list[str]] = {}
    current = None
    passed, findings = 0, []
    for line in output.splitlines():
        result = RESULT.match(line)
        if result:
            current = None  # the summary: what follows it belongs to no chart
            mark, name, _version, _path, error = result.groups()
            if mark == "✔︎":
                passed += 1
            else:
                why = "; ".join(dict.fromkeys(reasons.get(name, []))) or (error or "failed")
                findings.append(PeerFinding("ct", "lint", f"Chart/{name}", "", " ".join(why.split())))
            continue
        started = LINTING.match(line)
        if started:
            current = started.group(1)
        elif current and not NOISE.match(line.strip()):
            reasons.setdefault(current, []).append(line.strip())
    if returncode != 0 and not findings:
        last = [line for line in output.splitlines() if line.strip()][-1:] or ["no output"]
        raise HarnessError(f"ct lint exited {returncode} without a chart result: {last[0].strip()[:300]}")
    elif passed == 0 and not findings:
        raise HarnessError("ct lint linted no chart (is chart-dirs in ct.yaml right?)")
    return passed, findings
