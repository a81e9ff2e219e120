"""Running what an image holds on this machine: under chroot as the chart's uid, or directly."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
REPO_ROOT = Path(__file__).resolve().parents[2]
ACME_IMAGE = REPO_ROOT / ".tools" / "bin" / "acme-image"


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("running an image's root file system under chroot with the chart's uid needs root")


def chroot(root: Path, user: str, command: list[str], env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """The command inside the unpacked image as uid:gid (what the kubelet's securityContext sets)."""
    return subprocess.Popen(["chroot", f"--userspec={user}", str(root), *command],
                            env={"PATH": PATH, **(env or {})}, **kwargs)


def get(url: str, data: bytes | None = None, method: str | None = None, timeout: float = 5,
        headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request; HTTP errors are answers too."""
    sent = {"Content-Type": "application/json"} if data else {}
    request = urllib.request.Request(url, data=data, method=method, headers={**sent, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode} before {url} answered")
        try:
            get(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {seconds}s")


def stop(process: subprocess.Popen, signal: int = 15, seconds: float = 15) -> int:
    if process.poll() is None:
        process.send_signal(signal)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
