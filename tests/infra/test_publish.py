"""make publish (infra/publish.py) against moto's S3, CloudFront and CloudFormation."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import publish
import pytest

BUCKET = "lobby-site-test"

SITE = {
    "index.html": b"<!doctype html><title>Lobby</title>",
    "404.html": b"<!doctype html><title>Not found</title>",
    "repair/index.html": b"<!doctype html><title>Repairs</title>",
    "en/repair/index.html": b"<!doctype html><title>Repairs</title>",
    "assets/javascripts/bundle.f1e2d3c4.min.js": b"console.log(1)",
    "assets/stylesheets/main.0a1b2c3d.min.css": b"body{}",
    "assets/images/favicon.png": b"\x89PNG\r\n\x1a\n",
    "assets/lobby.css": b".lobby-form{}",
    "search/search_index.json": b"{}",
    "sitemap.xml": b"<urlset/>",
    "sitemap.xml.gz": gzip.compress(b"<urlset/>"),
}
STALE = ["assets/javascripts/bundle.00000000.min.js", "old-page/index.html"]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site_build"
    for key, body in SITE.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return root


@pytest.fixture
def s3(fake_aws: None) -> Any:
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    for key in STALE:
        client.put_object(Bucket=BUCKET, Key=key, Body=b"old")
    return client


@pytest.fixture
def cloudfront(fake_aws: None) -> Any:
    return boto3.client("cloudfront")


@pytest.fixture
def distribution_id(cloudfront: Any) -> str:
    origin = {
        "Id": "Site",
        "DomainName": f"{BUCKET}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    config = {
        "CallerReference": "lobby-test",
        "Comment": "",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "Site",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }
    return str(cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"])


def bucket_keys(s3: Any) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def invalidated_paths(cloudfront: Any, distribution_id: str) -> list[list[str]]:
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get(
        "Items", []
    )
    return [
        cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])["Invalidation"][
            "InvalidationBatch"
        ]["Paths"]["Items"]
        for item in listed
    ]


def test_publish_uploads_the_site_deletes_stale_objects_and_invalidates(
    site: Path, s3: Any, cloudfront: Any, distribution_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = publish.main(["--bucket", BUCKET, "--distribution-id", distribution_id, "--site-dir", str(site)])

    assert status == 0
    assert bucket_keys(s3) == set(SITE)
    assert s3.get_object(Bucket=BUCKET, Key="sitemap.xml.gz")["Body"].read() == SITE["sitemap.xml.gz"]
    assert invalidated_paths(cloudfront, distribution_id) == [["/*"]]
    assert f"published {len(SITE)} files" in capsys.readouterr().out


@pytest.fixture
def published(site: Path, s3: Any, distribution_id: str) -> Any:
    """The bucket's client, after one publish of the site."""
    assert (
        publish.main(["--bucket", BUCKET, "--distribution-id", distribution_id, "--site-dir", str(site)]) == 0
    )
    return s3


def browser_max_age(cache_control: str) -> int:
    (value,) = [part.split("=")[1] for part in cache_control.split(", ") if part.startswith("max-age=")]
    return int(value)


@pytest.mark.parametrize(
    ("key", "content_type", "lifetime"),
    [
        ("index.html", "text/html; charset=utf-8", "revalidate"),
        ("en/repair/index.html", "text/html; charset=utf-8", "revalidate"),
        ("404.html", "text/html; charset=utf-8", "revalidate"),
        ("assets/javascripts/bundle.f1e2d3c4.min.js", "text/javascript; charset=utf-8", "year"),
        ("assets/stylesheets/main.0a1b2c3d.min.css", "text/css; charset=utf-8", "year"),
        ("assets/lobby.css", "text/css; charset=utf-8", "short"),
        ("assets/images/favicon.png", "image/png", "short"),
        ("search/search_index.json", "application/json", "short"),
        ("sitemap.xml", "application/xml", "short"),
        ("sitemap.xml.gz", "application/gzip", "short"),
    ],
)
def test_each_object_is_stored_with_its_type_and_cache_lifetime(
    published: Any, key: str, content_type: str, lifetime: str
) -> None:
    """Pages show a new publish at once; only hashed asset names are kept for a year."""
    head = published.head_object(Bucket=BUCKET, Key=key)
    cache_control = head["CacheControl"]

    assert head["ContentType"] == content_type
    assert "ContentEncoding" not in head
    if lifetime == "revalidate":
        assert browser_max_age(cache_control) == 0
        assert "must-revalidate" in cache_control
    elif lifetime == "year":
        assert browser_max_age(cache_control) == 365 * 24 * 3600
        assert "immutable" in cache_control
    else:
        assert 0 < browser_max_age(cache_control) <= 3600
        assert "immutable" not in cache_control


class RecordingS3:
    """Keeps the order of uploads (moto does not)."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def put_object(self, **kwargs: Any) -> None:
        self.keys.append(kwargs["Key"])


def test_pages_are_uploaded_only_after_every_asset(site: Path) -> None:
    recorder = RecordingS3()

    publish.upload(recorder, BUCKET, publish.site_files(site))

    first_page = min(index for index, key in enumerate(recorder.keys) if key.endswith(".html"))
    assert all(key.endswith(".html") for key in recorder.keys[first_page:])
    assert sorted(recorder.keys) == sorted(SITE)


def make_stack(outputs: dict[str, str]) -> None:
    """A stack with these outputs (and one resource, as CloudFormation requires)."""
    body = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {name: {"Value": value} for name, value in outputs.items()},
    }
    boto3.client("cloudformation").create_stack(StackName="lobby", TemplateBody=json.dumps(body))


def test_publish_finds_bucket_and_distribution_in_the_stack_outputs(
    site: Path, s3: Any, cloudfront: Any, distribution_id: str
) -> None:
    make_stack({"SiteBucketName": BUCKET, "DistributionId": distribution_id, "TableName": "t"})

    status = publish.main(["--stack-name", "lobby", "--site-dir", str(site)])

    assert status == 0
    assert bucket_keys(s3) == set(SITE)
    assert invalidated_paths(cloudfront, distribution_id) == [["/*"]]


def test_a_missing_stack_is_a_clear_error(site: Path, s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status = publish.main(["--stack-name", "lobby", "--site-dir", str(site)])

    error = capsys.readouterr().err
    assert status == 1
    assert "stack 'lobby' not found" in error
    assert "make deploy" in error
    assert bucket_keys(s3) == set(STALE)  # nothing touched


def test_a_stack_without_the_outputs_is_a_clear_error(
    site: Path, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    make_stack({"SiteBucketName": BUCKET})

    status = publish.main(["--stack-name", "lobby", "--site-dir", str(site)])

    error = capsys.readouterr().err
    assert status == 1
    assert "no output DistributionId" in error
    assert bucket_keys(s3) == set(STALE)


def test_an_unbuilt_site_is_a_clear_error(
    tmp_path: Path, s3: Any, distribution_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "site_build"
    empty.mkdir()

    status = publish.main(
        ["--bucket", BUCKET, "--distribution-id", distribution_id, "--site-dir", str(empty)]
    )

    assert status == 1
    assert "make site" in capsys.readouterr().err
    assert bucket_keys(s3) == set(STALE)  # an empty site never wipes the bucket


def test_bucket_and_distribution_go_together() -> None:
    with pytest.raises(SystemExit):
        publish.parse_args(["--bucket", BUCKET])
