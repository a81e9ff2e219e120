"""`python -m harness.smoke.demo --env ENV`: cluster -> CRDs -> helmfile apply -> smoke -> summary.

When the smoke checks fail after the apply, every release the apply changed is rolled back
(`helm rollback` to its previous revision) unless --no-rollback; the demo still exits non-zero.

`make demo` runs this after `make tools`. For staging/production it deploys to the user's
current kube context, which must be named with --confirm-context.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Callable

from ..cluster import certs, lifecycle
from ..cluster.client import api_client, reachable
from ..cluster.settings import ClusterSettings
from ..errors import HarnessError
from ..project import Project
from . import report, runner, snapshot
from .pending import find_stuck, recover
from .rollback import deployed_revisions, plan, roll_back
from .settings import SmokeSettings
from .target import Target, require_confirmation, target_for

# After apply, pods need a few seconds to become ready (kwok: 1-3 s plus minReadySeconds).
SETTLE_SECONDS = 120


def tool_env(project: Project, target: Target) -> dict[str, str]:
    """Environment for helm/helmfile aimed at the target cluster, pinned tools first on PATH."""
    env = ClusterSettings.from_env(project).env() if target.local else dict(os.environ)
    if not target.local and target.kubeconfig:
        env["KUBECONFIG"] = str(target.kubeconfig)
    # The .tools/bin wrappers of helm and helmfile set the plugin dir and Helm state themselves.
    env["PATH"] = f"{project.root / '.tools' / 'bin'}:{env.get('PATH', '')}"
    return env


def helmfile_apply(project: Project, target: Target, context: str) -> str:
    env = tool_env(project, target)
    # A release an interrupted apply left pending would refuse this one (see pending.py).
    recovered = recover(project.tool("helm"), find_stuck(api_client(target.kubeconfig, context)), context, env,
                        target.local)
    # No --file: helmfile finds helmfile.yaml(.gotmpl) in the project root itself.
    cmd = [str(project.tool("helmfile")), "--environment", target.env,
           "--kube-context", context, "apply", "--suppress-secrets"]
    done = subprocess.run(cmd, cwd=project.root, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        tail = "\n  ".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise HarnessError(f"helmfile -e {target.env} apply failed:\n  {tail}")
    return f"applied (recovered {', '.join(recovered)})" if recovered else "applied"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.smoke.demo", description=__doc__)
    parser.add_argument("--env", default="local")
    parser.add_argument("--kubeconfig", help="staging/production kubeconfig (default: $KUBECONFIG)")
    parser.add_argument("--confirm-context", help="the kube context name, required for staging/production")
    parser.add_argument("--namespace", default="acme")
    parser.add_argument("--no-rollback", action="store_true",
                        help="leave a deploy whose smoke checks fail in place (default: helm rollback what it changed)")
    args = parser.parse_args(argv)

    steps: list[tuple[str, str, float]] = []

    def step(name: str, action: Callable[[], str]) -> None:
        print(f"demo: {name} ...", flush=True)  # the long steps take tens of seconds
        started = time.monotonic()
        try:
            detail = action()
        except HarnessError as err:
            steps.append((name, "FAIL", time.monotonic() - started))
            raise HarnessError(f"{name}: {err}") from None
        steps.append((name, detail, time.monotonic() - started))

    outcomes = []
    try:
        project = Project.discover()
        if args.env == "local":
            cluster = ClusterSettings.from_env(project)
            step("cluster up + CRDs", lambda: "running" if lifecycle.up(cluster).running else "not running")
        target = target_for(args.env, args.kubeconfig)
        context = require_confirmation(target, args.confirm_context)
        api = api_client(target.kubeconfig, context)
        if not reachable(api, timeout=5):
            raise HarnessError(f"{args.env}: API server of context {context!r} not reachable")
        before = deployed_revisions(snapshot.load(api, args.namespace).release_secrets)
        step("helmfile apply", lambda: helmfile_apply(project, target, context))
        if target.local:
            ca_dir = ClusterSettings.from_env(project).kubeconfig.parent / "ca"
            step("local TLS secrets", lambda: "issued: " + (", ".join(certs.ensure_tls_secrets(
                api, args.namespace, certs.load_or_create_ca(ca_dir))) or "none needed"))
        settings = SmokeSettings(env=args.env, namespace=args.namespace, data_plane=not target.local)
        print("demo: smoke checks ...", flush=True)
        started = time.monotonic()
        outcomes = runner.run_until_settled(lambda: snapshot.load(api, args.namespace), settings, SETTLE_SECONDS)
        steps.append(("smoke", "FAIL" if runner.failed(outcomes) else "ok", time.monotonic() - started))
        if runner.failed(outcomes) and not args.no_rollback:
            targets = plan(before, snapshot.load(api, args.namespace).release_secrets)
            step("rollback", lambda: ", ".join(roll_back(project.tool("helm"), targets, args.namespace, context,
                                                         tool_env(project, target))) or "nothing changed")
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
    print("\nSTEP                    RESULT                    SECONDS")
    for name, detail, seconds in steps:
        print(f"{name:<22}  {detail[:24]:<24}  {seconds:7.1f}")
    if outcomes:
        print()
        print(report.table(outcomes))
    ok = bool(outcomes) and not runner.failed(outcomes)
    print(f"\ndemo: {'OK' if ok else 'FAILED'} ({args.env})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
