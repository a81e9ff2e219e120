"""Pod Security "restricted", resources, pinned images and no credentials in plain sight."""

from __future__ import annotations

import re

from ...core.fields import get_or
from ..registry import check

_USERINFO_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
_ALLOWED_CAPABILITIES = {"NET_BIND_SERVICE"}
_SECCOMP_OK = {"RuntimeDefault", "Localhost"}


def pod_security(scenario, check):
    for template in scenario.manifests.pod_templates():
        owner, pod = template.owner, template.spec
        pod_ctx = pod.get("securityContext") or {}
        for index, volume in enumerate(pod.get("volumes") or []):
            if "hostPath" in volume:
                yield check.finding(owner, f"{template.spec_path}.volumes[{index}].hostPath", "hostPath volume")
        for container, path in template.containers():
            ctx = container.get("securityContext") or {}
            where = f"{path}.securityContext"
            name = container.get("name")
            if ctx.get("privileged"):
                yield check.finding(owner, f"{where}.privileged", f"container {name} is privileged")
            if ctx.get("allowPrivilegeEscalation") is not False:
                yield check.finding(owner, f"{where}.allowPrivilegeEscalation", f"container {name}: must be false")
            caps = ctx.get("capabilities") or {}
            if "ALL" not in (caps.get("drop") or []):
                yield check.finding(owner, f"{where}.capabilities.drop", f"container {name}: must drop ALL")
            extra = set(caps.get("add") or []) - _ALLOWED_CAPABILITIES
            if extra:
                yield check.finding(owner, f"{where}.capabilities.add", f"container {name} adds {sorted(extra)}")
            non_root = get_or(ctx, "runAsNonRoot", get_or(pod_ctx, "runAsNonRoot"))
            if non_root is not True:
                yield check.finding(owner, f"{where}.runAsNonRoot", f"container {name}: runAsNonRoot must be true")
            if get_or(ctx, "runAsUser", get_or(pod_ctx, "runAsUser")) == 0:
                yield check.finding(owner, f"{where}.runAsUser", f"container {name} runs as UID 0")
            seccomp = get_or(get_or(ctx, "seccompProfile") or get_or(pod_ctx, "seccompProfile"), "type")
            if seccomp not in _SECCOMP_OK:
                yield check.finding(owner, f"{where}.seccompProfile.type",
                                    f"container {name}: seccomp {seccomp or 'unset'}, want RuntimeDefault")


check("security.pod-security", 'pods meet the Pod Security "restricted" profile', pod_security)


def resources(scenario, check):
    # A CPU limit is not required: throttling hurts latency more than it protects neighbours.
    required = (("requests", "cpu"), ("requests", "memory"), ("limits", "memory"))
    for template in scenario.manifests.pod_templates():
        for container, path in template.containers():
            spec = container.get("resources") or {}
            for group, resource in required:
                if not (spec.get(group) or {}).get(resource):
                    yield check.finding(template.owner, f"{path}.resources.{group}.{resource}",
                                        f"container {container.get('name')} has no {group}.{resource}")


check("security.resources", "containers request cpu and memory and limit memory", resources)


def image_problem(image: str) -> str | None:
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (means latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return "uses the latest tag"
    return None


def image_pinned(scenario, check):
    for template in scenario.manifests.pod_templates():
        for container, path in template.containers():
            if not container.get("image"):
                yield check.finding(template.owner, f"{path}.image", "no image: nothing pins what runs")
                continue
            problem = image_problem(str(container["image"]))
            if problem:
                yield check.finding(template.owner, f"{path}.image", f"{container.get('image')} {problem}")


check("security.image-pinned", "images carry a fixed tag or digest, never latest", image_pinned)


def looks_like_credential(key: str, words: tuple[str, ...]) -> bool:
    """DB_PASSWORD, apiToken, client-secret: the key's last word is a credential word."""
    parts = re.split(r"[_\-.]|(?<=[a-z])(?=[A-Z])", key)
    last = parts[-1].lower()  # re.split always returns at least one part
    compact = key.lower().replace("_", "").replace("-", "")
    return last in words or any(compact.endswith(w.replace("_", "")) for w in words if "_" in w)


def credentials(scenario, check):
    words = scenario.settings.credential_words
    for config in scenario.manifests.of_kind("ConfigMap"):
        for key, value in (config.doc.get("data") or {}).items():
            text = str(value or "")
            if looks_like_credential(key, words) and text:
                yield check.finding(config, f"data.{key}", "credential-like key in a ConfigMap")
            elif _USERINFO_PASSWORD.search(text):
                yield check.finding(config, f"data.{key}", "URL with a password in a ConfigMap")
    for template in scenario.manifests.pod_templates():
        for container, path in template.containers():
            for index, entry in enumerate(container.get("env") or []):
                value = entry.get("value")
                if value in (None, ""):
                    continue
                if looks_like_credential(str(get_or(entry, "name", "")), words) or _USERINFO_PASSWORD.search(str(value)):
                    yield check.finding(template.owner, f"{path}.env[{index}].value",
                                        f"{entry.get('name')} holds a literal credential; use a secretKeyRef")


check("security.credentials", "no credentials in ConfigMaps or literal env values", credentials)
