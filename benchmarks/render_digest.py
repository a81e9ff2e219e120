"""Print one digest per rendered scenario, per check report format, and a total.

Run it before and after a change that must not alter what the harness renders or reports
(a refactoring): equal output means every scenario rendered the same bytes and every check
reported the same findings, in the table, JUnit and JSON reports.

    .venv/bin/python benchmarks/render_digest.py [--python PYTHON] [--repo DIR]

It drives the command line only (`harness render --out DIR`, `harness check`),
so the same script measures any revision of the harness. The render cache is bypassed so every
scenario is rendered by helm again; the upgrade checks compare against HEAD, so the findings do
not depend on where origin/main points. Secret values are digested by length only: the platform
generates its database password with randAlphaNum, so those bytes differ on every render.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def run(python: str, repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "harness", *args], cwd=repo, capture_output=True, text=True)


def stable(text: str) -> bytes:
    """The rendered documents with every Secret value replaced by its length (see the docstring)."""
    docs = list(yaml.safe_load_all(text))
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "Secret":
            for key in ("data", "stringData"):
                for name, value in (doc.get(key) or {}).items():
                    doc[key][name] = f"<{len(str(value))} characters>"
    return yaml.safe_dump_all(docs, sort_keys=False).encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter with the harness installed")
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout to measure (default: this one)")
    args = parser.parse_args(argv)
    total = hashlib.sha256()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rendered"
        done = run(args.python, args.repo, "render", "--no-cache", "--out", str(out))
        if done.returncode not in (0, 1) or not out.is_dir():
            print(f"render_digest: `harness render` failed: {done.stderr.strip()}", file=sys.stderr)
            return 2
        files = sorted(out.glob("*.yaml"))
        for path in files:
            data = stable(path.read_text())
            total.update(path.name.encode() + b"\0" + data)
            print(f"{digest(data)}  {path.stem}")
        for fmt in ("table", "junit", "json"):
            report = Path(tmp) / f"report.{fmt}"
            done = run(args.python, args.repo, "check", "--format", fmt, "--output", str(report), "--base-ref", "HEAD")
            if done.returncode not in (0, 1) or not report.exists():
                print(f"render_digest: `harness check --format {fmt}` failed: {done.stderr.strip()}", file=sys.stderr)
                return 2
            data = report.read_bytes()
            total.update(fmt.encode() + b"\0" + data)
            print(f"{digest(data)}  check report ({fmt}, exit {done.returncode})")
    print(f"{total.hexdigest()[:16]}  total over {len(files)} scenarios and 3 reports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
