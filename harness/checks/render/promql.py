"""PromQL the charts ship: dashboard queries and PrometheusRules parse, and query metrics that exist.

Rule objects go through `promtool check rules` as Prometheus would load them; dashboard queries
(panel targets, template-variable queries) go through promql-inspect, the same module's parser,
after Grafana's variables are replaced by values of the right shape. promql-inspect also names
the metrics every expression selects, which are held to policy/exported-metrics.yaml.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from ...core.manifests import K8sObject, Manifests
from ...core.project import Project
from ...core.yamlio import dump_yaml
from ...policy.metrics import MetricCatalogue, catalogue_path, load_catalogue
from ...tools import promtool
from ..registry import CheckSkipped, check

# Grafana's built-in variables, as a query in a 5-minute window would see them.
BUILTINS = {"__interval": "1m", "__rate_interval": "5m", "__range": "5m", "__interval_ms": "60000",
            "__range_ms": "300000", "__range_s": "300"}
VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
# Grafana's Prometheus variable functions whose argument is PromQL.
VARIABLE_QUERY = re.compile(r"^\s*(?:label_values\((.*),\s*\w+\s*\)|query_result\((.*)\))\s*$", re.S)
RULE_COMPLAINT = re.compile(r'^(?:\d+:\d+: )*group "(?P<group>[^"]*)", rule (?P<rule>\d+), "(?P<name>[^"]*)": (?P<message>.*)$')


@dataclass(frozen=True)
class Query:
    """One PromQL expression the charts ship, where it is and how a person finds it."""

    obj: K8sObject
    field: str
    where: str  # 'dashboard "Acme service", panel "Latency"' or 'rule AcmeApiDown'
    expr: str  # with Grafana's variables replaced
    error: str = ""  # why it cannot be parsed at all (an unknown variable)


# -- dashboards -------------------------------------------------------------------------------------

def dashboards(obj: K8sObject) -> Iterator[tuple[str, dict | None, str]]:
    """(data key, dashboard or None, JSON error) of every dashboard a ConfigMap carries: a JSON
    document with panels; broken JSON counts only in a ConfigMap labelled as a dashboard."""
    if obj.kind != "ConfigMap":
        return
    labelled = any("dashboard" in key for key in obj.labels)
    for key, text in (obj.doc.get("data") or {}).items():
        if not str(key).endswith(".json"):
            continue
        try:
            doc = json.loads(text or "")
        except json.JSONDecodeError as err:
            if labelled:
                yield key, None, f"not JSON: {err.msg} at line {err.lineno} column {err.colno}"
            continue
        if isinstance(doc, dict) and isinstance(doc.get("panels"), list):
            yield key, doc, ""


def panels(container: dict, path: str) -> Iterator[tuple[dict, str]]:
    """Every panel with its field path, rows' collapsed panels included."""
    for index, panel in enumerate(container.get("panels") or []):
        if isinstance(panel, dict):
            yield panel, f"{path}.panels[{index}]"
            yield from panels(panel, f"{path}.panels[{index}]")


def variable_values(dashboard: dict) -> dict[str, str]:
    """A value of the right shape for each of the dashboard's own variables."""
    values = dict(BUILTINS)
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if not isinstance(variable, dict) or not variable.get("name"):
            continue
        current = (variable.get("current") or {}).get("value")
        if variable.get("type") == "interval":
            values[variable["name"]] = "5m"
        elif isinstance(current, str) and current and not current.startswith("$"):
            values[variable["name"]] = current
        else:
            values[variable["name"]] = "acme"  # a label value is all a query/custom variable can be
    return values


def substitute(expr: str, values: dict[str, str]) -> tuple[str, str]:
    """(expression with variables replaced, '' or the error naming an unknown variable)."""
    unknown = []

    def value(match: re.Match) -> str:
        name = next(group for group in match.groups() if group)
        if name not in values:
            unknown.append(name)
            return match.group(0)
        return values[name]

    replaced = VARIABLE.sub(value, expr)
    return replaced, f"unknown dashboard variable ${unknown[0]}" if unknown else ""


def is_prometheus(datasource: object) -> bool:
    """A datasource of another type (Loki, Tempo) runs another language; a variable uid is Prometheus here."""
    return not isinstance(datasource, dict) or datasource.get("type") in (None, "", "prometheus")


def dashboard_queries(obj: K8sObject) -> Iterator[Query]:
    for key, dashboard, error in dashboards(obj):
        if dashboard is None:
            yield Query(obj, f"data.{key}", f"dashboard {key}", "", error)
            continue
        title = dashboard.get("title") or key
        values = variable_values(dashboard)
        for panel, path in panels(dashboard, f"data.{key}"):
            for index, target in enumerate(panel.get("targets") or []):
                if not isinstance(target, dict) or not target.get("expr"):
                    continue
                if not is_prometheus(target.get("datasource") or panel.get("datasource")):
                    continue
                expr, error = substitute(str(target["expr"]), values)
                yield Query(obj, f"{path}.targets[{index}].expr",
                            f'dashboard "{title}", panel "{panel.get("title", "")}"', expr, error)
        for index, variable in enumerate((dashboard.get("templating") or {}).get("list") or []):
            if not isinstance(variable, dict) or variable.get("type") != "query":
                continue
            if not is_prometheus(variable.get("datasource")):
                continue
            query = variable.get("query")
            field = f"data.{key}.templating.list[{index}].query"
            if isinstance(query, dict):
                query, field = query.get("query"), f"{field}.query"
            match = VARIABLE_QUERY.match(str(query or ""))
            inner = match and (match.group(1) or match.group(2))
            if inner:
                expr, error = substitute(inner, values)
                yield Query(obj, field, f'dashboard "{title}", variable {variable.get("name")}', expr, error)


