"""The helmfile verbs the harness uses: build (the resolved releases), diff, apply, lint."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from .process import Ran, ToolError, run

# helmfile diff --detailed-exitcode: 0 no changes, 2 changes, anything else an error.
DIFF_CHANGES = 2
# helmfile would run `helm dependency build` in the checkout on every verb: the harness builds the
# archives beforehand (Renderer.ensure_tree_dependencies), so no verb rewrites charts/*/charts.
SKIP_DEPS = "--skip-deps"


def build(helmfile: Path, file: Path, environment: str, cwd: Path, env: Mapping[str, str]) -> str:
    """`helmfile -e ENV build`: the environment's state with templates resolved, as YAML."""
    done = run([helmfile, "-f", file, "-e", environment, "build"], cwd=cwd, env=env,
               what=f"helmfile -e {environment} build")
    if not done.ok:
        detail = " ".join((done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1:])
        raise ToolError(f"helmfile -e {environment} build failed: {detail}")
    return done.stdout


def _failure(done: Ran, environment: str, verb: str) -> ToolError:
    return ToolError(f"helmfile -e {environment} {verb} failed:\n  {done.tail(15, chr(10) + '  ')}")


def _state_values(values: Mapping[str, str]) -> list[str]:
    return [arg for key, value in sorted(values.items()) for arg in ("--state-values-set", f"{key}={value}")]


def diff(helmfile: Path, environment: str, context: str, cwd: Path, env: Mapping[str, str],
         state_values: Mapping[str, str] = {}) -> tuple[bool, str]:
    """(any change, diff text). Secrets are shown as digests, never as values."""
    done = run([helmfile, "--environment", environment, "--kube-context", context, *_state_values(state_values),
                "diff", SKIP_DEPS, "--suppress-secrets", "--detailed-exitcode", "--context", "3"],
               cwd=cwd, env=env, timeout=600, what=f"helmfile -e {environment} diff")
    if done.returncode not in (0, DIFF_CHANGES):
        raise _failure(done, environment, "diff")
    return done.returncode == DIFF_CHANGES, done.stdout.strip()


def apply(helmfile: Path, environment: str, context: str, cwd: Path, env: Mapping[str, str],
          state_values: Mapping[str, str] = {}, selector: str | None = None, values: Sequence[Path] = ()) -> None:
    """`selector` limits it to matching releases (their `needs` are not applied); `values` files
    are merged last, over every values file the release names."""
    done = run(apply_command(helmfile, environment, context, state_values, selector, values),
               cwd=cwd, env=env, timeout=900, what=f"helmfile -e {environment} apply")
    if not done.ok:
        raise _failure(done, environment, "apply")


def apply_command(helmfile: Path, environment: str, context: str, state_values: Mapping[str, str] = {},
                  selector: str | None = None, values: Sequence[Path] = ()) -> list[str]:
    """`helmfile apply`'s argv; no --file: helmfile finds helmfile.yaml(.gotmpl) in its cwd."""
    select = ["--selector", selector] if selector else []
    more = [arg for path in values for arg in ("--values", str(path))]
    return [str(helmfile), "--environment", environment, "--kube-context", context, *_state_values(state_values),
            *select, "apply", SKIP_DEPS, "--suppress-secrets", *more]


def lint_command(helmfile: Path, file: Path, environment: str) -> tuple[str, ...]:
    return (str(helmfile), "-f", str(file), "-e", environment, "lint", SKIP_DEPS)
