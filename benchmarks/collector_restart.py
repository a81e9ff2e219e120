"""Collector restart benchmark: what a rollout of the one Pushgateway costs, with N groups persisted.

Runs the real Pushgateway (make collector-deps) with the arguments the chart renders for an
environment, pushes N groups, then restarts it R times the way the StatefulSet rollout does
(SIGTERM, new process on the same volume) and prints: SIGTERM to exit (the state file is written
in this time), start to ready (the state file is loaded in this time), the state file's size, and
whether every group came back. The pod's own restart (preStop, scheduling, image) comes on top.

Usage: .venv/bin/python benchmarks/collector_restart.py [--env production] [--groups 1000] [--restarts 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "collector"), str(ROOT / "tests" / "observability")]

from pushgateway import BINARY, CollectorSpec, Pushgateway  # noqa: E402
from rendered import render  # noqa: E402

METRIC = "acme_http_requests_total"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _body(group: int, cycle: int) -> str:
    return "".join(f'{METRIC}{{route="/r{route}"}} {group * 10 + route + cycle}\n' for route in range(5))


def main() -> int:
    try:
        return _run()
    except OSError as err:  # a push or scrape that timed out or was refused
        print(f"error: the collector stopped answering: {err}", file=sys.stderr)
        return 1


def _run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="production", choices=["local", "staging", "production"])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--restarts", type=int, default=5)
    options = parser.parse_args()
    if not BINARY.exists():
        print(f"error: no Pushgateway at {BINARY}: run make collector-deps", file=sys.stderr)
        return 2
    spec = CollectorSpec.from_documents(render("acme-platform", options.env))
    with tempfile.TemporaryDirectory(prefix="acme-collector-bench-") as scratch:
        volume, port = Path(scratch), _port()
        state = spec.persistence_file(volume)
        if state is None:
            print(f"error: the {options.env} render keeps no --persistence.file on a claimed volume", file=sys.stderr)
            return 2
        command = spec.command(port, volume)
        log = volume.parent / f"{volume.name}.log"
        gateway = Pushgateway(command, port, log, timeout=60).start()
        started = time.monotonic()
        for group in range(options.groups):
            gateway.push("acme-api", f"api-{group}", _body(group, 0))
        push_seconds = time.monotonic() - started
        stops, starts, sizes, restored = [], [], [], []
        for _ in range(options.restarts):
            code, seconds = gateway.stop(timeout=spec.grace_seconds - spec.pre_stop_seconds)
            if code != 0:
                print(f"error: pushgateway exited with {code} on SIGTERM", file=sys.stderr)
                return 1
            stops.append(seconds)
            sizes.append(state.stat().st_size)
            gateway = Pushgateway(command, port, log, timeout=60)
            started = time.monotonic()
            gateway.start()
            starts.append(time.monotonic() - started)
            samples = gateway.scrape(spec.telemetry_path)
            restored.append(len({labels for (name, labels), _ in samples if name == METRIC}))
        gateway.stop(timeout=spec.grace_seconds)
    want = options.groups * 5
    print(f"collector restart, {options.env} render ({spec.kind} x{spec.replicas}, {' '.join(spec.args)})")
    print(f"  {options.groups} groups x 5 series pushed in {push_seconds:.2f} s "
          f"({options.groups / push_seconds:.0f} pushes/s)")
    print(f"  SIGTERM to exit (state written): median {statistics.median(stops) * 1000:.0f} ms, "
          f"max {max(stops) * 1000:.0f} ms over {options.restarts} restarts")
    print(f"  start to ready (state loaded):   median {statistics.median(starts) * 1000:.0f} ms, "
          f"max {max(starts) * 1000:.0f} ms")
    print(f"  state file: {max(sizes) / 1024:.0f} KiB; series back after each restart: {restored} (want {want})")
    return 0 if all(count == want for count in restored) else 1


if __name__ == "__main__":
    sys.exit(main())
