"""harness.tools.process: a missing binary, a hung call and a failed call each become one
ToolError sentence naming the call; a non-zero exit is an answer the caller reads."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.tools import checkov, git, helmfile, iproute, netfilter, nsenter
from harness.tools.kwokctl import kwokctl
from harness.tools.process import ToolError, run, spawn


def test_output_and_exit_code_come_back():
    done = run([sys.executable, "-c", "import sys; print('out'); print('why', file=sys.stderr); sys.exit(3)"])
    assert (done.returncode, done.stdout, done.stderr, done.ok) == (3, "out\n", "why\n", False)


def test_binary_output_stays_bytes():
    assert run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'\\xff')"], binary=True).stdout == b"\xff"


def test_a_missing_binary_is_one_sentence(tmp_path: Path):
    with pytest.raises(ToolError, match=r"^`helm template x`: .*/helm not found \(run `make tools`"):
        run([tmp_path / "helm", "template", "x"])


def test_a_missing_working_directory_is_not_blamed_on_the_binary(tmp_path: Path):
    with pytest.raises(ToolError, match=r"working directory .*/gone does not exist"):
        run([sys.executable, "-c", "pass"], cwd=tmp_path / "gone")


def test_a_file_that_cannot_run_is_named(tmp_path: Path):
    script = tmp_path / "helm"
    script.write_text("not a program\n")  # not executable
    with pytest.raises(ToolError, match=r"cannot run .*/helm: Permission denied"):
        run([script, "version"])


def test_a_hung_call_is_stopped_and_named():
    with pytest.raises(ToolError, match=r"^`sleeper` did not finish within 1 s$"):
        run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=1, what="sleeper")


def test_require_turns_a_failure_into_the_last_lines_of_stderr():
    done = run([sys.executable, "-c", "import sys; print('a\\nb\\nc\\nd', file=sys.stderr); sys.exit(1)"])
    with pytest.raises(ToolError, match=r"^`python` failed \(exit 1\): b \| c \| d$"):
        done.require("python")
    assert done.require("python", ok=(0, 1)) is done


def test_a_tool_error_is_a_harness_error_so_the_cli_prints_one_line():
    assert issubclass(ToolError, HarnessError)


def test_git_answers_none_for_a_ref_that_names_no_commit(tmp_path: Path):
    run(["git", "init", "-q", tmp_path]).require("git init")
    assert git.commit_of(tmp_path, "no-such-ref") is None
    assert git.show(tmp_path, "HEAD", "charts/x/Chart.yaml") is None


def _fake(tmp_path: Path, name: str, exit_code: int, stdout: str = "", stderr: str = "") -> Path:
    """A stand-in binary that prints and exits as told (the real tools' answers are tested end to end)."""
    script = tmp_path / name
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\n"
                      f"sys.exit({exit_code})\n")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(("code", "changed"), [(0, False), (2, True)], ids=["no-changes", "changes"])
def test_helmfile_diff_reads_its_detailed_exit_code(tmp_path: Path, code: int, changed: bool):
    fake = _fake(tmp_path, "helmfile", code, stdout="+ image: acme/api:1.0.1\n")
    assert helmfile.diff(fake, "local", "ctx", tmp_path, {}) == (changed, "+ image: acme/api:1.0.1")


def test_helmfile_diff_failing_names_the_environment_and_the_last_lines(tmp_path: Path):
    fake = _fake(tmp_path, "helmfile", 1, stderr="in ./helmfile.yaml.gotmpl: release acme-api\nError: plugin diff missing\n")
    with pytest.raises(ToolError, match=r"^helmfile -e staging diff failed:\n  in .*\n  Error: plugin diff missing$"):
        helmfile.diff(fake, "staging", "ctx", tmp_path, {})


def test_helmfile_diff_apply_and_lint_never_build_chart_dependencies(tmp_path: Path):
    # helm would build them inside the checkout while other commands read it (Renderer builds them first)
    argv_file = tmp_path / "argv"
    fake = tmp_path / "helmfile"
    fake.write_text(f"#!{sys.executable}\nimport sys\nopen({str(argv_file)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n")
    fake.chmod(0o755)
    helmfile.diff(fake, "local", "ctx", tmp_path, {})
    helmfile.apply(fake, "local", "ctx", tmp_path, {})
    diff_argv, apply_argv = (line.split() for line in argv_file.read_text().splitlines())
    assert diff_argv[diff_argv.index("diff") + 1] == "--skip-deps"
    assert apply_argv[apply_argv.index("apply") + 1] == "--skip-deps"
    assert helmfile.lint_command(fake, tmp_path / "helmfile.yaml", "local")[-2:] == ("lint", "--skip-deps")


def test_kwokctl_failing_is_one_sentence_naming_the_command(tmp_path: Path):
    fake = _fake(tmp_path, "kwokctl", 1, stderr="port 16443 in use\n")
    with pytest.raises(ToolError, match=r"^cluster: `kwokctl start cluster` failed \(exit 1\): port 16443 in use$"):
        kwokctl(fake, ["start", "cluster"], "acme", {}, timeout=30)


def test_checkov_crashing_is_not_read_as_findings(tmp_path: Path):
    with pytest.raises(ToolError, match=r"^checkov exited 3: Traceback"):
        checkov.failed_checks(_fake(tmp_path, "checkov", 3, stderr="Traceback (most recent call last): ...\n"), tmp_path)
    assert checkov.failed_checks(_fake(tmp_path, "checkov", 1, stdout='{"results": {"failed_checks": [{"c": 1}]}}'),
                                 tmp_path) == [{"c": 1}]


def test_spawn_detaches_and_appends_both_streams_to_the_log(tmp_path: Path):
    log = tmp_path / "daemon.log"
    script = "import os, sys; print(os.getsid(0) == os.getpid(), flush=True); print('err', file=sys.stderr)"
    pid = spawn([sys.executable, "-c", script], log=log, env={"PATH": "/usr/bin:/bin"})
    assert os.waitpid(pid, 0)[1] == 0
    assert log.read_text() == "True\nerr\n"  # a session of its own; stderr lands in the same log
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_spawn_of_a_missing_binary_is_one_sentence(tmp_path: Path):
    with pytest.raises(ToolError, match=r"^`kubelet`: .*/kubelet not found \(run `make tools`"):
        spawn([tmp_path / "kubelet"], what="kubelet")


def test_ip_failure_names_what_the_harness_was_doing():
    with pytest.raises(ToolError, match=r"^`removing the host end acme-nope` failed \(exit \d+\): .*acme-nope"):
        iproute.change("link", "del", "acme-nope", what="removing the host end acme-nope")
    assert iproute.link_exists("lo") and not iproute.link_exists("acme-nope")
    assert any(link["ifname"] == "lo" for link in iproute.read("link", "show"))


def test_rules_dump_records_a_missing_tool_instead_of_raising():
    assert netfilter.dump(["acme-no-such-iptables-save"]) == ["acme-no-such-iptables-save: not installed"]


def test_nsenter_argv_enters_net_mount_and_uts():
    assert nsenter.inside(42, "ip", Path("/x")) == ["nsenter", "-t", "42", "-n", "-m", "-u", "--", "ip", "/x"]
