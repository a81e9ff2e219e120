"""The local images `make tools` builds (tools/images): their index, OCI configs and file trees."""

from __future__ import annotations

import json
import posixpath
import tarfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ...core.errors import HarnessError
from ...core.project import Project


def index_path(project: Project) -> Path:
    """Where acme-image writes name -> reference, digest and archive (make tools / make images)."""
    return project.root / ".tools" / "images" / "index.json"


@dataclass(frozen=True)
class Entry:
    """One file of an image's merged layers: kind is 'file', 'dir' or 'link'."""

    kind: str
    mode: int
    target: str = ""


@dataclass(frozen=True)
class Image:
    name: str
    ref: str
    repository: str
    tag: str
    digest: str
    layout: Path
    archive: Path
    size: int

    def _blob(self, digest: str) -> Path:
        return self.layout / "blobs" / "sha256" / digest.split(":", 1)[1]

    @cached_property
    def manifest(self) -> dict:
        try:
            return json.loads(self._blob(self.digest).read_text())
        except (OSError, ValueError) as err:
            raise HarnessError(f"image {self.name}: manifest {self.digest} unreadable in {self.layout} ({err}); run: make images") from err

    @cached_property
    def config(self) -> dict:
        """The OCI image config's run settings (Entrypoint, User, Env, ExposedPorts, …)."""
        return json.loads(self._blob(self.manifest["config"]["digest"]).read_text()).get("config", {})

    def layer_paths(self) -> list[Path]:
        return [self._blob(layer["digest"]) for layer in self.manifest["layers"]]

    @cached_property
    def files(self) -> dict[str, Entry]:
        """Every path of the merged layers ('/usr/sbin/nginx' -> Entry), later layers winning."""
        found: dict[str, Entry] = {}
        for path in self.layer_paths():
            with tarfile.open(path) as layer:
                for member in layer:
                    name = "/" + member.name.strip("/").removeprefix("./")
                    kind = "dir" if member.isdir() else "link" if member.issym() else "file"
                    found[name] = Entry(kind, member.mode, member.linkname)
        return found

    def resolve(self, path: str, hops: int = 16) -> Entry | None:
        """The entry a path names after following symlinks (in every component), or None."""
        parts = [p for p in path.split("/") if p]
        current = "/"
        while parts:
            current = posixpath.join(current, parts.pop(0))
            entry = self.files.get(current)
            if entry is None:
                return None
            if entry.kind == "link":
                if hops == 0:
                    return None
                hops -= 1
                base = "/" if entry.target.startswith("/") else posixpath.dirname(current)
                rest = "/".join(parts)
                return self.resolve(posixpath.normpath(posixpath.join(base, entry.target, rest)), hops)
        return self.files.get(current) if current != "/" else Entry("dir", 0o755)

    def which(self, command: str) -> str | None:
        """Where the image's PATH (its config Env) finds a command, like execvp in the container."""
        if "/" in command:
            entry = self.resolve(command)
            return command if entry and entry.kind == "file" and entry.mode & 0o111 else None
        env = dict(item.split("=", 1) for item in self.config.get("Env") or [] if "=" in item)
        for directory in env.get("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(":"):
            candidate = posixpath.join(directory, command)
            entry = self.resolve(candidate)
            if entry and entry.kind == "file" and entry.mode & 0o111:
                return candidate
        return None

    def extract(self, destination: Path) -> Path:
        """Unpacks the layers into a directory (a root file system for chroot tests)."""
        destination.mkdir(parents=True, exist_ok=True)
        for path in self.layer_paths():
            with tarfile.open(path) as layer:
                layer.extractall(destination, filter="fully_trusted")
        return destination


def load_index(project: Project, path: Path | None = None) -> dict[str, Image]:
    """The built images by name; a clear error when the index is missing or names a gone build."""
    path = path or index_path(project)
    try:
        raw = json.loads(path.read_text())["images"]
    except FileNotFoundError as err:
        raise HarnessError(f"no image index at {path}; run: make images") from err
    except (ValueError, KeyError) as err:
        raise HarnessError(f"{path}: not an image index ({err}); run: make images") from err
    images = {}
    for name, item in sorted(raw.items()):
        try:
            image = Image(name, item["ref"], item["repository"], item["tag"], item["digest"],
                          Path(item["layout"]), Path(item["archive"]), int(item["size"]))
        except (KeyError, TypeError, ValueError) as err:
            raise HarnessError(f"{path}: image {name} lacks {err}; run: make images") from err
        if not image.archive.exists():
            raise HarnessError(f"image {name}: {image.archive} is gone from the tool cache; run: make images")
        images[name] = image
    return images
