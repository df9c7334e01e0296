"""The local stack's stand-in for S3's event notification: a poll of the bucket invokes the photo function."""

from __future__ import annotations

from typing import Any

import cfn

from devstack.functions import template_functions
from devstack.photos import UploadPoller, bucket_subscriptions
from tests import photo_files
from tests.integration.conftest import REGION, Aws
from tests.integration.photo_client import BUCKET, file_repair, keys, multipart, photos, post_multipart

__all__ = ["photos"]  # the fixture


def test_the_local_stack_runs_the_photo_function_on_each_upload_once(photos: Any, aws: Aws) -> None:
    functions = template_functions(cfn.load_template(), cfn.TEMPLATE.parent, REGION)
    [subscription] = bucket_subscriptions(functions)
    assert (subscription.function.logical_id, subscription.prefix) == ("PhotoFunction", "incoming/")
    poller = UploadPoller(subscription, BUCKET, REGION)
    receipt = file_repair()
    reference = receipt["reference"]
    body = multipart([("IMG_0001.JPG", "image/jpeg", photo_files.jpeg_with_gps())])
    assert post_multipart(receipt["photos_url"], body).status == 202

    assert poller.poll_once() == 1
    assert keys(photos) == [f"photos/{reference}/1.jpg", f"thumbs/{reference}/1.jpg"]
    assert poller.poll_once() == 0
