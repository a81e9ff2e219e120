"""Mutation score of the checks and the NetworkPolicy evaluator, held to a committed baseline.

`make mutation [PACKAGES="render smoke netpol"]` (or single files of them) runs mutmut (configured in pyproject.toml) over
the named packages, prints each package's score and every surviving mutant (file:line and the
mutation), and compares with tests/mutation/baseline.json: a package's score may rise, never fall,
and a survivor not listed there (with the reason it is equivalent or harmless) fails.
`--changed-since REF` mutates only the files changed since REF's merge base (what `make pytest`
runs), except those the baseline measured at their present content; `--update-baseline` rewrites the counts and lists new survivors with an empty reason,
which fails until someone writes one.

Exit codes: 0 held, 1 the ratchet failed, 2 bad input (one sentence on stderr).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "tests" / "mutation" / "baseline.json"
MUTMUT = Path(sys.executable).with_name("mutmut")
# package name -> the source it mutates (pyproject.toml's only_mutate says the same)
PACKAGES = {
    "render": "harness/checks/render/",
    "smoke": "harness/checks/smoke/",
    "netpol": "harness/policy/netpol.py",
}
# mutmut's statuses: a timeout or a type-checker catch also means the change was detected
DETECTED = {"killed", "timeout", "caught by type check"}
UNDETECTED = {"survived", "no tests"}


class BadInput(Exception):
    """A sentence for the user; exit 2."""


@dataclass(frozen=True)
class Survivor:
    file: str
    line: int
    function: str
    before: str
    after: str

    @property
    def key(self) -> str:
        # line numbers move with every edit; the function and the changed text do not
        return f"{self.file}::{self.function}: {self.before} -> {self.after}"


def package_files(package: str) -> list[str]:
    source = ROOT / PACKAGES[package]
    if source.is_file():
        return [PACKAGES[package]]
    return sorted(str(p.relative_to(ROOT)) for p in source.glob("*.py"))


def selected_files(names: list[str]) -> list[str]:
    """The files to mutate: every file of each named package, or a named file of one (no name: all).

    One file alone is what a change to its cases needs measured: its mutants in a minute or two,
    where its package takes a quarter of an hour on two cores.
    """
    files: list[str] = []
    for name in names or list(PACKAGES):
        if name in PACKAGES:
            files += package_files(name)
        elif name.endswith(".py") and package_of(name) and (ROOT / name).is_file():
            files.append(name)
        else:
            raise BadInput(f"unknown package {name!r}; choose from {', '.join(PACKAGES)}, "
                           "or name a .py file of one of them")
    return list(dict.fromkeys(files))


def package_of(file: str) -> str | None:
    return next((name for name, src in PACKAGES.items() if file == src or file.startswith(src)), None)


def module_of(file: str) -> str:
    return file.removesuffix(".py").replace("/", ".")


def content_digest(file: str) -> str:
    return hashlib.sha256((ROOT / file).read_bytes()).hexdigest()[:16]


def measured_as_is(baseline: dict, files: list[str]) -> list[str]:
    """The files the baseline was measured at, byte for byte: their counts and survivors stand.

    Without this a fresh clone (CI) would re-mutate every file the branch changed, even right after
    `make mutation UPDATE=1` measured them: mutmut reruns every mutant it is named, cached or not.
    """
    return [f for f in files if baseline["files"].get(f, {}).get("digest") == content_digest(f)]


def changed_files(ref: str) -> list[str]:
    try:
        base = _git("merge-base", ref, "HEAD").strip()
    except subprocess.CalledProcessError:
        raise BadInput(f"--changed-since: {ref!r} is not a git ref this clone knows")
    names = _git("diff", "--name-only", base, "--").split()
    return sorted(n for n in names if n.endswith(".py") and package_of(n) and (ROOT / n).exists())


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def run_mutmut(files: list[str]) -> None:
    # mutmut runs the tests inside mutants/, so the pinned tools must be reachable from there
    (ROOT / "mutants").mkdir(exist_ok=True)
    tools = ROOT / "mutants" / ".tools"
    if not tools.is_symlink():
        tools.symlink_to(ROOT / ".tools")
    globs = [f"{module_of(f)}.*" for f in files]
    done = subprocess.run([str(MUTMUT), "run", *globs], cwd=ROOT, stdout=subprocess.DEVNULL)
    if done.returncode != 0:
        raise BadInput(f"mutmut run failed (exit {done.returncode}); rerun `.venv/bin/mutmut run` to see why")


def statuses(files: list[str]) -> dict[str, str]:
    """mutant name -> status, for the mutants of these files."""
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    prefixes = tuple(f"{module_of(f)}.x" for f in files)
    result = {}
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name.startswith(prefixes):
            result[name] = status
    return result


def describe(name: str, file: str) -> Survivor:
    """The survivor's file:line, function and changed text, from mutmut's diff of it."""
    # in process: `mutmut show` per survivor costs a second or two of start-up each
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=Path(file)).splitlines()
    before = next((l[1:] for l in diff if l.startswith("-") and not l.startswith("---")), "")
    after = next((l[1:] for l in diff if l.startswith("+") and not l.startswith("+++")), "")
    function = _function_of(name)
    return Survivor(file, _line_of(file, function, before), function, before.strip(), after.strip())


def _function_of(name: str) -> str:
    # mutmut's names: module.x_<function>__mutmut_N, module.xǁ<Class>ǁ<method>__mutmut_N
    local = name.rsplit(".", 1)[1].rsplit("__mutmut_", 1)[0]
    if local.startswith("xǁ"):
        return ".".join(local[2:].split("ǁ"))
    return local.removeprefix("x_")


def _line_of(file: str, function: str, before: str) -> int:
    source = (ROOT / file).read_text()
    tree = ast.parse(source)
    lines = source.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.endswith(node.name):
            for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                if lines[number - 1].strip() == before.strip():
                    return number
            return node.lineno
    return 0


def measure(files: list[str], digests: dict[str, str]) -> tuple[dict[str, dict], list[Survivor]]:
    by_name = statuses(files)
    unchecked = [n for n, s in by_name.items() if s not in DETECTED | UNDETECTED]
    if unchecked:
        raise BadInput(f"{len(unchecked)} mutants were not run to a verdict (e.g. {unchecked[0]}); rerun")
    # the digest is the content mutmut started from, so the entry says exactly what was measured
    counts: dict[str, dict] = {f: {"killed": 0, "total": 0, "digest": digests[f]} for f in files}
    survivors = []
    for name, status in sorted(by_name.items()):
        file = next(f for f in files if name.startswith(f"{module_of(f)}.x"))
        counts[file]["total"] += 1
        if status in DETECTED:
            counts[file]["killed"] += 1
        else:
            survivors.append(describe(name, file))
    return counts, survivors


def score(counts: dict[str, int]) -> float:
    return counts["killed"] / counts["total"] if counts["total"] else 1.0


def package_counts(files: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for file, c in files.items():
        p = result.setdefault(package_of(file), {"killed": 0, "total": 0})
        p["killed"] += c["killed"]
        p["total"] += c["total"]
    return result


def load_baseline() -> dict:
    if not BASELINE.exists():
        return {"files": {}, "survivors": []}
    return json.loads(BASELINE.read_text())


def compare(baseline: dict, counts: dict[str, dict[str, int]], survivors: list[Survivor]) -> list[str]:
    """What breaks the ratchet: a file whose score fell, a survivor without an accepted reason."""
    problems = []
    for file, c in counts.items():
        held = baseline["files"].get(file)
        if held and score(c) < score(held) - 1e-9:
            problems.append(f"{file}: score fell from {held['killed']}/{held['total']} to {c['killed']}/{c['total']}")
    accepted = Counter(s["mutant"] for s in baseline["survivors"] if s.get("reason", "").strip())
    found = Counter(s.key for s in survivors)
    for key, n in found.items():
        if n > accepted.get(key, 0):
            line = next(s for s in survivors if s.key == key)
            problems.append(f"{line.file}:{line.line}: new survivor ({line.function}: "
                            f"{line.before} -> {line.after}); kill it with a test or accept it in {BASELINE.name}")
    return problems


# mutations that cannot change behaviour, recognised by their text: the reason is the same every time
EQUIVALENT = (
    (re.compile(r"strict=False\)?.*") , "strict=None", "ip_network reads strict for truth: None is False"),
    (re.compile(r"include_init=False"), "include_init=None", "containers() reads include_init for truth: None is False"),
)
UNTRIAGED = "untriaged at the first measurement: accepted so the ratchet starts here; kill it with a case or say why"


def _known_reason(s: Survivor) -> str:
    for pattern, replacement, reason in EQUIVALENT:
        if pattern.search(s.before) and replacement in s.after and s.before.count("None") < s.after.count("None"):
            return reason
    return UNTRIAGED


def update_baseline(baseline: dict, counts: dict[str, dict[str, int]], survivors: list[Survivor]) -> dict:
    measured = set(counts)
    reasons = {s["mutant"]: s.get("reason", "") for s in baseline["survivors"]}
    kept = [s for s in baseline["survivors"] if s["mutant"].split("::")[0] not in measured]
    fresh = [{"mutant": s.key, "reason": reasons.get(s.key) or _known_reason(s)} for s in survivors]
    files = {**baseline["files"], **counts}
    return {"packages": package_counts(dict(sorted(files.items()))), "files": dict(sorted(files.items())),
            "survivors": sorted(kept + fresh, key=lambda s: s["mutant"])}


def report(counts: dict[str, dict[str, int]], survivors: list[Survivor]) -> None:
    for package, c in package_counts(counts).items():
        print(f"{package:8} {c['killed']:5}/{c['total']:<5} killed  {100 * score(c):5.1f}%")
    for s in survivors:
        print(f"  survived  {s.file}:{s.line}  {s.function}: {s.before}  ->  {s.after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", metavar="PACKAGE|FILE",
                        help=f"packages ({', '.join(PACKAGES)}; default: all) or single files of them")
    parser.add_argument("--changed-since", metavar="REF", help="mutate only files changed since REF's merge base")
    parser.add_argument("--update-baseline", action="store_true")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # mutmut reads its configuration and mutants/ relative to the working directory
    try:
        files = selected_files(args.packages)
        if args.changed_since:
            changed = set(changed_files(args.changed_since))
            files = [f for f in files if f in changed]
            as_is = measured_as_is(load_baseline(), files)
            if as_is:
                print(f"mutation: {len(as_is)} changed files are as the baseline measured them; not mutated again")
            files = [f for f in files if f not in as_is]
            if not files:
                print(f"mutation: nothing to mutate: no file changed since {args.changed_since} "
                      "differs from what the baseline measured")
                return 0
        digests = {f: content_digest(f) for f in files}
        run_mutmut(files)
        counts, survivors = measure(files, digests)
    except BadInput as e:
        print(f"mutation: error: {e}", file=sys.stderr)
        return 2
    report(counts, survivors)
    baseline = load_baseline()
    if args.update_baseline:
        baseline = update_baseline(baseline, counts, survivors)
        BASELINE.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")
        print(f"mutation: wrote {BASELINE.relative_to(ROOT)}")
    problems = compare(baseline, counts, survivors)
    for p in problems:
        print(f"mutation: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
