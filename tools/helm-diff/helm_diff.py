#!/usr/bin/env python3
"""`helm diff upgrade`, the subset helmfile uses, with the Python standard library only.

Current state is `helm get manifest`; proposed state is `helm upgrade --install --dry-run=server`,
so `lookup` sees the live cluster (a generated password that is reused shows no change).
Secret values are replaced by a digest unless --show-secrets: a change is still detected,
the value never printed. Exit codes follow helm-diff: 0 no change (or no --detailed-exitcode),
2 changes with --detailed-exitcode, 1 error.
"""
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys

VERSION = "3.15.10+acme.1"  # see plugin.yaml: the helm-diff interface level we implement
HELM = os.environ.get("HELM_BIN", "helm")
# flags that carry a value and are handed to `helm upgrade` unchanged
PASS_WITH_VALUE = {"--values", "-f", "--set", "--set-string", "--set-file", "--set-json",
                   "--version", "--api-versions", "--post-renderer",
                   "--post-renderer-args", "--repo", "--timeout", "--description"}
PASS_BOOL = {"--devel", "--skip-schema-validation", "--take-ownership", "--enable-dns",
             "--reset-values", "--reuse-values", "--reset-then-reuse-values", "--no-hooks",
             "--insecure-skip-tls-verify"}
# helm-diff flags that change only presentation here
IGNORED_BOOL = {"--allow-unreleased", "--no-color", "--color", "--strip-trailing-cr",
                "--disable-validation", "--disable-openapi-validation", "--include-tests",
                "--suppress-secrets", "--three-way-merge", "--normalize-manifests"}
# --kube-version: the server-side dry run already sees the live cluster's version
IGNORED_WITH_VALUE = {"--output", "--suppress", "--suppress-output-line-regex", "--kube-version"}


class DiffError(Exception):
    """A user-facing error: printed as one line, exit 1."""


def parse(argv):
    opts = {"context": 3, "detailed": False, "show_secrets": False, "namespace": None,
            "kube_context": None, "helm_args": [], "positional": []}
    it = iter(argv)
    for arg in it:
        name, eq, inline = arg.partition("=")
        value = inline if eq else None
        takes_value = name in PASS_WITH_VALUE | IGNORED_WITH_VALUE | {"--context", "-n", "--namespace", "--kube-context", "-C"}
        if takes_value and value is None:
            value = next(it, None)
            if value is None:
                raise DiffError(f"flag {name} needs a value")
        if name in ("-n", "--namespace"):
            opts["namespace"] = value
        elif name == "--kube-context":
            opts["kube_context"] = value
        elif name in ("--context", "-C"):
            if not value.isdigit():
                raise DiffError(f"--context takes a whole number, got {value!r}")
            opts["context"] = int(value)
        elif name == "--detailed-exitcode":
            opts["detailed"] = True
        elif name == "--show-secrets":
            opts["show_secrets"] = True
        elif name in PASS_WITH_VALUE:
            opts["helm_args"] += [name, value]
        elif name in PASS_BOOL:
            opts["helm_args"].append(arg)
        elif name in IGNORED_BOOL or name in IGNORED_WITH_VALUE or name == "--dry-run":
            continue
        elif arg.startswith("-"):
            raise DiffError(f"unsupported flag {name} (acme helm diff implements the helmfile subset)")
        else:
            opts["positional"].append(arg)
    return opts


def helm(args, opts, allow_missing=False):
    scope = []
    if opts["namespace"]:
        scope += ["--namespace", opts["namespace"]]
    if opts["kube_context"]:
        scope += ["--kube-context", opts["kube_context"]]
    proc = subprocess.run([HELM, *args, *scope], capture_output=True, text=True)
    if proc.returncode != 0:
        if allow_missing and "not found" in proc.stderr:
            return None
        raise DiffError(f"helm {args[0]} {args[1]} failed: {proc.stderr.strip().splitlines()[-1:] or ['(no output)']}")
    return proc.stdout


SECRET_VALUE = re.compile(r"^(\s+[\w.-]+:\s*)(\S.*)$")


def redact_secrets(manifest):
    """Replaces every data/stringData value of a Secret with a digest of it."""
    out = []
    for doc in re.split(r"(?m)^---\s*$", manifest):
        is_secret = re.search(r"(?m)^kind:\s*Secret\s*$", doc) is not None
        in_data = False
        lines = []
        for line in doc.splitlines():
            if is_secret and re.match(r"^(data|stringData):\s*$", line):
                in_data = True
            elif in_data and not line.startswith((" ", "\t")):
                in_data = False
            match = SECRET_VALUE.match(line) if in_data else None
            if match:
                digest = hashlib.sha256(match.group(2).encode()).hexdigest()[:12]
                line = f"{match.group(1)}<redacted sha256:{digest}>"
            lines.append(line)
        out.append("\n".join(lines))
    return "\n---".join(out)


def diff_upgrade(opts):
    if len(opts["positional"]) != 2:
        raise DiffError("usage: helm diff upgrade RELEASE CHART [flags]")
    release, chart = opts["positional"]
    current = helm(["get", "manifest", release], opts, allow_missing=True) or ""
    dry_run = helm(["upgrade", release, chart, "--install", "--dry-run=server", "--output", "json",
                    *opts["helm_args"]], opts)
    try:
        proposed = json.loads(dry_run).get("manifest", "")
    except json.JSONDecodeError as err:
        raise DiffError(f"helm upgrade --dry-run printed no JSON release ({err})") from None
    # `helm get manifest` ends with an extra blank line the dry run lacks: without this every
    # release would show a one-line diff and helmfile apply would upgrade it on every run.
    current, proposed = current.rstrip("\n"), proposed.rstrip("\n")
    if not opts["show_secrets"]:
        current, proposed = redact_secrets(current), redact_secrets(proposed)
    lines = list(difflib.unified_diff(current.splitlines(), proposed.splitlines(),
                                      f"{release} (deployed)", f"{release} (proposed)",
                                      n=opts["context"], lineterm=""))
    if lines:
        print("\n".join(lines))
    return 2 if lines and opts["detailed"] else 0


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0
    if argv[0] == "version":
        print(VERSION)
        return 0
    if argv[0] != "upgrade":
        raise DiffError(f"unsupported subcommand {argv[0]!r}: only `upgrade` and `version` exist")
    return diff_upgrade(parse(argv[1:]))


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except DiffError as err:
        print(f"Error: helm diff: {err}", file=sys.stderr)
        sys.exit(1)
