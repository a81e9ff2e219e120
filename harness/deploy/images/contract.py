"""Which chart container runs which local image, and whether the image fits what the chart sets.

The chart decides the user, ports, command and probes of each container; the image must agree
(a uid the chart forces that the image's files don't expect, a port the image never listens on,
a probe command the image lacks) or the pod fails only once it runs on a real node.
"""

from __future__ import annotations

from dataclasses import dataclass

from .index import Image


@dataclass(frozen=True)
class Use:
    """A container of a rendered object that runs one of the local images."""

    image: str  # name in the image index
    release: str  # the chart rendering it (charts/<release>)
    kind: str
    name: str
    container: str
    values: str  # dotted path of the image block (repository, tag, digest) in the release's values
    # dotted path of the block holding the workload's nodeSelector and tolerations ("" = top level);
    # None: the chart offers no placement, the pods stay on the simulated nodes
    placement: str | None = None


USES = (
    Use("api", "acme-api", "Deployment", "acme-api", "api", "image", placement=""),
    Use("ui", "acme-ui", "Deployment", "acme-ui", "ui", "image", placement=""),
    Use("postgres", "acme-platform", "StatefulSet", "acme-db", "postgresql", "database.inCluster.image",
        placement="database.inCluster"),
    Use("pushgateway", "acme-platform", "StatefulSet", "acme-metrics", "collector", "metrics-collector.image",
        placement="metrics-collector"),
    Use("backup", "acme-platform", "CronJob", "acme-db-backup", "dump", "backup.pgDump.image", placement="backup.job"),
    Use("backup", "acme-platform", "CronJob", "acme-db-backup", "upload", "backup.uploader.image", placement="backup.job"),
    Use("backup", "acme-platform", "CronJob", "acme-restore-drill", "drill", "backup.restoreDrill.image",
        placement="backup.job"),
)


def pod_spec(obj: dict) -> dict:
    """The pod template's spec of a Deployment, StatefulSet, Job or CronJob."""
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def find_container(pod: dict, name: str) -> dict | None:
    return next((c for c in (pod.get("initContainers") or []) + pod["containers"] if c["name"] == name), None)


def image_user(image: Image) -> tuple[int | None, int | None]:
    """(uid, gid) of the image's User when numeric; None where it is a name or missing."""
    uid, _, gid = (image.config.get("User") or "").partition(":")
    return (int(uid) if uid.isdigit() else None, int(gid) if gid.isdigit() else None)


def _exec_commands(container: dict) -> list[tuple[str, list[str]]]:
    commands = []
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        command = ((container.get(probe) or {}).get("exec") or {}).get("command")
        if command:
            commands.append((probe, command))
    pre_stop = ((container.get("lifecycle") or {}).get("preStop") or {}).get("exec", {}).get("command")
    if pre_stop:
        commands.append(("lifecycle.preStop", pre_stop))
    return commands


def mismatches(image: Image, pod: dict, container: dict) -> list[str]:
    """Every way the image disagrees with the pod and container the chart renders, one line each."""
    found = []
    uid, gid = image_user(image)
    pod_ctx, ctx = pod.get("securityContext") or {}, container.get("securityContext") or {}
    want_uid = ctx.get("runAsUser", pod_ctx.get("runAsUser"))
    want_gid = ctx.get("runAsGroup", pod_ctx.get("runAsGroup"))
    if uid is None:
        found.append(f"image User {image.config.get('User')!r} is not a numeric uid (runAsNonRoot cannot verify a name)")
    elif uid == 0:
        found.append("image User is root (uid 0); the chart requires runAsNonRoot")
    elif want_uid is not None and want_uid != uid:
        found.append(f"securityContext.runAsUser {want_uid} differs from the image's uid {uid}")
    if gid is not None and want_gid is not None and want_gid != gid:
        found.append(f"securityContext.runAsGroup {want_gid} differs from the image's gid {gid}")

    exposed = set(image.config.get("ExposedPorts") or {})
    for port in container.get("ports") or []:
        key = f"{port['containerPort']}/{port.get('protocol', 'TCP').lower()}"
        if key not in exposed:
            found.append(f"ports {port.get('name', '')}={key} is not exposed by the image ({', '.join(sorted(exposed)) or 'none'})")

    command = container.get("command") or image.config.get("Entrypoint") or []
    if not command and not container.get("args"):
        command = image.config.get("Cmd") or []
    if not command:
        found.append("neither the container nor the image names a command to run")
    elif image.which(command[0]) is None:
        source = "command" if container.get("command") else "the image's Entrypoint"
        found.append(f"{source} {command[0]} is not an executable in the image")
    for field, exec_command in _exec_commands(container):
        if image.which(exec_command[0]) is None:
            found.append(f"{field} runs {exec_command[0]}, which is not an executable in the image")

    image_env = dict(item.split("=", 1) for item in image.config.get("Env") or [] if "=" in item)
    for var in container.get("env") or []:
        if "value" in var and var["name"] in image_env and image_env[var["name"]] != var["value"]:
            found.append(f"env {var['name']}={var['value']!r} differs from the image's default {image_env[var['name']]!r}")
    return found


def reference(image: Image) -> str:
    """How a chart renders the pinned image: repository:tag@digest."""
    return f"{image.repository}:{image.tag}@{image.digest}"