# -- rules ------------------------------------------------------------------------------------------

def rule_groups(obj: K8sObject) -> list:
    groups = obj.spec.get("groups")
    return groups if isinstance(groups, list) else []


def rule_queries(obj: K8sObject) -> Iterator[Query]:
    for g, group in enumerate(rule_groups(obj)):
        for r, rule in enumerate((group.get("rules") if isinstance(group, dict) else None) or []):
            if isinstance(rule, dict) and rule.get("expr") is not None:
                name = rule.get("alert") or rule.get("record") or f"{r + 1} of group {group.get('name')}"
                yield Query(obj, f"spec.groups[{g}].rules[{r}].expr", f"rule {name}", str(rule["expr"]))


def rule_complaints(obj: K8sObject, complaints: list[str]) -> Iterator[tuple[str, str]]:
    """(field, message) of each promtool complaint, placed on the rule it names where it names one."""
    groups = [group.get("name") if isinstance(group, dict) else None for group in rule_groups(obj)]
    for complaint in complaints:
        match = RULE_COMPLAINT.match(complaint)
        if match and match["group"] in groups:
            field = f"spec.groups[{groups.index(match['group'])}].rules[{int(match['rule']) - 1}]"
            message = match["message"]
            if message.startswith("could not parse expression"):
                field += ".expr"
            yield field, f"rule {match['name']}: {message}"
        else:
            yield "spec.groups", complaint


# -- the tools, once per distinct input -------------------------------------------------------------

@lru_cache(maxsize=1)
def _project() -> Project:
    return Project.discover()


_PARSED: dict[str, promtool.Parsed] = {}


def parse_all(exprs: list[str]) -> dict[str, promtool.Parsed]:
    """Each expression parsed, the ones not seen before in one promql-inspect run."""
    fresh = sorted({e for e in exprs if e not in _PARSED})
    for expr, parsed in zip(fresh, promtool.inspect(_project().tool("promql-inspect"), fresh)):
        _PARSED[expr] = parsed
    return {e: _PARSED[e] for e in exprs}


@lru_cache(maxsize=1024)
def _check_rules(rule_file: str) -> tuple[str, ...]:
    return tuple(promtool.check_rules(_project().tool("promtool"), rule_file))


@lru_cache(maxsize=1)
def catalogue() -> MetricCatalogue:
    return load_catalogue(catalogue_path(_project().root))


def queries(manifests: Manifests) -> list[Query]:
    """Every dashboard and rule expression among `manifests`, dashboards first."""
    found: list[Query] = []
    for obj in manifests:
        found += dashboard_queries(obj)
    for obj in manifests.of_kind("PrometheusRule"):
        found += rule_queries(obj)
    return found


# -- the checks -------------------------------------------------------------------------------------

def parses(scenario, check):
    for obj in scenario.manifests.of_kind("PrometheusRule"):
        rule_file = dump_yaml({"groups": rule_groups(obj)})
        for field, message in rule_complaints(obj, list(_check_rules(rule_file))):
            yield check.finding(obj, field, message)
    dashboard = [q for obj in scenario.manifests for q in dashboard_queries(obj)]
    parsed = parse_all([q.expr for q in dashboard if not q.error])
    for query in dashboard:
        if query.error:
            yield check.finding(query.obj, query.field, f"{query.where}: {query.error}")
        elif parsed[query.expr].error:
            yield check.finding(query.obj, query.field, f"{query.where}: {parsed[query.expr].error} in {query.expr}")


check("promql.parses",
      "every PrometheusRule passes `promtool check rules` and every dashboard query parses as PromQL", parses)


def exported_metrics(scenario, check):
    found = [q for q in queries(scenario.manifests) if not q.error]
    if not found:
        return
    if not catalogue_path(_project().root).exists():
        raise CheckSkipped(f"no {catalogue_path(_project().root).relative_to(_project().root)}: nothing says which metrics exist")
    known = catalogue()
    recorded = {str(rule["record"]) for obj in scenario.lookup.of_kind("PrometheusRule") for group in rule_groups(obj)
                if isinstance(group, dict) for rule in group.get("rules") or [] if isinstance(rule, dict) and rule.get("record")}
    parsed = parse_all([q.expr for q in found])
    for query in found:
        for metric in parsed[query.expr].metrics:  # an expression that does not parse names none
            if metric not in recorded and known.exporter_of(metric) is None:
                yield check.finding(query.obj, query.field,
                                    f"{query.where}: queries {metric}, which no exporter in policy/exported-metrics.yaml"
                                    f" exports and no shipped rule records, in {query.expr}")


check("promql.exported-metrics",
      "every metric a dashboard panel or rule queries is exported (policy/exported-metrics.yaml) or recorded by a shipped rule",
       exported_metrics)
