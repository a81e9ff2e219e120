"""Automatic rollback after a deploy whose smoke checks fail: every release the deploy
changed goes back to the revision it had before, with `helm rollback`."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import HarnessError
from ..live.releases import revisions
from ..live.snapshot import Obj
from ..tools import helm as helm_tool


def deployed_revisions(release_secrets: list[Obj]) -> dict[str, int]:
    """release -> its newest deployed revision."""
    current = {}
    for name, revs in revisions(release_secrets).items():
        deployed = [r.version for r in revs if r.status == "deployed"]
        if deployed:
            current[name] = deployed[0]
    return current


def plan(before: dict[str, int], after_secrets: list[Obj]) -> dict[str, int]:
    """release -> revision to roll back to: those whose newest revision moved since `before`.
    A release first installed by this deploy has nothing to go back to and is left alone."""
    newest = {name: revs[0].version for name, revs in revisions(after_secrets).items()}
    return {name: rev for name, rev in before.items() if newest.get(name, rev) != rev}


def roll_back(helm: Path, targets: dict[str, int], namespace: str, context: str, env: dict[str, str]) -> list[str]:
    done = []
    for name, revision in targets.items():
        result = helm_tool.rollback(helm, name, revision, namespace, context, env)
        if not result.ok:
            raise HarnessError(f"rollback of {name} to revision {revision} failed: {result.stderr.strip()}")
        done.append(f"{name}->{revision}")
    return done
