"""Our `helm diff` plugin (tools/helm-diff): flag handling and secret redaction."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

PLUGIN = Path(__file__).resolve().parents[2] / "tools" / "helm-diff" / "helm_diff.py"


@pytest.fixture(scope="module")
def helm_diff() -> ModuleType:
    spec = importlib.util.spec_from_file_location("helm_diff", PLUGIN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_helmfile_flags_are_understood(helm_diff: ModuleType) -> None:
    opts = helm_diff.parse(["--allow-unreleased", "acme-api", "./charts/acme-api", "--namespace", "acme",
                            "--values", "/tmp/v.yaml", "--detailed-exitcode", "--reset-values", "--context", "5",
                            "--suppress-secrets", "--no-color", "--kube-context=kwok-acme", "--kube-version", "1.36.3",
                            "--take-ownership"])
    assert opts["positional"] == ["acme-api", "./charts/acme-api"]
    assert opts["namespace"] == "acme" and opts["kube_context"] == "kwok-acme"
    assert opts["helm_args"] == ["--values", "/tmp/v.yaml", "--reset-values", "--take-ownership"]
    assert opts["detailed"] is True and opts["context"] == 5


@pytest.mark.parametrize(("argv", "message"), [
    (["--frobnicate"], "unsupported flag --frobnicate"),
    (["--values"], "flag --values needs a value"),
    (["--context", "many"], "--context takes a whole number"),
], ids=["unknown-flag", "missing-value", "bad-context"])
def test_bad_flags_are_named(helm_diff: ModuleType, argv: list[str], message: str) -> None:
    with pytest.raises(helm_diff.DiffError, match=message):
        helm_diff.parse(argv)


def test_unknown_subcommand_is_rejected(helm_diff: ModuleType) -> None:
    with pytest.raises(helm_diff.DiffError, match="only `upgrade` and `version`"):
        helm_diff.main(["rollback"])


SECRET = """---
# Source: x/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: acme-db-credentials
stringData:
  password: "s3cr3t-one"
  url: "postgresql://acme:s3cr3t-one@acme-db:5432/acme"
type: Opaque
---
kind: ConfigMap
metadata:
  name: plain
data:
  greeting: hello
"""


def test_secret_values_are_hidden_but_changes_still_show(helm_diff: ModuleType) -> None:
    redacted = helm_diff.redact_secrets(SECRET)
    assert "s3cr3t-one" not in redacted
    assert "greeting: hello" in redacted, "ConfigMap data is not a secret"
    assert "type: Opaque" in redacted
    changed = helm_diff.redact_secrets(SECRET.replace("s3cr3t-one", "s3cr3t-two"))
    assert changed != redacted


@pytest.mark.parametrize(("deployed", "proposed", "exit_code"), [
    ("kind: ConfigMap\n\n", "kind: ConfigMap\n", 0),
    ("kind: ConfigMap\n", "kind: Secret\n", 2),
], ids=["trailing-blank-line-is-no-change", "real-change"])
def test_detailed_exitcode_reports_only_real_changes(helm_diff: ModuleType, monkeypatch, capsys,
                                                     deployed: str, proposed: str, exit_code: int) -> None:
    def fake_helm(args, opts, allow_missing=False):
        return deployed if args[0] == "get" else json.dumps({"manifest": proposed})

    monkeypatch.setattr(helm_diff, "helm", fake_helm)
    assert helm_diff.main(["upgrade", "acme-api", "./charts/acme-api", "--detailed-exitcode"]) == exit_code
    assert bool(capsys.readouterr().out) == bool(exit_code)
