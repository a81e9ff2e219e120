"""The exported-metrics catalogue (policy/exported-metrics.yaml): which series names exist at all.

A metric family is one name and a type; the series a query can select are the family's sample
names (a histogram `x` is `x_bucket`, `x_sum`, `x_count`). Bad entries are one sentence naming
the exporter and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HarnessError
from ..core.yamlio import load_yaml_file

# Sample-name suffixes of each type in the text exposition format.
SUFFIXES = {"counter": ("",), "gauge": ("",), "untyped": ("",), "histogram": ("_bucket", "_sum", "_count"),
            "summary": ("", "_sum", "_count")}


@dataclass(frozen=True)
class Exporter:
    name: str
    source: str
    families: dict[str, str]  # family name -> type

    def series_names(self) -> set[str]:
        return {family + suffix for family, kind in self.families.items() for suffix in SUFFIXES[kind]}


@dataclass(frozen=True)
class MetricCatalogue:
    exporters: tuple[Exporter, ...]

    def exporter_of(self, series: str) -> str | None:
        """The first exporter whose families produce `series`, or None."""
        return next((e.name for e in self.exporters if series in e.series_names()), None)

    def exporter(self, name: str) -> Exporter:
        found = next((e for e in self.exporters if e.name == name), None)
        if found is None:
            raise HarnessError(f"exported metrics: no exporter named {name!r}")
        return found


def catalogue_path(root: Path) -> Path:
    return root / "policy" / "exported-metrics.yaml"


def load_catalogue(path: Path) -> MetricCatalogue:
    if not path.exists():
        raise HarnessError(f"{path}: the exported-metrics catalogue is missing")
    doc = load_yaml_file(path)
    entries = doc.get("exporters") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise HarnessError(f"{path}: expected a mapping with a non-empty `exporters` list")
    exporters = []
    for index, entry in enumerate(entries):
        where = f"{path}: exporters[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise HarnessError(f"{where}: every exporter needs a `name`")
        where = f"{path}: exporter {entry['name']}"
        if not isinstance(entry.get("source"), str) or not entry["source"].strip():
            raise HarnessError(f"{where}: `source` must say where the list comes from")
        families = entry.get("metrics")
        if not isinstance(families, dict) or not families:
            raise HarnessError(f"{where}: `metrics` must map family names to types")
        for family, kind in families.items():
            if kind not in SUFFIXES:
                raise HarnessError(f"{where}: metrics.{family}: type {kind!r}, want one of {', '.join(SUFFIXES)}")
        exporters.append(Exporter(entry["name"], entry["source"], dict(families)))
    return MetricCatalogue(tuple(exporters))
