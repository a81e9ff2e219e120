"""The ui image's real nginx serving the chart's own rendered server block and config.js.

The image's files are unpacked and run under chroot as the uid the chart sets; only the chart's
emptyDir mount points are writable by that uid, as with readOnlyRootFilesystem. The one change
to the rendered config is the listen address: loopback and a free port instead of every
interface's 8080.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
from rendered import find, render
from running import chroot, get, stop, wait_for_http
from services import free_port


@pytest.fixture(scope="module")
def chart() -> dict:
    """The acme-ui release of the local environment: its ConfigMap and pod spec."""
    documents = render("acme-ui", "local")
    return {"config": find(documents, "ConfigMap", "acme-ui")["data"],
            "pod": find(documents, "Deployment", "acme-ui")["spec"]["template"]["spec"]}


@pytest.fixture(scope="module")
def site(chart, rootfs, tmp_path_factory):
    """nginx from the image, up on loopback; yields its base URL."""
    root: Path = rootfs("ui")
    pod = chart["pod"]
    uid, gid = pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]
    port = free_port()
    server_block, listens = re.subn(r"listen \d+;", f"listen 127.0.0.1:{port};", chart["config"]["default.conf"])
    assert listens == 1, "the rendered server block has no single `listen <port>;`"
    container = pod["containers"][0]
    for mount in container["volumeMounts"]:
        target = root / mount["mountPath"].lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        if not mount.get("readOnly"):
            os.chown(target, uid, gid)  # the emptyDirs, writable through fsGroup
    (root / "etc/nginx/conf.d/default.conf").write_text(server_block)
    (root / "etc/acme-ui/config.js").write_text(chart["config"]["config.js"])
    log = (tmp_path_factory.mktemp("ui-log") / "nginx.log").open("w")
    process = chroot(root, f"{uid}:{gid}", ["/usr/sbin/nginx", "-e", "stderr"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/healthz", process)
    yield url, process
    stop(process, signal.SIGQUIT)
    log.close()


def test_health_answers_from_the_server_itself(site) -> None:
    status, headers, body = get(f"{site[0]}/healthz")
    assert (status, body) == (200, b"ok\n")


def test_index_revalidates_and_names_fingerprinted_assets(site) -> None:
    status, headers, body = get(f"{site[0]}/")
    assert status == 200
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assets = re.findall(r'"(/assets/[^"]+)"', body.decode())
    assert {Path(a).suffix for a in assets} == {".css", ".js", ".svg"}
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", asset), asset


@pytest.mark.parametrize("suffix,content_type", [(".css", "text/css"), (".js", "application/javascript"),
                                                 (".svg", "image/svg+xml")], ids=["css", "js", "svg"])
def test_fingerprinted_assets_are_immutable(site, suffix, content_type) -> None:
    body = get(f"{site[0]}/")[2].decode()
    (asset,) = {a for a in re.findall(r'"(/assets/[^"]+)"', body) if a.endswith(suffix)}
    status, headers, _ = get(f"{site[0]}{asset}")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"] == content_type


def test_runtime_config_comes_from_the_chart(site, chart) -> None:
    status, headers, body = get(f"{site[0]}/config.js")
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    assert body.decode() == chart["config"]["config.js"]


def test_client_routes_fall_back_to_the_page(site) -> None:
    status, headers, body = get(f"{site[0]}/orders/42")
    assert status == 200 and b"<title>Acme</title>" in body and headers["Cache-Control"] == "no-cache"


def test_an_unfingerprinted_missing_asset_is_not_cached_for_a_year(site) -> None:
    status, headers, _ = get(f"{site[0]}/assets/app.0123456789ab.js")
    assert status == 404


def test_the_stop_signal_stops_gracefully(chart, images, rootfs) -> None:
    """The image's StopSignal is nginx's graceful one (SIGQUIT; SIGTERM drops connections) and
    the server exits 0 on it."""
    stop_signal = signal.Signals[images["ui"].config["StopSignal"]]
    assert stop_signal == signal.SIGQUIT
    root = rootfs("ui")
    port = free_port()
    (root / "etc/nginx/conf.d/default.conf").write_text(
        re.sub(r"listen \d+;", f"listen 127.0.0.1:{port};", chart["config"]["default.conf"]))
    for path in ("var/cache/nginx", "var/run"):
        os.chown(root / path, 101, 101)
    process = chroot(root, "101:101", ["/usr/sbin/nginx", "-e", "stderr"])
    wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
    assert stop(process, stop_signal) == 0
