"""The helm verbs the harness uses: version, template, dependency build, lint, unittest,
rollback, uninstall, package, push, pull, show chart."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from .process import Ran, ToolError, run


def version(helm: Path) -> str:
    """`Version GitCommit` of this build (the render cache key includes it)."""
    done = run([helm, "version", "--template", "{{.Version}} {{.GitCommit}}"], what=f"{helm} version")
    if not done.ok:
        raise ToolError(f"{helm} version failed: {done.stderr.strip()}")
    return done.stdout.strip()


def template_command(helm: Path, release: str, chart_dir: Path, namespace: str, kube_version: str,
                     values_files: Sequence[Path]) -> list[str]:
    cmd = [str(helm), "template", release, str(chart_dir), "--namespace", namespace,
           "--kube-version", kube_version, "--skip-tests"]
    for values in values_files:
        cmd += ["--values", str(values)]
    return cmd


def template(command: Sequence[str]) -> Ran:
    """Run a `template_command`; the caller reads the manifests or the error from the result."""
    return run(command, what=f"helm template {command[2]}")


def dependency_build(helm: Path, chart_dir: Path) -> Ran:
    return run([helm, "dependency", "build", "--skip-refresh", chart_dir], what=f"helm dependency build {chart_dir.name}")


def lint_command(helm: Path, chart_dir: Path, values: Path | None) -> tuple[str, ...]:
    extra = ("--values", str(values)) if values else ()
    return (str(helm), "lint", "--strict", str(chart_dir), *extra)


def unittest(helm: Path, charts: Sequence[str], cwd: Path) -> Ran:
    return run([helm, "unittest", "--strict", *charts], what="helm unittest", cwd=cwd, timeout=600)


def _cluster_flags(namespace: str, context: str) -> list[str]:
    return ["--namespace", namespace, "--kube-context", context, "--wait", "--timeout", "300s"]


def rollback(helm: Path, release: str, revision: int, namespace: str, context: str, env: Mapping[str, str]) -> Ran:
    return run([helm, "rollback", release, str(revision), *_cluster_flags(namespace, context)], env=env, timeout=360,
               what=f"helm rollback {release} {revision}")


def uninstall(helm: Path, release: str, namespace: str, context: str, env: Mapping[str, str]) -> Ran:
    return run([helm, "uninstall", release, *_cluster_flags(namespace, context)], env=env, timeout=360,
               what=f"helm uninstall {release}")


def call(helm: Path, *args: str, what: str, timeout: float = 300) -> str:
    """A helm call that must succeed (package, push, pull): stdout + stderr, or a ToolError naming `what`."""
    done = run([helm, *args], what=what, timeout=timeout)
    if not done.ok:
        error = " ".join((done.stderr or done.stdout).split()) or "no output"
        raise ToolError(f"{what}: {error}")
    return done.stdout + done.stderr  # Pushed/Digest lines: stdout in helm 4, stderr in some helm 3 builds


def chart_exists(helm: Path, reference: str, version: str, flags: Sequence[str]) -> bool:
    """Whether the registry serves `reference` at `version` (`helm show chart` succeeds)."""
    return run([helm, "show", "chart", reference, "--version", version, *flags], timeout=120,
               what=f"helm show chart {reference}").ok
