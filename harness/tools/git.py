"""The git questions the harness asks of the checkout: which commit a ref is, the merge base,
what changed, a file or a tree at a commit."""

from __future__ import annotations

from pathlib import Path

from .process import Ran, ToolError, run


def _git(root: Path, *args: str, binary: bool = False) -> Ran:
    return run(["git", *args], cwd=root, binary=binary, what=f"git {' '.join(args)}")


def _output(root: Path, *args: str) -> str:
    done = _git(root, *args)
    if not done.ok:
        raise ToolError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def commit_of(root: Path, ref: str) -> str | None:
    """The commit `ref` names, or None when it names none."""
    done = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return done.stdout.strip() if done.ok else None


def merge_base(root: Path, ref: str, other: str = "HEAD") -> str:
    return _output(root, "merge-base", ref, other).strip()


def changed_paths(root: Path, base: str, under: str) -> list[str]:
    """Paths under `under` changed since `base` (commits, staged, unstaged) plus untracked ones."""
    paths = _output(root, "diff", "--name-only", "--find-renames", base, "--", under).splitlines()
    return paths + _output(root, "ls-files", "--others", "--exclude-standard", "--", under).splitlines()


def show(root: Path, commit: str, path: str) -> str | None:
    """The file at `commit`, or None when it did not exist there."""
    done = _git(root, "show", f"{commit}:{path}")
    return done.stdout if done.ok else None


def archive(root: Path, commit: str, *paths: str) -> bytes | None:
    """A tar of `paths` at `commit`, or None when one of them did not exist there."""
    done = _git(root, "archive", "--format=tar", commit, *paths, binary=True)
    return done.stdout if done.ok else None


def files_at(root: Path, commit: str, under: str) -> list[str]:
    """Every file path under `under` at `commit`."""
    return _output(root, "ls-tree", "-r", "--name-only", commit, "--", under).splitlines()


def commits_touching(root: Path, ref: str, *pathspecs: str) -> list[str]:
    """Commits reachable from `ref` that changed a path matching `pathspecs`, newest first."""
    return _output(root, "rev-list", ref, "--", *pathspecs).split()
