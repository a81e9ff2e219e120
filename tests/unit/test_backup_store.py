"""The harness's S3 client signs as S3 wants (Signature Version 4, AWS's published examples) and reads
a backup CronJob's destination; `harness backup run` picks the newest complete backup folder."""

from __future__ import annotations

import datetime

import pytest

from harness.core.errors import HarnessError
from harness.deploy.backup.run import newest_folder
from harness.deploy.backup.store import Credentials, authorization, destination

# AWS's Signature Version 4 examples for S3 (the documentation's example keys and bucket)
EXAMPLE = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1")
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
WHEN = datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc)
HOST = "examplebucket.s3.amazonaws.com"


def test_get_object_is_signed_as_in_awss_example():
    headers = {"host": HOST, "range": "bytes=0-9", "x-amz-content-sha256": EMPTY, "x-amz-date": "20130524T000000Z"}
    assert authorization("GET", "/test.txt", {}, headers, EMPTY, EXAMPLE, WHEN) == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")


def test_list_objects_is_signed_as_in_awss_example():
    headers = {"host": HOST, "x-amz-content-sha256": EMPTY, "x-amz-date": "20130524T000000Z"}
    assert authorization("GET", "/", {"max-keys": "2", "prefix": "J"}, headers, EMPTY, EXAMPLE, WHEN).endswith(
        "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")


def upload_container(env: list[dict]) -> dict:
    return {"metadata": {"name": "acme-db-backup"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "initContainers": [{"name": "dump"}], "containers": [{"name": "upload", "env": env}]}}}}}}


SECRET_REF = [{"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "acme-backup-s3", "key": "id"}}},
              {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "acme-backup-s3", "key": "k"}}}]


def test_the_destination_is_what_the_chart_rendered_into_the_upload_container():
    where = destination(upload_container([{"name": "S3_ENDPOINT", "value": "http://s3:9000"},
                                          {"name": "S3_BUCKET", "value": "acme-backups"},
                                          {"name": "S3_PREFIX", "value": "acme-db"},
                                          {"name": "AWS_DEFAULT_REGION", "value": "eu-west-1"}, *SECRET_REF]))
    assert (where.endpoint, where.bucket, where.prefix, where.region) == ("http://s3:9000", "acme-backups", "acme-db",
                                                                          "eu-west-1")
    assert (where.secret, where.key_id_key, where.secret_key_key) == ("acme-backup-s3", "id", "k")


@pytest.mark.parametrize("env", [SECRET_REF, [{"name": "S3_BUCKET", "value": "acme-backups"}]],
                         ids=["no-bucket", "no-secret"])
def test_a_destination_without_bucket_or_secret_is_named(env):
    with pytest.raises(HarnessError, match="CronJob acme-db-backup: container upload names no S3_BUCKET or no "
                                           "AWS_ACCESS_KEY_ID Secret"):
        destination(upload_container(env))


def test_the_newest_complete_folder_is_picked():
    keys = {"acme-db/20261203T020000Z/acme.dump": 1, "acme-db/20261203T020000Z/acme.dump.sha256": 1,
            # newer, but its checksum (uploaded last) is not there yet: still uploading
            "acme-db/20261203T030000Z/acme.dump": 1,
            "acme-db/notatime/acme.dump.sha256": 1, "acme-db/20261203T040000Z/deeper/acme.dump.sha256": 1}
    assert newest_folder(keys, "acme-db") == "20261203T020000Z"
    assert newest_folder({}, "acme-db") is None
