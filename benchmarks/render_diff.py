"""Summarise what a chart change alters in every rendered scenario, and refuse the changes upgrades break on.

Render the scenarios before and after the change into two directories, then compare them:

    git worktree add /tmp/before <base-commit>      # and `make -o tools deps` there
    (cd /tmp/before && .venv/bin/python -m harness render --no-cache --out /tmp/render-before)
    .venv/bin/python -m harness render --no-cache --out /tmp/render-after
    .venv/bin/python benchmarks/render_diff.py /tmp/render-before /tmp/render-after

Each changed field is printed once with the number of objects it changed in, e.g.
`Deployment metadata.labels.helm.sh/chart: acme-api-0.1.1 -> acme-api-0.1.2 (42)`. The script exits 1
when an object appears or disappears, or a selector, selector label, Service or Secret name or a port
changes: those are the changes `helm upgrade` from the released version cannot take safely.
Secret values are compared by length: the platform generates its database password at random.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

SELECTOR_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component")


def objects(path: Path) -> dict[tuple, dict]:
    found = {}
    for doc in yaml.safe_load_all(path.read_text()):
        if not isinstance(doc, dict):
            continue
        meta = doc.get("metadata") or {}
        if doc.get("kind") == "Secret":
            for key in ("data", "stringData"):
                doc[key] = {k: f"<{len(str(v))} characters>" for k, v in (doc.get(key) or {}).items()}
        found[(doc.get("kind"), meta.get("namespace"), meta.get("name"))] = doc
    return found


def leaves(value, prefix: str = ""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def forbidden(path: str) -> bool:
    """A field whose change breaks an upgrade or a client: selectors, selector labels, ports."""
    lowered = path.lower()
    if "selector" in lowered or "port" in lowered:
        return True
    return path.startswith("spec.template.metadata.labels.") and path.rsplit("labels.", 1)[1] in SELECTOR_LABELS


def compare(before: Path, after: Path) -> tuple[Counter, list[str]]:
    changes: Counter = Counter()
    refused: list[str] = []
    names = sorted({p.name for p in before.glob("*.yaml")} | {p.name for p in after.glob("*.yaml")})
    for name in names:
        if not (before / name).exists() or not (after / name).exists():
            refused.append(f"{name}: scenario only {'after' if (after / name).exists() else 'before'}")
            continue
        old, new = objects(before / name), objects(after / name)
        for key in sorted(set(old) | set(new), key=str):
            if key not in old or key not in new:
                refused.append(f"{name}: {'/'.join(map(str, key))} only {'after' if key in new else 'before'}")
                continue
            was, now = dict(leaves(old[key])), dict(leaves(new[key]))
            for field in sorted(set(was) | set(now)):
                if was.get(field) == now.get(field):
                    continue
                line = f"{key[0]} {field}: {was.get(field, '<absent>')} -> {now.get(field, '<absent>')}"
                changes[line] += 1
                if forbidden(field):
                    refused.append(f"{name}: {'/'.join(map(str, key))} {line}")
    return changes, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="directory of `harness render --out` before the change")
    parser.add_argument("after", type=Path, help="the same after the change")
    args = parser.parse_args(argv)
    for directory in (args.before, args.after):
        if not directory.is_dir() or not any(directory.glob("*.yaml")):
            print(f"render_diff: {directory} holds no rendered scenarios (harness render --out DIR)", file=sys.stderr)
            return 2
    changes, refused = compare(args.before, args.after)
    scenarios = len(list(args.after.glob("*.yaml")))
    print(f"{scenarios} scenarios, {sum(changes.values())} changed fields in {len(changes)} distinct changes")
    for line, count in sorted(changes.items()):
        print(f"  {line} ({count})")
    for line in refused:
        print(f"REFUSED {line}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
