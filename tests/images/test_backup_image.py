"""The backup job's image runs the chart's own scripts, as the chart's uid, against Debian's
PostgreSQL and moto's S3 server on loopback: dump.sh with the image's pg_dump, then upload.sh
with the image's AWS CLI; the uploaded archive restores with the host's pg_restore; and the restore
drill's container (drill.py on the image's Python) passes on that backup."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rendered import find, render_values
from running import REPO_ROOT, chroot
from services import SCRIPTS, aws, running_s3

from harness.deploy.images.contract import find_container, pod_spec

BACKUP_ON = {"backup": {"enabled": True, "objectStorage": {"bucket": "acme-backups", "cidrs": ["10.0.0.0/8"]},
                        "restoreDrill": {"enabled": True, "image": {"repository": "acme.local/backup", "tag": "15-local"}}}}


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    with running_s3(tmp_path_factory.mktemp("s3") / "moto.log") as store:
        yield store


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[dict]:
    import yaml

    values = tmp_path_factory.mktemp("backup-values") / "on.yaml"
    values.write_text(yaml.safe_dump(BACKUP_ON))
    return render_values("acme-platform", (REPO_ROOT / "values/acme-platform/local.yaml", values))


@pytest.fixture(scope="module")
def job(documents) -> dict:
    return pod_spec(find(documents, "CronJob", "acme-db-backup"))


@pytest.fixture(scope="module")
def drill_job(documents) -> dict:
    return pod_spec(find(documents, "CronJob", "acme-restore-drill"))


def run_in_image(root: Path, uid: int, container: dict, env: dict[str, str]) -> subprocess.CompletedProcess:
    process = chroot(root, f"{uid}:{uid}", container["command"], env=env, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
    output, _ = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, output)


def test_dump_upload_and_drill_with_the_images_tools(job, drill_job, images, rootfs, postgres, s3) -> None:
    uid = job["securityContext"]["runAsUser"]
    root = rootfs("backup")
    shutil.copytree(SCRIPTS, root / "scripts", dirs_exist_ok=True)
    for path in ("backup", "tmp"):
        os.chown(root / path, uid, uid)
    image_env = dict(item.split("=", 1) for item in images["backup"].config["Env"])
    postgres.psql("acme", "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY); INSERT INTO orders VALUES (7) ON CONFLICT DO NOTHING")
    dump = run_in_image(root, uid, find_container(job, "dump"),
                        {**image_env, "BACKUP_DIR": "/backup", **postgres.env("acme")})
    assert dump.returncode == 0, dump.stdout
    upload = run_in_image(root, uid, find_container(job, "upload"),
                          {**image_env, "BACKUP_DIR": "/backup", **s3.env("acme-db"),
                           "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required"})
    assert upload.returncode == 0, upload.stdout
    keys = s3.keys("acme-db")
    assert [Path(k).name for k in keys] == ["acme.dump", "acme.dump.manifest", "acme.dump.manifest.sha256",
                                            "acme.dump.sha256"]
    assert aws(["s3", "ls", f"s3://{s3.bucket}/{keys[0]}"], s3.env("acme-db")).returncode == 0

    drill = find_container(drill_job, "drill")
    assert drill_job["securityContext"]["runAsUser"] == uid and drill["image"] == "acme.local/backup:15-local"
    rendered = {e["name"]: e["value"] for e in drill["env"] if "value" in e}
    done = run_in_image(root, uid, drill, {**image_env, **postgres.env("acme"), **s3.env("acme-db"),
                                           "SCRATCH_DATABASE": rendered["SCRATCH_DATABASE"],
                                           "DRILL_DIR": rendered["DRILL_DIR"], "HOME": "/tmp",
                                           "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required"})
    assert done.returncode == 0, done.stdout
    assert f"restored into {rendered['SCRATCH_DATABASE']} match the backup" in done.stdout
