"""promql-inspect runs once per distinct expression: what it answers is kept, and only unseen
expressions are sent to it. The cases share one warm cache, so this starts from an empty one."""

from __future__ import annotations

import pytest

from harness.checks.render import promql
from harness.tools import promtool


@pytest.fixture
def sent(monkeypatch) -> list[list[str]]:
    """The expression lists promql-inspect is given, from an empty cache."""
    monkeypatch.setattr(promql, "_PARSED", {})
    calls: list[list[str]] = []
    inspect = promtool.inspect

    def recorded(tool, exprs):
        calls.append(list(exprs))
        return inspect(tool, exprs)

    monkeypatch.setattr(promtool, "inspect", recorded)
    return calls


def test_each_expression_is_parsed_once_and_answered_from_then_on(sent):
    first = promql.parse_all(["sum(", "up", "up"])
    assert (first["sum("].error, first["up"].error) == ("1:5: parse error: unclosed left parenthesis", "")
    assert first["up"].metrics == ("up",)
    second = promql.parse_all(["up", "rate(acme_x[5m])"])
    assert second["up"] is first["up"]
    assert second["rate(acme_x[5m])"].metrics == ("acme_x",)
    assert sent == [["sum(", "up"], ["rate(acme_x[5m])"]]
