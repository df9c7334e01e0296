"""``make publish``: upload the built handbook to the site bucket and refresh CloudFront.

    python infra/publish.py --stack-name lobby --site-dir site_build
    python infra/publish.py --bucket BUCKET --distribution-id ID --site-dir site_build

The bucket and the distribution come from the stack's outputs (``SiteBucketName``,
``DistributionId``) unless both are given. Every file is uploaded with its content
type and a cache lifetime that suits it; objects no longer in the site are
deleted; then the whole distribution is invalidated.
"""

from __future__ import annotations

import argparse
import mimetypes
import re
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

BUCKET_OUTPUT = "SiteBucketName"
DISTRIBUTION_OUTPUT = "DistributionId"

# Hashed assets (MkDocs Material's bundle.<hash>.min.js, main.<hash>.min.css) never
# change under their name: browsers may keep them for a year. HTML must show a new
# publish at once: browsers revalidate every time, while the edge keeps it until the
# invalidation this script sends. Everything else (images, search index) is short.
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_HTML = "public, max-age=0, s-maxage=86400, must-revalidate"
CACHE_SHORT = "public, max-age=300"
_HASHED_NAME = re.compile(r"\.[0-9a-f]{8,}\.")

# Types the platform's mimetypes table lacks or gets wrong for the web.
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".webmanifest": "application/manifest+json",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".gz": "application/gzip",  # sitemap.xml.gz: crawlers unpack it themselves
}
_FALLBACK_TYPE = "application/octet-stream"
_DELETE_BATCH = 1000  # S3 DeleteObjects limit


class PublishError(Exception):
    """Publishing cannot go on; the message says what to do."""


@dataclass(frozen=True)
class SiteFile:
    key: str
    path: Path
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class PublishResult:
    uploaded: list[str]
    deleted: list[str]
    invalidation_id: str


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(key, strict=False)
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or _FALLBACK_TYPE


def cache_control(key: str) -> str:
    if key.endswith(".html"):
        return CACHE_HTML
    if key.startswith("assets/") and _HASHED_NAME.search(Path(key).name):
        return CACHE_IMMUTABLE
    return CACHE_SHORT


def site_files(site_dir: Path) -> list[SiteFile]:
    """Every file of the built site, HTML last: pages go live only once their assets are there."""
    if not (site_dir / "index.html").is_file():
        raise PublishError(f"{site_dir}/index.html not found: build the site first (make site)")
    files = [
        SiteFile(key, path, content_type(key), cache_control(key))
        for path in sorted(site_dir.rglob("*"))
        if path.is_file()
        for key in [path.relative_to(site_dir).as_posix()]
    ]
    return sorted(files, key=lambda item: (item.key.endswith(".html"), item.key))


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "")
        if "does not exist" not in message:
            raise
        raise PublishError(
            f"stack {stack_name!r} not found in this account and region; deploy it first"
            " (make deploy), or pass --region, or --bucket and --distribution-id"
        ) from None
    return {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}


def publish_targets(outputs: dict[str, str], stack_name: str) -> tuple[str, str]:
    missing = [name for name in (BUCKET_OUTPUT, DISTRIBUTION_OUTPUT) if not outputs.get(name)]
    if missing:
        raise PublishError(
            f"stack {stack_name!r} has no output {' or '.join(missing)}: is it a Lobby stack, fully deployed?"
        )
    return outputs[BUCKET_OUTPUT], outputs[DISTRIBUTION_OUTPUT]


def upload(s3: Any, bucket: str, files: Sequence[SiteFile], workers: int = 8) -> list[str]:
    def put(item: SiteFile) -> str:
        s3.put_object(
            Bucket=bucket,
            Key=item.key,
            Body=item.path.read_bytes(),
            ContentType=item.content_type,
            CacheControl=item.cache_control,
        )
        return item.key

    assets = [item for item in files if not item.key.endswith(".html")]
    pages = [item for item in files if item.key.endswith(".html")]
    uploaded: list[str] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for group in (assets, pages):  # all assets are in place before any page
            uploaded.extend(pool.map(put, group))
    return uploaded


def existing_keys(s3: Any, bucket: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


def delete_stale(s3: Any, bucket: str, keep: Iterable[str]) -> list[str]:
    kept = set(keep)
    stale = sorted(key for key in existing_keys(s3, bucket) if key not in kept)
    for start in range(0, len(stale), _DELETE_BATCH):
        batch = stale[start : start + _DELETE_BATCH]
        response = s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
        )
        if response.get("Errors"):
            failed = ", ".join(error["Key"] for error in response["Errors"])
            raise PublishError(f"could not delete stale objects: {failed}")
    return stale


def invalidate(cloudfront: Any, distribution_id: str) -> str:
    response = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"lobby-publish-{time.time_ns()}",
        },
    )
    return str(response["Invalidation"]["Id"])


def publish(session: Any, site_dir: Path, bucket: str, distribution_id: str) -> PublishResult:
    files = site_files(site_dir)
    s3 = session.client("s3")
    uploaded = upload(s3, bucket, files)
    deleted = delete_stale(s3, bucket, uploaded)
    invalidation_id = invalidate(session.client("cloudfront"), distribution_id)
    return PublishResult(uploaded, deleted, invalidation_id)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--site-dir", type=Path, default=Path("site_build"), help="built site (make site)")
    parser.add_argument("--stack-name", default="lobby", help="stack that names both")
    parser.add_argument("--bucket", help="site bucket (skips the stack lookup, with --distribution-id)")
    parser.add_argument("--distribution-id", help="CloudFront distribution to invalidate")
    parser.add_argument("--region", help="AWS region of the stack (default: the AWS configuration's)")
    parser.add_argument("--profile", help="AWS profile to use")
    args = parser.parse_args(argv)
    if bool(args.bucket) != bool(args.distribution_id):
        parser.error("--bucket and --distribution-id go together")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        session = boto3.Session(region_name=args.region, profile_name=args.profile)
        if args.bucket:
            bucket, distribution_id = args.bucket, args.distribution_id
        else:
            outputs = stack_outputs(session.client("cloudformation"), args.stack_name)
            bucket, distribution_id = publish_targets(outputs, args.stack_name)
        result = publish(session, args.site_dir, bucket, distribution_id)
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"publish: AWS refused or could not be reached: {error}", file=sys.stderr)
        return 1
    print(
        f"published {len(result.uploaded)} files to s3://{bucket}, deleted {len(result.deleted)} stale, "
        f"invalidation {result.invalidation_id} on {distribution_id}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
